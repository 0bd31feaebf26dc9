"""Tensor's torch API that is not calculus: shape and dtype, conversions, printing, comparisons.

Off the teaching path. The methods of TensorAPI below are added to Tensor (at the end of this
file); FUNCTIONS are the ones torch also has as module functions (torch.eq(a, b), ...).
"""

import numbers

import numpy as np

from . import dtypes
from ._tensor_str import tensor_repr
from ._torch_errors import (
    SCALAR_WARNING,
    T_NOT_2D_WARNING,
    check_bool,
    check_broadcast,
    deprecated_on_0d_warning,
    warn_once,
)
from ._transforms import TRANSFORMS, VMAP_BOOL_ERROR, VMAP_ITEM_ERROR
from .tensor import Tensor


class Size(tuple):
    """torch.Size: a tuple of dimensions that prints as torch.Size([2, 3])."""

    __module__ = "torch"  # type(x.shape) prints <class 'torch.Size'>: pickled by value (below)

    def __repr__(self):
        return f"torch.Size({list(self)})"

    def __reduce__(self):
        return _size, (tuple(self),)

    def numel(self):
        return int(np.prod(self, dtype=np.int64))


class ReturnTypes(tuple):
    """The (values, indices) pair that max(dim) and min(dim) return."""

    def __new__(cls, name, values, indices):
        self = super().__new__(cls, (values, indices))
        self.name = name
        return self

    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])

    def __repr__(self):
        return f"torch.return_types.{self.name}(\nvalues={self[0]!r},\nindices={self[1]!r})"


def size_args(args):
    """(2, 3) from f(2, 3), f((2, 3)) or f([2, 3]), as torch's factories and torch.Tensor take it."""
    if len(args) == 1 and not isinstance(args[0], numbers.Number):
        return tuple(args[0])
    return tuple(args)


_DTYPES = dtypes._BY_NUMPY


class TensorAPI:
    """Added to Tensor: everything a tensor does that autograd has no part in."""

    def __init__(self, *data):
        # torch.Tensor(...) is the legacy constructor: always float32, sizes or data
        if len(data) == 1 and not isinstance(data[0], numbers.Number):
            array = np.array(data[0], np.float32)
        else:
            array = np.zeros(size_args(data), np.float32)
        self._data, self._vc, self._grad_fn, self._requires_grad = array, None, None, False

    # -- shape and type ---------------------------------------------------------------------
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        return self.shape if dim is None else self._data.shape[dim]

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return self._data.size

    nelement = numel

    @property
    def dtype(self):
        return _DTYPES[self._data.dtype]

    @property
    def device(self):
        return "cpu"

    @property
    def is_cuda(self):
        return False

    @property
    def output_nr(self):
        return self._output_nr

    def is_inference(self):
        return self._inference

    def is_contiguous(self, memory_format=None):
        """Whether the elements lie in memory one after another, row by row (x.t() and x[:, 0]
        do not: view() refuses some shapes of them)."""
        return bool(self._data.flags.c_contiguous)

    def contiguous(self, memory_format=None):
        """self if its memory is in order, else a copy that is (recorded: CloneBackward0)."""
        from .functions import CloneBackward0

        return self if self._data.flags.c_contiguous else CloneBackward0.apply(self, "C")

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    # -- conversions ------------------------------------------------------------------------
    def item(self):
        if TRANSFORMS.vmap:  # (torch refuses only the tensors a batch flows into: here, all)
            raise RuntimeError(VMAP_ITEM_ERROR)
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self):
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        return self.numpy() if dtype is None else self.numpy().astype(dtype)

    def __bool__(self):
        if TRANSFORMS.vmap:
            raise RuntimeError(VMAP_BOOL_ERROR)
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def _scalar(self):
        if TRANSFORMS.vmap:
            raise RuntimeError(VMAP_ITEM_ERROR)
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        if self._requires_grad:
            warn_once(SCALAR_WARNING)
        return self._data.reshape(()).item()

    def __float__(self):
        return float(self._scalar())

    def __int__(self):
        return int(self._scalar())

    def __index__(self):
        if self.dtype.is_floating_point or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __repr__(self):
        return tensor_repr(self)

    # the class prints as torch's, <class 'torch.Tensor'> (its __module__ is "torch", below): so
    # pickle and copy go by value, not by that name, which would find torch's own class
    def __reduce__(self):
        return _rebuilt, (self._data, self._requires_grad)

    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError(DEEPCOPY_ERROR)
        copied = Tensor._make(self._data.copy(), None, self._requires_grad)
        if self._grad is not None:  # a leaf's .grad is copied too, as torch's
            copied._grad = self._grad.__deepcopy__(memo)
        return copied

    __str__ = __repr__

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return str(self)

    __hash__ = object.__hash__

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def half(self):
        return self.to(dtypes.float16)

    def long(self):
        return self.to(dtypes.int64)

    def int(self):
        return self.to(dtypes.int32)

    def bool(self):
        return self.to(dtypes.bool_)

    def short(self):
        return self.to(dtypes.int16)

    def byte(self):
        return self.to(dtypes.uint8)

    def char(self):
        return self.to(dtypes.int8)

    def bfloat16(self):
        return self.to(dtypes.bfloat16)

    def cfloat(self):
        return self.to(dtypes.complex64)

    def cdouble(self):
        return self.to(dtypes.complex128)

    def type(self, dtype=None):
        if dtype is None:
            return f"torch.{self.dtype._legacy}"
        return self.to(dtype)

    def cpu(self):
        return self

    # -- arithmetic that is no op of its own ------------------------------------------------
    __array_priority__ = 1000  # numpy scalars and arrays leave `np.float64(2) * t` to Tensor

    def __rtruediv__(self, other):
        return self.reciprocal() * other  # as torch computes c / x

    def __pos__(self):
        return self

    # integer division and remainder: values only, as torch records no gradient for them
    def __floordiv__(self, other):
        return self._values(np.floor_divide, other)

    def __rfloordiv__(self, other):
        return self._values(np.floor_divide, other, reflected=True)

    def __mod__(self, other):
        return self._values(np.remainder, other)

    def __rmod__(self, other):
        return self._values(np.remainder, other, reflected=True)

    floor_divide, remainder = __floordiv__, __mod__

    def _values(self, ufunc, other, reflected=False):
        from ._arguments import Number

        other = other if isinstance(other, Tensor) else Number(other, self)
        a, b = (other, self) if reflected else (self, other)
        check_bool(a, b, {np.floor_divide: "div_floor_cpu", np.remainder: "remainder_cpu"}[ufunc])
        dtype = dtypes.result_type(a, b).numpy
        check_broadcast(a._data.shape, b._data.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            return Tensor._make(ufunc(a._data.astype(dtype), b._data.astype(dtype)))

    def matmul(self, other, position=1):
        """a @ b, dispatched as torch does: dot, mv, mm, or mm with a squeezed 1-d side."""
        if not isinstance(other, Tensor):
            raise TypeError(f"matmul(): argument 'other' (position {position}) must be Tensor, "
                            f"not {type(other).__name__}")
        if self.ndim == 1 and other.ndim == 1:
            return self.dot(other)
        if self.ndim == 2 and other.ndim == 1:
            return self.mv(other)
        if self.ndim == 2 and other.ndim == 2:
            return self.mm(other)
        if self.ndim == 1 and other.ndim == 2:
            return _squeeze_first(self.unsqueeze(0).mm(other))
        raise NotImplementedError("autograd_core's matmul takes 1-d and 2-d tensors only")

    def __matmul__(self, other):
        return self.matmul(other) if isinstance(other, Tensor) else NotImplemented

    def __rmatmul__(self, other):  # (a number @ a tensor: Python's own TypeError, as torch's)
        return other.matmul(self) if isinstance(other, Tensor) else NotImplemented

    def flatten(self, start_dim=0, end_dim=-1):
        """The dims from start_dim to end_dim made one (the tensor itself if that is one dim)."""
        if self.ndim == 0:
            return self.reshape(1)
        start, end = _axes(self, (start_dim, end_dim))
        if start > end:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        if start == end:
            return self
        shape = self.shape
        return self.reshape(*shape[:start], -1, *shape[end + 1:])

    @property
    def T(self):
        if self.ndim == 0:
            warn_once(deprecated_on_0d_warning("Tensor.T"))
        elif self.ndim != 2:
            warn_once(T_NOT_2D_WARNING)
        return self.permute(*reversed(range(self.ndim)))  # a PermuteBackward0 even on 0-d

    @property
    def mT(self):
        return self._matrix_transpose("mT", "Tensor.mT")

    @property
    def mH(self):  # real tensors only: the conjugate is the tensor itself
        return self._matrix_transpose("mH", "Tensor.mH")

    @property
    def H(self):
        if self.ndim == 0:
            warn_once(deprecated_on_0d_warning("Tensor.H"))
            return self
        if self.ndim != 2:
            raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got "
                               f"{self.ndim}-D tensor." + (" For batches of matrices, consider "
                                                          "using tensor.mH" if self.ndim > 2 else ""))
        return self.transpose(0, 1)

    def adjoint(self):
        return self._matrix_transpose("adjoint()", "adjoint()")

    def _matrix_transpose(self, name, on_0d):
        """x.mT, x.mH, x.adjoint(): the last two dims swapped (real tensors: no conjugate)."""
        if self.ndim == 0:
            warn_once(deprecated_on_0d_warning(on_0d))
            return self  # torch's identity: the tensor itself, no node
        if self.ndim == 1:
            raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of "
                               "matrices. Got 1-D tensor.")
        return self.transpose(-2, -1)

    # -- comparisons and tests: values only, never recorded -----------------------------------
    def _compare(self, ufunc, other):
        if other is None or isinstance(other, (list, tuple, str)):  # x == None: not equal, as
            if ufunc is np.equal or ufunc is np.not_equal:  # torch (so `x in [None]` works)
                return ufunc is np.not_equal
            raise TypeError(f"'{_SYMBOLS.get(ufunc, ufunc.__name__)}' not supported between "
                            f"instances of 'Tensor' and '{type(other).__name__}'")
        other = other._data if isinstance(other, Tensor) else other
        try:
            return Tensor._make(ufunc(self._data, other))
        except ValueError:  # numpy's broadcasting error, in torch's words
            check_broadcast(self._data.shape, np.shape(other))
            raise

    def eq(self, other):
        return self._compare(np.equal, other)

    def ne(self, other):
        return self._compare(np.not_equal, other)

    def lt(self, other):
        return self._compare(np.less, other)

    def le(self, other):
        return self._compare(np.less_equal, other)

    def gt(self, other):
        return self._compare(np.greater, other)

    def ge(self, other):
        return self._compare(np.greater_equal, other)

    __eq__, __ne__, __lt__, __le__, __gt__, __ge__ = eq, ne, lt, le, gt, ge

    def __and__(self, other):
        return self._compare(np.logical_and if self.dtype is dtypes.bool_ else np.bitwise_and,
                             other)

    def __or__(self, other):
        return self._compare(np.logical_or if self.dtype is dtypes.bool_ else np.bitwise_or,
                             other)

    def __invert__(self):
        return Tensor._make(np.logical_not(self._data) if self.dtype is dtypes.bool_
                            else np.invert(self._data))

    def all(self, dim=None, keepdim=False, *, axis=None):
        return self._test("all", dim if axis is None else axis, keepdim)

    def any(self, dim=None, keepdim=False, *, axis=None):
        return self._test("any", dim if axis is None else axis, keepdim)

    def _test(self, name, dim, keepdim):
        axes = None if dim is None else _axes(self, dim)
        result = getattr(np, name)(self._data, axis=axes, keepdims=keepdim)
        # (torch keeps uint8 for a uint8 tensor, bool for every other)
        return Tensor._make(result.astype(np.uint8) if self._data.dtype == np.uint8 else result)

    def isfinite(self):
        return Tensor._make(np.isfinite(self._data))

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return bool(np.allclose(self._data, other._data, rtol, atol, equal_nan))

    def equal(self, other):
        return self.shape == other.shape and bool(np.array_equal(self._data, other._data))

    def argmax(self, dim=None, keepdim=False, *, axis=None):
        return self._arg("argmax", dim if axis is None else axis, keepdim)

    def argmin(self, dim=None, keepdim=False, *, axis=None):
        return self._arg("argmin", dim if axis is None else axis, keepdim)

    def _arg(self, name, dim, keepdim):
        if dim is None and self._data.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        return Tensor._make(getattr(np, name)(self._data, axis=dim, keepdims=keepdim))


_SYMBOLS = {np.less: "<", np.less_equal: "<=", np.greater: ">", np.greater_equal: ">="}


def _axes(tensor, dim):
    """dim (an int or several) as non-negative dims, checked as torch checks them."""
    from ._arguments import dims

    return dims(tensor, dim)


def _squeeze_first(t):
    from .functions import SqueezeBackward4

    return SqueezeBackward4.apply(t, 0)


def _size(dims):
    """A pickled torch.Size, unpickled."""
    return Size(dims)


def _rebuilt(data, requires_grad):
    """A pickled tensor, unpickled."""
    return Tensor._make(data, None, requires_grad)


DEEPCOPY_ERROR = (
    "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at "
    "the moment.  If you were attempting to deepcopy a module, this may be because of a "
    "torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001")


def add_methods(cls):
    """Put cls's methods and attributes on Tensor (how the compatibility modules extend it)."""
    for name, value in vars(cls).items():
        if name not in ("__module__", "__qualname__", "__doc__", "__dict__", "__weakref__"):
            setattr(Tensor, name, value)


add_methods(TensorAPI)
Tensor.__module__ = "torch"  # type(x) prints <class 'torch.Tensor'>, as in torch

# the methods torch also has as functions: torch.eq(a, b) is a.eq(b)
FUNCTIONS = {name: vars(TensorAPI)[name] for name in (
    "matmul flatten eq ne lt le gt ge all any isfinite allclose equal numel argmax argmin"
).split()}


def _matmul(input, other):  # noqa: A002  (torch's names)
    """torch.matmul(a, b): as a @ b (other is argument 2 here, for torch's error)."""
    return input.matmul(other, position=2)


FUNCTIONS["matmul"] = _matmul
