"""Every check passes the right answer and fails each catalogued wrong answer with its diagnosis,
and no check hands out the answer it checks.

Right and wrong answers are written here the way a student would write them (torch code), so
the checks are tested on what they will actually see.
"""

import contextlib
import io
import re
import sys

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import graders.evidence as evidence
import graders.lesson02_graph as l02
import graders.lesson03_backward as l03
import graders.lesson04_accumulation as l04
import graders.lesson05_vector_jacobian as l05
import graders.lesson07_control_flow as l07
from graders.answer_key import Predict, entry
from graders.answer_key.catalogue import (
    EXERCISES,
    check_of,
    feedback_figures,
    run_cell,
    verdict_on,
    wrong_answers,
)
from graders.answer_key.judging import OraclesDisagree, analyse, close, oracle
from graders.checks import CHECKS, CheckFailed
from graders.evidence import counting_backwards, facts
from graders.lessons import LESSONS, lesson_of
from graders.verdict import RIGHT, WRONG, Diagnosis, Verdict, render

from .held_out_answers import FAMILIES, HELD_OUT, HELD_OUT_RIGHT

IDS = list(EXERCISES)


def answer(source, grade_id):
    return run_cell(source, check_of(grade_id).answer)


@contextlib.contextmanager
def stderr_watch():
    buffer = io.StringIO()
    saved, sys.stderr = sys.stderr, buffer
    try:
        yield buffer
    finally:
        sys.stderr = saved


MULTIPLE_CHOICE = {"l08_rebinding"}  # three options: two wrong answers at most


def predicts():
    return [gid for gid in IDS if isinstance(entry(check_of(gid)), Predict)]


def test_every_check_is_in_the_catalogue():
    for lesson in LESSONS:
        __import__(lesson.module)
    declared = {check.grade_id for check in CHECKS.values()}
    assert declared == set(EXERCISES), declared ^ set(EXERCISES)
    for grade_id, exercise in EXERCISES.items():
        assert len(exercise.mistakes) >= (2 if grade_id in MULTIPLE_CHOICE else 3), grade_id
        assert exercise.alternatives, f"{grade_id}: no right answer written another way"
        assert exercise.right not in exercise.alternatives


@pytest.mark.parametrize("grade_id", IDS)
def test_right_answers_pass_however_written(grade_id, capsys):
    exercise, check = EXERCISES[grade_id], check_of(grade_id)
    for source in (exercise.right, *exercise.alternatives):
        with stderr_watch() as err:
            check(answer(source, grade_id))
            if check.takes_function:
                check(answer(source, grade_id), hidden=True)
        assert err.getvalue() == "", source
    out = capsys.readouterr().out
    assert out.count("✓") == (1 + len(exercise.alternatives)) * (1 + check.takes_function)


@pytest.mark.parametrize("grade_id", IDS)
def test_each_wrong_answer_gets_its_diagnosis(grade_id):
    """On the visible check: what hidden tests would catch, the student learns in the notebook."""
    exercise, check = EXERCISES[grade_id], check_of(grade_id)
    for diagnosis, source in exercise.mistakes.items():
        with stderr_watch() as err, pytest.raises(CheckFailed) as failure:
            check(answer(source, grade_id))
        verdict = failure.value.verdict
        assert verdict.diagnosis is not None and verdict.diagnosis.mistake == diagnosis, \
            str(failure.value)
        assert verdict.check == check.name and verdict.outcome == WRONG
        assert err.getvalue() == ""


def test_hidden_tests_add_inputs_not_rules():
    """A wrong answer fails the hidden tests with the diagnosis the visible check gave."""
    for grade_id, exercise in EXERCISES.items():
        check = check_of(grade_id)
        if not check.takes_function:
            continue
        for diagnosis, source in exercise.mistakes.items():
            with pytest.raises(CheckFailed) as failure:
                check(answer(source, grade_id), hidden=True)
            assert failure.value.verdict.diagnosis.mistake == diagnosis, (grade_id, diagnosis)


# -- an answer is earned: a predict check never hands out what it checks -------------------

EXPECTED = re.compile(r"expected\s+(tensor|\[|-?\d|'|\")")  # an expected value shown
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e-?\d+)?")


def _numbers(text):
    return {float(n) for n in NUMBER.findall(text)}


def _answer_parts(values):
    """Every number and text of an expected answer."""
    if isinstance(values, list):
        return {p for v in values for p in _answer_parts(v)}
    if isinstance(values, dict):
        return set(values) | {p for v in values.values() for p in _answer_parts(v)}
    return {values}


def _prompt(grade_id):
    """The exercise's own text in the lesson: what it already says is no give-away."""
    import nbformat

    lesson = lesson_of(grade_id)
    nb = nbformat.read(f"solutions/{lesson.name}/{lesson.name}.ipynb", as_version=4)
    index = next(i for i, c in enumerate(nb.cells)
                 if c.metadata.get("nbgrader", {}).get("grade_id") == f"{grade_id}_answer")
    return nb.cells[index - 1].source


@pytest.mark.parametrize("grade_id", predicts())
def test_a_wrong_predict_answer_is_never_told_the_answer(grade_id):
    """No number of the answer that the prompt does not state, no name of it, no part of it
    marked right, whatever the wrong answer: catalogued, held out, or anything at all."""
    check = check_of(grade_id)
    expected = oracle(entry(check).scenario)
    parts = _answer_parts(expected)
    prompt = _prompt(grade_id)
    stated = _numbers(prompt) | {0.0, 1.0}
    wrong = list(EXERCISES[grade_id].mistakes.values()) + \
        [source for gid, source in HELD_OUT if gid == grade_id]
    for source in wrong:
        verdict = verdict_on(grade_id, source)
        text = "\n".join(render(verdict))
        numbers = {p for p in parts if type(p) in (int, float)}
        leaked = {n for n in _numbers(text) if any(abs(n - p) < 1e-6 for p in numbers)} - stated
        assert not leaked, (source, leaked, text)
        names = {p for p in parts if isinstance(p, str) and p not in prompt}
        assert not any(name in text for name in names), (source, text)
        assert not EXPECTED.search(text), text


def _same_numbers(got, expected):
    try:
        return np.allclose(got.numpy(), np.asarray(expected, dtype=float))
    except (TypeError, ValueError):  # names or None in the answer: numbers are never it
        return False


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.data())
def test_any_wrong_value_gets_no_answer_back(data):
    """Random wrong values of the answer's shape: the verdict says nothing of the answer."""
    grade_id = data.draw(st.sampled_from([g for g in predicts() if g not in MULTIPLE_CHOICE]))
    check = check_of(grade_id)
    expected = oracle(entry(check).scenario)
    try:
        shape = np.shape(expected)
    except ValueError:  # a ragged answer (a list of shapes): no array of its shape to draw
        return
    if isinstance(expected, str) or (isinstance(expected, list) and not shape):
        return
    values = data.draw(st.lists(st.floats(-50, 50, allow_nan=False), min_size=int(np.prod(shape)),
                                max_size=int(np.prod(shape))))
    got = torch.tensor(values, dtype=torch.float32).reshape(shape)
    assume(not _same_numbers(got, expected))  # a draw can be the answer itself (0.0 is drawn often)
    with pytest.raises(CheckFailed) as failure:
        check(got)
    text = str(failure.value)
    assert not EXPECTED.search(text), text
    numbers = [p for p in _answer_parts(expected) if type(p) is float]
    leaked = {n for n in _numbers(text) if any(abs(n - p) < 1e-6 for p in numbers)}
    assert leaked <= _numbers(_prompt(grade_id)) | {0.0, 1.0}, text


@pytest.mark.parametrize("grade_id", predicts())
def test_every_mistake_gives_its_own_answer(grade_id):
    """A mistake is named only when it explains this answer: no two catalogued mistakes of an
    exercise, and none with the right answer, give the same value."""
    from graders.answer_key.judging import close

    key = entry(check_of(grade_id))
    values = [oracle(key.scenario)] + [oracle(m.scenario) for m in key.mistakes]
    for i, a in enumerate(values):
        for b in values[i + 1:]:
            assert not close(a, b), (grade_id, a, b)


def test_reveal_shows_the_answer_and_marks_the_exercise(capsys):
    check = l04.check_three_backwards
    try:
        check.reveal()
        shown = capsys.readouterr().out
        assert "tensor([6., 6., 6., 6.])" in shown and "scores 0" in shown
        with pytest.raises(CheckFailed) as failure:
            check(torch.full((4,), 6.0))
        assert failure.value.verdict.outcome == "revealed"
    finally:
        from graders import checks

        checks._REVEALED.discard(check.name)


def test_a_function_exercise_reveals_the_model_answer(capsys):
    check = l04.check_separate_grads
    try:
        check.reveal()
        assert "def separate_grads" in capsys.readouterr().out
    finally:
        from graders import checks

        checks._REVEALED.discard(check.name)


# -- reading answers --------------------------------------------------------------------

@pytest.mark.parametrize("wrong", [np.zeros((2, 3)), "w"], ids=["numpy", "str"])
def test_wrong_types_are_refused(wrong):
    with pytest.raises(CheckFailed, match="not a tensor"):
        check_of("l01_weights")(wrong)
    with pytest.raises(CheckFailed, match="expected a function"):
        check_of("l01_make_parameter")(wrong)


def test_a_parameter_is_a_tensor():
    check_of("l01_weights")(torch.nn.Parameter(torch.full((2, 3), 0.01)))
    l03.check_d2l_grad(torch.nn.Parameter(torch.tensor([0.0, 4.0, 8.0, 12.0])))


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


def test_monkeypatching_torch_changes_nothing(monkeypatch):
    monkeypatch.setattr(torch, "allclose", lambda *a, **k: True)
    monkeypatch.setattr(torch, "equal", lambda *a, **k: True)
    monkeypatch.setattr(torch.Tensor, "tolist", lambda self: [0.0, 4.0, 8.0, 12.0])
    monkeypatch.setattr(torch.Tensor, "__eq__", lambda self, other: True)
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    with pytest.raises(CheckFailed):
        l03.check_d2l_grad(torch.ones(4))


def test_a_warning_in_student_code_never_reaches_stderr():
    grad_of = answer(EXERCISES["l03_grad_of"].right, "l03_grad_of")

    def noisy_grad_of(f, x):
        import warnings

        warnings.warn("student warning", UserWarning, stacklevel=1)
        y = x.detach().requires_grad_() * 1
        y.grad  # non-leaf .grad warns in torch  # noqa: B018
        return grad_of(f, x)

    with stderr_watch() as err:
        l03.check_grad_of(noisy_grad_of)
    assert err.getvalue() == ""


def test_the_oracles_disagreeing_blames_the_course():
    with pytest.raises(OraclesDisagree, match="bug in the course"):
        oracle(lambda T: 1.0 if T is torch else 2.0)


def test_the_text_is_rendered_from_the_verdict():
    diagnosis = Diagnosis("the sign flipped", "Subtract, *do not* add.")
    failure = CheckFailed(Verdict("check_x", "Exercise 2", WRONG, "w after one step.", diagnosis))
    assert str(failure) == ("✗ Exercise 2: not yet — w after one step.\n\nThis looks like: the "
                            "sign flipped.\nSubtract, do not add.\n\nStuck? `check_x.reveal()` "
                            "shows the answer and why; the exercise then scores 0 when graded.")
    long = CheckFailed(Verdict("check_x", "Exercise 2", WRONG, "word " * 60))
    assert max(len(line) for line in str(long).splitlines()) <= 100
    assert "\x1b[1mdo not\x1b[0m" in "\n".join(failure._render_traceback_())
    assert render(Verdict("check_x", "Exercise 2", RIGHT, "w moved."))[0] == \
        "✓ Exercise 2: right — w moved."


def test_a_function_that_never_returns_is_stopped():
    def forever(w, losses):
        while True:
            pass

    with pytest.raises(CheckFailed) as failure:
        l04.check_separate_grads(forever)
    text = str(failure.value)
    assert "did not return within" in text and "while True" in text
    assert "graders/" not in text


def test_an_import_under_way_is_not_the_students_time(tmp_path, monkeypatch):
    """torch.func's first call imports torch._dynamo, seconds of work on a loaded machine: a
    right answer that uses it is not stopped for that (the time limit leaves imports out)."""
    (tmp_path / "slow_to_import.py").write_text("import time\ntime.sleep(1.0)\nVALUE = 3\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "slow_to_import", raising=False)

    def uses_a_module(x):
        import slow_to_import
        return x * slow_to_import.VALUE

    assert evidence.call(uses_a_module, 2.0, seconds=0.3).data["returned"]["value"] == 6.0


def test_an_import_that_never_ends_is_stopped(tmp_path, monkeypatch):
    (tmp_path / "never_imported.py").write_text("while True:\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "never_imported", raising=False)
    monkeypatch.setattr(evidence, "IMPORT_GRACE", 0.5)

    def imports_forever():
        import never_imported  # noqa: F401

    assert "timed_out" in evidence.call(imports_forever, seconds=0.3).data


def test_an_unwritten_function_is_not_answered_yet():
    def stub(w, losses):
        raise NotImplementedError()

    with pytest.raises(CheckFailed) as failure:
        l04.check_separate_grads(stub)
    assert failure.value.verdict.outcome == "not answered"
    assert str(failure.value).startswith("✗ Exercise 3: not answered yet — write the body of "
                                         "`separate_grads`")


# -- the held-out answers and the catalogue as a whole ------------------------------------

def test_held_out_wrong_answers_are_refused_and_mostly_named(capsys):
    figures = feedback_figures(HELD_OUT)
    with capsys.disabled():
        print("\nheld-out wrong answers:", {k: dict(v) for k, v in figures.items()})
    assert figures["all"]["accepted"] == 0
    assert figures["all"]["named"] >= 0.9 * sum(figures["all"].values())


@pytest.mark.parametrize("grade_id, source, mistake", FAMILIES,
                         ids=[f"{gid}-{mistake}" for gid, _, mistake in FAMILIES])
def test_each_family_of_issue_20_is_named_by_its_cause(grade_id, source, mistake):
    verdict = verdict_on(grade_id, source)
    assert verdict is not None and verdict.diagnosis is not None, (grade_id, source)
    assert verdict.diagnosis.mistake == mistake


@pytest.mark.parametrize("grade_id, source", HELD_OUT_RIGHT,
                         ids=[gid for gid, _ in HELD_OUT_RIGHT])
def test_held_out_right_answers_pass(grade_id, source):
    assert verdict_on(grade_id, source) is None


def test_no_catalogued_wrong_answer_is_accepted():
    figures = feedback_figures(wrong_answers())["all"]
    assert figures["accepted"] == 0 and figures["generic"] == 0, figures


# -- specific defects, each as a test -------------------------------------------------------

def test_count_nodes_wants_class_names_not_name():
    right = answer(EXERCISES["l02_count_nodes"].right, "l02_count_nodes")

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
        return answer(EXERCISES["l04_separate"].right, "l04_separate")(w, losses)

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


def test_a_vjp_that_changes_the_callers_x_is_caught():
    def in_place(f, x, v):
        x.requires_grad_()
        f(x).backward(v)
        return x.grad

    with pytest.raises(CheckFailed) as failure:
        l05.check_vjp(in_place)
    assert failure.value.verdict.diagnosis.mistake == "differentiating the caller's tensor in place"


def test_my_abs_hint_never_advises_no_grad():
    with pytest.raises(CheckFailed) as failure:
        l07.check_my_abs(answer(EXERCISES["l07_my_abs"].mistakes["x negated in place"],
                                "l07_my_abs"))
    assert "no_grad" not in failure.value.verdict.diagnosis.hint


def test_grad_of_blames_the_leftover_grad_not_the_flag():
    source = EXERCISES["l03_grad_of"].mistakes["a gradient left in the caller's x.grad"]
    with pytest.raises(CheckFailed) as failure:
        l03.check_grad_of(answer(source, "l03_grad_of"))
    assert "x.grad" in failure.value.verdict.message
    assert "requires grad" not in failure.value.verdict.message


def test_a_check_handing_out_our_functions_keeps_its_own():
    def vandal(f, x):
        f.__code__ = (lambda t: t.sum() * 0).__code__
        return answer(EXERCISES["l03_grad_of"].right, "l03_grad_of")(f, x)

    with pytest.raises(CheckFailed):  # the copy was changed, not the function itself
        l03.check_grad_of(vandal)
    assert l03.FUNCTIONS[0][1](torch.ones(2)).item() == 2.0


def test_a_fresh_leaf_is_not_an_abs_of_x():
    def fresh_leaf(x):
        return torch.tensor(abs(x.item()), requires_grad=True)

    with pytest.raises(CheckFailed) as failure:
        l07.check_my_abs(fresh_leaf)
    assert failure.value.verdict.diagnosis.mistake == "a Python number left the graph"


def test_vjp_hint_never_advises_reducing_first():
    def no_gradient(f, x, v):
        x = x.detach().requires_grad_()
        f(x).backward()
        return x.grad

    with pytest.raises(CheckFailed) as failure:
        l05.check_vjp(no_gradient)
    assert "y.backward(v)" in failure.value.verdict.diagnosis.hint
    assert "y.sum().backward()." not in failure.value.verdict.diagnosis.hint


def test_a_float32_central_difference_is_caught():
    def in_float32(f, x, h):
        x = x.float()
        grads = []
        for i in range(len(x)):
            e = torch.zeros_like(x)
            e[i] = h
            grads.append((f(x + e) - f(x - e)) / (2 * h))
        return torch.stack(grads)

    with pytest.raises(CheckFailed) as failure:
        check_of("l10_central")(in_float32)
    assert failure.value.verdict.diagnosis.mistake == "differences computed in float32"


def test_a_hard_coded_step_is_not_called_autograd():
    def own_step(f, x, h):
        return torch.stack([(f(x + e) - f(x - e)) / 2e-6
                            for e in torch.eye(len(x), dtype=x.dtype) * 1e-6])

    with pytest.raises(CheckFailed) as failure:
        check_of("l10_central")(own_step)
    assert failure.value.verdict.diagnosis.mistake == "a step other than the h given"


def test_empty_memory_is_not_a_right_answer():
    with pytest.raises(CheckFailed):
        check_of("l01_weights")(torch.empty(2, 3).fill_(0.0).requires_grad_())


ODD_ANSWERS = [None, "", {}, [], 0, [None], {"a": None}, lambda *a: None, lambda *a: 1 / 0,
               lambda *a: [None], lambda *a: {}, lambda *a: "x", torch.tensor([]),
               torch.zeros(10**6), [[[[[[[[[[[[[[1.0]]]]]]]]]]]]]]]


@pytest.mark.parametrize("grade_id", IDS)
def test_odd_answers_get_feedback_never_a_crash(grade_id):
    check = check_of(grade_id)
    key = entry(check)
    for odd in ODD_ANSWERS:
        if isinstance(key, Predict) and not callable(odd) and close(odd, oracle(key.scenario)):
            continue  # an answer that is 0 is right when it is 0
        with pytest.raises(CheckFailed) as failure:
            check(odd)
        assert failure.value.verdict.message, odd


UPDATES = {"l06_sgd", "l08_fit"}  # the only exercises where no_grad is the fix


def test_no_grad_is_advised_only_where_it_is_right():
    for grade_id, source in wrong_answers() + list(HELD_OUT):
        verdict = verdict_on(grade_id, source)
        assert verdict is not None, (grade_id, source)
        if verdict.diagnosis is not None and grade_id not in UPDATES:
            assert "wrap" not in verdict.diagnosis.hint.lower(), (grade_id, verdict.diagnosis)


# -- the general analyser -----------------------------------------------------------------

@pytest.mark.parametrize(("got", "expected", "mistake"), [
    ([2.0, 4.0, 6.0], [1.0, 2.0, 3.0], "a constant factor (2x)"),
    ([0.5, 1.0], [1.0, 2.0], "a constant factor (0.5x)"),
    ([-1.0, 2.0], [1.0, -2.0], "the sign flipped"),
    ([3.0, 6.0], [1.0, 2.0], "a constant factor (3x)"),
    ([1.0, -2.0, 3.0], [1.0, 2.0, 3.0], "the sign wrong at some entries"),
    ([[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]], [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], "the transpose"),
    ([[1.0, 2.0], [1.0, 2.0]], [1.0, 2.0], "a shape that broadcasting produced"),
    (4.5, [4.5, 4.5], "a number where a tensor was expected"),
    ([4.5], 4.5, "a tensor where a number was expected"),
    ([0.0, 0.0], [1.0, 2.0], "all zeros"),
    ([float("nan"), 1.0], [1.0, 1.0], "a nan or inf in the answer"),
    ([None, 1.0], [1.0, 1.0], "None where a value was expected"),
    ([1.3, 0.2], [1.0, 2.0], None),  # nothing simple: no diagnosis rather than a wrong one
    (0.37, 1.0, None),  # one number off by an odd factor says nothing
])
def test_the_analyser_names_what_is_off(got, expected, mistake):
    found = analyse(got, expected, detail=True)
    assert (found and found.mistake) == mistake


def test_the_analyser_gives_no_factor_away_on_a_predict():
    found = analyse([2.0, 4.0, 6.0], [1.0, 2.0, 3.0])
    assert found.mistake == "a constant factor off" and "2" not in found.hint


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.floats(-100, 100).filter(lambda v: abs(v) > 0.01), min_size=2, max_size=6),
       st.sampled_from([-1.0, 0.5, 2.0, 4.0, 3.0]))
def test_the_analyser_finds_any_constant_factor(values, factor):
    found = analyse([factor * v for v in values], values)
    assert found is not None
    assert found.mistake in {"the sign flipped", "a constant factor off"}


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


def test_every_check_names_its_lesson_and_exercise():
    for check in CHECKS.values():
        assert lesson_of(check.grade_id).module == check.collect.__module__ or \
            not check.takes_function
        assert re.fullmatch(r"Exercise \d+", check.title)


def test_facts_are_plain_data():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    assert facts(x * 2) == {"engine": "torch", "type": "Tensor", "dtype": "torch.float32",
                            "shape": [2], "requires_grad": True, "is_leaf": False,
                            "grad_fn": "MulBackward0", "grad": None}
    assert facts(x)["grad"] == [2.0, 4.0] and facts(x)["grad_fn"] is None


def test_counting_backwards_counts_every_pass():
    f, counter = counting_backwards(lambda t: t * t)
    x = torch.ones(3, requires_grad=True)
    y = f(x)
    y.backward(torch.ones(3), retain_graph=True)
    torch.autograd.grad(y, x, torch.ones(3))
    assert counter.count == 2
