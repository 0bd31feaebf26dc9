"""Lesson 04's checks: gradients accumulate in .grad, and zero_() resets them.

What each check takes from the student's work; the answers are in graders/answer_key/.
"""

import torch

from .checks import function_check, value_check
from .evidence import call, handout, inputs, observe


@value_check("l04_three", 1, "answer_three")
def check_three_backwards(answer):
    """answer: x.grad after (2 * x).sum().backward() three times, x = arange(4.)."""


@value_check("l04_seed", 2, "answer_seed")
def check_zero_between(answer):
    """answer: x.grad at the end of exercise 2's cell (a 2x2 tensor)."""


LOSSES = (
    ("sum(w^2)", lambda w: (w * w).sum()),
    ("sum(3w)", lambda w: (3 * w).sum()),
    ("mean(exp(w))", lambda w: w.exp().mean()),
)
CARRIED = 10.0  # a gradient w already holds on entry, in the second run of each input


def separate_cases(hidden):
    """(w's values, the gradient w holds on entry) of each run."""
    seeds = (1, 2, 3) if hidden else (0,)
    return [(inputs(seed, (2, 2) if seed == 2 else (3,))[0], carried)
            for seed in seeds for carried in (0.0, CARRIED)]


@function_check("l04_separate", 3, "separate_grads")
def check_separate_grads(separate_grads, hidden=False):
    """separate_grads(w, losses): [d loss/dw for each loss], each on its own, whatever w.grad
    holds on entry -- and w.grad as it was when the function returns."""
    runs = []
    for values, carried in separate_cases(hidden):
        w = torch.tensor(values, requires_grad=True)
        if carried:
            w.grad = torch.full(w.shape, carried)
        run = call(separate_grads, w, [handout(loss) for _, loss in LOSSES])
        runs.append({"call": run.data, "w_after": observe(w)})
    return runs


def batch_loss(w, batch):
    return ((w * batch - 1) ** 2).mean()


def average_cases(hidden):
    """(w's values, [the batches]) of each run."""
    return [(values, batches) for values, *batches in
            (inputs(seed, (3,), (3,), (3,), (3,), (3,)) for seed in ((1, 2, 3) if hidden else (0,)))]


@function_check("l04_average", 4, "average_grad")
def check_average_grad(average_grad, hidden=False):
    """average_grad(w, batches, loss_fn): the mean over batches of d loss_fn(w, batch)/dw, with
    the caller's w.grad still None afterwards."""
    runs = []
    for values, batches in average_cases(hidden):
        w = torch.tensor(values, requires_grad=True)
        run = call(average_grad, w, [torch.tensor(b) for b in batches], handout(batch_loss))
        runs.append({"call": run.data, "w_after": observe(w)})
    return runs


@value_check("l04_retain", 6, "answer_retain")
def check_retained_twice(answer):
    """answer: x.grad after out.backward(retain_graph=True); out.backward(), out = sum(x * x)."""
