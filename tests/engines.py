"""Run the same code under torch and autograd_core, and compare what comes out."""

import re

import numpy as np
import torch

import autograd_core

ENGINES = {"torch": torch, "autograd_core": autograd_core}
ADDRESS = re.compile(r"0x[0-9a-f]+")


def leaf(engine, array, requires_grad=True):
    """The same values as a leaf tensor of either engine."""
    t = engine.tensor(np.array(array, dtype=np.float32))
    return t.requires_grad_(requires_grad) if requires_grad else t


def to_numpy(t):
    if t is None:
        return None
    if getattr(t, "_is_zerotensor", lambda: False)():  # torch's zeros with no memory behind them
        return np.zeros(tuple(t.shape))
    return np.array(t.detach().tolist(), dtype=np.float64)


def node_names(t):
    """grad_fn's name and its next_functions' names: the first two levels of the graph."""
    fn = t.grad_fn
    if fn is None:
        return None
    return fn.name(), tuple(None if n is None else n.name() for n, _ in fn.next_functions)
