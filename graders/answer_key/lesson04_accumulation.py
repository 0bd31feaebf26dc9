"""Lesson 04's answers: .grad accumulates over backward calls; zero_() resets it."""

import numpy as np

from graders.handover import Malformed
from graders.lesson04_accumulation import (
    LOSSES,
    average_cases,
    batch_loss,
    separate_cases,
)
from graders.verdict import Diagnosis

from . import Build, Predict
from .judging import (
    STILL_IN_GRAPH,
    Mistake,
    close,
    expect,
    fail,
    leaf,
    observed,
    oracle,
    returned,
    runs,
)


def _backward_k_times(T, k=3, values=False):
    x = T.arange(4.0, requires_grad=True)
    for _ in range(k):
        (2 * x).sum().backward()
    return k * (2 * x).detach() if values else x.grad


_COUNT = "Count the calls the loop makes: range(3) runs its body three times, and each backward " \
         "adds its gradient."
THREE = Predict(
    "x.grad after three calls of (2 * x).sum().backward()", _backward_k_times,
    "each call adds d(2x)/dx = 2 to every entry: three calls, three times the gradient.", (
        Mistake("each backward() replaces .grad", "backward() *adds* its gradient into .grad, "
                "at every call: count what each of the calls adds.",
                lambda T: _backward_k_times(T, k=1)),
        Mistake("one backward() too few", _COUNT, lambda T: _backward_k_times(T, k=2)),
        Mistake("one backward() too many", _COUNT, lambda T: _backward_k_times(T, k=4)),
        Mistake("the values of 2 * x instead of its gradient", "x.grad holds d(sum of 2x)/dx, "
                "added up over the calls: a derivative, not 2x's own values.",
                lambda T: _backward_k_times(T, values=True))))


def _exercise_2(T, zero=True, accumulate=True, product_rule=True, mean=True):
    """Exercise 2's cell: three backward calls and one zero_()."""
    x = T.full((2, 2), 2.0, requires_grad=True)
    (6 * x).sum().backward()
    if zero:
        x.grad.zero_()
    (x * x if product_rule else x * x.detach()).sum().backward()
    if not accumulate:
        x.grad.zero_()
    last = (x + 2) * 4
    (last.mean() if mean else last.sum()).backward()
    return x.grad


SEED = Predict(
    "x.grad at the end of exercise 2's cell", _exercise_2,
    "zero_() wipes the 6 of the first backward; then x * x adds 2x = 4, and the mean of "
    "(x + 2) * 4 adds 4 / 4 = 1 on top: 5.", (
        Mistake("the last backward() starts from a clean .grad", "zero_() runs once, before "
                "(x * x).sum().backward(): what that backward leaves in x.grad is still there "
                "when the last one adds its share.", lambda T: _exercise_2(T, accumulate=False)),
        Mistake("zero_() was overlooked", "x.grad.zero_() wipes whatever the first backward "
                "left: only what the backward calls after it add is there at the end.",
                lambda T: _exercise_2(T, zero=False)),
        Mistake("d(x * x)/dx taken as x", "Both factors of x * x depend on x: the product rule "
                "gives a term from each.", lambda T: _exercise_2(T, product_rule=False)),
        Mistake("the mean taken as a sum", "((x + 2) * 4).mean() divides by the number of "
                "elements: each x_i gets that share of the gradient.",
                lambda T: _exercise_2(T, mean=False))))


def _separate(T, values, carried=0.0, zero="before", alias=False):
    w = leaf(T, values)
    w.grad = T.full(w.shape, carried) if carried else None
    grads = []
    for _, loss in LOSSES:
        if zero == "before" and w.grad is not None:
            w.grad.zero_()
        loss(w).backward()
        grads.append(w.grad if alias else w.grad.clone())
        if zero == "after":
            w.grad.zero_()
    return grads


SEPARATE_MISTAKES = (
    Mistake("no zero_() between the losses", "Each backward adds to w.grad, so the second "
            "gradient includes the first. Call w.grad.zero_() (or set w.grad = None) before each "
            "backward.", lambda T, v, c: _separate(T, v, c, zero=None)),
    Mistake("the same .grad tensor appended every time", "w.grad is one tensor, changed in "
            "place by zero_() and backward(), so every entry of the list ends up the same: "
            "append w.grad.clone().", lambda T, v, c: _separate(T, v, c, alias=True)),
    Mistake("zero_() after each backward instead of before", "A gradient w already held when "
            "the function was called leaks into the first result. Zero w.grad (or set it to None) "
            "*before* each backward.", lambda T, v, c: _separate(T, v, c, zero="after")),
)


_GRAD_CHANGED = Diagnosis(
    "the caller's w.grad changed", "The gradients are right, but w.grad is not what the caller "
    "left there. torch.autograd.grad(loss(w), w) returns a gradient and writes no .grad "
    "(lesson 03, section 6); or keep the caller's w.grad aside and put it back before returning.")


def grad_after(run, what):
    """The .grad of the caller's w after the call (Malformed if it was not observed)."""
    _, facts = observed(run.get("w_after"))
    if facts is None:
        raise Malformed("the caller's w was not observed")
    return facts["grad"]


def _judge_separate(collected, hidden):
    """Every run's gradients first, then what each left in w.grad: a mistake in the values is
    named before the caller's w.grad is looked at."""
    cases = separate_cases(hidden)
    collected = runs(collected, len(cases))
    what = "separate_grads(w, losses)"
    for (values, carried), run in zip(cases, collected):
        got, _ = returned(run.get("call"), what)
        inputs = [("w", values.tolist())]
        if carried:
            inputs.append(("w.grad on entry", [carried] * values.size))
        inputs.append(("losses", "[" + ", ".join(name for name, _ in LOSSES) + "]"))
        expect(got, oracle(_separate, values), what, inputs,
               SEPARATE_MISTAKES, args=(values, carried), hidden=hidden)
    for (values, carried), run in zip(cases, collected):
        before = np.full(values.shape, carried).tolist() if carried else None
        if not close(grad_after(run, what), before):
            fail(f"after {what}, w.grad is not what it was on entry "
                 f"({'None' if before is None else 'the gradient the caller left there'}).",
                 _GRAD_CHANGED)


def _average(T, values, batches, zero_each=False, divide=True):
    w = leaf(T, values)
    for batch in batches:
        if zero_each and w.grad is not None:
            w.grad.zero_()
        batch_loss(w, T.tensor(batch)).backward()
    return w.grad / len(batches) if divide else w.grad


AVERAGE_MISTAKES = (
    Mistake("zeroing inside the loop", "zero_() before every batch throws the earlier batches "
            "away: only the last one is left. Let them accumulate, then divide once.",
            lambda T, v, b: _average(T, v, b, zero_each=True, divide=False)),
    Mistake("the sum, not the mean", "Accumulating gives the sum over batches; divide by "
            "len(batches).", lambda T, v, b: _average(T, v, b, divide=False)),
)
_AVERAGE_IN_GRAPH = Diagnosis(
    STILL_IN_GRAPH.mistake, "A gradient is a plain tensor: divide w.grad itself, not a loss or "
    "a value computed from w.")


_LEFT_IN_W = Diagnosis(
    "a gradient left in the caller's w.grad", "The average is right, but the caller's w.grad now "
    "holds your sum. Accumulate in a fresh leaf of your own, w.detach().clone().requires_grad_() "
    "(lesson 03, section 5): backward then fills its .grad, not the caller's.")


def _judge_average(collected, hidden):
    cases = average_cases(hidden)
    for (values, batches), run in zip(cases, runs(collected, len(cases))):
        what = "average_grad(w, batches, loss_fn)"
        got, tensor = returned(run.get("call"), what)
        if tensor is not None and tensor["requires_grad"]:
            fail(f"{what} returned a tensor that still requires grad.", _AVERAGE_IN_GRAPH)
        expect(got, oracle(_average, values, batches), what,
               [("w", values.tolist()), ("batches", [b.tolist() for b in batches]),
                ("loss_fn", "((w * batch - 1) ** 2).mean()")],
               AVERAGE_MISTAKES, args=(values, batches), hidden=hidden)
        if grad_after(run, what) is not None:
            fail(f"after {what}, the caller's w.grad is no longer None.", _LEFT_IN_W)


def _retained(T, accumulate=True, times=2):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    out = (x * x).sum()
    for k in range(times):
        out.backward(retain_graph=True)
        if not accumulate and k < times - 1:
            x.grad.zero_()
    return x.grad


RETAIN = Predict(
    "x.grad after two backward calls through a retained graph", _retained,
    "the graph is kept, and the second backward adds its 2x on top of the first: 4x.", (
        Mistake("retain_graph resets .grad", "retain_graph=True only keeps what the graph "
                "saved, so that another backward can run; it does nothing to .grad, which "
                "accumulates as always.", lambda T: _retained(T, accumulate=False)),
        Mistake("the value of x * x instead of its gradient", "backward() adds a *derivative* "
                "into x.grad at each call, not the value of x * x.",
                lambda T: 2 * T.tensor([1.0, 4.0])),
        Mistake("the cell run more than once", "Running the cell again adds more gradients: "
                ".grad accumulates over every backward that ran, in every run of the cell. "
                "Restart from a fresh leaf before running it again.",
                lambda T: _retained(T, times=3))))


KEY = {
    "l04_three": THREE,
    "l04_seed": SEED,
    "l04_separate": Build(_judge_separate, "one gradient per loss, none leaking into the next."),
    "l04_average": Build(_judge_average, "accumulate over batches, divide once: what torch's "
                                         "accumulation is for."),
    "l04_retain": RETAIN,
}
