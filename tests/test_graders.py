"""Every check passes the right answer and fails each catalogued wrong answer with its diagnosis.

Right and wrong answers are written here the way a student would write them (torch code), so
the checks are tested on what they will actually see.
"""

import contextlib
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
from graders.checking import CheckFailed


# -- answers as students write them --------------------------------------------------------
def make_parameter(values):
    return torch.tensor(values, dtype=torch.float32, requires_grad=True)


def make_parameter_int(values):
    return torch.tensor(values, requires_grad=True)


def make_parameter_nonleaf(values):
    return torch.tensor(values, dtype=torch.float32, requires_grad=True) * 1.0


def count_nodes(t):
    counts, seen, todo = {}, set(), [t.grad_fn]
    while todo:
        node = todo.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        counts[type(node).__name__] = counts.get(type(node).__name__, 0) + 1
        todo += [n for n, _ in node.next_functions]
    return counts


def count_nodes_per_path(t):
    counts, todo = {}, [t.grad_fn]
    while todo:
        node = todo.pop()
        if node is not None:
            counts[type(node).__name__] = counts.get(type(node).__name__, 0) + 1
            todo += [n for n, _ in node.next_functions]
    return counts


def count_nodes_crashes_on_none(t):
    counts, todo = {}, [t.grad_fn]
    while todo:
        node = todo.pop()
        counts[node.name()] = 1
        todo += [n for n, _ in node.next_functions]
    return counts


def grad_of(f, x):
    x = x.detach().clone().requires_grad_()
    f(x).backward()
    return x.grad


def grad_of_in_place(f, x):
    x.requires_grad_()
    f(x).backward()
    return x.grad


def separate_grads(w, losses):
    grads = []
    for loss in losses:
        w.grad = None
        loss(w).backward()
        grads.append(w.grad.clone())
    return grads


def separate_grads_no_zero(w, losses):
    grads = []
    for loss in losses:
        loss(w).backward()
        grads.append(w.grad.clone())
    return grads


def separate_grads_alias(w, losses):
    grads = []
    for loss in losses:
        if w.grad is not None:
            w.grad.zero_()
        loss(w).backward()
        grads.append(w.grad)
    return grads


def average_grad(w, batches, loss_fn):
    for batch in batches:
        loss_fn(w, batch).backward()
    return w.grad / len(batches)


def average_grad_zeroing(w, batches, loss_fn):
    for batch in batches:
        if w.grad is not None:
            w.grad.zero_()
        loss_fn(w, batch).backward()
    return w.grad


def average_grad_sum(w, batches, loss_fn):
    for batch in batches:
        loss_fn(w, batch).backward()
    return w.grad


def jacobian(f, x):
    x = x.detach().requires_grad_()
    y = f(x)
    rows = []
    for i in range(len(y)):
        x.grad = None
        y.backward(torch.eye(len(y))[i], retain_graph=True)
        rows.append(x.grad.clone())
    return torch.stack(rows)


def jacobian_transposed(f, x):
    return jacobian(f, x).T


def jacobian_accumulated(f, x):
    x = x.detach().requires_grad_()
    y = f(x)
    rows = []
    for i in range(len(y)):
        y.backward(torch.eye(len(y))[i], retain_graph=True)
        rows.append(x.grad.clone())
    return torch.stack(rows)


def vjp(f, x, v):
    x = x.detach().requires_grad_()
    f(x).backward(v)
    return x.grad


def vjp_ignoring_v(f, x, v):
    x = x.detach().requires_grad_()
    f(x).sum().backward()
    return x.grad


def vjp_no_vector(f, x, v):
    x = x.detach().requires_grad_()
    f(x).backward()
    return x.grad


def sgd_step(w, lr):
    with torch.no_grad():
        w -= lr * w.grad
    w.grad.zero_()


def sgd_step_recorded(w, lr):
    w -= lr * w.grad


def sgd_step_rebinding(w, lr):
    w = w - lr * w.grad
    return w


def sgd_step_no_zero(w, lr):
    with torch.no_grad():
        w -= lr * w.grad


def my_abs(x):
    return x if x > 0 else -x


def my_abs_python(x):
    return torch.tensor(abs(x.item()))


def mse(w, b, xs, ys):
    return ((w * xs + b - ys) ** 2).mean()


def mse_sum(w, b, xs, ys):
    return ((w * xs + b - ys) ** 2).sum()


def fit_line(xs, ys, steps, lr, zero=True, reduce="mean"):
    w = torch.zeros((), requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    for _ in range(steps):
        loss = getattr((w * xs + b - ys) ** 2, reduce)()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        if zero:
            w.grad.zero_()
            b.grad.zero_()
    return w, b


def scenario(s):
    return s(torch)


# (check, right answer, [(wrong answer, words the diagnosis must contain), ...])
CASES = [
    (l01.check_which_require_grad, [True, True, False, True, False],
     [((True, False, False, False, False), "stays on the tensors you marked"),
      ((True, True, False, False, False), "every input"),
      ((True,) * 5, "Not yet")]),
    (l01.check_is_leaf, (True, False, True, True),
     [((True, False, True, False), "every result of an op is a non-leaf"),
      ((True, False, False, False), "without requires_grad is not a leaf")]),
    (l01.check_weights, torch.zeros(2, 3, requires_grad=True),
     [(torch.zeros(2, 3), "does not require grad"),
      (torch.zeros(2, 3, requires_grad=True) * 1, "not a leaf"),
      (torch.zeros(2, 3, dtype=torch.float64, requires_grad=True), "float64"),
      (torch.ones(2, 3, requires_grad=True), "values"),
      (np.zeros((2, 3)), "Expected a torch tensor")]),
    (l01.check_make_parameter, make_parameter,
     [(make_parameter_int, "integers cannot require grad"),
      (make_parameter_nonleaf, "not a leaf"),
      ("make_parameter", "Expected a function")]),
    (l02.check_last_grad_fn, "MeanBackward0", [("MulBackward0", "first operation")]),
    (l02.check_next_names, ["MulBackward0", "torch::autograd::AccumulateGrad"],
     [(["AccumulateGrad", "MulBackward0"], "no particular order"),
      (["AccumulateGrad", "AccumulateGrad"], "lists the leaves")]),
    (l02.check_accumulator_count, 1, [(2, "one AccumulateGrad per use")]),
    (l02.check_graph_counts, count_nodes,
     [(count_nodes_per_path, "once per path"),
      (count_nodes_crashes_on_none, "missing gradient or node")]),
    (l03.check_blitz_grad, torch.full((2, 2), 4.5),
     [(torch.full((2, 2), 18.0), "1/4 was dropped"),
      (torch.full((2, 2), 27.0), "value instead of the gradient"),
      (torch.full((2, 2), 2.25), "differentiated as (x + 2)"),
      (4.5, "expected tensor of shape [2, 2]")]),
    (l03.check_d2l_grad, torch.tensor([0.0, 4.0, 8.0, 12.0]),
     [(torch.tensor([0.0, 2.0, 4.0, 6.0]), "factor 2"),
      (torch.tensor([0.0, 2.0, 8.0, 18.0]), "instead of its derivative")]),
    (l03.check_cube_grad, [3.0, 12.0],
     [([1.0, 8.0], "the values x^3"), ([3.0, 6.0], "without the square")]),
    (l03.check_grad_of, grad_of, [(grad_of_in_place, "in place")]),
    (l04.check_three_backwards, torch.full((4,), 3.0),
     [(torch.ones(4), "replaces .grad"), (torch.full((4,), 2.0), "at [0]: expected 3, got 2")]),
    (l04.check_seed_002, torch.full((2, 2), 7.5),
     [(torch.full((2, 2), 4.5), "clean .grad"), (torch.full((2, 2), 8.5), "zero_() was overlooked")]),
    (l04.check_separate_grads, separate_grads,
     [(separate_grads_no_zero, "no zero_() between"), (separate_grads_alias, "same .grad tensor")]),
    (l04.check_average_grad, average_grad,
     [(average_grad_zeroing, "zeroing inside the loop"), (average_grad_sum, "the sum, not the mean")]),
    (l05.check_square_ones, torch.tensor([2.0, 4.0, 6.0]),
     [(torch.tensor([1.0, 4.0, 9.0]), "values of y"), (torch.ones(3), "the vector v itself")]),
    (l05.check_doubling, scenario(l05._doubling),
     [(scenario(lambda T: l05._doubling(T, shift=-1)), "one doubling too few"),
      (scenario(lambda T: l05._doubling(T, use_v=False)), "v was left out")]),
    (l05.check_jacobian, jacobian,
     [(jacobian_transposed, "transposed"), (jacobian_accumulated, "rows accumulated")]),
    (l05.check_vjp, vjp,
     [(vjp_ignoring_v, "v was ignored"), (vjp_no_vector, "non-scalar without a gradient")]),
    (l06.check_flags, [True, True, False, False, True],
     [([True, True, False, False, False], "switches x off"),
      ([True, True, False, True, True], "detach() keeps")]),
    (l06.check_detach_grad, torch.tensor([0.0, 1.0, 4.0, 9.0]),
     [(torch.tensor([0.0, 3.0, 12.0, 27.0]), "flows through detach")]),
    (l06.check_shared_memory, 100.0, [(1.0, "detach() copies")]),
    (l06.check_sgd_step, sgd_step,
     [(sgd_step_recorded, "in-place update of a leaf"), (sgd_step_rebinding, "rebinds the local"),
      (sgd_step_no_zero, "missing zero_()")]),
    (l07.check_grad_positive, scenario(lambda T: l07._grad_at(T, 0.3)),
     [(0.0, "not differentiated"), (scenario(lambda T: l07._grad_at(T, 0.3, False)), "other branch")]),
    (l07.check_grad_negative, scenario(lambda T: l07._grad_at(T, -0.3)),
     [(scenario(lambda T: l07._grad_at(T, -0.3, False)), "factor 100")]),
    (l07.check_what_is_recorded, "B", [("A", "both branches"), ("c", "condition is differentiated")]),
    (l07.check_my_abs, my_abs, [(my_abs_python, "left the graph")]),
    (l08.check_mse, mse, [(mse_sum, "the sum, not the mean")]),
    (l08.check_first_step, scenario(l08._first_step),
     [(scenario(lambda T: l08._first_step(T, sign=-1.0)), "step up the gradient")]),
    (l08.check_fit_line, fit_line,
     [(lambda *a: fit_line(*a, zero=False), "no zero_()"),
      (lambda *a: fit_line(*a, reduce="sum"), "the sum, not the mean")]),
    (l08.check_rebinding, "A", [("B", "the new gradient"), ("C", "zeros")]),
]
FUNCTION_CHECKS = {l01.check_make_parameter, l02.check_graph_counts, l03.check_grad_of,
                   l04.check_separate_grads, l04.check_average_grad, l05.check_jacobian,
                   l05.check_vjp, l06.check_sgd_step, l07.check_my_abs, l08.check_mse,
                   l08.check_fit_line}
IDS = [case[0].__name__ for case in CASES]


@contextlib.contextmanager
def stderr_watch():
    buffer = io.StringIO()
    saved, sys.stderr = sys.stderr, buffer
    try:
        yield buffer
    finally:
        sys.stderr = saved


def test_every_check_has_a_case():
    names = {case[0].__name__ for case in CASES}
    for module in (l01, l02, l03, l04, l05, l06, l07, l08):
        checks = {n for n, f in vars(module).items() if hasattr(f, "__wrapped__")}
        assert len(checks) >= 4 and checks <= names, f"{module.__name__}: untested {checks - names}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_right_answer_passes(case, capsys):
    check, right, _ = case
    with stderr_watch() as err:
        check(right)
        if check in FUNCTION_CHECKS:
            check(right, hidden=True)
    assert err.getvalue() == ""
    assert capsys.readouterr().out.startswith("✓")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_each_wrong_answer_gets_its_diagnosis(case):
    check, _, wrongs = case
    for wrong, diagnosis in wrongs:
        with stderr_watch() as err, pytest.raises(CheckFailed) as failure:
            check(wrong)
        assert diagnosis in str(failure.value), str(failure.value)
        assert err.getvalue() == ""


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


@pytest.mark.parametrize("cheat", [AlwaysEqual([1.0, 2.0]), Impostor(), object(), "12"])
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
