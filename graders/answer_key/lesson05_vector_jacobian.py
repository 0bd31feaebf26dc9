"""Lesson 05's answers: backward(v) computes v^T J; Jacobians row by row; broadcasting."""

from graders.lesson05_vector_jacobian import jacobian_cases, vjp_cases
from graders.verdict import Diagnosis

from . import Build, Predict
from .judging import Mistake, close, expect, fail, leaf, observed, oracle, returned, runs


def _square_ones(T):
    x = T.tensor([1.0, -2.0, 0.5], requires_grad=True)
    y = x * x * 3
    y.backward(T.ones(3))
    return x.grad


ONES = Predict(
    "x.grad for y = 3 x * x with gradient ones", _square_ones,
    "ones^T J = 6x: J is diagonal with 6x on it, and the same as y.sum().backward().", (
        Mistake("the values of y", "backward(v) fills x.grad with v^T J: the derivatives of y, "
                "weighted by v, not y's values.", lambda T: T.tensor([3.0, 12.0, 0.75])),
        Mistake("the vector v itself", "v only weights the rows of the Jacobian; the "
                "derivatives of y still multiply in.", lambda T: T.ones(3)),
        Mistake("d(x * x)/dx taken as x", "Both factors of x * x depend on x: use the product "
                "rule.", lambda T: T.tensor([3.0, -6.0, 1.5]))))


V = (1.0, 0.5, 2.0)


def _doubling(T, shift=0, use_v=True):
    x = T.tensor([3.0, 4.0, 0.0], requires_grad=True)
    y = x * 2
    while y.norm() < 1000:
        y = y * 2
    v = T.tensor(V) if use_v else T.ones(3)
    (y * 2**shift).backward(v)
    return x.grad


DOUBLING = Predict(
    "x.grad after the doubling loop", _doubling,
    "5 * 2^8 > 1000 > 5 * 2^7: eight doublings, and each doubles the gradient too: 2^8 v.", (
        Mistake("one doubling too few", "y = x * 2 already doubles once before the loop: count "
                "it too.", lambda T: _doubling(T, shift=-1)),
        Mistake("one doubling too many", "The loop stops as soon as the norm reaches 1000: the "
                "last y already passed it, so there is no further doubling.",
                lambda T: _doubling(T, shift=1)),
        Mistake("v was left out", "backward(v) weights each output by its entry of v.",
                lambda T: _doubling(T, use_v=False))))


def _jacobian(T, f, values, transpose=False, accumulate=False, alias=False):
    x = leaf(T, values)
    y = f(x)
    rows = []
    for i in range(y.shape[0]):
        if x.grad is not None and not accumulate:
            x.grad.zero_()
        y.backward(T.eye(y.shape[0])[i], retain_graph=True)
        rows.append(x.grad if alias else x.grad.clone())
    J = T.stack(rows)
    return J.t() if transpose else J


JACOBIAN_MISTAKES = (
    Mistake("the Jacobian transposed", "Row i of J holds the derivatives of output y_i: "
            "J[i, j] = dy_i/dx_j. backward(e_i) gives row i.",
            lambda T, f, v: _jacobian(T, f, v, transpose=True)),
    Mistake("rows accumulated", "Each backward adds into x.grad: zero it (or use a fresh "
            "leaf) before computing the next row.",
            lambda T, f, v: _jacobian(T, f, v, accumulate=True)),
    Mistake("the same .grad tensor appended every time", "x.grad is one tensor, changed in "
            "place by zero_() and backward(), so every row ends up the same: append "
            "x.grad.clone().", lambda T, f, v: _jacobian(T, f, v, alias=True)),
)
_NON_SCALAR = "grad can be implicitly created only for scalar outputs"
_ROW_ERRORS = ((_NON_SCALAR, Diagnosis(
    "backward() on a non-scalar without a gradient", "Row i of J is what backward(e_i) gives, "
    "with e_i the i-th basis vector: y.backward(torch.eye(m)[i], retain_graph=True).")),)
_CALLERS_X = Diagnosis(
    "differentiating the caller's tensor in place",
    "Work on a fresh leaf, x = x.detach().clone().requires_grad_(): the caller's x, its "
    "requires_grad and its .grad stay as they were, and a second call gives the same answer.")


def callers_x_untouched(run, values, name):
    """Wrong if the function changed the x it was given, or answered a second call otherwise."""
    x, facts = observed(run.get("x_after"))
    if facts is None or facts["requires_grad"] or facts["grad"] is not None \
            or not close(x, values.tolist()):
        fail(f"{name} changed the x it was given (its requires_grad, .grad or values).",
             _CALLERS_X)


def _judge_jacobian(collected, hidden):
    cases = jacobian_cases(hidden)
    for (values, (label, f, _)), run in zip(cases, runs(collected, len(cases))):
        what = f"jacobian({label}, x)"
        got, _ = returned(run.get("call"), what, _ROW_ERRORS)
        expect(got, oracle(_jacobian, f, values), what, [("x", values.tolist())],
               JACOBIAN_MISTAKES, args=(f, values), hidden=hidden)
        callers_x_untouched(run, values, "jacobian")
        again, _ = returned(run.get("again"), what, _ROW_ERRORS)
        if not close(again, got):
            fail(f"calling {what} twice with the same x gave a different answer.", _CALLERS_X)


def _vjp(T, f, values, v, ignore_v=False, transpose=False, v_after=False):
    x = leaf(T, values)
    y = f(x)
    if transpose:  # J v instead of v^T J (square J only)
        return _jacobian(T, f, values) @ T.tensor(v)
    y.backward(T.ones(len(v)) if ignore_v or v_after else T.tensor(v))
    return x.grad * T.tensor(v) if v_after else x.grad


VJP_MISTAKES = (
    Mistake("v was ignored", "Pass v as backward's gradient: y.backward(v). "
            "y.sum().backward() is the product with a vector of ones.",
            lambda T, f, x, v: _vjp(T, f, x, v, ignore_v=True)),
    Mistake("J v instead of v^T J", "backward(v) weights the *outputs*: it gives "
            "sum_i v_i dy_i/dx_j, a row vector times J.",
            lambda T, f, x, v: _vjp(T, f, x, v, transpose=True)),
    Mistake("v multiplied in after the backward", "backward(ones) gives the column sums of J; "
            "multiplying them by v afterwards weights the inputs, not the outputs. Pass v to "
            "backward: y.backward(v).", lambda T, f, x, v: _vjp(T, f, x, v, v_after=True)),
)
_MANY_BACKWARDS = Diagnosis(
    "the Jacobian built row by row", "The exercise asks for one backward pass: y.backward(v) "
    "computes v^T J directly, without the m passes (one per row) that building J takes.")
_NO_BACKWARD = Diagnosis(
    "no backward through f", "Compute y = f(x) from a leaf that requires grad and call "
    "y.backward(v): the exercise is about what backward computes.")
_VJP_ERRORS = ((_NON_SCALAR, Diagnosis(
    "backward() on a non-scalar without a gradient", "Pass v as the gradient: y.backward(v). "
    "(Reducing first with y.sum() would weight every output by 1, not by v.)")),)


def _judge_vjp(collected, hidden):
    cases = vjp_cases(hidden)
    for (values, v, (label, f, n)), run in zip(cases, runs(collected, len(cases))):
        what = f"vjp({label}, x, v)"
        got, _ = returned(run.get("call"), what, _VJP_ERRORS)
        mistakes = VJP_MISTAKES if len(v) == n else VJP_MISTAKES[:1]  # the others need a square J
        expect(got, oracle(_vjp, f, values, v), what, [("x", values.tolist()),
                                                        ("v", v.tolist())],
               mistakes, args=(f, values, v), hidden=hidden)
        count = run.get("backwards")
        if count != 1:
            fail(f"{what} is right, but took {count} backward passes through f's output, not "
                 "one.", _MANY_BACKWARDS if count else _NO_BACKWARD)
        callers_x_untouched(run, values, "vjp")
        again, _ = returned(run.get("again"), what, _VJP_ERRORS)
        if not close(again, got):
            fail(f"calling {what} twice with the same x gave a different answer.", _CALLERS_X)


def _broadcast_grad(T, column=True, second_use=4, squeeze=False):
    w = T.tensor([[1.0], [2.0], [3.0]], requires_grad=True)
    X = T.arange(12.0).reshape(3, 4)
    (X * w + w).sum().backward()
    grad = w.grad if second_use == 4 else w.grad - (4 - second_use)
    return grad.reshape(3) if squeeze else grad


BROADCAST = Predict(
    "w.grad for (X * w + w).sum() with the column w broadcast over X's columns",
    _broadcast_grad,
    "each w_i was copied across its row of four, twice (in X * w and in + w): w.grad holds "
    "each row's sum of X plus 4, in w's own (3, 1) shape.", (
        Mistake("the gradient has the output's shape", ".grad always has the leaf's shape: "
                "where broadcasting copied w, the gradients of the copies add up.",
                lambda T: T.arange(12.0).reshape(3, 4) + 1),
        Mistake("summed over the wrong axis", "Find the dimension of X along which w was "
                "copied: w has one entry per row, so its copies lie along each row.",
                lambda T: T.arange(12.0).reshape(3, 4).sum(0) + 3),
        Mistake("the gradient taken as w itself", "w's own values do not appear in the "
                "derivative of (X * w + w).sum() with respect to w.",
                lambda T: T.tensor([[1.0], [2.0], [3.0]])),
        Mistake("the broadcast column squeezed away", "w has shape (3, 1), and its .grad has "
                "that shape too: the sum over the copied axis keeps a column.",
                lambda T: _broadcast_grad(T, squeeze=True)),
        Mistake("the second use of w counted once", "The `+ w` broadcasts too: w_i is copied "
                "across the four entries of its row there as well, and each copy adds 1.",
                lambda T: _broadcast_grad(T, second_use=1))))


KEY = {
    "l05_ones": ONES,
    "l05_doubling": DOUBLING,
    "l05_jacobian": Build(_judge_jacobian, "one backward(e_i) per row: the whole Jacobian."),
    "l05_vjp": Build(_judge_vjp, "y.backward(v) is v^T J, without ever building J."),
    "l05_broadcast": BROADCAST,
}
