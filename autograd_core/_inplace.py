"""Writing into a tensor: x.add_(y), x += y, x.zero_(), x.copy_(y), and x[i] = v (_indexing.py).

Off the teaching path. An in-place op runs the table's out-of-place op, writes its result into
the tensor's own memory and bumps the tensor's version (so a node that saved the old values
refuses to use them). When something requires grad, the op runs on a snapshot of the tensor and
the tensor takes the new node as its grad_fn. Torch's rules on what may not be written are here,
with its words.
"""

import numpy as np

from . import functions as F
from ._arguments import Number
from ._random import default_generator
from ._tensor_api import add_methods
from ._torch_errors import (
    INFERENCE_INPLACE_ERROR,
    NO_GRAD_VIEW_ERROR,
    OVERLAP_ERROR,
    check_broadcast,
    short_name,
)
from .grad_mode import STATE
from .tensor import Tensor

DETACH_VIEW_ERROR = (
    "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel "
    "(DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP "
    "buckets, and hence detach_() cannot be called on these gradients. To fix this error, please "
    "refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")
MANY_VIEWS_ERROR = (
    "Output {nr} of {op} is a view and is being modified inplace. This view is the output of a "
    "function that returns multiple views. Such functions do not allow the output views to be "
    "modified inplace. You should replace the inplace operation by an out-of-place one.")


def _unary(op, *args):
    """x.exp_(), ...: the table's op, written into x."""

    def method(self):
        return self._inplace(op, *args)

    method.__name__ = method.__qualname__ = f"{op.methods[0]}_"
    return method


def _saved_output_is(tensor, result):
    """An op that saved its output saved `result`, whose values were just written into tensor:
    from now on a change to tensor is a change to what the op saved."""
    node, counter = result._grad_fn, result._vc
    kept = node._versions if node is not None and counter is not None else ()
    if any(source is counter for source in kept[1::3]):
        kept = list(kept)
        for i in range(1, len(kept), 3):
            if kept[i] is counter:
                kept[i], kept[i + 1] = tensor._version_counter(), tensor._version
        node._versions = tuple(kept)


class InPlace:
    """Added to Tensor: the in-place ops."""

    _view_of_many = False  # a view made by an op with several outputs (unbind), or a view of one

    def _check_inplace(self, through_a_view=False):
        """torch's refusals before it writes into self (through_a_view: x[0] = 5, which torch
        writes through the view x[0] and names so)."""
        if STATE.grad_enabled:
            if self._no_grad_view:
                what = (f"Output {self._output_nr} of {short_name(self._grad_fn)} is a view of a "
                        "view which was" if self._grad_fn is not None else "A view was")
                raise RuntimeError(NO_GRAD_VIEW_ERROR.format(what=what, how="is being modified"))
            if self._view_of_many and self._grad_fn is not None:
                raise RuntimeError(MANY_VIEWS_ERROR.format(nr=self._output_nr,
                                                           op=short_name(self._grad_fn)))
            if self._grad_fn is None and self._requires_grad:
                raise RuntimeError(("a view of a " if through_a_view else "a ") +
                                   "leaf Variable that requires grad is being used in an in-place "
                                   "operation.")
            base = self._base
            if base is not None and base._grad_fn is None and base._requires_grad:
                raise RuntimeError("a view of a leaf Variable that requires grad is being used "
                                   "in an in-place operation.")

    def _inplace(self, op, *args, through_a_view=False):
        """Run `op` out of place, then write its result into self and bump the version.

        If anything requires grad, the op runs on a snapshot of self (same grad_fn, copied
        values), and self takes over the new node as its grad_fn.
        """
        if self._base is not None:
            self._refresh_view()
        self._check_inplace(through_a_view)
        records = STATE.grad_enabled and (self._requires_grad or any(
            isinstance(a, Tensor) and a._requires_grad for a in args))
        if op not in (F.ZeroBackward0, F.FillBackward2) and overlaps(self._data):
            raise RuntimeError(OVERLAP_ERROR)  # (torch fills an expanded tensor, writes no other)
        source = self
        if records:
            source = Tensor._make(self._data.copy(), self._grad_fn, self._requires_grad)
            source._accumulator = self._accumulator
        result = op.apply(source, *args)
        if not np.can_cast(result._data.dtype, self._data.dtype, "same_kind"):
            raise RuntimeError(f"result type {result.dtype._legacy[:-6]} can't be cast to the "
                               f"desired output type {self.dtype._legacy[:-6]}")
        self._data[...] = result._data
        self._written()
        if records:
            _saved_output_is(self, result)
        if records and self._base is not None:
            self._write_through(result)  # the base's grad_fn; self's is remade when next asked
        elif records:
            self._grad_fn, self._requires_grad = result._grad_fn, True
        return self

    def _operand(self, other):
        """other as a tensor that broadcasts to self's shape: an in-place op can't grow self."""
        self._check_inplace()  # (first, as torch: what may not be written is said before shapes)
        other = other if isinstance(other, Tensor) else Number(other, self)
        own, its = self._data.shape, other._data.shape
        if own != its:
            check_broadcast(own, its)
            shape = np.broadcast_shapes(own, its)
            if shape != own:
                raise RuntimeError(f"output with shape {list(own)} doesn't match the broadcast "
                                   f"shape {list(shape)}")
        return other

    def _written(self):
        """After a write into self: its next version. An inference tensor has none, and torch
        says so only here, outside inference mode -- after the write."""
        if self._inference and not STATE.inference:
            raise RuntimeError(INFERENCE_INPLACE_ERROR)
        self._bump_version()

    def add_(self, other, alpha=1):
        return self._inplace(F.AddBackward0, self._operand(other if alpha == 1 else other * alpha))

    def sub_(self, other, alpha=1):
        return self._inplace(F.SubBackward0, self._operand(other if alpha == 1 else other * alpha))

    def mul_(self, other):
        return self._inplace(F.MulBackward0, self._operand(other))

    def div_(self, other):
        return self._inplace(F.DivBackward0, self._operand(other))

    __iadd__, __isub__, __imul__, __itruediv__ = add_, sub_, mul_, div_

    # elementwise functions in place; those whose gradient uses their output (exp_, sigmoid_,
    # tanh_, sqrt_, relu_, reciprocal_) keep the tensor itself for backward, at its new version
    exp_, log_, sin_, cos_ = (_unary(F.ExpBackward0), _unary(F.LogBackward0),
                              _unary(F.SinBackward0), _unary(F.CosBackward0))
    tanh_, sigmoid_, relu_, sqrt_ = (_unary(F.TanhBackward0), _unary(F.SigmoidBackward0),
                                     _unary(F.ReluBackward0), _unary(F.SqrtBackward0))
    abs_, neg_, reciprocal_ = (_unary(F.AbsBackward0), _unary(F.NegBackward0),
                               _unary(F.ReciprocalBackward0))
    negative_, absolute_ = neg_, abs_
    square_ = _unary(F.PowBackward0, 2)

    def zero_(self):
        """Fill with zeros, in place: how a training loop resets .grad between steps."""
        if self._requires_grad and STATE.grad_enabled:
            return self._inplace(F.ZeroBackward0)
        self._check_inplace()
        self._data.fill(0)  # a plain write: nothing to record (the usual x.grad.zero_())
        self._written()
        return self

    def fill_(self, value):
        if isinstance(value, Tensor):
            if value.ndim:
                raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor "
                                   f"with {value.ndim} dimensions.")
            return self._inplace(F.FillBackward3, value)
        return self._inplace(F.FillBackward2, value)

    def copy_(self, src):
        return self._inplace(F.CopyBackwards, self._operand(src))

    def normal_(self, mean=0, std=1, *, generator=None):
        """Fill with normal values, in place (torch's draws: _random.py)."""
        from .creation import _check_generator, _check_spread

        _check_generator(generator)
        self._check_inplace()
        if self._requires_grad and STATE.grad_enabled:  # a non-leaf: torch records NormalBackward0
            raise NotImplementedError("autograd_core does not mirror normal_() recorded in a graph: "
                                      "fill it under torch.no_grad()")
        _check_spread(std)
        data = self._data
        data[...] = default_generator.normal(data.size, data.dtype, mean, std,
                                             data.flags.c_contiguous).reshape(data.shape)
        self._written()
        return self

    def detach_(self):
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError(DETACH_VIEW_ERROR)
        self._grad_fn = None
        self._requires_grad = False
        return self


def overlaps(array):
    """Whether some elements of array share memory (an expanded tensor's)."""
    return 0 in array.strides and any(s == 0 and n > 1 for n, s in zip(array.shape, array.strides))


add_methods(InPlace)
