"""Lesson 03's answers: backward() on a scalar fills the leaves' .grad."""

from graders.lesson03_backward import grad_of_cases
from graders.verdict import Diagnosis

from . import Build, Predict
from .judging import Mistake, close, expect, fail, leaf, observed, oracle, returned, runs


def _blitz(T, mean=True, square=True, times=1):
    x = T.full((2, 2), 2.0, requires_grad=True)
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


BLITZ = Predict(
    "x.grad for out = mean(3 (x + 2)^2) at x = 2", _blitz,
    "d out/dx_i = 3 * 2 (x_i + 2) / 4 = 6 at x = 2.", (
        Mistake("the mean's 1/4 was dropped", "out is a mean over four elements: each x_i gets "
                "its share of the derivative of the sum, not all of it.",
                lambda T: _blitz(T, mean=False)),
        Mistake("the value instead of the gradient", "That is a value of the function; .grad "
                "holds its derivative d out / dx.", lambda T: T.full((2, 2), 48.0)),
        Mistake("out itself, not its gradient", "out is one number, the function's value; "
                "x.grad has one entry per element of x, the derivative d out / dx_i.",
                lambda T: T.tensor(48.0)),
        Mistake("(x + 2)^2 differentiated as (x + 2)", "Differentiate the square with the chain "
                "rule: the outer square contributes a factor too.",
                lambda T: _blitz(T, square=False)),
        Mistake(*_twice("out.backward()"), lambda T: _blitz(T, times=2))))


def _d2l(T, factor=2.0, times=1):
    x = T.arange(4.0, requires_grad=True)
    y = factor * T.dot(x, x)
    for _ in range(times):
        y.backward(retain_graph=True)
    return x.grad


D2L = Predict(
    "x.grad for y = 2 x.x", _d2l, "dy/dx = 4x: autograd agrees with the calculus.", (
        Mistake("the factor 2 in front was lost", "Keep the 2 of y = 2 x.x: it multiplies the "
                "derivative of x.x.", lambda T: _d2l(T, factor=1.0)),
        Mistake("the values of 2 x^2 instead of its derivative", "backward fills .grad with "
                "dy/dx, not with the summands of y.", lambda T: 2 * T.arange(4.0) ** 2),
        Mistake("y itself, not its gradient", "y = 2 x.x is one number, the function's value; "
                "x.grad has one entry per element of x, the derivative dy/dx_i.",
                lambda T: 2 * T.dot(T.arange(4.0), T.arange(4.0))),
        Mistake(*_twice("y.backward()"), lambda T: _d2l(T, times=2))))


def _cube(T, times=1):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = (x**3).sum()
    for _ in range(times):
        y.backward(retain_graph=True)
    return x.grad


CUBE = Predict(
    "x.grad for sum(x^3) at x = [1, 2]", _cube, "3x^2 at 1 and 2: [3, 12].", (
        Mistake("the values x^3", "x.grad holds the derivative of the sum, not the values "
                "x^3.", lambda T: T.tensor([1.0, 8.0])),
        Mistake("the power rule without the square", "The power rule lowers the exponent by "
                "one: the derivative of x^3 is a multiple of x^2, not of x.",
                lambda T: T.tensor([3.0, 6.0])),
        Mistake(*_twice("backward()"), lambda T: _cube(T, times=2))))


def _reference_grad(T, f, values):
    x = leaf(T, values)
    f(x).backward()
    return x.grad


GRAD_OF_MISTAKES = (
    Mistake("the value of f, not its gradient", "grad_of returns df/dx, one entry per element "
            "of x: run backward() from f(x) on a leaf, and return that leaf's .grad, not f(x).",
            lambda T, f, values: f(T.tensor(values))),
)
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


def _judge_grad_of(collected, hidden):
    cases = grad_of_cases(hidden)
    for (values, (label, f)), run in zip(cases, runs(collected, len(cases))):
        what = f"grad_of({label}, x)"
        got, _ = returned(run.get("call"), what)
        x, x_facts = observed(run.get("x_after"))
        if x_facts is None:
            fail("the x given to grad_of is no longer a tensor.")
        if x_facts["requires_grad"]:
            fail("grad_of changed the x it was given: it now requires grad.", _IN_PLACE)
        if x_facts["grad"] is not None:
            fail("grad_of left a gradient in the x it was given (x.grad is set).",
                 _LEFTOVER_GRAD)
        if not close(x, values.tolist()):
            fail("grad_of changed the values of the x it was given.", _IN_PLACE)
        expect(got, oracle(_reference_grad, f, values), what, [("x", values.tolist())],
               GRAD_OF_MISTAKES, args=(f, values), hidden=hidden)
        again, _ = returned(run.get("again"), what)
        if not close(again, got):
            fail("calling grad_of twice with the same x gave a different answer.",
                 _ACCUMULATING)


def _hooked(T, factor=10.0):
    """y.register_hook(lambda g: g * 10) on y = x * x: what reaches x is 10 times dsum/dy."""
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.backward(T.full((2,), factor))  # the same gradient as the hook; autograd_core has no hooks
    return x.grad


HOOK = Predict(
    "x.grad with a hook that multiplies y's gradient by 10", _hooked,
    "the hook changed y's gradient to 10, and the chain rule carried it on: 10 * 2x = 20x.", (
        Mistake("a hook only looks", "A hook that returns a tensor *replaces* the gradient "
                "flowing through y; backward then carries the new one on to x.",
                lambda T: _hooked(T, factor=1.0)),
        Mistake("the hook's gradient is the end result", "The hook changes the gradient at y; "
                "backward still goes on through y = x * x to x, with the chain rule.",
                lambda T: T.full((2,), 10.0)),
        Mistake("d(x * x)/dx taken as x", "Both factors of x * x depend on x: use the product "
                "rule.", lambda T: _hooked(T) / 2)))


KEY = {
    "l03_blitz": BLITZ,
    "l03_d2l": D2L,
    "l03_cube": CUBE,
    "l03_grad_of": Build(_judge_grad_of, "grad_of works for any scalar function, and leaves x "
                                         "alone."),
    "l03_hook": HOOK,
}
