"""Each solutions notebook run once per test session, as a student runs it top to bottom: its
outputs, and what its kernel holds once the lesson has run."""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
# read in the kernel after the lesson's last cell: its own memory, and what it maps from files
MEMORY = "print(open('/proc/self/status').read())"


@dataclass(frozen=True)
class Run:
    notebook: object  # the lesson with its outputs (whether its checks pass is test_notebooks')
    own_mb: float  # the kernel's anonymous memory: what it costs on top of other kernels
    shared_mb: float  # mapped from files (torch's and numpy's code): shared by every kernel


@cache
def run(name):
    nb = nbformat.read(ROOT / "solutions" / name / f"{name}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(MEMORY))
    NotebookClient(nb, timeout=120, allow_errors=True,
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    status = nb.cells.pop().outputs[0]["text"]
    kb = {key: int(value) for key, value in re.findall(r"(RssAnon|RssFile):\s+(\d+) kB", status)}
    return Run(nb, kb["RssAnon"] / 1024, kb["RssFile"] / 1024)
