"""Checks for lesson 06: no_grad, detach() and .data stop gradients; in-place updates."""

import torch

from .checking import (
    Diagnosis,
    Mistake,
    attributes,
    call_student,
    check,
    check_value,
    fail,
    flatten,
    inputs,
    leaf,
    oracle,
    read,
    seal,
    verdict,
)


def _flags(T):
    x = T.ones(3, requires_grad=True)
    flags = [x.requires_grad, (x**2).requires_grad]
    with T.no_grad():
        flags.append((x**2).requires_grad)
    flags += [x.detach().requires_grad, x.requires_grad]
    return flags


@check
def check_flags(answer):
    """answer: the five requires_grad values printed in exercise 1, in order."""
    check_value(answer, "the five requires_grad values", _flags, [
        Mistake("no_grad switches x off", "no_grad only stops *recording* new operations "
                "inside the block; x itself still requires grad afterwards.",
                lambda T: [True, True, False, False, False]),
        Mistake("detach() keeps requires_grad", "detach() returns a tensor cut from the graph: "
                "it never requires grad.", lambda T: [True, True, False, True, True]),
        Mistake("no_grad has no effect", "Inside `with torch.no_grad():` nothing is recorded: "
                "x**2 computed there does not require grad.",
                lambda T: [True, True, True, False, True])])
    return "no_grad stops recording; detach cuts one tensor loose; x is unchanged."


def _d2l_detach(T, through=False):
    x = T.arange(4.0, requires_grad=True)
    y = x * x
    u = y if through else y.detach()
    (u * x).sum().backward()
    return x.grad


@check
def check_detach_grad(answer):
    """answer: x.grad for z = u * x with u = (x * x).detach(), x = arange(4.)."""
    check_value(answer, "x.grad for z = u * x, u detached", _d2l_detach, [
        Mistake("the gradient flows through detach", "u is a constant to autograd: dz/dx = u, "
                "not d(x^3)/dx = 3x^2.", lambda T: _d2l_detach(T, through=True)),
        Mistake("the derivative of u = x * x", "z = u * x with u a constant: dz/dx = u = x^2, "
                "not du/dx.", lambda T: 2 * T.arange(4.0)),
        Mistake("detach stops every gradient", "detach cuts only u's path; z still depends on "
                "x through its second factor: dz/dx = u.", lambda T: T.zeros(4))])
    return "u is treated as a constant: dz/dx = u."


@check
def check_shared_memory(answer):
    """answer: x[0].item() after d = x.detach(); d[0] = 100."""
    check_value(answer, "x[0] after writing d[0] = 100", lambda T: _shared(T), [
        Mistake("detach() copies", "detach() shares x's memory: writing into d writes into x. "
                "Use x.detach().clone() for a copy.", lambda T: 1.0)])
    return "detach() shares memory with x: no copy is made."


def _shared(T):
    x = T.tensor([1.0, 2.0, 3.0])
    d = x.detach()
    d[0] = 100.0
    return x[0].item()


def _after_step(T, values, lr, sign=1.0, rate=True):
    w = leaf(T, values)
    (w**2).sum().backward()
    with T.no_grad():
        w -= sign * (lr if rate else 1.0) * w.grad
    return w


STEP_MISTAKES = (
    Mistake("a step up the gradient", "Gradient descent subtracts: w -= lr * w.grad.",
            lambda T, v, lr: _after_step(T, v, lr, sign=-1.0)),
    Mistake("the step without lr", "The step is lr * w.grad, not the whole gradient.",
            lambda T, v, lr: _after_step(T, v, lr, rate=False)),
)
_RECORDED = Diagnosis(
    "an update that was recorded", "w -= ... outside no_grad (or w.data mixed with a recorded "
    "op) makes w a non-leaf. Wrap the update in `with torch.no_grad():`.")
_REBOUND = Diagnosis(
    "`w = w - lr * w.grad` inside the function",
    "That makes a new tensor and only rebinds the local name w, inside no_grad or not: the "
    "caller's w never changes. Update it in place: `w -= lr * w.grad` under torch.no_grad().")
_ZEROED_FIRST = Diagnosis(
    "zero_() before the update", "w.grad was zeroed before it was used, so the step moved "
    "nothing. Step first, then zero w.grad for the next backward.")
_NOT_ZEROED = Diagnosis(
    "a missing zero_()", "The next backward would add to the old gradient: call "
    "w.grad.zero_() (or set w.grad = None) after the step.")


@check
def check_sgd_step(sgd_step, hidden=False):
    """sgd_step(w, lr): w -= lr * w.grad in place, without recording; then reset w.grad."""
    for seed in (0, 1, 2) if hidden else (0,):
        (values,) = inputs(seed, (3,) if seed != 1 else (2, 2))
        lr = 0.1 * (seed + 1)
        w = torch.tensor(values, requires_grad=True)
        (w**2).sum().backward()
        result = call_student(sgd_step, w, lr)
        a = attributes(w)
        if not (a["is_leaf"] and a["requires_grad"]):
            fail("after sgd_step, w is no longer a leaf that requires grad.", _RECORDED)
        grad = a["grad"]
        if read(w) == values.tolist():  # the caller's w never moved
            if grad is not None and not any(flatten(grad)):
                fail("w did not change, and w.grad is all zeros.", _ZEROED_FIRST)
            returned = "; sgd_step returned a new tensor instead" if result is not None else ""
            fail(f"w did not change{returned}.", _REBOUND)
        verdict("w after one step", read(w), oracle(_after_step, values, lr), STEP_MISTAKES,
                args=(values, lr))
        if grad is not None and any(abs(g) > 0 for g in flatten(grad)):
            fail("w was updated, but w.grad still holds the old gradient.", _NOT_ZEROED)
    return "an in-place step under no_grad, and a clean .grad for the next one."


seal(globals())
