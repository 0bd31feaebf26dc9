"""How the answer key judges what a check collected: the expected answer from both engines, a
comparison with float tolerance, and the mistake a wrong answer points to.

Every expected answer comes from a *scenario* -- the lesson's code, written once with the engine
module as `T` -- run on real torch and on autograd_core; the two must agree, or the course is at
fault (OraclesDisagree). A wrong answer is compared with what each catalogued misconception gives
(a Mistake: the scenario as the mistaken learner runs it); a mistake is named only when it gives
this very answer. Else, where the exercise allows, a general analyser reads how it differs (a
constant factor, a sign, a shape). For a predict exercise nothing said gives the answer away: no
expected value, no factor, no place where it differs, no part that is right.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

import autograd_core
from graders.handover import Malformed
from graders.verdict import RIGHT, UNANSWERED, WRONG, Diagnosis, Verdict

RTOL, ATOL = 1e-4, 1e-5
ENGINES = (torch, autograd_core)


class OraclesDisagree(AssertionError):
    """torch and autograd_core disagree on an expected answer: the course is at fault, never
    the student."""


class Wrong(Exception):
    """Raised by a judge at the first thing wrong: what is off, and the mistake it points to."""

    def __init__(self, message, diagnosis=None, outcome=WRONG):
        super().__init__(message)
        self.message, self.diagnosis, self.outcome = message, diagnosis, outcome


def fail(message, diagnosis=None):
    raise Wrong(message, diagnosis)


def verdict_of(check, judging):
    """Run judging() -> the reason a right answer is right; a Wrong becomes the verdict."""
    try:
        why = judging()
    except Wrong as wrong:
        return Verdict(check.name, check.title, wrong.outcome, wrong.message, wrong.diagnosis,
                       revealable=not check.takes_function)
    return Verdict(check.name, check.title, RIGHT, why)


@dataclass(frozen=True)
class Mistake:
    """A known misconception: its name, a hint true for the exercise, and the answer it leads to
    (`scenario(T, *args)`, the lesson's code as the misconception would have it)."""

    name: str
    hint: str
    scenario: Callable

    @property
    def diagnosis(self):
        return Diagnosis(self.name, self.hint)


def as_mistake(diagnosis, scenario):
    """The Mistake a diagnosis names, given the answer it leads to."""
    return Mistake(diagnosis.mistake, diagnosis.hint, scenario)


def oracle(scenario, *args):
    """scenario(T, *args) on torch and on autograd_core, read as plain values; they must agree."""
    from graders.evidence import quiet, read

    with quiet():
        results = [read(scenario(T, *args)) for T in ENGINES]
    if not close(results[1], results[0]):
        raise OraclesDisagree(
            "The two reference engines disagree on this exercise, so it cannot be checked: "
            "this is a bug in the course, not in your answer. Please tell your instructor.\n"
            f"  torch:         {results[0]}\n  autograd_core: {results[1]}")
    return results[0]


def leaf(T, values, requires_grad=True):
    """A fresh float32 leaf of engine T from numpy values."""
    t = T.tensor(np.array(values, dtype=np.float32))
    return t.requires_grad_() if requires_grad else t


# -- reading what was collected (anything else is a malformed hand-over) --------------------

FACTS = {"engine": str, "type": str, "dtype": str, "shape": list, "requires_grad": bool,
         "is_leaf": bool, "grad_fn": (str, type(None)), "grad": object}  # evidence.facts


def observed(data):
    """(value, tensor facts or None) of an observation (evidence.observe); Wrong if the object
    could not be read."""
    if not isinstance(data, dict):
        raise Malformed("an observation that is not a mapping")
    if "unreadable" in data:
        fail(f"expected a tensor or a number here, but got {data['unreadable']}.")
    facts = data.get("tensor")
    if "value" not in data or not (facts is None or isinstance(facts, dict) and facts.keys() == FACTS.keys()
                                   and all(isinstance(facts[k], t) for k, t in FACTS.items())):
        raise Malformed("an observation without a value, or with facts of another shape")
    return data["value"], facts


def runs(collected, n):
    """The collected runs of a function check, one per case; Malformed if not n of them."""
    if not isinstance(collected, list) or len(collected) != n:
        raise Malformed(f"expected {n} runs of the function, got "
                        f"{len(collected) if isinstance(collected, list) else 'none'}")
    if not all(isinstance(run, dict) for run in collected):
        raise Malformed("a run that is not a mapping")
    return collected


def returned(call, what, errors=()):
    """(value, facts) a student's function returned; else Wrong (or not answered) saying what
    happened instead. errors: (part of the message, Diagnosis) pairs tried before KNOWN_ERRORS,
    for a hint that only this exercise makes true."""
    if not isinstance(call, dict):
        raise Malformed("a call that is not a mapping")
    if "returned" in call:
        return observed(call["returned"])
    if "not_callable" in call:
        fail(f"expected a function here, but got {call['not_callable']}.")
    if "timed_out" in call:
        where = [line for line in call.get("where") or [] if isinstance(line, str)]
        fail("\n".join([f"{what} did not return within {call['timed_out']} s: look for a loop "
                        "that never ends.", *where[-6:]]))
    raised = call.get("raised")
    if not isinstance(raised, dict):
        raise Malformed("a call that neither returned nor raised")
    kind, text = str(raised.get("type")), str(raised.get("message"))
    if kind == "NotImplementedError":
        raise Wrong("", outcome=UNANSWERED)
    known = (d for part, d in (*errors, *KNOWN_ERRORS) if part in text)
    fail(f"{what} raised {kind}: {text}", next(known, None))


# -- comparing -------------------------------------------------------------------------------

def close(got, expected):
    """Element by element, with float tolerance: shapes must agree exactly; a bool answer may
    be written 1 or 0; text compares without case and outer spaces."""
    if type(expected) is str:
        return type(got) is str and got.strip().upper() == expected.strip().upper()
    if expected is None:
        return got is None
    if isinstance(expected, list):
        return isinstance(got, list) and len(got) == len(expected) and all(
            close(g, e) for g, e in zip(got, expected))
    if isinstance(expected, dict):
        return isinstance(got, dict) and got.keys() == expected.keys() and all(
            close(got[k], expected[k]) for k in expected)
    if isinstance(got, list | dict) or type(got) not in (bool, int, float):
        return False
    if type(expected) is bool or type(got) is bool:
        return got in (0, 1) and bool(got) is bool(expected) if type(expected) is bool else False
    try:
        got, expected = float(got), float(expected)
    except OverflowError:  # an integer past any float: no answer of the course
        return False
    if not (math.isfinite(got) and math.isfinite(expected)):
        return got == expected or (got != got and expected != expected)
    return math.isclose(got, expected, rel_tol=RTOL, abs_tol=ATOL)


def choice(value):
    """A multiple-choice answer as the learner may write it ("b", "(B)", "B.") as its letter."""
    return value.strip(" ()\"'.").upper() if isinstance(value, str) else value


def shape_of(values):
    shape = []
    while isinstance(values, list):
        shape.append(len(values))
        values = values[0] if values else None
    return tuple(shape)


def flatten(values):
    if isinstance(values, list):
        return [v for item in values for v in flatten(item)]
    return [values]


def numbers(values):
    """Whether values are numbers all through (no text, None, dicts), bools excluded."""
    return all(type(v) in (int, float) for v in flatten(values))


def diagnose(got, expected, mistakes=(), args=(), analyser=None):
    """The catalogued mistake this answer matches, else the analyser's reading, else None."""
    for mistake in mistakes:
        if close(got, oracle(mistake.scenario, *args)):
            return mistake.diagnosis
    return analyser(got, expected) if analyser is not None else None


# -- the general analyser -------------------------------------------------------------------

NOT_FINITE = Diagnosis("a nan or inf in the answer", "An entry is not a finite number: look for "
                       "a division by zero, or a log or sqrt of a value outside its domain.")
NONE = Diagnosis(
    "None where a value was expected", ".grad is None on a tensor made by an op (a non-leaf) "
    "and on a leaf before a backward reaches it; a function without `return` gives None too.")
STILL_IN_GRAPH = Diagnosis(
    "a tensor that still requires grad", "The answer is still part of a graph "
    "(requires_grad=True): a value computed from the leaf, not its gradient. A gradient is "
    "what backward() leaves in the leaf's .grad.")


def analyse_form(got, expected, detail=False):
    """What is off in a wrong answer's form -- None in it, a nan or inf, a shape -- else None:
    for an exercise where a constant factor or a sign would not be the likely mistake."""
    if _has_none(got) and not _has_none(expected):
        return NONE
    arrays = _arrays(got, expected)
    if arrays is None:
        return None
    g, e = arrays
    if g.shape != e.shape:
        return _shape_mistake(g, e, detail)
    return NOT_FINITE if not np.isfinite(g).all() else None


def analyse(got, expected, detail=False):
    """How a wrong numeric answer differs from the expected one, when no catalogued mistake
    matched: its form, else all zeros, a constant factor or signs; None when nothing simple
    explains it. detail=False (predict exercises): the family only, never a factor or a place
    that would give the answer away."""
    found = analyse_form(got, expected, detail)
    arrays = _arrays(got, expected)
    if found is not None or arrays is None:
        return found
    g, e = (a.reshape(-1) for a in arrays)
    if not g.any() and e.any():
        return Diagnosis("all zeros", "Every entry is 0: a gradient read before backward() "
                         "reached it, or zeroed after it, gives this.")
    factor = _constant_factor(g, e)
    if factor is not None:
        return _factor_mistake(factor, several=len(e) > 1, detail=detail)
    if len(e) > 1 and _same(np.abs(g), np.abs(e)):
        return Diagnosis("the sign wrong at some entries", "The sizes are right but some signs "
                         "are not: check the branch taken, or the sign of the term, at each "
                         "entry.")
    return None


def _arrays(got, expected):
    """Both answers as float arrays, or None if they are not numbers all through."""
    if not (numbers(got) and numbers(expected)):
        return None
    try:
        return np.array(got, dtype=float), np.array(expected, dtype=float)
    except ValueError:  # ragged lists: no array to compare
        return None


def _has_none(values):
    return values is None or isinstance(values, list) and any(map(_has_none, values))


def _same(a, b):
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL))


def _constant_factor(g, e):
    """c with g == c * e everywhere (and c != 1), else None."""
    big = np.abs(e) > ATOL
    if not big.any():
        return None
    c = float(g[big][0] / e[big][0])
    return c if _same(g, c * e) and not math.isclose(c, 1.0, rel_tol=RTOL) else None


def _factor_mistake(c, several, detail):
    every = "every entry is" if several else "your answer is"
    if math.isclose(c, -1.0, rel_tol=RTOL):
        return Diagnosis("the sign flipped", "The sizes are right and the sign is not: look "
                         "for a difference written the other way round (b - a for a - b), or a "
                         "step up the gradient instead of down.")
    small = abs(c) if abs(c) >= 1 else 1 / abs(c) if c else 0
    if not several and not math.isclose(small, round(small), rel_tol=1e-3):
        return None  # one number off by an odd factor: the factor says nothing
    if not detail:
        return Diagnosis("a constant factor off", "Your answer is the right one times a "
                         "constant: look for a coefficient in front, a mean's 1/n, or a "
                         "gradient counted more (or fewer) times than it should be.")
    return Diagnosis(f"a constant factor ({c:.4g}x)", f"{every.capitalize()} {c:.4g}x the "
                     "expected value: a constant is missing or extra, e.g. a mean's 1/n, a "
                     "coefficient in front, or a gradient counted more than once.")


def _shape_mistake(g, e, detail):
    if g.ndim == 0 and e.ndim > 0:
        return Diagnosis("a number where a tensor was expected", "The answer has one entry "
                         "per element of the tensor it describes: give them all, as a tensor.")
    if e.ndim == 0 and g.ndim > 0:
        return Diagnosis("a tensor where a number was expected", "The answer is one number: "
                         "take it out of a one-element tensor with .item().")
    if g.ndim == 2 and g.T.shape == e.shape and (not detail or _same(g.T, e)):
        return Diagnosis("the transpose", "Rows and columns are swapped: entry [i, j] belongs "
                         "at [j, i].")
    try:
        broadcast = np.broadcast_shapes(g.shape, e.shape) == g.shape and g.size > e.size
    except ValueError:
        broadcast = False
    if broadcast:
        return Diagnosis("a shape that broadcasting produced", "The answer has more entries "
                         "than the tensor it describes: an operation between tensors of "
                         "different shapes (a column and a row, or (n,) and (n, 1)) broadcast "
                         "them to a bigger one. Check each operand's .shape.")
    return Diagnosis("the wrong shape", "The answer has another shape than the tensor it "
                     "describes: a gradient has the shape of its leaf.")


# -- torch's errors that point to a known misconception -------------------------------------

KNOWN_ERRORS = (
    ("leaf Variable that requires grad is being used in an in-place operation", Diagnosis(
        "an in-place operation on a leaf that requires grad",
        "autograd cannot record a change made in place to a leaf it must differentiate "
        "(x -= ..., x.neg_(), x[0] = ...). To compute with x, make a new tensor (-x, x * 2); "
        "only an update of a parameter, which must not be recorded, goes under "
        "`with torch.no_grad():`.")),
    ("grad can be implicitly created only for scalar outputs", Diagnosis(
        "backward() on a non-scalar without a gradient",
        "Pass the vector v of the vector-Jacobian product, y.backward(v), or reduce first: "
        "y.sum().backward().")),
    ("backward through the graph a second time", Diagnosis(
        "a second backward through a freed graph (a missing retain_graph)",
        "backward() frees what the graph saved. Rebuild the graph, or pass retain_graph=True "
        "to every backward but the last.")),
    ("does not require grad and does not have a grad_fn", Diagnosis(
        "backward() from a tensor outside the graph",
        "The tensor was made under no_grad, detached, rebuilt from a Python number (.item()), "
        "or computed from a tensor that was rebound to a new one: no gradient can flow back "
        "from it. Compute it from the leaf with tensor operations, outside no_grad.")),
    ("Only Tensors of floating point", Diagnosis(
        "integers cannot require grad",
        "Make the tensor float: dtype=torch.float32, or write the numbers as 1.0, 2.0.")),
    ("unsupported operand type(s) for *: 'float' and 'NoneType'", Diagnosis(
        "a .grad that is None",
        "lr * w.grad found w.grad None: no backward reached this w. After `w = w - lr * w.grad` "
        "w is a new tensor made by an op, whose .grad backward never fills; an update in place "
        "(`w -= lr * w.grad` under torch.no_grad()) keeps the leaf.")),
    ("'NoneType' object has no attribute 'zero_'", Diagnosis(
        "zero_() on a .grad that is None",
        ".grad is None until a backward reaches the leaf, and it is None on any new tensor the "
        "name was rebound to (w = w - ... makes one). Check `if w.grad is not None:`, or reset "
        "with `w.grad = None`; update parameters in place so they stay the same leaves.")),
    ("'NoneType' object has no attribute", Diagnosis(
        "a missing gradient or node (None)",
        ".grad is None until a backward reaches a leaf, and stays None on non-leaves; "
        "next_functions holds None for inputs that need no gradient.")),
)


# -- what a build check may show: its visible inputs, expected and got, as torch prints ------

def printed(values):
    """Values as torch prints them (4 decimals), for a build check's visible test."""
    if isinstance(values, list) and values and numbers(values):
        try:
            return repr(torch.tensor(values))
        except (ValueError, TypeError):
            pass
    if type(values) is float:
        return repr(torch.tensor(values)).removeprefix("tensor(").removesuffix(")")
    if isinstance(values, list):
        return "[" + ", ".join(printed(v) for v in values) + "]"
    if isinstance(values, dict):  # sorted: a dict's order does not survive the hand-over
        return "{" + ", ".join(f"{k!r}: {printed(v)}" for k, v in sorted(values.items())) + "}"
    return repr(values)


def expect(got, expected, call, inputs=(), mistakes=(), args=(), hidden=False):
    """One run of a build check: got must be the expected value. A visible test shows its call,
    its inputs, what came back and what was expected, as a unit test does; a hidden one says
    only which inputs it was, by their shapes.

    inputs: (name, values) pairs as the exercise names them.
    """
    if close(got, expected):
        return
    diagnosis = diagnose(got, expected, mistakes, args,
                         analyser=lambda g, e: analyse(g, e, detail=True))
    if hidden:
        shapes = ", ".join(f"{name} of shape {list(shape_of(values))}" for name, values in inputs
                           if isinstance(values, list))
        fail(f"{call} gives a wrong result on one of the hidden tests"
             f"{f' ({shapes})' if shapes else ''}.", diagnosis)
    lines = [f"{call} on the visible test, with"]
    lines += [f"    {name} = {values if isinstance(values, str) else printed(values)}"
              for name, values in inputs]
    lines += [f"  returned {printed(got)}", f"  expected {printed(expected)}"]
    fail("\n".join(lines), diagnosis)
