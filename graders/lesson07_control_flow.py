"""Checks for lesson 07: gradients through Python control flow."""

import torch

from .checking import (
    CheckFailed,
    Diagnosis,
    Mistake,
    attributes,
    backward,
    call_student,
    check,
    check_value,
    describe,
    fail,
    inputs,
    leaf,
    oracle,
    read,
    seal,
    verdict,
)


def f(a):
    """D2L 2.5's function: double until the norm reaches 100, then maybe scale by 100."""
    b = a * 2
    while b.norm() < 100:
        b = b * 2
    c = b if b.sum() > 0 else 100 * b
    return c


def _grad_at(T, value, branch=True, value_of_d=False):
    a = T.tensor(value, requires_grad=True)
    d = f(a)
    if value_of_d:
        return d
    d.backward()
    if not branch:  # the grad without the branch's factor
        return a.grad / 100 if value < 0 else a.grad * 100
    return a.grad


@check
def check_grad_positive(answer):
    """answer: a.grad after d = f(a); d.backward() with a = 0.3."""
    check_value(answer, "a.grad at a = 0.3", lambda T: _grad_at(T, 0.3), [
        Mistake("control flow is not differentiated", "The loop and the if are plain Python: "
                "autograd records the multiplications that actually ran, and differentiates "
                "those. a.grad = d / a.", lambda T: 0.0),
        Mistake("the other branch", "b.sum() > 0 here, so c = b: no factor 100.",
                lambda T: _grad_at(T, 0.3, branch=False)),
        Mistake("the value of d instead of its gradient", "a.grad is dd/da = d / a = 2^k, not d.",
                lambda T: _grad_at(T, 0.3, value_of_d=True)),
        Mistake("one doubling too few", "b = a * 2 doubles once before the loop: count it too.",
                lambda T: _grad_at(T, 0.3) / 2)])
    return "f(a) = 2^k a along the path taken, so a.grad = 2^k = d / a."


@check
def check_grad_negative(answer):
    """answer: a.grad after d = f(a); d.backward() with a = -0.3."""
    check_value(answer, "a.grad at a = -0.3", lambda T: _grad_at(T, -0.3), [
        Mistake("the branch's factor 100 was dropped", "b.sum() < 0, so c = 100 * b: the "
                "recorded path includes the multiplication by 100.",
                lambda T: _grad_at(T, -0.3, branch=False)),
        Mistake("a negative gradient for a negative a", "d = 100 * 2^k * a is linear in a: its "
                "slope 100 * 2^k is positive, whatever the sign of a.",
                lambda T: -_grad_at(T, -0.3)),
        Mistake("one doubling too few", "b = a * 2 doubles once before the loop: count it too.",
                lambda T: _grad_at(T, -0.3) / 2)])
    return "the branch taken decides the gradient: 100 * 2^k."


@check
def check_what_is_recorded(answer):
    """answer: "A", "B" or "C"."""
    check_value(answer, "what autograd records", lambda T: "B", [
        Mistake("both branches are recorded", "Only code that runs is recorded: the branch "
                "not taken never reaches autograd.", lambda T: "A"),
        Mistake("the condition is differentiated", "A comparison gives a bool, which has no "
                "gradient; it only chooses which operations run.", lambda T: "C")])
    return "only the operations that ran are in the graph."


def _abs_reference(T, value, swapped=False):
    x = leaf(T, value)
    y = (x if x > 0 else -x) if not swapped else (-x if x > 0 else x)
    y.backward()
    return [y.item(), x.grad.item()]


ABS_MISTAKES = (
    Mistake("the branches swapped", "For x > 0, |x| is x itself (gradient +1); for x < 0 it is "
            "-x (gradient -1).", lambda T, v: _abs_reference(T, v, swapped=True)),
)
_LEFT_GRAPH = Diagnosis(
    "a Python number left the graph", ".item(), float() or abs() on a Python number give values "
    "autograd cannot see, and a new torch.tensor(...) is a fresh leaf with no link to x: compute "
    "with the tensor itself (x or -x).")
_NEGATED_IN_PLACE = (("leaf Variable that requires grad is being used in an in-place operation",
                      Diagnosis("x negated in place", "x.neg_(), x *= -1 or x[...] = ... change "
                                "the leaf itself, which autograd must not see changed. Return a "
                                "new tensor: -x.")),)


@check
def check_my_abs(my_abs, hidden=False):
    """my_abs(x): |x| for a 0-d tensor, written with `if`, with gradient sign(x)."""
    for seed in (0, 1, 2, 3) if hidden else (0, 1):
        for value in inputs(seed, (), (), low=-3, high=3):
            value = float(value) if abs(value) > 0.1 else 0.5
            x = torch.tensor(value, requires_grad=True)
            y = call_student(my_abs, x, errors=_NEGATED_IN_PLACE)
            try:
                a = attributes(y)
            except CheckFailed:
                fail(f"my_abs({value:.3f}) returned {describe(read(y))}, not a tensor.",
                     _LEFT_GRAPH)
            if a["grad_fn"] is None and not (a["is_leaf"] and a["requires_grad"]):
                fail(f"my_abs({value:.3f}) has no grad_fn, so no gradient can reach x.",
                     _LEFT_GRAPH)
            backward(y)
            grad = attributes(x)["grad"]
            if grad is None:  # y was a leaf of its own, not x itself
                fail(f"my_abs({value:.3f}) is not connected to x: backward left x.grad None.",
                     _LEFT_GRAPH)
            got = [read(y), grad]
            verdict(f"[my_abs(x), x.grad] at x = {value:.3f}", got,
                    oracle(_abs_reference, value), ABS_MISTAKES, args=(value,))
    return "|x| through an if: the gradient is the sign of x."


seal(globals())
