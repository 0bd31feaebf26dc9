"""The tamper scan: each way of fooling a check is named as a field, and no honest answer --
right, right written differently, wrong in a catalogued way or as a learner wrote it unprompted
(the held-out set) -- is ever flagged."""

import pytest

from graders.catalogue import EXERCISES
from grading.integrity import tampering

from .held_out_answers import HELD_OUT

TRICKS = {
    'globals()["check_three_backwards"] = print': "rebinds names through a namespace",
    'import sys\nsys._getframe().f_globals["check_x"] = print': "rebinds names through a namespace",
    'import sys\nsys.modules["graders.lesson04_accumulation"] = None':
        "rebinds names through a namespace",
    'vars(L)["check_x"] = print': "rebinds names through a namespace",
    'exec("check_x = print")': "runs code made from text",
    'display({"application/x-grading-handover+json": {}}, raw=True)':
        "forges what a check hands over",
    "import graders.lesson04_accumulation as L\nanswer_three = L._backward_k_times(torch)":
        "uses the checks' own answers",
    "from graders.lesson04_accumulation import _average": "uses the checks' own answers",
    "check_three_backwards = print": "redefines a check",
    "import torch\ntorch.Tensor.backward = print": "patches a module the checks rely on",
}


@pytest.mark.parametrize("source", list(TRICKS))
def test_each_trick_is_named(source):
    assert TRICKS[source] in [reason for reason, _ in tampering(source)]


HONEST = [(gid, kind, source) for gid, exercise in EXERCISES.items()
          for kind, source in [("right", exercise.right),
                               *[("alternative", a) for a in exercise.alternatives],
                               *[(f"mistake {m}", s) for m, s in exercise.mistakes.items()]]]
HONEST += [(gid, f"held-out {k}", source) for k, (gid, source) in enumerate(HELD_OUT)]


@pytest.mark.parametrize(("grade_id", "kind", "source"), HONEST,
                         ids=[f"{gid}-{kind}" for gid, kind, _ in HONEST])
def test_no_honest_answer_is_flagged(grade_id, kind, source):
    assert tampering(source) == []
