"""Every check passes the right answer and fails each catalogued wrong answer with its diagnosis.

Right and wrong answers are written here the way a student would write them (torch code), so
the checks are tested on what they will actually see.
"""

import contextlib
import dataclasses
import importlib
import io
import sys
import types
from types import MappingProxyType

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import graders.lesson01_requires_grad as l01
import graders.lesson02_graph as l02
import graders.lesson03_backward as l03
import graders.lesson04_accumulation as l04
import graders.lesson05_vector_jacobian as l05
import graders.lesson07_control_flow as l07
from graders.catalogue import EXERCISES, check_of, feedback_figures, run_cell, wrong_answers
from graders.checking import (
    CheckFailed,
    Diagnosis,
    OraclesDisagree,
    Verdict,
    analyse,
    attributes,
    counting_backwards,
)
from graders.lessons import LESSONS, lesson_of

from .held_out_answers import HELD_OUT

answer = run_cell
IDS = list(EXERCISES)


@contextlib.contextmanager
def stderr_watch():
    buffer = io.StringIO()
    saved, sys.stderr = sys.stderr, buffer
    try:
        yield buffer
    finally:
        sys.stderr = saved


MULTIPLE_CHOICE = {"l07_recorded", "l08_rebinding"}  # three options: two wrong answers at most


def test_every_check_is_in_the_catalogue():
    catalogued = {check_of(e) for e in EXERCISES.values()}
    for module in (importlib.import_module(lesson.module) for lesson in LESSONS):
        checks = {f for f in vars(module).values() if hasattr(f, "__wrapped__")}
        assert len(checks) >= 4 and checks <= catalogued, f"{module.__name__}: untested checks"
    for grade_id, exercise in EXERCISES.items():
        assert len(exercise.mistakes) >= (2 if grade_id in MULTIPLE_CHOICE else 3), grade_id
        assert exercise.alternatives, f"{grade_id}: no right answer written another way"
        assert exercise.right not in exercise.alternatives


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
def test_alternative_right_answers_pass(grade_id, capsys):
    exercise = EXERCISES[grade_id]
    for source in exercise.alternatives:
        check_of(exercise)(answer(source, exercise.answer))
        if exercise.function:
            check_of(exercise)(answer(source, exercise.answer), hidden=True)
    assert capsys.readouterr().out.count("✓") == len(exercise.alternatives) * (
        2 if exercise.function else 1)


@pytest.mark.parametrize("grade_id", IDS)
def test_each_wrong_answer_gets_its_diagnosis(grade_id):
    """On the visible check: what hidden tests would catch, the student learns in the notebook."""
    exercise = EXERCISES[grade_id]
    for diagnosis, source in exercise.mistakes.items():
        with stderr_watch() as err, pytest.raises(CheckFailed) as failure:
            check_of(exercise)(answer(source, exercise.answer))
        found = failure.value.verdict.diagnosis
        assert found is not None and found.mistake == diagnosis, str(failure.value)
        assert failure.value.verdict.check == exercise.check.split(".")[1]
        assert not failure.value.verdict.passed
        assert err.getvalue() == ""


@pytest.mark.parametrize("wrong", [np.zeros((2, 3)), "w"], ids=["numpy", "str"])
def test_wrong_types_are_refused(wrong):
    with pytest.raises(CheckFailed, match="expected a"):
        l01.check_weights(wrong)
    with pytest.raises(CheckFailed, match="expected a function"):
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

    with pytest.raises(OraclesDisagree, match="bug in the course"):
        checking.oracle(lambda T: 1.0 if T is torch else 2.0)


def test_the_text_is_rendered_from_the_verdict():
    diagnosis = Diagnosis("the sign flipped", "Subtract.")
    failure = CheckFailed(Verdict("check_x", False, "w after one step.", diagnosis))
    assert str(failure) == "Not yet: w after one step.\n\nThis looks like: the sign flipped.\nSubtract."
    assert failure.verdict.diagnosis == diagnosis
    assert str(CheckFailed(Verdict("check_x", False, "w."))) == "Not yet: w."


def test_hidden_tests_add_inputs_not_rules():
    """A wrong answer fails the hidden tests with the diagnosis the visible check gave."""
    for exercise in (e for e in EXERCISES.values() if e.function):
        for diagnosis, source in exercise.mistakes.items():
            with pytest.raises(CheckFailed) as failure:
                check_of(exercise)(answer(source, exercise.answer), hidden=True)
            assert failure.value.verdict.diagnosis.mistake == diagnosis


def test_held_out_wrong_answers_are_refused_and_mostly_named(capsys):
    figures = feedback_figures(HELD_OUT)
    with capsys.disabled():
        print("\nheld-out wrong answers:", {k: dict(v) for k, v in figures.items()})
    assert figures["all"]["accepted"] == 0
    assert figures["all"]["named"] >= 0.8 * sum(figures["all"].values())


def test_no_catalogued_wrong_answer_is_accepted():
    figures = feedback_figures(wrong_answers())["all"]
    assert figures["accepted"] == 0 and figures["generic"] == 0, figures


# -- issue 11: each defect, as a test ------------------------------------------------------

def test_count_nodes_wants_class_names_not_name():
    right = answer(EXERCISES["l02_count_nodes"].right, "count_nodes")

    def with_name(t):
        counts = right(t)
        return {("torch::autograd::" + k if k == "AccumulateGrad" else k): v
                for k, v in counts.items()}

    with pytest.raises(CheckFailed) as failure:
        l02.check_graph_counts(with_name)
    assert failure.value.verdict.diagnosis.mistake == "node.name() instead of type(node).__name__"


def test_separate_grads_ignores_a_gradient_w_holds_on_entry():
    seen = []

    def spy(w, losses):
        seen.append(None if w.grad is None else w.grad.tolist())
        return answer(EXERCISES["l04_separate"].right, "separate_grads")(w, losses)

    l04.check_separate_grads(spy)
    assert seen[0] is None and seen[1] == [l04.CARRIED] * 3


def test_vjp_counts_backward_passes_through_the_engine():
    def one_backward_per_row(f, x, v):
        x = x.detach().requires_grad_()
        y = f(x)
        rows = []
        for i in range(len(y)):
            (row,) = torch.autograd.grad(y[i], x, retain_graph=True)
            rows.append(row)
        return v @ torch.stack(rows)

    with pytest.raises(CheckFailed) as failure:
        l05.check_vjp(one_backward_per_row)
    assert failure.value.verdict.diagnosis.mistake == "the Jacobian built row by row"


def test_my_abs_hint_never_advises_no_grad():
    with pytest.raises(CheckFailed) as failure:
        l07.check_my_abs(answer(EXERCISES["l07_my_abs"].mistakes["x negated in place"], "my_abs"))
    assert "no_grad" not in failure.value.verdict.diagnosis.hint


def test_grad_of_blames_the_leftover_grad_not_the_flag():
    source = EXERCISES["l03_grad_of"].mistakes["a gradient left in the caller's x.grad"]
    with pytest.raises(CheckFailed) as failure:
        l03.check_grad_of(answer(source, "grad_of"))
    assert "x.grad" in failure.value.verdict.message
    assert "requires grad" not in failure.value.verdict.message


def _mutable_parts(value, seen):
    if id(value) in seen:
        return []
    seen.add(id(value))
    if isinstance(value, list | dict | set | bytearray):
        return [value]
    if isinstance(value, tuple):
        return [p for item in value for p in _mutable_parts(item, seen)]
    if isinstance(value, MappingProxyType):
        return [p for item in value.values() for p in _mutable_parts(item, seen)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        assert type(value).__dataclass_params__.frozen, value
        return [p for f in dataclasses.fields(value)
                for p in _mutable_parts(getattr(value, f.name), seen)]
    return []


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.grade_prefix)
def test_module_data_cannot_be_mutated(lesson):
    import graders.checking

    for module in (importlib.import_module(lesson.module), graders.checking):
        for name, value in vars(module).items():
            if name.startswith("__") or isinstance(value, types.ModuleType):
                continue
            assert _mutable_parts(value, set()) == [], f"{module.__name__}.{name} is mutable"


def test_a_check_handing_out_our_functions_keeps_its_own():
    def vandal(f, x):
        f.__code__ = (lambda t: t.sum() * 0).__code__
        return answer(EXERCISES["l03_grad_of"].right, "grad_of")(f, x)

    with pytest.raises(CheckFailed):  # the copy was changed, not the function the oracle runs
        l03.check_grad_of(vandal)
    assert l03.FUNCTIONS[0][1](torch.ones(2)).item() == 2.0


# -- the general analyser -----------------------------------------------------------------

@pytest.mark.parametrize(("got", "expected", "mistake"), [
    ([2.0, 4.0, 6.0], [1.0, 2.0, 3.0], "a factor 2^1 off"),
    ([0.5, 1.0], [1.0, 2.0], "a factor 2^-1 off"),
    ([-1.0, 2.0], [1.0, -2.0], "the sign flipped"),
    ([3.0, 6.0], [1.0, 2.0], "a constant factor (3x)"),
    ([1.0, -2.0, 3.0], [1.0, 2.0, 3.0], "the sign wrong at some entries"),
    ([3.0, 1.0, 2.0], [1.0, 2.0, 3.0], "the right values at the wrong places"),
    ([[1.0, 3.0], [2.0, 4.0]], [[1.0, 2.0], [3.0, 4.0]], None),  # same shape: a permutation
    ([[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]], [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], "the transpose"),
    ([[1.0, 2.0], [1.0, 2.0]], [1.0, 2.0], "a shape that broadcasting produced"),
    ([1.0, 2.0, 3.0, 4.0], [[1.0, 2.0], [3.0, 4.0]], "the right numbers in the wrong shape"),
    (4.5, [4.5, 4.5], "a number where a tensor was expected"),
    ([4.5], 4.5, "a tensor where a number was expected"),
    ([0.0, 0.0], [1.0, 2.0], "all zeros"),
    ([float("nan"), 1.0], [1.0, 1.0], "a nan or inf in the answer"),
    ([None, 1.0], [1.0, 1.0], "None where a value was expected"),
    ([1.3, 0.2], [1.0, 2.0], None),  # nothing simple: no diagnosis rather than a wrong one
    (0.37, 1.0, None),  # one number off by an odd factor says nothing
])
def test_the_analyser_names_what_is_off(got, expected, mistake):
    found = analyse(got, expected)
    if mistake is None:
        assert found is None or found.mistake == "the right values at the wrong places"
    else:
        assert found is not None and found.mistake == mistake


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.floats(-100, 100).filter(lambda v: abs(v) > 0.01), min_size=2, max_size=6),
       st.sampled_from([-1.0, 0.5, 2.0, 4.0, 3.0]))
def test_the_analyser_finds_any_constant_factor(values, factor):
    found = analyse([factor * v for v in values], values)
    assert found is not None
    assert found.mistake in {"the sign flipped", "a factor 2^-1 off", "a factor 2^1 off",
                             "a factor 2^2 off", "a constant factor (3x)"}


def test_a_gradient_answer_that_requires_grad_is_named():
    x = torch.arange(4.0, requires_grad=True)
    with pytest.raises(CheckFailed) as failure:
        l03.check_d2l_grad(x * 3)
    assert failure.value.verdict.diagnosis.mistake == "a tensor that still requires grad"


# -- one name per lesson --------------------------------------------------------------------

@pytest.mark.parametrize("spelling", ["04_accumulation", "lesson04_accumulation", "l04",
                                      "l04_separate", "graders.lesson04_accumulation"])
def test_every_spelling_names_its_lesson(spelling):
    lesson = lesson_of(spelling)
    assert (lesson.number, lesson.slug, lesson.name, lesson.module, lesson.grade_prefix) == (
        4, "accumulation", "04_accumulation", "graders.lesson04_accumulation", "l04")


@pytest.mark.parametrize("wrong", ["l99", "04_accumulations", "lesson4", "", "accumulation"])
def test_an_unknown_lesson_is_a_clear_error(wrong):
    with pytest.raises(ValueError, match="no lesson is called"):
        lesson_of(wrong)


def test_every_grade_id_names_a_lesson():
    for grade_id, exercise in EXERCISES.items():
        assert lesson_of(grade_id).module == f"graders.{exercise.check.split('.')[0]}"


def test_attributes_are_plain_data():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    assert attributes(x * 2) == {"engine": "torch", "requires_grad": True, "is_leaf": False,
                                 "grad_fn": "MulBackward0", "dtype": "torch.float32", "grad": None}
    assert attributes(x)["grad"] == [2.0, 4.0] and attributes(x)["grad_fn"] is None


def test_a_fresh_leaf_is_not_an_abs_of_x():
    def fresh_leaf(x):
        return torch.tensor(abs(x.item()), requires_grad=True)

    with pytest.raises(CheckFailed) as failure:
        l07.check_my_abs(fresh_leaf)
    assert failure.value.verdict.diagnosis.mistake == "a Python number left the graph"


def test_counting_backwards_counts_every_pass():
    f, counter = counting_backwards(lambda t: t * t)
    x = torch.ones(3, requires_grad=True)
    y = f(x)
    y.backward(torch.ones(3), retain_graph=True)
    torch.autograd.grad(y, x, torch.ones(3))
    assert counter.count == 2


def test_vjp_hint_never_advises_reducing_first():
    def no_gradient(f, x, v):
        x = x.detach().requires_grad_()
        f(x).backward()
        return x.grad

    with pytest.raises(CheckFailed) as failure:
        l05.check_vjp(no_gradient)
    assert "y.backward(v)" in failure.value.verdict.diagnosis.hint
    assert "y.sum().backward()." not in failure.value.verdict.diagnosis.hint


ODD_ANSWERS = [None, "", {}, [], 0, [None], {"a": None}, lambda *a: None, lambda *a: 1 / 0,
               lambda *a: [None], lambda *a: {}, lambda *a: "x", torch.tensor([])]


@pytest.mark.parametrize("grade_id", IDS)
def test_odd_answers_get_feedback_never_a_crash(grade_id):
    check = check_of(EXERCISES[grade_id])
    for odd in ODD_ANSWERS:
        with pytest.raises(CheckFailed) as failure:
            check(odd)
        assert failure.value.verdict.message, odd


UPDATES = {"l06_sgd", "l08_fit"}  # the only exercises where no_grad is the fix


def test_no_grad_is_advised_only_where_it_is_right():
    cases = wrong_answers() + list(HELD_OUT)
    for grade_id, source in cases:
        exercise = EXERCISES[grade_id]
        with pytest.raises(CheckFailed) as failure:
            check_of(exercise)(answer(source, exercise.answer))
        diagnosis = failure.value.verdict.diagnosis
        if diagnosis is not None and grade_id not in UPDATES:
            assert "wrap" not in diagnosis.hint.lower(), (grade_id, diagnosis)
