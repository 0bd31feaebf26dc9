"""Families of torch behaviour a learner meets, each checked whole against real torch.

dtype promotion over every pair of operand kinds and every arithmetic operator; torch's verbatim
errors over hypothesis-drawn shapes (broadcasting, indexing); what may be assigned to .grad,
.data and requires_grad; numpy's floating-point warnings, which torch never gives.
"""

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .engines import ENGINES, strip

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
OPERATORS = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b, "//": lambda a, b: a // b, "%": lambda a, b: a % b,
    "**": lambda a, b: a**b, "==": lambda a, b: a == b, "<": lambda a, b: a < b,
}


def operand(engine, kind):
    """One operand of a kind: a tensor of a dtype (1-d or 0-d), a Python or a numpy scalar."""
    if kind.startswith(("tensor", "scalar tensor")):
        dtype = getattr(engine, kind.split()[-1])
        values = [True, True] if kind.endswith("bool") else [3, 2]
        return engine.tensor(values if kind.startswith("tensor") else values[0], dtype=dtype)
    return {"True": True, "2": 2, "2.5": 2.5, "np.float64(2.5)": np.float64(2.5),
            "np.float32(2.5)": np.float32(2.5), "np.int64(2)": np.int64(2)}[kind]


TENSOR_KINDS = [f"tensor {d}" for d in DTYPES] + [f"scalar tensor {d}" for d in DTYPES]
SCALAR_KINDS = ["True", "2", "2.5", "np.float64(2.5)", "np.float32(2.5)", "np.int64(2)"]


def outcome(engine, operator, left, right):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = OPERATORS[operator](operand(engine, left), operand(engine, right))
    except Exception as error:  # noqa: BLE001 -- the error is the outcome to compare
        return f"{type(error).__name__}: {strip(str(error))}"
    if not hasattr(result, "dtype") or not hasattr(result, "tolist"):
        return f"{type(result).__name__}: {result!r}"
    return f"{result.dtype} {np.round(np.asarray(result.tolist(), dtype=float), 3).tolist()}"


@pytest.mark.parametrize("operator", OPERATORS)
def test_dtype_promotion_matches_torch_for_every_pair_of_operands(operator):
    """Every tensor kind with every tensor or scalar kind, on both sides: dtype and values."""
    pairs = [(a, b) for a in TENSOR_KINDS for b in TENSOR_KINDS + SCALAR_KINDS]
    pairs += [(b, a) for a in TENSOR_KINDS for b in SCALAR_KINDS]
    differences = []
    for left, right in pairs:
        expected, got = (outcome(e, operator, left, right) for e in ENGINES.values())
        if got != expected:
            differences.append(f"{left} {operator} {right}: torch {expected!r}, core {got!r}")
    assert not differences, f"{len(differences)} of {len(pairs)} differ:\n" + "\n".join(
        differences[:20])


def test_reductions_and_conversions_of_every_dtype_match_torch():
    calls = {"sum": lambda t: t.sum(), "mean": lambda t: t.mean(), "float": lambda t: t.float(),
             "double": lambda t: t.double(), "long": lambda t: t.long(), "int": lambda t: t.int(),
             "bool": lambda t: t.bool(), "max": lambda t: t.max(), "neg": lambda t: -t,
             "abs": lambda t: t.abs()}
    differences = []
    for kind, (name, call) in itertools.product(TENSOR_KINDS, calls.items()):
        results = []
        for engine in ENGINES.values():
            try:
                t = operand(engine, kind)
                r = call(t)
                results.append(f"{r.dtype} {r.tolist()} same={r is t}")
            except Exception as error:  # noqa: BLE001
                results.append(f"{type(error).__name__}: {strip(str(error))}")
        if results[0] != results[1]:
            differences.append(f"{name}({kind}): torch {results[0]!r}, core {results[1]!r}")
    assert not differences, "\n".join(differences)


def _error(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except Exception as error:  # noqa: BLE001
        return type(error).__name__, strip(str(error))
    return None


@st.composite
def clashing_shapes(draw):
    """Two shapes that do not broadcast: at least one dim where both sizes differ and exceed 1."""
    shape = list(draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)))
    other = list(draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)))
    at = draw(st.integers(1, min(len(shape), len(other))))
    shape[-at], other[-at] = draw(st.sampled_from([(2, 3), (3, 2), (4, 2), (2, 4), (3, 4)]))
    return tuple(shape), tuple(other)


@settings(max_examples=60, deadline=None)
@given(shapes=clashing_shapes(), operator=st.sampled_from(["+", "-", "*", "/"]))
def test_broadcasting_errors_match_torch(shapes, operator):
    a, b = shapes
    errors = [_error(OPERATORS[operator], e.ones(a), e.ones(b)) for e in ENGINES.values()]
    assert errors[0] is not None and errors[1] == errors[0]


@settings(max_examples=60, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), data=st.data())
def test_index_errors_name_the_right_dimension(shape, data):
    dims = data.draw(st.integers(1, len(shape)))
    index = [data.draw(st.one_of(st.integers(-shape[d], shape[d] - 1), st.just(slice(None))))
             for d in range(dims)]
    bad = data.draw(st.integers(0, dims - 1))
    index[bad] = data.draw(st.sampled_from([shape[bad], shape[bad] + 2, -shape[bad] - 1]))
    errors = [_error(e.ones(shape).__getitem__, tuple(index)) for e in ENGINES.values()]
    assert errors[0] is not None and errors[1] == errors[0]


GRADS = {
    "same": lambda T: T.ones(2), "shape": lambda T: T.ones(3), "0-d": lambda T: T.tensor(1.0),
    "list": lambda T: [1.0, 2.0], "number": lambda T: 2.0, "None": lambda T: None,
    **{d: (lambda T, d=d: T.ones(2, dtype=getattr(T, d))) for d in DTYPES},
}


@pytest.mark.parametrize("value", GRADS)
@pytest.mark.parametrize("leaf", [True, False])
def test_what_can_be_assigned_to_grad(value, leaf):
    results = []
    for T in ENGINES.values():
        x = T.ones(2, requires_grad=True)
        target = x if leaf else x * 2
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a non-leaf's .grad warns; compared elsewhere
            results.append(_error(setattr, target, "grad", GRADS[value](T)) or repr(target.grad))
    assert results[1] == results[0]


DOORS = {
    "setter": lambda t, v: setattr(t, "requires_grad", v),
    "method": lambda t, v: t.requires_grad_(v),
    "factory": None,
}


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("kind", ["int64", "int32", "uint8", "bool", "float32", "float64",
                                  "non-leaf"])
@pytest.mark.parametrize("value", [True, False])
def test_every_door_to_requires_grad(door, kind, value):
    results = []
    for T in ENGINES.values():
        if door == "factory":
            dtype = getattr(T, kind if kind != "non-leaf" else "float32")
            results.append(_error(T.ones, 2, dtype=dtype, requires_grad=value))
            continue
        if kind == "non-leaf":
            t = T.ones(2, requires_grad=True) * 2
        else:
            t = T.ones(2, dtype=getattr(T, kind))
        results.append(_error(DOORS[door], t, value) or (t.requires_grad, t.is_leaf))
    assert results[1] == results[0]


FP_EDGES = {  # each would make numpy warn
    "log 0": lambda T: T.tensor([0.0, 1.0], requires_grad=True).log(),
    "1 / 0": lambda T: 1 / T.tensor([0.0, 1.0], requires_grad=True),
    "0 / 0": lambda T: T.tensor([0.0]) / T.tensor([0.0], requires_grad=True),
    "exp overflow": lambda T: T.tensor([100.0], requires_grad=True).exp(),
    "sqrt -1": lambda T: T.tensor([-1.0, 0.0], requires_grad=True).sqrt(),
    "square overflow": lambda T: T.tensor([1e30], requires_grad=True) ** 2,
    "product overflow": lambda T: T.tensor([1e30], requires_grad=True) * 1e30,
    "norm of 0": lambda T: T.zeros(3, requires_grad=True).norm(),
    "sigmoid -200": lambda T: T.tensor([-200.0], requires_grad=True).sigmoid(),
}


@pytest.mark.parametrize("edge", FP_EDGES)
def test_no_floating_point_warnings_reach_the_student(edge):
    """torch is silent at 0/0, log(0), overflow, forward and backward: so is autograd_core."""
    outcomes = []
    for T in ENGINES.values():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            getattr(T, "_silence_numpy_warnings", lambda: None)()  # as importing it does
            y = FP_EDGES[edge](T)
            y.sum().backward()
            leaves = [y] + [n.variable for n, _ in y.grad_fn.next_functions
                            if n is not None and hasattr(n, "variable")]
        outcomes.append(([repr(t.detach()) for t in leaves],
                         [repr(t.grad) for t in leaves[1:]], [str(w.message) for w in caught]))
    assert outcomes[1] == outcomes[0]
