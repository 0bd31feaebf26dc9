"""Checks for lesson 10: checking gradients with finite differences, and finding a wrong backward."""

import numpy as np
import torch

from autograd_core.functions import Function

from .checking import (
    Mistake,
    call_student,
    check,
    check_value,
    handout,
    inputs,
    oracle,
    read,
    seal,
    verdict,
)


# -- the op with a planted bug, written for both engines ------------------------------------
def slipped_sigmoid(a):
    """softplus'(a) = sigmoid(a), in the 'stable' two-branch form -- with a sign slipped in the
    branch for negative a, which should be exp(a) / (1 + exp(a))."""
    return np.where(a >= 0, 1 / (1 + np.exp(-np.abs(a))), 1 / (1 + np.exp(np.minimum(a, 0))))


class SoftplusBackward0(Function):
    """z = log(1 + exp(a));  dz/da = sigmoid(a)  (the backward has a bug: find it)"""

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log1p(np.exp(a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * slipped_sigmoid(a)


class TorchSoftplus(torch.autograd.Function):
    """The same op, and the same backward, as a torch.autograd.Function."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return torch.log1p(torch.exp(a))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * torch.from_numpy(slipped_sigmoid(a.detach().numpy()))


def softplus(T):
    """The planted op for engine T."""
    return TorchSoftplus.apply if T is torch else SoftplusBackward0.apply


# -- exercise 1: central differences ---------------------------------------------------------
FUNCTIONS = (
    ("sum(sin(x) * x)", lambda x: (x.sin() * x).sum()),
    ("sum(exp(x)) * x[0]", lambda x: x.exp().sum() * x[0]),
    ("mean(x^3)", lambda x: (x**3).mean()),
)


def _central(T, f, values, h, kind="central"):
    x = T.tensor(np.array(values, dtype=np.float64))
    grads = []
    for i in range(len(values)):
        e = T.zeros(len(values), dtype=T.float64)
        e[i] = h
        if kind == "forward":
            grads.append(((f(x + e) - f(x)) / h).item())
        elif kind == "over h":
            grads.append(((f(x + e) - f(x - e)) / h).item())
        else:
            grads.append(((f(x + e) - f(x - e)) / (2 * h)).item())
    return grads


def _autograd(T, f, values):
    x = T.tensor(np.array(values, dtype=np.float64), requires_grad=True)
    f(x).backward()
    return x.grad


@check
def check_central_difference(central_difference, hidden=False):
    """central_difference(f, x, h): (f(x + h e_i) - f(x - h e_i)) / 2h for each i."""
    h = 0.1  # large on purpose: the formulas' errors then differ clearly
    for seed in (0, 1, 2) if hidden else (0,):
        (values,) = inputs(seed, (3,) if seed != 2 else (5,))
        values = values.astype(np.float64)
        for name, f in FUNCTIONS:
            x = torch.tensor(values)
            got = read(call_student(central_difference, handout(f), x, h))
            verdict(f"central differences of {name} with h = {h}", got,
                    oracle(_central, f, values, h), [
                        Mistake("a forward difference", "(f(x + h) - f(x)) / h is off by a term "
                                "proportional to h; the central difference (f(x + h) - f(x - h)) "
                                "/ 2h cancels it.",
                                lambda T, g, v: _central(T, g, v, h, kind="forward")),
                        Mistake("divided by h instead of 2h", "x + h and x - h are 2h apart: "
                                "divide by 2h.", lambda T, g, v: _central(T, g, v, h, kind="over h")),
                        Mistake("the autograd gradient, not the finite difference", "Compute "
                                "the differences from f's values alone: that is what makes them "
                                "a check on backward.", lambda T, g, v: _autograd(T, g, v))],
                    args=(f, values))
    return "a central difference per coordinate: f's values alone, no backward."


# -- exercise 2: a kink ------------------------------------------------------------------------
def _kink(T, h=1e-3):
    x = T.tensor(0.0, dtype=T.float64)
    numeric = ((x + h).relu() - (x - h).relu()) / (2 * h)
    x.requires_grad_()
    x.relu().backward()
    return [numeric.item(), x.grad.item()]


@check
def check_kink(answer):
    """answer: (central difference, x.grad) for relu at x = 0 with h = 1e-3."""
    check_value(answer, "the central difference and torch's gradient of relu at 0", _kink, [
        Mistake("finite differences do not see the kink", "The central difference at 0 "
                "averages the slopes on both sides: (relu(h) - relu(-h)) / 2h = h / 2h = 0.5.",
                lambda T: [0.0, 0.0]),
        Mistake("torch averages the one-sided derivatives", "At a point where no derivative "
                "exists torch returns a fixed choice, not an average: relu'(0) = 0, like "
                "abs'(0) = 0.", lambda T: [0.5, 0.5]),
        Mistake("torch takes the right-hand slope", "relu'(0) is 0 in torch by convention, not "
                "the slope 1 of the right-hand piece.", lambda T: [0.5, 1.0])])
    return "a kink: the differences average both sides (0.5), torch returns its convention (0)."


# -- exercise 3: why float64 --------------------------------------------------------------------
@check
def check_float32(answer):
    """answer: "A", "B" or "C"."""
    check_value(answer, "why gradcheck needs float64", lambda T: "A", [
        Mistake("float32 tensors have no gradients", "float32 tensors require grad and "
                "backpropagate like any floating-point tensor; the trouble is the finite "
                "difference.", lambda T: "B"),
        Mistake("a smaller step is always more accurate", "Below some h, rounding wins: float32 "
                "keeps about 7 digits, and f(x + h) - f(x - h) with h = 1e-6 has almost none "
                "left.", lambda T: "C")])
    return "float32's 7 digits vanish in f(x + h) - f(x - h): check in float64."


# -- exercise 4: the planted bug -------------------------------------------------------------
POINTS = (-2.0, -0.5, 0.0, 0.5, 2.0)


def _wrong_points(T, points=tuple(POINTS), h=1e-6, tol=1e-5):
    op, wrong = softplus(T), []
    for p in points:
        x = T.tensor(p, dtype=T.float64, requires_grad=True)
        op(x).backward()
        with T.no_grad():
            numeric = (op(x + h) - op(x - h)) / (2 * h)
        if abs(x.grad.item() - numeric.item()) > tol:
            wrong.append(p)
    return wrong


@check
def check_wrong_points(answer):
    """answer: the points of POINTS where the planted softplus's backward is wrong, in order."""
    check_value(answer, "the points where softplus's backward disagrees with finite "
                "differences", _wrong_points, [
        Mistake("the whole backward is wrong", "Compare point by point: at some points the "
                "backward agrees with the central difference.", lambda T: list(POINTS)),
        Mistake("the positive side is wrong", "Check the sign: the branch for a >= 0 gives "
                "sigmoid(a); the other branch is the one that slipped.",
                lambda T: [p for p in POINTS if p > 0]),
        Mistake("the points where the backward agrees", "The question asks where it is "
                "*wrong*: where autograd and the central difference disagree.",
                lambda T: [p for p in POINTS if p >= 0])])
    return "the negative branch: 1 / (1 + exp(a)) is sigmoid(-a), not sigmoid(a)."


seal(globals())
