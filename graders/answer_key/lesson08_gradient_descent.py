"""Lesson 08's answers: the mean squared error, one step, a whole fit, and rebinding."""

from graders.lesson08_gradient_descent import HIDDEN_FITS, VISIBLE_FITS, data, mse_cases
from graders.verdict import Diagnosis

from . import Build, Predict
from .judging import Mistake, analyse_form, choice, expect, fail, leaf, observed, oracle, returned, runs


def _loss_and_grads(T, w0, b0, xs, ys, reduce="mean", power=2, root=False, b_sign=1.0):
    w, b = leaf(T, w0), leaf(T, b0)
    error = w * T.tensor(xs) + b_sign * b - T.tensor(ys)
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
    Mistake("a sign wrong in the residual", "The line is w x + b: the residual is "
            "w * xs + b - ys, each term with its own sign.",
            lambda T, *a: _loss_and_grads(T, *a, b_sign=-1.0)),
)
_OUTSIDE_GRAPH = Diagnosis(
    "a loss outside the graph", "Compute the loss from w and b with tensor operations, "
    "outside `torch.no_grad()` and without .item(), float() or .detach(): only then can "
    "backward reach w and b.")


def _judge_mse(collected, hidden):
    cases = mse_cases(hidden)
    for (xs, ys, w0, b0), run in zip(cases, runs(collected, len(cases))):
        what = "mse(w, b, xs, ys)"
        loss, facts = returned(run.get("call"), what)
        if facts is None:
            fail(f"the loss is {loss!r}, not a tensor.", _OUTSIDE_GRAPH)
        if not facts["requires_grad"]:
            fail("the loss has no grad_fn, so backward cannot reach w and b.", _OUTSIDE_GRAPH)
        returned(run.get("backward"), f"backward() from {what}")
        grads = [observed(run.get(name))[1]["grad"] for name in ("w_after", "b_after")]
        expect([loss, *grads], oracle(_loss_and_grads, w0, b0, xs, ys),
               "[loss, dloss/dw, dloss/db]",
               [("w", float(w0)), ("b", float(b0)), ("xs", xs.tolist()), ("ys", ys.tolist())],
               MSE_MISTAKES, args=(w0, b0, xs, ys), hidden=hidden)


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


def _first_step_without_the_2(T):
    return _first_step(T) / 2


FIRST = Predict(
    "w after the first step", _first_step,
    "from w = b = 0, dL/dw = -2 mean(x y): one step downhill, w = 0.2 mean(x y).", (
        Mistake("a step up the gradient", "Gradient *descent* subtracts: w -= lr * w.grad.",
                lambda T: _first_step(T, sign=-1.0)),
        Mistake("the step without lr", "The step is lr * w.grad: the learning rate times the "
                "gradient.", lambda T: _first_step(T, sign=10.0)),
        Mistake("the gradient instead of the new w", "The question is w after the step, "
                "0 - lr * w.grad, not w.grad itself.", lambda T: _first_step(T, sign=-10.0)),
        Mistake("the square's factor 2 dropped", "d/dw (w x + b - y)^2 = 2 (w x + b - y) x: "
                "the chain rule brings the exponent down as a factor.",
                _first_step_without_the_2)),
    analyser=analyse_form)


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
    Mistake("one step too few", "range(steps) runs the loop `steps` times: count the steps "
            "your loop takes.", lambda T, xs, ys, steps, lr: _fit(T, xs, ys, steps - 1, lr)),
    Mistake("one step too many", "range(steps) runs the loop `steps` times: count the steps "
            "your loop takes.", lambda T, xs, ys, steps, lr: _fit(T, xs, ys, steps + 1, lr)),
)
_REBOUND = (("'NoneType' object has no attribute 'zero_'", Diagnosis(
    "the parameters rebound, not updated in place",
    "After `w = w - lr * w.grad` the name w is a new tensor whose .grad is None: update in "
    "place, `w -= lr * w.grad` under torch.no_grad(), so w stays the leaf backward fills.")),)


def _judge_fit(collected, hidden):
    cases = HIDDEN_FITS if hidden else VISIBLE_FITS
    for (seed, steps, lr), run in zip(cases, runs(collected, len(cases))):
        xs, ys = data(seed)
        what = f"fit_line(xs, ys, {steps}, {lr})"
        got, _ = returned(run.get("call"), what, _REBOUND)
        args = (xs, ys, steps, lr)
        expect(got, oracle(_fit, *args), what, [("xs", xs.tolist()), ("ys", ys.tolist())],
               FIT_MISTAKES, args=args, hidden=hidden)


REBINDING = Predict(
    "what happens at the second update with `w = w - lr * w.grad`", lambda T: "A",
    "the second update cannot run: the loop stops there with an error (the written part asks "
    "why).", (
        Mistake("the loop goes on without learning", "Follow w through the first update: what "
                "kind of tensor is the new w, and what does backward leave in its .grad?",
                lambda T: "B"),
        Mistake("the rebound w still gets its gradient", "`w = w - lr * w.grad` (recorded) "
                "makes a new tensor computed by an op: is it a leaf, whose .grad backward "
                "fills?", lambda T: "C")),
    analyser=None, normalize=choice)


KEY = {
    "l08_mse": Build(_judge_mse, "the loss and its gradients are right."),
    "l08_first": FIRST,
    "l08_fit": Build(_judge_fit, "gradient descent by hand: requires_grad, backward, no_grad, "
                                 "zero_()."),
    "l08_rebinding": REBINDING,
}
