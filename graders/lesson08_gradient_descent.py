"""Checks for lesson 08: fitting a line by gradient descent, by hand."""

import numpy as np
import torch

from .checking import (
    CheckFailed,
    Mistake,
    attributes,
    call_student,
    check,
    check_value,
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


def _loss_and_grads(T, w0, b0, xs, ys, reduce="mean"):
    w, b = leaf(T, w0), leaf(T, b0)
    residual = (w * T.tensor(xs) + b - T.tensor(ys)) ** 2
    loss = residual.mean() if reduce == "mean" else residual.sum()
    loss.backward()
    return [loss.item(), w.grad.item(), b.grad.item()]


@check
def check_mse(student_mse, hidden=False):
    """student_mse(w, b, xs, ys): the mean squared error of the line w x + b."""
    for seed in (0, 1, 2) if hidden else (0,):
        xs, ys = data(seed, n=20 + 5 * seed)
        w0, b0 = inputs(seed, (), ())
        w, b = torch.tensor(w0, requires_grad=True), torch.tensor(b0, requires_grad=True)
        loss = call_student(student_mse, w, b, torch.tensor(xs), torch.tensor(ys))
        if attributes(loss)["grad_fn"] is None:
            raise CheckFailed("Not yet: the loss has no grad_fn, so backward cannot reach w and "
                              "b. Compute it from w and b with tensor operations.")
        loss.backward()
        got = [read(loss), read(w.grad), read(b.grad)]
        verdict("[loss, dloss/dw, dloss/db]", got, oracle(_loss_and_grads, w0, b0, xs, ys), [
            Mistake("the sum, not the mean", "The mean squared error divides by the number of "
                    "points: use .mean(), or the step size depends on how much data you have.",
                    lambda T, *a: _loss_and_grads(T, *a, reduce="sum"))],
            args=(w0, b0, xs, ys))
    return "the loss and its gradients are right."


def _fit(T, xs, ys, steps, lr, zero=True, reduce="mean"):
    w, b = T.zeros((), requires_grad=True), T.zeros((), requires_grad=True)
    X, Y = T.tensor(xs), T.tensor(ys)
    for _ in range(steps):
        residual = (w * X + b - Y) ** 2
        loss = residual.mean() if reduce == "mean" else residual.sum()
        loss.backward()
        with T.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        if zero:
            w.grad.zero_()
            b.grad.zero_()
    return [w.item(), b.item()]


def _first_step(T, sign=1.0):
    xs, ys = data()
    return _fit(T, xs, ys, steps=1, lr=0.1 * sign)[0]


@check
def check_first_step(answer):
    """answer: w after one step with lr = 0.1 from w = b = 0 (a number)."""
    check_value(answer, "w after the first step", _first_step, [
        Mistake("a step up the gradient", "Gradient *descent* subtracts: w -= lr * w.grad.",
                lambda T: _first_step(T, sign=-1.0))])
    return "one step downhill: w moves towards the slope of the data."


@check
def check_fit_line(fit_line, hidden=False):
    """fit_line(xs, ys, steps, lr): (w, b) after `steps` steps of gradient descent from 0, 0."""
    for seed, steps, lr in [(0, 200, 0.5)] + ([(1, 50, 0.3), (2, 300, 0.2)] if hidden else []):
        xs, ys = data(seed)
        result = call_student(fit_line, torch.tensor(xs), torch.tensor(ys), steps, lr)
        got = read(list(result)) if type(result) in (list, tuple) else read(result)
        args = (xs, ys, steps, lr)
        verdict(f"(w, b) after {steps} steps with lr = {lr}", got, oracle(_fit, *args), [
            Mistake("no zero_() between steps", "Without w.grad.zero_() each step adds the "
                    "new gradient to all the old ones, so the steps grow and the fit drifts.",
                    lambda T, *a: _fit(T, *a, zero=False)),
            Mistake("the sum, not the mean", "With .sum() the gradient is n times larger: "
                    "the same lr takes n-times bigger steps.",
                    lambda T, *a: _fit(T, *a, reduce="sum"))], args=args)
    return "gradient descent by hand: requires_grad, backward, no_grad, zero_()."


@check
def check_rebinding(answer):
    """answer: "A", "B" or "C"."""
    check_value(answer, "what happens at the second update with `w = w - lr * w.grad`",
                lambda T: "A", [
        Mistake("the loop goes on without learning", "It does not go on: the new w is not a "
                "leaf, so backward leaves its .grad at None, and lr * None raises a TypeError "
                "at the next update.", lambda T: "B"),
        Mistake("the rebound w still gets its gradient", "w = w - lr * w.grad (recorded) makes "
                "a new, non-leaf w: backward no longer fills its .grad, which stays None.",
                lambda T: "C")])
    return "rebinding w outside no_grad loses the leaf: update in place under no_grad."


seal(globals())
