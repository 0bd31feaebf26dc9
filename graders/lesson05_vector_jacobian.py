"""Checks for lesson 05: backward on non-scalar outputs is a vector-Jacobian product."""

import torch

from .checking import (
    Diagnosis,
    Mistake,
    call_student,
    check,
    check_value,
    counting_backwards,
    fail,
    handout,
    inputs,
    leaf,
    oracle,
    read,
    seal,
    verdict,
)


def _square_ones(T):
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    y.backward(T.ones(3))
    return x.grad


@check
def check_square_ones(answer):
    """answer: x.grad after y = x * x; y.backward(torch.ones(3)), x = [1., 2., 3.]."""
    check_value(answer, "x.grad for y = x * x with gradient ones", _square_ones, [
        Mistake("the values of y", "backward(v) fills x.grad with v^T J; here J is diagonal "
                "with 2x on it, so ones^T J = 2x.", lambda T: T.tensor([1.0, 4.0, 9.0])),
        Mistake("the vector v itself", "v only weights the rows of the Jacobian; the "
                "derivative 2x still multiplies in.", lambda T: T.ones(3)),
        Mistake("d(x * x)/dx taken as x", "Both factors depend on x: the product rule gives "
                "x + x = 2x.", lambda T: T.tensor([1.0, 2.0, 3.0]))])
    return "ones^T J = 2x: the same as y.sum().backward()."


V = (0.1, 1.0, 0.0001)


def _doubling(T, shift=0, use_v=True):
    x = T.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = x * 2
    while y.norm() < 1000:
        y = y * 2
    v = T.tensor(V) if use_v else T.ones(3)
    (y * 2**shift).backward(v)
    return x.grad


@check
def check_doubling(answer):
    """answer: x.grad after the doubling loop and y.backward(v), v = [0.1, 1.0, 0.0001]."""
    check_value(answer, "x.grad after the doubling loop", _doubling, [
        Mistake("one doubling too few", "y = x * 2 already doubles once before the loop: count "
                "it too. The gradient is 2^k v with k the total number of doublings.",
                lambda T: _doubling(T, shift=-1)),
        Mistake("one doubling too many", "The loop stops as soon as the norm reaches 1000: the "
                "last y already passed it, so there is no further doubling.",
                lambda T: _doubling(T, shift=1)),
        Mistake("v was left out", "backward(v) weights each output: the gradient is 2^k * v, "
                "not 2^k.", lambda T: _doubling(T, use_v=False))])
    return "every doubling doubles the gradient too: 2^k v."


FUNCTIONS = (
    ("x * x", lambda t: t * t, 4),
    ("sin(x) * sum(x)", lambda t: t.sin() * t.sum(), 3),
    ("x[:2] * sum(x)", lambda t: t[:2] * t.sum(), 3),
)


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


JACOBIAN_MISTAKES = (
    Mistake("the Jacobian transposed", "Row i of J holds the derivatives of output y_i: "
            "J[i, j] = dy_i/dx_j. backward(e_i) gives row i.",
            lambda T, f, v: _jacobian(T, f, v, transpose=True)),
    Mistake("rows accumulated", "Each backward adds into x.grad: zero it (or use a fresh "
            "leaf) before computing the next row.",
            lambda T, f, v: _jacobian(T, f, v, accumulate=True)),
)


_NON_SCALAR = "grad can be implicitly created only for scalar outputs"
_ROW_ERRORS = ((_NON_SCALAR, Diagnosis(
    "backward() on a non-scalar without a gradient", "Row i of J is what backward(e_i) gives, "
    "with e_i the i-th basis vector: y.backward(torch.eye(m)[i], retain_graph=True).")),)


@check
def check_jacobian(jacobian, hidden=False):
    """jacobian(f, x): the m x n matrix dy_i/dx_j, one backward per row."""
    for seed in (0, 1, 2) if hidden else (0,):
        for label, f, n in FUNCTIONS:
            (values,) = inputs(seed, (n,))
            got = read(call_student(jacobian, handout(f), torch.tensor(values),
                                    errors=_ROW_ERRORS))
            verdict(f"jacobian({label})", got, oracle(_jacobian, f, values), JACOBIAN_MISTAKES,
                    args=(f, values))
    return "one backward(e_i) per row: the whole Jacobian."


def _vjp(T, f, values, v, ignore_v=False, transpose=False):
    x = leaf(T, values)
    y = f(x)
    if transpose:  # J v instead of v^T J (square J only)
        return _jacobian(T, f, values) @ T.tensor(v)
    y.backward(T.ones(len(v)) if ignore_v else T.tensor(v))
    return x.grad


VJP_MISTAKES = (
    Mistake("v was ignored", "Pass v as backward's gradient: y.backward(v). "
            "y.sum().backward() is the product with a vector of ones.",
            lambda T, f, x, v: _vjp(T, f, x, v, ignore_v=True)),
    Mistake("J v instead of v^T J", "backward(v) weights the *outputs*: it gives "
            "sum_i v_i dy_i/dx_j, a row vector times J.",
            lambda T, f, x, v: _vjp(T, f, x, v, transpose=True)),
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


@check
def check_vjp(vjp, hidden=False):
    """vjp(f, x, v): v^T J for f at x, with one backward call and no Jacobian."""
    for seed in (0, 1, 2) if hidden else (0,):
        for label, f, n in FUNCTIONS:
            values, = inputs(seed, (n,))
            m = len(f(torch.tensor(values)))
            (v,) = inputs(seed + 10, (m,))
            counted, backwards = counting_backwards(f)
            got = read(call_student(vjp, counted, torch.tensor(values), torch.tensor(v),
                                    errors=_VJP_ERRORS))
            mistakes = VJP_MISTAKES if m == n else VJP_MISTAKES[:1]  # J v needs a square J
            verdict(f"vjp({label}, x, v)", got, oracle(_vjp, f, values, v), mistakes,
                    args=(f, values, v))
            if backwards.count != 1:
                fail(f"vjp({label}, x, v) is right, but took {backwards.count} backward passes "
                     "through f's output, not one.",
                     _MANY_BACKWARDS if backwards.count else _NO_BACKWARD)
    return "y.backward(v) is v^T J, without ever building J."


seal(globals())
