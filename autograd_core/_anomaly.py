"""Anomaly mode: torch.autograd.set_detect_anomaly(True) and detect_anomaly().

Off the teaching path. With anomaly mode on, each node made remembers where in the learner's
code it was made (the stack of the forward call), and when a step of the backward walk fails --
a tensor it saved was changed in place, a gradient it returned holds a nan -- the walk first
warns with that stack, as torch does, then lets the error go on.
"""

import re
import sys
import traceback

import numpy as np

from ._torch_errors import _ENGINE, _raised_in, warn


class _Anomaly:
    enabled = False
    check_nan = True


ANOMALY = _Anomaly()
ENABLED_WARNING = ("Anomaly Detection has been enabled. This mode will increase the runtime and "
                   "should only be enabled for debugging.")


def is_anomaly_enabled():
    return ANOMALY.enabled


def is_anomaly_check_nan_enabled():
    return ANOMALY.check_nan


def set_anomaly_enabled(enabled, check_nan=True):
    ANOMALY.enabled, ANOMALY.check_nan = bool(enabled), bool(check_nan)


class set_detect_anomaly:
    """Turn anomaly mode on or off: at once when called, for a block when used with `with`."""

    def __init__(self, mode, check_nan=True):
        self.prev, self.prev_check_nan = ANOMALY.enabled, ANOMALY.check_nan
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *args):
        set_anomaly_enabled(self.prev, self.prev_check_nan)


set_detect_anomaly.__module__ = "torch.autograd.anomaly_mode"  # (as torch's prints)


class detect_anomaly:
    """Anomaly mode for a block (and a warning that it slows things down)."""

    def __init__(self, check_nan=True):
        self.prev, self.prev_check_nan = ANOMALY.enabled, ANOMALY.check_nan
        self.check_nan = check_nan
        warn(ENABLED_WARNING)

    def __enter__(self):
        set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *args):
        set_anomaly_enabled(self.prev, self.prev_check_nan)


detect_anomaly.__module__ = "torch.autograd.anomaly_mode"


def remember(node):
    """Note on the node the learner's stack as it is now: where the op was called."""
    frame = sys._getframe(1)
    while frame is not None and re.match(_ENGINE, frame.f_globals.get("__name__", "")):
        frame = frame.f_back
    node._forward_stack = traceback.format_list(traceback.extract_stack(frame))


def watched(node, grad, retain_graph):
    """One step of the walk in anomaly mode: a nan in a gradient is an error, and any error
    is first told with the stack of the forward call that made the node."""
    try:
        grads = node._apply(grad, retain_graph)
        if ANOMALY.check_nan:
            for i, (g, child) in enumerate(zip(grads, node._next)):
                if g is not None and child is not None and np.isnan(getattr(g, "_data", g)).any():
                    raise RuntimeError(f"Function '{node.name()}' returned nan values in its "
                                       f"{i}th output.")
    except Exception:
        warn(_stack_message(node))
        raise
    return grads


def _stack_message(node):
    stack = node.__dict__.get("_forward_stack")
    if stack is None:
        return (f"Error detected in {node.name()}. No forward pass information available. Enable "
                "detect anomaly during forward pass for more information."
                + _raised_in("torch/csrc/autograd/python_anomaly_mode.cpp:100"))
    return (f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
            + "".join(stack) + _raised_in("torch/csrc/autograd/python_anomaly_mode.cpp:122"))
