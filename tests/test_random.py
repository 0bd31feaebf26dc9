"""torch.manual_seed(s) then rand, randn, randint: the same numbers in both engines.

Exact where torch's CPU kernel is plain arithmetic (uniform values, integers, and normal values
drawn fewer than 16 at a time); for 16 or more normal values torch vectorizes its arithmetic for
the CPU at hand, so there they agree to the last bit or two, and print the same.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from .engines import ENGINES

seeds = st.integers(0, 2**64 - 1)
small_shapes = st.lists(st.integers(1, 3), min_size=0, max_size=2).map(tuple)  # < 16 values
FLOATS = ["float32", "float64", "float16"]


def _draws(engine, seed, calls):
    engine.manual_seed(seed)
    return [call(engine) for call in calls]


def _same_in_both(seed, calls):
    torch_values, core_values = (_draws(e, seed, calls) for e in ENGINES.values())
    for t, c in zip(torch_values, core_values):
        assert repr(c) == repr(t) and c.tolist() == t.tolist()


@settings(max_examples=40, deadline=None)
@given(seed=seeds, shapes=st.lists(small_shapes, min_size=1, max_size=4),
       dtype=st.sampled_from(FLOATS))
def test_normal_values_drawn_a_few_at_a_time_are_torchs(seed, shapes, dtype):
    # (Box-Muller keeps its second value for the next call: the calls must chain as torch's)
    _same_in_both(seed, [lambda T, s=s: T.randn(s, dtype=getattr(T, dtype)) for s in shapes])


@settings(max_examples=40, deadline=None)
@given(seed=seeds, sizes=st.lists(st.integers(0, 40), min_size=1, max_size=3),
       dtype=st.sampled_from(FLOATS))
def test_uniform_values_are_torchs(seed, sizes, dtype):
    _same_in_both(seed, [lambda T, n=n: T.rand(n, dtype=getattr(T, dtype)) for n in sizes])


@settings(max_examples=40, deadline=None)
@given(seed=seeds, low=st.integers(-2**40, 2**40), span=st.integers(1, 2**40),
       size=st.integers(0, 20))
def test_random_integers_are_torchs(seed, low, span, size):
    _same_in_both(seed, [lambda T: T.randint(low, low + span, (size,)),
                         lambda T: T.randint(span, (2, 2)),
                         lambda T: T.randint(0, 10, (3,), dtype=T.int32)])


@settings(max_examples=20, deadline=None)
@given(seed=seeds, n=st.integers(16, 300), dtype=st.sampled_from(["float32", "float64"]))
def test_many_normal_values_agree_to_the_last_bits_and_print_the_same(seed, n, dtype):
    torch_values, core_values = (_draws(e, seed, [lambda T: T.randn(n, dtype=getattr(T, dtype)),
                                                  lambda T: T.randn(3)])
                                 for e in ENGINES.values())
    np.testing.assert_array_max_ulp(core_values[0].numpy(), torch_values[0].numpy(), maxulp=4)
    assert core_values[1].tolist() == torch_values[1].tolist()  # the generator's state agrees too


def test_manual_seed_returns_the_generator_as_torch_prints_it():
    for engine in ENGINES.values():
        generator = engine.manual_seed(3)
        assert repr(generator).startswith("<torch._C.Generator object at 0x")
        assert engine.initial_seed() == 3


def test_unseeded_draws_differ_between_processes():
    import subprocess
    import sys

    code = "import autograd_core as T; print(T.randn(4).tolist())"
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)}
    assert len(runs) == 2


def test_a_size_is_required_as_torch_requires_it():
    for maker in ("rand", "randn", "zeros", "ones", "empty"):
        errors = []
        for engine in ENGINES.values():
            try:
                getattr(engine, maker)()
            except TypeError as error:
                errors.append(str(error))
        assert len(errors) == 2 and errors[1] == errors[0]
