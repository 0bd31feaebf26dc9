"""Tensor: a numpy array, plus what autograd needs to know about where it came from."""

import numbers
import warnings
import weakref

import numpy as np

from . import dtypes
from ._tensor_str import tensor_repr
from ._torch_errors import (
    INFERENCE_INPLACE_ERROR,
    INT_GRAD_METHOD_ERROR,
    INT_GRAD_SET_ERROR,
    NON_LEAF_GRAD_WARNING,
    SCALAR_WARNING,
    check_bool,
    check_bool_subtraction,
    check_broadcast,
    warn_once,
)
from .grad_mode import STATE
from .graph import AccumulateGrad


class Size(tuple):
    """torch.Size: a tuple of dimensions that prints as torch.Size([2, 3])."""

    def __repr__(self):
        return f"torch.Size({list(self)})"

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
    _retains_grad = _inference = False

    def __init__(self, *data):
        # torch.Tensor(...) is the legacy constructor: always float32, sizes or data
        if len(data) == 1 and not isinstance(data[0], numbers.Number):
            array = np.array(data[0], np.float32)
        else:
            array = np.zeros(_size(data), np.float32)
        Tensor._init(self, array, None)

    # -- construction (internal: fast, no checks) ----------------------------------------
    def _init(self, data, grad_fn, requires_grad=False):
        self._data = data
        self._vc = None  # the version counter (made on first use), shared by tensors sharing memory
        self._grad_fn = grad_fn
        self._requires_grad = requires_grad or grad_fn is not None
        if STATE.inference:
            self._inference = True

    @staticmethod
    def _make(data, grad_fn=None, requires_grad=False):
        # the hot path of every op: _init inlined
        self = object.__new__(Tensor)
        self._data = data if type(data) is np.ndarray else np.asarray(data)
        self._vc = None
        self._grad_fn = grad_fn
        self._requires_grad = requires_grad or grad_fn is not None
        if STATE.inference:
            self._inference = True
        return self

    def _alias(self, data=None):
        """A new tensor over the same memory and version counter (detach, views)."""
        alias = Tensor._make(self._data if data is None else data)
        alias._vc = self._version_counter()
        return alias

    def _view(self, result):
        """Mark `result` as a view of self: shared memory, so a shared version counter."""
        if result._data.base is not None:
            result._vc = self._version_counter()
            result._base = self._base if self._base is not None else self
        return result

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

    def _set_requires_grad(self, value, int_error):
        if self._grad_fn is not None:
            if not value:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use "
                    "a computed variable in a subgraph that doesn't require differentiation use "
                    "var_no_grad = var.detach().")
            if int_error is not INT_GRAD_METHOD_ERROR:  # the setter; requires_grad_() is a no-op
                raise RuntimeError("you can only change requires_grad flags of leaf variables.")
            return
        if value and not self.dtype.is_floating_point:
            raise RuntimeError(int_error)
        self._requires_grad = bool(value)

    @property
    def grad_fn(self):
        """The node that made this tensor, or None for a leaf."""
        return self._grad_fn

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def grad(self):
        """d(output)/d(self), filled in by backward() for leaves that require grad."""
        if self._grad_fn is not None and not self._retains_grad:
            warnings.warn(NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError("assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor of "
                    f"size '{list(self.shape)}'. Please ensure that the gradient and the tensor "
                    "are the same size")
            if value.dtype is not self.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{value.dtype._c_name}' to a "
                    f"tensor with grad_dtype '{self.dtype._legacy[:-6]}'. The gradient must match "
                    "the tensor's grad_dtype (defaults to the tensor's dtype). You can set the "
                    "tensor's grad_dtype attribute with a specific dtype, or None to allow any "
                    "dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its "
                    "gradient may break downstream systems that assume they match.")
        self._grad = value

    @property
    def _version(self):
        return 0 if self._vc is None else self._vc[0]

    def _version_counter(self):
        if self._vc is None:
            self._vc = [0]
        return self._vc

    def _bump_version(self):
        self._version_counter()[0] += 1

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
            return self._grad_fn._add_hook("_tensor_pre_hooks", hook)
        node = self._grad_accumulator()
        self._hooked_accumulator = node  # the accumulator is held weakly: keep it, and its hooks
        return node._add_hook("_tensor_pre_hooks", hook)

    def _edge(self):
        """Where a gradient for this tensor goes next: its grad_fn, or its leaf accumulator."""
        if self._grad_fn is not None:
            return self._grad_fn
        if self._requires_grad:
            return self._grad_accumulator()
        return None

    def _grad_accumulator(self):
        # one AccumulateGrad per leaf, shared by every op that uses it (held weakly, as in torch)
        node = self._accumulator() if self._accumulator is not None else None
        if node is None:
            node = AccumulateGrad(self)
            self._accumulator = weakref.ref(node)
        return node

    def _accumulate(self, grad):
        if isinstance(grad, Tensor):  # create_graph: .grad keeps its graph, as torch's does
            self._grad = F.CopyBackwards.apply(grad) if self._grad is None else self._grad + grad
            return
        if self._grad is None:
            self._grad = Tensor._make(np.array(grad, dtype=self._data.dtype))  # owned, writable
        else:
            np.add(self._grad._data, grad, out=self._grad._data, casting="unsafe")
            self._grad._bump_version()

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute d(self)/d(leaf) for every leaf in self's graph and add it into leaf.grad.

        For a tensor with more than one element, pass `gradient` = v (same shape as self):
        the leaves then get v^T J, the vector-Jacobian product.
        """
        autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """The same memory, cut from the graph: no grad_fn, no requires_grad."""
        return self._alias()

    def detach_(self):
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self):
        """The same memory, with no graph and its own version counter: autograd can't see changes."""
        return Tensor._make(self._data)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        if self._requires_grad and not value.dtype.is_floating_point:
            raise RuntimeError("data set to a tensor that requires gradients must be floating "
                               "point or complex dtype")
        self._data = value._data

    def is_inference(self):
        return self._inference

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

    def numel(self):
        return self._data.size

    nelement = numel

    @property
    def dtype(self):
        return dtypes.from_numpy(self._data.dtype)

    @property
    def device(self):
        return "cpu"

    @property
    def is_cuda(self):
        return False

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self._view(F.UnbindBackward0.apply(self, i)) for i in range(len(self._data)))

    # -- conversions ------------------------------------------------------------------------
    def item(self):
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
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def _scalar(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        if self._requires_grad:
            warn_once(SCALAR_WARNING, stacklevel=3)
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

    __str__ = __repr__

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return str(self)

    __hash__ = object.__hash__

    def to(self, dtype=None, *args, **kwargs):
        dtype = kwargs.get("dtype", dtype)
        if dtype is None or isinstance(dtype, str):  # a device: there is only the CPU
            return self
        if dtype is self.dtype:
            return self
        return F.ToCopyBackward0.apply(self, dtype)

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def long(self):
        return self.to(dtypes.int64)

    def int(self):
        return self.to(dtypes.int32)

    def bool(self):
        return self.to(dtypes.bool_)

    def type(self, dtype=None):
        if dtype is None:
            return f"torch.{self.dtype._legacy}"
        return self.to(dtype)

    def cpu(self):
        return self

    # -- arithmetic -------------------------------------------------------------------------
    __array_priority__ = 1000  # numpy scalars and arrays leave `np.float64(2) * t` to Tensor

    def _binary(self, op, other):
        if not isinstance(other, Tensor):
            other = Number(other, self)
        try:
            return op.apply(self, other)
        except ValueError:
            check_broadcast(self._data.shape, other._data.shape)
            raise

    def __add__(self, other):
        return self._binary(F.AddBackward0, other)

    __radd__ = __add__

    def __sub__(self, other):
        check_bool_subtraction(self, other)
        return self._binary(F.SubBackward0, other)

    def __rsub__(self, other):
        check_bool_subtraction(self, other)
        return F.RsubBackward1.apply(self._as(dtypes.result_type(self, other)), other)

    def _as(self, dtype):
        """self in dtype, for an op with a number (a float tensor never changes: no node)."""
        return self if self.dtype is dtype else self.to(dtype)

    def __mul__(self, other):
        return self._binary(F.MulBackward0, other)

    __rmul__ = __mul__

    def __truediv__(self, other):
        return self._binary(F.DivBackward0, other)

    def __rtruediv__(self, other):
        return self.reciprocal() * other

    def __pow__(self, exponent):
        if isinstance(exponent, Tensor):
            check_bool(self, exponent, "pow")
            return F.PowBackward1.apply(self, exponent)
        target = dtypes.result_type(self, exponent)
        if not target.is_floating_point and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return F.PowBackward0.apply(self._as(target), exponent)

    def __rpow__(self, base):
        check_bool(self, base, "pow")
        return F.PowBackward2.apply(base, self._as(dtypes.result_type(self, base)))

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
        other = other if isinstance(other, Tensor) else Number(other, self)
        a, b = (other, self) if reflected else (self, other)
        check_bool(a, b, {np.floor_divide: "div_floor_cpu", np.remainder: "remainder_cpu"}[ufunc])
        dtype = dtypes.result_type(a, b).numpy
        with np.errstate(divide="ignore", invalid="ignore"):
            return Tensor._make(ufunc(a._data.astype(dtype), b._data.astype(dtype)))

    def __neg__(self):
        if self.dtype is dtypes.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                               "you are trying to invert a mask, use the `~` or `logical_not()` "
                               "operator instead.")
        return F.NegBackward0.apply(self)

    def __pos__(self):
        return self

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    def add(self, other, alpha=1):
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other, alpha=1):
        return self - (other if alpha == 1 else other * alpha)

    mul = multiply = __mul__
    div = divide = true_divide = __truediv__
    pow = __pow__
    neg = negative = __neg__

    def reciprocal(self):
        return F.ReciprocalBackward0.apply(self)

    def square(self):
        return F.PowBackward0.apply(self, 2)

    def exp(self):
        return F.ExpBackward0.apply(self)

    def log(self):
        return F.LogBackward0.apply(self)

    def sin(self):
        return F.SinBackward0.apply(self)

    def cos(self):
        return F.CosBackward0.apply(self)

    def tanh(self):
        return F.TanhBackward0.apply(self)

    def sigmoid(self):
        return F.SigmoidBackward0.apply(self)

    def relu(self):
        return F.ReluBackward0.apply(self)

    def abs(self):
        if self.dtype is dtypes.bool_:
            raise NotImplementedError('"abs_cpu" not implemented for \'Bool\'')
        return F.AbsBackward0.apply(self)

    __abs__ = abs

    def sqrt(self):
        return F.SqrtBackward0.apply(self)

    def clamp(self, min=None, max=None):
        return F.ClampBackward1.apply(self, min, max)

    clip = clamp

    def clone(self):
        return F.CloneBackward0.apply(self)

    # -- reductions -------------------------------------------------------------------------
    def sum(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim = axis if dim is None else dim  # numpy's names, which torch accepts too
        keepdim = keepdims if keepdims is not None else keepdim
        if dim is None:
            return F.SumBackward0.apply(self)
        return F.SumBackward1.apply(self, self._dims(dim), keepdim)

    def mean(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim = axis if dim is None else dim
        keepdim = keepdims if keepdims is not None else keepdim
        if not self.dtype.is_floating_point:
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating "
                f"point or complex dtype. Got: {self.dtype._legacy[:-6]}")
        if dim is None:
            return F.MeanBackward0.apply(self)
        return F.MeanBackward1.apply(self, self._dims(dim), keepdim)

    def std(self):
        return F.StdBackward0.apply(self)

    def norm(self, p="fro", dim=None, keepdim=False):
        if p not in ("fro", 2):
            raise NotImplementedError("autograd_core's norm is the 2-norm only (p=2 or 'fro')")
        return F.LinalgVectorNormBackward0.apply(
            self, None if dim is None else self._dims(dim), keepdim)

    def max(self, dim=None, keepdim=False, *, axis=None):
        dim = axis if dim is None else dim
        return self._extreme(F.MaxBackward1, F.MaxBackward0, "max", dim, keepdim)

    def min(self, dim=None, keepdim=False, *, axis=None):
        dim = axis if dim is None else dim
        return self._extreme(F.MinBackward1, F.MinBackward0, "min", dim, keepdim)

    def _extreme(self, everywhere, along, name, dim, keepdim):
        if dim is None:
            if self._data.size == 0:
                raise RuntimeError(
                    f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                    "Specify the reduction dim with the 'dim' argument.")
            return everywhere.apply(self)
        values = along.apply(self, self._dims(dim)[0], keepdim)
        indices = Tensor._make(values.grad_fn.indices if values.grad_fn else
                               getattr(np, "arg" + name)(self._data, axis=dim, keepdims=keepdim))
        return ReturnTypes(name, values, indices)

    def argmax(self, dim=None, keepdim=False):
        return Tensor._make(np.argmax(self._data, axis=dim, keepdims=keepdim))

    def argmin(self, dim=None, keepdim=False):
        return Tensor._make(np.argmin(self._data, axis=dim, keepdims=keepdim))

    def _dims(self, dim):
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        n = max(self._data.ndim, 1)
        for d in dims:
            if not -n <= d < n:
                raise IndexError(f"Dimension out of range (expected to be in range of "
                                 f"[{-n}, {n - 1}], but got {d})")
        return tuple(d % n for d in dims)

    # -- linear algebra ---------------------------------------------------------------------
    def dot(self, other):
        if self.ndim != 1 or other.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {self.ndim}D and {other.ndim}D tensors")
        if self.dtype is not other.dtype:
            raise RuntimeError("dot : expected both vectors to have same dtype, but found "
                               f"{self.dtype._legacy[:-6]} and {other.dtype._legacy[:-6]}")
        if self.shape != other.shape:
            n, m = self.numel(), other.numel()
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same "
                f"number of elements, but got {n} and {m} elements respectively")
        return F.DotBackward0.apply(self, other)

    def mm(self, other):
        if self.dtype is not other.dtype:
            raise RuntimeError("expected m1 and m2 to have the same dtype, but got: "
                               f"{self.dtype._c_name} != {other.dtype._c_name}")
        if self._data.shape[1] != other._data.shape[0]:
            raise RuntimeError(
                "mat1 and mat2 shapes cannot be multiplied "
                f"({self._data.shape[0]}x{self._data.shape[1]} and "
                f"{other._data.shape[0]}x{other._data.shape[1]})")
        return F.MmBackward0.apply(self, other)

    def mv(self, vec):
        return F.MvBackward0.apply(self, vec)

    matmul = __matmul__

    # -- shapes and indexing ----------------------------------------------------------------
    def view(self, *shape):
        shape = self._shape_arg(shape)
        if not self._data.flags.c_contiguous and self._data.size > 1:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
        return self._view(F.ViewBackward0.apply(self, shape))

    def reshape(self, *shape):
        shape = self._shape_arg(shape)
        if self._data.flags.c_contiguous or self._data.size <= 1:
            return self._view(F.ViewBackward0.apply(self, shape))
        return F.UnsafeViewBackward0.apply(self.clone(), shape)

    def flatten(self):
        return self.reshape(-1)

    def _shape_arg(self, shape):
        if len(shape) == 1 and not isinstance(shape[0], int):
            shape = tuple(shape[0])
        shape = tuple(int(n) for n in shape)
        known = int(np.prod([n for n in shape if n != -1], dtype=np.int64))
        size = self._data.size
        if shape.count(-1) > 1 or (-1 in shape and (known == 0 or size % known)) or (
                -1 not in shape and known != size):
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
        return shape

    def unsqueeze(self, dim):
        return self._view(F.UnsqueezeBackward0.apply(self, dim % (self.ndim + 1)))

    def squeeze(self, dim=None):
        if dim is None:
            return self._view(F.SqueezeBackward0.apply(self))
        return self._view(F.SqueezeBackward1.apply(self, self._dims(dim)[0]))

    def t(self):
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return self._view(F.TBackward0.apply(self))

    @property
    def T(self):
        if self.ndim == 0:
            warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity "
                          "in these cases.", UserWarning, stacklevel=2)
            return self
        if self.ndim != 2:
            warnings.warn(
                "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                "deprecated and it will throw an error in a future release. Consider `x.mT` to "
                "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
                "to reverse the dimensions of a tensor.", UserWarning, stacklevel=2)
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self):
        return self.transpose(-2, -1)

    def transpose(self, dim0, dim1):
        d0, d1 = self._dims((dim0, dim1))
        return self._view(F.TransposeBackward0.apply(self, d0, d1))

    def permute(self, *dims):
        dims = tuple(dims[0]) if len(dims) == 1 and not isinstance(dims[0], int) else dims
        return self._view(F.PermuteBackward0.apply(self, self._dims(dims)))

    def expand(self, *shape):
        shape = self._shape_arg_expand(shape)
        return self._view(F.ExpandBackward0.apply(self, shape))

    def _shape_arg_expand(self, shape):
        shape = tuple(shape[0]) if len(shape) == 1 and not isinstance(shape[0], int) else shape
        own = (1,) * (len(shape) - self.ndim) + self._data.shape
        return tuple(o if n == -1 else n for n, o in zip(shape, own))

    def __getitem__(self, index):
        index = index if isinstance(index, tuple) else (index,)
        if any(isinstance(i, (Tensor, list, np.ndarray)) for i in index):
            key = tuple(i._data if isinstance(i, Tensor) else i for i in index)
            if self.ndim == 0:  # torch indexes a 0-d tensor as a 1-element vector
                return self.unsqueeze(0)[tuple(np.expand_dims(k, 0) for k in key)]
            return F.IndexBackward0.apply(self, key[0] if len(key) == 1 else key)
        # basic indexing is a chain of views, recorded one step each as torch does
        fill = self.ndim - sum(i is not None and i is not Ellipsis for i in index)
        steps = []
        for i in index:
            steps.extend([slice(None)] * fill if i is Ellipsis else [i])
        result, dim, only_a_slice = self, 0, len(index) == 1
        source_dim = 0  # the dim of self that the index reads: torch's errors name it
        for i in steps:
            if i is None:
                result = F.UnsqueezeBackward0.apply(result, dim)
                dim += 1
            elif isinstance(i, slice):
                if only_a_slice or i != slice(None):
                    result = F.SliceBackward0.apply(result, dim, i)
                dim += 1
                source_dim += 1
            else:
                size = result._data.shape[dim] if dim < result.ndim else None
                if size is None:
                    raise IndexError(f"too many indices for tensor of dimension {self.ndim}")
                if not -size <= i < size:
                    raise IndexError(
                        f"index {i} is out of bounds for dimension {source_dim} with size {size}")
                result = F.SelectBackward0.apply(result, dim, int(i) % size)
                source_dim += 1
        return self._view(result) if result is not self else self._view(self._alias())

    def __setitem__(self, index, value):
        key = tuple(i._data if isinstance(i, Tensor) else i for i in
                    (index if isinstance(index, tuple) else (index,)))
        self._inplace(F.CopySlices, value if isinstance(value, Tensor) else Number(value, self),
                      key)

    # -- comparisons: values only, never recorded -----------------------------------------------
    def _compare(self, ufunc, other):
        other = other._data if isinstance(other, Tensor) else other
        return Tensor._make(ufunc(self._data, other))

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

    def all(self):
        return Tensor._make(np.all(self._data))

    def any(self):
        return Tensor._make(np.any(self._data))

    def isfinite(self):
        return Tensor._make(np.isfinite(self._data))

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return bool(np.allclose(self._data, other._data, rtol, atol, equal_nan))

    def equal(self, other):
        return self.shape == other.shape and bool(np.array_equal(self._data, other._data))

    # -- in place ---------------------------------------------------------------------------
    def _check_inplace(self):
        if self._inference and not STATE.inference:
            raise RuntimeError(INFERENCE_INPLACE_ERROR)
        if STATE.grad_enabled:
            if self._grad_fn is None and self._requires_grad:
                raise RuntimeError(
                    "a leaf Variable that requires grad is being used in an in-place operation.")
            base = self._base
            if base is not None and base._grad_fn is None and base._requires_grad:
                raise RuntimeError("a view of a leaf Variable that requires grad is being used "
                                   "in an in-place operation.")

    def _inplace(self, op, *args):
        """Run `op` out of place, then write its result into self and bump the version.

        If anything requires grad, the op runs on a snapshot of self (same grad_fn, copied
        values), and self takes over the new node as its grad_fn.
        """
        self._check_inplace()
        records = STATE.grad_enabled and (self._requires_grad or any(
            isinstance(a, Tensor) and a._requires_grad for a in args))
        source = self
        if records:
            source = Tensor._make(self._data.copy(), self._grad_fn, self._requires_grad)
            source._accumulator = self._accumulator
        result = op.apply(source, *args)
        if not np.can_cast(result._data.dtype, self._data.dtype, "same_kind"):
            raise RuntimeError(f"result type {result.dtype._legacy[:-6]} can't be cast to the "
                               f"desired output type {self.dtype._legacy[:-6]}")
        self._data[...] = result._data
        self._bump_version()
        if records:
            self._grad_fn, self._requires_grad = result._grad_fn, True
        return self

    def add_(self, other, alpha=1):
        return self._inplace(F.AddBackward0, self._number(other * alpha if alpha != 1 else other))

    def sub_(self, other, alpha=1):
        return self._inplace(F.SubBackward0, self._number(other * alpha if alpha != 1 else other))

    def mul_(self, other):
        return self._inplace(F.MulBackward0, self._number(other))

    def div_(self, other):
        return self._inplace(F.DivBackward0, self._number(other))

    def zero_(self):
        """Fill with zeros, in place: how a training loop resets .grad between steps."""
        if self._requires_grad and STATE.grad_enabled:
            return self._inplace(F.ZeroBackward0)
        self._check_inplace()
        self._data.fill(0)  # a plain write: nothing to record (the usual x.grad.zero_())
        self._bump_version()
        return self

    def fill_(self, value):
        return self._inplace(F.FillBackward2, value)

    def copy_(self, src):
        return self.__setitem__(..., src) or self

    __iadd__, __isub__, __imul__, __itruediv__ = add_, sub_, mul_, div_

    def _number(self, other):
        return other if isinstance(other, Tensor) else Number(other, self)


class Number(Tensor):
    """A Python number in an op with a tensor: torch wraps it as a 0-d tensor of that dtype."""

    __slots__ = ()

    def __init__(self, value, like):
        own = like._data.dtype
        if own.kind == "f" and type(value) in (float, int):  # the common case, kept fast
            dtype = own
        else:
            dtype = dtypes.result_type(like, value).numpy
        self._data = np.asarray(value, dtype)
        self._vc = self._grad_fn = None
        self._requires_grad = False


def _size(args):
    if len(args) == 1 and not isinstance(args[0], numbers.Number):
        return tuple(args[0])
    return tuple(args)


def matmul(a, b):
    """a @ b, dispatched as torch does: dot, mv, mm, or mm with a squeezed 1-d side."""
    if a.ndim == 1 and b.ndim == 1:
        return a.dot(b)
    if a.ndim == 2 and b.ndim == 1:
        return a.mv(b)
    if a.ndim == 2 and b.ndim == 2:
        return a.mm(b)
    if a.ndim == 1 and b.ndim == 2:
        return F.SqueezeBackward4.apply(a.unsqueeze(0).mm(b), 0)
    raise NotImplementedError("autograd_core's matmul takes 1-d and 2-d tensors only")


from . import autograd  # noqa: E402  (these modules need Tensor defined first)
from . import functions as F  # noqa: E402
