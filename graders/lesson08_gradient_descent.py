"""Lesson 08's checks: fitting a line by gradient descent, by hand.

What each check takes from the student's work; the answers are in graders/answer_key/.
"""

import numpy as np
import torch

from .checks import function_check, value_check
from .evidence import backward, call, inputs, observe


def data(seed=0, n=20):
    """The lesson's points: y = 3x + 0.5 plus a little noise."""
    rng = np.random.default_rng(seed)
    xs = np.linspace(0, 1, n, dtype=np.float32)
    ys = (3 * xs + 0.5 + rng.normal(0, 0.1, n)).astype(np.float32)
    return xs, ys


def mse_cases(hidden):
    """(xs, ys, w, b) of each run."""
    return [(*data(seed, n=20 + 5 * seed), *inputs(seed, (), ()))
            for seed in ((1, 2, 3) if hidden else (0,))]


@function_check("l08_mse", 1, "mse")
def check_mse(student_mse, hidden=False):
    """student_mse(w, b, xs, ys): the mean squared error of the line w x + b."""
    runs = []
    for xs, ys, w0, b0 in mse_cases(hidden):
        w, b = torch.tensor(w0, requires_grad=True), torch.tensor(b0, requires_grad=True)
        loss = call(student_mse, w, b, torch.tensor(xs), torch.tensor(ys))
        run = {"call": loss.data}
        if loss.returned and isinstance(loss.result, torch.Tensor) and loss.result.requires_grad:
            run["backward"] = backward(loss.result).data
            run["w_after"], run["b_after"] = observe(w), observe(b)
        runs.append(run)
    return runs


@value_check("l08_first", 2, "answer_first")
def check_first_step(answer):
    """answer: w after one step with lr = 0.1 from w = b = 0 (a number)."""


VISIBLE_FITS = ((0, 30, 0.5),)  # few steps: after 200, a b.grad never zeroed has caught up
HIDDEN_FITS = ((1, 50, 0.3), (2, 300, 0.2), (3, 20, 0.1))  # other data, step counts and rates


@function_check("l08_fit", 3, "fit_line")
def check_fit_line(fit_line, hidden=False):
    """fit_line(xs, ys, steps, lr): (w, b) after `steps` steps of gradient descent from 0, 0."""
    return [{"call": call(fit_line, *map(torch.tensor, data(seed)), steps, lr).data}
            for seed, steps, lr in (HIDDEN_FITS if hidden else VISIBLE_FITS)]


@value_check("l08_rebinding", 4, "answer_rebinding")
def check_rebinding(answer):
    """answer: "A", "B" or "C"."""
