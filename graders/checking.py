"""The checking kernel's machinery: two oracles, safe reading of answers, feedback for a student.

A check computes its expected answer by running the lesson's scenario -- written once, taking
the engine module as `T` -- on real torch and on autograd_core. The student's answer must match
both. A wrong answer is compared with what each catalogued misconception would give, so the
feedback can name the mistake behind it.

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

import numpy as np
import torch

import autograd_core

from . import handover

# trusted from import time: a student's later monkeypatching of these names changes nothing here
_TORCH_TENSOR, _CORE_TENSOR, _NDARRAY = torch.Tensor, autograd_core.Tensor, np.ndarray
_torch_tolist, _torch_detach = torch.Tensor.tolist, torch.Tensor.detach
_core_tolist = autograd_core.Tensor.tolist
_ATTRS = ("requires_grad", "is_leaf", "grad_fn", "dtype", "grad")
_DESCRIPTORS = {kind: {name: getattr(kind, name) for name in _ATTRS}
                for kind in (torch.Tensor, autograd_core.Tensor)}
_np_array, _isclose, _isfinite = np.array, math.isclose, math.isfinite
_ENGINES = (("torch", torch), ("autograd_core", autograd_core))
_catch_warnings, _redirect_stderr = warnings.catch_warnings, contextlib.redirect_stderr
_simplefilter = warnings.simplefilter

RTOL, ATOL = 1e-4, 1e-5


class CheckFailed(AssertionError):
    """A wrong answer: the message is written for the student.

    In a notebook the full message is shown once, as an HTML box (show_failure); the traceback
    is cut to its first line, with no code frames from the grader.
    """

    def _render_traceback_(self):  # IPython's hook for custom tracebacks
        return [f"\x1b[1;31mCheckFailed\x1b[0m: {str(self).splitlines()[0]}"]


class ReferenceError_(AssertionError):
    """The two oracles disagree: the course is at fault, never the student."""


class Mistake:
    """A known misconception: its name, a hint, and the answer it leads to.

    `scenario(T)` is the lesson's code as the misconception would have it (e.g. without
    `zero_()`); it runs on both engines like the real scenario.
    """

    def __init__(self, name, hint, scenario):
        self.name, self.hint, self.scenario = name, hint, scenario


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
    raise CheckFailed(f"Expected a tensor or a number here, but got a {kind.__name__}.")


@handover.boundary
def attributes(t):
    """requires_grad, is_leaf, grad_fn, dtype and grad of a tensor, read through descriptors
    captured at import (a monkeypatched Tensor.requires_grad cannot lie to a check)."""
    descriptors = _DESCRIPTORS.get(type(t))
    if descriptors is None:
        raise CheckFailed(f"Expected a tensor here, but got a {type(t).__name__}.")
    with quiet():  # reading .grad of a non-leaf warns
        return {name: d.__get__(t, type(t)) for name, d in descriptors.items()}


def as_array(values):
    return _np_array(values, dtype=float)


def close(got, expected):
    """Element by element, with float tolerance: shapes must agree exactly."""
    if type(expected) is str:
        return type(got) is str and str.upper(got) == str.upper(expected)
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
        raise ReferenceError_(
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
    flat_g, flat_e = as_array(got).reshape(-1), as_array(expected).reshape(-1)
    shape = shape_of(expected)
    lines = []
    for i, (g, e) in enumerate(zip(flat_g, flat_e)):
        if not close(float(g), float(e)):
            where = np.unravel_index(i, shape) if shape else ()
            lines.append(f"    at {list(map(int, where))}: expected {e:.6g}, got {g:.6g}")
    if len(lines) > limit:
        lines = lines[:limit] + [f"    ... and {len(lines) - limit} more"]
    return lines


def check_value(answer, what, scenario, mistakes=()):
    """The common check: the answer against the scenario's result on both engines."""
    verdict(what, read(answer), oracle(scenario), mistakes)


def verdict(what, got, expected, mistakes=(), args=()):
    """Compare one answer with the expected value; raise CheckFailed written for a student."""
    if close(got, expected):
        return
    lines = [f"Not yet: {what}."]
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
    for mistake in mistakes:
        if close(got, oracle(mistake.scenario, *args)):
            lines.append(f"\nThis looks like: {mistake.name}.\n{mistake.hint}")
            break
    raise CheckFailed("\n".join(lines))


def _short(values):
    text = repr(values)
    return text if len(text) < 200 else text[:197] + "..."


def passed(message):
    """One short line for a right answer."""
    print(f"✓ {message}")


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
            show_failure(error)
            raise CheckFailed(str(error)) from None
        passed(message)

    run.__name__, run.__doc__, run.__wrapped__ = fn.__name__, fn.__doc__, fn
    return run


# torch's errors that point to a known misconception: (part of the message, name, hint)
KNOWN_ERRORS = [
    ("leaf Variable that requires grad is being used in an in-place operation",
     "an in-place update of a leaf that is being recorded",
     "Updates of parameters must not be recorded: wrap them in `with torch.no_grad():`."),
    ("grad can be implicitly created only for scalar outputs",
     "backward() on a non-scalar without a gradient",
     "Pass the vector v of the vector-Jacobian product, y.backward(v), or reduce first: "
     "y.sum().backward()."),
    ("backward through the graph a second time",
     "a second backward through a freed graph",
     "backward() frees what the graph saved. Rebuild the graph, or pass retain_graph=True to "
     "the first backward when you need another."),
    ("does not require grad and does not have a grad_fn",
     "backward() from a tensor outside the graph",
     "The tensor was made under no_grad, detached, or rebuilt from a Python number (.item()): "
     "no gradient can flow back from it."),
    ("Only Tensors of floating point",
     "integers cannot require grad",
     "Make the tensor float: dtype=torch.float32, or write the numbers as 1.0, 2.0."),
    ("'NoneType' object has no attribute",
     "a missing gradient or node (None)",
     ".grad is None until a backward reaches a leaf, and stays None on non-leaves; "
     "next_functions holds None for inputs that need no gradient."),
]


@handover.boundary
def call_student(fn, *args):
    """Call a student's function; its exception becomes feedback, not a crash of the check."""
    if not callable(fn):
        raise CheckFailed(f"Expected a function here, but got a {type(fn).__name__}.")
    try:
        return fn(*args)
    except CheckFailed:
        raise
    except Exception as error:  # noqa: BLE001 -- any error in student code is feedback
        message = f"Your function raised {type(error).__name__}: {error}"
        for part, name, hint in KNOWN_ERRORS:
            if part in str(error):
                message += f"\n\nThis looks like: {name}.\n{hint}"
                break
        raise CheckFailed(message) from None


def inputs(seed, *shapes, low=-2.0, high=2.0):
    """Reproducible float32 inputs: the visible check and the hidden tests use different seeds."""
    rng = np.random.default_rng(seed)
    return [rng.uniform(low, high, size=s).astype(np.float32) for s in shapes]


def leaf(T, values, requires_grad=True):
    """A fresh leaf of engine T from numpy values."""
    t = T.tensor(_np_array(values, dtype=np.float32))
    return t.requires_grad_() if requires_grad else t


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
