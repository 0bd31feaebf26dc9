"""Lesson 07's answers: autograd differentiates the path that ran."""

from graders.lesson07_control_flow import abs_cases, f
from graders.verdict import Diagnosis

from . import Build, Predict
from .judging import Mistake, analyse_form, expect, fail, leaf, observed, oracle, returned, runs
from .lesson02_graph import graph_counts


def _grad_at(T, value, branch=True, value_of_d=False):
    a = T.tensor(value, requires_grad=True)
    d = f(a)
    if value_of_d:
        return d
    d.backward()
    if not branch:  # the grad without the branch's factor
        return a.grad / 100 if value < 0 else a.grad * 100
    return a.grad


_ONE_FEWER = ("one doubling too few", "b = a * 2 doubles once before the loop: count it too.")

POSITIVE = Predict(
    "a.grad at a = 0.05", lambda T: _grad_at(T, 0.05),
    "b = 0.1 doubles ten times to 102.4, and b.sum() > 0 keeps c = b: f(a) = 2^11 a along the "
    "path taken, so a.grad = 2^11 = d / a.", (
        Mistake("control flow is not differentiated", "The loop and the if are plain Python: "
                "autograd records the multiplications that actually ran, and differentiates "
                "those.", lambda T: 0.0),
        Mistake("the other branch", "Check which branch runs for this a: the sign of b.sum() "
                "decides it.", lambda T: _grad_at(T, 0.05, branch=False)),
        Mistake("the value of d instead of its gradient", "a.grad is the derivative dd/da, "
                "not d itself.", lambda T: _grad_at(T, 0.05, value_of_d=True)),
        Mistake(*_ONE_FEWER, lambda T: _grad_at(T, 0.05) / 2)),
    analyser=analyse_form)

NEGATIVE = Predict(
    "a.grad at a = -1.7", lambda T: _grad_at(T, -1.7),
    "b = -3.4 doubles five times, then b.sum() < 0 takes c = 100 * b: the branch taken decides "
    "the gradient, 100 * 2^6.", (
        Mistake("the branch's factor 100 was dropped", "Check which branch runs for this a, and "
                "what it multiplies by: the ops of the branch that ran are recorded too.",
                lambda T: _grad_at(T, -1.7, branch=False)),
        Mistake("a negative gradient for a negative a", "Along the path that ran, d is a "
                "positive constant times a: its slope does not depend on a's sign.",
                lambda T: -_grad_at(T, -1.7)),
        Mistake(*_ONE_FEWER, lambda T: _grad_at(T, -1.7) / 2)),
    analyser=analyse_form)

def _recorded(T, both_branches=False, doublings=0, accumulator=True):
    """The nodes behind d = f(0.4), by class: f as the lesson writes it, or as a mistaken
    reading of it runs."""
    counts = graph_counts(f(T.tensor(0.4, requires_grad=True)))
    mul = next(name for name in counts if name != "AccumulateGrad")
    counts[mul] += doublings + (1 if both_branches else 0)
    if not accumulator:
        del counts["AccumulateGrad"]
    return counts


CONDITION = Diagnosis(
    "the condition is recorded", "A comparison gives a bool, which has no gradient: b.norm() < "
    "100 and b.sum() > 0 only choose which operations run, and nothing of them is in d's graph.")


def _names_only(value):
    """A dict of counts as the learner wrote it; torch's name() prefix dropped."""
    if isinstance(value, dict):
        return {k.removeprefix("torch::autograd::"): v for k, v in value.items()}
    return value


def _extra_nodes(value, expected):
    """An answer that counts nodes the graph does not hold: the conditions' ops."""
    if isinstance(value, dict) and isinstance(expected, dict) and set(value) - set(expected):
        return CONDITION
    return analyse_form(value, expected)


RECORDED = Predict(
    "the nodes of d = f(0.4), by class", _recorded,
    "only what ran is recorded: b = a * 2, then the doublings the loop made, and the leaf's node; "
    "the branch taken (c = b) records nothing, and the comparisons are no ops of the graph.", (
        Mistake("both branches are recorded", "Only code that runs is recorded: the branch not "
                "taken, 100 * b, never reaches autograd.", lambda T: _recorded(T, both_branches=True)),
        Mistake("one doubling too few", "b = a * 2 is a product too, before the loop: count it, "
                "then count how often the loop body runs for this a.",
                lambda T: _recorded(T, doublings=-1)),
        Mistake("no node for the leaf", "A leaf that requires grad ends the graph in a node of "
                "its own, the one that writes its .grad (lesson 02).",
                lambda T: _recorded(T, accumulator=False))),
    analyser=_extra_nodes, normalize=_names_only)


def _abs_reference(T, values, kind="right"):
    """[my_abs(x), x.grad] at each value, for the right |x| or a mistaken one."""
    pairs = []
    for value in values:
        x = leaf(T, value)
        if kind == "swapped":
            y = -x if x > 0 else x
        elif kind == "zero below":
            y = x if x > 0 else x * 0
        elif kind == "no negation":
            y = x
        else:
            y = x if x > 0 else -x
        y.backward()
        pairs.append([y.item(), x.grad.item()])
    return pairs


ABS_MISTAKES = (
    Mistake("the branches swapped", "For x > 0, |x| is x itself (gradient +1); for x < 0 it is "
            "-x (gradient -1).", lambda T, v: _abs_reference(T, v, kind="swapped")),
    Mistake("zero for negative x", "For x < 0, |x| is -x, not 0: return -x in that branch.",
            lambda T, v: _abs_reference(T, v, kind="zero below")),
    Mistake("x returned in both branches", "For x < 0, |x| is -x: the branch for negative x "
            "must negate.", lambda T, v: _abs_reference(T, v, kind="no negation")),
)
_LEFT_GRAPH = Diagnosis(
    "a Python number left the graph", ".item(), float() or abs() on a Python number give values "
    "autograd cannot see, and a new torch.tensor(...) is a fresh leaf with no link to x: compute "
    "with the tensor itself (x or -x).")
_NEGATED_IN_PLACE = (("leaf Variable that requires grad is being used in an in-place operation",
                      Diagnosis("x negated in place", "x.neg_(), x *= -1 or x[...] = ... change "
                                "the leaf itself, which autograd must not see changed. Return a "
                                "new tensor: -x.")),)


def _judge_abs(collected, hidden):
    """Every value first, then all the pairs at once: a mistake is named by what it does on
    both sides of 0."""
    values, pairs = abs_cases(hidden), []
    for value, run in zip(values, runs(collected, len(values))):
        what = f"my_abs({value:.3f})"
        y, facts = returned(run.get("call"), what, _NEGATED_IN_PLACE)
        if facts is None:
            fail(f"{what} returned {y!r}, not a tensor.", _LEFT_GRAPH)
        if not facts["requires_grad"]:
            fail(f"{what} has no grad_fn, so no gradient can reach x.", _LEFT_GRAPH)
        returned(run.get("backward"), f"backward() from {what}")
        grad = observed(run.get("x_after"))[1]["grad"] if run.get("x_after") else None
        if grad is None:  # y was a leaf of its own, not computed from x
            fail(f"{what} is not connected to x: backward left x.grad None.", _LEFT_GRAPH)
        pairs.append([y, grad])
    expect(pairs, oracle(_abs_reference, values), "[my_abs(x), x.grad] at each x",
           [("x", values)], ABS_MISTAKES, args=(values,), hidden=hidden)


def _hat_grads(T, convention=0.0):
    x = T.tensor([0.0, 1.0, 2.0], requires_grad=True)
    (2 * x.relu() - 3 * (x - 1).relu() + (x - 2).relu()).sum().backward()
    # relu'(0) = convention at each kink, instead of torch's 0
    return x.grad + convention * T.tensor([2.0, -3.0, 1.0])


KINKS = Predict(
    "x.grad of 2 relu(x) - 3 relu(x - 1) + relu(x - 2) at 0, 1, 2", _hat_grads,
    "relu'(0) = 0: at each kink, the relu bending there adds nothing; the relus already past "
    "their kink add their slopes.", (
        Mistake("torch takes the right-hand slope at a kink", "torch's relu has one fixed value "
                "for its derivative at 0 (section 2 shows it): use it for the relu that bends at "
                "each point.", lambda T: _hat_grads(T, convention=1.0)),
        Mistake("torch averages at a kink", "No average: torch uses one fixed value for "
                "relu'(0), by convention (section 2).", lambda T: _hat_grads(T, convention=0.5)),
        Mistake("the value of the hat instead of its gradient", "x.grad holds the slope of "
                "2 relu(x) - 3 relu(x - 1) + relu(x - 2) at each point, not its value.",
                lambda T: T.tensor([0.0, 2.0, 1.0]))))


KEY = {
    "l07_positive": POSITIVE,
    "l07_negative": NEGATIVE,
    "l07_recorded": RECORDED,
    "l07_my_abs": Build(_judge_abs, "|x| through an if: the gradient is the sign of x."),
    "l07_kink_grads": KINKS,
}
