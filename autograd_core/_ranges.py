"""torch.arange and torch.linspace, value for value: the arithmetic of torch's CPU kernels.

Off the teaching path. A float range is not numpy's start + i * step. torch computes in double
with a fused multiply-add (one rounding): value by value at the end of the range, and elsewhere
in vectors of 8 floats (4 doubles), each from its own first value rounded to the tensor's dtype,
two vectors at a time. linspace fills each half from its own end. It shows: x = torch.arange(-8.0,
8.0, 0.1), D2L's ReLU plot, holds 4.4e-16 where numpy holds -7.6e-06, and ReLU's gradient there
is 1, not 0.
"""

import numpy as np

from ._kernels import fma as _fma


def arange(start, step, count, dtype):
    """count values start + i * step of a float dtype (float32 or float64), as torch makes them."""
    index = np.arange(count, dtype=np.float64)
    values = _fma(step, index, start).astype(dtype)  # torch's value-by-value loop (the tail)
    width = 32 // np.dtype(dtype).itemsize  # the values in one vector
    vectored = count // (2 * width) * (2 * width)
    firsts = _fma(step, index[:vectored:width], start).astype(dtype).astype(np.float64)
    steps = _fma(step, np.arange(width, dtype=np.float64), firsts[:, None])
    values[:vectored] = steps.astype(dtype).reshape(-1)
    return values


def linspace(start, end, count, dtype):
    """count values from start to end of a float dtype, as torch makes them."""
    if count <= 1:
        return np.full(count, start, dtype)
    start, end = dtype(start), dtype(end)
    step = (end - start) / dtype(count - 1)  # in the dtype's own arithmetic
    index = np.arange(count, dtype=np.float64)
    from_start = _fma(np.float64(step), index, np.float64(start))
    from_end = _fma(-np.float64(step), count - 1 - index, np.float64(end))
    return np.where(index < count // 2, from_start, from_end).astype(dtype)
