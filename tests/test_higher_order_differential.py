"""Gradients of gradients against real torch: create_graph=True for every op in OPS.

For each case of the op table, hypothesis draws the inputs; both engines then take the gradient
with create_graph=True, a Hessian-vector product (the gradient of <gradient, w>), and one more
derivative of that: values, which inputs get no gradient (None), and the grad_fn names of the
gradients must all match torch's.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .engines import ENGINES, leaf, to_numpy
from .test_ops_differential import CASES, GRID, case_inputs

# torch records these gradients through nodes autograd_core builds differently (the values
# match; only the printed name of the gradient's grad_fn differs)
OTHER_NAMES = {
    # torch builds a CopySlices gradient from as_strided views of the written tensor
    "CopySlices": "the written slice's gradient is a plain index of the gradient here",
}


def _w(seed, shape):
    steps = np.random.default_rng(seed).integers(-GRID, GRID + 1, size=tuple(shape))
    return (steps / GRID).astype(np.float32)


def _name(t):
    return None if t is None or t.grad_fn is None else t.grad_fn.name()


def derivatives(engine, case, arrays, seed):
    """First, second (Hessian-vector) and third derivatives, each as (values, grad_fn names)."""
    grad = engine.autograd.grad
    leaves = [leaf(engine, a) for a in arrays]
    out = case.fn(engine, *leaves)
    upstream = engine.tensor(_w(seed, out.shape)).to(out.dtype)
    orders = []
    grads = grad(out, leaves, upstream, create_graph=True, allow_unused=True)
    for order in range(3):
        orders.append(([to_numpy(g) for g in grads], [_name(g) for g in grads],
                       [g is not None and g.requires_grad for g in grads]))
        terms = [(g * engine.tensor(_w(seed + order + 1 + i, g.shape))).sum()
                 for i, g in enumerate(grads) if g is not None and g.requires_grad]
        if not terms or order == 2:
            break
        grads = grad(sum(terms), leaves, create_graph=True, allow_unused=True)
    return orders


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.op)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_gradients_of_gradients_match_torch(case, data):
    arrays, seed = data.draw(case_inputs(case))
    torch_orders, core_orders = (derivatives(e, case, arrays, seed) for e in ENGINES.values())
    assert len(core_orders) == len(torch_orders)
    for order, ((t_values, t_names, t_req), (c_values, c_names, c_req)) in enumerate(
            zip(torch_orders, core_orders), start=1):
        assert c_req == t_req, f"order {order}: which gradients require grad"
        for c, t in zip(c_values, t_values):
            assert (c is None) == (t is None), f"order {order}: which inputs get no gradient"
            if t is not None:
                np.testing.assert_allclose(c, t, rtol=1e-4, atol=1e-4, err_msg=f"order {order}")
        if case.op not in OTHER_NAMES:
            assert c_names == t_names, f"order {order}: grad_fn names"


def test_every_named_difference_is_an_op():
    assert set(OTHER_NAMES) <= {c.op for c in CASES}


# 1-d functions: f(x), f'(x), f''(x), f'''(x) at hypothesis-drawn x, ops composed as a lesson does
FUNCTIONS = {
    "x**3": lambda T, x: x**3,
    "x**-2": lambda T, x: x**-2.0,
    "2**x": lambda T, x: 2**x,
    "x**x": lambda T, x: x**x,
    "exp(sin(x))": lambda T, x: T.exp(T.sin(x)),
    "log(x) * x": lambda T, x: T.log(x) * x,
    "tanh(x)": lambda T, x: T.tanh(x),
    "sigmoid(x) / x": lambda T, x: T.sigmoid(x) / x,
    "sqrt(1 + x * x)": lambda T, x: T.sqrt(1 + x * x),
    "cos(x) - 1 / x": lambda T, x: T.cos(x) - 1 / x,
    "relu(x) * x": lambda T, x: T.relu(x) * x,
    "abs(x) ** 3": lambda T, x: T.abs(x) ** 3,
    "clamp(x) ** 2": lambda T, x: x.clamp(-1, 1) ** 2,
    "norm([x, 2x])": lambda T, x: T.stack([x, 2 * x]).norm(),
    "std([x, x*x, 1])": lambda T, x: T.stack([x, x * x, x * 0 + 1]).std(),
    "mean(x * [1, 2])": lambda T, x: (x * T.tensor([1.0, 2.0])).mean() ** 2,
}


@pytest.mark.parametrize("name", FUNCTIONS)
@settings(max_examples=20, deadline=None)
@given(k=st.integers(int(0.25 * GRID), 3 * GRID), sign=st.sampled_from([1, -1]))
def test_derivatives_of_a_1d_function_match_torch(name, k, sign):
    x0 = np.float32(k / GRID) * (sign if name not in ("log(x) * x", "x**x") else 1)
    results = {}
    for engine_name, engine in ENGINES.items():
        x = leaf(engine, x0)
        values, names = [FUNCTIONS[name](engine, x)], []
        for order in range(3):
            if not values[-1].requires_grad:
                break
            (d,) = engine.autograd.grad(values[-1], x, create_graph=order < 2, allow_unused=True)
            if d is None:
                break
            values.append(d)
            names.append(_name(d))
        results[engine_name] = [v.detach().item() for v in values], names
    (t_values, t_names), (c_values, c_names) = results["torch"], results["autograd_core"]
    np.testing.assert_allclose(c_values, t_values, rtol=1e-4, atol=1e-4)
    assert c_names == t_names


def test_a_newton_step_matches_torch():
    """x <- x - f'(x) / f''(x) for f(x) = x**4 - 3x, both derivatives by autograd."""
    steps = {}
    for name, T in ENGINES.items():
        x = T.tensor(2.0, requires_grad=True)
        for _ in range(5):
            (d1,) = T.autograd.grad(x**4 - 3 * x, x, create_graph=True)
            (d2,) = T.autograd.grad(d1, x)
            with T.no_grad():
                x -= d1 / d2
        steps[name] = x.item()
    assert steps["autograd_core"] == pytest.approx(steps["torch"], rel=1e-6)
    assert steps["torch"] == pytest.approx(0.75 ** (1 / 3), rel=1e-6)


def test_a_hessian_vector_product_needs_no_hessian():
    """Hv = grad(<grad f, v>): for f = sum(x**3 * w) that is 6 x w v, elementwise."""
    rng = np.random.default_rng(0)
    x0, w0, v0 = (rng.integers(-64, 64, 5).astype(np.float32) / 16 for _ in range(3))
    for T in ENGINES.values():
        x = leaf(T, x0)
        (g,) = T.autograd.grad((x**3 * T.tensor(w0)).sum(), x, create_graph=True)
        (hv,) = T.autograd.grad(g, x, T.tensor(v0))
        np.testing.assert_allclose(to_numpy(hv), 6 * x0 * w0 * v0, rtol=1e-5)


def test_the_first_order_path_records_nothing():
    import autograd_core as core

    x = core.tensor([1.0, 2.0], requires_grad=True)
    (g,) = core.autograd.grad((x**3).sum(), x)
    (x**3).sum().backward()
    assert g.grad_fn is None and not g.requires_grad
    assert x.grad.grad_fn is None and not x.grad.requires_grad
