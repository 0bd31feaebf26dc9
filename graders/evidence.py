"""What a check may take from a student's work: plain data, read without trusting the object.

These functions run in the student's kernel -- in JupyterLab and in the grading sandbox -- and
know no answer. They turn the student's objects into JSON-able data (values, a tensor's autograd
facts, what a function returned or raised on the check's inputs), and that data is all a verdict
is reached from: in grading, outside the kernel (graders/handover.py).

Reading never calls what the answer defines (its `tolist`, `__eq__`, `__torch_function__`):
values are copied out through torch's own functions. A function the student wrote runs under a
time limit, and what it raises is data too.
"""

import contextlib
import io
import signal
import threading
import time
import traceback
import types
import warnings
from pathlib import Path

import numpy as np
import torch

import autograd_core

SECONDS_PER_CALL = 5  # a student's function gets this long per call inside a check
MAX_ELEMENTS = 100_000  # values read from one object: past this it is refused, not read
MAX_DEPTH = 12  # nested lists, tuples and dicts
GRADERS = str(Path(__file__).resolve().parent)

_torch_tolist, _torch_detach = torch.Tensor.tolist, torch.Tensor.detach
_torch_facts = {name: getattr(torch.Tensor, name) for name in
                ("requires_grad", "is_leaf", "grad_fn", "dtype", "grad", "shape")}
_core_facts = {name: getattr(autograd_core.Tensor, name) for name in _torch_facts}
_no_torch_function = torch._C.DisableTorchFunctionSubclass


class Unreadable(Exception):
    """An object a check cannot take as an answer; str() says what it is ("a Foo")."""


@contextlib.contextmanager
def quiet():
    """No warnings and nothing on stderr while a check runs (nbgrader scores any stderr output
    of a test cell as a failure)."""
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        yield


def _kind(obj):
    name = type(obj).__name__
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


def read(obj, depth=0):
    """The object's values as nested Python numbers, bools, text, None and dicts.

    Tensors of either engine (subclasses such as nn.Parameter included), numpy arrays and
    scalars, numbers, text, None, and lists, tuples and dicts of these; anything else raises
    Unreadable.
    """
    if depth > MAX_DEPTH:
        raise Unreadable("a structure nested too deeply")
    if isinstance(obj, torch.Tensor):
        with _no_torch_function():
            if obj.is_complex() or obj.numel() > MAX_ELEMENTS:
                raise Unreadable(f"a tensor of {obj.numel()} {obj.dtype} elements")
            return _torch_tolist(_torch_detach(obj))
    if isinstance(obj, autograd_core.Tensor):
        if obj._data.size > MAX_ELEMENTS or obj._data.dtype.kind not in "biuf":
            raise Unreadable(f"a tensor of {obj._data.size} {obj.dtype} elements")
        return obj._data.tolist()
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in "biuf" or obj.size > MAX_ELEMENTS:
            raise Unreadable(f"a numpy array of {obj.size} {obj.dtype} elements")
        return obj.tolist()
    if type(obj) in (bool, int, float):
        return obj
    if isinstance(obj, np.generic) and type(obj).__module__ == "numpy" and obj.dtype.kind in "biuf":
        return obj.item()
    if obj is None:  # data too: a missing .grad, or None in next_functions
        return None
    if type(obj) is str:
        return str.strip(obj)[:10_000]
    if type(obj) in (list, tuple, torch.Size, autograd_core.Size):  # (a shape is a tuple of ints)
        if len(obj) > MAX_ELEMENTS:
            raise Unreadable(f"a {type(obj).__name__} of {len(obj)} items")
        return [read(item, depth + 1) for item in obj]
    if type(obj) is dict:
        if not all(type(key) is str for key in obj):
            raise Unreadable("a dict whose keys are not all text")
        return {str(key): read(value, depth + 1) for key, value in dict.items(obj)}
    raise Unreadable(_kind(obj))


def facts(t):
    """A tensor's autograd state as plain data, or None for anything that is not a tensor."""
    if isinstance(t, torch.Tensor):
        found, engine = _torch_facts, "torch"
    elif isinstance(t, autograd_core.Tensor):
        found, engine = _core_facts, "autograd_core"
    else:
        return None
    with quiet(), _no_torch_function():  # reading .grad of a non-leaf warns
        got = {name: descriptor.__get__(t, type(t)) for name, descriptor in found.items()}
    node, grad = got["grad_fn"], got["grad"]
    try:
        grad = None if grad is None else read(grad)
    except Unreadable:
        grad = None
    return {"engine": engine, "type": type(t).__name__, "dtype": str(got["dtype"]),
            "shape": list(got["shape"]), "requires_grad": bool(got["requires_grad"]),
            "is_leaf": bool(got["is_leaf"]),
            "grad_fn": None if node is None else type(node).__name__, "grad": grad}


def observe(obj):
    """All a check knows of one object: {"value": ..., "tensor": facts or None}, or
    {"unreadable": "a Foo"}."""
    try:
        return {"value": read(obj), "tensor": facts(obj)}
    except Unreadable as error:
        return {"unreadable": str(error)}
    except Exception as error:  # noqa: BLE001 -- an object that breaks on reading
        return {"unreadable": f"{_kind(obj)} that could not be read ({type(error).__name__})"}


class TooSlow(BaseException):
    """Raised inside a student's function when its time is up (a BaseException, so that the
    student's own `except Exception` does not swallow it)."""


class Call:
    """One call of a student's function: `data` for the verdict, `result` for the check to go on
    with (None unless it returned)."""

    def __init__(self, data, result=None):
        self.data, self.result = data, result

    @property
    def returned(self):
        return "returned" in self.data


IMPORT_GRACE = 30  # seconds a check waits, beyond its limit, for imports under way to finish
_TICK = 0.1  # seconds between looks at what the student's function is doing
_IMPORTING = "<frozen importlib._bootstrap>"


class _Clock:
    """The time a student's function took, less what it spent importing: torch loads parts of
    itself on first use (torch.func's first call imports torch._dynamo, seconds of work), and
    that one-time cost is not the student's. Sampled every tick, by where the function is."""

    def __init__(self, seconds):
        self.seconds, self.grace = seconds, 0.0
        self.start = self.last = time.perf_counter()

    def tick(self, frame):
        # a tick can come late (a long call into C holds it back): the whole wait since the
        # last one is credited when it finds an import under way
        now = time.perf_counter()
        if self.grace < IMPORT_GRACE and _in_import(frame):
            self.grace += now - self.last
        self.last = now

    def over(self):
        return time.perf_counter() - self.start - self.grace > self.seconds


def _in_import(frame):
    while frame is not None:
        if frame.f_code.co_filename == _IMPORTING:
            return True
        frame = frame.f_back
    return False


@contextlib.contextmanager
def time_limit(seconds):
    """TooSlow in the main thread once the code ran `seconds`, imports not counted (where
    signals cannot be had, no limit). Yields the clock."""
    clock = _Clock(seconds)
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield clock
        return

    def tick(signum, frame):
        clock.tick(frame)
        if clock.over():
            raise TooSlow()

    previous = signal.signal(signal.SIGALRM, tick)
    signal.setitimer(signal.ITIMER_REAL, _TICK, _TICK)
    try:
        yield clock
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def call(fn, *args, seconds=SECONDS_PER_CALL):
    """Call a student's function on a check's inputs: what it returned, raised, or that it
    did not return in time, as data."""
    if not callable(fn):
        return Call({"not_callable": _kind(fn)})
    try:
        with time_limit(seconds) as clock, quiet():
            result = fn(*args)
    except TooSlow as slow:
        return Call({"timed_out": seconds, "where": student_frames(slow.__traceback__)})
    except (Exception, SystemExit) as error:  # noqa: BLE001 -- an error in student code is feedback
        return Call({"raised": {"type": type(error).__name__, "message": str(error)[:1000]}})
    if clock.over():  # the alarm was caught on the way out
        return Call({"timed_out": seconds, "where": []})
    return Call({"returned": observe(result)}, result)


def backward(t, *args):
    """torch's own backward on a student's tensor (a method they redefined is not called)."""
    return call(torch.Tensor.backward, t, *args) if isinstance(t, torch.Tensor) else \
        Call({"not_callable": _kind(t)})


def student_frames(tb, limit=6):
    """The frames of a traceback that are the student's (none of the graders'), as text lines."""
    frames = [f for f in traceback.extract_tb(tb) if not f.filename.startswith(GRADERS)]
    return [line.rstrip() for line in traceback.format_list(frames[-limit:])]


def without_graders(tb):
    """The traceback with the graders' frames left out: what a student should see."""
    kept = []
    while tb is not None:
        if not tb.tb_frame.f_code.co_filename.startswith(GRADERS):
            kept.append(tb)
        tb = tb.tb_next
    for a, b in zip(kept, kept[1:] + [None]):
        a.tb_next = b
    return kept[0] if kept else None


# -- the checks' inputs, and what the checks hand to a student's function --------------------

def inputs(seed, *shapes, low=-2.0, high=2.0):
    """Reproducible float32 inputs: the visible check and the hidden tests use other seeds."""
    rng = np.random.default_rng(seed)
    return [rng.uniform(low, high, size=s).astype(np.float32) for s in shapes]


def handout(fn):
    """A copy of one of our functions to give a student's code: what it does to the copy
    (fn.__code__ = ..., attributes) never changes the function itself."""
    copy = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__,
                              fn.__closure__)
    copy.__kwdefaults__ = fn.__kwdefaults__
    return copy


class Backwards:
    """How many backward passes reached the outputs of a handed-out function."""

    def __init__(self):
        self.count = 0

    def hook(self, grad):
        self.count += 1


def counting_backwards(fn):
    """(f, counter): f is a copy of fn whose every output counts, in counter.count, the
    backward passes that reach it -- backward(), autograd.grad, row by row or all at once."""
    inner, counter = handout(fn), Backwards()

    def counted(*args):
        out = inner(*args)
        if isinstance(out, torch.Tensor) and out.requires_grad:
            torch.Tensor.register_hook(out, counter.hook)
        return out

    return counted, counter
