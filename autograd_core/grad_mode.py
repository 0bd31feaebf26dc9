"""Grad modes: whether new operations are recorded into the graph."""

import functools
import inspect
import sys


class _State:
    grad_enabled = True
    inference = False


STATE = _State()


def is_grad_enabled():
    return STATE.grad_enabled


def is_inference_mode_enabled():
    return STATE.inference


class _GradMode:
    """A context manager that is also a decorator, like torch's grad-mode classes."""

    _enable = True
    _inference = None  # inference_mode sets it; the other modes leave it as it is

    def __enter__(self):
        self._saved = (STATE.grad_enabled, STATE.inference)
        STATE.grad_enabled = self._enable
        if self._inference is not None:
            STATE.inference = self._inference
        return None

    def __exit__(self, *exc):
        STATE.grad_enabled, STATE.inference = self._saved
        return False

    def __call__(self, fn):
        if inspect.isgeneratorfunction(fn):
            return _each_step_under(self.clone, fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)

        return wrapper

    def clone(self):
        return self.__class__()


def _each_step_under(mode, fn):
    """A decorated generator runs each step in the mode, and the caller's code between steps
    in the caller's (as torch's decorators do)."""

    @functools.wraps(fn)
    def generator(*args, **kwargs):
        steps = fn(*args, **kwargs)
        try:
            with mode():
                response = steps.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with mode():
                        steps.close()
                    raise
                except BaseException:
                    with mode():
                        response = steps.throw(*sys.exc_info())
                else:
                    with mode():
                        response = steps.send(request)
        except StopIteration as stop:
            return stop.value

    return generator


class _Bare(_GradMode):
    """A grad mode that may decorate without parentheses: @torch.no_grad as @torch.no_grad()."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_Bare):
    """Operations inside are not recorded: results have no grad_fn and require no grad."""

    _enable = False


class enable_grad(_Bare):
    """Record operations again, even inside no_grad."""

    _enable = True


class set_grad_enabled(_GradMode):
    """Set recording on or off: as a call, a context manager or a decorator."""

    def __init__(self, mode):
        self._enable = bool(mode)
        self._saved = (STATE.grad_enabled, STATE.inference)
        STATE.grad_enabled = self._enable  # takes effect at once, as torch's does

    def __enter__(self):
        return None

    def __call__(self, fn):
        STATE.grad_enabled, STATE.inference = self._saved  # a decorator changes nothing now
        return super().__call__(fn)

    def clone(self):
        return set_grad_enabled(self._enable)


class inference_mode(_GradMode):
    """no_grad, and tensors made inside are inference tensors that never join a graph."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)  # @torch.inference_mode without parentheses

    def __init__(self, mode=True):
        mode = mode if isinstance(mode, bool) else True
        self._enable = not mode
        self._inference = mode

    def clone(self):
        return inference_mode(self._inference)
