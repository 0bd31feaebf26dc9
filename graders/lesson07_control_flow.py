"""Lesson 07's checks: gradients through Python control flow.

What each check takes from the student's work; the answers are in graders/answer_key/.
"""

import torch

from .checks import function_check, value_check
from .evidence import backward, call, inputs, observe


def f(a):
    """D2L 2.5's function: double until the norm reaches 100, then maybe scale by 100."""
    b = a * 2
    while b.norm() < 100:
        b = b * 2
    c = b if b.sum() > 0 else 100 * b
    return c


@value_check("l07_positive", 1, "answer_positive")
def check_grad_positive(answer):
    """answer: a.grad after d = f(a); d.backward() with a = 0.05."""


@value_check("l07_negative", 2, "answer_negative")
def check_grad_negative(answer):
    """answer: a.grad after d = f(a); d.backward() with a = -1.7."""


@value_check("l07_recorded", 3, "answer_recorded")
def check_what_is_recorded(answer):
    """answer: the nodes of the graph behind d = f(0.4), as {class name: count}."""


def abs_cases(hidden):
    """The values of x: two per seed, none too close to the kink at 0."""
    values = [float(v) for seed in ((2, 3, 4, 5) if hidden else (0, 1))
              for v in inputs(seed, (), (), low=-3, high=3)]
    return [v if abs(v) > 0.1 else 0.5 for v in values]


@function_check("l07_my_abs", 4, "my_abs")
def check_my_abs(my_abs, hidden=False):
    """my_abs(x): |x| for a 0-d tensor, written with `if`, with gradient sign(x)."""
    runs = []
    for value in abs_cases(hidden):
        x = torch.tensor(value, requires_grad=True)
        y = call(my_abs, x)
        run = {"call": y.data}
        if y.returned and isinstance(y.result, torch.Tensor) and y.result.requires_grad:
            run["backward"] = backward(y.result).data
            run["x_after"] = observe(x)
        runs.append(run)
    return runs


@value_check("l07_kink_grads", 5, "answer_kink_grads")
def check_kink_grads(answer):
    """answer: x.grad of the relu hat at its kinks x = [0., 1., 2.]."""
