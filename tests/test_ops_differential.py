"""Every op in autograd_core.OPS against real torch: values, grad_fn names, graph, gradients.

One table lists a case per op; hypothesis draws the shapes and the values. A new op in OPS
without a case here fails `test_every_op_has_a_case`.
"""

import gc
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core

from .engines import ENGINES, leaf, node_names, to_numpy


@dataclass
class Case:
    op: str  # the grad_fn name torch prints
    fn: object  # fn(engine, *leaves) -> tensor
    shapes: str = "any"  # how to draw the inputs' shapes
    low: float = -3.0  # the values' range
    high: float = 3.0
    away_from_zero: bool = False  # keep |x| >= 0.1 (log, division, sqrt, abs at 0, ties)


CASES = [
    Case("AddBackward0", lambda T, a, b: a + b, "broadcast"),
    Case("AddBackward0", lambda T, a: 2 + a),
    Case("SubBackward0", lambda T, a, b: a - b, "broadcast"),
    Case("RsubBackward1", lambda T, a: 2 - a),
    Case("MulBackward0", lambda T, a, b: a * b, "broadcast"),
    Case("MulBackward0", lambda T, a: a * 3),
    Case("DivBackward0", lambda T, a, b: a / b, "broadcast", away_from_zero=True),
    Case("NegBackward0", lambda T, a: -a),
    Case("ReciprocalBackward0", lambda T, a: a.reciprocal(), away_from_zero=True),
    Case("PowBackward0", lambda T, a: a**2),
    Case("PowBackward0", lambda T, a: a**0.5, low=0.125),
    Case("PowBackward1", lambda T, a, b: a**b, "broadcast", low=0.5),
    Case("PowBackward2", lambda T, a: 2**a),
    Case("ExpBackward0", lambda T, a: a.exp()),
    Case("LogBackward0", lambda T, a: a.log(), low=0.125),
    Case("SinBackward0", lambda T, a: T.sin(a)),
    Case("CosBackward0", lambda T, a: a.cos()),
    Case("TanhBackward0", lambda T, a: a.tanh()),
    Case("SigmoidBackward0", lambda T, a: a.sigmoid()),
    Case("ReluBackward0", lambda T, a: a.relu(), away_from_zero=True),
    Case("AbsBackward0", lambda T, a: a.abs(), away_from_zero=True),
    Case("RoundBackward0", lambda T, a: a.round()),
    Case("SqrtBackward0", lambda T, a: a.sqrt(), low=0.125),
    Case("ClampBackward1", lambda T, a: a.clamp(min=-1, max=1), away_from_zero=True),
    Case("ToCopyBackward0", lambda T, a: a.double()),
    Case("CloneBackward0", lambda T, a: a.clone()),
    Case("WhereBackward0", lambda T, a, b: T.where(a > 0, a, b), "same"),
    Case("SumBackward0", lambda T, a: a.sum()),
    Case("SumBackward1", lambda T, a: a.sum(0), "nonscalar"),
    Case("SumBackward1", lambda T, a: a.sum(-1, keepdim=True), "nonscalar"),
    Case("MeanBackward0", lambda T, a: a.mean()),
    Case("MeanBackward1", lambda T, a: a.mean(0), "nonscalar"),
    Case("StdBackward0", lambda T, a: a.std(), "vector"),
    Case("StdBackward0", lambda T, a: a.std(0), "nonscalar"),
    Case("StdBackward0", lambda T, a: a.std(-1, keepdim=True, correction=0), "nonscalar"),
    Case("VarBackward0", lambda T, a: a.var(), "vector"),
    Case("VarBackward0", lambda T, a: a.var(0, unbiased=False), "nonscalar"),
    Case("VarBackward0", lambda T, a: T.var(a, -1, keepdim=True), "nonscalar"),
    Case("CumsumBackward0", lambda T, a: a.cumsum(0)),
    Case("CumsumBackward0", lambda T, a: T.cumsum(a, dim=-1), "nonscalar"),
    Case("FlipBackward0", lambda T, a: a.flip(0), "nonscalar"),
    Case("FlipBackward0", lambda T, a: T.flip(a, (0, -1)), "matrix"),
    Case("MaxBackward1", lambda T, a: a.max(), "nonempty"),
    Case("MinBackward1", lambda T, a: a.min(), "nonempty"),
    Case("MaxBackward0", lambda T, a: a.max(0)[0], "nonscalar"),
    Case("MinBackward0", lambda T, a: a.min(dim=-1).values, "nonscalar"),
    Case("LinalgVectorNormBackward0", lambda T, a: a.norm(), away_from_zero=True),
    Case("LinalgVectorNormBackward0", lambda T, a: a.norm(dim=0), "nonscalar", away_from_zero=True),
    Case("DotBackward0", lambda T, a, b: T.dot(a, b), "dot"),
    Case("MmBackward0", lambda T, a, b: a @ b, "mm"),
    Case("MvBackward0", lambda T, a, b: a.mv(b), "mv"),
    Case("SqueezeBackward4", lambda T, a, b: a @ b, "vm"),
    Case("ViewBackward0", lambda T, a: a.reshape(-1)),
    Case("UnsafeViewBackward0", lambda T, a: a.t().reshape(-1), "matrix"),
    Case("UnsqueezeBackward0", lambda T, a: a.unsqueeze(0)),
    Case("SqueezeBackward0", lambda T, a: a.unsqueeze(1).squeeze(), "nonscalar"),
    Case("SqueezeBackward1", lambda T, a: a.unsqueeze(0).squeeze(0)),
    Case("SqueezeBackward2", lambda T, a: a.unsqueeze(0).unsqueeze(-1).squeeze((0, -1))),
    Case("TBackward0", lambda T, a: a.t(), "matrix"),
    Case("TransposeBackward0", lambda T, a: a.transpose(0, 1), "matrix"),
    Case("PermuteBackward0", lambda T, a: a.T, "matrix"),
    Case("ExpandBackward0", lambda T, a: a.unsqueeze(0).expand(3, *a.shape)),
    Case("SelectBackward0", lambda T, a: a[0], "nonscalar"),
    Case("SelectBackward0", lambda T, a: a[-1, 0], "matrix"),
    Case("UnbindBackward0", lambda T, a: list(a)[-1] * list(a)[0], "nonscalar"),
    Case("SliceBackward0", lambda T, a: a[1:], "nonscalar"),
    Case("SliceBackward0", lambda T, a: a[:, ::2], "matrix"),
    Case("AliasBackward0", lambda T, a: a[...]),
    Case("AliasBackward0", lambda T, a: a[:, 0:9], "matrix"),
    Case("IndexBackward0", lambda T, a: a[[0, 0, -1]], "nonscalar"),
    Case("IndexBackward0", lambda T, a: a[a > 0]),
    Case("MaximumBackward0", lambda T, a, b: T.maximum(a, b), "broadcast"),
    Case("MaximumBackward0", lambda T, a, b: a.max(b * 0 + a.detach()), "same"),  # ties
    Case("MinimumBackward0", lambda T, a, b: T.min(a, b), "broadcast"),
    Case("StackBackward0", lambda T, a, b: T.stack([a, b]), "same"),
    Case("StackBackward0", lambda T, a, b: T.stack([a, b], dim=-1), "same"),
    Case("CatBackward0", lambda T, a, b: T.cat([a, b]), "same_nonscalar"),
    Case("CatBackward0", lambda T, a, b: T.cat([a, b], dim=-1), "same_nonscalar"),
    Case("CopySlices", lambda T, a, b: _setitem(a * 1, b), "same_nonscalar"),
    Case("CopySlices", lambda T, a, b: _write_into_a_view(a * 1, b), "same_nonscalar"),
    Case("CopyBackwards", lambda T, a, b: (a * 1).copy_(b), "same"),
    Case("CopyBackwards", lambda T, a, b: (a * 1).copy_(b.sum(0)), "same_nonscalar"),
    Case("FillBackward3", lambda T, a, b: (a * 1).fill_(b.sum()), "same"),
    Case("IndexPutBackward0", lambda T, a, b: _put_where_negative(a * 1, b), "same_nonscalar"),
    Case("AsStridedBackward0", lambda T, a, b: _view_of_a_written_base(a * 1, b), "same"),
    Case("ZeroBackward0", lambda T, a: (a * 1).zero_()),
    Case("FillBackward2", lambda T, a: (a * 1).fill_(2.0)),
]


def _setitem(target, value):
    target[0] = value[0]
    return target


def _put_where_negative(target, value):
    target[target < 0] = value[target < 0]  # (a mask: torch's index_put_)
    return target


def _write_into_a_view(base, value):
    base.transpose(0, -1)[0].mul_(value.transpose(0, -1)[0])  # base's grad_fn: CopySlices(fn)
    return base


def _view_of_a_written_base(base, value):
    view = base.transpose(0, -1) if base.ndim else base[...]
    base.mul_(value)  # the view's grad_fn is remade as AsStridedBackward0 of base's new one
    return view


def test_every_op_has_a_case():
    assert set(autograd_core.OPS) - {c.op for c in CASES} == set()


small = st.integers(1, 4)
SHAPES = {
    "any": hnp.array_shapes(min_dims=0, max_dims=3, max_side=4).map(lambda s: [s]),
    "nonempty": hnp.array_shapes(min_dims=0, max_dims=3, max_side=4).map(lambda s: [s]),
    "nonscalar": hnp.array_shapes(min_dims=1, max_dims=3, max_side=4).map(lambda s: [s]),
    "vector": st.integers(2, 6).map(lambda n: [(n,)]),
    "matrix": st.tuples(small, small).map(lambda s: [s]),
    "same": hnp.array_shapes(min_dims=0, max_dims=3, max_side=4).map(lambda s: [s, s]),
    "same_nonscalar": hnp.array_shapes(min_dims=1, max_dims=3, max_side=4).map(lambda s: [s, s]),
    "broadcast": hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4).map(
        lambda b: list(b.input_shapes)),
    "dot": small.map(lambda n: [(n,), (n,)]),
    "mm": st.tuples(small, small, small).map(lambda s: [(s[0], s[1]), (s[1], s[2])]),
    "mv": st.tuples(small, small).map(lambda s: [s, (s[1],)]),
    "vm": st.tuples(small, small).map(lambda s: [(s[0],), s]),
}


# values are drawn on a grid of multiples of 1/64 in [low, high]: exactly representable in float32,
# so no draw is subnormal (torch's float32 arithmetic on subnormals depends on the CPU's
# flush-to-zero state, so no engine can match it everywhere), no two values are nearer than 1/64
# (a near-tie at a kink or in std's a - mean is decided by rounding, not by the op), and nothing
# overflows (|x| <= 3 keeps exp, pow and norm far below float32's limit).
GRID = 64


def grid_values(shape, low, high):
    steps = st.integers(int(np.ceil(low * GRID)), int(np.floor(high * GRID)))
    return hnp.arrays(np.int32, shape, elements=steps).map(
        lambda k: (k / GRID).astype(np.float32))


@st.composite
def case_inputs(draw, case):
    arrays = []
    for shape in draw(SHAPES[case.shapes]):
        values = draw(grid_values(shape, case.low, case.high))
        if case.away_from_zero:
            values = np.where(np.abs(values) < 0.1, np.float32(0.5), values)
        if case.op in ("MaxBackward1", "MinBackward1", "MaxBackward0", "MinBackward0"):
            values = values + np.arange(values.size, dtype=np.float32).reshape(shape) * 7  # no ties
        if case.op == "StdBackward0" and np.ptp(values) == 0:
            values[0] += 1  # a spread of 0 is tested on its own (test_std_of_tiny_or_no_spread)
        arrays.append(values.astype(np.float32))
    seed = draw(st.integers(0, 2**31 - 1))
    return arrays, seed


def run(engine, case, arrays, seed):
    leaves = [leaf(engine, a) for a in arrays]
    out = case.fn(engine, *leaves)
    # the upstream gradient is on the grid too, drawn from the seed once out's shape is known
    steps = np.random.default_rng(seed).integers(-GRID, GRID + 1, size=tuple(out.shape))
    out.backward(engine.tensor((steps / GRID).astype(np.float32)).to(out.dtype))
    return out, [t.grad for t in leaves]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.op)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_op_matches_torch(case, data):
    arrays, seed = data.draw(case_inputs(case))
    (t_out, t_grads), (c_out, c_grads) = (run(e, case, arrays, seed) for e in ENGINES.values())
    assert node_names(c_out) == node_names(t_out)
    assert c_out.shape == t_out.shape and repr(c_out.dtype) == repr(t_out.dtype)
    np.testing.assert_allclose(to_numpy(c_out), to_numpy(t_out), rtol=1e-5, atol=1e-5)
    for c_grad, t_grad in zip(c_grads, t_grads):
        assert (c_grad is None) == (t_grad is None)
        np.testing.assert_allclose(to_numpy(c_grad), to_numpy(t_grad), rtol=1e-4, atol=1e-4)


def fixed_inputs(case):
    """Plain inputs of the shapes a case needs."""
    arrays = [np.linspace(0.5, 2.0, 6, dtype=np.float32).reshape(2, 3)] * 2
    if case.shapes in ("dot", "vector"):
        arrays = [a.reshape(-1) for a in arrays]
    elif case.shapes in ("mm",):
        arrays = [arrays[0], arrays[0].T.copy()]
    elif case.shapes in ("mv",):
        arrays = [arrays[0], arrays[0][0]]
    elif case.shapes in ("vm",):
        arrays = [arrays[0][:, 0].copy(), arrays[0]]
    elif case.shapes == "any" or case.shapes == "nonempty":
        arrays = arrays[:1]
    return arrays


def _run_and_drop(case):
    leaves = [leaf(autograd_core, a) for a in fixed_inputs(case)[: case.fn.__code__.co_argcount - 1]]
    case.fn(autograd_core, *leaves).sum().backward()


def test_a_graph_needs_no_garbage_collector():
    """No node <-> tensor cycles (a saved output is held by its version counter): a graph is
    freed when its last name goes, as torch's is -- the collector never has a graph to walk."""
    gc.collect()
    gc.disable()
    try:
        for case in CASES:
            _run_and_drop(case)
        if gc.collect():  # name the ops that left cycles behind
            cyclic = [case.op for case in CASES if _run_and_drop(case) or gc.collect()]
            pytest.fail(f"graphs with reference cycles: {cyclic}")
    finally:
        gc.enable()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.op)
def test_second_backward_fails_exactly_when_torch_does(case):
    """Nodes that saved tensors free them after backward: a second backward must fail."""
    arrays = fixed_inputs(case)
    outcome = {}
    for name, engine in ENGINES.items():
        leaves = [leaf(engine, a) for a in arrays[: case.fn.__code__.co_argcount - 1]]
        out = case.fn(engine, *leaves).sum()
        out.backward()
        try:
            out.backward()
            outcome[name] = "ok"
        except RuntimeError as error:
            outcome[name] = str(error)
    assert outcome["autograd_core"] == outcome["torch"]


@pytest.mark.parametrize("values", [[1.0, 1.0, 1.0], [0.0, 1e-30], [0.0, 1e-19, 2e-19], [5.0, 5.0]])
def test_std_of_tiny_or_no_spread(values):
    """std accumulates in float64 as torch does: a tiny spread still has its gradient."""
    (t_out, t_grads), (c_out, c_grads) = (
        run(engine, Case("StdBackward0", lambda T, a: a.std()), [np.array(values, np.float32)], 0)
        for engine in ENGINES.values())
    np.testing.assert_allclose(to_numpy(c_out), to_numpy(t_out), rtol=1e-6)
    np.testing.assert_allclose(to_numpy(c_grads[0]), to_numpy(t_grads[0]), rtol=1e-5, atol=1e-7)
