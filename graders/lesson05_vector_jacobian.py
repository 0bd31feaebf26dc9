"""Checks for lesson 05: backward on non-scalar outputs is a vector-Jacobian product."""

import torch

from .checking import Mistake, call_student, check, check_value, inputs, leaf, oracle, read, seal, verdict


def _square_ones(T):
    x = T.tensor([1.0, -2.0, 0.5], requires_grad=True)
    y = x * x * 3
    y.backward(T.ones(3))
    return x.grad


@check
def check_square_ones(answer):
    """answer: x.grad after y = x * x * 3; y.backward(torch.ones(3)), x = [1., -2., 0.5]."""
    check_value(answer, "x.grad for y = 3 x * x with gradient ones", _square_ones, [
        Mistake("the values of y", "backward(v) fills x.grad with v^T J; here J is diagonal "
                "with 6x on it, so ones^T J = 6x.", lambda T: T.tensor([3.0, 12.0, 0.75])),
        Mistake("the vector v itself", "v only weights the rows of the Jacobian; the "
                "derivative 6x still multiplies in.", lambda T: T.ones(3))])
    return "ones^T J = 6x: the same as y.sum().backward()."


V = [1.0, 0.5, 2.0]


def _doubling(T, shift=0, use_v=True):
    x = T.tensor([3.0, 4.0, 0.0], requires_grad=True)
    y = x * 2
    while y.norm() < 1000:
        y = y * 2
    v = T.tensor(V) if use_v else T.ones(3)
    (y * 2**shift).backward(v)
    return x.grad


@check
def check_doubling(answer):
    """answer: x.grad after the doubling loop from x = [3., 4., 0.] and y.backward(v)."""
    check_value(answer, "x.grad after the doubling loop", _doubling, [
        Mistake("one doubling too few", "y = x * 2 already doubles once before the loop: count "
                "it too. The gradient is 2^k v with k the total number of doublings.",
                lambda T: _doubling(T, shift=-1)),
        Mistake("v was left out", "backward(v) weights each output: the gradient is 2^k * v, "
                "not 2^k.", lambda T: _doubling(T, use_v=False))])
    return "every doubling doubles the gradient too: 2^k v."


FUNCTIONS = [
    ("x * x", lambda t: t * t, 4),
    ("sin(x) * sum(x)", lambda t: t.sin() * t.sum(), 3),
    ("x[:2] * sum(x)", lambda t: t[:2] * t.sum(), 3),
]


def _jacobian(T, f, values, transpose=False, accumulate=False):
    x = leaf(T, values)
    y = f(x)
    rows = []
    for i in range(y.shape[0]):
        if x.grad is not None and not accumulate:
            x.grad.zero_()
        y.backward(T.eye(y.shape[0])[i], retain_graph=True)
        rows.append(x.grad.clone())
    J = T.stack(rows)
    return J.t() if transpose else J


JACOBIAN_MISTAKES = [
    Mistake("the Jacobian transposed", "Row i of J holds the derivatives of output y_i: "
            "J[i, j] = dy_i/dx_j. backward(e_i) gives row i.",
            lambda T, f, v: _jacobian(T, f, v, transpose=True)),
    Mistake("rows accumulated", "Each backward adds into x.grad: zero it (or use a fresh "
            "leaf) before computing the next row.",
            lambda T, f, v: _jacobian(T, f, v, accumulate=True)),
]


@check
def check_jacobian(jacobian, hidden=False):
    """jacobian(f, x): the m x n matrix dy_i/dx_j, one backward per row."""
    for seed in (0, 1, 2) if hidden else (0,):
        for label, f, n in FUNCTIONS:
            (values,) = inputs(seed, (n,))
            got = read(call_student(jacobian, f, torch.tensor(values)))
            verdict(f"jacobian({label})", got, oracle(_jacobian, f, values), JACOBIAN_MISTAKES,
                    args=(f, values))
    return "one backward(e_i) per row: the whole Jacobian."


def _vjp(T, f, values, v, ignore_v=False):
    x = leaf(T, values)
    f(x).backward(T.ones(len(v)) if ignore_v else T.tensor(v))
    return x.grad


@check
def check_vjp(vjp, hidden=False):
    """vjp(f, x, v): v^T J for f at x, with one backward call."""
    for seed in (0, 1, 2) if hidden else (0,):
        for label, f, n in FUNCTIONS:
            values, = inputs(seed, (n,))
            m = len(f(torch.tensor(values)))
            (v,) = inputs(seed + 10, (m,))
            got = read(call_student(vjp, f, torch.tensor(values), torch.tensor(v)))
            verdict(f"vjp({label}, x, v)", got, oracle(_vjp, f, values, v), [
                Mistake("v was ignored", "Pass v as backward's gradient: y.backward(v).",
                        lambda T, f, x, v: _vjp(T, f, x, v, ignore_v=True))],
                args=(f, values, v))
    return "y.backward(v) is v^T J, without ever building J."


def _broadcast_grad(T):
    w = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    X = T.arange(6.0).reshape(2, 3)
    (X * w).sum().backward()
    return w.grad


@check
def check_broadcast(answer):
    """answer: w.grad after (X * w).sum().backward(), w = [1, 2, 3], X = arange(6.).reshape(2, 3)."""
    check_value(answer, "w.grad for (X * w).sum() with w broadcast over X's rows",
                _broadcast_grad, [
        Mistake("the gradient has the output's shape", ".grad always has the leaf's shape: w "
                "was copied to both rows, so the gradients of the copies are summed over rows.",
                lambda T: T.arange(6.0).reshape(2, 3)),
        Mistake("summed over the wrong axis", "w runs along the columns (its 3 entries meet "
                "X's 3 columns); its copies are the rows, so sum over rows: column sums of X.",
                lambda T: T.tensor([3.0, 12.0]))])
    return "broadcast forward, sum backward: w.grad holds X's column sums, in w's shape."


seal(globals())
