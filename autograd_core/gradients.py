"""The nodes only a gradient's own graph has (create_graph=True), named as torch names them.

With create_graph=True the backward walk records the ops of every backward formula, so the
gradient it makes can be differentiated again. Most formulas record ops of the table in
functions.py (g * b is a MulBackward0); these are the rest: a product with a number (scale),
the backward of tanh, sigmoid and relu as one op each, the zeros-but-here of max, select and
index. Each is also a vocabulary word (at the end) that computes on arrays and records on
tensors. The test of every op differentiates through them as second and third derivatives.
"""

import numpy as np

from . import _kernels as kernels
from . import functions as F
from .function import Function, either


class GradientOp(Function):
    """An op that backward formulas use, and only they: it appears in a gradient's graph."""


class MulBackward1(GradientOp):
    """z = a * c  (c a number, inside a gradient);  dz/da = c"""

    def forward(ctx, a, c):
        ctx.factor = c
        return a * np.asarray(c, a.dtype)

    def backward(ctx, g):
        return scale(g, ctx.factor)


class DivBackward1(GradientOp):
    """z = a / c  (c a number, inside a gradient);  dz/da = 1 / c"""

    def forward(ctx, a, c):
        ctx.divisor = c
        return a / np.asarray(c, a.dtype)

    def backward(ctx, g):
        return divide(g, ctx.divisor)


# ---------------------------------------------------------------------------------------
# nodes that only appear in a gradient's own graph (create_graph=True), named as torch names
# them; the test of every op differentiates through them as second and third derivatives
# ---------------------------------------------------------------------------------------
class TanhBackwardBackward0(GradientOp):
    """z = g * (1 - y * y);  dz/dg = 1 - y * y, dz/dy = -2 * g * y"""

    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return kernels.tanh_backward(g, y)  # (1 - y * y rounded once, as torch's fused kernel)

    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        return tanh_backward(gg, y), scale(gg * g * y, -2)


class SigmoidBackwardBackward0(GradientOp):
    """z = g * (1 - y) * y;  dz/dg = (1 - y) * y, dz/dy = g * (1 - 2 * y)"""

    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return g * (1 - y) * y

    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        return sigmoid_backward(gg, y), gg * g * (1 - scale(y, 2))


class ThresholdBackwardBackward0(GradientOp):
    """z = g * ~(y <= 0);  dz/dg = ~(y <= 0), dz/dy = 0  (at a nan y the gradient passes, as torch's)"""

    def forward(ctx, g, y):
        ctx.save_for_backward(y)
        return g * ~(y <= 0)

    def backward(ctx, gg):
        (y,) = ctx.saved_tensors
        return threshold_backward(gg, y), F.zeros_like(y)


class SgnBackward0(GradientOp):
    """z = sign(a), 0 at a nan;  dz/da = 0"""

    def forward(ctx, a):
        return np.where(np.isnan(a), 0, np.sign(a)).astype(a.dtype)

    def backward(ctx, g):
        return F.zeros_like(g)


class MaskedFillBackward0(GradientOp):
    """z = where(mask, value, a);  dz/da = ~mask"""

    def forward(ctx, a, mask, value):
        ctx.save_for_backward(mask)
        return np.where(mask, np.asarray(value, a.dtype), a)

    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return F.where(mask, 0.0, g)


class MaskedFillBackward1(GradientOp):
    """z = where(mask, a, 0)  (a one value);  dz/da = sum(mask)"""

    def forward(ctx, a, mask):
        ctx.save_for_backward(mask)
        return np.where(mask, a, np.zeros((), a.dtype))

    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return F.where(mask, g, 0.0).sum()


class ScatterBackward0(GradientOp):
    """z = a * mask  (a spread along dim, kept where mask);  dL/da = sum of dL/dz * mask along dim"""

    def forward(ctx, a, mask, dim):
        ctx.save_for_backward(mask)
        ctx.dim = dim
        return np.where(mask, a, np.zeros((), a.dtype))

    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return F.sum_dims(F.where(mask, g, 0.0), (ctx.dim,), keepdim=True)


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


sgn = either(SgnBackward0)
tanh_backward = either(TanhBackwardBackward0)
sigmoid_backward = either(SigmoidBackwardBackward0)
threshold_backward = either(ThresholdBackwardBackward0)
scale, divide = either(MulBackward1), either(DivBackward1)
masked_fill = either(MaskedFillBackward0)
share, scatter = either(MaskedFillBackward1), either(ScatterBackward0)
select_backward, slice_backward = either(SelectBackwardBackward0), either(SliceBackwardBackward0)
index_put = either(IndexPutImplBackward0)

# grad_fn name -> op class, as functions.OPS for the ops of the table
GRADIENT_OPS = {name: op for name, op in sorted(globals().items())
                if isinstance(op, type) and issubclass(op, GradientOp) and op is not GradientOp}
