"""Lesson 05's checks: backward on non-scalar outputs is a vector-Jacobian product.

What each check takes from the student's work; the answers are in graders/answer_key/.
"""

import torch

from .checks import function_check, value_check
from .evidence import call, counting_backwards, handout, inputs, observe


@value_check("l05_ones", 1, "answer_ones")
def check_square_ones(answer):
    """answer: x.grad after y = x * x * 3; y.backward(torch.ones(3)), x = [1., -2., 0.5]."""


@value_check("l05_doubling", 2, "answer_doubling")
def check_doubling(answer):
    """answer: x.grad after the doubling loop from x = [3., 4., 0.] and y.backward(v)."""


FUNCTIONS = (
    ("x * x", lambda t: t * t, 4),
    ("sin(x) * sum(x)", lambda t: t.sin() * t.sum(), 3),
    ("x[:2] * sum(x)", lambda t: t[:2] * t.sum(), 3),
)


def jacobian_cases(hidden):
    """(x's values, (name, f, n)) of each run."""
    return [(inputs(seed, (n,))[0], (name, f, n))
            for seed in ((1, 2, 3) if hidden else (0,)) for name, f, n in FUNCTIONS]


def _twice(fn, f, *args):
    """Two calls with the same tensors, and the caller's x between them: what a function that
    touches its caller's tensors shows."""
    x = args[0]
    first = call(fn, f, *args).data
    x_after = observe(x)
    return {"call": first, "x_after": x_after, "again": call(fn, f, *args).data}


@function_check("l05_jacobian", 3, "jacobian")
def check_jacobian(jacobian, hidden=False):
    """jacobian(f, x): the m x n matrix dy_i/dx_j, one backward per row."""
    return [_twice(jacobian, handout(f), torch.tensor(values))
            for values, (_, f, _) in jacobian_cases(hidden)]


def vjp_cases(hidden):
    """(x's values, v's values, (name, f, n)) of each run."""
    cases = []
    for seed in (1, 2, 3) if hidden else (0,):
        for name, f, n in FUNCTIONS:
            (values,) = inputs(seed, (n,))
            m = len(f(torch.tensor(values)))
            (v,) = inputs(seed + 10, (m,))
            cases.append((values, v, (name, f, n)))
    return cases


@function_check("l05_vjp", 4, "vjp")
def check_vjp(vjp, hidden=False):
    """vjp(f, x, v): v^T J for f at x, with one backward call and no Jacobian."""
    runs = []
    for values, v, (_, f, _) in vjp_cases(hidden):
        counted, backwards = counting_backwards(f)
        x, v = torch.tensor(values), torch.tensor(v)
        first = call(vjp, counted, x, v).data
        runs.append({"call": first, "backwards": backwards.count, "x_after": observe(x),
                     "again": call(vjp, counted, x, v).data})
    return runs


@value_check("l05_broadcast", 5, "answer_broadcast")
def check_broadcast(answer):
    """answer: w.grad for (X * w + w).sum(), w of shape (3, 1), X = arange(12.).reshape(3, 4)."""
