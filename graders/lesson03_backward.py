"""Checks for lesson 03: backward() on a scalar, and the gradient it leaves in .grad."""

import torch

from .checking import (
    Diagnosis,
    Mistake,
    attributes,
    call_student,
    check,
    check_value,
    fail,
    handout,
    inputs,
    leaf,
    oracle,
    read,
    seal,
    verdict,
)


def _blitz(T, mean=True, square=True, times=1):
    x = T.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3 if square else y * y.detach() * 3  # not square: as if d(y^2)/dy were y
    out = z.mean() if mean else z.sum()
    for _ in range(times):
        out.backward(retain_graph=True)
    return x.grad


def _twice(name):
    """Running a backward cell a second time: .grad accumulates."""
    return f"{name} run twice", ("Running the cell again adds the gradient a second time: "
                                 ".grad accumulates. Restart from a fresh leaf (or zero .grad) "
                                 "before each backward.")


@check
def check_blitz_grad(answer):
    """answer: x.grad after out.backward() in the blitz (a 2x2 tensor)."""
    check_value(answer, "x.grad for out = mean(3 (x + 2)^2) at x = 1", _blitz, [
        Mistake("the mean's 1/4 was dropped", "out averages four elements, so each x_i gets a "
                "quarter: d out/dx_i = (1/4) * 6 (x_i + 2) = 4.5.",
                lambda T: _blitz(T, mean=False)),
        Mistake("the value instead of the gradient", "27 is z's value; .grad holds the "
                "derivative d out / dx.", lambda T: T.full((2, 2), 27.0)),
        Mistake("(x + 2)^2 differentiated as (x + 2)", "The chain rule gives 2 (x + 2) for the "
                "square: 3 * 2 * 3 / 4 = 4.5.", lambda T: _blitz(T, square=False)),
        Mistake(*_twice("out.backward()"), lambda T: _blitz(T, times=2))])
    return "d out/dx_i = 3 (x_i + 2) / 2 = 4.5 at x = 1."


def _d2l(T, factor=2.0, times=1):
    x = T.arange(4.0, requires_grad=True)
    y = factor * T.dot(x, x)
    for _ in range(times):
        y.backward(retain_graph=True)
    return x.grad


@check
def check_d2l_grad(answer):
    """answer: x.grad for y = 2 * dot(x, x), x = arange(4.)."""
    check_value(answer, "x.grad for y = 2 x.x", _d2l, [
        Mistake("the factor 2 in front was lost", "y = 2 x.x, so dy/dx = 2 * 2x = 4x.",
                lambda T: _d2l(T, factor=1.0)),
        Mistake("the values of 2 x^2 instead of its derivative", "backward fills .grad with "
                "dy/dx = 4x, not with the summands of y.", lambda T: 2 * T.arange(4.0) ** 2),
        Mistake(*_twice("y.backward()"), lambda T: _d2l(T, times=2))])
    return "dy/dx = 4x: autograd agrees with the calculus."


def _cube(T, times=1):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = (x**3).sum()
    for _ in range(times):
        y.backward(retain_graph=True)
    return x.grad


@check
def check_cube_grad(answer):
    """answer: x.grad for (x ** 3).sum() at x = [1., 2.]."""
    check_value(answer, "x.grad for sum(x^3) at x = [1, 2]", _cube, [
        Mistake("the values x^3", "The gradient is 3x^2, not x^3.",
                lambda T: T.tensor([1.0, 8.0])),
        Mistake("the power rule without the square", "d/dx x^3 = 3x^2, so [3, 12].",
                lambda T: T.tensor([3.0, 6.0])),
        Mistake(*_twice("backward()"), lambda T: _cube(T, times=2))])
    return "3x^2 at 1 and 2: [3, 12]."


FUNCTIONS = (
    ("sum(x^3)", lambda t: (t**3).sum()),
    ("sum(sin(x) x)", lambda t: (t.sin() * t).sum()),
    ("mean(exp(x))", lambda t: t.exp().mean()),
)


def _reference_grad(T, f, values):
    x = leaf(T, values)
    f(x).backward()
    return x.grad


_IN_PLACE = Diagnosis(
    "differentiating the caller's tensor in place",
    "x.requires_grad_() switched on the caller's x. Work on a fresh leaf: "
    "x = x.detach().clone().requires_grad_(), so the caller's x and its .grad stay as they were.")
_LEFTOVER_GRAD = Diagnosis(
    "a gradient left in the caller's x.grad",
    "requires_grad is back to False, but backward filled the caller's x.grad and it is still "
    "there. Work on a fresh leaf, x.detach().clone().requires_grad_(), and the caller's x is "
    "never touched.")
_ACCUMULATING = Diagnosis(
    "gradients accumulating between calls",
    "Each call should make its own leaf, so nothing is left over from the last backward.")


@check
def check_grad_of(grad_of, hidden=False):
    """grad_of(f, x): df/dx at x, for a scalar function f; x itself left untouched."""
    for seed in (0, 1, 2, 3) if hidden else (0,):
        (values,) = inputs(seed, (4,) if seed % 2 == 0 else (2, 3))
        for label, f in FUNCTIONS:
            x = torch.tensor(values)
            got = read(call_student(grad_of, handout(f), x))
            a = attributes(x)
            if a["requires_grad"]:
                fail("grad_of changed the x it was given: it now requires grad.", _IN_PLACE)
            if a["grad"] is not None:
                fail("grad_of left a gradient in the x it was given (x.grad is set).",
                     _LEFTOVER_GRAD)
            verdict("grad_of did not change the values of x", read(x), values.tolist())
            expected = oracle(_reference_grad, f, values)
            verdict(f"grad_of({label}, x)", got, expected)
            again = read(call_student(grad_of, handout(f), x))
            if again != got:
                fail("calling grad_of twice with the same x gave a different answer.",
                     _ACCUMULATING)
    return "grad_of works for any scalar function, and leaves x alone."


seal(globals())
