"""torch.manual_seed(s) then rand, randn, normal, randint, randperm: the same numbers in both
engines, to the last bit (torch's CPU kernels: _random.py)."""

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


@settings(max_examples=25, deadline=None)
@given(seed=seeds, n=st.integers(16, 300), dtype=st.sampled_from(["float32", "float64"]))
def test_many_normal_values_are_torchs_to_the_last_bit(seed, n, dtype):
    # (16 or more: torch's vectorized kernel, cephes' log and sincos in float32 multiply-adds)
    _same_in_both(seed, [lambda T: T.randn(n, dtype=getattr(T, dtype)), lambda T: T.randn(3)])


spreads = st.floats(0, 10, allow_subnormal=False)
means = st.floats(-100, 100, allow_subnormal=False)


@settings(max_examples=40, deadline=None)
@given(seed=seeds, mean=means, std=spreads, n=st.integers(1, 60), dtype=st.sampled_from(FLOATS[:2]))
def test_normal_of_numbers_is_torchs_in_every_signature_d2l_uses(seed, mean, std, n, dtype):
    _same_in_both(seed, [lambda T: T.normal(mean, std, (n, 2)),                # synthetic_data
                         lambda T: T.normal(0, 0.01, (n,), dtype=getattr(T, dtype)),  # the noise
                         lambda T: T.normal(0, 0.01, size=(2, 1), requires_grad=True),  # w
                         lambda T: T.zeros(n, dtype=getattr(T, dtype)).normal_(mean, std)])


@settings(max_examples=25, deadline=None)
@given(seed=seeds, n=st.integers(1, 40), std=spreads)
def test_normal_around_tensors_is_torchs(seed, n, std):
    def calls(T):
        mean, spread = T.linspace(-3, 3, n), T.linspace(0, 2, n)
        return [lambda T: T.normal(mean, std), lambda T: T.normal(mean=mean),
                lambda T: T.normal(1.5, spread), lambda T: T.normal(mean, spread),
                lambda T: T.normal(mean.reshape(n, 1), spread[:3])]

    torch_values, core_values = (_draws(e, seed, calls(e)) for e in ENGINES.values())
    for t, c in zip(torch_values, core_values):
        assert repr(c) == repr(t) and c.tolist() == t.tolist()


@settings(max_examples=40, deadline=None)
@given(seed=seeds, n=st.integers(0, 300))
def test_randperm_is_torchs(seed, n):
    _same_in_both(seed, [lambda T: T.randperm(n), lambda T: T.randperm(7, dtype=T.float32),
                         lambda T: T.rand(2)])


def test_normal_and_randperm_refuse_as_torch():
    calls = [lambda T: T.normal(0, 1), lambda T: T.normal(0, 1, 3), lambda T: T.normal(0, -1, (2,)),
             lambda T: T.normal(T.ones(3), -1.0), lambda T: T.normal(T.ones(3), -T.ones(3)),
             lambda T: T.normal(T.arange(3), 1.0), lambda T: T.normal(0, 1, (2,), dtype=T.int64),
             lambda T: T.randperm(-1), lambda T: T.randperm(2.5),
             lambda T: T.randperm(3, requires_grad=True),
             lambda T: T.ones(3, requires_grad=True).normal_()]
    for call in calls:
        outcomes = []
        for T in ENGINES.values():
            try:
                outcomes.append(repr(call(T)))
            except Exception as error:  # noqa: BLE001 -- the error is the outcome to compare
                outcomes.append(f"{type(error).__name__}: {error}")
        assert outcomes[1] == outcomes[0]


def test_a_draw_around_a_tensor_that_requires_grad_records_torchs_node():
    outcomes = []
    for T in ENGINES.values():
        T.manual_seed(0)
        mean, std = T.ones(3, requires_grad=True), T.ones(1, requires_grad=True)
        drawn = [T.normal(mean, 1.0), T.normal(0.0, std), T.normal(mean, std)]
        sum(d.sum() for d in drawn).backward()
        outcomes.append(([repr(d) for d in drawn], repr(mean.grad), repr(std.grad)))
    assert outcomes[1] == outcomes[0]


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
