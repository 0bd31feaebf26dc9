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


def _flags(T, keep_detach=False, switch_off=False):
    x = T.ones(3, requires_grad=True)
    with T.no_grad():
        y = x * 2
    z = y * x
    u = (x * 2).detach()
    flags = [y.requires_grad, z.requires_grad, u.requires_grad, (u * x).requires_grad,
             x.requires_grad]
    if keep_detach:
        flags[2] = True
    if switch_off:  # as if no_grad had turned x off for good
        flags[1] = flags[3] = flags[4] = False
    return flags


@check
def check_flags(answer):
    """answer: the five requires_grad values printed in exercise 1, in order."""
    check_value(answer, "the five requires_grad values", _flags, [
        Mistake("no_grad switches x off", "no_grad only stops *recording* new operations "
                "inside the block; x itself still requires grad afterwards, and so does any "
                "result computed from it outside the block.",
                lambda T: _flags(T, switch_off=True)),
        Mistake("detach() keeps requires_grad", "detach() returns a tensor cut from the graph: "
                "it never requires grad.", lambda T: _flags(T, keep_detach=True)),
        Mistake("a result made under no_grad spreads nothing", "y was made under no_grad, so "
                "y needs no gradient; but z = y * x also uses x, which does.",
                lambda T: [False, False, False, True, True]),
        Mistake("no_grad has no effect", "Inside `with torch.no_grad():` nothing is recorded: "
                "y = x * 2 computed there does not require grad.",
                lambda T: [True, True, False, True, True])])
    return "no_grad stops recording; detach cuts one tensor loose; x is unchanged."


def _d2l_detach(T, through=False):
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    u = y if through else y.detach()
    (u * x + y).sum().backward()
    return x.grad


@check
def check_detach_grad(answer):
    """answer: x.grad for (u * x + y).sum() with y = x * x, u = y.detach(), x = [1., 2., 3.]."""
    check_value(answer, "x.grad for z = u * x + y, u detached", _d2l_detach, [
        Mistake("the gradient flows through detach", "u is a constant to autograd: d(u x)/dx "
                "= u, while y = x * x still gives 2x. Not d(x^3)/dx = 3x^2.",
                lambda T: _d2l_detach(T, through=True)),
        Mistake("detach() cut y out too", "Only u is cut loose; y itself is still in the graph "
                "and adds its 2x.", lambda T: T.tensor([1.0, 4.0, 9.0])),
        Mistake("detach stops every gradient", "detach cuts only u's path; z still depends on "
                "x through u * x's second factor and through y: dz/dx = u + 2x.",
                lambda T: T.zeros(3))])
    return "u is a constant (du/dx = 0); y is not: u + 2x."


@check
def check_shared_memory(answer):
    """answer: x.sum().item() after d = x.detach(); d.mul_(10), x = [1., 2., 3.]."""
    check_value(answer, "x.sum() after d.mul_(10)", lambda T: _shared(T), [
        Mistake("detach() copies", "detach() shares x's memory: writing into d writes into x. "
                "Use x.detach().clone() for a copy.", lambda T: 6.0)])
    return "detach() shares memory with x: no copy is made."


def _shared(T):
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    d = x.detach()
    d.mul_(10)
    return x.sum().item()


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


def _modes(T, inference_records=False, frozen_grad=False):
    w = T.ones(2, requires_grad=True)
    b = T.ones(2, requires_grad=True)
    b.requires_grad_(False)
    with T.set_grad_enabled(True):
        y = w * 2 + b
    with T.inference_mode():
        z = w * 2
    y.sum().backward()
    flags = [y.requires_grad, z.requires_grad, b.requires_grad, b.grad is None]
    if inference_records:
        flags[1] = True
    if frozen_grad:
        flags[2], flags[3] = True, False
    return flags


@check
def check_grad_modes(answer):
    """answer: (y.requires_grad, z.requires_grad, b.requires_grad, b.grad is None), exercise 5."""
    check_value(answer, "the four values printed in exercise 5", _modes, [
        Mistake("inference_mode still records", "inference_mode() is a stricter no_grad: "
                "nothing inside it is recorded, so z does not require grad.",
                lambda T: _modes(T, inference_records=True)),
        Mistake("requires_grad_(False) does not freeze", "b.requires_grad_(False) turns the "
                "request off: b is a constant from then on, and backward leaves b.grad None.",
                lambda T: _modes(T, frozen_grad=True)),
        Mistake("set_grad_enabled(True) switches recording off", "set_grad_enabled(mode) sets "
                "recording to `mode`: True records, like the default.",
                lambda T: [False, False, False, True])])
    return "recording follows the mode; a frozen tensor gets no gradient."


seal(globals())
