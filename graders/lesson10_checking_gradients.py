"""Lesson 10's checks: checking gradients with finite differences, and finding a wrong backward.

What each check takes from the student's work; the answers are in graders/answer_key/. The op
with a planted bug is part of the lesson: the learner hunts for it.
"""

import numpy as np
import torch

from autograd_core.functions import Function

from .checks import function_check, value_check
from .evidence import call, counting_backwards, inputs


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


def central_cases(hidden):
    """(x's values, h, (name, f)) of each run: a large h, where the formulas' errors differ
    clearly, and a small one, where float32 has no digits left."""
    cases = [(1, (3,), 0.1), (2, (5,), 1e-5), (3, (4,), 0.05)] if hidden else \
        [(0, (3,), 0.1), (0, (3,), 1e-6)]
    return [(inputs(seed, shape)[0].astype(np.float64), h, function)
            for seed, shape, h in cases for function in FUNCTIONS]


@function_check("l10_central", 1, "central_difference")
def check_central_difference(central_difference, hidden=False):
    """central_difference(f, x, h): (f(x + h e_i) - f(x - h e_i)) / 2h for each i."""
    runs = []
    for values, h, (_, f) in central_cases(hidden):
        counted, backwards = counting_backwards(f)
        run = call(central_difference, counted, torch.tensor(values), h)
        runs.append({"call": run.data, "backwards": backwards.count})
    return runs


@value_check("l10_kink", 2, "answer_kink")
def check_kink(answer):
    """answer: (central difference, x.grad) for relu at x = 0 with h = 1e-3."""


@value_check("l10_float32", 3, "answer_float32")
def check_float32(answer):
    """answer: the float32 central difference of x sin x at x = 1 with h = 1e-8."""


POINTS = (-2.0, -0.5, 0.0, 0.5, 2.0)


@value_check("l10_wrong", 4, "answer_wrong")
def check_wrong_points(answer):
    """answer: the points of POINTS where the planted softplus's backward is wrong, in order."""
