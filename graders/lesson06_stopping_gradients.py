"""Checks for lesson 06: no_grad, detach() and .data stop gradients; in-place updates."""

import torch

from .checking import (
    CheckFailed,
    Mistake,
    attributes,
    call_student,
    check,
    check_value,
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
                lambda T: [False, False, False, True, True])])
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
                "and adds its 2x.", lambda T: T.tensor([1.0, 4.0, 9.0]))])
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


def _after_step(T, values, lr):
    w = leaf(T, values)
    (w**2).sum().backward()
    with T.no_grad():
        w -= lr * w.grad
    return w


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
            raise CheckFailed("Not yet: after sgd_step, w is no longer a leaf that requires "
                              "grad.\n\nThis looks like: an update that was recorded.\nWrap the "
                              "update in `with torch.no_grad():`.")
        if read(w) == values.tolist() and result is not None and result is not w:
            raise CheckFailed(
                "Not yet: w did not change; sgd_step returned a new tensor instead.\n\nThis "
                "looks like: `w = w - lr * w.grad` inside the function.\nThat makes a new "
                "tensor and only rebinds the local name; update the caller's w in place: "
                "`w -= lr * w.grad` under torch.no_grad().")
        verdict("w after one step", read(w), oracle(_after_step, values, lr))
        grad = a["grad"]
        if grad is not None and any(abs(g) > 0 for g in _flat(read(grad))):
            raise CheckFailed("Not yet: w was updated, but w.grad still holds the old gradient."
                              "\n\nThis looks like: a missing zero_().\nThe next backward would "
                              "add to it: call w.grad.zero_() after the step.")
    return "an in-place step under no_grad, and a clean .grad for the next one."


def _flat(values):
    if isinstance(values, list):
        return [v for item in values for v in _flat(item)]
    return [values]


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
