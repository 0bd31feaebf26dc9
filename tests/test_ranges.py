"""torch.arange and torch.linspace: the same values, to the last bit, over drawn ranges.

(D2L plots ReLU over torch.arange(-8.0, 8.0, 0.1): the value at 0 decides the gradient there.)
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from .engines import ENGINES

starts = st.integers(-2000, 2000).map(lambda k: k / 100)
steps = st.sampled_from([0.1, 0.01, 0.3, 0.7, 0.25, 1.1, 0.05, 2.0, 1.0, 1 / 3])
dtypes = st.sampled_from(["float32", "float64"])


def _values(make):
    return [make(engine).numpy() for engine in ENGINES.values()]


@settings(max_examples=150, deadline=None)
@given(start=starts, step=steps, count=st.integers(0, 400), extra=st.floats(0, 0.99),
       dtype=dtypes)
def test_arange_makes_torchs_values(start, step, count, extra, dtype):
    end = start + step * (count + extra)
    torch_values, core_values = _values(lambda T: T.arange(start, end, step, dtype=getattr(T, dtype)))
    assert core_values.dtype == torch_values.dtype
    np.testing.assert_array_equal(core_values, torch_values)


@settings(max_examples=150, deadline=None)
@given(start=starts, end=starts, count=st.integers(0, 300), dtype=dtypes)
def test_linspace_makes_torchs_values(start, end, count, dtype):
    torch_values, core_values = _values(lambda T: T.linspace(start, end, count,
                                                             dtype=getattr(T, dtype)))
    np.testing.assert_array_equal(core_values, torch_values)


def test_d2l_relu_plot_has_torchs_zero_and_gradient():
    outcomes = []
    for T in ENGINES.values():
        x = T.arange(-8.0, 8.0, 0.1, requires_grad=True)
        T.relu(x).backward(T.ones_like(x))
        outcomes.append((repr(x.detach()[78:83]), x.grad[78:83].tolist(), repr(T.linspace(-3, 3, 11))))
    assert outcomes[1] == outcomes[0] and outcomes[0][1] == [0.0, 0.0, 1.0, 1.0, 1.0]
