"""Record in a kernel, replay in the trusted process: for every catalogued answer, right or wrong,
the verdict replayed from the hand-over is the verdict the check gave where the answer lives."""

import importlib

import nbformat
import pytest
import torch

import autograd_core
from graders import handover
from graders.catalogue import EXERCISES
from graders.lessons import lesson_of
from grading.verdicts import _hand_over, checks_of, replay

HIDDEN = {gid: f"{e.check.split('.')[1]}({e.answer})\n{e.check.split('.')[1]}({e.answer}, hidden=True)"
          for gid, e in EXERCISES.items() if e.function}


def cell_source(gid):
    exercise = EXERCISES[gid]
    return HIDDEN.get(gid, f"{exercise.check.split('.')[1]}({exercise.answer})")


def as_saved(record):
    """The record as the trusted side gets it: an output of a notebook written and read back."""
    output = nbformat.v4.new_output("display_data", data={handover.MIMETYPE: record})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[output])])
    saved = nbformat.reads(nbformat.writes(nb), as_version=4)
    return _hand_over(saved.cells[0].outputs[0])


def run_in_kernel(gid, source, monkeypatch):
    """The answer cell and the test cell, as the sandboxed kernel runs them: (passed, records)."""
    records = []
    monkeypatch.setattr(handover, "RECORDING", True)
    monkeypatch.setattr(handover, "_hand_over", lambda record: records.append(as_saved(record)))
    module = importlib.import_module(lesson_of(gid).module)
    namespace = {"torch": torch, "autograd_core": autograd_core, **vars(module)}
    passed = True
    try:
        exec(source, namespace)  # noqa: S102 -- the catalogue's answers
    except NameError:
        pytest.skip("the answer uses the notebook's variables")
    try:
        exec(cell_source(gid), namespace)  # noqa: S102
    except AssertionError:
        passed = False
    return passed, records


CASES = [(gid, "right", source) for gid, e in EXERCISES.items()
         for source in (e.right, *e.alternatives)] + [
    (gid, name, source) for gid, e in EXERCISES.items() for name, source in e.mistakes.items()]


@pytest.mark.parametrize("gid, name, source", CASES,
                         ids=[f"{g}-{n[:20]}-{k}" for k, (g, n, _) in enumerate(CASES)])
def test_replay_gives_the_kernels_verdict(gid, name, source, monkeypatch, capsys):
    in_kernel, records = run_in_kernel(gid, source, monkeypatch)
    assert in_kernel == (name == "right")
    passed, reason, replayed, mistake = replay(cell_source(gid), records, checks_of(gid))
    assert replayed, f"{gid}: the check uses a student's object beyond the boundary: {reason}"
    assert passed == in_kernel, reason
    if name != "right":  # the diagnosis, as a field, is the one the catalogue names
        assert mistake == name, (gid, mistake)


def test_a_forged_or_missing_hand_over_never_passes(monkeypatch):
    _, records = run_in_kernel("l04_three", EXERCISES["l04_three"].right, monkeypatch)
    checks = checks_of("l04_three")
    source = cell_source("l04_three")
    assert replay(source, records, checks)[0]
    assert not replay(source, [], checks)[0]
    assert not replay(source, [{**records[0], "tape": []}], checks)[0]
    assert not replay(source, [{**records[0], "check": "check_seed_002"}], checks)[0]
    wrong = {"check": "check_three_backwards", "passed": True,
             "tape": [["read", "returned", [0.0, 0.0, 0.0, 0.0]]]}
    assert not replay(source, [wrong], checks)[0]
    assert not replay(source, [{**wrong, "tape": [["call_student", "returned", None]]}], checks)[0]
