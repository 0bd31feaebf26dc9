"""Lesson 10's answers: central differences, a kink, float64, and the planted bug."""

import numpy as np

from graders.lesson10_checking_gradients import POINTS, central_cases, softplus
from graders.verdict import Diagnosis

from . import Build, Predict
from .judging import Mistake, analyse_form, close, expect, fail, oracle, returned, runs


def _central(T, f, values, h, kind="central"):
    x = T.tensor(np.array(values, dtype=np.float64))
    grads = []
    for i in range(len(values)):
        e = T.zeros(len(values), dtype=T.float64)
        e[i] = h
        if kind == "all at once":  # every coordinate stepped together: one number, n times
            grads.append(((f(x + h) - f(x - h)) / (2 * h)).item())
        elif kind == "forward":
            grads.append(((f(x + e) - f(x)) / h).item())
        elif kind == "over h":
            grads.append(((f(x + e) - f(x - e)) / h).item())
        else:
            grads.append(((f(x + e) - f(x - e)) / (2 * h)).item())
    return grads


def _autograd(T, f, values):
    x = T.tensor(np.array(values, dtype=np.float64), requires_grad=True)
    f(x).backward()
    return x.grad


CENTRAL_MISTAKES = (
    Mistake("a forward difference", "(f(x + h) - f(x)) / h is off by a term proportional to h; "
            "the central difference (f(x + h) - f(x - h)) / 2h cancels it.",
            lambda T, f, v, h: _central(T, f, v, h, kind="forward")),
    Mistake("divided by h instead of 2h", "x + h and x - h are 2h apart: divide by 2h.",
            lambda T, f, v, h: _central(T, f, v, h, kind="over h")),
    Mistake("every coordinate stepped at once", "x + h moves all of x's coordinates together: "
            "the difference is then the slope along the diagonal, the same for every entry. "
            "Step one coordinate at a time (a step vector with h in place i only).",
            lambda T, f, v, h: _central(T, f, v, h, kind="all at once")),
)
_AUTOGRAD = Diagnosis("the autograd gradient, not the finite difference", "Compute the "
                      "differences from f's values alone, without backward(): that is what "
                      "makes them a check on backward.")
_OTHER_STEP = Diagnosis("a step other than the h given", "Step by the h the function is "
                        "given: the check tries large and small steps, and a step of your own "
                        "gives another difference.")
_FLOAT32 = Diagnosis("differences computed in float32", "float32 keeps about 7 digits: at a "
                     "small h, f(x + h) and f(x - h) share almost all of them and their "
                     "difference is mostly rounding. Keep x and the steps in float64.")


def _judge_central(collected, hidden):
    cases = central_cases(hidden)
    for (values, h, (label, f)), run in zip(cases, runs(collected, len(cases))):
        what = f"central_difference({label}, x, h={h:g})"
        got, facts = returned(run.get("call"), what)
        expected = oracle(_central, f, values, h)
        if close(got, expected):
            continue
        if facts is not None and facts["dtype"] == "torch.float32":
            fail(f"{what} gives a {facts['dtype']} result, off by rounding.", _FLOAT32)
        if close(got, oracle(_autograd, f, values)):
            fail(f"{what} gives the exact derivative, not the difference with step h.",
                 _AUTOGRAD if run.get("backwards") else _OTHER_STEP)
        expect(got, expected, what, [("x", values.tolist()), ("h", h)], CENTRAL_MISTAKES,
               args=(f, values, h), hidden=hidden)


def _kink(T, h=1e-3):
    x = T.tensor(0.0, dtype=T.float64)
    numeric = ((x + h).relu() - (x - h).relu()) / (2 * h)
    x.requires_grad_()
    x.relu().backward()
    return [numeric.item(), x.grad.item()]


KINK = Predict(
    "the central difference and torch's gradient of relu at 0", _kink,
    "a kink: the central difference sees (h - 0) / 2h = 0.5, torch returns its convention 0.", (
        Mistake("finite differences do not see the kink", "Compute the central difference "
                "from relu's values at +h and -h: it needs no derivative to exist.",
                lambda T: [0.0, 0.0]),
        Mistake("torch averages the one-sided derivatives", "Where no derivative exists torch "
                "returns a fixed convention, not an average: lesson 07 shows relu's.",
                lambda T: [0.5, 0.5]),
        Mistake("torch takes the right-hand slope", "torch's convention at relu's kink is not "
                "the right-hand slope: lesson 07 shows which value it picks.",
                lambda T: [0.5, 1.0])),
    analyser=analyse_form)

def _tiny_step(T, dtype="float32", sides=2, h=1e-8):
    """Section 1's central difference at x = 1 with a step float32 cannot see."""
    x = T.tensor(1.0, dtype=getattr(T, dtype))
    f = lambda t: t.sin() * t  # noqa: E731 -- section 1's f
    ahead = f(x + h) if sides == 2 else f(x)
    return ((ahead - f(x - h)) / (2 * h)).item()


FLOAT32 = Predict(
    "the float32 central difference at x = 1 with h = 1e-8", _tiny_step,
    "h is below half the gap between float32 numbers next to 1.0 (about 1.2e-7), so x + h and "
    "x - h both round to 1.0: the two values of f are the same number, and their difference is "
    "exactly 0. This is why checks run in float64.", (
        Mistake("a smaller step is always more accurate", "Below some h, rounding wins: which "
                "float32 numbers do x + h and x - h become, when h is far smaller than float32's "
                "precision near 1?", lambda T: _tiny_step(T, dtype="float64")),
        Mistake("h itself rounds to 0 in float32", "h = 1e-8 is a perfectly good float32 number "
                "(float32 reaches far smaller ones): what is lost is the *sum* x + h, whose "
                "digits cannot hold so small a change.", lambda T: float("nan")),
        Mistake("only one side rounds", "Rounding works the same on both sides: x - h is as "
                "close to 1.0 as x + h is.", lambda T: _tiny_step(T, dtype="float64", sides=1))),
    analyser=analyse_form)


def _wrong_points(T, points=tuple(POINTS), h=1e-6, tol=1e-5):
    op, wrong = softplus(T), []
    for p in points:
        x = T.tensor(p, dtype=T.float64, requires_grad=True)
        op(x).backward()
        with T.no_grad():
            numeric = (op(x + h) - op(x - h)) / (2 * h)
        if abs(x.grad.item() - numeric.item()) > tol:
            wrong.append(p)
    return wrong


WRONG = Predict(
    "the points where softplus's backward disagrees with finite differences", _wrong_points,
    "the negative branch: 1 / (1 + exp(a)) there is sigmoid(-a), not sigmoid(a); at a = 0 both "
    "branches give 1/2.", (
        Mistake("the whole backward is wrong", "Compare point by point: at some points the "
                "backward agrees with the central difference.", lambda T: list(POINTS)),
        Mistake("the positive side is wrong", "Compare at every one of the five points, and "
                "look at which branch of slipped_sigmoid handles each.",
                lambda T: [p for p in POINTS if p > 0]),
        Mistake("the points where the backward agrees", "The question asks where it is "
                "*wrong*: where autograd and the central difference disagree.",
                lambda T: [p for p in POINTS if p >= 0])),
    analyser=analyse_form)


KEY = {
    "l10_central": Build(_judge_central, "a central difference per coordinate: f's values "
                                         "alone, no backward."),
    "l10_kink": KINK,
    "l10_float32": FLOAT32,
    "l10_wrong": WRONG,
}
