"""Checks for lesson 04: gradients accumulate in .grad, and zero_() resets them."""

import torch

from .checking import (
    Diagnosis,
    Mistake,
    attributes,
    call_student,
    check,
    check_value,
    fail,
    handout,
    inputs,
    leaf,
    oracle,
    read,
    seal,
    verdict,
)


def _backward_k_times(T, k=3):
    x = T.arange(4.0, requires_grad=True)
    for _ in range(k):
        x.sum().backward()
    return x.grad


@check
def check_three_backwards(answer):
    """answer: x.grad after x.sum().backward() three times, x = arange(4.)."""
    check_value(answer, "x.grad after three calls of x.sum().backward()", _backward_k_times, [
        Mistake("each backward() replaces .grad", "backward() *adds* into .grad: 1, then 2, "
                "then 3. Call x.grad.zero_() between steps to start again from zero.",
                lambda T: _backward_k_times(T, k=1)),
        Mistake("one backward() too few", "The cell calls backward three times, and each call "
                "adds 1 to every entry: 3.", lambda T: _backward_k_times(T, k=2)),
        Mistake("one backward() too many", "The cell calls backward three times, and each call "
                "adds 1 to every entry: 3.", lambda T: _backward_k_times(T, k=4))])
    return "three backward calls, three times the gradient: it accumulates."


def _seed_002(T, zero=True, accumulate=True):
    x = T.ones(2, 2, requires_grad=True)
    y, t, i = x + 2, 3 * x, T.ones(2, 2)
    y.backward(i)
    if zero:
        x.grad.zero_()
    t.backward(i)
    if not accumulate:
        x.grad.zero_()
    out = (y * y * 3).mean()
    out.backward()
    return x.grad


@check
def check_seed_002(answer):
    """answer: x.grad at the end of the seed-002 cell (a 2x2 tensor)."""
    check_value(answer, "x.grad after y.backward(i), zero_(), t.backward(i), out.backward()",
                _seed_002, [
                    Mistake("out.backward() starts from a clean .grad",
                            "t.backward(i) left 3 in x.grad, and out.backward() adds its 4.5 "
                            "on top: 7.5. That is why the learner in seed 002 saw 7.5, not 4.5.",
                            lambda T: _seed_002(T, accumulate=False)),
                    Mistake("zero_() was overlooked", "x.grad.zero_() wiped y's 1 before "
                            "t.backward(i), so only 3 + 4.5 remain.",
                            lambda T: _seed_002(T, zero=False)),
                    Mistake("out.backward() left out", "t.backward(i) leaves 3, and "
                            "out.backward() then adds its 4.5: 7.5.",
                            lambda T: T.full((2, 2), 3.0))])
    return "3 left by t, plus 4.5 from out: 7.5, the number seed 002 puzzled over."


LOSSES = (
    ("sum(w^2)", lambda w: (w * w).sum()),
    ("sum(3w)", lambda w: (3 * w).sum()),
    ("mean(exp(w))", lambda w: w.exp().mean()),
)
CARRIED = 10.0  # a gradient w already holds on entry, in the second run of the check


def _separate(T, values, zero="before", alias=False, carried=0.0):
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
            "backward.", lambda T, v, c: _separate(T, v, zero=None, carried=c)),
    Mistake("the same .grad tensor appended every time", "w.grad is one tensor, changed in "
            "place by zero_() and backward(), so every entry of the list ends up the same: "
            "append w.grad.clone().", lambda T, v, c: _separate(T, v, alias=True, carried=c)),
    Mistake("zero_() after each backward instead of before", "A gradient w already held when "
            "the function was called leaks into the first result. Zero w.grad (or set it to None) "
            "*before* each backward.", lambda T, v, c: _separate(T, v, zero="after", carried=c)),
)


@check
def check_separate_grads(separate_grads, hidden=False):
    """separate_grads(w, losses): [d loss/dw for each loss], each on its own, whatever w.grad
    holds on entry."""
    for seed in (0, 1, 2) if hidden else (0,):
        (values,) = inputs(seed, (3,) if seed != 1 else (2, 2))
        for carried in (0.0, CARRIED):
            w = torch.tensor(values, requires_grad=True)
            if carried:
                w.grad = torch.full(w.shape, carried)
            losses = [handout(loss) for _, loss in LOSSES]
            got = read(call_student(separate_grads, w, losses))
            entry = "" if not carried else f" (w.grad held {carried:g}s on entry)"
            verdict("the list of gradients" + entry, got, oracle(_separate, values),
                    SEPARATE_MISTAKES, args=(values, carried))
    return "one gradient per loss, none leaking into the next."


def _batch_loss(w, batch):
    return ((w * batch - 1) ** 2).mean()


def _average(T, values, batches, zero_each=False, divide=True):
    w = leaf(T, values)
    for batch in batches:
        if zero_each and w.grad is not None:
            w.grad.zero_()
        _batch_loss(w, T.tensor(batch)).backward()
    return w.grad / len(batches) if divide else w.grad


_STILL_IN_GRAPH = Diagnosis(
    "a tensor that still requires grad", "A gradient is a plain tensor: divide w.grad itself, "
    "not a loss or a value computed from w.")


@check
def check_average_grad(average_grad, hidden=False):
    """average_grad(w, batches, loss_fn): the mean over batches of d loss_fn(w, batch)/dw."""
    for seed in (0, 1, 2) if hidden else (0,):
        values, *batches = inputs(seed, (3,), (3,), (3,), (3,), (3,))
        w = torch.tensor(values, requires_grad=True)
        answer = call_student(average_grad, w, [torch.tensor(b) for b in batches],
                              handout(_batch_loss))
        if attributes(answer)["requires_grad"]:
            fail("your average still requires grad.", _STILL_IN_GRAPH)
        verdict("the average gradient over the batches", read(answer),
                oracle(_average, values, batches), [
                    Mistake("zeroing inside the loop", "zero_() before every batch throws the "
                            "earlier batches away: only the last one is left. Let them "
                            "accumulate, then divide once.",
                            lambda T, v, b: _average(T, v, b, zero_each=True, divide=False)),
                    Mistake("the sum, not the mean", "Accumulating gives the sum over batches; "
                            "divide by len(batches).",
                            lambda T, v, b: _average(T, v, b, divide=False))],
                args=(values, batches))
    return "accumulate over batches, divide once: what torch's accumulation is for."


seal(globals())
