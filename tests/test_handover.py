"""What crosses the trust boundary is data. For every catalogued answer, right or wrong, the verdict
reached in the trusted process from what the kernel handed over is the verdict the check gives in
JupyterLab; a hand-over that is malformed, oversized or another check's costs only its exercise."""

import math

import nbformat
import pytest

from graders import handover
from graders.answer_key.catalogue import EXERCISES, check_of, run_cell
from graders.verdict import REVEALED, UNANSWERED, UNREADABLE
from grading.verdicts import _records, judge_cell, verdict_outputs


def cell_source(check):
    visible = f"{check.name}({check.answer})"
    return visible + (f"\n{check.name}({check.answer}, hidden=True)" if check.takes_function else "")


def as_saved(record):
    """The record as the trusted side gets it: kept by the sandbox's runner in the notebook's
    metadata, written and read back."""
    nb = nbformat.v4.new_notebook(metadata={"handed": [handover.encode(record)]})
    return nbformat.reads(nbformat.writes(nb), as_version=4).metadata["handed"][0]


def in_kernel(check, answer):
    """The verdicts JupyterLab shows: the visible check, then the hidden one for a function."""
    calls = [False, True] if check.takes_function else [False]
    return [check.judge(check.evidence(answer, hidden), hidden) for hidden in calls]


def in_grading(check, answer, monkeypatch):
    """The test cell as the sandbox runs it (no answer key used), judged where grading is."""
    saved = []
    monkeypatch.setattr(handover, "RECORDING", True)
    monkeypatch.setattr(handover, "hand_over", lambda record: saved.append(as_saved(record)))
    check(answer)
    if check.takes_function:
        check(answer, hidden=True)
    records = _records(saved)[0]
    return judge_cell(cell_source(check), records, revealed=set())


def same(a, b):
    return [(v.outcome, v.message, v.diagnosis) for v in a] == \
        [(v.outcome, v.message, v.diagnosis) for v in b]


CASES = [(gid, "right", source) for gid, e in EXERCISES.items()
         for source in (e.right, *e.alternatives)] + [
    (gid, name, source) for gid, e in EXERCISES.items() for name, source in e.mistakes.items()]


@pytest.mark.parametrize(("grade_id", "kind", "source"), CASES,
                         ids=[f"{gid}-{kind}" for gid, kind, _ in CASES])
def test_grading_reaches_the_verdict_the_notebook_shows(grade_id, kind, source, monkeypatch):
    check = check_of(grade_id)
    answer = run_cell(source, check.answer)
    kernel = in_kernel(check, answer)
    graded = in_grading(check, answer, monkeypatch)
    if kind == "right":
        assert all(v.passed for v in kernel)
    assert same(graded, kernel), (graded, kernel)


def _record(check, evidence, hidden=False):
    return {"check": check.name, "hidden": hidden, "evidence": evidence}


def _nested(depth):
    value = 1.0
    for _ in range(depth):
        value = [value]
    return value


FORGED = {
    "a string for evidence": "all right",
    "a list for evidence": [1, 2, 3],
    "collected as text": {"collected": "tensor([3., 3., 3., 3.])"},
    "an observation without a value": {"collected": {"tensor": None}},
    "a callable's repr": {"collected": {"value": "<function <lambda>>", "tensor": None}},
    "a nan": {"collected": {"value": [math.nan] * 4, "tensor": None}},
    "deeply nested": {"collected": {"value": _nested(40), "tensor": None}},
    "huge": {"collected": {"value": [1.0] * 300_000, "tensor": None}},
    "facts of the wrong kind": {"collected": {"value": [3.0] * 4, "tensor": "torch"}},
    "emptied facts": {"collected": {"value": [7.0] * 4, "tensor": {}}},
    "a number past any float": {"collected": {"value": [10**400, 8], "tensor": None}},
}


@pytest.mark.parametrize("name", list(FORGED))
def test_a_forged_or_malformed_hand_over_costs_only_its_exercise(name):
    three, seed = check_of("l04_three"), check_of("l04_seed")
    records, _, malformed = _records([as_saved(_record(three, FORGED[name]))])
    verdicts = judge_cell(cell_source(three), records, set(), malformed=malformed)
    assert len(verdicts) == 1 and not verdicts[0].passed
    assert verdicts[0].outcome in (UNREADABLE, "wrong"), verdicts[0]
    right = run_cell(EXERCISES["l04_seed"].right, seed.answer)
    record = as_saved(_record(seed, seed.evidence(right)))
    assert judge_cell(cell_source(seed), _records([record])[0], set())[0].passed


def test_a_record_of_another_check_or_none_earns_nothing():
    three, seed = check_of("l04_three"), check_of("l04_seed")
    right = run_cell(EXERCISES["l04_three"].right, three.answer)
    other = _record(seed, three.evidence(right))
    assert not judge_cell(cell_source(three), [other], set())[0].passed
    missing = judge_cell(cell_source(three), [], set(), kernel_error=("NameError", "x"))
    assert missing[0].outcome == UNANSWERED and not missing[0].passed
    hidden_for_visible = _record(three, three.evidence(right), hidden=True)
    assert not judge_cell(cell_source(three), [hidden_for_visible], set())[0].passed


def test_a_revealed_answer_scores_0_even_when_right():
    three = check_of("l04_three")
    right = run_cell(EXERCISES["l04_three"].right, three.answer)
    verdicts = judge_cell(cell_source(three), [_record(three, three.evidence(right))],
                          revealed={three.name})
    assert verdicts[0].outcome == REVEALED and not verdicts[0].passed
    error = verdict_outputs(verdicts)[0]
    assert error.output_type == "error" and "reveal" in "\n".join(error.traceback)


@pytest.mark.parametrize("data", [
    {"reveal": 3}, {"reveal": "x", "check": "y"}, {"check": "x", "hidden": "no", "evidence": 1},
    [1, 2], "text", {"check": "x", "hidden": False, "evidence": {}, "extra": 1},
    {"check": "x", "hidden": False, "evidence": {"float": "nan", "x": 1}},
])
def test_parse_refuses_anything_but_a_record(data):
    try:
        record = handover.parse(data)
    except handover.Malformed:
        return
    assert record["evidence"] == {"float": "nan", "x": 1}  # a dict with more keys stays data


def test_non_finite_numbers_cross_as_tags():
    record = {"check": "c", "hidden": False, "evidence": [math.inf, -math.inf, math.nan, 1.5]}
    parsed = handover.parse(handover.encode(record))
    got = parsed["evidence"]
    assert got[0] == math.inf and got[1] == -math.inf and got[2] != got[2] and got[3] == 1.5
