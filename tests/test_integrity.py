"""The review scan: what still points at a gain is flagged, with its evidence, and changes no
score; ordinary code -- every catalogued answer, right or wrong, the held-out learners', and the
extra lines honest students write -- is never flagged."""

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
