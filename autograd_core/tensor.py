"""Tensor: a numpy array, plus what autograd needs to know about where it came from.

This file is the tensor's autograd half: its fields (requires_grad, grad, grad_fn), where a
gradient for it goes (its grad_fn, or its leaf's AccumulateGrad), backward(), detach() and .data.
Its other methods are made elsewhere:

    x.exp(), x + y, x.sum(), x.view(3, 2)  from the table of ops in functions.py
    shape, dtype, printing, x == y, x.T     _tensor_api.py
    x[i], x[i] = v, for row in x            _indexing.py
    x.add_(y), x += y, x.zero_()            _inplace.py
"""

import warnings
import weakref

import numpy as np

from ._torch_errors import (
    INT_GRAD_METHOD_ERROR,
    INT_GRAD_SET_ERROR,
    NON_LEAF_GRAD_WARNING,
    check_data_assignment,
    check_grad_assignment,
    may_require_grad,
)
from .grad_mode import STATE
from .graph import AccumulateGrad, RemovableHandle


class Tensor:
    """An n-dimensional array that can record the operations made with it.

    A tensor made by the user is a *leaf*. With `requires_grad=True`, every operation on it
    records a node (`grad_fn`) in a graph; `backward()` walks that graph from the end and
    leaves d(output)/d(leaf) in each leaf's `.grad`.
    """

    # slots for what every tensor sets; the rest are class defaults, set per tensor only when
    # they differ (in its __dict__, made on first use): making a tensor is every op's hot path
    __slots__ = ("_data", "_vc", "_requires_grad", "_grad_fn", "__dict__", "__weakref__")
    _grad = _base = _accumulator = None
    _output_nr = 0  # which output of its grad_fn this is (an op may make several: unbind)
    _retains_grad = _inference = _no_grad_view = False

    @staticmethod
    def _make(data, grad_fn=None, requires_grad=False):
        """A tensor over `data` (a numpy array): how every op makes its result."""
        self = object.__new__(Tensor)
        self._data = data if type(data) is np.ndarray else np.asarray(data)
        self._vc = None  # the version counter, made on first use (see _version below)
        self._grad_fn = grad_fn
        self._requires_grad = requires_grad or grad_fn is not None
        if STATE.inference:
            self._inference = True
        return self

    # -- what autograd knows about a tensor ------------------------------------------------
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self._set_requires_grad(value, INT_GRAD_SET_ERROR)

    def requires_grad_(self, requires_grad=True):
        """Start (or stop) recording operations on this leaf, in place."""
        self._set_requires_grad(requires_grad, INT_GRAD_METHOD_ERROR)
        return self

    def _set_requires_grad(self, value, door):
        if may_require_grad(self, value, door):  # (torch's rules, and its errors: _torch_errors.py)
            self._requires_grad = bool(value)

    @property
    def grad_fn(self):
        """The node that made this tensor, or None for a leaf."""
        if self._base is not None:  # a view: remade if its memory was written (_views.py)
            self._refresh_view()
        return self._grad_fn

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        """d(output)/d(self), filled in by backward() for leaves that require grad."""
        if self._grad_fn is not None and not self._retains_grad and self._grad is None:
            warnings.warn(NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        check_grad_assignment(self, value)
        self._grad = value

    @property
    def retains_grad(self):
        """Whether backward will keep .grad on this non-leaf (see retain_grad)."""
        return self._retains_grad

    def retain_grad(self):
        """Keep .grad on this non-leaf too (leaves keep it anyway)."""
        if self._grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if not self._retains_grad:
            self._retains_grad = True
            self._grad_fn._has_hooks = True
            self._grad_fn.__dict__.setdefault("_retained", []).append(self)

    def register_hook(self, hook):
        """hook(grad) runs when the gradient for this tensor is computed; it may return a new one."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            return self._grad_fn._add_hook("_tensor_pre_hooks", hook, self._output_nr)
        node = self._grad_accumulator()
        if node is None:  # a view made under no_grad: no gradient will ever reach it
            return RemovableHandle([], hook)
        self._hooked_accumulator = node  # the accumulator is held weakly: keep it, and its hooks
        return node._add_hook("_tensor_pre_hooks", hook)

    # -- where a gradient for this tensor goes ---------------------------------------------
    def _edge(self):
        """The next step for a gradient of this tensor: its grad_fn, or its leaf's accumulator."""
        if self.grad_fn is not None:
            return self._grad_fn
        if self._requires_grad:
            return self._grad_accumulator()
        return None

    def _grad_accumulator(self):
        # one AccumulateGrad per leaf, shared by every op that uses it (held weakly, as in torch);
        # none for a view made under no_grad (_arguments.as_view): its gradient goes nowhere
        if self._no_grad_view:
            return None
        held = self._accumulator
        node = held() if held is not None else None
        if node is None:
            node = AccumulateGrad(self)
            self._accumulator = weakref.ref(node)
        return node

    def _accumulate(self, grad):
        if isinstance(grad, Tensor):  # create_graph: .grad keeps its graph, as torch's does
            self._grad = (F.CopyBackwards.apply(Tensor._make(np.empty_like(grad._data)), grad)
                          if self._grad is None else self._grad + grad)
            return
        if self._grad is None:
            self._grad = Tensor._make(np.array(grad, dtype=self._data.dtype))  # owned, writable
        else:
            self._grad._data += grad  # in place: the same .grad tensor, the same memory
            self._grad._bump_version()

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute d(self)/d(leaf) for every leaf in self's graph and add it into leaf.grad.

        For a tensor with more than one element, pass `gradient` = v (same shape as self):
        the leaves then get v^T J, the vector-Jacobian product.
        """
        autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # -- versions: how a saved tensor notices that it was changed in place -------------------
    @property
    def _version(self):
        return 0 if self._vc is None else self._vc[0]

    def _version_counter(self):
        """[version], shared by every tensor over the same memory (views, detach())."""
        if self._vc is None:
            self._vc = [0]
        return self._vc

    def _bump_version(self):
        self._version_counter()[0] += 1

    def _alias(self):
        """A new tensor over the same memory and version counter, with no graph."""
        alias = Tensor._make(self._data)
        alias._vc = self._version_counter()
        if alias._inference is not self._inference:  # an inference tensor's are inference tensors
            alias._inference = self._inference
        return alias

    # -- leaving the graph -------------------------------------------------------------------
    def detach(self):
        """The same memory, cut from the graph: no grad_fn, no requires_grad."""
        return self._alias()  # same array, same version counter

    @property
    def data(self):
        """The same memory, with no graph and its own version counter: autograd can't see changes."""
        return Tensor._make(self._data)  # same array, its own version counter

    @data.setter
    def data(self, value):
        check_data_assignment(self, value)
        self._data = value._data


# these modules need Tensor defined first; the table in functions.py and the compatibility
# modules add their methods to it
from . import _indexing, _inplace, _tensor_api, _views, autograd  # noqa: E402, F401
from . import functions as F  # noqa: E402
