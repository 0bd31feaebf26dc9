"""Lesson 03's checks: backward() on a scalar, and the gradient it leaves in .grad.

What each check takes from the student's work; the answers are in graders/answer_key/.
"""

import torch

from .checks import function_check, value_check
from .evidence import call, handout, inputs, observe


@value_check("l03_blitz", 1, "answer_blitz")
def check_blitz_grad(answer):
    """answer: x.grad after the blitz's out.backward() with x = 2 everywhere (a 2x2 tensor)."""


@value_check("l03_d2l", 2, "answer_d2l")
def check_d2l_grad(answer):
    """answer: x.grad for y = 2 * dot(x, x), x = arange(4.)."""


@value_check("l03_cube", 3, "answer_cube")
def check_cube_grad(answer):
    """answer: x.grad for (x ** 3).sum() at x = [1., 2.]."""


FUNCTIONS = (
    ("sum(x^3)", lambda t: (t**3).sum()),
    ("sum(sin(x) x)", lambda t: (t.sin() * t).sum()),
    ("mean(exp(x))", lambda t: t.exp().mean()),
)


def grad_of_cases(hidden):
    """(x's values, (name, f)) of each run."""
    return [(inputs(seed, (4,) if seed % 2 == 0 else (2, 3))[0], function)
            for seed in ((1, 2, 3) if hidden else (0,)) for function in FUNCTIONS]


@function_check("l03_grad_of", 4, "grad_of")
def check_grad_of(grad_of, hidden=False):
    """grad_of(f, x): df/dx at x, for a scalar function f; x itself left untouched."""
    runs = []
    for values, (_, f) in grad_of_cases(hidden):
        x = torch.tensor(values)
        first = call(grad_of, handout(f), x).data
        x_after = observe(x)
        runs.append({"call": first, "x_after": x_after,
                     "again": call(grad_of, handout(f), x).data})
    return runs


@value_check("l03_hook", 5, "answer_hook")
def check_hook(answer):
    """answer: x.grad after y = x * x, y.register_hook(lambda g: g * 10), y.sum().backward()."""
