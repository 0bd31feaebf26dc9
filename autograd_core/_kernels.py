"""Float math as torch's CPU kernels compute it: the last bit of what .item() prints.

Off the teaching path. numpy's float32 exp is not torch's, nor its sum: each library has its own
arithmetic, and a float32 result shows the difference in the 8th digit of .item(). torch 2.13's
CPU kernels (its x86-64 wheel) compute
- exp, log, sin, cos, tanh and sqrt with MKL's vector math, to high accuracy: nearly always the
  exact value correctly rounded, which is what this module gives (computed wider and rounded).
  MKL rounds the other way for a small share of values, which differ in their last bit;
- sigmoid as 1 / (1 + exp(-x)): element by element with the C library's expf (called here), and
  in whole blocks of vectors with SLEEF's vectorized expf (ported here);
- x ** p case by case: x * x, x * x * x, 1 / (x * x), 1 / x, sqrt, 1 / sqrt, else pow in double;
  x ** y with the C library's powf;
- a gradient's 1 - y * y in one rounding: the compiler fused it into a multiply-add;
- sums in a cascade of partial sums (sum, below), and small matrix products with MKL (matmul).

The split between vectors and single elements is torch's cpu_kernel_vec: a contiguous run of
elements goes in blocks of two vectors (32 float32 with AVX512, 16 with AVX2), the rest one by
one. What differs between the two (sigmoid's expf) follows the CPU, as torch does.
"""

import ctypes
import math
import os

import numpy as np

f16, f32, f64 = np.float16, np.float32, np.float64


# -- fused multiply-add: a * b + c with one rounding, as the FMA instruction ------------------
def fma(a, b, c):
    """a * b + c rounded once, in a's float dtype (float32 or float64)."""
    if np.asarray(a).dtype == f64:
        return _fma64(a, b, c)
    a, b, c = (np.asarray(v, f32).astype(f64) for v in (a, b, c))
    # the product is exact in double; the sum's rounding error, kept odd, keeps the one rounding
    # to float32 exact ("round to odd")
    total, error = _two_sum(a * b, c)
    odd = np.where((error != 0) & (total.view(np.int64) & 1 == 0) & np.isfinite(total),
                   np.nextafter(total, np.where(error > 0, np.inf, -np.inf)), total)
    return odd.astype(f32)


def _fma64(a, b, c):
    """a * b + c in float64 with one rounding (an exact product, then an exact sum's rounding)."""
    product, product_error = _two_product(f64(a) if np.ndim(a) == 0 else a, b)
    total, sum_error = _two_sum(c, product)
    rounded = total + (sum_error + product_error)
    return np.where(rounded == 0, np.copysign(rounded, total), rounded)  # (-tiny + 0 is -0.)


def _two_sum(a, b):
    """a + b as a rounded sum and its exact error (Knuth)."""
    total = a + b
    part = total - a
    return total, (a - (total - part)) + (b - part)


def _two_product(a, b):
    """a * b as a rounded product and its exact error (Dekker)."""
    product = a * b
    a_high, a_low = _split(a)
    b_high, b_low = _split(b)
    error = ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + a_low * b_low
    return product, error


def _split(x):
    scaled = 134217729.0 * x  # 2**27 + 1: Veltkamp's split into two 26-bit halves
    high = scaled - (scaled - x)
    return high, x - high


# -- torch's vectors and single elements --------------------------------------------------------
def _vector_bytes():
    """The width of torch's vectorized CPU kernels: its choice of ATen CPU capability, made as
    torch makes it (ATEN_CPU_CAPABILITY, else what the CPU has)."""
    chosen = os.environ.get("ATEN_CPU_CAPABILITY", "").lower()
    if chosen in ("avx512", "avx2", "default"):
        return {"avx512": 64, "avx2": 32, "default": 0}[chosen]
    has = getattr(np._core._multiarray_umath, "__cpu_features__", {})
    if all(has.get(f) for f in ("AVX512VL", "AVX512BW", "AVX512DQ", "FMA3")):
        return 64
    return 32 if has.get("AVX2") and has.get("FMA3") else 0


VECTOR_BYTES = _vector_bytes()


def _by_blocks(a, vectored, single):
    """single(a), except where torch's cpu_kernel_vec takes a contiguous run in whole blocks of
    two vectors: those elements are vectored(...)."""
    block = 2 * VECTOR_BYTES // a.itemsize
    if not block or a.size < block or not (a.flags.c_contiguous or a.flags.f_contiguous):
        return single(a)
    out = np.empty_like(a)
    flat, into = a.ravel(order="K"), out.ravel(order="K")  # (memory order: views of both)
    cut = flat.size - flat.size % block
    into[:cut] = vectored(flat[:cut])
    into[cut:] = single(flat[cut:])
    return out


def _c_math(name, dtype, arity=1):
    """The C library's function `name` (expf, pow, ...), elementwise on arrays of dtype: what
    torch's loops call element by element (None where it cannot be called)."""
    try:
        function = getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None
    kind = ctypes.c_float if dtype == f32 else ctypes.c_double
    function.restype, function.argtypes = kind, [kind] * arity
    each = np.frompyfunc(function, arity, 1)
    return lambda *arrays: np.asarray(each(*arrays), dtype)


_C = {(name, dtype): _c_math(name, dtype, arity)
      for name, dtype, arity in (("expf", f32, 1), ("exp", f64, 1), ("powf", f32, 2), ("pow", f64, 2),
                                 ("logf", f32, 1), ("cosf", f32, 1), ("sinf", f32, 1))}


def c_math(name):
    """The C library's float32 function `name` (expf, logf, ...), elementwise; numpy's in
    double, rounded, where it cannot be called."""
    return _C[name, f32] or (lambda x: getattr(np, name[:-1])(x, dtype=f64).astype(f32))


# -- exp, log, sin, cos, tanh, sqrt: MKL's, nearly always the exact value rounded ---------------
def _rounded(ufunc, wide=np.longdouble):
    """ufunc computed wider than the array and rounded to its dtype: float32 (and float16)
    through double, double through `wide` (long double where it is wider)."""
    def function(a):
        if a.dtype == f32:
            return ufunc(a, dtype=f64).astype(f32)
        if a.dtype == f64:
            return ufunc(a, dtype=wide).astype(f64) if wide is not f64 else ufunc(a)
        return ufunc(a, dtype=f64).astype(f32).astype(a.dtype)  # (float16: through float32)

    function.__name__ = ufunc.__name__
    return function


# (numpy's double exp and log already agree with MKL's: sin, cos and tanh are taken from long double)
exp, log, sqrt = _rounded(np.exp, f64), _rounded(np.log, f64), _rounded(np.sqrt, f64)
sin, cos, tanh = _rounded(np.sin), _rounded(np.cos), _rounded(np.tanh)


# -- sigmoid: 1 / (1 + exp(-x)), with the C library's expf or SLEEF's ------------------------
def sigmoid(a):
    """1 / (1 + exp(-a)) as torch's sigmoid kernel computes it."""
    if a.dtype == f64:
        return _by_blocks(a, lambda x: 1 / (1 + sleef_exp(-x)), lambda x: 1 / (1 + _exp_c(-x)))
    x = a.astype(f32)  # (float16: computed in float32, as torch's reduced-precision kernels)
    z = _by_blocks(x, lambda x: 1 / (1 + sleef_expf(-x)), lambda x: 1 / (1 + _exp_c(-x)))
    return z.astype(a.dtype, copy=False)


def _exp_c(x):
    """The C library's expf (exp for doubles), or, where it cannot be called, exp rounded."""
    if x.dtype == f32:
        return c_math("expf")(x)
    return _C["exp", f64](x) if _C["exp", f64] is not None else exp(x)


def sleef_expf(d):
    """SLEEF's expf (u10) as torch's vectors compute it: a polynomial in float32 FMAs."""
    q = np.rint(d * f32(1.442695040888963407359924681001892137426645954152985934135449406931))
    s = fma(q, f32(-0.693145751953125), d)
    s = fma(q, f32(-1.428606765330187045e-06), s)
    u = f32(0.000198527617612853646278381)
    for c in (0.00139304355252534151077271, 0.00833336077630519866943359,
              0.0416664853692054748535156, 0.166666671633720397949219, 0.5):
        u = fma(u, s, f32(c))
    u = f32(1) + fma(s * s, u, s)
    u = _ldexp2(u, q.astype(np.int32), np.int32, 23, 127)
    u = np.where(d < -104, f32(0), u)
    return np.where(d > 100, f32(np.inf), u).astype(f32)


def sleef_exp(d):
    """SLEEF's exp (u10) for doubles, as torch's vectors compute it."""
    q = np.rint(d * 1.442695040888963407359924681001892137426645954152985934135449406931)
    s = _fma64(q, -0.69314718055966295651160180568695068359375, d)
    s = _fma64(q, -0.28235290563031577122588448175013436025525412068e-12, s)
    s2 = s * s
    s4 = s2 * s2
    c = (0.2081276378237164457e-8, 0.2511210703042288022e-7, 0.2755762628169491192e-6,
         0.2755723402025388239e-5, 0.2480158687479686264e-4, 0.1984126989855865850e-3,
         0.1388888888914497797e-2, 0.8333333333314938210e-2, 0.4166666666666602598e-1,
         0.1666666666666669072e+0)
    def pair(hi, lo): return _fma64(s, hi, lo)  # noqa: E704  (estrin's scheme, as SLEEF's)
    high4 = _fma64(s2, pair(c[2], c[3]), pair(c[4], c[5]))
    low4 = _fma64(s2, pair(c[6], c[7]), pair(c[8], c[9]))
    u = _fma64(s4 * s4, pair(c[0], c[1]), _fma64(s4, high4, low4))
    for k in (0.5, 1.0, 1.0):
        u = _fma64(u, s, k)
    u = _ldexp2(u, q.astype(np.int64), np.int64, 52, 1023)
    u = np.where(d < -1000, 0.0, u)
    return np.where(d > 709.78271114955742909217217426, np.inf, u)


def _ldexp2(u, q, int_type, mantissa_bits, bias):
    """u * 2**q in two steps, as SLEEF's (so a q past the exponent range still works)."""
    half = q >> 1
    def power_of_two(k): return ((k + bias).astype(int_type) << mantissa_bits).view(u.dtype)  # noqa: E704
    return u * power_of_two(half) * power_of_two(q - half)


# -- gradients: what torch's compiled kernels fuse --------------------------------------------
def tanh_backward(g, y):
    """g * (1 - y * y), with 1 - y * y in one rounding (a fused multiply-add), as torch's."""
    if g.dtype == f16:
        return tanh_backward(g.astype(f32), y.astype(f32)).astype(f16)
    return g * fma(-y, y, 1)


# -- powers -----------------------------------------------------------------------------------
def power(a, p):
    """a ** p for a number p, as torch's pow kernel takes the cases."""
    if a.dtype not in (f32, f64) or isinstance(p, complex):
        return a ** np.asarray(p, a.dtype)  # integers, float16: numpy's (exact for integers)
    if p == 0.5:
        return sqrt(a)
    if p == -0.5:
        return 1 / np.sqrt(a)
    if p == -1:
        return 1 / a
    if p == 2:
        return a * a
    if p == 3:
        return a * a * a
    if p == -2:
        return 1 / (a * a)
    return pow(a.astype(f64), f64(p)).astype(a.dtype)  # pow in double, rounded


class Exponent(float):
    """A number p whose power a ** p of an array numpy leaves to p, which computes it as torch's
    pow kernel does: so a backward formula's a ** (p - 1) is torch's on arrays as on tensors."""

    __array_ufunc__ = None  # (numpy hands a ** p to p.__rpow__)

    def __rpow__(self, a):
        return power(a, float(self))

    def __sub__(self, other):
        return Exponent(float(self) - other)


def pow(a, b):  # noqa: A001  (torch's name)
    """a ** b for two arrays of one float dtype: the C library's powf (pow for doubles)."""
    c = _C.get(("powf" if a.dtype == f32 else "pow", a.dtype.type))
    return c(a, b) if c is not None else a ** b


# -- sums: torch's cascade, in the order its CPU kernel adds ------------------------------------
def sum(a, axes=None, keepdims=False):  # noqa: A001  (torch's name)
    """a summed over axes (all of them: None) as torch's sum kernel adds floats: in vectors of 32
    bytes, each lane a running sum in 4 interleaved partial sums, cascaded in levels of 16 or
    more (so that only numbers of a like size meet), then the lanes one by one. Integers (and
    what the cascade does not cover) are numpy's: the same numbers, in another order."""
    kind = a.dtype
    if a.size <= 4 or kind.kind != "f":  # (up to 4 values: torch adds them in order, as numpy)
        axes = axes if axes is None else tuple(axes)
        return np.add.reduce(a, axes, np.int64 if kind.kind in "biu" else None, None, keepdims)
    axes = tuple(range(a.ndim)) if axes is None else tuple(sorted(axes))
    if not axes:
        return a.copy()
    if axes != tuple(range(axes[0], axes[-1] + 1)):  # reduced dims apart: torch loops otherwise
        return np.add.reduce(a, axes, keepdims=keepdims)
    before, after = a.shape[:axes[0]], a.shape[axes[-1] + 1:]
    x = a.astype(f32) if kind == f16 else a  # (float16 is added up in float32)
    rows = x.reshape(math.prod(before), -1, math.prod(after))  # kept, summed, kept
    if not after or math.prod(after) == 1:
        z = _inner(rows[:, :, 0].T)
    else:
        z = np.stack([_outer(block) for block in rows])
    shape = tuple(1 if d in axes else n for d, n in enumerate(a.shape)) if keepdims else before + after
    return z.astype(kind).reshape(shape)


def _inner(x):
    """x's columns summed (x: summed values down, one column per output), as torch's inner sum."""
    n, vector = x.shape[0], 32 // x.itemsize  # (torch's AVX2 sum, on AVX512 CPUs too)
    if n < vector:
        return _row_sum(x)
    whole = n // vector * vector
    lanes = _row_sum(x[:whole].reshape((n // vector, vector) + x.shape[1:]))
    return _running(np.concatenate([x[whole:], lanes]), 0)  # the rest, then lane by lane


def _outer(x):
    """x's columns summed, x's columns contiguous in memory: torch's outer sum, 4 vectors of
    columns at a time (or 4 columns), each summed down in cascade."""
    columns, vector = x.shape[1], 32 // x.itemsize
    group = 4 * vector if columns >= vector else 4
    cut = columns // group * group
    return np.concatenate([_cascade(x[:, :cut]), _row_sum(x[:, cut:])])


def _row_sum(x):
    """x summed down its first axis as torch's row_sum: 4 interleaved partial sums, cascaded."""
    n = x.shape[0]
    quads = n // 4
    partial = _cascade(x[:quads * 4].reshape((quads, 4) + x.shape[1:]))
    first = _running(np.concatenate([partial[:1], x[quads * 4:]]), 0)  # the rest into the first
    return _running(np.concatenate([first[None], partial[1:]]), 0)  # then the others


def _cascade(x):
    """x summed down its first axis as torch's multi_row_sum: running sums of `step` values,
    whose running sums are taken `step` at a time, in up to four levels."""
    size = x.shape[0]
    step = 1 << max(4, (size - 1).bit_length() // 4 if size > 1 else 0)
    if size < step:  # one level only (+ 0: its sum of -0. is 0., as torch's)
        return _running(x, 0) + x.dtype.type(0)
    levels = [np.zeros(x.shape[1:], x.dtype) for _ in range(4)]
    whole = size // step * step
    sums = _running(x[:whole].reshape((whole // step, step) + x.shape[1:]), 1)  # runs of step
    for level in (1, 2):
        count = len(sums) // step * step
        levels[level] = _running(sums[count:], 0) if len(sums) > count else levels[level]
        sums = _running(sums[:count].reshape((count // step, step) + x.shape[1:]), 1)
    levels[3] = _running(sums, 0) if len(sums) else levels[3]
    levels[0] = _running(x[whole:], 0) if size > whole else levels[0]
    return ((levels[0] + levels[1]) + levels[2]) + levels[3]


def _running(x, axis):
    """x added up one value after another along axis (from 0)."""
    if not x.shape[axis]:
        return np.zeros(x.shape[:axis] + x.shape[axis + 1:], x.dtype)
    added = np.add.accumulate(x, axis)
    return added[-1] if axis == 0 else added[:, -1]


# -- matrix products: MKL's small-matrix kernels, as measured --------------------------------------
def matmul(a, b):
    """a @ b (a a matrix; b a matrix or a vector) as torch's MKL computes small products on this
    kind of CPU: each output a running sum over k of fused multiply-adds -- except a matrix that
    is stored row by row times a vector, whose rows go 4 at a time and the rest without fusing
    (the only such case measured: 2 terms). Products outside what was measured are numpy's."""
    k = a.shape[-1]
    if a.dtype.kind != "f" or not k or k > 64:
        return a @ b
    column = b.ndim == 1 or b.shape[1] == 1
    by_rows = column and not a.flags.f_contiguous or a.shape[0] == 1  # (MKL's dot-product kernel)
    if by_rows and k > 2:
        return a @ b
    vector = b.reshape(k, -1)
    out = np.zeros((a.shape[0], vector.shape[1]), a.dtype)
    rest = a.shape[0] // 4 * 4 if by_rows else a.shape[0]
    for j in range(k):
        out[:rest] = fma(a[:rest, j:j + 1], vector[j:j + 1], out[:rest])
        out[rest:] = out[rest:] + a[rest:, j:j + 1] * vector[j:j + 1]
    return out.reshape(a.shape[0]) if b.ndim == 1 else out
