"""Lesson 11's checks: your own op (torch.autograd.Function), versions, and torch.func.

What each check takes from the student's work; the answers are in graders/answer_key/. A check
of a Function class applies it to the check's inputs and differentiates through it: what comes
back -- values, gradients, errors -- is the data.
"""

from functools import cache

import numpy as np
import torch

from .checks import function_check, value_check
from .evidence import backward, call, handout, inputs, observe


def _apply(op):
    """op.apply, looked up when called: inside the check's time limit, its errors data."""

    def apply(*args):
        return op.apply(*args)

    return apply


# -- exercise 1: Power, x ** p for a number p --------------------------------------------------
def power_cases(hidden):
    """(x's values, p, v's values) of each run: x ** p, backpropagated with v flowing in. A 0 in
    x where p > 1 (the derivative is 0 there); x > 0 where p is not an integer."""
    if not hidden:
        x, v = inputs(0, (4,), (4,))
        x[1] = 0.0
        return [(x, 3.0, v)]
    x1, v1 = inputs(1, (2, 3), (2, 3))
    x1[0, 2] = 0.0
    x2, v2 = inputs(2, (5,), (5,), low=0.2, high=3.0)
    x3, v3 = inputs(3, (3,), (3,), low=0.5, high=2.0)
    x3[1] = -x3[1]
    return [(x1, 2.0, v1), (x2, 0.5, v2 - 1.5), (x3, -1.0, v3)]


@function_check("l11_power", 1, "Power")
def check_power(Power, hidden=False):
    """Power.apply(x, p): x ** p for a number p; backward gives grad * p * x ** (p - 1) for x
    and None for p."""
    runs = []
    for values, p, v in power_cases(hidden):
        x = torch.tensor(values, requires_grad=True)
        run = call(_apply(Power), x, p)
        entry = {"call": run.data}
        if run.returned and isinstance(run.result, torch.Tensor):
            entry["backward"] = backward(run.result, torch.tensor(v)).data
            entry["grad"] = observe(x.grad)
        runs.append(entry)
    return runs


# -- exercise 2: which inputs need a gradient ----------------------------------------------------
@value_check("l11_needs", 2, "answer_needs")
def check_needs_input_grad(answer):
    """answer: ctx.needs_input_grad as Scale's backward prints it, for Scale.apply(x, b, s)."""


# -- exercise 3: SiLU, with a backward that can be differentiated again ---------------------------
def silu_cases(hidden):
    """(x's values, v's values, u's values) of each run, float64: v weights the first gradient
    (taken with create_graph=True), u the second."""
    cases = [(1, (2, 3)), (2, (6,)), (3, ())] if hidden else [(0, (4,))]
    return [tuple(a.astype(np.float64) for a in inputs(seed, shape, shape, shape, low=-3.0,
                                                        high=3.0))
            for seed, shape in cases]


def first_gradient(y, x, v):
    """dy/dx weighted by v, recorded (create_graph=True) so it can be differentiated again."""
    (g,) = torch.autograd.grad(y, x, v, create_graph=True)
    return g


def second_gradient(g, x, u):
    (h,) = torch.autograd.grad(g, x, u)
    return h


@function_check("l11_silu", 3, "SiLU")
def check_silu(SiLU, hidden=False):
    """SiLU.apply(x): x * sigmoid(x); its backward differentiable again (create_graph=True)."""
    runs = []
    for values, v, u in silu_cases(hidden):
        x = torch.tensor(values, requires_grad=True)
        run = call(_apply(SiLU), x)
        entry = {"call": run.data}
        if run.returned and isinstance(run.result, torch.Tensor):
            first = call(first_gradient, run.result, x, torch.tensor(v))
            entry["first"] = first.data
            if first.returned and isinstance(first.result, torch.Tensor):
                entry["second"] = call(second_gradient, first.result, x, torch.tensor(u)).data
        runs.append(entry)
    return runs


# -- exercise 4: versions ------------------------------------------------------------------------
@value_check("l11_versions", 4, "answer_versions")
def check_versions(answer):
    """answer: (the version the error says the tensor is at, the version it expected)."""


# -- exercise 5: per-example gradients -----------------------------------------------------------
LOSSES = (  # one example's loss: w and x of shape (D,), y a number; tensor methods only
    ("squared error", lambda w, x, y: ((x * w).sum() - y) ** 2),
    ("logistic", lambda w, x, y: (1 + (-y * (x * w).sum()).exp()).log()),
    ("tanh error", lambda w, x, y: ((x * w).sum() - y).tanh() ** 2),
)


def per_example_cases(hidden):
    """((name, loss), w, X, Y) of each run: N examples (rows of X) of D features, N != D."""
    cases = [(1, 1, 5, 2), (2, 2, 2, 4), (3, 0, 1, 3)] if hidden else [(0, 0, 4, 3)]
    found = []
    for seed, which, n, d in cases:
        w, X, Y = inputs(seed, (d,), (n, d), (n,))
        found.append((LOSSES[which], w, X, np.sign(Y) if which == 1 else Y))
    return found


@cache
def warm_func():
    """torch.func's first call imports torch's compiler stack: seconds, on a loaded machine more
    than a call's time limit. Paid once, before the student's function is timed (an alarm in the
    middle of that import would also leave it half done)."""
    torch.func.grad(lambda t: t.sum())(torch.ones(1))


def caller_tensors(given):
    """The caller's tensors after the student's function ran: unchanged, if it is right."""
    return dict(zip("wXY", map(observe, given)))


@function_check("l11_per_example", 5, "per_example_grads")
def check_per_example(per_example_grads, hidden=False):
    """per_example_grads(loss, w, X, Y): row i is the gradient of loss(w, X[i], Y[i]) with
    respect to w."""
    warm_func()
    runs = []
    for (_, loss), w, X, Y in per_example_cases(hidden):
        given = tuple(torch.tensor(a) for a in (w, X, Y))
        first = call(per_example_grads, handout(loss), *given)
        again = call(per_example_grads, handout(loss), *given)  # nothing carried over
        runs.append({"call": first.data, "again": again.data, "caller": caller_tensors(given)})
    return runs


# -- exercise 6: shapes --------------------------------------------------------------------------
@value_check("l11_shapes", 6, "answer_shapes")
def check_shapes(answer):
    """answer: the shapes of A, B and C, each a list of ints."""
