"""Every op the engine knows, one class each: forward and its backward side by side.

Each class is named after the grad_fn torch prints for that op, and *is* that grad_fn: the node
in the graph is an instance of the class whose `backward` undoes its `forward`. So
`help(y.grad_fn)` shows the derivative rule. `backward(ctx, g)` gets g = dL/d(output) and
returns dL/d(input) for each tensor input, in order: a vector-Jacobian product. Gradients come
back in whatever shape is natural; the engine sums broadcast axes away (graph.unbroadcast).

Forward works on numpy arrays; `apply` wraps the result in a Tensor and, when grad mode is on
and some input requires grad, links the new node into the graph. Backward is written once, in
operators and the few functions of the "vocabulary" section below: on numpy arrays (the usual
backward) they compute, on tensors (backward with create_graph=True) they record -- so a
gradient is itself differentiable, and the gradient's graph shows the nodes torch's does.
"""

import numpy as np

from . import dtypes
from ._torch_errors import INFERENCE_SAVE_ERROR
from .grad_mode import STATE
from .graph import Node
from .tensor import Number, Tensor


class Function(Node):
    """An op. Its class is the grad_fn torch prints; an instance is one node of the graph."""

    promote = False  # binary arithmetic: bring tensor inputs to one dtype first (torch.result_type)
    to_float = False  # true division: integers in, floats out

    @classmethod
    def apply(cls, *inputs):
        """Run forward on the inputs' arrays; record a node when a gradient will be needed."""
        tensors, arrays, needs_grad = [], [], False
        for x in inputs:
            if isinstance(x, Tensor):
                tensors.append(x)
                arrays.append(x._data)
                needs_grad = needs_grad or x._requires_grad
            else:
                arrays.append(x)
        if cls.promote and (len(tensors) != 2 or tensors[0]._data.dtype is not tensors[1]._data.dtype
                            or cls.to_float):
            arrays = _promoted(cls, inputs, arrays)
        ctx = cls()
        ctx._saved = ()
        out = cls.forward(ctx, *arrays)
        if not (needs_grad and STATE.grad_enabled) or STATE.inference:
            return Tensor._make(out)  # nothing to differentiate: ctx is dropped, nothing recorded
        result = Tensor._make(out, ctx)
        ctx._next = tuple([t._grad_fn or (t._grad_accumulator() if t._requires_grad else None)
                           for t in tensors])
        shape, dtype = result._data.shape, result._data.dtype
        for t in tensors:  # a gradient to fit to its input? (fewer objects when none is)
            if t._requires_grad and (t._data.shape != shape or t._data.dtype != dtype):
                ctx._meta = tuple([(t._data.shape, t._data.dtype) for t in tensors])
                break
        if ctx._saved:
            _track_saved(ctx, inputs, arrays, out, result)
        return result

    @classmethod
    def compute(cls, *arrays):
        """forward alone, on arrays: the op as a plain numpy function (its ctx is a scratch one)."""
        return cls.forward(_SCRATCH, *arrays)


class _Scratch:
    """Where compute's forward writes what it would save: read by nobody."""

    def save_for_backward(self, *arrays):
        pass


_SCRATCH = _Scratch()


def _track_saved(ctx, inputs, arrays, out, result):
    """For each saved array, the tensor it came from and that tensor's version now.

    The version catches a tensor changed in place before backward; the tensor itself is what
    backward differentiates through when it builds a graph (create_graph=True).
    """
    sources = []  # flat: tensor, version, tensor, version, ... (fewer objects for the GC)
    for saved in ctx._saved:
        source = None
        if saved is out or saved is result._data:  # (a ufunc on a 0-d array returns a scalar)
            counter = result._version_counter()  # the output, held by its version counter only
            sources += (counter, counter[0])
            continue
        else:
            for x, array in zip(inputs, arrays):
                if array is saved:
                    if type(x) is Tensor:  # not a wrapped number: it never changes
                        source = x
                    break
        if source is None:
            sources += (None, 0)
            continue
        if source._inference and not STATE.inference:
            raise RuntimeError(INFERENCE_SAVE_ERROR)
        vc = source._vc
        sources += (source, 0 if vc is None else vc[0])
    ctx._versions = tuple(sources)


def _promoted(cls, inputs, arrays):
    kinds = {x._data.dtype for x in inputs if isinstance(x, Tensor)}
    if len(kinds) == 1 and not (cls.to_float and next(iter(kinds)).kind in "biu"):
        return arrays
    target = dtypes.result_type(*[x for x in inputs if isinstance(x, Tensor)])
    if cls.to_float and not target.is_floating_point:
        target = dtypes.default_float
    return [a.astype(target.numpy) if isinstance(x, Tensor) and a.dtype != target.numpy else a
            for x, a in zip(inputs, arrays)]


# ---------------------------------------------------------------------------------------
# the vocabulary backward formulas are written in: numpy on arrays, recorded ops on tensors
# ---------------------------------------------------------------------------------------
def _either(op):
    """op.apply on tensors (recorded), op's forward on arrays (computed)."""

    def function(*args):
        for x in args:
            if isinstance(x, Tensor):
                return op.apply(*args)
        return op.compute(*args)

    function.__name__ = op.__name__
    return function


def _data(x):
    return x._data if isinstance(x, Tensor) else x


def where(cond, x, y):
    """x where cond else y (x or y may be a number)."""
    if isinstance(x, Tensor) or isinstance(y, Tensor):
        like = x if isinstance(x, Tensor) else y
        x = x if isinstance(x, Tensor) else Number(x, like)
        y = y if isinstance(y, Tensor) else Number(y, like)
        return WhereBackward0.apply(x, y, _data(cond))
    return np.where(cond, x, y)


def expand(x, shape):
    if isinstance(x, Tensor):
        return x.expand(shape)
    out = np.empty(shape, x.dtype)  # a copy: cheaper than np.broadcast_to's Python wrapper
    out[...] = x
    return out


def unsqueeze(x, dims):
    """x with a new axis of size 1 at each of dims (sorted), one step per dim as torch records."""
    for d in sorted(dims):
        x = x.unsqueeze(d) if isinstance(x, Tensor) else np.expand_dims(x, d)
    return x


def sum_dims(x, dims, keepdim):
    if isinstance(x, Tensor):
        return x.sum(dims, keepdim=keepdim)
    return x.sum(axis=tuple(dims), keepdims=keepdim)


def zeros_like(x):
    """Zeros with no history: a gradient that is zero whatever the inputs are."""
    if isinstance(x, Tensor):
        return Tensor._make(np.zeros_like(x._data))
    return np.zeros_like(x)


def mm(x, y):
    return x.mm(y) if isinstance(x, Tensor) else x @ y


def mv(x, y):
    return x.mv(y) if isinstance(x, Tensor) else x @ y


def t(x):
    return x.t() if isinstance(x, Tensor) else x.T


def transpose(x, d0, d1):
    return x.transpose(d0, d1) if isinstance(x, Tensor) else np.swapaxes(x, d0, d1)


def permute(x, dims):
    return x.permute(*dims) if isinstance(x, Tensor) else np.transpose(x, dims)


def to(x, dtype):
    return x.to(dtypes.from_numpy(dtype)) if isinstance(x, Tensor) else x.astype(dtype)


def mean(x):
    return x.mean() if isinstance(x, Tensor) else x.mean(dtype=x.dtype)


class GradientOp(Function):
    """An op that backward formulas use, and only they: it appears in a gradient's graph."""


# ---------------------------------------------------------------------------------------
# arithmetic
# ---------------------------------------------------------------------------------------
class AddBackward0(Function):
    """z = a + b;  dz/da = 1, dz/db = 1"""
    promote = True

    def forward(ctx, a, b):
        return a + b

    def backward(ctx, g):
        return g, g


class SubBackward0(Function):
    """z = a - b;  dz/da = 1, dz/db = -1"""
    promote = True

    def forward(ctx, a, b):
        return a - b

    def backward(ctx, g):
        return g, -g


class RsubBackward1(Function):
    """z = c - a  (c a number);  dz/da = -1"""

    def forward(ctx, a, c):
        return np.asarray(c, a.dtype) - a

    def backward(ctx, g):
        return -g


class MulBackward0(Function):
    """z = a * b;  dz/da = b, dz/db = a"""
    promote = True

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * b, g * a


class MulBackward1(GradientOp):
    """z = a * c  (c a number, inside a gradient);  dz/da = c"""

    def forward(ctx, a, c):
        ctx.factor = c
        return a * np.asarray(c, a.dtype)

    def backward(ctx, g):
        return scale(g, ctx.factor)


class DivBackward0(Function):
    """z = a / b;  dz/da = 1 / b, dz/db = -a / b**2"""
    promote = to_float = True

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g / b, -g * (a / b / b)


class DivBackward1(GradientOp):
    """z = a / c  (c a number, inside a gradient);  dz/da = 1 / c"""

    def forward(ctx, a, c):
        ctx.divisor = c
        return a / np.asarray(c, a.dtype)

    def backward(ctx, g):
        return divide(g, ctx.divisor)


class NegBackward0(Function):
    """z = -a;  dz/da = -1"""

    def forward(ctx, a):
        return -a

    def backward(ctx, g):
        return -g


class ReciprocalBackward0(Function):
    """z = 1 / a;  dz/da = -z**2"""

    def forward(ctx, a):
        z = np.reciprocal(a if a.dtype.kind == "f" else a.astype(np.float32))
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return -g * (z * z)


class PowBackward0(Function):
    """z = a ** p  (p a number);  dz/da = p * a ** (p - 1)"""

    def forward(ctx, a, p):
        ctx.save_for_backward(a)
        ctx.exponent = p
        if a.dtype == np.bool_:  # numpy has no bool power: 1 ** p and 0 ** p, as bools
            return (a.astype(np.int8) ** int(p)).astype(np.bool_)
        return a ** np.asarray(p, a.dtype)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        p = ctx.exponent
        if p == 0:
            return zeros_like(g)
        return g * scale(a ** (p - 1), p)


class PowBackward1(Function):
    """z = a ** b;  dz/da = b * a ** (b - 1), dz/db = z * log(a)"""
    promote = True

    def forward(ctx, a, b):
        z = a**b
        ctx.save_for_backward(a, b, z)
        return z

    def backward(ctx, g):
        a, b, z = ctx.saved_tensors
        da = where(b == 0, 0.0, g * (b * a ** (b - 1)))
        # torch's rule: 0 ** b has derivative 0 in b for b >= 0 (not 0 * log(0) = nan)
        db = g * where((a == 0) & (b >= 0), 0.0, z * log(a))
        return da, db


class PowBackward2(Function):
    """z = c ** a  (c a number);  dz/da = z * log(c)"""

    def forward(ctx, c, a):
        z = np.asarray(c, a.dtype) ** a
        ctx.save_for_backward(z)
        ctx.base = c
        return z

    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g * scale(z, float(np.log(ctx.base)))


# ---------------------------------------------------------------------------------------
# elementwise functions
# ---------------------------------------------------------------------------------------
class ExpBackward0(Function):
    """z = exp(a);  dz/da = z"""

    def forward(ctx, a):
        z = np.exp(a)
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g * z


class LogBackward0(Function):
    """z = log(a);  dz/da = 1 / a"""

    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / a


class SinBackward0(Function):
    """z = sin(a);  dz/da = cos(a)"""

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sin(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * cos(a)


class CosBackward0(Function):
    """z = cos(a);  dz/da = -sin(a)"""

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cos(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * -sin(a)


class TanhBackward0(Function):
    """z = tanh(a);  dz/da = 1 - z**2"""

    def forward(ctx, a):
        z = np.tanh(a)
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return tanh_backward(g, z)


class SigmoidBackward0(Function):
    """z = 1 / (1 + exp(-a));  dz/da = z * (1 - z)"""

    def forward(ctx, a):
        with np.errstate(over="ignore"):
            z = 1 / (1 + np.exp(-a))
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return sigmoid_backward(g, z)


class ReluBackward0(Function):
    """z = maximum(a, 0);  dz/da = (a > 0)"""

    def forward(ctx, a):
        z = np.maximum(a, 0)
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return threshold_backward(g, z)


class AbsBackward0(Function):
    """z = abs(a);  dz/da = sign(a)  (0 at a = 0)"""

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * sgn(a)


class SqrtBackward0(Function):
    """z = sqrt(a);  dz/da = 1 / (2 * z)"""

    def forward(ctx, a):
        with np.errstate(invalid="ignore"):
            z = np.sqrt(a)
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g / scale(z, 2)


class ClampBackward1(Function):
    """z = minimum(maximum(a, lo), hi);  dz/da = (lo <= a) & (a <= hi)"""

    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a)
        ctx.bounds = lo, hi
        return np.clip(a, lo, hi)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        inside = (a >= lo) if lo is not None else None
        if hi is not None:
            inside = (a <= hi) if inside is None else inside & (a <= hi)
        return g if inside is None else where(inside, g, 0.0)


class ToCopyBackward0(Function):
    """z = a  (converted to dtype);  dz/da = 1  (converted back)"""

    def forward(ctx, a, dtype):
        return a.astype(dtype.numpy)

    def backward(ctx, g):
        return g  # the engine converts it back to a's dtype


class CloneBackward0(Function):
    """z = a  (a copy);  dz/da = 1"""

    def forward(ctx, a):
        return a.copy()

    def backward(ctx, g):
        return g


class WhereBackward0(Function):
    """z = where(cond, a, b);  dz/da = cond, dz/db = ~cond"""
    promote = True

    def forward(ctx, a, b, cond):
        ctx.save_for_backward(cond)
        return np.where(cond, a, b)

    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        return where(cond, g, 0.0), where(cond, 0.0, g)


# ---------------------------------------------------------------------------------------
# reductions
# ---------------------------------------------------------------------------------------
class SumBackward0(Function):
    """z = sum(a);  dz/da = 1"""

    def forward(ctx, a):
        ctx.shape = a.shape
        return a.sum(dtype=np.int64 if a.dtype.kind in "biu" else None)

    def backward(ctx, g):
        return expand(g, ctx.shape)


class SumBackward1(Function):
    """z = sum of a along dims;  dL/da = dL/dz, copied back along the summed dims"""

    def forward(ctx, a, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        return a.sum(axis=dims, keepdims=keepdim,
                     dtype=np.int64 if a.dtype.kind in "biu" else None)

    def backward(ctx, g):
        return expand(g if ctx.keepdim else unsqueeze(g, ctx.dims), ctx.shape)


class MeanBackward0(Function):
    """z = sum(a) / n;  dz/da = 1 / n"""

    def forward(ctx, a):
        ctx.shape, ctx.n = a.shape, a.size
        if not a.size:
            return np.asarray(np.nan, a.dtype)  # torch's mean of nothing, without numpy's warning
        return a.sum() / a.size  # what a.mean() computes, without its Python wrapper

    def backward(ctx, g):
        return divide(expand(g, ctx.shape), max(ctx.n, 1))


class MeanBackward1(Function):
    """z = mean of a along dims;  dL/da = dL/dz / n, copied back (n the elements averaged)"""

    def forward(ctx, a, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        return a.mean(axis=dims, keepdims=keepdim)

    def backward(ctx, g):
        n = int(np.prod([ctx.shape[d] for d in ctx.dims], dtype=np.int64))
        return divide(expand(g if ctx.keepdim else unsqueeze(g, ctx.dims), ctx.shape), n)


class _Extreme(Function):
    """max or min of all elements: the gradient is shared evenly between ties."""

    def forward(ctx, a):
        z = ctx.reduce(a)
        ctx.save_for_backward(a, z)
        return z

    def backward(ctx, g):
        a, z = ctx.saved_tensors
        ties = _data(a == z)
        return share(g / int(ties.sum()), ties)


class MaxBackward1(_Extreme):
    """z = max(a);  dz/da = (a == z) / sum(a == z)  (ties share)"""
    reduce = staticmethod(np.max)


class MinBackward1(_Extreme):
    """z = min(a);  dz/da = (a == z) / sum(a == z)  (ties share)"""
    reduce = staticmethod(np.min)


class _ExtremeAlong(Function):
    """max or min along a dim: the gradient goes to the element whose index is returned."""

    def forward(ctx, a, dim, keepdim):
        indices = ctx.arg(a, axis=dim, keepdims=True)
        ctx.save_for_backward(indices)
        ctx.shape, ctx.dim, ctx.keepdim = a.shape, dim, keepdim
        ctx.indices = indices if keepdim else indices.squeeze(dim)
        values = np.take_along_axis(a, indices, axis=dim)
        return values if keepdim else values.squeeze(dim)

    def backward(ctx, g):
        (indices,) = ctx.saved_tensors
        chosen = np.zeros(ctx.shape, bool)
        np.put_along_axis(chosen, _data(indices), True, axis=ctx.dim)
        return scatter(g if ctx.keepdim else unsqueeze(g, (ctx.dim,)), chosen, ctx.dim)


class MaxBackward0(_ExtremeAlong):
    """z = max of a along dim;  dL/da = dL/dz at the argmax, else 0"""
    arg = staticmethod(np.argmax)


class MinBackward0(_ExtremeAlong):
    """z = min of a along dim;  dL/da = dL/dz at the argmin, else 0"""
    arg = staticmethod(np.argmin)


class LinalgVectorNormBackward0(Function):
    """z = sqrt(sum(a * a));  dz/da = a / z  (0 where z = 0)"""

    def forward(ctx, a, dims, keepdim):
        ctx.dims, ctx.keepdim = dims, keepdim
        if dims is None and not keepdim:  # the common case, kept cheap: loops call it each turn
            flat = a.reshape(-1)
            z = np.sqrt(np.dot(flat, flat))
            ctx.save_for_backward(a, z)
            return z
        z = np.sqrt((a * a).sum(axis=dims, keepdims=keepdim))
        ctx.save_for_backward(a, z)
        return z

    def backward(ctx, g):
        a, z = ctx.saved_tensors
        if ctx.dims is not None and not ctx.keepdim:
            g, z = unsqueeze(g, ctx.dims), unsqueeze(z, ctx.dims)
        return g * masked_fill(a / z, _data(z == 0), 0.0)


class StdBackward0(Function):
    """z = sqrt(sum((a - mean(a))**2) / (n - 1));  dz/da = (a - mean(a)) / ((n - 1) * z)"""

    def forward(ctx, a):
        # in float64, as torch accumulates: float32 squares of a spread below 1e-19 underflow to 0
        wide = a.astype(np.float64)
        centred = wide - wide.mean()
        z = np.asarray(np.sqrt((centred * centred).sum() / (a.size - 1)), a.dtype)
        ctx.save_for_backward(a, z)
        return z

    def backward(ctx, g):
        a, z = ctx.saved_tensors
        n = _data(a).size
        # torch's formula, step by step (0 where z = 0: all values equal)
        return scale(masked_fill(g / scale(z, 2), _data(z == 0), 0.0), 2 / (n - 1)) * (a - mean(a))


# ---------------------------------------------------------------------------------------
# linear algebra
# ---------------------------------------------------------------------------------------
class DotBackward0(Function):
    """z = sum(a * b);  dz/da = b, dz/db = a"""
    promote = True

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.dot(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * b, g * a


class MmBackward0(Function):
    """z = a @ b;  dL/da = dL/dz @ b.T, dL/db = a.T @ dL/dz"""
    promote = True

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        # torch picks the product's order from the input's memory layout (a column-major input
        # gets the transpose of a product); the values agree, the gradient's grad_fn shows it
        da = t(mm(b, t(g))) if _column_major(a) else mm(g, t(b))
        db = t(mm(t(g), a)) if _column_major(b) else mm(t(a), g)
        return da, db


def _column_major(x):
    x = _data(x)
    strides = [s // x.itemsize for s in x.strides]
    return strides[0] == 1 and strides[1] == x.shape[0]


class MvBackward0(Function):
    """z = a @ v;  dL/da = outer(dL/dz, v), dL/dv = a.T @ dL/dz"""
    promote = True

    def forward(ctx, a, v):
        ctx.save_for_backward(a, v)
        return a @ v

    def backward(ctx, g):
        a, v = ctx.saved_tensors
        return g.reshape(-1, 1) * v, mv(t(a), g)


# ---------------------------------------------------------------------------------------
# shapes and indexing: values move, none change, so backward moves the gradient back
# ---------------------------------------------------------------------------------------
class ViewBackward0(Function):
    """z = a with a new shape;  dL/da = dL/dz with a's shape"""

    def forward(ctx, a, shape):
        ctx.shape = a.shape
        return a.reshape(shape)

    def backward(ctx, g):
        return g.reshape(ctx.shape)


class UnsafeViewBackward0(ViewBackward0):
    """z = a copied into a new shape (reshape of a non-contiguous tensor);  dL/da = reshaped back"""


class UnsqueezeBackward0(Function):
    """z = a with a new axis of size 1 at dim;  dL/da = dL/dz without it"""

    def forward(ctx, a, dim):
        ctx.dim = dim
        return np.expand_dims(a, dim)

    def backward(ctx, g):
        return g.squeeze(ctx.dim)


class SqueezeBackward0(Function):
    """z = a without its axes of size 1;  dL/da = dL/dz with them put back"""

    def forward(ctx, a):
        ctx.dims = tuple(d for d, n in enumerate(a.shape) if n == 1)
        return a.squeeze()

    def backward(ctx, g):
        return unsqueeze(g, ctx.dims)


class SqueezeBackward1(SqueezeBackward0):
    """z = a without axis dim (if its size is 1);  dL/da = dL/dz with it put back"""

    def forward(ctx, a, dim):
        ctx.dims = (dim,) if a.ndim and a.shape[dim] == 1 else ()
        return a.squeeze(dim) if ctx.dims else a


class SqueezeBackward4(SqueezeBackward1):
    """z = a without the axes dims of size 1 (inside matmul);  dL/da = dL/dz reshaped back"""


class TBackward0(Function):
    """z = a.T;  dL/da = (dL/dz).T"""

    def forward(ctx, a):
        return a.T

    def backward(ctx, g):
        return t(g)


class TransposeBackward0(Function):
    """z = a with dims d0 and d1 swapped;  dL/da = dL/dz swapped back"""

    def forward(ctx, a, d0, d1):
        ctx.dims = d0, d1
        return np.swapaxes(a, d0, d1)

    def backward(ctx, g):
        return transpose(g, *ctx.dims)


class PermuteBackward0(Function):
    """z = a with its dims reordered;  dL/da = dL/dz in the inverse order"""

    def forward(ctx, a, dims):
        ctx.dims = dims
        return np.transpose(a, dims)

    def backward(ctx, g):
        return permute(g, tuple(np.argsort(ctx.dims).tolist()))


class ExpandBackward0(Function):
    """z = a repeated along size-1 dims (no copy);  dL/da = dL/dz summed over the repeats"""

    def forward(ctx, a, shape):
        ctx.shape = a.shape
        return np.broadcast_to(a, shape)

    def backward(ctx, g):
        extra = np.ndim(_data(g)) - len(ctx.shape)
        stretched = [extra + i for i, n in enumerate(ctx.shape) if n == 1 and g.shape[extra + i] != 1]
        if extra or stretched:
            g = sum_dims(g, list(range(extra)) + stretched, keepdim=True)
        for _ in range(extra):
            g = g.squeeze(0)
        return g


class SelectBackward0(Function):
    """z = a[index] along dim;  dL/da = dL/dz at index, zero elsewhere"""

    def forward(ctx, a, dim, index):
        ctx.shape, ctx.where = a.shape, (slice(None),) * dim + (index,)
        return a[ctx.where + (...,)]  # the trailing ... keeps a 0-d result a view, not a copy

    def backward(ctx, g):
        return select_backward(g, ctx.shape, ctx.where)


class UnbindBackward0(SelectBackward0):
    """z = a[index]  (iterating a tensor);  dL/da = dL/dz at index, zero elsewhere

    (torch makes one node with an output per element; here each element gets its own node)
    """

    def forward(ctx, a, index):
        return SelectBackward0.forward(ctx, a, 0, index)


class SliceBackward0(SelectBackward0):
    """z = a[start:stop:step] along dim;  dL/da = dL/dz in those places, zero elsewhere"""

    def backward(ctx, g):
        return slice_backward(g, ctx.shape, ctx.where)


class IndexBackward0(Function):
    """z = a[indices] (integer or boolean);  dL/da = dL/dz added into those places"""

    def forward(ctx, a, index):
        ctx.shape = a.shape
        ctx.save_for_backward(index)
        return a[index]

    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        return index_put(g, ctx.shape, _data(index))


class StackBackward0(Function):
    """z = the arrays stacked along a new dim;  dL/d(arrays[k]) = dL/dz[k]"""
    promote = True

    def forward(ctx, *arrays):  # the arrays, then the dim
        *arrays, ctx.dim = arrays
        ctx.count = len(arrays)
        return np.stack(arrays, axis=ctx.dim)

    def backward(ctx, g):
        return tuple(g[(slice(None),) * ctx.dim + (k,)] for k in range(ctx.count))


class CatBackward0(Function):
    """z = the arrays joined along dim;  dL/d(arrays[k]) = the slice of dL/dz from arrays[k]"""
    promote = True

    def forward(ctx, *arrays):  # the arrays, then the dim
        *arrays, ctx.dim = arrays
        ctx.ends = np.cumsum([0] + [a.shape[ctx.dim] for a in arrays]).tolist()
        return np.concatenate(arrays, axis=ctx.dim)

    def backward(ctx, g):
        before = (slice(None),) * ctx.dim
        return tuple(g[before + (slice(start, end),)]
                     for start, end in zip(ctx.ends, ctx.ends[1:]))


# ---------------------------------------------------------------------------------------
# in-place writes (Tensor._inplace runs them on a copy, then writes the result back)
# ---------------------------------------------------------------------------------------
class CopySlices(Function):
    """z = a with z[index] = b;  dL/da = dL/dz with zeros at index, dL/db = dL/dz[index]"""
    promote = True

    def forward(ctx, a, b, index):
        ctx.index = index
        out = a.copy()
        out[index] = b
        return out

    def backward(ctx, g):
        kept = np.ones(np.shape(_data(g)), _data(g).dtype)
        kept[ctx.index] = 0
        return g * (Tensor._make(kept) if isinstance(g, Tensor) else kept), g[ctx.index]

    def name(self):
        return "torch::autograd::CopySlices"


class ZeroBackward0(Function):
    """z = 0 * a;  dz/da = 0"""

    def forward(ctx, a):
        return np.zeros_like(a)

    def backward(ctx, g):
        return zeros_like(g)


class FillBackward2(ZeroBackward0):
    """z = value + 0 * a;  dz/da = 0"""

    def forward(ctx, a, value):
        return np.full_like(a, value)


# ---------------------------------------------------------------------------------------
# nodes that only appear in a gradient's own graph (create_graph=True), named as torch names
# them; the test of every op differentiates through them as second and third derivatives
# ---------------------------------------------------------------------------------------
class TanhBackwardBackward0(GradientOp):
    """z = g * (1 - y * y);  dz/dg = 1 - y * y, dz/dy = -2 * g * y"""

    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return g * (1 - y * y)

    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        return tanh_backward(gg, y), scale(gg * g * y, -2)


class SigmoidBackwardBackward0(GradientOp):
    """z = g * y * (1 - y);  dz/dg = y * (1 - y), dz/dy = g * (1 - 2 * y)"""

    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return g * y * (1 - y)

    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        return sigmoid_backward(gg, y), gg * g * (1 - scale(y, 2))


class ThresholdBackwardBackward0(GradientOp):
    """z = g * (y > 0);  dz/dg = (y > 0), dz/dy = 0"""

    def forward(ctx, g, y):
        ctx.save_for_backward(y)
        return g * (y > 0)

    def backward(ctx, gg):
        (y,) = ctx.saved_tensors
        return threshold_backward(gg, y), zeros_like(y)


class SgnBackward0(GradientOp):
    """z = sign(a);  dz/da = 0"""

    def forward(ctx, a):
        return np.sign(a)

    def backward(ctx, g):
        return zeros_like(g)


class MaskedFillBackward0(GradientOp):
    """z = where(mask, value, a);  dz/da = ~mask"""

    def forward(ctx, a, mask, value):
        ctx.save_for_backward(mask)
        return np.where(mask, np.asarray(value, a.dtype), a)

    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return where(mask, 0.0, g)


class MaskedFillBackward1(GradientOp):
    """z = where(mask, a, 0)  (a one value);  dz/da = sum(mask)"""

    def forward(ctx, a, mask):
        ctx.save_for_backward(mask)
        return np.where(mask, a, np.zeros((), a.dtype))

    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return where(mask, g, 0.0).sum()


class ScatterBackward0(GradientOp):
    """z = a * mask  (a spread along dim, kept where mask);  dL/da = sum of dL/dz * mask along dim"""

    def forward(ctx, a, mask, dim):
        ctx.save_for_backward(mask)
        ctx.dim = dim
        return np.where(mask, a, np.zeros((), a.dtype))

    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return sum_dims(where(mask, g, 0.0), (ctx.dim,), keepdim=True)


class SelectBackwardBackward0(GradientOp):
    """z = zeros of shape with z[where] = a;  dL/da = dL/dz[where]"""

    def forward(ctx, a, shape, where):
        ctx.where = where
        out = np.zeros(shape, a.dtype)
        out[where] = a
        return out

    def backward(ctx, g):
        return g[ctx.where]


class SliceBackwardBackward0(SelectBackwardBackward0):
    """z = zeros of shape with z[where] = a  (where a slice);  dL/da = dL/dz[where]"""


class IndexPutImplBackward0(GradientOp):
    """z = zeros of shape with a added at index;  dL/da = dL/dz[index]"""

    def forward(ctx, a, shape, index):
        ctx.index = index
        out = np.zeros(shape, a.dtype)
        np.add.at(out, index, a)  # repeated indices add up
        return out

    def backward(ctx, g):
        return g[ctx.index]


class CopyBackwards(GradientOp):
    """z = a  (the copy accumulated into .grad under create_graph);  dz/da = 1"""

    def forward(ctx, a):
        return a.copy()

    def backward(ctx, g):
        return g


cos, sin, sgn = _either(CosBackward0), _either(SinBackward0), _either(SgnBackward0)
log = _either(LogBackward0)
tanh_backward = _either(TanhBackwardBackward0)
sigmoid_backward = _either(SigmoidBackwardBackward0)
threshold_backward = _either(ThresholdBackwardBackward0)
scale, divide = _either(MulBackward1), _either(DivBackward1)
masked_fill = _either(MaskedFillBackward0)
share, scatter = _either(MaskedFillBackward1), _either(ScatterBackward0)
select_backward, slice_backward = _either(SelectBackwardBackward0), _either(SliceBackwardBackward0)
index_put = _either(IndexPutImplBackward0)

# grad_fn name -> op class: the one table of ops, for tests and graders to loop over
OPS = {name: op for name, op in sorted(globals().items())
       if isinstance(op, type) and issubclass(op, Function) and name[0] != "_"
       and op not in (Function, GradientOp) and not issubclass(op, GradientOp)}
# the nodes only a gradient's graph has
GRADIENT_OPS = {name: op for name, op in sorted(globals().items())
                if isinstance(op, type) and issubclass(op, GradientOp) and op is not GradientOp}
