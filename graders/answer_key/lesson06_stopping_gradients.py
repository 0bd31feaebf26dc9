"""Lesson 06's answers: no_grad, detach() and grad modes; an in-place step of gradient descent."""

from graders.lesson06_stopping_gradients import step_cases
from graders.verdict import Diagnosis

from . import Build, Predict
from .judging import (
    Mistake,
    analyse_form,
    as_mistake,
    close,
    expect,
    fail,
    flatten,
    leaf,
    observed,
    oracle,
    returned,
    runs,
)


def _flags(T):
    x = T.ones(3, requires_grad=True)
    with T.no_grad():
        y = x * 2
    z = y * x
    u = (x + y).detach() * x
    s = (y * 3).requires_grad_()
    return [y.requires_grad, z.requires_grad, u.requires_grad, s.requires_grad]


SWITCHED_OFF = Diagnosis(
    "no_grad switches x off", "no_grad only stops *recording* new operations inside the block; "
    "a tensor that required grad still does afterwards, and so does a result computed from it "
    "outside the block.")
SPREADS_NOTHING = Diagnosis(
    "a result made under no_grad spreads nothing", "A result made under no_grad needs no "
    "gradient; a later op that also uses a tensor requiring grad is recorded all the same, "
    "outside the block.")
NO_EFFECT = Diagnosis("no_grad has no effect", "Inside `with torch.no_grad():` nothing is "
                      "recorded: results made there do not require grad.")
STOPS_ALL = Diagnosis(
    "a detached tensor stops what it touches", "detach() cuts one tensor loose; an op that also "
    "uses a tensor requiring grad is still recorded, and its result requires grad.")
NEVER = Diagnosis(
    "a result made under no_grad can never require grad", "What no_grad makes is not recorded, "
    "so it is a leaf, and a leaf can be asked to require grad: requires_grad_() sets the request "
    "on y * 3, which nothing recorded made either.")

FLAGS = Predict(
    "the four requires_grad values, the four together", _flags,
    "y alone was made under no_grad; z and u * x were made after it from x, which requires "
    "grad; y * 3, made from y alone, is a leaf, and a leaf takes a request of its own.", (
        as_mistake(SWITCHED_OFF, lambda T: [False, False, False, True]),
        as_mistake(SPREADS_NOTHING, lambda T: [False, False, True, True]),
        as_mistake(STOPS_ALL, lambda T: [False, True, False, True]),
        as_mistake(NO_EFFECT, lambda T: [True, True, True, True]),
        as_mistake(NEVER, lambda T: [False, True, True, False])),
    analyser=None, parts=(NO_EFFECT, SPREADS_NOTHING, STOPS_ALL, NEVER))


def _d2l_detach(T, through=False):
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    u = y if through else y.detach()
    (u * x + y).sum().backward()
    return x.grad


DETACH = Predict(
    "x.grad for z = u * x + y, u detached", _d2l_detach,
    "u is a constant (du/dx = 0); y is not: u + 2x.", (
        Mistake("the gradient flows through detach", "u is a constant to autograd: no "
                "gradient flows through it, but the other factor of u * x, and y, still carry "
                "theirs.", lambda T: _d2l_detach(T, through=True)),
        Mistake("detach() cut y out too", "Only u is cut loose; y itself is still in the graph "
                "and adds its own gradient.", lambda T: T.tensor([1.0, 4.0, 9.0])),
        Mistake("detach stops every gradient", "detach cuts only u's path; the expression "
                "still depends on x in other places.", lambda T: T.zeros(3))))


def _shared(T, clone_shares=False):
    x = T.tensor([2.0, 0.0, -1.0], requires_grad=True)
    d = x.detach()
    c = x.detach() if clone_shares else x.detach().clone()
    d += 1
    c *= 10
    return x.sum().item()


MEMORY = Predict(
    "x.sum() after d += 1 and c *= 10", _shared,
    "detach() shares x's memory, so d += 1 changed x; clone() copied it first, so c *= 10 "
    "changed only the copy.", (
        Mistake("detach() copies", "detach() shares x's memory: writing into d writes into x. "
                "Only clone() makes a copy.", lambda T: 1.0),
        Mistake("clone() shares memory too", "clone() copies the numbers into new memory: "
                "writing into c leaves x alone.", lambda T: _shared(T, clone_shares=True)),
        Mistake("the sum of d's and x's values", "d and x are two views of the *same* memory: "
                "x.sum() adds x's three elements, once.", lambda T: 2 * _shared(T))),
    analyser=analyse_form)


def _after_step(T, values, lr, sign=1.0, rate=True):
    w = leaf(T, values)
    (w**2).sum().backward()
    with T.no_grad():
        w -= sign * (lr if rate else 1.0) * w.grad
    return w


STEP_MISTAKES = (
    Mistake("a step up the gradient", "Gradient descent subtracts: w -= lr * w.grad.",
            lambda T, v, lr: _after_step(T, v, lr, sign=-1.0)),
    Mistake("the step without lr", "The step is lr * w.grad, not the whole gradient.",
            lambda T, v, lr: _after_step(T, v, lr, rate=False)),
)
_RECORDED = Diagnosis(
    "an update that was recorded", "w -= ... outside no_grad (or w.data mixed with a recorded "
    "op) makes w a non-leaf. Wrap the update in `with torch.no_grad():`.")
_REBOUND = Diagnosis(
    "`w = w - lr * w.grad` inside the function",
    "That makes a new tensor and only rebinds the local name w, inside no_grad or not: the "
    "caller's w never changes. Update it in place: `w -= lr * w.grad` under torch.no_grad().")
_ZEROED_FIRST = Diagnosis(
    "zero_() before the update", "w.grad was zeroed before it was used, so the step moved "
    "nothing. Step first, then zero w.grad for the next backward.")
_NOT_ZEROED = Diagnosis(
    "a missing zero_()", "The next backward would add to the old gradient: call "
    "w.grad.zero_() (or set w.grad = None) after the step.")


# the caller's w holds a .grad when sgd_step is called: a .grad that is None inside it belongs
# to a new tensor the name w was rebound to (the cause), not to a step taken too early
_REBOUND_ERRORS = (("'NoneType' object has no attribute 'zero_'", _REBOUND),)


def _judge_step(collected, hidden):
    cases = step_cases(hidden)
    for (values, lr), run in zip(cases, runs(collected, len(cases))):
        what = f"sgd_step(w, {lr:g})"
        result, _ = returned(run.get("call"), what, _REBOUND_ERRORS)
        w, facts = observed(run.get("w_after"))
        if facts is None or not (facts["is_leaf"] and facts["requires_grad"]):
            fail(f"after {what}, w is no longer a leaf that requires grad.", _RECORDED)
        grad = facts["grad"]
        if close(w, values.tolist()):  # the caller's w never moved
            if grad is not None and not any(flatten(grad)):
                fail(f"{what} did not change w, and w.grad is all zeros.", _ZEROED_FIRST)
            returned_new = "; it returned a new tensor instead" if result is not None else ""
            fail(f"{what} did not change w{returned_new}.", _REBOUND)
        expect(w, oracle(_after_step, values, lr), f"w after {what}", [("w", values.tolist())],
               STEP_MISTAKES, args=(values, lr), hidden=hidden)
        if grad is not None and any(abs(g) > 0 for g in flatten(grad)):
            fail(f"{what} updated w, but w.grad still holds the old gradient.", _NOT_ZEROED)


def _modes(T):
    w = T.ones(2, requires_grad=True)
    b = T.ones(2, requires_grad=True)
    (w * b).sum().backward()
    b.requires_grad_(False)
    with T.inference_mode():
        p = w * 3
    y = (p + w * b).sum()
    y.backward()
    return [b.requires_grad, b.grad is None, p.requires_grad, y.requires_grad]


INFERENCE = Diagnosis("inference_mode still records", "inference_mode() is a stricter "
                      "no_grad: nothing made inside it is recorded.")
UNFROZEN = Diagnosis(
    "requires_grad_(False) does not freeze", "requires_grad_(False) turns the request off: from "
    "then on the tensor is a constant to autograd.")
CLEARED = Diagnosis(
    "requires_grad_(False) clears .grad", "Turning the request off changes nothing that is "
    "already there: the gradient the first backward left in b.grad stays until you set "
    "b.grad = None.")
POISONED = Diagnosis(
    "an inference tensor cannot enter a graph", "An inference tensor can be an input of a graph "
    "built later; torch only refuses to *save* one for backward, and the addition saves "
    "nothing. w * b is recorded, since w requires grad.")

MODES = Predict(
    "the four printed values, the four together", _modes,
    "b is frozen but keeps its old gradient; p was made in inference mode; y is recorded "
    "outside it, through w.", (
        as_mistake(CLEARED, lambda T: [False, True, False, True]),
        as_mistake(INFERENCE, lambda T: [False, False, True, True]),
        as_mistake(POISONED, lambda T: [False, False, False, False]),
        as_mistake(UNFROZEN, lambda T: [True, False, False, True])),
    analyser=None, parts=(UNFROZEN, CLEARED, INFERENCE, POISONED))


KEY = {
    "l06_flags": FLAGS,
    "l06_detach": DETACH,
    "l06_memory": MEMORY,
    "l06_sgd": Build(_judge_step, "an in-place step under no_grad, and a clean .grad for the "
                                  "next one."),
    "l06_modes": MODES,
}
