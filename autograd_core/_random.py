"""torch's CPU random numbers, bit for bit: torch.manual_seed(0); torch.randn(3) prints here what
it prints in torch.

Off the teaching path. numpy's MT19937 is torch's generator, seeded the same way; the draws
become values as torch's CPU kernels make them:
- rand: a uniform float from the low 24 bits of one draw (53 bits of two draws for float64);
- randn, fewer than 16 values: Box-Muller in double, one pair from two uniform doubles, the
  second value kept for the next one asked for;
- randn, 16 or more: uniform values of the tensor's dtype, turned into normal ones in blocks of
  16 (the last block redrawn over the tail). torch vectorizes this float32 arithmetic for the
  CPU at hand, so a value may differ from torch's in its last bit (not in what prints);
- randint: one draw modulo the range (two draws when the range needs more than 32 bits).
"""

import math
import os

import numpy as np


class Generator:
    """torch._C.Generator: the state every random function draws from."""

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
        return self._bits.random_raw(n)  # uint64s holding 32-bit draws

    def _draws64(self, n):
        pairs = self._draws32(2 * n)
        return (pairs[0::2] << np.uint64(32)) | pairs[1::2]

    def uniform(self, n, dtype):
        """n uniform values in [0, 1) of a numpy float dtype."""
        if dtype == np.float64:
            return (self._draws64(n) & np.uint64(2**53 - 1)) * 2.0**-53
        return ((self._draws32(n) & np.uint64(2**24 - 1)) * 2.0**-24).astype(dtype)

    def normal(self, n, dtype):
        """n standard normal values of a numpy float dtype."""
        if n < 16:
            return np.array([self._normal_double() for _ in range(n)], np.float64).astype(dtype)
        values = self.uniform(n, dtype)
        for start in range(0, n - 15, 16):
            _box_muller_16(values[start:start + 16])
        if n % 16:  # torch redraws the last 16 over the tail
            values[n - 16:] = self.uniform(16, dtype)
            _box_muller_16(values[n - 16:])
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


def _box_muller_16(block):
    """16 uniform values in place -> 16 normal ones: the first 8 give radii, the last 8 angles."""
    dtype = block.dtype.type
    radius = np.sqrt(dtype(-2) * np.log(dtype(1) - block[:8]))
    theta = dtype(2.0 * math.pi) * block[8:]
    block[:8], block[8:] = radius * np.cos(theta), radius * np.sin(theta)


default_generator = Generator(int.from_bytes(os.urandom(8), "little") >> 1)  # unseeded: as torch
