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
    """A variant of the seed-002 cell: three backward calls and one zero_()."""
    x = T.full((2, 2), 2.0, requires_grad=True)
    (3 * x).sum().backward()
    if zero:
        x.grad.zero_()
    (x * x).sum().backward()
    if not accumulate:
        x.grad.zero_()
    ((x + 2) * 4).mean().backward()
    return x.grad


@check
def check_seed_002(answer):
    """answer: x.grad at the end of the seed-002 variant of exercise 2 (a 2x2 tensor)."""
    check_value(answer, "x.grad after backward, zero_(), backward, backward", _seed_002, [
        Mistake("the last backward() starts from a clean .grad",
                "(x * x).sum().backward() left 2x = 4 in x.grad, and the last backward adds "
                "its 4 / 4 = 1 on top: the same reason seed 002 saw 7.5, not 4.5.",
                lambda T: _seed_002(T, accumulate=False)),
        Mistake("zero_() was overlooked", "x.grad.zero_() wiped the 3 of the first backward, "
                "so only 4 + 1 remain.", lambda T: _seed_002(T, zero=False)),
        Mistake("d(x * x)/dx taken as x", "Both factors depend on x: the product rule gives "
                "x + x = 2x = 4, and the mean then adds 1.", lambda T: T.full((2, 2), 3.0))])
    return "zero_() wipes the 3; then 4 from x * x, plus 1 from the mean: 5."


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


def _retained(T, accumulate=True):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    out = (x * x).sum()
    out.backward(retain_graph=True)
    if not accumulate:
        x.grad.zero_()
    out.backward()
    return x.grad


@check
def check_retained_twice(answer):
    """answer: x.grad after out.backward(retain_graph=True); out.backward(), out = sum(x * x)."""
    check_value(answer, "x.grad after two backward calls through a retained graph", _retained, [
        Mistake("retain_graph resets .grad", "retain_graph=True only keeps the saved tensors "
                "for another backward; .grad still accumulates: 2x + 2x.",
                lambda T: _retained(T, accumulate=False)),
        Mistake("the value of x * x instead of its gradient", "backward() adds d out/dx = 2x "
                "into x.grad at each call, not the value x * x.",
                lambda T: 2 * T.tensor([1.0, 4.0])),
        Mistake("out.backward(retain_graph=True) run twice", "Running the cell again adds "
                "another 2x: .grad accumulates over every backward, three here, 6x. Restart "
                "from a fresh leaf before running it again.", lambda T: _retained(T) * 1.5)])
    return "the graph is kept, and the second backward adds its 2x: 4x."


seal(globals())
