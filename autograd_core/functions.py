"""Every op the engine knows, one class each: forward and its backward side by side.

Each class is named after the grad_fn torch prints for that op, and *is* that grad_fn: the node
in the graph is an instance of the class whose `backward` undoes its `forward`. So
`help(y.grad_fn)` shows the derivative rule. `backward(ctx, g)` gets g = dL/d(output) and
returns dL/d(input) for each tensor input, in order: a vector-Jacobian product. Gradients come
back in whatever shape is natural; the engine sums broadcast axes away (graph.unbroadcast).

Forward and backward work on numpy arrays; `apply` wraps the result in a Tensor and, when
grad mode is on and some input requires grad, links the new node into the graph.
"""

import numpy as np

from . import dtypes
from .grad_mode import STATE
from .graph import Node
from .tensor import Tensor


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
        if not (needs_grad and STATE.grad_enabled):
            return Tensor._make(out)  # nothing to differentiate: ctx is dropped, nothing recorded
        result = Tensor._make(out, ctx)
        ctx._next = tuple([t._grad_fn or (t._grad_accumulator() if t._requires_grad else None)
                           for t in tensors])
        ctx._meta = tuple([(t._data.shape, t._data.dtype) for t in tensors])
        if ctx._saved:
            _track_versions(ctx, tensors, result)
        return result


def _track_versions(ctx, tensors, result):
    """Note the version of each saved tensor, to catch one changed in place before backward."""
    versions = []  # flat: tensor, version, tensor, version, ... (fewer objects for the GC)
    for t in (*tensors, result):
        for saved in ctx._saved:
            if t._data is saved:
                versions += (t, t._version)
                if t is result:
                    ctx._output = result
                break
    ctx._versions = tuple(versions)


def _promoted(cls, inputs, arrays):
    kinds = {x._data.dtype for x in inputs if isinstance(x, Tensor)}
    if len(kinds) == 1 and not (cls.to_float and next(iter(kinds)).kind in "biu"):
        return arrays
    target = dtypes.result_type(*[x for x in inputs if isinstance(x, Tensor)])
    if cls.to_float and not target.is_floating_point:
        target = dtypes.default_float
    return [a.astype(target.numpy) if isinstance(x, Tensor) and a.dtype != target.numpy else a
            for x, a in zip(inputs, arrays)]


def _broadcast_back(grad, shape):
    """A reduction's gradient, copied back along the reduced dims: the adjoint of sum is broadcast."""
    return np.broadcast_to(grad, shape)


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


class DivBackward0(Function):
    """z = a / b;  dz/da = 1 / b, dz/db = -a / b**2"""
    promote = to_float = True

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g / b, -g * a / (b * b)


class NegBackward0(Function):
    """z = -a;  dz/da = -1"""

    def forward(ctx, a):
        return -a

    def backward(ctx, g):
        return -g


class ReciprocalBackward0(Function):
    """z = 1 / a;  dz/da = -z**2"""

    def forward(ctx, a):
        z = np.reciprocal(a.astype(np.result_type(a.dtype, np.float32)))
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return -g * z * z


class PowBackward0(Function):
    """z = a ** p  (p a number);  dz/da = p * a ** (p - 1)"""

    def forward(ctx, a, p):
        ctx.save_for_backward(a)
        ctx.exponent = p
        return a ** np.asarray(p, a.dtype) if a.dtype.kind == "f" else a ** p

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        p = ctx.exponent
        return g * 0 if p == 0 else g * p * a ** np.asarray(p - 1, a.dtype)


class PowBackward1(Function):
    """z = a ** b;  dz/da = b * a ** (b - 1), dz/db = z * log(a)"""
    promote = True

    def forward(ctx, a, b):
        z = a**b
        ctx.save_for_backward(a, b, z)
        return z

    def backward(ctx, g):
        a, b, z = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            db = np.where((a == 0) & (b >= 0), 0, g * z * np.log(a))
        return g * b * a ** (b - 1), db


class PowBackward2(Function):
    """z = c ** a  (c a number);  dz/da = z * log(c)"""

    def forward(ctx, c, a):
        z = np.asarray(c, a.dtype) ** a
        ctx.save_for_backward(z)
        ctx.base = c
        return z

    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g * z * np.log(np.asarray(ctx.base, z.dtype))


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
        return g * np.cos(a)


class CosBackward0(Function):
    """z = cos(a);  dz/da = -sin(a)"""

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cos(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return -g * np.sin(a)


class TanhBackward0(Function):
    """z = tanh(a);  dz/da = 1 - z**2"""

    def forward(ctx, a):
        z = np.tanh(a)
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g * (1 - z * z)


class SigmoidBackward0(Function):
    """z = 1 / (1 + exp(-a));  dz/da = z * (1 - z)"""

    def forward(ctx, a):
        with np.errstate(over="ignore"):
            z = 1 / (1 + np.exp(-a))
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g * z * (1 - z)


class ReluBackward0(Function):
    """z = maximum(a, 0);  dz/da = (a > 0)"""

    def forward(ctx, a):
        z = np.maximum(a, 0)
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g * (z > 0)


class AbsBackward0(Function):
    """z = abs(a);  dz/da = sign(a)  (0 at a = 0)"""

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * np.sign(a)


class SqrtBackward0(Function):
    """z = sqrt(a);  dz/da = 1 / (2 * z)"""

    def forward(ctx, a):
        with np.errstate(invalid="ignore"):
            z = np.sqrt(a)
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        with np.errstate(divide="ignore"):
            return g / (2 * z)


class ClampBackward1(Function):
    """z = minimum(maximum(a, lo), hi);  dz/da = (lo <= a) & (a <= hi)"""

    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a)
        ctx.bounds = lo, hi
        return np.clip(a, lo, hi)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        inside = np.ones(a.shape, bool)
        if lo is not None:
            inside &= a >= lo
        if hi is not None:
            inside &= a <= hi
        return g * inside


class ToCopyBackward0(Function):
    """z = a  (converted to dtype);  dz/da = 1  (converted back)"""

    def forward(ctx, a, dtype):
        return a.astype(dtype.numpy)

    def backward(ctx, g):
        return g


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
        return g * cond, g * ~cond


# ---------------------------------------------------------------------------------------
# reductions
# ---------------------------------------------------------------------------------------
class SumBackward0(Function):
    """z = sum(a);  dz/da = 1"""

    def forward(ctx, a):
        ctx.shape = a.shape
        return a.sum(dtype=np.int64 if a.dtype.kind in "biu" else None)

    def backward(ctx, g):
        return np.full(ctx.shape, g, g.dtype)


class SumBackward1(Function):
    """z = sum of a along dims;  dL/da = dL/dz, copied back along the summed dims"""

    def forward(ctx, a, dims, keepdim):
        ctx.shape, ctx.dims = a.shape, dims
        return a.sum(axis=dims, keepdims=keepdim,
                     dtype=np.int64 if a.dtype.kind in "biu" else None)

    def backward(ctx, g):
        return _broadcast_back(np.expand_dims(g, ctx.dims) if g.ndim < len(ctx.shape) else g, ctx.shape)


class MeanBackward0(Function):
    """z = sum(a) / n;  dz/da = 1 / n"""

    def forward(ctx, a):
        ctx.shape, ctx.n = a.shape, a.size
        if not a.size:
            return np.asarray(np.nan, a.dtype)  # torch's mean of nothing, without numpy's warning
        return a.sum() / a.size  # what a.mean() computes, without its Python wrapper

    def backward(ctx, g):
        return np.full(ctx.shape, g / max(ctx.n, 1), g.dtype)


class MeanBackward1(Function):
    """z = mean of a along dims;  dL/da = dL/dz / n, copied back (n the elements averaged)"""

    def forward(ctx, a, dims, keepdim):
        ctx.shape, ctx.dims = a.shape, dims
        return a.mean(axis=dims, keepdims=keepdim)

    def backward(ctx, g):
        n = np.prod([ctx.shape[d] for d in ctx.dims], dtype=int)
        g = np.expand_dims(g, ctx.dims) if g.ndim < len(ctx.shape) else g
        return _broadcast_back(g / n, ctx.shape)


class _Extreme(Function):
    """max or min of all elements: the gradient is shared evenly between ties."""

    def forward(ctx, a):
        z = ctx.reduce(a)
        ctx.save_for_backward(a, z)
        return z

    def backward(ctx, g):
        a, z = ctx.saved_tensors
        ties = a == z
        return g * ties / ties.sum()


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
        ctx.shape, ctx.dim = a.shape, dim
        ctx.indices = indices if keepdim else indices.squeeze(dim)
        values = np.take_along_axis(a, indices, axis=dim)
        return values if keepdim else values.squeeze(dim)

    def backward(ctx, g):
        (indices,) = ctx.saved_tensors
        out = np.zeros(ctx.shape, g.dtype)
        g = g if g.ndim == len(ctx.shape) else np.expand_dims(g, ctx.dim)
        np.put_along_axis(out, indices, g, axis=ctx.dim)
        return out


class MaxBackward0(_ExtremeAlong):
    """z = max of a along dim;  dL/da = dL/dz at the argmax, else 0"""
    arg = staticmethod(np.argmax)


class MinBackward0(_ExtremeAlong):
    """z = min of a along dim;  dL/da = dL/dz at the argmin, else 0"""
    arg = staticmethod(np.argmin)


class LinalgVectorNormBackward0(Function):
    """z = sqrt(sum(a * a));  dz/da = a / z  (0 where z = 0)"""

    def forward(ctx, a, dims, keepdim):
        if dims is None and not keepdim:  # the common case, kept cheap: loops call it each turn
            flat = a.reshape(-1)
            z = np.sqrt(np.dot(flat, flat))
            ctx.save_for_backward(a, z)
            return z
        z = np.sqrt((a * a).sum(axis=dims, keepdims=True))
        ctx.save_for_backward(a, z)
        return z if keepdim else z.squeeze(axis=dims) if dims is not None else z.reshape(())

    def backward(ctx, g):
        a, z = ctx.saved_tensors
        g = np.reshape(g, z.shape) if np.ndim(g) != z.ndim else g
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(z == 0, 0, g * a / z)


class StdBackward0(Function):
    """z = sqrt(sum((a - mean(a))**2) / (n - 1));  dz/da = (a - mean(a)) / ((n - 1) * z)"""

    def forward(ctx, a):
        # in float64, as torch accumulates: float32 squares of a spread below 1e-19 underflow to 0
        wide = a.astype(np.float64)
        centred = wide - wide.mean()
        z = np.sqrt((centred * centred).sum() / (a.size - 1))
        ctx.save_for_backward(a)
        ctx.centred, ctx.std = centred, z
        return np.asarray(z, a.dtype)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors  # checks that a was not changed in place
        if not ctx.std:
            return np.zeros_like(a)  # torch's gradient where every value is the same
        return (g * (ctx.centred / ((a.size - 1) * ctx.std))).astype(a.dtype)


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
        return g @ b.T, a.T @ g


class MvBackward0(Function):
    """z = a @ v;  dL/da = outer(dL/dz, v), dL/dv = a.T @ dL/dz"""
    promote = True

    def forward(ctx, a, v):
        ctx.save_for_backward(a, v)
        return a @ v

    def backward(ctx, g):
        a, v = ctx.saved_tensors
        return np.outer(g, v), a.T @ g


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
        ctx.shape = a.shape
        return a.squeeze()

    def backward(ctx, g):
        return g.reshape(ctx.shape)


class SqueezeBackward1(SqueezeBackward0):
    """z = a without axis dim (if its size is 1);  dL/da = dL/dz with it put back"""

    def forward(ctx, a, dim):
        ctx.shape = a.shape
        return a.squeeze(dim) if a.ndim and a.shape[dim] == 1 else a


class SqueezeBackward4(SqueezeBackward1):
    """z = a without the axes dims of size 1 (inside matmul);  dL/da = dL/dz reshaped back"""


class TBackward0(Function):
    """z = a.T;  dL/da = (dL/dz).T"""

    def forward(ctx, a):
        return a.T

    def backward(ctx, g):
        return g.T


class TransposeBackward0(Function):
    """z = a with dims d0 and d1 swapped;  dL/da = dL/dz swapped back"""

    def forward(ctx, a, d0, d1):
        ctx.dims = d0, d1
        return np.swapaxes(a, d0, d1)

    def backward(ctx, g):
        return np.swapaxes(g, *ctx.dims)


class PermuteBackward0(Function):
    """z = a with its dims reordered;  dL/da = dL/dz in the inverse order"""

    def forward(ctx, a, dims):
        ctx.dims = dims
        return np.transpose(a, dims)

    def backward(ctx, g):
        return np.transpose(g, np.argsort(ctx.dims))


class ExpandBackward0(Function):
    """z = a repeated along size-1 dims (no copy);  dL/da = dL/dz summed over the repeats"""

    def forward(ctx, a, shape):
        return np.broadcast_to(a, shape)

    def backward(ctx, g):
        return g  # the engine sums the broadcast dims away


class SelectBackward0(Function):
    """z = a[index] along dim;  dL/da = dL/dz at index, zero elsewhere"""

    def forward(ctx, a, dim, index):
        ctx.shape, ctx.where = a.shape, (slice(None),) * dim + (index,)
        return a[ctx.where + (...,)]  # the trailing ... keeps a 0-d result a view, not a copy

    def backward(ctx, g):
        out = np.zeros(ctx.shape, g.dtype)
        out[ctx.where] = g
        return out


class UnbindBackward0(SelectBackward0):
    """z = a[index]  (iterating a tensor);  dL/da = dL/dz at index, zero elsewhere

    (torch makes one node with an output per element; here each element gets its own node)
    """

    def forward(ctx, a, index):
        return SelectBackward0.forward(ctx, a, 0, index)


class SliceBackward0(SelectBackward0):
    """z = a[start:stop:step] along dim;  dL/da = dL/dz in those places, zero elsewhere"""


class IndexBackward0(Function):
    """z = a[indices] (integer or boolean);  dL/da = dL/dz added into those places"""

    def forward(ctx, a, index):
        ctx.shape = a.shape
        ctx.save_for_backward(index)
        return a[index]

    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        out = np.zeros(ctx.shape, g.dtype)
        np.add.at(out, index, g)  # repeated indices add up
        return out


class StackBackward0(Function):
    """z = the arrays stacked along a new dim;  dL/d(arrays[k]) = dL/dz[k]"""
    promote = True

    def forward(ctx, *arrays):  # the arrays, then the dim
        *arrays, ctx.dim = arrays
        return np.stack(arrays, axis=ctx.dim)

    def backward(ctx, g):
        return tuple(np.moveaxis(g, ctx.dim, 0))


class CatBackward0(Function):
    """z = the arrays joined along dim;  dL/d(arrays[k]) = the slice of dL/dz from arrays[k]"""
    promote = True

    def forward(ctx, *arrays):  # the arrays, then the dim
        *arrays, ctx.dim = arrays
        ctx.ends = np.cumsum([a.shape[ctx.dim] for a in arrays])[:-1]
        return np.concatenate(arrays, axis=ctx.dim)

    def backward(ctx, g):
        return tuple(np.split(g, ctx.ends, axis=ctx.dim))


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
        ga = g.copy()
        ga[ctx.index] = 0
        return ga, g[ctx.index]

    def name(self):
        return "torch::autograd::CopySlices"


class ZeroBackward0(Function):
    """z = 0 * a;  dz/da = 0"""

    def forward(ctx, a):
        return np.zeros_like(a)

    def backward(ctx, g):
        return np.zeros_like(g)


class FillBackward2(ZeroBackward0):
    """z = value + 0 * a;  dz/da = 0"""

    def forward(ctx, a, value):
        return np.full_like(a, value)



# grad_fn name -> op class: the one table of ops, for tests and graders to loop over
OPS = {name: op for name, op in sorted(globals().items())
       if isinstance(op, type) and issubclass(op, Function) and name[0] != "_" and op is not Function}
