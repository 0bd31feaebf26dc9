"""Each solutions notebook run once per test session, as a student runs it top to bottom: its
outputs, what each picture it showed is made of, and what its kernel holds once the lesson has run."""

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
# read in the kernel after the lesson's last cell: its own memory, and what it maps from files
MEMORY = "print(open('/proc/self/status').read())"
# every picture goes out through graders.pictures.show: record what it is made of on the way
RECORD_PICTURES = """
import graders.pictures as _pictures
from tests.picture_facts import facts as _facts
_pictures_shown = []
def _recording(alt=None, fig=None, _show=_pictures.show):
    import matplotlib.pyplot as _plt
    _pictures_shown.append(_facts(fig if fig is not None else _plt.gcf()))
    return _show(alt, fig)
_pictures.show = _recording
"""
PICTURES = "import json as _json; print(_json.dumps(_pictures_shown))"


@dataclass(frozen=True)
class Run:
    notebook: object  # the lesson with its outputs (whether its checks pass is test_notebooks')
    pictures: list  # what each picture shown is made of (tests/picture_facts.py), in order
    own_mb: float  # the kernel's anonymous memory: what it costs on top of other kernels
    shared_mb: float  # mapped from files (torch's and numpy's code): shared by every kernel


@cache
def run(name):
    nb = nbformat.read(ROOT / "solutions" / name / f"{name}.ipynb", as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(RECORD_PICTURES))
    nb.cells += [nbformat.v4.new_code_cell(PICTURES), nbformat.v4.new_code_cell(MEMORY)]
    NotebookClient(nb, timeout=120, allow_errors=True,
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    status = nb.cells.pop().outputs[0]["text"]
    pictures = json.loads(nb.cells.pop().outputs[0]["text"])
    nb.cells.pop(0)
    kb = {key: int(value) for key, value in re.findall(r"(RssAnon|RssFile):\s+(\d+) kB", status)}
    return Run(nb, pictures, kb["RssAnon"] / 1024, kb["RssFile"] / 1024)
