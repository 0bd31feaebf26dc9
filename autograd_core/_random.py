"""torch's CPU random numbers, bit for bit: torch.manual_seed(0); torch.randn(3) prints here what
it prints in torch.

Off the teaching path. numpy's MT19937 is torch's generator, seeded the same way; the draws
become values as torch's CPU kernels make them:
- rand: a uniform float from the low 24 bits of one draw (53 bits of two draws for float64);
- randn and normal, fewer than 16 values: Box-Muller in double, one pair from two uniform
  doubles, the second value kept for the next one asked for; then value * std + mean in one
  rounding (a fused multiply-add);
- randn and normal, 16 or more: uniform values of the tensor's dtype, turned into normal ones in
  blocks of 16 (the last block redrawn over the tail): for float32 with the AVX2 kernel's
  polynomials for log, sin and cos (cephes', in float32 multiply-adds; on a CPU without AVX2,
  the C library's logf, sinf and cosf), for float64 with the C library's log, sin and cos;
- randint: one draw modulo the range (two draws when the range needs more than 32 bits);
- randperm: Fisher-Yates, swapping each place with one a draw modulo the places left picks.
"""

import math
import os

import numpy as np

from . import _kernels as kernels
from ._kernels import fma
from ._transforms import TRANSFORMS, VMAP_RANDOM_ERROR


class Generator:
    """torch._C.Generator: the state every random function draws from."""

    __module__ = "torch._C"  # (type() prints <class 'torch._C.Generator'>, as torch's)

    def __init__(self, seed):
        self.manual_seed(seed)

    def manual_seed(self, seed):
        self._seed = int(seed)
        self._bits = np.random.MT19937(0)
        self._bits._legacy_seeding(self._seed & 0xFFFFFFFF)  # mt19937's own seeding, as torch's
        self._next_normal = None  # Box-Muller's second value, kept for the next draw
        return self

    def initial_seed(self):
        return self._seed

    def __repr__(self):
        return f"<torch._C.Generator object at {id(self):#x}>"

    def _repr_pretty_(self, printer, cycle):  # as Jupyter shows torch's C++ types
        printer.text(f"<torch._C.Generator at {id(self):#x}>")

    # -- draws -------------------------------------------------------------------------------
    def _draws32(self, n):
        if TRANSFORMS.vmap and TRANSFORMS.randomness == "error":
            raise RuntimeError(VMAP_RANDOM_ERROR)
        return self._bits.random_raw(n)  # uint64s holding 32-bit draws

    def _draws64(self, n):
        pairs = self._draws32(2 * n)
        return (pairs[0::2] << np.uint64(32)) | pairs[1::2]

    def uniform(self, n, dtype):
        """n uniform values in [0, 1) of a numpy float dtype."""
        if dtype == np.float64:
            return (self._draws64(n) & np.uint64(2**53 - 1)) * 2.0**-53
        return ((self._draws32(n) & np.uint64(2**24 - 1)) * 2.0**-24).astype(dtype)

    def normal(self, n, dtype, mean=0.0, std=1.0, contiguous=True):
        """n normal values of a numpy float dtype (mean 0 and std 1: randn), for a tensor whose
        memory is contiguous or not (torch then draws them one by one)."""
        if n < 16 or not contiguous:
            values = [self._normal_double() for _ in range(n)]
            return fma(np.array(values, np.float64), std, mean).astype(dtype)
        dtype = np.dtype(dtype).type
        float32 = _box_muller_avx2 if kernels.VECTOR_BYTES else _box_muller_scalar
        fill = {np.float32: float32, np.float64: _box_muller_double}.get(dtype, _box_muller_16)
        mean, std = dtype(mean), dtype(std)
        values = self.uniform(n, dtype)
        for start in range(0, n - 15, 16):
            fill(values[start:start + 16], mean, std)
        if n % 16:  # torch redraws the last 16 over the tail
            values[n - 16:] = self.uniform(16, dtype)
            fill(values[n - 16:], mean, std)
        return values

    def _normal_double(self):
        if self._next_normal is not None:
            value, self._next_normal = self._next_normal, None
            return value
        u1, u2 = self.uniform(2, np.float64)
        radius, theta = math.sqrt(-2.0 * math.log1p(-u2)), 2.0 * math.pi * u1
        self._next_normal = radius * math.sin(theta)
        return radius * math.cos(theta)

    def integers(self, low, high, n):
        """n integers in [low, high)."""
        span = high - low
        draws = self._draws32(n) if span < 2**32 else self._draws64(n)
        return (draws % np.uint64(span)).astype(np.int64) + low

    def permutation(self, n):
        """0, ..., n - 1 shuffled as torch's randperm shuffles them."""
        order = np.arange(n, dtype=np.int64)
        picks = (self._draws32(max(n - 1, 0)) % np.arange(n, 1, -1, dtype=np.uint64)).tolist()
        for i, z in enumerate(picks):  # each place swapped with one of those left
            order[i], order[i + z] = order[i + z], order[i]
        return order


# 16 uniform values in place -> 16 normal ones: the first 8 give radii, the last 8 angles
def _box_muller_avx2(block, mean, std):
    """float32, as torch's AVX2 kernel (normal_fill_16_AVX2, with avx_mathfun's log and sincos)."""
    f32 = np.float32
    radius = np.sqrt(f32(-2) * _cephes_log(f32(1) - block[:8]))
    sin, cos = _cephes_sincos(f32(2.0 * math.pi) * block[8:])
    block[:8], block[8:] = fma(radius * cos, std, mean), fma(radius * sin, std, mean)


def _box_muller_scalar(block, mean, std):
    """float32 on a CPU without AVX2, as torch's scalar kernel (normal_fill_16): the C library's
    logf, cosf and sinf, in float32 arithmetic, nothing fused."""
    f32 = np.float32
    radius = np.sqrt(f32(-2) * kernels.c_math("logf")(f32(1) - block[:8]))
    theta = (2.0 * math.pi * block[8:].astype(np.float64)).astype(f32)
    block[:8] = radius * kernels.c_math("cosf")(theta) * std + mean
    block[8:] = radius * kernels.c_math("sinf")(theta) * std + mean


def _box_muller_double(block, mean, std):
    """float64, as torch's scalar kernel (normal_fill_16): the C library's log, cos and sin."""
    for j in range(8):
        radius = math.sqrt(-2 * math.log(1 - block[j]))
        theta = 2.0 * math.pi * block[j + 8]
        block[j], block[j + 8] = (fma(radius * math.cos(theta), std, mean),
                                  fma(radius * math.sin(theta), std, mean))


def _box_muller_16(block, mean, std):
    """Other dtypes (float16): in numpy's arithmetic, close to torch's."""
    dtype = block.dtype.type
    radius = np.sqrt(dtype(-2) * np.log(dtype(1) - block[:8]))
    theta = dtype(2.0 * math.pi) * block[8:]
    block[:8], block[8:] = radius * np.cos(theta) * std + mean, radius * np.sin(theta) * std + mean


# cephes' float32 log and sincos as avx_mathfun.h writes them, each a * b + c fused as the
# compiler fuses them
def _cephes_log(x):
    f32 = np.float32
    bits = x.view(np.int32)
    e = ((bits >> 23) - 0x7F).astype(f32) + f32(1)
    x = ((bits & ~0x7F800000) | 0x3F000000).view(f32)  # the mantissa, in [0.5, 1)
    small = x < f32(0.707106781186547524)
    e = e - small.astype(f32)
    x = (x - f32(1)) + np.where(small, x, f32(0))
    z = x * x
    y = f32(7.0376836292E-2)
    for c in (-1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1, 1.4249322787E-1,
              -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1):
        y = fma(y, x, f32(c))
    y = fma(y * x, z, e * f32(-2.12194440e-4))
    y = y - z * f32(0.5)
    return fma(e, f32(0.693359375), x + y)


def _cephes_sincos(x):
    f32 = np.float32
    negative, x = np.signbit(x), np.abs(x)
    j = (x * f32(1.27323954473516)).astype(np.int32)  # x / (pi / 4), cut to an integer
    j = (j + 1) & ~1
    y = j.astype(f32)
    for c in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8):
        x = fma(y, f32(c), x)  # x - j * pi / 4 in three parts
    z = x * x
    cos = fma(fma(fma(f32(2.443315711809948E-005), z, f32(-1.388731625493765E-003)), z,
                  f32(4.166664568298827E-002)) * z, z, -(z * f32(0.5))) + f32(1)
    sin = fma(fma(fma(f32(-1.9515295891E-4), z, f32(8.3321608736E-3)), z,
                  f32(-1.6666654611E-1)) * z, x, x)
    swap = (j & 2) != 0
    sin, cos = np.where(swap, cos, sin), np.where(swap, sin, cos)
    sin = np.where(negative ^ ((j & 4) != 0), -sin, sin)
    cos = np.where(((j - 2) & 4) == 0, -cos, cos)
    return sin, cos


default_generator = Generator(int.from_bytes(os.urandom(8), "little") >> 1)  # unseeded: as torch
