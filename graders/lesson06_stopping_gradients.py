"""Lesson 06's checks: no_grad, detach() and .data stop gradients; in-place updates.

What each check takes from the student's work; the answers are in graders/answer_key/.
"""

import torch

from .checks import function_check, value_check
from .evidence import call, inputs, observe


@value_check("l06_flags", 1, "answer_flags")
def check_flags(answer):
    """answer: the four requires_grad values printed in exercise 1, in order."""


@value_check("l06_detach", 2, "answer_detach")
def check_detach_grad(answer):
    """answer: x.grad for (u * x + y).sum() with y = x * x, u = y.detach(), x = [1., 2., 3.]."""


@value_check("l06_memory", 3, "answer_memory")
def check_shared_memory(answer):
    """answer: x.sum().item() after d = x.detach(); d += 1, and a clone c *= 10, x = [2., 0., -1.]."""


def step_cases(hidden):
    """(w's values, lr) of each run."""
    return [(inputs(seed, (2, 2) if seed == 2 else (3,))[0], 0.1 * (seed + 1))
            for seed in ((1, 2, 3) if hidden else (0,))]


@function_check("l06_sgd", 4, "sgd_step")
def check_sgd_step(sgd_step, hidden=False):
    """sgd_step(w, lr): w -= lr * w.grad in place, without recording; then reset w.grad."""
    runs = []
    for values, lr in step_cases(hidden):
        w = torch.tensor(values, requires_grad=True)
        (w**2).sum().backward()
        run = call(sgd_step, w, lr)
        runs.append({"call": run.data, "w_after": observe(w)})
    return runs


@value_check("l06_modes", 5, "answer_modes")
def check_grad_modes(answer):
    """answer: (b.requires_grad, b.grad is None, p.requires_grad, y.requires_grad), exercise 5."""
