"""Lesson 09's answers: create_graph, second derivatives, Hessian-vector products, Newton."""

import torch

from graders.evidence import quiet
from graders.lesson09_gradients_of_gradients import hvp_cases, newton_cases, second_cases
from graders.verdict import Diagnosis

from . import Build, Predict
from .judging import Mistake, analyse_form, expect, fail, leaf, oracle, returned, runs


def _grad(T, output, x, create_graph=False):
    (g,) = T.autograd.grad(output, x, create_graph=create_graph)
    return g


# -- the misconceptions of this lesson, shared by its checks -------------------------------
NO_GRAPH = ("a gradient with no graph behind it",
            "The first gradient was computed without create_graph=True (or detached "
            "afterwards), so it has no grad_fn: autograd recorded nothing it could differentiate "
            "again. Compute it with torch.autograd.grad(..., create_graph=True) and keep it "
            "attached.")
NEW_LEAF = ("requires_grad_() on a detached gradient",
            "requires_grad_() makes the gradient a new leaf with no link back to x, so x does "
            "not appear in its graph. Keep the gradient attached: create_graph=True, no detach().")
LINEAR = ("f'' = 0 not handled",
          "For a linear f the first derivative is a constant: autograd.grad gives it back with no "
          "graph, even with create_graph=True, and differentiating it again raises. Check "
          "g.requires_grad: when it is False, the second derivative is zero (section 2).")
ACCUMULATED = ("the first derivative added into the second",
               "backward() adds into x.grad, and after backward(create_graph=True) x.grad "
               "already holds the first derivative: the second backward adds on top of it. "
               "Use torch.autograd.grad for the first derivative, or set x.grad = None before "
               "the second backward.")


_RETURNED_NONE = Diagnosis(
    "a function that returns None", "x.grad is None when no backward reached x (and a function "
    "without a return statement returns None): return the derivative as a tensor.")


def _error_of(scenario, *args):
    """The message of the error a misconception's scenario raises on torch, or None."""
    try:
        with quiet():
            scenario(torch, *args)
    except Exception as error:  # noqa: BLE001 -- any error is what we compare with
        return str(error)
    return None


def _checked(run, what, expected_scenario, mistakes, args, inputs, hidden):
    """A student's result against scenario(T, *args) on both engines. A wrong value is named
    after the misconception giving the same value; an error, after the misconception whose
    scenario raises the very same error."""
    errors = [(mistake, _error_of(mistake.scenario, *args)) for mistake in mistakes]
    got, _ = returned(run.get("call"), what, tuple(
        (error, mistake.diagnosis) for mistake, error in errors if error is not None))
    if got is None:
        fail(f"{what} returned None.", _RETURNED_NONE)
    expect(got, oracle(expected_scenario, *args), what, inputs,
           [mistake for mistake, error in errors if error is None], args=args, hidden=hidden)


# -- exercise 1: predict a second derivative ------------------------------------------------

def _fourth_power(T, order=2):
    x = T.tensor(2.5, requires_grad=True)
    result = x**4
    for _ in range(order):
        result = _grad(T, result, x, create_graph=True)
    return result


SECOND = Predict(
    "the second derivative of x**4 at x = 2.5", _fourth_power,
    "differentiate 4x^3 once more: 12x^2 = 75 at x = 2.5.", (
        Mistake("the first derivative", "Each torch.autograd.grad differentiates once: the "
                "second one differentiates what the first returned.",
                lambda T: _fourth_power(T, order=1)),
        Mistake("the value of the function", "x**4 itself is the zeroth derivative: h comes "
                "from two calls of autograd.grad.", lambda T: _fourth_power(T, order=0)),
        Mistake("one derivative too many", "Count the calls of autograd.grad: two calls, two "
                "derivatives.", lambda T: _fourth_power(T, order=3))),
    analyser=analyse_form)


# -- exercise 2: predict what accumulates in x.grad -----------------------------------------

def _backward_twice(T, second=True, replace=False):
    x = T.tensor(1.0, requires_grad=True)
    y = x**3 + x**2
    y.backward(create_graph=True)
    first = x.grad
    if replace:
        x.grad = None
    if second:
        first.backward()
    return x.grad


ACCUMULATED_VALUE = Predict(
    "x.grad after both backward calls, at x = 1", _backward_twice,
    "5 from the first backward (3x^2 + 2x) plus 8 from the second (6x + 2): .grad accumulates "
    "across orders.", (
        Mistake("the second backward replaces .grad", "backward() always *adds* into x.grad: "
                "what the first backward left there is still in the sum.",
                lambda T: _backward_twice(T, replace=True)),
        Mistake("the second backward adds nothing", "With create_graph=True, x.grad is a tensor "
                "with a graph back to x: x.grad.backward() differentiates it and adds the "
                "result into x.grad.", lambda T: _backward_twice(T, second=False)),
        Mistake("the second backward repeats the first", "x.grad.backward() does not run y's "
                "backward again: it differentiates x.grad, the first derivative, once more.",
                lambda T: 2 * _backward_twice(T, second=False))),
    analyser=analyse_form)


# -- exercise 3: second_derivative(f, x) ----------------------------------------------------

def _second(T, f, values, create_graph=True, detach=False, new_leaf=False, order=2,
            accumulate=False, summed=True, linear=True):
    x = leaf(T, values)
    if not summed:  # a vector handed to grad as if it were a scalar
        return _grad(T, f(x), x)
    if accumulate:  # first and second derivative through x.grad, no reset in between
        f(x).sum().backward(create_graph=True)
        x.grad.sum().backward()
        return x.grad
    g = _grad(T, f(x).sum(), x, create_graph=create_graph)
    if detach:
        g = g.detach()
    if new_leaf:
        g = g.detach().requires_grad_()
    if order == 1:
        return g
    if linear and create_graph and not detach and not g.requires_grad:  # f'' = 0
        return T.zeros_like(x)
    return _grad(T, g.sum(), x)


SECOND_MISTAKES = (  # a mistake that raises is named by the first one raising the same error
    Mistake(*LINEAR, lambda T, f, v: _second(T, f, v, linear=False)),
    Mistake(*NO_GRAPH, lambda T, f, v: _second(T, f, v, create_graph=False)),
    Mistake(*NO_GRAPH, lambda T, f, v: _second(T, f, v, detach=True)),
    Mistake(*NEW_LEAF, lambda T, f, v: _second(T, f, v, new_leaf=True)),
    Mistake(*ACCUMULATED, lambda T, f, v: _second(T, f, v, accumulate=True)),
    Mistake("the first derivative", "One autograd.grad gives f'(x); differentiate that result "
            "once more (its sum, as each f'(x_i) depends on x_i only).",
            lambda T, f, v: _second(T, f, v, order=1)),
    Mistake("a vector differentiated as if it were a scalar", "f(x) and its gradient hold one "
            "number per element. Differentiate their sum -- each term depends on its own x_i "
            "only -- or pass grad_outputs=torch.ones_like(x).",
            lambda T, f, v: _second(T, f, v, summed=False)),
)


def _judge_second(collected, hidden):
    cases = second_cases(hidden)
    for ((label, f), values), run in zip(cases, runs(collected, len(cases))):
        _checked(run, f"second_derivative({label}, x)", _second, SECOND_MISTAKES, (f, values),
                 [("x", values.tolist())], hidden)


# -- exercise 4: hvp(f, x, v) ---------------------------------------------------------------

def _hvp(T, f, values, v_values, create_graph=True, v_after=False, v_ignored=False,
         accumulate=False, unweighted=False, linear=True):
    x, v = leaf(T, values), leaf(T, v_values, requires_grad=False)
    if accumulate:
        f(x).backward(create_graph=True)
        (x.grad * v).sum().backward()
        return x.grad
    g = _grad(T, f(x), x, create_graph=create_graph)
    if linear and create_graph and not g.requires_grad:  # H = 0
        return T.zeros_like(x)
    if v_after:
        return _grad(T, g.sum(), x) * v
    if unweighted:
        return _grad(T, g, x)
    return _grad(T, g.sum() if v_ignored else (g * v).sum(), x)


HVP_MISTAKES = (  # a mistake that raises is named by the first one raising the same error
    Mistake(*LINEAR, lambda T, f, x, v: _hvp(T, f, x, v, linear=False)),
    Mistake(*NO_GRAPH, lambda T, f, x, v: _hvp(T, f, x, v, create_graph=False)),
    Mistake(*ACCUMULATED, lambda T, f, x, v: _hvp(T, f, x, v, accumulate=True)),
    Mistake("v multiplied in after differentiating", "H v is the gradient of g . v: take the "
            "dot product of the gradient with v first, then differentiate. grad(g.sum()) * v "
            "multiplies the row sums of H by v instead.",
            lambda T, f, x, v: _hvp(T, f, x, v, v_after=True)),
    Mistake("v left out", "Differentiating g.sum() gives H times a vector of ones. Weight the "
            "gradient by v first: (g * v).sum().",
            lambda T, f, x, v: _hvp(T, f, x, v, v_ignored=True)),
    Mistake("the gradient vector differentiated without v", "The gradient g is a vector, so "
            "grad needs to know how to weight it: differentiate (g * v).sum(), or pass "
            "grad_outputs=v.", lambda T, f, x, v: _hvp(T, f, x, v, unweighted=True)),
)


def _judge_hvp(collected, hidden):
    cases = hvp_cases(hidden)
    for ((label, f), values, v_values), run in zip(cases, runs(collected, len(cases))):
        _checked(run, f"hvp({label}, x, v)", _hvp, HVP_MISTAKES, (f, values, v_values),
                 [("x", values.tolist()), ("v", v_values.tolist())], hidden)


# -- exercise 5: newton_step(f, x) ----------------------------------------------------------

def _newton(T, f, value, create_graph=True, kind="newton"):
    x = leaf(T, value)
    if kind == "accumulate":  # f'' read from x.grad without a reset: it holds f' + f''
        f(x).backward(create_graph=True)
        first = x.grad.detach().clone()
        x.grad.backward()
        return x - first / x.grad
    if kind == "root":  # Newton's method for a root of f, not for a minimum
        slope = _grad(T, f(x), x)
        return (x - f(x) / slope).detach()
    first = _grad(T, f(x), x, create_graph=create_graph)
    if kind == "item":  # a Python number has no graph to differentiate
        return _grad(T, first.item(), x)
    second = _grad(T, first, x)
    step = {"newton": first / second, "gradient": first, "upside down": second / first,
            "uphill": -first / second}[kind]
    return (x - step).detach()


NEWTON_MISTAKES = (
    Mistake(*NO_GRAPH, lambda T, f, v: _newton(T, f, v, create_graph=False)),
    Mistake("a gradient turned into a Python number", ".item() gives a float: it has no graph, "
            "so autograd cannot differentiate it again. Keep the slope a tensor "
            "(create_graph=True) until both derivatives are taken.",
            lambda T, f, v: _newton(T, f, v, kind="item")),
    Mistake(*ACCUMULATED, lambda T, f, v: _newton(T, f, v, kind="accumulate")),
    Mistake("a gradient step, not a Newton step", "Newton divides the slope by the curvature: "
            "x - f'(x) / f''(x).", lambda T, f, v: _newton(T, f, v, kind="gradient")),
    Mistake("the ratio upside down", "The step is f'(x) / f''(x): slope over curvature.",
            lambda T, f, v: _newton(T, f, v, kind="upside down")),
    Mistake("a step uphill", "Newton subtracts the step: x - f'(x) / f''(x).",
            lambda T, f, v: _newton(T, f, v, kind="uphill")),
    Mistake("Newton on f instead of f'", "x - f(x) / f'(x) looks for a zero of f; a minimum is "
            "a zero of f', so Newton's step uses f' and f'': x - f'(x) / f''(x).",
            lambda T, f, v: _newton(T, f, v, kind="root")),
)


def _judge_newton(collected, hidden):
    cases = newton_cases(hidden)
    for ((label, f), value), run in zip(cases, runs(collected, len(cases))):
        _checked(run, f"newton_step({label}, x)", _newton, NEWTON_MISTAKES, (f, value),
                 [("x", float(value))], hidden)


KEY = {
    "l09_second": SECOND,
    "l09_accumulated": ACCUMULATED_VALUE,
    "l09_second_derivative": Build(_judge_second, "create_graph=True keeps the first gradient "
                                                  "differentiable."),
    "l09_hvp": Build(_judge_hvp, "two backward passes, no n-by-n matrix: H v = grad(grad(f) . v)."),
    "l09_newton": Build(_judge_newton, "one Newton step: slope over curvature, both from "
                                       "autograd."),
}
