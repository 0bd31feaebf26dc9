"""Every check passes the right answer and fails each catalogued wrong answer with its diagnosis.

Right and wrong answers are written here the way a student would write them (torch code), so
the checks are tested on what they will actually see.
"""

import contextlib
import importlib
import io
import sys

import numpy as np
import pytest
import torch

import graders.lesson01_requires_grad as l01
import graders.lesson02_graph as l02
import graders.lesson03_backward as l03
import graders.lesson04_accumulation as l04
import graders.lesson05_vector_jacobian as l05
import graders.lesson06_stopping_gradients as l06
import graders.lesson07_control_flow as l07
import graders.lesson08_gradient_descent as l08
import graders.lesson10_checking_gradients as l10
from graders.catalogue import EXERCISES
from graders.checking import CheckFailed


def answer(source, name):
    """Run an answer cell's source as a notebook would; return what it defines."""
    xs, ys = (torch.tensor(a) for a in l08.data())
    namespace = {"torch": torch, "xs": xs, "ys": ys}
    exec(source, namespace)
    return namespace[name]


def check_of(exercise):
    module, function = exercise.check.split(".")
    return getattr(importlib.import_module(f"graders.{module}"), function)


IDS = list(EXERCISES)


@contextlib.contextmanager
def stderr_watch():
    buffer = io.StringIO()
    saved, sys.stderr = sys.stderr, buffer
    try:
        yield buffer
    finally:
        sys.stderr = saved


def test_every_check_is_in_the_catalogue():
    catalogued = {check_of(e) for e in EXERCISES.values()}
    for module in (l01, l02, l03, l04, l05, l06, l07, l08, l10):
        checks = {f for f in vars(module).values() if hasattr(f, "__wrapped__")}
        assert len(checks) >= 4 and checks <= catalogued, f"{module.__name__}: untested checks"
    assert all(len(e.mistakes) >= 1 for e in EXERCISES.values())


@pytest.mark.parametrize("grade_id", IDS)
def test_right_answer_passes(grade_id, capsys):
    exercise = EXERCISES[grade_id]
    check = check_of(exercise)
    with stderr_watch() as err:
        check(answer(exercise.right, exercise.answer))
        if exercise.function:
            check(answer(exercise.right, exercise.answer), hidden=True)
    assert err.getvalue() == ""
    assert capsys.readouterr().out.startswith("✓")


@pytest.mark.parametrize("grade_id", IDS)
def test_each_wrong_answer_gets_its_diagnosis(grade_id):
    exercise = EXERCISES[grade_id]
    for diagnosis, source in exercise.mistakes.items():
        with stderr_watch() as err, pytest.raises(CheckFailed) as failure:
            check_of(exercise)(answer(source, exercise.answer))
        assert diagnosis in str(failure.value), str(failure.value)
        assert err.getvalue() == ""


@pytest.mark.parametrize("wrong", [np.zeros((2, 3)), "w"], ids=["numpy", "str"])
def test_wrong_types_are_refused(wrong):
    with pytest.raises(CheckFailed, match="Expected a"):
        l01.check_weights(wrong)
    with pytest.raises(CheckFailed, match="Expected a function"):
        l01.check_make_parameter(wrong)


def test_checks_leave_the_students_objects_alone():
    x = torch.tensor([0.0, 4.0, 8.0, 12.0], requires_grad=True)
    y = x * 2
    with pytest.raises(CheckFailed):
        l03.check_d2l_grad(y)
    assert x.grad is None and y.grad_fn is not None and x.tolist() == [0.0, 4.0, 8.0, 12.0]


class AlwaysEqual(torch.Tensor):
    def __eq__(self, other):
        return True


class Impostor:
    """Claims to be a tensor and equal to everything."""

    __class__ = torch.Tensor

    def __eq__(self, other):
        return True

    def tolist(self):
        return [0.0, 4.0, 8.0, 12.0]


@pytest.mark.parametrize("cheat", [AlwaysEqual([1.0, 2.0]), Impostor(), object(), "12",
                                   ["a", "b", "c", "d"], [[0.0], 4.0, 8.0, 12.0], {"x": 1}])
def test_objects_that_claim_equality_are_refused(cheat):
    with pytest.raises(CheckFailed):
        l03.check_d2l_grad(cheat)


def test_monkeypatching_torch_and_the_checks_changes_nothing(monkeypatch):
    import graders.checking

    monkeypatch.setattr(torch, "allclose", lambda *a, **k: True)
    monkeypatch.setattr(torch, "equal", lambda *a, **k: True)
    monkeypatch.setattr(torch.Tensor, "tolist", lambda self: [0.0, 4.0, 8.0, 12.0])
    monkeypatch.setattr(torch.Tensor, "__eq__", lambda self, other: True)
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    monkeypatch.setattr(graders.checking, "close", lambda *a: True)
    monkeypatch.setattr(graders.checking, "verdict", lambda *a, **k: None)
    with pytest.raises(CheckFailed):
        l03.check_d2l_grad(torch.ones(4))


def test_a_warning_in_student_code_never_reaches_stderr():
    grad_of = answer(EXERCISES["l03_grad_of"].right, "grad_of")

    def noisy_grad_of(f, x):
        import warnings

        warnings.warn("student warning", UserWarning, stacklevel=1)
        y = x.detach().requires_grad_() * 1
        y.grad  # non-leaf .grad warns in torch  # noqa: B018
        return grad_of(f, x)

    with stderr_watch() as err:
        l03.check_grad_of(noisy_grad_of)
    assert err.getvalue() == ""


def test_the_oracles_disagreeing_blames_the_course(monkeypatch):
    from graders import checking

    with pytest.raises(checking.ReferenceError_, match="bug in the course"):
        checking.oracle(lambda T: 1.0 if T is torch else 2.0)
