"""Checks for lesson 09: gradients of gradients -- create_graph, Hessian-vector products, Newton."""

import torch

from .checking import (
    Diagnosis,
    Mistake,
    call_student,
    check,
    check_value,
    fail,
    handout,
    inputs,
    leaf,
    oracle,
    quiet,
    read,
    seal,
    verdict,
)


def _grad(T, output, x, create_graph=False):
    (g,) = T.autograd.grad(output, x, create_graph=create_graph)
    return g


# -- the misconceptions of this lesson, shared by its checks -------------------------------
# (each check builds its Mistakes inside a function, so their scenarios see the sealed namespace)

NO_GRAPH = ("a gradient with no graph behind it",
            "The first gradient was computed without create_graph=True (or detached "
            "afterwards), so it has no grad_fn: autograd recorded nothing it could differentiate "
            "again. Compute it with torch.autograd.grad(..., create_graph=True) and keep it "
            "attached.")
NEW_LEAF = ("requires_grad_() on a detached gradient",
            "requires_grad_() makes the gradient a new leaf with no link back to x, so x does "
            "not appear in its graph. Keep the gradient attached: create_graph=True, no detach().")
ACCUMULATED = ("the first derivative added into the second",
               "backward() adds into x.grad, and after backward(create_graph=True) x.grad "
               "already holds the first derivative: the second backward adds on top of it. "
               "Use torch.autograd.grad for the first derivative, or set x.grad = None before "
               "the second backward.")


def _error_of(scenario, *args):
    """The message of the error a misconception's scenario raises on torch, or None."""
    try:
        with quiet():
            scenario(torch, *args)
    except Exception as error:  # noqa: BLE001 -- any error is what we compare with
        return str(error)
    return None


_RETURNED_NONE = Diagnosis(
    "a function that returns None", "x.grad is None when no backward reached x (and a function "
    "without a return statement returns None): return the derivative as a tensor.")


def _checked_call(fn, student_args, what, scenario, mistakes, args):
    """Call a student's function and compare what it returns with scenario(T, *args) on both
    engines. A wrong value is named after the misconception giving the same value; an error,
    after the misconception whose scenario raises the very same error."""
    errors = [(mistake, _error_of(mistake.scenario, *args)) for mistake in mistakes]
    result = call_student(fn, *student_args, errors=tuple(
        (error, mistake.diagnosis) for mistake, error in errors if error is not None))
    if result is None:
        fail("your function returned None.", _RETURNED_NONE)
    verdict(what, read(result), oracle(scenario, *args),
            [mistake for mistake, error in errors if error is None], args=args)


# -- exercise 1: predict a second derivative ------------------------------------------------

def _fourth_power(T, order=2):
    x = T.tensor(2.5, requires_grad=True)
    result = x**4
    for _ in range(order):
        result = _grad(T, result, x, create_graph=True)
    return result


@check
def check_second_value(answer):
    """answer: d^2/dx^2 of x**4 at x = 2.5, as autograd.grad computes it twice."""
    check_value(answer, "the second derivative of x**4 at x = 2.5", _fourth_power, [
        Mistake("the first derivative", "The first torch.autograd.grad gives 4x^3; the "
                "second one differentiates that again: 12x^2.",
                lambda T: _fourth_power(T, order=1)),
        Mistake("the value of the function", "x**4 itself is the zeroth derivative: "
                "differentiate twice, 4x^3 then 12x^2.", lambda T: _fourth_power(T, order=0)),
        Mistake("one derivative too many", "Two calls of autograd.grad, two derivatives: "
                "12x^2, not 24x.", lambda T: _fourth_power(T, order=3))])
    return "differentiate 4x^3 once more: 12x^2 = 75 at x = 2.5."


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


@check
def check_accumulated(answer):
    """answer: x.grad after y.backward(create_graph=True); x.grad.backward(), y = x^3 + x^2."""
    check_value(answer, "x.grad after both backward calls, at x = 1", _backward_twice, [
        Mistake("the second backward replaces .grad", "backward() always *adds* into "
                "x.grad: it held the first derivative 3x^2 + 2x = 5, and the second backward "
                "adds 6x + 2 = 8 on top.", lambda T: _backward_twice(T, replace=True)),
        Mistake("the second backward adds nothing", "With create_graph=True, x.grad is a "
                "tensor with a graph back to x: x.grad.backward() differentiates it and adds "
                "the second derivative 6x + 2 into x.grad.",
                lambda T: _backward_twice(T, second=False)),
        Mistake("the second backward repeats the first", "x.grad.backward() does not run y's "
                "backward again: it differentiates x.grad = 3x^2 + 2x and adds 6x + 2 = 8, "
                "not another 5.", lambda T: 2 * _backward_twice(T, second=False))])
    return "5 from the first backward plus 8 from the second: .grad accumulates across orders."


# -- exercise 3: write second_derivative(f, x) ----------------------------------------------

ELEMENTWISE = (  # f acts on each element alone, so f(x).sum() has every f'(x_i) as its gradient
    lambda x: x**3 - 2 * x,
    lambda x: x.exp() * x,
    lambda x: (x * x + 1) ** -1,
)


def _second(T, f, values, create_graph=True, detach=False, new_leaf=False, order=2,
            accumulate=False, summed=True):
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
    return g if order == 1 else _grad(T, g.sum(), x)


def _second_mistakes():
    return [
        Mistake(*NO_GRAPH, lambda T, f, v: _second(T, f, v, create_graph=False)),
        Mistake(*NO_GRAPH, lambda T, f, v: _second(T, f, v, detach=True)),
        Mistake(*NEW_LEAF, lambda T, f, v: _second(T, f, v, new_leaf=True)),
        Mistake(*ACCUMULATED, lambda T, f, v: _second(T, f, v, accumulate=True)),
        Mistake("the first derivative", "One autograd.grad gives f'(x); differentiate that "
                "result once more (its sum, as each f'(x_i) depends on x_i only).",
                lambda T, f, v: _second(T, f, v, order=1)),
        Mistake("a vector differentiated as if it were a scalar", "f(x) and its gradient hold one "
                "number per element. Differentiate their sum -- each term depends on its own x_i "
                "only -- or pass grad_outputs=torch.ones_like(x).",
                lambda T, f, v: _second(T, f, v, summed=False)),
    ]


def second_inputs(hidden):
    """(f, x) of each case: the visible one, then the hidden ones (new x, new f)."""
    cases = [(0, 0, (4,))] + ([(1, 1, (6,)), (2, 2, (3,)), (3, 0, (1,))] if hidden else [])
    return [(ELEMENTWISE[which], inputs(seed, shape, low=-1.5, high=1.5)[0])
            for seed, which, shape in cases]


@check
def check_second_derivative(second_derivative, hidden=False):
    """second_derivative(f, x): f''(x_i) for each element of the 1-d tensor x."""
    for f, values in second_inputs(hidden):
        _checked_call(second_derivative, (handout(f), torch.tensor(values)),
                      f"f''(x) for x = {[round(v, 3) for v in values.tolist()]}",
                      _second, _second_mistakes(), (f, values))
    return "create_graph=True keeps the first gradient differentiable."


# -- exercise 4: write hvp(f, x, v) ---------------------------------------------------------

def _cubic(x):
    return (x**3).sum() + (x**2).sum() * x.sum()  # its Hessian is not diagonal


def _hvp(T, values, v_values, create_graph=True, v_after=False, v_ignored=False,
         accumulate=False, unweighted=False):
    x, v = leaf(T, values), leaf(T, v_values, requires_grad=False)
    if accumulate:
        _cubic(x).backward(create_graph=True)
        (x.grad * v).sum().backward()
        return x.grad
    g = _grad(T, _cubic(x), x, create_graph=create_graph)
    if v_after:
        return _grad(T, g.sum(), x) * v
    if unweighted:
        return _grad(T, g, x)
    return _grad(T, g.sum() if v_ignored else (g * v).sum(), x)


def _hvp_mistakes():
    return [
        Mistake(*NO_GRAPH, lambda T, x, v: _hvp(T, x, v, create_graph=False)),
        Mistake(*ACCUMULATED, lambda T, x, v: _hvp(T, x, v, accumulate=True)),
        Mistake("v multiplied in after differentiating", "H v is the gradient of g . v: take the "
                "dot product of the gradient with v first, then differentiate. grad(g.sum()) * v "
                "multiplies the row sums of H by v instead.",
                lambda T, x, v: _hvp(T, x, v, v_after=True)),
        Mistake("v left out", "Differentiating g.sum() gives H times a vector of ones. Weight the "
                "gradient by v first: (g * v).sum().", lambda T, x, v: _hvp(T, x, v, v_ignored=True)),
        Mistake("the gradient vector differentiated without v", "The gradient g is a vector, so "
                "grad needs to know how to weight it: differentiate (g * v).sum(), or pass "
                "grad_outputs=v.", lambda T, x, v: _hvp(T, x, v, unweighted=True)),
    ]


def hvp_inputs(hidden):
    """(x, v) of each case: the visible one, then the hidden ones."""
    sizes = [(0, 3)] + ([(1, 5), (2, 2), (3, 8)] if hidden else [])
    return [tuple(inputs(seed, (n,), (n,))) for seed, n in sizes]


@check
def check_hvp(hvp, hidden=False):
    """hvp(f, x, v): the Hessian of f at x times v, without building the Hessian."""
    for values, v_values in hvp_inputs(hidden):
        _checked_call(hvp, (handout(_cubic), torch.tensor(values), torch.tensor(v_values)),
                      f"H v for n = {len(values)}", _hvp, _hvp_mistakes(), (values, v_values))
    return "two backward passes, no n-by-n matrix: H v = grad(grad(f) . v)."


# -- exercise 5: write newton_step(f, x) ----------------------------------------------------

CONVEX = (
    lambda x: x.exp() - 2 * x,
    lambda x: x**4 + x,
)


def _newton(T, f, value, create_graph=True, kind="newton"):
    x = leaf(T, value)
    if kind == "accumulate":  # f'' read from x.grad without a reset: it holds f' + f''
        f(x).backward(create_graph=True)
        first = x.grad.detach().clone()
        x.grad.backward()
        return x - first / x.grad
    first = _grad(T, f(x), x, create_graph=create_graph)
    if kind == "item":  # a Python number has no graph to differentiate
        return _grad(T, first.item(), x)
    second = _grad(T, first, x)
    step = {"newton": first / second, "gradient": first, "upside down": second / first,
            "uphill": -first / second}[kind]
    return (x - step).detach()


def _newton_mistakes():
    return [
        Mistake(*NO_GRAPH, lambda T, f, v: _newton(T, f, v, create_graph=False)),
        Mistake("a gradient turned into a Python number", ".item() gives a float: it has no "
                "graph, so autograd cannot differentiate it again. Keep the slope a tensor "
                "(create_graph=True) until both derivatives are taken.",
                lambda T, f, v: _newton(T, f, v, kind="item")),
        Mistake(*ACCUMULATED, lambda T, f, v: _newton(T, f, v, kind="accumulate")),
        Mistake("a gradient step, not a Newton step", "Newton divides the slope by the "
                "curvature: x - f'(x) / f''(x).", lambda T, f, v: _newton(T, f, v, kind="gradient")),
        Mistake("the ratio upside down", "The step is f'(x) / f''(x): slope over curvature.",
                lambda T, f, v: _newton(T, f, v, kind="upside down")),
        Mistake("a step uphill", "Newton subtracts the step: x - f'(x) / f''(x).",
                lambda T, f, v: _newton(T, f, v, kind="uphill")),
    ]


def newton_inputs(hidden):
    """(f, x) of each case: the visible one, then the hidden ones (new x, new f)."""
    cases = [(0, 0)] + ([(1, 1), (2, 0), (3, 1)] if hidden else [])
    return [(CONVEX[which], inputs(seed, (), low=0.5, high=2.0)[0]) for seed, which in cases]


@check
def check_newton_step(newton_step, hidden=False):
    """newton_step(f, x): x - f'(x) / f''(x) for a 0-d tensor x."""
    for f, value in newton_inputs(hidden):
        _checked_call(newton_step, (handout(f), torch.tensor(value)),
                      f"the new x after one step from x = {float(value):.4f}",
                      _newton, _newton_mistakes(), (f, value))
    return "one Newton step: slope over curvature, both from autograd."


seal(globals())
