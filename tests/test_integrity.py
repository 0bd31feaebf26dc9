"""The review scan: what still points at a gain is flagged, with its evidence, and changes no
score; ordinary code -- every catalogued answer, right or wrong, the held-out learners', and the
extra lines honest students write -- is never flagged."""

from pathlib import Path

import nbformat
import pytest

from graders.answer_key.catalogue import EXERCISES
from grading.integrity import scan, suspicious

from .held_out_answers import HELD_OUT

FLAGGED = {
    "import graders.handover as H\nH.hand_over = lambda record: None": "changes the graders",
    "import graders.checks\ngraders.checks.Check.reveal = print": "changes the graders",
    "check_three_backwards.reveal = lambda: None": "changes the graders",
    "from graders.lesson04_accumulation import check_three_backwards as c\nc.reveal = print":
        "changes the graders",
    "import sys\nsys.modules['graders.handover'].hand_over = print": "changes the graders",
    "import graders.checks as C\nsetattr(C, 'show', print)": "changes the graders",
    "import graders as g\ndel g.handover": "changes the graders",
    'exec("import graders")': "runs code made from text",
    "%time _ = eval('1')": "runs code made from text",
    "%%capture\nimport graders.handover as H\nH.hand_over = print": "changes the graders",
    "!echo hi\nimport graders.checks as C\nC.show = print": "changes the graders",
    # the graders reached under other names
    "import importlib\nC = importlib.import_module('graders.checks')\nC.show = print":
        "changes the graders",
    "mod = __import__('graders.handover')\nmod.handover.hand_over = print": "changes the graders",
    "g = check_three_backwards.__globals__\ng['verdict'] = print": "changes the graders",
    "v = vars(check_three_backwards)\nv['name'] = 'check_seed_002'": "changes the graders",
    "f = getattr(check_three_backwards, 'reveal')\nf.__code__ = (lambda: None).__code__":
        "changes the graders",
    "g = check_three_backwards.__globals__\nh = g.get('handover')\nh.hand_over = print":
        "changes the graders",
    "for c in [check_three_backwards]:\n    c.reveal = print": "changes the graders",
    "get_ipython().run_cell('import graders.handover as H\\nH.hand_over = print')":
        "changes the graders",
    "text = 'x = 1'\nget_ipython().run_cell(text)": "runs code made from text",
    "import builtins\nbuiltins.exec('x = 1')": "runs code made from text",
}


@pytest.mark.parametrize("source", list(FLAGGED))
def test_what_points_at_a_gain_is_flagged(source):
    assert FLAGGED[source] in [reason for reason, _ in suspicious(source)]


ORDINARY = {  # honest lines students write, beside right answers (issue 19's kinds and more)
    "a helper named like a check": "check_total = float(torch.ones(3).sum())",
    "its own check function": "def check_my_answer(a):\n    assert a.shape == (4,)",
    "a backend flag": "torch.backends.cudnn.deterministic = True",
    "a torch setting": "torch.set_printoptions(precision=3)\ntorch.manual_seed(0)",
    "plotting settings": "import matplotlib as mpl\nmpl.rcParams['figure.dpi'] = 80",
    "a class with __eq__": "class Pair:\n    def __init__(self, a):\n        self.a = a\n"
                           "    def __eq__(self, other):\n        return self.a == other.a",
    "a line magic": "%time y = (torch.ones(3) * 2).sum()",
    "a cell magic": "%%time\nz = torch.ones(2)",
    "a shell line": "!ls",
    "numpy's print options": "import numpy as np\nnp.set_printoptions(precision=2)",
    "a warnings filter": "import warnings\nwarnings.filterwarnings('ignore')",
    "a dict of results": "results = {}\nresults['a'] = 1\nglobals_seen = dir()",
    "an attribute of its own object": "class A: pass\na = A()\na.graders = 1",
    "importing the pictures": "from graders.pictures import draw_graph\nfig = None",
    "a regular expression": "import re\npattern = re.compile(r'grad(ient)?s?')",
    "torch.compile": "double = torch.compile(lambda x: x * 2)",
    "the lesson's data, changed": "from graders.lesson08_gradient_descent import data\n"
                                  "xs, ys = data()\nxs.requires_grad = True\nys.name = 'y'",
    "a check's verdict kept": "kept = check_three_backwards(answer_three)\nnotes = {}\n"
                              "notes['three'] = kept",
}


@pytest.mark.parametrize("name", list(ORDINARY))
def test_ordinary_code_is_never_flagged(name):
    assert suspicious(ORDINARY[name]) == []


HONEST = [(gid, kind, source) for gid, exercise in EXERCISES.items()
          for kind, source in [("right", exercise.right),
                               *[("alternative", a) for a in exercise.alternatives],
                               *[(f"mistake {m}", s) for m, s in exercise.mistakes.items()]]]
HONEST += [(gid, f"held-out {k}", source) for k, (gid, source) in enumerate(HELD_OUT)]


@pytest.mark.parametrize(("grade_id", "kind", "source"), HONEST,
                         ids=[f"{gid}-{kind}" for gid, kind, _ in HONEST])
def test_no_catalogued_answer_is_flagged(grade_id, kind, source):
    assert suspicious(source) == []


def test_a_finding_names_the_exercise_cell_and_line(tmp_path):
    meta = {"nbgrader": {"grade": True, "grade_id": "l04_three", "solution": False,
                         "locked": True, "points": 1, "schema_version": 3}}
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import graders.handover as H\nH.hand_over = print"),
        nbformat.v4.new_code_cell("check_three_backwards(answer_three)", metadata=meta)])
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    (finding,) = scan(path)
    assert (finding.grade_id, finding.reason, finding.cell, finding.line) == (
        "l04_three", "changes the graders", 0, "H.hand_over = print")


def test_a_cell_marked_locked_or_test_by_its_submitter_is_read_too(tmp_path):
    """A submission's metadata is the student's to edit: only the lesson's own test cells
    (nbgrader replaces them before it runs them) go unread."""
    forged = [{"nbgrader": {"locked": True, "grade_id": "setup", "schema_version": 3}},
              {"nbgrader": {"grade": True, "solution": False, "grade_id": "mine", "points": 0,
                            "locked": True, "schema_version": 3}}]
    test = {"nbgrader": {"grade": True, "grade_id": "l04_three", "solution": False,
                         "locked": True, "points": 1, "schema_version": 3}}
    nb = nbformat.v4.new_notebook(cells=[
        *[nbformat.v4.new_code_cell("import graders.checks as C\nC.show = print", metadata=m)
          for m in forged],
        nbformat.v4.new_code_cell("check_three_backwards(answer_three)", metadata=test)])
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    assert [(f.grade_id, f.cell) for f in scan(path)] == [("l04_three", 0), ("l04_three", 1)]


def test_python_files_handed_in_beside_the_notebook_are_read(tmp_path):
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import helper")]),
                   tmp_path / "n.ipynb")
    (tmp_path / "helper.py").write_text("import graders.handover as H\nH.hand_over = print\n")
    (tmp_path / "plain.py").write_text("def f(x):\n    return 2 * x\n")
    (finding,) = scan(tmp_path / "n.ipynb")
    assert (finding.file, finding.where, finding.line) == (
        "helper.py", "helper.py", "H.hand_over = print")


LESSONS = sorted(p for folder in ("course", "solutions")
                 for p in (Path(__file__).parents[1] / folder).rglob("*.ipynb"))


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_the_lessons_own_cells_are_never_flagged(path):
    assert scan(path) == []
