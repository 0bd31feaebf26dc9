"""How each op is called: the signatures the table in functions.py gives its ops.

Off the teaching path: nothing here is calculus. A signature turns an op into the Tensor method
(and module function) that reaches it: it reads the call's arguments as torch does -- a number
on either side of an operator, dim or numpy's axis, -1 in a shape --, checks them with torch's
own error messages, and calls op.apply. A signature that takes another op (reduction(SumBackward0))
sends the call there when the arguments say so (x.sum() with no dim).

Also here: Number, a Python number wrapped as a 0-d tensor, and `as_view`, which marks an op's
result as sharing its input's memory.
"""

import math
import numbers

import numpy as np

from . import dtypes
from ._tensor_api import ReturnTypes
from ._torch_errors import (
    DEGREES_OF_FREEDOM_WARNING,
    check_bool,
    check_bool_subtraction,
    check_broadcast,
    warn,
)
from .tensor import Tensor


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


def as_view(base, result):
    """Mark `result` as a view of base: shared memory, so a shared version counter."""
    if result._data.base is not None:
        result._vc = base._version_counter()
        if result._inference is not base._inference:  # an inference tensor's views are ones too
            result._inference = base._inference
        result._base = base._base if base._base is not None else base
        result._view_version = result._vc[0]  # written since: its grad_fn is remade (_views.py)
        if base._view_of_many:  # torch forbids writing into these (see _inplace.py)
            result._view_of_many = True
        if result._base._requires_grad and result._grad_fn is None:
            # made under no_grad: torch keeps requires_grad (the view is a leaf whose gradient
            # goes nowhere) and forbids writing into it, or its views, with grad mode on
            result._requires_grad = result._no_grad_view = True
        elif base._no_grad_view:
            result._no_grad_view = True
    return result


def as_dtype(tensor, dtype):
    """tensor in dtype, for an op with a number (a float tensor never changes: no node)."""
    return tensor if tensor.dtype is dtype else tensor.to(dtype)


def dims(tensor, dim, distinct=False):
    """dim (an int or a sequence of them) as non-negative dims of tensor, checked as torch does
    (`distinct`: a dim twice is refused, as a reduction's list of dims)."""
    if isinstance(dim, Tensor):  # x.sum(torch.tensor(1))
        dim = dim.item()
    dims = (dim,) if isinstance(dim, numbers.Integral) else tuple(dim)
    n = max(tensor._data.ndim, 1)
    for d in dims:
        if not -n <= d < n:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-n}, {n - 1}], but got {d})")
    dims = tuple(int(d) % n for d in dims)
    if distinct and len(set(dims)) < len(dims):
        twice = next(d for d in dims if dims.count(d) > 1)
        raise RuntimeError(f"dim {twice} appears multiple times in the list of dims")
    return dims


def shape_of(tensor, shape):
    """A view's or reshape's new shape, from x.view(2, 3) or x.view((2, 3)), with one -1 worked out."""
    if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
        shape = tuple(shape[0])
    shape = tuple(int(n) for n in shape)
    known = int(np.prod([n for n in shape if n != -1], dtype=np.int64))
    size = tensor._data.size
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    if -1 in shape and size == 0 and known == 0:
        raise RuntimeError(
            f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
            "unspecified dimension size -1 can be any value and is ambiguous")
    if (-1 in shape and (known == 0 or size % known)) or (-1 not in shape and known != size):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
    return shape


# -- arithmetic ------------------------------------------------------------------------------
def unary(op):
    """x.exp(), torch.exp(x): the tensor alone (the default)."""

    def method(self):
        return op.apply(self)

    return method


def floating(op):
    """x.exp(), torch.sqrt(x): an integer or bool tensor becomes the default float first, as
    torch (it has no gradient: nothing to record)."""

    def method(self):
        if self._data.dtype.kind in "biu":
            self = Tensor._make(self._data.astype(dtypes.default_float.numpy))
        return op.apply(self)

    return method


def tensors(op):
    """torch.maximum(a, b): two tensors (torch refuses a number here)."""

    def function(input, other):  # noqa: A002  (torch's names)
        if not isinstance(other, Tensor):
            raise TypeError(f"{op.functions[0]}(): argument 'other' (position 2) must be Tensor, "
                            f"not {type(other).__name__}")
        return pairwise(input, other)

    pairwise = binary(op)
    return function


def binary(op):
    """a * b, 2 * a, a.mul(b): a number becomes a 0-d tensor; the shapes must broadcast."""

    def method(self, other):
        if not isinstance(other, Tensor):
            other = Number(other, self)
        try:
            return op.apply(self, other)
        except ValueError:  # numpy's broadcasting error, in torch's words
            check_broadcast(self._data.shape, other._data.shape)
            raise

    return method


def binary_with_alpha(op):
    """a + b, and a.add(b, alpha=2), which is a + 2 * b."""
    plain = binary(op)

    def method(self, other, alpha=1):
        return plain(self, other if alpha == 1 else other * alpha)

    return method


def subtraction(op):
    """a - b, a.sub(b, alpha=2): as addition, but torch refuses bools."""
    plain = binary(op)

    def method(self, other, alpha=1):
        check_bool_subtraction(self, other)
        return plain(self, other if alpha == 1 else other * alpha)

    return method


def reflected_subtraction(op):
    """2 - a: the number and the tensor, brought to their common dtype first."""

    def method(self, other):
        check_bool_subtraction(self, other)
        return op.apply(as_dtype(self, dtypes.result_type(self, other)), other)

    return method


def negation(op):
    """-a, a.neg(): torch refuses bools."""

    def method(self):
        if self._data.dtype == np.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                               "you are trying to invert a mask, use the `~` or `logical_not()` "
                               "operator instead.")
        return op.apply(self)

    return method


def refusing_bool(error, message):
    """x.abs(), x.relu(): as unary, but torch refuses a bool tensor, and says so."""

    def signature(op):
        def method(self):
            if self._data.dtype == np.bool_:
                raise error(message)
            return op.apply(self)

        return method

    return signature


def power(with_number):
    """a ** b, a.pow(b), torch.pow(a, b): a tensor exponent is this op, a number `with_number`;
    torch.pow(2, a) is 2 ** a."""

    def signature(op):
        def method(self, exponent):
            if not isinstance(self, Tensor):  # torch.pow(number, tensor)
                return exponent.__rpow__(self)
            if isinstance(exponent, Tensor):
                check_bool(self, exponent, "pow")
                check_broadcast(self._data.shape, exponent._data.shape)
                return op.apply(self, exponent)
            target = dtypes.result_type(self, exponent)
            if not target.is_floating_point and exponent < 0:
                raise RuntimeError("Integers to negative integer powers are not allowed.")
            return with_number.apply(as_dtype(self, target), exponent)

        return method

    return signature


def reflected_power(op):
    """2 ** a: the number and the tensor, brought to their common dtype first."""

    def method(self, base):
        check_bool(self, base, "pow")
        return op.apply(base, as_dtype(self, dtypes.result_type(self, base)))

    return method


def square(op):
    """x.square() is x ** 2."""

    def method(self):
        return self.pow(2)  # (a bool tensor squared is an int64 one, as bool ** 2)

    return method


def clamp(op):
    """x.clamp(min=None, max=None)."""

    def method(self, min=None, max=None):  # noqa: A002  (torch's names)
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        for bound in (min, max):
            if isinstance(bound, Tensor):
                check_broadcast(self._data.shape, bound._data.shape)
            elif bound is not None:
                dtypes.of_python_scalar(bound)  # (a complex bound: autograd_core has no complex)
        return op.apply(self, min, max)

    return method


def conversion(op):
    """x.to(dtype), x.to(dtype=...), x.to("cpu"): a new tensor only if the dtype changes."""

    def method(self, dtype=None, *args, **kwargs):
        dtype = kwargs.get("dtype", dtype)
        if dtype is None or isinstance(dtype, str):  # a device: there is only the CPU
            return self
        dtypes.check_mirrored(dtype)
        if dtype is self.dtype:
            return self
        if not dtype.is_floating_point:  # an integer or bool result has no gradient: no node
            return Tensor._make(op.compute(self._data, dtype))
        return op.apply(self, dtype)

    return method


def condition_first(op):
    """torch.where(condition, input, other): a number on either side becomes a 0-d tensor."""

    def function(condition, input=None, other=None):  # noqa: A002  (torch's names)
        if input is None and other is None:  # torch.where(condition): where it holds
            return tuple(Tensor._make(i) for i in np.nonzero(condition._data))
        if not isinstance(input, Tensor) and not isinstance(other, Tensor):  # two numbers
            input, other = (Tensor._make(np.asarray(v, dtypes.of_python_scalar(v).numpy))  # noqa: A001
                            for v in (input, other))
        if not isinstance(input, Tensor):
            input = Number(input, other)  # noqa: A001
        if not isinstance(other, Tensor):
            other = Number(other, input)
        check_broadcast(condition.shape, input.shape)
        check_broadcast(condition.shape, other.shape)
        check_broadcast(input.shape, other.shape)
        return op.apply(input, other, condition._data)

    return function


# -- reductions ------------------------------------------------------------------------------
def reduction(everywhere, floating=False):
    """x.sum(), x.sum(dim, keepdim): numpy's axis= and keepdims= too; with no dim, `everywhere`.
    `floating`: only for floating-point tensors, as mean is."""

    def signature(op):
        def method(self, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
            dim = axis if dim is None else dim
            keepdim = keepdims if keepdims is not None else keepdim
            if dtype is not None and dtype is not self.dtype:
                self = _computed_in(self, dtype)
            if floating and self._data.dtype.kind != "f":
                raise RuntimeError(
                    "mean(): could not infer output dtype. Input dtype must be either a floating "
                    f"point or complex dtype. Got: {self.dtype._legacy[:-6]}")
            if dim is None:
                return everywhere.apply(self)
            if not isinstance(dim, (numbers.Integral, Tensor)) and not len(dim):
                dim = range(self.ndim)  # torch reads no dims, x.sum(()), as all of them
            return op.apply(self, dims(self, dim, distinct=True), keepdim)

        return method

    return signature


def _computed_in(tensor, dtype):
    """tensor's values in dtype, in tensor's own place in the graph: x.sum(dtype=...) records no
    conversion (the gradient is converted back when it reaches x)."""
    dtypes.check_mirrored(dtype)
    values = Tensor._make(tensor._data.astype(dtype.numpy), tensor._grad_fn, tensor._requires_grad)
    if tensor._grad_fn is None and tensor._requires_grad:  # a leaf's gradient still goes to it
        values._hooked_accumulator = tensor._grad_accumulator()  # (held: the link is weak)
        values._accumulator = tensor._accumulator
    return values


def extreme(everywhere, elementwise):
    """x.max(): the value (`everywhere`); x.max(dim): values and indices, a ReturnTypes pair;
    x.max(other), torch.max(a, b): the larger of each pair (`elementwise`)."""

    def signature(op):
        name = vars(op)["methods"][0]
        pairwise = binary(elementwise)

        def method(self, dim=None, keepdim=False, *, axis=None):
            if isinstance(dim, Tensor):
                return pairwise(self, dim)
            dim = axis if dim is None else dim
            if dim is None:
                if self._data.size == 0:
                    raise RuntimeError(
                        f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                        "Specify the reduction dim with the 'dim' argument.")
                return everywhere.apply(self)
            (dim,) = dims(self, dim)
            if self._data.ndim and self._data.shape[dim] == 0:
                raise IndexError(
                    f"{name}(): Expected reduction dim {dim} to have non-zero size.")
            values = op.apply(self, dim, keepdim)
            indices = Tensor._make(values.grad_fn.indices if values.grad_fn else
                                   getattr(np, "arg" + name)(self._data, axis=dim,
                                                             keepdims=keepdim))
            return ReturnTypes(name, values, indices)

        return method

    return signature


def spread(op):
    """x.std(), x.std(dim, unbiased, keepdim), x.std(dim, correction=0): torch warns when too
    few elements leave no spread to measure (and gives nan or inf)."""

    def method(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None):
        if isinstance(dim, bool):  # x.std(False): unbiased, not a dim
            dim, unbiased = None, dim
        dim = axis if dim is None else dim
        if correction is None:
            correction = 0 if unbiased is False else 1
        if not self.dtype.is_floating_point:
            raise RuntimeError("std and var only support floating point and complex dtypes")
        dim = None if dim is None else dims(self, dim, distinct=True) if self.ndim else ()
        counted = self._data.size if dim is None else math.prod(self._data.shape[d] for d in dim)
        if counted - correction <= 0:
            warn(DEGREES_OF_FREEDOM_WARNING.format(op=op.methods[0]))
        return op.apply(self, dim, correction, keepdim)

    return method


def cumulative(op):
    """x.cumsum(dim), numpy's axis= too, dtype= to compute in another dtype."""

    def method(self, dim=None, *, dtype=None, axis=None):
        dim = axis if dim is None else dim
        if dim is None:
            raise TypeError(f'{op.methods[0]}() missing 1 required positional arguments: "dim"')
        if dtype is not None and dtype is not self.dtype:
            self = _computed_in(self, dtype)
        return op.apply(self, dims(self, dim)[0])

    return method


def flip(op):
    """x.flip(0), x.flip(0, 1), x.flip((0, 1))."""

    def method(self, *order, **named):
        order = (named.pop("dims"),) if "dims" in named else order
        if len(order) == 1 and not isinstance(order[0], numbers.Integral):
            order = tuple(order[0])
        return op.apply(self, dims(self, order, distinct=True) if self.ndim else ())

    return method


def norm(op):
    """x.norm(), x.norm(dim=0): the 2-norm only."""

    def method(self, p="fro", dim=None, keepdim=False):
        if p not in ("fro", 2):
            raise NotImplementedError("autograd_core's norm is the 2-norm only (p=2 or 'fro')")
        if not self.dtype.is_floating_point:
            raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor "
                               f"as input. Got {_name(self.dtype)}")
        return op.apply(self, None if dim is None else dims(self, dim, distinct=True), keepdim)

    return method


# -- linear algebra --------------------------------------------------------------------------
def _name(dtype):
    return dtype._legacy[:-6]  # FloatTensor -> Float, as torch names dtypes in these errors


def dot(op):
    """torch.dot(a, b): two 1-d tensors of one dtype and one length."""

    def method(self, other):
        a, b = self._data, other._data
        if a.ndim != 1 or b.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
        if a.dtype != b.dtype:
            raise RuntimeError("dot : expected both vectors to have same dtype, but found "
                               f"{_name(self.dtype)} and {_name(other.dtype)}")
        if a.shape != b.shape:
            n, m = a.size, b.size
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same "
                f"number of elements, but got {n} and {m} elements respectively")
        if a.dtype == np.bool_:
            check_bool(self, other, "dot")
        return op.apply(self, other)

    return method


def mm(op):
    """torch.mm(a, b): two matrices, a's columns as many as b's rows, of one dtype."""

    def method(self, other):
        a, b = self._data, other._data
        if a.ndim != 2:
            raise RuntimeError("self must be a matrix")
        if b.ndim != 2:
            raise RuntimeError("mat2 must be a matrix")
        (n, k), (k2, m) = a.shape, b.shape
        if k != k2:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {k2}x{m})")
        if a.dtype != b.dtype:
            raise RuntimeError("expected m1 and m2 to have the same dtype, but got: "
                               f"{self.dtype._c_name} != {other.dtype._c_name}")
        if a.dtype == np.bool_:
            check_bool(self, other, "addmm_impl_cpu_")
        return op.apply(self, other)

    return method


def mv(op):
    """torch.mv(a, v): a matrix and a vector as long as its rows, of one dtype."""

    def method(self, vec):
        a, v = self._data, vec._data
        if a.ndim != 2 or v.ndim != 1:
            raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {v.ndim}")
        (n, k), (k2,) = a.shape, v.shape
        if k != k2:
            raise RuntimeError(f"size mismatch, got input ({n}), mat ({n}x{k}), vec ({k2})")
        if a.dtype != v.dtype:
            raise RuntimeError(
                "addmv input tensors must have the same dtype, but got "
                f"{_name(vec.dtype)}, {_name(self.dtype)}, and {_name(vec.dtype)}")
        if a.dtype == np.bool_:
            check_bool(self, vec, "addmv_impl_cpu")
        return op.apply(self, vec)

    return method


# -- shapes: each of these returns a view of its input -------------------------------------------
def view(op):
    """x.view(2, 3), x.view((2, 3)), x.view(-1): only where the memory allows it (viewable)."""

    def method(self, *shape, size=None):
        shape = shape_of(self, shape if size is None else (size,))
        if not viewable(self._data, shape):
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
        return as_view(self, op.apply(self, shape))

    return method


def reshape(view):
    """x.reshape(2, 3): a `view` where the memory allows it, else this op on a contiguous copy."""

    def signature(op):
        def method(self, *shape, **named):
            shape = shape_of(self, (named.pop("shape"),) if "shape" in named else shape)
            if named:
                raise TypeError(f"reshape() got an unexpected keyword argument '{next(iter(named))}'")
            if viewable(self._data, shape):
                return as_view(self, view.apply(self, shape))
            return op.apply(self.contiguous(), shape)

        return method

    return signature


def viewable(array, shape):
    """Whether array's memory can be read as `shape` without a copy: torch's rule (computeStride),
    which is numpy's -- each run of dims laid out one after another may be split or merged."""
    if array.flags.c_contiguous or array.size <= 1 or not array.ndim:
        return True
    strides = [s // array.itemsize for s in array.strides]
    old, new = array.shape, list(shape)
    view_d, chunk_stride = len(new) - 1, strides[-1]
    tensor_numel = view_numel = 1
    for d in reversed(range(len(old))):
        tensor_numel *= old[d]
        if d == 0 or (old[d - 1] != 1 and strides[d - 1] != tensor_numel * chunk_stride):
            while view_d >= 0 and (view_numel < tensor_numel or new[view_d] == 1):
                view_numel *= new[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return False
            if d > 0:
                chunk_stride, tensor_numel, view_numel = strides[d - 1], 1, 1
    return view_d == -1


def unsqueeze(op):
    """x.unsqueeze(dim): dim may be one past the last (or negative)."""

    def method(self, dim):
        n = self._data.ndim + 1
        if not -n <= dim < n:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-n}, {n - 1}], but got {dim})")
        return as_view(self, op.apply(self, dim % n))

    return method


def squeeze(everywhere, several):
    """x.squeeze(): every size-1 dim (`everywhere`); x.squeeze(dim): that one, if size 1;
    x.squeeze((0, 2)): those (`several`), each if size 1."""

    def signature(op):
        def method(self, dim=None):
            if dim is None:
                return as_view(self, everywhere.apply(self))
            if not isinstance(dim, numbers.Integral):  # x.squeeze((0, 2)): those, if size 1
                return as_view(self, several.apply(self, dims(self, dim, distinct=True)))
            return as_view(self, op.apply(self, dims(self, dim)[0]))

        return method

    return signature


def transpose_2d(op):
    """x.t(): at most 2 dimensions."""

    def method(self):
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return as_view(self, op.apply(self))

    return method


def transpose(op):
    """x.transpose(dim0, dim1)."""

    def method(self, dim0, dim1):
        return as_view(self, op.apply(self, *dims(self, (dim0, dim1))))

    return method


def permute(op):
    """x.permute(1, 0) or x.permute((1, 0))."""

    def method(self, *order, **named):  # (x.permute(dims=(1, 0)) too)
        order = (named.pop("dims"),) if "dims" in named else order
        if len(order) == 1 and not isinstance(order[0], numbers.Integral):
            order = tuple(order[0])
        return as_view(self, op.apply(self, dims(self, order)))

    return method


def expand(op):
    """x.expand(3, 2) or x.expand((3, 2)); -1 keeps a dim's size."""

    def method(self, *shape, size=None):
        shape = shape if size is None else (size,)
        if not shape:
            raise TypeError('expand() missing 1 required positional arguments: "size"')
        if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
            shape = tuple(shape[0])
        return as_view(self, op.apply(self, _expanded_shape(self, tuple(shape))))

    return method


def _expanded_shape(tensor, shape):
    """expand's target, -1s worked out, checked as torch checks it (dims matched from the end)."""
    own, lead = tensor._data.shape, len(shape) - tensor.ndim
    if lead < 0:
        raise RuntimeError(
            f"expand(torch.{tensor.dtype._legacy}{{{list(own)}}}, size={list(shape)}): the number "
            f"of sizes provided ({len(shape)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({tensor.ndim})")
    target = []
    for d in reversed(range(len(shape))):  # (from the last dim, as torch checks them)
        n, size = shape[d], own[d - lead] if d >= lead else None
        if n == -1 and size is None:
            raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                               f"non-existing dimension {d}")
        if size not in (None, 1, n) and n != -1:
            raise RuntimeError(
                f"The expanded size of the tensor ({n}) must match the existing size ({size}) at "
                f"non-singleton dimension {d}.  Target sizes: {list(shape)}.  Tensor sizes: "
                f"{list(own)}")
        target.append(size if n == -1 else n)
    return tuple(reversed(target))


def unbind(op):
    """x.unbind(dim=0): a tuple of views, one per slice along dim."""

    def method(self, dim=0):
        if self._data.ndim == 0:
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        results = op.apply(self, dims(self, dim)[0])
        for result in results:
            as_view(self, result)
            if result._grad_fn is not None:
                result._view_of_many = True  # the output of an op that returns several views
        return results

    return method


# -- sequences of tensors ---------------------------------------------------------------------
def sequence(op):
    """torch.stack(tensors, dim=0)."""

    def function(tensors, dim=0, *, axis=None):
        return op.apply(*tensors, dim if axis is None else axis)

    return function


def concatenation(op):
    """torch.cat(tensors, dim=0): every size but dim's must match."""

    def function(tensors, dim=0, *, axis=None):
        dim = dim if axis is None else axis
        first = tensors[0].shape
        for k, t in enumerate(tensors[1:], start=1):
            for d, (m, n) in enumerate(zip(first, t.shape)):
                if d != dim % len(first) and m != n:
                    raise RuntimeError(
                        f"Sizes of tensors must match except in dimension {dim}. Expected size "
                        f"{m} but got size {n} for tensor number {k} in the list.")
        return op.apply(*tensors, dim)

    return function
