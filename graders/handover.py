"""What crosses the trust boundary: recorded in the student's kernel, replayed where grading is trusted.

A check touches a student's objects only through the boundary functions of `checking` (`read`,
`attributes`, `call_student`). Everything else it does -- building inputs, both oracles, the
comparison, the diagnosis -- is deterministic given what crossed the boundary. So:

- In the grading sandbox (GRADING_HANDOVER=1 in the kernel's environment) each check call records
  a *tape*: the plain data every outermost boundary call returned (or the failure it raised), in
  order, and hands it over as one display output of type MIMETYPE in its test cell.
- In the trusted grading process, after the kernel is gone, the same checks -- imported there,
  never from the submission -- run again on placeholders (`Handle`): each boundary call takes the
  next entry of the tape instead of touching an object; the oracles and comparisons run for real.

A tape is only a claim about the student's values: a patched, missing or forged one can make the
check see other answers (at best the right ones -- what correct values earn), never skip it.
Nested boundary calls (read of a list) and those inside trusted code (the oracles read their own
tensors) are neither recorded nor replayed. In JupyterLab nothing is recorded: checks run as ever.
"""

import contextlib
import os

MIMETYPE = "application/x-grading-handover+json"
RECORDING = os.environ.get("GRADING_HANDOVER") == "1"  # set by the grading sandbox only


class _Opaque(type):
    """Handle's type: asking it its name (`type(answer).__name__`) is a use beyond the boundary."""

    @property
    def __name__(cls):
        _state.misused = True
        return "Handle"


class Handle(metaclass=_Opaque):
    """A student's object in the replay: all a check can do with it is hand it to the boundary.

    Calling its methods (`loss.backward()`) does nothing here: their effects reach the verdict
    only through later boundary calls, which the tape answers. A check whose course depends on
    the object itself (its type, truth, length, equality) cannot be replayed: `misused()` says
    so, and the check fails (graders must take such reads through a boundary function).
    """

    def __init__(self, name):
        self.name = name

    def __getattr__(self, attribute):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return Handle(f"{self.name}.{attribute}")

    def __call__(self, *args, **kwargs):
        return Handle(f"{self.name}()")

    def _beyond(self, *args):
        _state.misused = True
        raise TypeError(f"{self.name} stands for a student's object: its value is not here")

    __bool__ = __len__ = __iter__ = __eq__ = __ne__ = __lt__ = __gt__ = __float__ = _beyond
    __hash__ = object.__hash__

    def __repr__(self):
        return f"<{self.name}>"


def misused():
    """Whether the last replay used a student's object beyond the boundary."""
    return _state.misused


class TapeError(Exception):
    """The hand-over does not match what the trusted check asks for."""


class _State:
    depth = 0      # > 0 inside a boundary call or trusted code: pass through
    tape = None    # recording: the list being written
    replay = None  # replaying: the iterator of this check's entries
    misused = False  # replaying: a check touched a placeholder beyond the boundary


_state = _State()


def boundary(fn):
    """Wrap a boundary function of `checking`: record or replay its outermost calls."""
    kind = fn.__name__

    def crossing(*args, **kwargs):
        if _state.depth or (_state.tape is None and _state.replay is None):
            return fn(*args, **kwargs)
        if _state.replay is not None:
            return _replayed(kind, args)
        _state.depth += 1
        try:
            value = fn(*args, **kwargs)
        except Exception as error:
            _state.tape.append([kind, "raised", _failure(error)])
            raise
        finally:
            _state.depth -= 1
        _state.tape.append([kind, "returned", _plain(kind, value, args)])
        return value

    crossing.__name__, crossing.__doc__ = kind, fn.__doc__  # no __wrapped__: that marks a check
    return crossing


def trusted(fn):
    """Code that reads only objects the check made itself (the oracles): never taped."""

    def run(*args, **kwargs):
        _state.depth += 1
        try:
            return fn(*args, **kwargs)
        finally:
            _state.depth -= 1

    run.__name__, run.__doc__ = fn.__name__, fn.__doc__
    return run


@contextlib.contextmanager
def check_call(name):
    """Around one check: record its tape and hand it over (kernel), or feed it (replay)."""
    if _state.replay is not None or not RECORDING or _state.tape is not None:
        yield  # replaying (the replayer feeds the tape), or not grading, or a nested check
        return
    _state.tape, passed = [], False
    try:
        yield
        passed = True
    finally:
        tape, _state.tape = _state.tape, None
        _hand_over({"check": name, "passed": passed, "tape": tape})


def _hand_over(record):
    try:
        from IPython.display import display

        display({MIMETYPE: record}, raw=True)
    except Exception:  # noqa: BLE001 -- no hand-over only costs the student this check
        pass


@contextlib.contextmanager
def replaying(tape):
    """Feed one recorded tape to the boundary functions while a trusted check runs."""
    if not isinstance(tape, list):
        raise TapeError("the hand-over holds no tape")
    _state.replay, _state.depth, _state.misused = iter(tape), 0, False
    try:
        yield
    finally:
        _state.replay = None


def _failure(error):
    """A boundary call's failure as data: its message and diagnosis (only labels feedback: a
    failure never earns a point, whatever it says)."""
    verdict = getattr(error, "verdict", None)
    diagnosis = getattr(verdict, "diagnosis", None)
    return {"message": getattr(verdict, "message", str(error)),
            "mistake": getattr(diagnosis, "mistake", None), "hint": getattr(diagnosis, "hint", None)}


def _plain(kind, value, args):
    """What the trusted side needs of a boundary call's result, as JSON-able data."""
    if kind == "call_student":  # the object itself stays in the kernel: its identity only
        if value is None:
            return {"is": None}
        same = [k for k, a in enumerate(args[1:]) if a is value]
        return {"is": same[0] if same else "new"}
    return value  # read and attributes give plain data already


def _replayed(kind, args):
    from .checking import CheckFailed

    entry = next(_state.replay, None)
    if not (isinstance(entry, list) and len(entry) == 3 and entry[0] == kind):
        raise TapeError(f"the hand-over does not match the check (expected {kind}, got {entry!r})")
    _, how, value = entry
    if how == "raised":
        from .checking import Diagnosis, Verdict

        value = value if isinstance(value, dict) else {}
        mistake, hint = value.get("mistake"), value.get("hint")
        diagnosis = Diagnosis(mistake, hint) if type(mistake) is type(hint) is str else None
        raise CheckFailed(Verdict("", False, str(value.get("message", "")), diagnosis))
    if how != "returned":
        raise TapeError(f"unknown outcome {how!r}")
    if kind == "attributes" and not isinstance(value, dict):
        raise TapeError("attributes: not a mapping")
    if kind == "call_student":
        same = value.get("is") if isinstance(value, dict) else "new"
        if same is None:
            return None
        if type(same) is int and 0 <= same < len(args) - 1:
            return args[1 + same]
        return Handle(f"result of {getattr(args[0], 'name', 'a function')}")
    return value
