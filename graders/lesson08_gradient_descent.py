"""Checks for lesson 08: fitting a line by gradient descent, by hand."""

import numpy as np
import torch

from .checking import (
    CheckFailed,
    Diagnosis,
    Mistake,
    attributes,
    backward,
    call_student,
    check,
    check_value,
    describe,
    fail,
    inputs,
    leaf,
    oracle,
    read,
    seal,
    verdict,
)


def data(seed=0, n=20):
    """The lesson's points: y = 3x + 0.5 plus a little noise."""
    rng = np.random.default_rng(seed)
    xs = np.linspace(0, 1, n, dtype=np.float32)
    ys = (3 * xs + 0.5 + rng.normal(0, 0.1, n)).astype(np.float32)
    return xs, ys


def mse(w, b, xs, ys):
    return ((w * xs + b - ys) ** 2).mean()


def _loss_and_grads(T, w0, b0, xs, ys, reduce="mean", power=2, root=False):
    w, b = leaf(T, w0), leaf(T, b0)
    error = w * T.tensor(xs) + b - T.tensor(ys)
    residual = error**2 if power == 2 else error.abs()
    loss = residual.mean() if reduce == "mean" else residual.sum()
    loss = loss.sqrt() if root else loss
    loss.backward()
    return [loss.item(), w.grad.item(), b.grad.item()]


MSE_MISTAKES = (
    Mistake("the sum, not the mean", "The mean squared error divides by the number of "
            "points: use .mean(), or the step size depends on how much data you have.",
            lambda T, *a: _loss_and_grads(T, *a, reduce="sum")),
    Mistake("the residuals not squared", "Squared error: (w x + b - y) ** 2; the absolute "
            "(or plain) residual is another loss.",
            lambda T, *a: _loss_and_grads(T, *a, power=1)),
    Mistake("the root of the mean square", "MSE has no square root: RMSE is another loss.",
            lambda T, *a: _loss_and_grads(T, *a, root=True)),
)
_OUTSIDE_GRAPH = Diagnosis(
    "a loss outside the graph", "Compute the loss from w and b with tensor operations, "
    "outside `torch.no_grad()` and without .item(), float() or .detach(): only then can "
    "backward reach w and b.")


@check
def check_mse(student_mse, hidden=False):
    """student_mse(w, b, xs, ys): the mean squared error of the line w x + b."""
    for seed in (0, 1, 2) if hidden else (0,):
        xs, ys = data(seed, n=20 + 5 * seed)
        w0, b0 = inputs(seed, (), ())
        w, b = torch.tensor(w0, requires_grad=True), torch.tensor(b0, requires_grad=True)
        loss = call_student(student_mse, w, b, torch.tensor(xs), torch.tensor(ys))
        try:
            outside = attributes(loss)["grad_fn"] is None
        except CheckFailed:
            fail(f"the loss is {describe(read(loss))}, not a tensor.", _OUTSIDE_GRAPH)
        if outside:
            fail("the loss has no grad_fn, so backward cannot reach w and b.", _OUTSIDE_GRAPH)
        backward(loss)
        got = [read(loss), attributes(w)["grad"], attributes(b)["grad"]]
        verdict("[loss, dloss/dw, dloss/db]", got, oracle(_loss_and_grads, w0, b0, xs, ys),
                MSE_MISTAKES, args=(w0, b0, xs, ys))
    return "the loss and its gradients are right."


def _fit(T, xs, ys, steps, lr, zero="wb", reduce="mean", sign=1.0):
    w, b = T.zeros((), requires_grad=True), T.zeros((), requires_grad=True)
    X, Y = T.tensor(xs), T.tensor(ys)
    for _ in range(steps):
        residual = (w * X + b - Y) ** 2
        loss = residual.mean() if reduce == "mean" else residual.sum()
        loss.backward()
        with T.no_grad():
            w -= sign * lr * w.grad
            b -= sign * lr * b.grad
        for name, p in (("w", w), ("b", b)):
            if name in zero:
                p.grad.zero_()
    return [w.item(), b.item()]


def _first_step(T, sign=1.0):
    xs, ys = data()
    return _fit(T, xs, ys, steps=1, lr=0.1 * sign)[0]


@check
def check_first_step(answer):
    """answer: w after one step with lr = 0.1 from w = b = 0 (a number)."""
    check_value(answer, "w after the first step", _first_step, [
        Mistake("a step up the gradient", "Gradient *descent* subtracts: w -= lr * w.grad.",
                lambda T: _first_step(T, sign=-1.0)),
        Mistake("the step without lr", "The step is lr * w.grad: 0.1 times the gradient.",
                lambda T: _first_step(T, sign=10.0)),
        Mistake("the gradient instead of the new w", "The question is w after the step, "
                "0 - lr * w.grad, not w.grad itself.", lambda T: _first_step(T, sign=-10.0))])
    return "one step downhill: w moves towards the slope of the data."


FIT_MISTAKES = (
    Mistake("no zero_() between steps", "Without w.grad.zero_() each step adds the new gradient "
            "to all the old ones, so the steps grow and the fit drifts.",
            lambda T, *a: _fit(T, *a, zero="")),
    Mistake("only w.grad zeroed", "b.grad accumulates too: zero both after each step "
            "(b.grad.zero_(), or b.grad = None).", lambda T, *a: _fit(T, *a, zero="w")),
    Mistake("only b.grad zeroed", "w.grad accumulates too: zero both after each step "
            "(w.grad.zero_(), or w.grad = None).", lambda T, *a: _fit(T, *a, zero="b")),
    Mistake("the sum, not the mean", "With .sum() the gradient is n times larger: the same lr "
            "takes n-times bigger steps.", lambda T, *a: _fit(T, *a, reduce="sum")),
    Mistake("steps up the gradient", "Gradient *descent* subtracts: w -= lr * w.grad.",
            lambda T, *a: _fit(T, *a, sign=-1.0)),
)
# the same rule on every input; the hidden cases only add data, step counts and rates
VISIBLE_FITS = ((0, 30, 0.5),)  # few steps: after 200, a b.grad never zeroed has caught up
HIDDEN_FITS = VISIBLE_FITS + ((1, 50, 0.3), (2, 300, 0.2), (3, 20, 0.1))


@check
def check_fit_line(fit_line, hidden=False):
    """fit_line(xs, ys, steps, lr): (w, b) after `steps` steps of gradient descent from 0, 0."""
    for seed, steps, lr in HIDDEN_FITS if hidden else VISIBLE_FITS:
        xs, ys = data(seed)
        got = read(call_student(fit_line, torch.tensor(xs), torch.tensor(ys), steps, lr))
        args = (xs, ys, steps, lr)
        verdict(f"(w, b) after {steps} steps with lr = {lr}", got, oracle(_fit, *args),
                FIT_MISTAKES, args=args)
    return "gradient descent by hand: requires_grad, backward, no_grad, zero_()."


@check
def check_rebinding(answer):
    """answer: "A", "B" or "C"."""
    check_value(answer, "what w.grad is after `w = w - lr * w.grad`", lambda T: "A", [
        Mistake("the new gradient", "w = w - lr * w.grad (recorded) makes a new, non-leaf w: "
                "backward no longer fills its .grad, which stays None.", lambda T: "B"),
        Mistake("zeros", "Nothing zeroes it: the new w is not a leaf, so its .grad is None.",
                lambda T: "C")])
    return "rebinding w outside no_grad loses the leaf: update in place under no_grad."


seal(globals())
