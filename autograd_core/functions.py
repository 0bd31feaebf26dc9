"""The table of ops: one class each, forward and its backward side by side.

Each class is named after the grad_fn torch prints for that op, and *is* that grad_fn: the node
in the graph is an instance of the class whose `backward` undoes its `forward` (Function.apply,
in function.py, makes it). So `help(y.grad_fn)` shows the derivative rule. `backward(ctx, g)`
gets g = dL/d(output) and returns dL/d(input) for each tensor input, in order: a
vector-Jacobian product. Gradients come back in whatever shape is natural; the engine sums
broadcast axes away (graph.unbroadcast).

Each class also says how it is reached: `methods`, its names on Tensor (x.exp(), x + y);
`functions`, its names in the module (torch.exp(x)); `signature`, how a call's arguments become
forward's (from _arguments.py; without one, the tensor alone). The Tensor methods and module
functions are made from these at the end of this file: adding an op is adding its class.

Backward is written once, in operators and the few functions of the "vocabulary" below (and in
gradients.py): on numpy arrays (the usual backward) they compute, on tensors (backward with
create_graph=True) they record -- so a gradient is itself differentiable, and the gradient's
graph shows the nodes torch's does.
"""

import math

import numpy as np

from . import _arguments as arguments
from . import _kernels as kernels
from ._arguments import Number
from ._torch_errors import OVERLAP_ERROR
from .dtypes import cast
from .function import Function, array, either
from .gradients import (
    divide,
    index_put,
    masked_fill,
    scale,
    scatter,
    select_backward,
    sgn,
    share,
    sigmoid_backward,
    slice_backward,
    tanh_backward,
    threshold_backward,
)
from .graph import unbroadcast
from .tensor import Tensor


# ---------------------------------------------------------------------------------------
# the vocabulary backward formulas are written in: numpy on arrays, recorded ops on tensors
# ---------------------------------------------------------------------------------------
def where(cond, x, y):
    """x where cond else y (x or y may be a number)."""
    if isinstance(x, Tensor) or isinstance(y, Tensor):
        like = x if isinstance(x, Tensor) else y
        x = x if isinstance(x, Tensor) else Number(x, like)
        y = y if isinstance(y, Tensor) else Number(y, like)
        return WhereBackward0.apply(x, y, array(cond))
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
    return kernels.sum(x, dims, keepdim)


def zeros_like(x):
    """Zeros with no history: a gradient that is zero whatever the inputs are."""
    if isinstance(x, Tensor):
        return Tensor._make(np.zeros_like(x._data))
    return np.zeros_like(x)


def stack(xs, shape, dim):
    """The xs stacked along a new dim (zeros of shape for an x that is None)."""
    zeros = np.zeros(shape, array(next(x for x in xs if x is not None)).dtype)
    if any(isinstance(x, Tensor) for x in xs):
        return StackBackward0.apply(*[Tensor._make(zeros) if x is None else x for x in xs], dim)
    return np.stack([zeros if x is None else x for x in xs], dim)


def mm(x, y):
    return x.mm(y) if isinstance(x, Tensor) else kernels.matmul(x, y)


def mv(x, y):
    return x.mv(y) if isinstance(x, Tensor) else kernels.matmul(x, y)


def t(x):
    return x.t() if isinstance(x, Tensor) else x.T


def transpose(x, d0, d1):
    return x.transpose(d0, d1) if isinstance(x, Tensor) else TransposeBackward0.compute(x, d0, d1)


def permute(x, dims):
    return x.permute(*dims) if isinstance(x, Tensor) else np.transpose(x, dims)


def mean(x):
    return x.mean() if isinstance(x, Tensor) else kernels.sum(x) / x.dtype.type(x.size)


def mean_dims(x, dims, keepdim=True):
    """x's mean over dims (kept, size 1, unless keepdim is False)."""
    if isinstance(x, Tensor):
        return x.mean(dims, keepdim=keepdim)
    count = x.dtype.type(math.prod(x.shape[d] for d in dims))
    return kernels.sum(x, dims, keepdim) / count


# ---------------------------------------------------------------------------------------
# arithmetic
# ---------------------------------------------------------------------------------------
class AddBackward0(Function):
    """z = a + b;  dz/da = 1, dz/db = 1"""
    promote = True
    methods = "add", "__add__", "__radd__"
    functions = ("add",)
    signature = arguments.binary_with_alpha

    def forward(ctx, a, b):
        return a + b

    def backward(ctx, g):
        return g, g


class SubBackward0(Function):
    """z = a - b;  dz/da = 1, dz/db = -1"""
    promote = True
    methods = "sub", "__sub__"
    functions = ("sub",)
    signature = arguments.subtraction

    def forward(ctx, a, b):
        return a - b

    def backward(ctx, g):
        return g, -g


class RsubBackward1(Function):
    """z = c - a  (c a number);  dz/da = -1"""
    methods = ("__rsub__",)
    signature = arguments.reflected_subtraction

    def forward(ctx, a, c):
        return np.asarray(c, a.dtype) - a

    def backward(ctx, g):
        return -g


class MulBackward0(Function):
    """z = a * b;  dz/da = b, dz/db = a"""
    promote = True
    methods = "mul", "multiply", "__mul__", "__rmul__"
    functions = ("mul",)
    signature = arguments.binary
    saved_for = "b", "a"  # a is kept for dz/db, b for dz/da

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * b, g * a


class DivBackward0(Function):
    """z = a / b;  dz/da = 1 / b, dz/db = -a / b**2"""
    promote = to_float = True
    methods = "div", "divide", "true_divide", "__truediv__"
    functions = ("div",)
    signature = arguments.binary
    saved_for = "b", "a b"

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g / b, -g * (a / b / b)


class NegBackward0(Function):
    """z = -a;  dz/da = -1"""
    methods = "neg", "negative", "__neg__"
    functions = ("neg",)
    signature = arguments.negation

    def forward(ctx, a):
        return -a

    def backward(ctx, g):
        return -g


class ReciprocalBackward0(Function):
    """z = 1 / a;  dz/da = -z**2"""
    methods = functions = ("reciprocal",)
    signature = arguments.floating

    def forward(ctx, a):
        z = np.reciprocal(a)
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return -g * (z * z)


class PowBackward0(Function):
    """z = a ** p  (p a number);  dz/da = p * a ** (p - 1)"""
    methods = functions = ("square",)  # x ** p comes here too, by PowBackward1's signature
    signature = arguments.square

    def forward(ctx, a, p):
        ctx.save_for_backward(a)
        ctx.exponent = kernels.Exponent(p)  # (a ** (p - 1) of an array: torch's pow, _kernels.py)
        if a.dtype == np.bool_:  # numpy has no bool power: 1 ** p and 0 ** p, as bools
            return (a.astype(np.int8) ** int(p)).astype(np.bool_)
        return kernels.power(a, p)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        p = ctx.exponent
        if p == 0:
            return zeros_like(g)
        return g * scale(a ** (p - 1), p)


class PowBackward1(Function):
    """z = a ** b;  dz/da = b * a ** (b - 1), dz/db = z * log(a)"""
    promote = True
    methods = "pow", "__pow__"
    functions = ("pow",)
    signature = arguments.power(PowBackward0)
    saved_for = "a b", "a b", "b"

    def forward(ctx, a, b):
        z = kernels.pow(a, b)
        ctx.save_for_backward(a, b, z)
        return z

    def backward(ctx, g):
        a, b, z = ctx.saved_tensors
        da = where(b == 0, 0.0, g * (b * pow_(a, b - 1)))
        # torch's rule: 0 ** b has derivative 0 in b for b >= 0 (not 0 * log(0) = nan)
        db = g * where((a == 0) & (b >= 0), 0.0, z * log(a))
        return da, db


class PowBackward2(Function):
    """z = c ** a  (c a number);  dz/da = z * log(c)"""
    methods = ("__rpow__",)
    signature = arguments.reflected_power

    def forward(ctx, c, a):
        z = kernels.pow(np.asarray(c, a.dtype), a)
        ctx.save_for_backward(z)
        ctx.base = c
        ctx.flat = a >= 0 if c == 0 else None  # 0 ** a: no slope where a >= 0, as torch's
        return z

    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        slope = g * scale(z, float(np.log(ctx.base)) if ctx.base else -np.inf)
        return slope if ctx.flat is None else masked_fill(slope, ctx.flat, 0.0)


# ---------------------------------------------------------------------------------------
# elementwise functions
# ---------------------------------------------------------------------------------------
class ExpBackward0(Function):
    """z = exp(a);  dz/da = z"""
    methods = functions = ("exp",)
    signature = arguments.floating

    def forward(ctx, a):
        z = kernels.exp(a)
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g * z


class LogBackward0(Function):
    """z = log(a);  dz/da = 1 / a"""
    methods = functions = ("log",)
    signature = arguments.floating

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return kernels.log(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / a


class SinBackward0(Function):
    """z = sin(a);  dz/da = cos(a)"""
    methods = functions = ("sin",)
    signature = arguments.floating

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return kernels.sin(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * cos(a)


class CosBackward0(Function):
    """z = cos(a);  dz/da = -sin(a)"""
    methods = functions = ("cos",)
    signature = arguments.floating

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return kernels.cos(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * -sin(a)


class TanhBackward0(Function):
    """z = tanh(a);  dz/da = 1 - z**2"""
    methods = functions = ("tanh",)
    signature = arguments.floating

    def forward(ctx, a):
        z = kernels.tanh(a)
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return tanh_backward(g, z)


class SigmoidBackward0(Function):
    """z = 1 / (1 + exp(-a));  dz/da = z * (1 - z)"""
    methods = functions = ("sigmoid",)
    signature = arguments.floating

    def forward(ctx, a):
        z = kernels.sigmoid(a)
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return sigmoid_backward(g, z)


class ReluBackward0(Function):
    """z = maximum(a, 0);  dz/da = (a > 0)"""
    methods = functions = ("relu",)
    signature = arguments.refusing_bool(RuntimeError, "Boolean inputs not supported for relu")

    def forward(ctx, a):
        z = np.maximum(a, 0)
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return threshold_backward(g, z)


class RoundBackward0(Function):
    """z = round(a), halves to even;  dz/da = 0: a staircase is flat between its jumps"""
    methods = functions = ("round",)
    signature = arguments.refusing_bool(NotImplementedError,
                                        '"round_vml_cpu" not implemented for \'Bool\'')

    def forward(ctx, a):
        return np.round(a)

    def backward(ctx, g):
        return zeros_like(g)


class AbsBackward0(Function):
    """z = abs(a);  dz/da = sign(a)  (0 at a = 0)"""
    methods = "abs", "__abs__"
    functions = ("abs",)
    signature = arguments.refusing_bool(NotImplementedError, '"abs_cpu" not implemented for \'Bool\'')

    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * sgn(a)


class SqrtBackward0(Function):
    """z = sqrt(a);  dz/da = 1 / (2 * z)"""
    methods = functions = ("sqrt",)
    signature = arguments.floating

    def forward(ctx, a):
        z = kernels.sqrt(a)
        ctx.save_for_backward(z)
        return z

    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g / scale(z, 2)


class ClampBackward1(Function):
    """z = minimum(maximum(a, lo), hi);  dz/da = (lo <= a) & (a <= hi)"""
    methods = functions = ("clamp", "clip")
    signature = arguments.clamp

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
    methods = ("to",)
    signature = arguments.conversion

    def forward(ctx, a, dtype):
        return cast(a, dtype.numpy)

    def backward(ctx, g):
        return g  # the engine converts it back to a's dtype


class CloneBackward0(Function):
    """z = a  (a copy);  dz/da = 1"""
    methods = functions = ("clone",)

    def forward(ctx, a, order="K"):
        return a.copy(order)  # (in a's memory order, as torch's: x.t().clone() is x.t()'s layout)

    def backward(ctx, g):
        return g


class WhereBackward0(Function):
    """z = where(cond, a, b);  dz/da = cond, dz/db = ~cond"""
    promote = True
    functions = ("where",)
    signature = arguments.condition_first

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
        return kernels.sum(a)

    def backward(ctx, g):
        return expand(g, ctx.shape)


class SumBackward1(Function):
    """z = sum of a along dims;  dL/da = dL/dz, copied back along the summed dims"""
    methods = functions = ("sum",)
    signature = arguments.reduction(SumBackward0)

    def forward(ctx, a, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        return kernels.sum(a, dims, keepdim)

    def backward(ctx, g):
        return expand(g if ctx.keepdim else unsqueeze(g, ctx.dims), ctx.shape)


class MeanBackward0(Function):
    """z = sum(a) / n;  dz/da = 1 / n"""

    def forward(ctx, a):
        ctx.shape, ctx.n = a.shape, a.size
        if not a.size:
            return np.asarray(np.nan, a.dtype)  # torch's mean of nothing, without numpy's warning
        return kernels.sum(a) / a.size  # (torch's mean: its sum, divided)

    def backward(ctx, g):
        return divide(expand(g, ctx.shape), max(ctx.n, 1))


class MeanBackward1(Function):
    """z = mean of a along dims;  dL/da = dL/dz / n, copied back (n the elements averaged)"""
    methods = functions = ("mean",)
    signature = arguments.reduction(MeanBackward0, floating=True)

    def forward(ctx, a, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        if not all(a.shape[d] for d in dims):  # torch's mean of nothing, without numpy's warning
            return np.full(kernels.sum(a, dims, keepdim).shape, np.nan, a.dtype)
        return mean_dims(a, dims, keepdim)

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
        ties = array((a == z) | (a != a) & (z != z))  # (a nan is the max, and takes its gradient)
        return share(g / int(ties.sum()), ties)


class MaxBackward1(_Extreme):
    """z = max(a);  dz/da = (a == z) / sum(a == z)  (ties share)"""
    reduce = staticmethod(np.max)


class MinBackward1(_Extreme):
    """z = min(a);  dz/da = (a == z) / sum(a == z)  (ties share)"""
    reduce = staticmethod(np.min)


class MaximumBackward0(Function):
    """z = max(a, b), element by element;  dz/da = (a > b) + (a == b) / 2, dz/db = (b > a) + (a == b) / 2

    (torch.maximum(a, b), torch.max(a, b), a.max(b): a tie shares the gradient)
    """
    promote = True
    functions = ("maximum",)
    signature = arguments.tensors
    pick = staticmethod(np.maximum)

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.pick(a, b)

    def backward(ctx, g):
        a, b = (array(t) for t in ctx.saved_tensors)
        shared = where(a == b, divide(g, 2), g)
        a_lost, b_lost = (a < b, b < a) if ctx.pick is np.maximum else (a > b, b > a)
        return masked_fill(shared, a_lost, 0.0), masked_fill(shared, b_lost, 0.0)


class MinimumBackward0(MaximumBackward0):
    """z = min(a, b), element by element;  dz/da = (a < b) + (a == b) / 2, dz/db = (b < a) + (a == b) / 2"""
    functions = ("minimum",)
    signature = arguments.tensors
    pick = staticmethod(np.minimum)


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
        np.put_along_axis(chosen, array(indices), True, axis=ctx.dim)
        return scatter(g if ctx.keepdim else unsqueeze(g, (ctx.dim,)), chosen, ctx.dim)


class MaxBackward0(_ExtremeAlong):
    """z = max of a along dim;  dL/da = dL/dz at the argmax, else 0"""
    methods = functions = ("max",)
    signature = arguments.extreme(MaxBackward1, MaximumBackward0)
    arg = staticmethod(np.argmax)


class MinBackward0(_ExtremeAlong):
    """z = min of a along dim;  dL/da = dL/dz at the argmin, else 0"""
    methods = functions = ("min",)
    signature = arguments.extreme(MinBackward1, MinimumBackward0)
    arg = staticmethod(np.argmin)


class LinalgVectorNormBackward0(Function):
    """z = sqrt(sum(a * a));  dz/da = a / z  (0 where z = 0)"""
    methods = functions = ("norm",)
    signature = arguments.norm

    def forward(ctx, a, dims, keepdim):
        ctx.dims, ctx.keepdim = dims, keepdim
        if dims is None and not keepdim:  # the common case, kept cheap: loops call it each turn
            flat = a.reshape(-1)
            z = np.sqrt(np.dot(flat, flat))
            ctx.save_for_backward(a, z)
            return z
        z = np.sqrt(kernels.sum(a * a, dims, keepdim))
        ctx.save_for_backward(a, z)
        return z

    def backward(ctx, g):
        a, z = ctx.saved_tensors
        if ctx.dims is not None and not ctx.keepdim:
            g, z = unsqueeze(g, ctx.dims), unsqueeze(z, ctx.dims)
        return g * masked_fill(a / z, array(z == 0), 0.0)


class VarBackward0(Function):
    """z = sum((a - mean(a))**2) / (n - correction);  dz/da = 2 * (a - mean(a)) / (n - correction)

    (over dims, or all of a; n the values summed; the correction is 1, or 0 when unbiased=False)
    """
    methods = functions = ("var",)
    signature = arguments.spread

    def forward(ctx, a, dims, correction, keepdim):
        ctx.save_for_backward(a)
        return np.asarray(ctx.variance(a, dims, correction, keepdim), a.dtype)

    def variance(ctx, a, dims, correction, keepdim):
        """a's variance, in float64 as torch accumulates (float32 squares of a spread below 1e-19
        underflow to 0); no freedom left is a division by 0, as torch's: inf, or nan"""
        ctx.dims, ctx.keepdim = dims, keepdim
        axes = tuple(range(a.ndim)) if dims is None else dims
        ctx.freedom = int(np.prod([a.shape[d] for d in axes])) - correction
        wide = a.astype(np.float64)
        centred = wide - mean_dims(wide, axes)
        return kernels.sum(centred * centred, axes, keepdim) / np.float64(max(ctx.freedom, 0))

    def backward(ctx, g):
        a = ctx.saved_tensors[0]
        g, centred = ctx.centred(g, a)
        return scale(g, np.float64(2) / ctx.freedom) * centred  # (torch's order of products)

    def centred(ctx, g, a, *more):
        """a - its mean, and g (and more) with the reduced dims put back."""
        if ctx.dims is None:
            return (g, a - mean(a), *more)
        if not ctx.keepdim:
            g, *more = (unsqueeze(t, ctx.dims) for t in (g, *more))
        return (g, a - mean_dims(a, ctx.dims), *more)


class StdBackward0(VarBackward0):
    """z = sqrt(sum((a - mean(a))**2) / (n - correction));  dz/da = (a - mean(a)) / ((n - correction) * z)

    (the square root of VarBackward0's z, taken before rounding to a's dtype)
    """
    methods = functions = ("std",)
    signature = arguments.spread

    def forward(ctx, a, dims, correction, keepdim):
        z = np.asarray(np.sqrt(ctx.variance(a, dims, correction, keepdim)), a.dtype)
        ctx.save_for_backward(a, z)
        return z

    def backward(ctx, g):
        a, z = ctx.saved_tensors
        g, centred, z = ctx.centred(g, a, z)
        # torch's formula, step by step (0 where z = 0: all values equal)
        factor = np.float64(2) / ctx.freedom  # (inf with no freedom: a nan gradient, as torch's)
        return scale(masked_fill(g / scale(z, 2), array(z == 0), 0.0), factor) * centred


class CumsumBackward0(Function):
    """z = the running sums a[0] + ... + a[k] along dim;  dL/da[k] = dL/dz[k] + ... + dL/dz[last]"""
    methods = functions = ("cumsum",)
    signature = arguments.cumulative

    def forward(ctx, a, dim):
        ctx.dim = dim
        wide = np.int64 if a.dtype.kind in "biu" else np.float64  # (torch adds in int64 or double)
        z = np.cumsum(a.reshape(a.shape or (1,)), dim, dtype=wide).reshape(a.shape)
        return z if wide is np.int64 else z.astype(a.dtype)

    def backward(ctx, g):
        if np.size(array(g)) <= 1 or g.shape[ctx.dim] == 1:
            return g
        return flip(cumsum(flip(g, (ctx.dim,)), ctx.dim), (ctx.dim,))


class FlipBackward0(Function):
    """z = a in reverse order along dims;  dL/da = dL/dz reversed back"""
    methods = functions = ("flip",)
    signature = arguments.flip

    def forward(ctx, a, dims):
        ctx.dims = dims
        return np.flip(a, dims).copy()  # (a copy, not a view: torch's flip copies)

    def backward(ctx, g):
        return flip(g, ctx.dims)


# ---------------------------------------------------------------------------------------
# linear algebra
# ---------------------------------------------------------------------------------------
class DotBackward0(Function):
    """z = sum(a * b);  dz/da = b, dz/db = a"""
    promote = True
    methods = functions = ("dot",)
    signature = arguments.dot
    saved_for = "b", "a"

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.dot(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * b, g * a


class MmBackward0(Function):
    """z = a @ b;  dL/da = dL/dz @ b.T, dL/db = a.T @ dL/dz"""
    promote = True
    methods = functions = ("mm",)
    signature = arguments.mm
    saved_for = "b", "a"

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return kernels.matmul(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        # torch picks the product's order from the input's memory layout (a column-major input
        # gets the transpose of a product); the values agree, the gradient's grad_fn shows it
        da = t(mm(b, t(g))) if _column_major(a) else mm(g, t(b))
        db = t(mm(t(g), a)) if _column_major(b) else mm(t(a), g)
        return da, db


def _column_major(x):
    x = array(x)
    strides = [s // x.itemsize for s in x.strides]
    return strides[0] == 1 and strides[1] == x.shape[0]


class MvBackward0(Function):
    """z = a @ v;  dL/da = outer(dL/dz, v), dL/dv = a.T @ dL/dz"""
    promote = True
    methods = functions = ("mv",)
    signature = arguments.mv
    saved_for = "v", "a"

    def forward(ctx, a, v):
        ctx.save_for_backward(a, v)
        return kernels.matmul(a, v)

    def backward(ctx, g):
        a, v = ctx.saved_tensors
        return g.reshape(-1, 1) * v, mv(t(a), g)


# ---------------------------------------------------------------------------------------
# shapes and indexing: values move, none change, so backward moves the gradient back
# ---------------------------------------------------------------------------------------
class ViewBackward0(Function):
    """z = a with a new shape;  dL/da = dL/dz with a's shape"""
    methods = ("view",)
    signature = arguments.view

    def forward(ctx, a, shape):
        ctx.shape = a.shape
        return a.reshape(shape)

    def backward(ctx, g):
        return g.reshape(ctx.shape)


class UnsafeViewBackward0(ViewBackward0):
    """z = a copied into a new shape (reshape of a non-contiguous tensor);  dL/da = reshaped back"""
    methods = functions = ("reshape",)
    signature = arguments.reshape(ViewBackward0)


class UnsqueezeBackward0(Function):
    """z = a with a new axis of size 1 at dim;  dL/da = dL/dz without it"""
    methods = functions = ("unsqueeze",)
    signature = arguments.unsqueeze

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


class SqueezeBackward2(SqueezeBackward0):
    """z = a without the axes dims of size 1;  dL/da = dL/dz with them put back"""

    def forward(ctx, a, dims):
        ctx.dims = tuple(d for d in dims if a.ndim and a.shape[d] == 1)
        return a.squeeze(ctx.dims) if ctx.dims else a[...]


class SqueezeBackward1(SqueezeBackward0):
    """z = a without axis dim (if its size is 1);  dL/da = dL/dz with it put back"""
    methods = functions = ("squeeze",)
    signature = arguments.squeeze(SqueezeBackward0, SqueezeBackward2)

    def forward(ctx, a, dim):
        ctx.dims = (dim,) if a.ndim and a.shape[dim] == 1 else ()
        return a.squeeze(dim) if ctx.dims else a


class SqueezeBackward4(SqueezeBackward1):
    """z = a without the axes dims of size 1 (inside matmul);  dL/da = dL/dz reshaped back"""


class TBackward0(Function):
    """z = a.T;  dL/da = (dL/dz).T"""
    methods = functions = ("t",)
    signature = arguments.transpose_2d

    def forward(ctx, a):
        return a.T

    def backward(ctx, g):
        return t(g)


class TransposeBackward0(Function):
    """z = a with dims d0 and d1 swapped;  dL/da = dL/dz swapped back"""
    methods = functions = ("transpose",)
    signature = arguments.transpose

    def forward(ctx, a, d0, d1):
        ctx.dims = d0, d1
        return np.swapaxes(a, d0, d1) if a.ndim else a[...]  # (0-d: dims 0 and -1, a view)

    def backward(ctx, g):
        return transpose(g, *ctx.dims)


class PermuteBackward0(Function):
    """z = a with its dims reordered;  dL/da = dL/dz in the inverse order"""
    methods = functions = ("permute",)
    signature = arguments.permute

    def forward(ctx, a, dims):
        ctx.dims = dims
        return np.transpose(a, dims)

    def backward(ctx, g):
        return permute(g, tuple(np.argsort(ctx.dims).tolist()))


class ExpandBackward0(Function):
    """z = a repeated along size-1 dims (no copy);  dL/da = dL/dz summed over the repeats"""
    methods = ("expand",)
    signature = arguments.expand

    def forward(ctx, a, shape):
        ctx.shape = a.shape
        view = np.broadcast_to(a, shape)  # read-only; torch's can be written into (z[0] = 1)
        return np.lib.stride_tricks.as_strided(a, view.shape, view.strides)

    def backward(ctx, g):
        extra = np.ndim(array(g)) - len(ctx.shape)
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


class UnbindBackward0(Function):
    """z = a cut along dim into its slices z[k];  dL/da = the dL/dz[k] stacked back along dim

    (one node with an output per slice: iterating a tensor, for row in x, is unbind(0))
    """
    methods = functions = ("unbind",)
    signature = arguments.unbind

    def forward(ctx, a, dim):
        ctx.shape, ctx.dim = a.shape, dim
        return tuple(a[(slice(None),) * dim + (k, ...)] for k in range(a.shape[dim]))

    def backward(ctx, gs):  # one gradient per slice, None for a slice that got none
        return stack(gs, ctx.shape[:ctx.dim] + ctx.shape[ctx.dim + 1:], ctx.dim)


class AsStridedBackward0(Function):
    """z = a[where], a view's elements in its base a;  dL/da = dL/dz added back at where

    (a view's grad_fn, remade once its memory has been written in place: _views.py)
    """

    def forward(ctx, a, where):
        ctx.shape, ctx.where = a.shape, where
        return a[where]

    def backward(ctx, g):
        return index_put(g, ctx.shape, ctx.where)


class AliasBackward0(Function):
    """z = a, a view of all of it (x[...], x[:, :]);  dz/da = 1"""

    def forward(ctx, a):
        return a[...]

    def backward(ctx, g):
        return g


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
        return index_put(g, ctx.shape, array(index))


class StackBackward0(Function):
    """z = the arrays stacked along a new dim;  dL/d(arrays[k]) = dL/dz[k]"""
    promote = True
    functions = ("stack",)
    signature = arguments.sequence

    def forward(ctx, *arrays):  # the arrays, then the dim
        *arrays, dim = arrays
        ctx.dim, ctx.count = dim % (arrays[0].ndim + 1), len(arrays)  # (dim may count from the end)
        return np.stack(arrays, axis=ctx.dim)

    def backward(ctx, g):
        return tuple(g[(slice(None),) * ctx.dim + (k,)] for k in range(ctx.count))


class CatBackward0(Function):
    """z = the arrays joined along dim;  dL/d(arrays[k]) = the slice of dL/dz from arrays[k]"""
    promote = True
    functions = ("cat",)
    signature = arguments.concatenation

    def forward(ctx, *arrays):  # the arrays, then the dim
        *arrays, dim = arrays
        ctx.dim = dim % arrays[0].ndim  # (dim may count from the end)
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
    """z = a with z[index] = b;  dL/da = dL/dz with zeros at index, dL/db = dL/dz[index]

    Also a base's grad_fn after an in-place op wrote into one of its views (_views.py): it then
    wraps that op's node, fn, as torch's does -- dL/dz[index] goes through fn's backward, and
    what fn gives for the view's old values goes where the zeros were.
    """
    promote = True
    fn = None

    def forward(ctx, a, b, index):
        ctx.index = index
        out = a.copy()
        out[index] = b
        return out

    def backward(ctx, g):
        part = g[ctx.index]
        if ctx.fn is None:  # z[index] = b itself
            return copy_slices(g, zeros_like(part), ctx.index), part
        if ctx.overlapping:  # a fill of an expanded view: torch writes it, then can't go back
            raise RuntimeError(OVERLAP_ERROR)
        grads = ctx.fn._apply(part, ctx._retain)
        old = grads[0] if grads[0] is not None else zeros_like(part)
        return (copy_slices(g, old, ctx.index),) + tuple(grads[1:])

    @classmethod
    def wrap(cls, base, fn, index, overlapping):
        """base's next grad_fn, fn having written into base[index]: edges to base's grad_fn as it
        was and to fn's inputs but the first (the view's old values, now base's own)."""
        node = cls()
        node.fn, node.index, node.overlapping = fn, index, overlapping
        node._saved = node._versions = ()
        node._next = (base._edge(),) + fn._next[1:]
        if fn._next_nr is not None or base._output_nr:
            node._next_nr = (base._output_nr,) + (fn._next_nr or (0,) * len(fn._next))[1:]
        return node

    def _apply(self, grad, retain_graph):
        self._retain = retain_graph  # for fn's own backward (it frees what fn saved, or not)
        return Function._apply(self, grad, retain_graph)

    def name(self):
        return "torch::autograd::CopySlices"


copy_slices = either(CopySlices)


class IndexPutBackward0(CopySlices):
    """z = a with z[index] = b, index a mask or a list;  dL/da = dL/dz with zeros at index,
    dL/db = dL/dz[index]"""

    def name(self):
        return type(self).__name__


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


class FillBackward3(Function):
    """z = b + 0 * a  (b one value, a tensor: a.fill_(b), a[...] = b);  dz/da = 0, dL/db = sum(dL/dz)"""

    def forward(ctx, a, b):
        return np.full_like(a, b)

    def backward(ctx, g):
        return zeros_like(g), g.sum()


class CopyBackwards(Function):
    """z = b + 0 * a, b spread to a (a.copy_(b));  dz/da = 0, dL/db = dL/dz summed to b's shape

    (also .grad under create_graph: the gradient copied into a new tensor)
    """

    def forward(ctx, a, b):
        ctx.shape = b.shape
        return np.broadcast_to(b, a.shape).astype(a.dtype)

    def backward(ctx, g):
        return zeros_like(g), unbroadcast(g, ctx.shape)

    def name(self):
        return "torch::autograd::CopyBackwards"


cos, sin, log = either(CosBackward0), either(SinBackward0), either(LogBackward0)
pow_ = either(PowBackward1)  # a ** b
cumsum, flip = either(CumsumBackward0), either(FlipBackward0)

# ---------------------------------------------------------------------------------------
# the table, read: grad_fn name -> op class, and each op's Tensor methods and module functions
# ---------------------------------------------------------------------------------------
OPS = {name: op for name, op in sorted(globals().items())
       if isinstance(op, type) and issubclass(op, Function) and name[0] != "_"
       and op.__module__ == __name__}
FUNCTIONS = {}  # torch.<name>, exported by autograd_core/__init__.py

for _op in OPS.values():
    _declared = vars(_op)  # the class's own declarations: a subclass does not inherit them
    _names = _declared.get("methods", ()) + _declared.get("functions", ())
    if not _names:  # reached by indexing or in place (_indexing.py, _inplace.py) or by another op
        continue
    _door = _declared.get("signature", arguments.unary)(_op)
    _door.__name__, _door.__qualname__, _door.__doc__ = _names[0], _names[0], _op.__doc__
    for _name in _declared.get("methods", ()):
        setattr(Tensor, _name, _door)
    for _name in _declared.get("functions", ()):
        FUNCTIONS[_name] = _door
del _op, _declared, _names, _door, _name
