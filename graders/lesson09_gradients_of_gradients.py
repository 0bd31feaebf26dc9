"""Lesson 09's checks: gradients of gradients -- create_graph, Hessian-vector products, Newton.

What each check takes from the student's work; the answers are in graders/answer_key/.
"""

import torch

from .checks import function_check, value_check
from .evidence import call, handout, inputs


@value_check("l09_second", 1, "answer_second")
def check_second_value(answer):
    """answer: d^2/dx^2 of x**4 at x = 2.5, as autograd.grad computes it twice."""


@value_check("l09_accumulated", 2, "answer_accumulated")
def check_accumulated(answer):
    """answer: x.grad after y.backward(create_graph=True); x.grad.backward(), y = x^3 + x^2."""


ELEMENTWISE = (  # f acts on each element alone, so f(x).sum() has every f'(x_i) as its gradient
    ("x^3 - 2x", lambda x: x**3 - 2 * x),
    ("exp(x) x", lambda x: x.exp() * x),
    ("1 / (x^2 + 1)", lambda x: (x * x + 1) ** -1),
    ("3x - 1", lambda x: 3 * x - 1),  # linear: f'' = 0, and f' has no graph
)


def second_cases(hidden):
    """((name, f), x's values) of each case: the visible ones, or the hidden ones (a linear f
    last, so that an answer that misses f'' = 0 has passed the others first)."""
    cases = [(1, 1, (6,)), (2, 2, (3,)), (3, 0, (1,)), (5, 3, (2,))] if hidden else \
        [(0, 0, (4,)), (4, 3, (3,))]
    return [(ELEMENTWISE[which], inputs(seed, shape, low=-1.5, high=1.5)[0])
            for seed, which, shape in cases]


@function_check("l09_second_derivative", 3, "second_derivative")
def check_second_derivative(second_derivative, hidden=False):
    """second_derivative(f, x): f''(x_i) for each element of the 1-d tensor x."""
    return [{"call": call(second_derivative, handout(f), torch.tensor(values)).data}
            for (_, f), values in second_cases(hidden)]


def cubic(x):
    return (x**3).sum() + (x**2).sum() * x.sum()  # its Hessian is not diagonal


def plane(x):
    return (2 * x).sum() - x[0]  # linear: H = 0, and its gradient has no graph


SCALAR = (("sum(x^3) + sum(x^2) * sum(x)", cubic), ("sum(2x) - x[0]", plane))


def hvp_cases(hidden):
    """((name, f), x's values, v's values) of each case, the linear f last."""
    sizes = [(1, 5, 0), (2, 2, 0), (3, 8, 0), (5, 4, 1)] if hidden else [(0, 3, 0), (4, 3, 1)]
    return [(SCALAR[which], *inputs(seed, (n,), (n,))) for seed, n, which in sizes]


@function_check("l09_hvp", 4, "hvp")
def check_hvp(hvp, hidden=False):
    """hvp(f, x, v): the Hessian of f at x times v, without building the Hessian."""
    return [{"call": call(hvp, handout(f), torch.tensor(x), torch.tensor(v)).data}
            for (_, f), x, v in hvp_cases(hidden)]


CONVEX = (
    ("exp(x) - 2x", lambda x: x.exp() - 2 * x),
    ("x^4 + x", lambda x: x**4 + x),
)


def newton_cases(hidden):
    """((name, f), x's value) of each case."""
    cases = [(1, 1), (2, 0), (3, 1)] if hidden else [(0, 0)]
    return [(CONVEX[which], inputs(seed, (), low=0.5, high=2.0)[0]) for seed, which in cases]


@function_check("l09_newton", 5, "newton_step")
def check_newton_step(newton_step, hidden=False):
    """newton_step(f, x): x - f'(x) / f''(x) for a 0-d tensor x."""
    return [{"call": call(newton_step, handout(f), torch.tensor(value)).data}
            for (_, f), value in newton_cases(hidden)]
