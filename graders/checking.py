"""The checking kernel's machinery: two oracles, safe reading of answers, feedback for a student.

A check computes its expected answer by running the lesson's scenario -- written once, taking
the engine module as `T` -- on real torch and on autograd_core. The student's answer must match
both. A wrong answer is compared with what each catalogued misconception would give, else read
by a general analyser (a constant factor, a flipped sign, a transpose, ...), so the feedback can
name the mistake behind it. A failure is data: CheckFailed.verdict is a Verdict whose diagnosis
is a Diagnosis (or None); `render` is the one place it becomes text.

The trust boundary: a check touches a student's objects only through read(), attributes(),
call_student(), backward() and counting_backwards(); what they return is plain data (or the
student's own object, passed on to another of them). Everything else is deterministic given that.

Safe on a student's work: answers are only read (values copied out through functions captured
at import, never through the answer's own methods or `==`), nothing is written to stderr
(nbgrader scores any stderr output as a failed test), and warnings are swallowed. Each module of
checks ends with `seal(globals())`: its functions then look names up in a private copy of the
module's namespace, so a student who patches `graders.checking.verdict` (or a lesson's helper)
changes the module object, never what the checks call.
"""

import contextlib
import html
import io
import math
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
import torch

import autograd_core

from . import handover

# trusted from import time: a student's later monkeypatching of these names changes nothing here
_TORCH_TENSOR, _CORE_TENSOR, _NDARRAY = torch.Tensor, autograd_core.Tensor, np.ndarray
_torch_tolist, _torch_detach = torch.Tensor.tolist, torch.Tensor.detach
_register_hook, _torch_backward = torch.Tensor.register_hook, torch.Tensor.backward
_core_tolist = autograd_core.Tensor.tolist
_ATTRS = ("requires_grad", "is_leaf", "grad_fn", "dtype", "grad")
_DESCRIPTORS = MappingProxyType({
    kind: MappingProxyType({name: getattr(kind, name) for name in _ATTRS})
    for kind in (torch.Tensor, autograd_core.Tensor)})
_np_array, _isclose, _isfinite = np.array, math.isclose, math.isfinite
_ENGINES = (("torch", torch), ("autograd_core", autograd_core))
_catch_warnings, _redirect_stderr = warnings.catch_warnings, contextlib.redirect_stderr
_simplefilter = warnings.simplefilter

RTOL, ATOL = 1e-4, 1e-5


@dataclass(frozen=True)
class Diagnosis:
    """The misconception a wrong answer points to, and a hint that is true for the exercise."""

    mistake: str
    hint: str


@dataclass(frozen=True)
class Verdict:
    """What a check found: data for the report, rendered for the student by `render`."""

    check: str  # the check's function name, e.g. "check_d2l_grad"
    passed: bool
    message: str  # what was checked, expected vs got; no diagnosis in it
    diagnosis: Diagnosis | None = None


def render(v):
    """The one place a verdict becomes the text a student reads."""
    if v.passed:
        return f"✓ {v.message}"
    text = f"Not yet: {v.message}"
    if v.diagnosis is not None:
        text += f"\n\nThis looks like: {v.diagnosis.mistake}.\n{v.diagnosis.hint}"
    return text


class CheckFailed(AssertionError):
    """A wrong answer, carrying its Verdict; str() is the text written for the student.

    In a notebook the full message is shown once, as an HTML box (show_failure); the traceback
    is cut to its first line, with no code frames from the grader.
    """

    def __init__(self, verdict):
        if type(verdict) is str:  # a bare message: no diagnosis
            verdict = Verdict("", False, verdict.removeprefix("Not yet: "))
        super().__init__(render(verdict))
        self.verdict = verdict

    def _render_traceback_(self):  # IPython's hook for custom tracebacks
        return [f"\x1b[1;31mCheckFailed\x1b[0m: {str(self).splitlines()[0]}"]


def fail(message, diagnosis=None):
    """Reject the answer: message says what is off, diagnosis (if known) which mistake it is."""
    raise CheckFailed(Verdict("", False, message, diagnosis))


class OraclesDisagree(AssertionError):
    """torch and autograd_core disagree on an expected answer: the course is at fault, never
    the student."""


@dataclass(frozen=True)
class Mistake:
    """A known misconception: its name, a hint, and the answer it leads to.

    `scenario(T)` is the lesson's code as the misconception would have it (e.g. without
    `zero_()`); it runs on both engines like the real scenario.
    """

    name: str
    hint: str
    scenario: Callable

    @property
    def diagnosis(self):
        return Diagnosis(self.name, self.hint)


@contextlib.contextmanager
def quiet():
    """No warnings and nothing on stderr while a check runs."""
    with _catch_warnings(), _redirect_stderr(io.StringIO()):
        _simplefilter("ignore")
        yield


@handover.boundary
def read(answer):
    """The answer's values as nested Python floats/bools, without calling anything it defines.

    Accepts tensors of either engine, numpy arrays, numbers, and lists or tuples of these.
    Anything else -- including objects that merely claim to be tensors -- is refused.
    """
    kind = type(answer)
    if kind is _TORCH_TENSOR:
        return _torch_tolist(_torch_detach(answer))
    if kind is _CORE_TENSOR:
        return _core_tolist(answer)
    if kind is _NDARRAY and answer.dtype.kind in "biuf":
        return answer.tolist()
    if kind in (bool, int, float):
        return answer
    if isinstance(answer, np.generic) and kind.__module__ == "numpy":  # numpy's own scalars only
        return answer.item()
    if kind in (list, tuple):
        return [read(a) for a in answer]
    if kind is str:
        return str.strip(answer)
    if answer is None:  # data too: a missing .grad, or None in next_functions
        return None
    if kind is dict:  # names to values; the keys must be text
        return {_key(k): read(v) for k, v in dict.items(answer)}
    fail(f"expected a tensor or a number here, but got a {kind.__name__}.")


_NONE = Diagnosis(
    "None where a value was expected", ".grad is None on a tensor made by an op (a non-leaf) "
    "and on a leaf before a backward reaches it; a function without `return` gives None too. "
    "Read .grad of the leaf, after backward().")


def _key(k):
    if type(k) is not str:
        fail(f"expected text as the keys of the dict, but got a {type(k).__name__}.")
    return str(k)


@handover.boundary
def attributes(t):
    """A tensor's autograd state as plain data, read through descriptors captured at import (a
    monkeypatched Tensor.requires_grad cannot lie to a check):

    engine "torch" or "autograd_core"; requires_grad, is_leaf: bools; grad_fn: the class name of
    its node ("MulBackward0") or None; dtype: "torch.float32", ...; grad: its values as read()
    gives them, or None.
    """
    descriptors = _DESCRIPTORS.get(type(t))
    if descriptors is None:
        fail(f"expected a tensor here, but got a {type(t).__name__}.")
    with quiet():  # reading .grad of a non-leaf warns
        found = {name: d.__get__(t, type(t)) for name, d in descriptors.items()}
    node, grad = found["grad_fn"], found["grad"]
    return {"engine": "torch" if type(t) is _TORCH_TENSOR else "autograd_core",
            "requires_grad": bool(found["requires_grad"]), "is_leaf": bool(found["is_leaf"]),
            "grad_fn": None if node is None else type(node).__name__,
            "dtype": str(found["dtype"]), "grad": None if grad is None else read(grad)}


def as_array(values):
    return _np_array(values, dtype=float)


def close(got, expected):
    """Element by element, with float tolerance: shapes must agree exactly."""
    if type(expected) is str:
        return type(got) is str and str.upper(got) == str.upper(expected)
    if expected is None:
        return got is None
    if isinstance(expected, list):
        return isinstance(got, list) and len(got) == len(expected) and all(
            close(g, e) for g, e in zip(got, expected))
    if isinstance(got, list) or type(got) not in (bool, int, float):
        return False
    if type(expected) is bool or type(got) is bool:
        return type(got) is type(expected) and got == expected
    if not (_isfinite(got) and _isfinite(expected)):
        return got == expected or (got != got and expected != expected)
    return _isclose(got, expected, rel_tol=RTOL, abs_tol=ATOL)


def shape_of(values):
    shape = []
    while isinstance(values, list):
        shape.append(len(values))
        values = values[0] if values else None
    return tuple(shape)


@handover.trusted
def oracle(scenario, *args):
    """Run scenario(T, *args) on torch and on autograd_core; they must agree."""
    results = []
    with quiet():
        for _, engine in _ENGINES:
            results.append(read(scenario(engine, *args)))
    if not close(results[1], results[0]):
        raise OraclesDisagree(
            "The two reference engines disagree on this exercise, so it cannot be checked: "
            "this is a bug in the course, not in your answer. Please tell your instructor.\n"
            f"  torch:         {results[0]}\n  autograd_core: {results[1]}")
    return results[0]


def describe(values):
    if isinstance(values, list):
        return "tensor of shape " + str(list(shape_of(values)))
    return repr(values)


def differences(got, expected, limit=6):
    """Where got and expected differ, element by element: lines for the message."""
    as_array(got), as_array(expected)  # numbers all through, or a TypeError/ValueError
    shape = shape_of(expected)
    lines = []
    for i, (g, e) in enumerate(zip(flatten(got), flatten(expected))):
        if not close(g, e):
            where = np.unravel_index(i, shape) if shape else ()
            lines.append(f"    at {list(map(int, where))}: expected {_number(e)}, got {_number(g)}")
    if len(lines) > limit:
        lines = lines[:limit] + [f"    ... and {len(lines) - limit} more"]
    return lines


def flatten(values):
    if isinstance(values, list):
        return [v for item in values for v in flatten(item)]
    return [values]


def _number(value):
    return repr(value) if type(value) is bool else f"{value:.6g}"


def check_value(answer, what, scenario, mistakes=()):
    """The common check: the answer against the scenario's result on both engines."""
    try:
        verdict(what, read(answer), oracle(scenario), mistakes)
    except CheckFailed as failure:
        catalogued = failure.verdict.diagnosis in [m.diagnosis for m in mistakes]
        if not catalogued and _in_graph(answer):  # more telling than the analyser's reading
            fail(failure.verdict.message, _STILL_IN_GRAPH)
        raise


_STILL_IN_GRAPH = Diagnosis(
    "a tensor that still requires grad", "Your answer is still part of a graph "
    "(requires_grad=True): a value computed from the leaf, not its gradient. The gradient is "
    "the leaf's .grad after backward().")


def _in_graph(answer):
    try:
        return bool(attributes(answer)["requires_grad"])
    except CheckFailed:
        return False  # not a tensor


def verdict(what, got, expected, mistakes=(), args=()):
    """Compare one answer with the expected value; raise CheckFailed written for a student.

    The diagnosis is the first catalogued mistake whose scenario gives the same answer, else
    what the general analyser can say about how got differs from expected.
    """
    if close(got, expected):
        return
    lines = [f"{what}."]
    if type(expected) is str:
        lines.append(f"  you answered {got!r}")
    elif shape_of(got) != shape_of(expected):
        lines.append(f"  expected {describe(expected)}, got {describe(got)}")
    elif isinstance(expected, list):
        lines.append(f"  expected {_short(expected)}\n  got      {_short(got)}")
        try:
            lines += differences(got, expected)
        except (TypeError, ValueError):
            pass  # not numbers all through (names, or text in a list): the lines above say it
    else:
        lines.append(f"  expected {expected!r}, got {got!r}")
    fail("\n".join(lines), diagnose(got, expected, mistakes, args))


def diagnose(got, expected, mistakes=(), args=()):
    """The catalogued mistake this answer matches, else the analyser's reading, else None."""
    for mistake in mistakes:
        if close(got, oracle(mistake.scenario, *args)):
            return mistake.diagnosis
    return analyse(got, expected)


def analyse(got, expected):
    """How a wrong answer differs from the expected one, when no catalogued mistake matched:
    a constant factor, a flipped sign, a power of two, a transpose, a shape from broadcasting,
    right values at wrong places. None when nothing simple explains it."""
    if _has_none(got) and not _has_none(expected):
        return _NONE
    try:
        return _analyse(got, expected) if _numbers(got) and _numbers(expected) else None
    except ValueError:  # ragged lists: no array to compare
        return None


def _analyse(got, expected):
    shape, want = shape_of(got), shape_of(expected)
    if shape != want:
        return _shape_mistake(as_array(got), as_array(expected))
    g, e = as_array(got).reshape(-1), as_array(expected).reshape(-1)
    if not np.isfinite(g).all():
        return _NOT_FINITE
    if not g.any() and e.any():
        return _ALL_ZERO
    factor = _constant_factor(g, e)
    if factor is not None:
        return _factor_mistake(factor, several=len(e) > 1)
    if len(e) > 1 and _same(np.abs(g), np.abs(e)):
        wrong = [list(map(int, np.unravel_index(i, want))) for i in np.flatnonzero(
            ~np.isclose(g, e, rtol=RTOL, atol=ATOL))]
        return Diagnosis("the sign wrong at some entries", f"The sizes are right but the sign is "
                         f"flipped at {_places(wrong)}: check the branch or the sign of the term "
                         "that applies there (x > 0 or x < 0).")
    if len(e) > 1 and _same(np.sort(g), np.sort(e)):
        return Diagnosis("the right values at the wrong places", "Every expected value is "
                         "there, in another order: check the order of the rows, columns or "
                         "arguments.")
    return None


_NOT_FINITE = Diagnosis("a nan or inf in the answer", "An entry is not a finite number: look for "
                        "a division by zero, or a log or sqrt of a value outside its domain.")
_ALL_ZERO = Diagnosis("all zeros", "Every entry is 0: .grad was read before backward() ran, or "
                      "zeroed after it. Zero it before a backward, read it after.")


def _has_none(values):
    return values is None or isinstance(values, list) and any(map(_has_none, values))


def _numbers(values):
    if isinstance(values, list):
        return all(_numbers(v) for v in values)
    return type(values) in (int, float)


def _same(a, b):
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL))


def _constant_factor(g, e):
    """c with g == c * e everywhere (and c != 1), else None."""
    big = np.abs(e) > ATOL
    if not big.any():
        return None
    c = float(g[big][0] / e[big][0])
    return c if _same(g, c * e) and not _isclose(c, 1.0, rel_tol=RTOL) else None


def _factor_mistake(c, several):
    every = "every entry is" if several else "your answer is"
    if _isclose(c, -1.0, rel_tol=RTOL):
        return Diagnosis("the sign flipped", f"{every.capitalize()} minus the expected value: "
                         "look for a difference written the other way round (b - a for a - b), "
                         "or a step up the gradient instead of down.")
    k = math.log2(abs(c)) if c else 0.0
    if c > 0 and k and _isclose(k, round(k), abs_tol=1e-3):
        k = round(k)
        many = "few" if k < 0 else "many"
        return Diagnosis(f"a factor 2^{k} off", f"{every.capitalize()} {c:g}x the expected "
                         f"value, a power of two: count again the doublings (or the backward() "
                         f"calls, or the factors 2), {abs(k)} too {many}.")
    small = abs(c) if abs(c) >= 1 else 1 / abs(c) if c else 0
    if not several and not _isclose(small, round(small), rel_tol=1e-3):
        return None  # one number off by an odd factor: the factor says nothing
    sign = " and the sign flipped" if c < 0 else ""
    return Diagnosis(f"a constant factor ({c:.4g}x){sign}", f"{every.capitalize()} {c:.4g}x the "
                     "expected value: a constant is missing or extra, e.g. a mean's 1/n, a "
                     "coefficient in front, or a gradient counted more than once.")


def _shape_mistake(g, e):
    if g.ndim == 0 and e.ndim > 0:
        return Diagnosis("a number where a tensor was expected", f"The answer has shape "
                         f"{list(e.shape)}: give every entry as a tensor, not one value.")
    if e.ndim == 0 and g.ndim > 0:
        return Diagnosis("a tensor where a number was expected", "The answer is one number: "
                         "take it out of a one-element tensor with .item().")
    if g.ndim == 2 and g.T.shape == e.shape and _same(g.T, e):
        return Diagnosis("the transpose", "Rows and columns are swapped: entry [i, j] of the "
                         "answer belongs at [j, i]. Drop (or add) a .T.")
    if g.size == e.size and _same(g.reshape(-1), e.reshape(-1)):
        return Diagnosis("the right numbers in the wrong shape", f"Give the answer the shape "
                         f"{list(e.shape)}, e.g. with .reshape.")
    try:
        broadcast = np.broadcast_shapes(g.shape, e.shape) == g.shape and g.size > e.size
    except ValueError:
        broadcast = False
    if broadcast:
        return Diagnosis("a shape that broadcasting produced", f"The answer has shape "
                         f"{list(g.shape)}, not {list(e.shape)}: an operation between tensors of "
                         "different shapes (a column and a row, or (n,) and (n, 1)) broadcast "
                         "them to a bigger one. Check each operand's .shape.")
    return None


def _places(places, limit=4):
    text = ", ".join(map(str, places[:limit]))
    return text + (" ..." if len(places) > limit else "")


def _short(values):
    text = repr(values)
    return text if len(text) < 200 else text[:197] + "..."


def passed(message):
    """One short line for a right answer."""
    print(render(Verdict("", True, message)))


def show_failure(error):
    """Render a failure as HTML in JupyterLab; nbgrader's feedback keeps the plain text."""
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:
        return
    if get_ipython() is None:
        return
    text = html.escape(str(error))
    display(HTML(
        '<div style="border-left:4px solid #d9534f;padding:6px 10px;background:#fdf3f3;'
        f'font-family:var(--jp-code-font-family,monospace);white-space:pre-wrap">{text}</div>'))


def check(fn):
    """Mark a check: quiet while it runs, an HTML box on failure, short tracebacks."""

    def run(*args, **kwargs):
        __tracebackhide__ = True  # noqa: F841  (IPython and pytest hide this frame)
        try:
            with handover.check_call(fn.__name__), quiet():
                message = fn(*args, **kwargs)
        except CheckFailed as error:
            failure = CheckFailed(replace(error.verdict, check=fn.__name__))
            show_failure(failure)
            raise failure from None
        passed(message)

    run.__name__, run.__doc__, run.__wrapped__ = fn.__name__, fn.__doc__, fn
    return run


# torch's errors that point to a known misconception: (part of the message, diagnosis)
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
        "The tensor was made under no_grad, detached, or rebuilt from a Python number (.item()): "
        "no gradient can flow back from it. Compute it from the leaf with tensor operations, "
        "outside no_grad.")),
    ("Only Tensors of floating point", Diagnosis(
        "integers cannot require grad",
        "Make the tensor float: dtype=torch.float32, or write the numbers as 1.0, 2.0.")),
    ("unsupported operand type(s) for *: 'float' and 'NoneType'", Diagnosis(
        "a .grad that is None: the parameter was rebound outside no_grad",
        "`w = w - lr * w.grad` records the update and makes w a new, non-leaf tensor, whose "
        ".grad backward never fills. Update in place under no_grad: "
        "`with torch.no_grad(): w -= lr * w.grad`.")),
    ("'NoneType' object has no attribute 'zero_'", Diagnosis(
        "zero_() on a .grad that is still None",
        ".grad is None until the first backward reaches the leaf: check `if w.grad is not None:` "
        "before w.grad.zero_(), or reset with `w.grad = None` instead.")),
    ("'NoneType' object has no attribute", Diagnosis(
        "a missing gradient or node (None)",
        ".grad is None until a backward reaches a leaf, and stays None on non-leaves; "
        "next_functions holds None for inputs that need no gradient.")),
)


@handover.boundary
def call_student(fn, *args, errors=()):
    """Call a student's function; its exception becomes feedback, not a crash of the check.

    errors: (part of the message, Diagnosis) pairs tried before KNOWN_ERRORS, for a hint
    that only this exercise makes true.
    """
    if not callable(fn):
        fail(f"expected a function here, but got a {type(fn).__name__}.")
    try:
        return fn(*args)
    except Exception as error:  # noqa: BLE001 -- any error in student code is feedback
        text = str(error)
        known = (d for part, d in (*errors, *KNOWN_ERRORS) if part in text)
        fail(f"your function raised {type(error).__name__}: {text}", next(known, None))


@handover.boundary
def backward(t, *args):
    """t.backward(*args) on a student's tensor, through torch's own method captured at import;
    an error becomes feedback."""
    if type(t) is not _TORCH_TENSOR:
        fail(f"expected a torch tensor here, but got a {type(t).__name__}.")
    call_student(_torch_backward, t, *args)


def inputs(seed, *shapes, low=-2.0, high=2.0):
    """Reproducible float32 inputs: the visible check and the hidden tests use different seeds."""
    rng = np.random.default_rng(seed)
    return [rng.uniform(low, high, size=s).astype(np.float32) for s in shapes]


def leaf(T, values, requires_grad=True):
    """A fresh leaf of engine T from numpy values."""
    t = T.tensor(_np_array(values, dtype=np.float32))
    return t.requires_grad_() if requires_grad else t


class _Backwards:
    """How many times a gradient flowed back through the outputs of a handed-out function."""

    __slots__ = ("passes",)

    def __init__(self):
        self.passes = 0

    def hook(self, grad):
        self.passes += 1

    @property
    def count(self):  # what the student's code did: it crosses the boundary (handover.py)
        return backward_passes(self)


@handover.boundary
def backward_passes(counter):
    """How many backward passes reached a handed-out function's outputs."""
    return counter.passes


def counting_backwards(fn):
    """(f, counter): f is a copy of fn whose every output counts, in counter.count, the
    backward passes that reach it -- backward(), autograd.grad, row by row or all at once."""
    inner, counter = handout(fn), _Backwards()

    def counted(*args):
        out = inner(*args)
        if attributes(out)["requires_grad"]:
            _register_hook(out, counter.hook)
        return out

    return counted, counter


def handout(fn):
    """A copy of one of our functions to give a student's code: what it does to the copy
    (fn.__code__ = ..., attributes) never changes the function the oracle runs."""
    copy = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__,
                              fn.__closure__)
    copy.__kwdefaults__ = fn.__kwdefaults__
    return copy


def seal(namespace):
    """Give the module's functions a private snapshot of its globals (see the docstring above)."""
    snapshot = dict(namespace)

    def sealed(fn):
        copy = types.FunctionType(fn.__code__, snapshot, fn.__name__, fn.__defaults__,
                                  fn.__closure__)
        copy.__kwdefaults__, copy.__qualname__ = fn.__kwdefaults__, fn.__qualname__
        copy.__doc__, copy.__dict__ = fn.__doc__, dict(fn.__dict__)
        return copy

    for name, value in list(snapshot.items()):
        if not isinstance(value, types.FunctionType):
            continue
        for cell in value.__closure__ or ():  # a @check wrapper holds the check itself
            inner = cell.cell_contents
            if isinstance(inner, types.FunctionType) and inner.__globals__ is namespace:
                cell.cell_contents = sealed(inner)
        if value.__globals__ is namespace:
            snapshot[name] = namespace[name] = sealed(value)


seal(globals())
