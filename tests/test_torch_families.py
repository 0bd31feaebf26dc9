"""Families of torch behaviour a learner meets, each checked whole against real torch.

dtype promotion over every pair of operand kinds and every arithmetic operator; torch's verbatim
errors over hypothesis-drawn shapes (broadcasting, indexing); what may be assigned to .grad,
.data and requires_grad; numpy's floating-point warnings, which torch never gives; the dtypes
autograd_core names but has no tensors of (bfloat16, complex: a plain NotImplementedError at every
door); in-place ops that would change their tensor's shape; matrix products of mixed dtypes;
iterating over a tensor (one UnbindBackward0, an output per element); empty tensors; x.T, x.mT,
x.H, x.mH, adjoint() and t() at every rank; views made under no_grad (requires_grad kept, writes
refused with grad mode on).
"""

import contextlib
import itertools
import json
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .engines import ENGINES, node_names

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
        return f"{type(error).__name__}: {str(error)}"
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
                results.append(f"{type(error).__name__}: {str(error)}")
        if results[0] != results[1]:
            differences.append(f"{name}({kind}): torch {results[0]!r}, core {results[1]!r}")
    assert not differences, "\n".join(differences)


def _error(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except Exception as error:  # noqa: BLE001
        return type(error).__name__, str(error)
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
@pytest.mark.parametrize("action", ["always", "error"])
def test_no_floating_point_warnings_reach_the_student(edge, action):
    """torch is silent at 0/0, log(0), overflow, forward and backward: so is autograd_core,
    even where the student has put a filter of their own first (after importing it)."""
    outcomes = []
    for T in ENGINES.values():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter(action)
            y = FP_EDGES[edge](T)
            y.sum().backward()
            leaves = [y] + [n.variable for n, _ in y.grad_fn.next_functions
                            if n is not None and hasattr(n, "variable")]
        outcomes.append(([repr(t.detach()) for t in leaves],
                         [repr(t.grad) for t in leaves[1:]], [str(w.message) for w in caught]))
    assert outcomes[1] == outcomes[0]


# -- dtypes autograd_core names but does not mirror (issue 10) -----------------------------------
UNMIRRORED = ["bfloat16", "complex64", "complex128", "cfloat", "cdouble"]


@pytest.mark.parametrize("name", UNMIRRORED + ["bool", "float16", "uint8", "int8", "float64"])
def test_dtype_names_and_properties_match_torch(name):
    described = [(repr(d), str(d), d.is_floating_point, d.is_complex, d.is_signed, d.itemsize)
                 for d in (getattr(engine, name) for engine in ENGINES.values())]
    assert described[1] == described[0]


def test_dtype_aliases_are_the_same_object():
    for engine in ENGINES.values():
        assert engine.cfloat is engine.complex64 and engine.cdouble is engine.complex128


# every way to a tensor of a dtype: torch makes one; autograd_core says plainly that it doesn't
DTYPE_DOORS = {
    "ones": lambda T, d, s: T.ones(s, dtype=d), "zeros": lambda T, d, s: T.zeros(s, dtype=d),
    "empty": lambda T, d, s: T.empty(s, dtype=d), "full": lambda T, d, s: T.full(s, 1.5, dtype=d),
    "eye": lambda T, d, s: T.eye(max(s + (1,)), dtype=d),
    "tensor": lambda T, d, s: T.tensor(np.ones(s).tolist(), dtype=d),
    "linspace": lambda T, d, s: T.linspace(0, 1, 3, dtype=d), "randn": lambda T, d, s: T.randn(s, dtype=d),
    "rand": lambda T, d, s: T.rand(s, dtype=d), "ones_like": lambda T, d, s: T.ones_like(T.ones(s), dtype=d),
    "zeros_like": lambda T, d, s: T.zeros_like(T.ones(s), dtype=d),
    "full_like": lambda T, d, s: T.full_like(T.ones(s), 2, dtype=d),
    "to": lambda T, d, s: T.ones(s).to(d), "to(dtype=)": lambda T, d, s: T.ones(s).to(dtype=d),
    "type": lambda T, d, s: T.ones(s).type(d),
    "method": lambda T, d, s: getattr(T.ones(s), {"bfloat16": "bfloat16", "complex64": "cfloat",
                                                  "complex128": "cdouble"}[str(d)[6:]])(),
}


@pytest.mark.parametrize("door", DTYPE_DOORS)
@pytest.mark.parametrize("name", UNMIRRORED)
@settings(max_examples=5, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=2, min_side=0, max_side=3))
def test_every_door_to_an_unmirrored_dtype_says_so(name, door, shape):
    made = DTYPE_DOORS[door](ENGINES["torch"], getattr(ENGINES["torch"], name), shape)
    assert made.dtype is getattr(ENGINES["torch"], name)  # torch makes one: a real door
    core = ENGINES["autograd_core"]
    with pytest.raises(NotImplementedError, match=f"autograd_core does not mirror .*{made.dtype}"):
        DTYPE_DOORS[door](core, getattr(core, name), shape)


# Python and numpy complex numbers lead to complex tensors in torch
COMPLEX_DOORS = {
    "x * 1j": lambda T: T.ones(2) * 1j, "1j - x": lambda T: 1j - T.ones(2),
    "x / 1j": lambda T: T.ones(2) / 1j, "x ** 1j": lambda T: T.ones(2) ** 1j,
    "2j ** x": lambda T: 2j ** T.ones(2), "tensor([1 + 2j])": lambda T: T.tensor([1 + 2j]),
    "tensor(1j)": lambda T: T.tensor(1j), "tensor(complex array)": lambda T: T.tensor(np.array([1j])),
    "as_tensor": lambda T: T.as_tensor(np.array([1j])),
    "from_numpy": lambda T: T.from_numpy(np.array([1j], np.complex64)),
    "full": lambda T: T.full((2,), 1j), "where": lambda T: T.where(T.tensor([True, False]), T.ones(2), 1j),
    "requires grad": lambda T: T.ones(2, requires_grad=True) * 1j,
}


@pytest.mark.parametrize("door", COMPLEX_DOORS)
def test_complex_numbers_lead_to_a_plain_not_implemented(door):
    assert ENGINES["torch"].is_complex(COMPLEX_DOORS[door](ENGINES["torch"]))
    with pytest.raises(NotImplementedError, match="autograd_core does not mirror complex tensors"):
        COMPLEX_DOORS[door](ENGINES["autograd_core"])


# -- in-place ops cannot grow their tensor (issue 10) ----------------------------------------------
INPLACE = {
    "add_": lambda a, b: a.add_(b), "sub_": lambda a, b: a.sub_(b, alpha=2),
    "mul_": lambda a, b: a.mul_(b), "div_": lambda a, b: a.div_(b), "copy_": lambda a, b: a.copy_(b),
    "+=": lambda a, b: a.__iadd__(b), "-=": lambda a, b: a.__isub__(b),
    "*=": lambda a, b: a.__imul__(b), "/=": lambda a, b: a.__itruediv__(b),
}


def _inplace_outcome(engine, op, shape, other_shape, grad):
    target = engine.ones(shape, requires_grad=grad) * 2 if grad else engine.ones(shape) * 2
    other = engine.full(other_shape, 4.0)
    try:
        result = INPLACE[op](target, other)
    except Exception as error:  # noqa: BLE001 -- the error is the outcome to compare
        return type(error).__name__, str(error)
    return repr(result), result is target


@settings(max_examples=40, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       op=st.sampled_from(sorted(INPLACE)), grad=st.booleans())
def test_inplace_ops_that_would_change_the_shape_fail_as_torch(shapes, op, grad):
    shape, other = shapes.input_shapes
    outcomes = [_inplace_outcome(e, op, shape, other, grad) for e in ENGINES.values()]
    assert outcomes[1] == outcomes[0]


@settings(max_examples=30, deadline=None)
@given(shapes=clashing_shapes(), op=st.sampled_from(sorted(INPLACE)))
def test_inplace_ops_on_shapes_that_do_not_broadcast_fail_as_torch(shapes, op):
    outcomes = [_inplace_outcome(e, op, *shapes, False) for e in ENGINES.values()]
    assert outcomes[0][0] == "RuntimeError" and outcomes[1] == outcomes[0]


def test_the_inplace_rule_sees_a_growing_tensor():
    assert "doesn't match the broadcast shape [2, 3]" in _inplace_outcome(
        ENGINES["autograd_core"], "add_", (3,), (2, 3), False)[1]


# -- matrix products of mixed dtypes (issue 10) --------------------------------------------------
PRODUCTS = {
    "dot": lambda T, a, b: T.dot(a, b), "mv": lambda T, a, b: T.mv(a, b), "mm": lambda T, a, b: T.mm(a, b),
    "matmul": lambda T, a, b: T.matmul(a, b), "@": lambda T, a, b: a @ b,
}
PRODUCT_SHAPES = {"dot": [((3,), (3,))], "mv": [((2, 3), (3,))], "mm": [((2, 3), (3, 2))],
                  "matmul": [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 2))],
                  "@": [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 2))]}


def _product_outcome(engine, op, shapes, dtypes):
    a, b = (engine.ones(s, dtype=getattr(engine, d)) for s, d in zip(shapes, dtypes))
    try:
        result = PRODUCTS[op](engine, a, b)
    except Exception as error:  # noqa: BLE001
        return type(error).__name__, str(error)
    return repr(result.dtype), result.tolist()


@pytest.mark.parametrize("op", PRODUCTS)
def test_matrix_products_of_every_pair_of_dtypes_match_torch(op):
    differences = []
    for shapes in PRODUCT_SHAPES[op]:
        for pair in itertools.product(DTYPES, repeat=2):
            expected, got = (_product_outcome(e, op, shapes, pair) for e in ENGINES.values())
            if got != expected:
                differences.append(f"{op} {shapes} {pair}: torch {expected!r}, core {got!r}")
    assert not differences, "\n".join(differences[:10])


@settings(max_examples=60, deadline=None)
@given(op=st.sampled_from(sorted(PRODUCTS)), data=st.data())
def test_matrix_product_errors_come_in_torchs_order(op, data):
    """Mismatched sizes, dimensions and dtypes at once: the same error comes first."""
    ndims = {"dot": (1, 1), "mv": (2, 1), "mm": (2, 2)}.get(op) or data.draw(
        st.sampled_from([(1, 1), (2, 1), (1, 2), (2, 2)]))
    ndims = data.draw(st.sampled_from([ndims, (ndims[0], 3 - ndims[1]), (1, 1)]))
    shapes = [tuple(data.draw(st.integers(1, 3)) for _ in range(n)) for n in ndims]
    pair = data.draw(st.sampled_from([("float32", "float32"), ("float32", "float64"),
                                      ("int64", "float32"), ("bool", "bool")]))
    outcomes = [_product_outcome(e, op, shapes, pair) for e in ENGINES.values()]
    assert outcomes[1] == outcomes[0]


# -- iterating over a tensor: one UnbindBackward0 with an output per element (issue 10) ---------
def _graph_of(engine, shape, picks, leaf_input):
    """Iterate a tensor, combine some of its rows: what the graph looks like, and the grads."""
    x = engine.arange(float(np.prod(shape))).reshape(shape).requires_grad_()
    source = x if leaf_input else x * 1
    rows = list(source)
    nodes = []  # the distinct grad_fn objects, by first appearance: the structure to compare
    described = []
    for r in rows:
        if all(r.grad_fn is not n for n in nodes):
            nodes.append(r.grad_fn)
        described.append((r.grad_fn.name(), [n is r.grad_fn for n in nodes].index(True),
                          r.output_nr, [(f and f.name(), k) for f, k in r.grad_fn.next_functions]))
    total = sum((rows[i] * rows[i] * (k + 1)).sum() for k, i in enumerate(picks))
    used = [(f and f.name(), k) for f, k in (rows[picks[0]] * 2).grad_fn.next_functions]
    (g,) = engine.autograd.grad(total, x, create_graph=True)
    (h,) = engine.autograd.grad(g.sum(), x)  # through the gradient's own graph
    return (described, used, g.tolist(), g.grad_fn and g.grad_fn.name(), h.tolist(),
            engine.unbind(source, -1)[0].grad_fn.name())


@settings(max_examples=30, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), leaf_input=st.booleans(),
       data=st.data())
def test_iterating_a_tensor_records_what_torch_records(shape, leaf_input, data):
    picks = data.draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=4))
    graphs = [_graph_of(e, shape, picks, leaf_input) for e in ENGINES.values()]
    assert graphs[1] == graphs[0]


def test_one_unbind_node_serves_every_element():
    for engine in ENGINES.values():
        rows = list(engine.ones(3, 2, requires_grad=True) * 1)
        assert rows[0].grad_fn is rows[2].grad_fn and [r.output_nr for r in rows] == [0, 1, 2]


# -- empty tensors: made, printed, reduced (issue 10) --------------------------------------------
EMPTY_CALLS = {
    "zeros": lambda T, s: T.zeros(s), "empty": lambda T, s: T.empty(s),
    "ones int": lambda T, s: T.ones(s, dtype=T.int64), "zeros bool": lambda T, s: T.zeros(s, dtype=T.bool),
    "float64": lambda T, s: T.zeros(s, dtype=T.float64),
    "requires grad": lambda T, s: T.zeros(s, requires_grad=True),
    "op": lambda T, s: T.zeros(s, requires_grad=True) * 2,
    "sum": lambda T, s: T.zeros(s).sum(), "mean": lambda T, s: T.zeros(s).mean(),
    "int sum": lambda T, s: T.zeros(s, dtype=T.int64).sum(), "std": lambda T, s: T.zeros(s).std(),
    "norm": lambda T, s: T.zeros(s).norm(), "max": lambda T, s: T.zeros(s).max(),
    "reshape(-1)": lambda T, s: T.zeros(s).reshape(-1), "flatten": lambda T, s: T.zeros(s).flatten(),
    "tolist": lambda T, s: T.zeros(s).tolist(), "list": lambda T, s: list(T.zeros(s)),
    "exp": lambda T, s: T.zeros(s).exp(), "numel": lambda T, s: T.zeros(s).numel(),
    "shape": lambda T, s: T.zeros(s).shape, "all": lambda T, s: T.zeros(s).all(),
    "any": lambda T, s: T.zeros(s).any(), "argmax": lambda T, s: T.zeros(s).argmax(),
    "tensor of lists": lambda T, s: T.tensor(np.zeros(s).tolist()),
    "zeros_like": lambda T, s: T.zeros_like(T.zeros(s)),
    **{f"{name}(dim={d})": (lambda T, s, name=name, d=d: getattr(T.zeros(s), name)(d))
       for name in ("sum", "mean", "max", "min") for d in (0, -1)},
    "mean(dim=all)": lambda T, s: T.zeros(s).mean(dim=tuple(range(len(s)))),
    "grad of sum": lambda T, s: _grad_of(T, s, lambda t: t.sum()),
    "grad of mean": lambda T, s: _grad_of(T, s, lambda t: t.mean()),
    "grad of mean(0)": lambda T, s: _grad_of(T, s, lambda t: t.mean(0).sum()),
    "grad of std": lambda T, s: _grad_of(T, s, lambda t: t.std()),
}


def _grad_of(T, shape, f):
    x = T.zeros(shape, requires_grad=True)
    f(x).backward()
    return x.grad


def _empty_outcome(engine, call, shape):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(engine, "_silence_numpy_warnings", lambda: None)()  # as importing it does
        try:
            result = repr(EMPTY_CALLS[call](engine, shape))
        except Exception as error:  # noqa: BLE001
            result = f"{type(error).__name__}: {str(error)}"
    return result, [(w.category.__name__, str(w.message)) for w in caught]


@st.composite
def empty_shapes(draw):
    shape = list(draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)))
    shape[draw(st.integers(0, len(shape) - 1))] = 0
    return tuple(shape)


@pytest.mark.parametrize("call", EMPTY_CALLS)
@settings(max_examples=8, deadline=None)
@given(shape=empty_shapes())
def test_empty_tensors_match_torch(call, shape):
    outcomes = [_empty_outcome(e, call, shape) for e in ENGINES.values()]
    assert outcomes[1] == outcomes[0]


@pytest.mark.parametrize("values", [[], [2.5]])
def test_std_of_fewer_than_two_values_warns_as_torch(values):
    outcomes = []
    for engine in ENGINES.values():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            x = engine.tensor(values, requires_grad=True)
            s = x.std()
            s.backward()
        outcomes.append((repr(s), repr(x.grad), [str(w.message) for w in caught]))
    assert outcomes[1] == outcomes[0] and "degrees of freedom" in outcomes[0][2][0]


TRANSPOSES = {"T": lambda x: x.T, "mT": lambda x: x.mT, "H": lambda x: x.H,
              "mH": lambda x: x.mH, "adjoint": lambda x: x.adjoint(),
              "t": lambda x: x.t(), "transpose(0, -1)": lambda x: x.transpose(0, -1)}


def _transpose_outcome(engine, name, shape, leaf):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns once per process: compared apart, below
        x = engine.arange(float(np.prod(shape))).reshape(shape).requires_grad_(leaf)
        try:
            y = TRANSPOSES[name](x)
            y.sum().backward() if y.requires_grad else None
        except Exception as error:  # noqa: BLE001 -- the error is the outcome to compare
            return f"{type(error).__name__}: {str(error)}"
    return (repr(y), y is x, y.is_leaf, y.grad_fn and y.grad_fn.name(),
            x.grad is not None and x.grad.tolist())


@pytest.mark.parametrize("name", TRANSPOSES)
@pytest.mark.parametrize("ndim", range(5))
@pytest.mark.parametrize("leaf", [True, False])
def test_every_transpose_of_every_rank_matches_torch(name, ndim, leaf):
    shape = (2, 3, 1, 2)[:ndim]
    outcomes = [_transpose_outcome(e, name, shape, leaf) for e in ENGINES.values()]
    assert outcomes[1] == outcomes[0]


TRANSPOSE_WARNINGS = """
import json, sys, warnings
engine = __import__(sys.argv[1])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for name in ("T", "mT", "H", "mH", "T", "mT", "H", "mH"):
        getattr(engine.ones(()), name)
    engine.ones(()).adjoint(), engine.ones(()).adjoint()
    engine.ones(2).T, engine.ones(2, 1, 3).T
print(json.dumps([[w.category.__name__, str(w.message)] for w in caught]))
"""


def test_transposes_warn_as_torch_once_per_process():
    outcomes = {}
    for name in ENGINES:
        out = subprocess.run([sys.executable, "-c", TRANSPOSE_WARNINGS, name], check=True,
                             capture_output=True, text=True).stdout
        outcomes[name] = [(kind, message) for kind, message in json.loads(out)]
    assert outcomes["autograd_core"] == outcomes["torch"] and len(outcomes["torch"]) == 6


NO_GRAD_VIEWS = {"slice": lambda b: b[:2], "select": lambda b: b[0], "view": lambda b: b.view(9),
                 "transpose": lambda b: b.t(), "unsqueeze": lambda b: b.unsqueeze(0),
                 "expand": lambda b: b[:1].expand(3, 3), "view of a view": lambda b: b[1:][0]}
WRITES = {"add_": lambda v: v.add_(1), "mul_": lambda v: v.mul_(2), "zero_": lambda v: v.zero_(),
          "+=": lambda v: v.__iadd__(1), "fill_": lambda v: v.fill_(3), "copy_": lambda v: v.copy_(v * 0),
          "[0] =": lambda v: v.__setitem__(0, 7), "[:1] =": lambda v: v.__setitem__(slice(0, 1), 7),
          "[mask] =": lambda v: v.__setitem__(v > 0, 7), "detach_": lambda v: v.detach_()}


def _no_grad_view_outcome(engine, view, write, base_is_leaf, write_under_no_grad):
    x = engine.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], requires_grad=True)
    base = x if base_is_leaf else x * 1
    with engine.no_grad():
        v = NO_GRAD_VIEWS[view](base)
    seen = [repr(v), v.is_leaf, v.grad_fn]
    if view != "expand":  # (writing into an expanded view is its own family)
        try:
            with engine.no_grad() if write_under_no_grad else contextlib.nullcontext():
                WRITES[write](v)
            seen.append(repr(x))
        except RuntimeError as error:
            seen.append(f"RuntimeError: {str(error)}")
    try:  # using the view after a write into its memory (torch refuses, with grad mode on)
        out = (v * 2).sum() if v.requires_grad else None
        if out is not None and out.grad_fn is not None:
            out.backward()
            seen += [out.grad_fn.next_functions[0][0].next_functions, x.grad, v.grad]
    except RuntimeError as error:
        seen += [f"RuntimeError: {str(error)}", repr(v)]
    return repr(seen)


@pytest.mark.parametrize("view", NO_GRAD_VIEWS)
@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("base_is_leaf", [True, False])
@pytest.mark.parametrize("write_under_no_grad", [False, True])
def test_views_made_under_no_grad_match_torch(view, write, base_is_leaf, write_under_no_grad):
    outcomes = [_no_grad_view_outcome(e, view, write, base_is_leaf, write_under_no_grad)
                for e in ENGINES.values()]
    assert outcomes[1] == outcomes[0]


BASIC_INDICES = ["[:, 0:10]", "[:, -3:]", "[:, 0:3:1]", "[:, 0:]", "[:, :3]", "[0:2, :]",
                 "[:, :, None]", "[..., :]", "[:, ...]", "[0, :]", "[...]", "[None, :]",
                 "[(slice(None),)]", "[:2]", "[::1]", "[:, ::2]", "[1:, :]", "[:, :]", "[0, ..., 1]"]


@pytest.mark.parametrize("index", BASIC_INDICES)
@pytest.mark.parametrize("leaf", [True, False])
def test_basic_indexing_records_what_torch_records(index, leaf):
    """torch skips a slice over a whole dim inside a tuple index (never a slice alone), and a
    view of all of x is an AliasBackward0."""
    outcomes = []
    for engine in ENGINES.values():
        x = engine.ones(2, 3, requires_grad=leaf)
        y = eval(f"x{index}")  # noqa: S307  (the index as a learner writes it)
        y.sum().backward() if leaf else None
        outcomes.append((y.grad_fn and y.grad_fn.name(), tuple(y.shape), y._base is x,
                         x.grad is not None and x.grad.tolist()))
    assert outcomes[1] == outcomes[0]


VIEWS = {"[0]": lambda y: y[0], "[:, 1:]": lambda y: y[:, 1:], "t()": lambda y: y.t(),
         "view(-1)": lambda y: y.view(-1), "[1:][0]": lambda y: y[1:][0],
         "unsqueeze(0)": lambda y: y.unsqueeze(0), "transpose[1:]": lambda y: y.transpose(0, 1)[1:]}
VIEW_WRITES = {
    "view.mul_(w)": lambda y, v, w: v.mul_(w[0, 0]),
    "view.add_(1)": lambda y, v, w: v.add_(1),
    "view[0] = w": lambda y, v, w: v.__setitem__(0, w[1, 1]) if v.ndim else v.mul_(2),
    "view.zero_()": lambda y, v, w: v.zero_(),
    "base.mul_(w)": lambda y, v, w: y.mul_(w),
    "base[1] = 5": lambda y, v, w: y.__setitem__(1, 5.0),
    "sibling.mul_(3)": lambda y, v, w: y[:, :2].mul_(3),
    "base under no_grad": lambda y, v, w: _under_no_grad(y),
}


def _under_no_grad(y):
    with _engine_of(y).no_grad():
        y.mul_(2)


def _engine_of(t):
    return next(engine for engine in ENGINES.values() if isinstance(t, engine.Tensor))


def _written_view_outcome(engine, view, write):
    x = engine.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    w = engine.tensor([[0.5, -1.0, 2.0], [3.0, 0.25, -2.0]], requires_grad=True)
    y = x * 1
    v = VIEWS[view](y)
    VIEW_WRITES[write](y, v, w)
    seen = [repr(v), repr(y), node_names(v), node_names(y), v._version]
    ((v * v).sum() + (y * y * y).sum()).backward()
    return repr(seen + [x.grad, w.grad])


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("write", VIEW_WRITES)
def test_writing_into_a_view_or_its_base_matches_torch(view, write):
    """A write into a view rewrites its base's graph (CopySlices), and a view whose memory was
    written since it was made gets an AsStridedBackward0: the gradients follow the writes."""
    outcomes = [_written_view_outcome(e, view, write) for e in ENGINES.values()]
    assert outcomes[1] == outcomes[0]


EXPANDED_WRITES = {
    "zero_": lambda e, w: e.zero_(), "fill_": lambda e, w: e.fill_(2.0),
    "add_": lambda e, w: e.add_(1), "mul_": lambda e, w: e.mul_(w), "+=": lambda e, w: e.__iadd__(1),
    "copy_": lambda e, w: e.copy_(e * 0), "[0] =": lambda e, w: e.__setitem__(0, 5.0),
    "[1] = w": lambda e, w: e.__setitem__(1, w),
    "[:, 0] =": lambda e, w: e.__setitem__((slice(None), 0), 7.0),
    "[...] =": lambda e, w: e.__setitem__(Ellipsis, 4.0),
}


def _expanded_write_outcome(engine, write, grad):
    w = engine.tensor([0.5, 2.0, -1.0], requires_grad=grad)
    x = engine.tensor([1.0, 2.0, 3.0], requires_grad=grad)
    base = x * 1 if grad else x
    e = base.expand(2, 3)
    try:
        EXPANDED_WRITES[write](e, w)
    except RuntimeError as error:
        return f"RuntimeError: {str(error)}", repr(x)
    seen = [repr(e), repr(base), node_names(base), node_names(e)]
    if grad:
        try:  # (a fill is written, but its gradient can't go back through shared memory)
            ((e * e).sum() + base.sum()).backward()
            seen += [x.grad, w.grad]
        except RuntimeError as error:
            seen.append(f"RuntimeError: {str(error)}")
    return repr(seen)


@pytest.mark.parametrize("write", EXPANDED_WRITES)
@pytest.mark.parametrize("grad", [False, True])
def test_writing_into_an_expanded_tensor_matches_torch(write, grad):
    """torch fills an expanded tensor and writes through a row of it, but refuses any write
    where two written elements share memory."""
    outcomes = [_expanded_write_outcome(e, write, grad) for e in ENGINES.values()]
    assert outcomes[1] == outcomes[0]


def test_writing_by_mask_into_an_expanded_tensor_is_refused_plainly():
    import autograd_core

    e = autograd_core.ones(3).expand(2, 3)
    with pytest.raises(NotImplementedError, match="does not mirror writing by a mask"):
        e[e > 0] = 9.0


NODE_CALLS = {"x * 3": lambda x, w, c: x * 3, "c * x": lambda x, w, c: c * x,
              "x * w": lambda x, w, c: x * w, "x + c": lambda x, w, c: x + c,
              "c / x": lambda x, w, c: c / x, "x ** c": lambda x, w, c: x ** c}


@pytest.mark.parametrize("op", NODE_CALLS)
@pytest.mark.parametrize("grad_mode", [True, False])
def test_calling_a_node_by_hand_gives_what_torchs_gives(op, grad_mode):
    """grad_fn(g): a gradient per input, None for one that needs none (a number, a constant)."""
    outcomes = []
    for T in ENGINES.values():
        x = T.tensor([1.0, 2.0], requires_grad=True)
        w, c = T.tensor([3.0, -1.0], requires_grad=True), T.tensor([2.0, 0.5])
        node = NODE_CALLS[op](x, w, c).grad_fn
        with T.set_grad_enabled(grad_mode):  # (called under no_grad: plain tensors)
            outcomes.append(repr(node(T.ones(2))))
    assert outcomes[1] == outcomes[0]


def test_a_non_leaf_in_backward_inputs_has_its_grad_and_no_warning():
    outcomes = []
    for T in ENGINES.values():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            x = T.ones(2, requires_grad=True)
            h = x * 2
            (h * h).sum().backward(inputs=[h])
            seen = [repr(h.grad), repr(x.grad), repr((x * 3).grad)]
        outcomes.append((seen, [str(w.message) for w in caught]))
    assert outcomes[1] == outcomes[0] and len(outcomes[0][1]) == 1  # (only the last .grad warns)


@pytest.mark.parametrize("mode", ["no_grad", "enable_grad", "inference_mode"])
def test_a_decorated_generator_runs_each_step_in_the_mode(mode):
    outcomes = []
    for T in ENGINES.values():
        decorate = getattr(T, mode)()

        @decorate
        def steps(n, T=T):
            for _ in range(n):
                got = yield (T.is_grad_enabled(), T.is_inference_mode_enabled())
                assert got is None
            return "done"

        with T.set_grad_enabled(mode != "enable_grad"):
            between = []
            for seen in steps(2):
                between.append((seen, T.is_grad_enabled()))
        outcomes.append(between)
    assert outcomes[1] == outcomes[0]


SETITEM_KEYS = {"[0]": 0, "[1:]": slice(1, None), "[:, 0]": (slice(None), 0), "[...]": Ellipsis,
                "[mask]": "mask", "[[0, 1]]": [0, 1], "[0, 1]": (0, 1)}
SETITEM_VALUES = {"number": lambda T, w: 2.5, "0-d": lambda T, w: w[0, 0],
                  "row": lambda T, w: w[0], "1 x row": lambda T, w: w[:1],
                  "1 x 1": lambda T, w: w[:1, :1], "same as the place": None}


@pytest.mark.parametrize("key", SETITEM_KEYS)
@pytest.mark.parametrize("value", SETITEM_VALUES)
def test_setitem_records_what_torch_records(key, value):
    """x[index] = v: the node (CopySlices, or IndexPutBackward0 for a mask or a list), how v
    gets there (a view without its leading 1s, an expand), and the gradients."""
    outcomes = []
    for T in ENGINES.values():
        x = T.tensor([[1.0, -2.0, 3.0], [-4.0, 5.0, 6.0]], requires_grad=True)
        w = T.tensor([[0.5, 1.5, -1.0], [2.0, -3.0, 0.25]], requires_grad=True)
        y = x * 1
        index = y < 0 if SETITEM_KEYS[key] == "mask" else SETITEM_KEYS[key]
        v = (w * 1)[index] if SETITEM_VALUES[value] is None else SETITEM_VALUES[value](T, w)
        try:
            y[index] = v
            (y * y).sum().backward()
            outcomes.append((node_names(y), repr(y), x.grad.tolist(),
                             w.grad.tolist() if w.grad is not None else None))
        except RuntimeError as error:
            outcomes.append(f"RuntimeError: {str(error)}")
    assert outcomes[1] == outcomes[0]


CONVERSIONS = {"long()": lambda x: x.long(), "int()": lambda x: x.int(), "bool()": lambda x: x.bool(),
               "short()": lambda x: x.short(), "byte()": lambda x: x.byte(),
               "to(int64)": lambda x: x.to(_engine_of(x).int64), "half()": lambda x: x.half(),
               "double()": lambda x: x.double(), "to(float32)": lambda x: x.to(_engine_of(x).float32)}


@pytest.mark.parametrize("conversion", CONVERSIONS)
@pytest.mark.parametrize("leaf", [True, False])
def test_converting_a_tensor_that_requires_grad_matches_torch(conversion, leaf):
    """To an integer or bool dtype: no gradient, so no node; to a float: ToCopyBackward0."""
    outcomes = []
    for T in ENGINES.values():
        x = T.tensor([1.5, -2.5, 0.0], requires_grad=True)
        y = CONVERSIONS[conversion](x if leaf else x * 1)
        outcomes.append((repr(y), y.requires_grad, y.is_leaf, node_names(y)))
    assert outcomes[1] == outcomes[0]


def _unary_methods():
    """The table's methods that torch calls with no argument (x.exp(), x.sum(), x.t())."""
    import torch

    import autograd_core

    names = {m for op in autograd_core.OPS.values() for m in (getattr(op, "methods", ()) or ())}
    unary = []
    for name in sorted(m for m in names if not m.startswith("_")):
        try:
            getattr(torch.ones(2, 2), name)()
        except TypeError:  # (a required argument: how torch words its absence is apart)
            continue
        except RuntimeError:  # (x.clamp(): torch refuses it whatever the dtype)
            pass
        unary.append(name)
    return unary


def _no_argument_outcome(engine, method, values):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return repr(getattr(engine.tensor(values), method)())
        except Exception as error:  # noqa: BLE001 -- the error is the outcome to compare
            return f"{type(error).__name__}: {str(error).splitlines()[0]}"


@pytest.mark.parametrize("method", _unary_methods())
@pytest.mark.parametrize("values", [[1, -2], [True, False], 3], ids=["int", "bool", "0-d int"])
def test_every_method_of_an_integer_or_bool_tensor_matches_torch(method, values):
    """exp, sqrt, sigmoid...: integers come out in the default float; the rest keep or refuse."""
    outcomes = [_no_argument_outcome(e, method, values) for e in ENGINES.values()]
    assert outcomes[1] == outcomes[0]


@st.composite
def expansions(draw):
    """A tensor's shape and a target for expand: often valid, often not, -1s included."""
    own = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))
    lead = draw(st.integers(-1, 2))
    target = [draw(st.integers(1, 3)) for _ in range(max(lead, 0))]
    own_part = own if lead >= 0 else own[1:]
    for n in own_part:
        target.append(draw(st.sampled_from([n, -1, 1, 2, 0, 4]) if n == 1 else
                           st.sampled_from([n, n, -1, n + 1, 1])))
    if target and draw(st.booleans()):
        target[0] = -1  # a -1 where there may be no dim to keep
    if not own:  # (torch's 0-d expand(-1) overflows a size computation: not a learner's door)
        target = [n for n in target if n != -1]
    return own, tuple(target)


@settings(max_examples=60, deadline=None)
@given(case=expansions())
def test_expand_matches_torch(case):
    own, target = case
    outcomes = []
    for T in ENGINES.values():
        try:
            y = T.ones(own, requires_grad=True).expand(*target) if target else None
            outcomes.append((tuple(y.shape), y.grad_fn.name()) if y is not None else None)
        except (RuntimeError, TypeError) as error:
            outcomes.append(f"{type(error).__name__}: {str(error)}")
    assert outcomes[1] == outcomes[0]


WHERES = ["T.where(x > 0, x, 0)", "T.where(x > 0, 1, 0)", "T.where(x > 0, 1.0, 0)",
          "T.where(x > 0, True, False)", "T.where(x > 0)", "T.where(x > 0, 0, x)",
          "T.where(x.reshape(3, 1) > 0, x, x.detach() * 2)", "T.where(x > 0, x.double(), 2)"]


@pytest.mark.parametrize("call", WHERES)
def test_where_with_numbers_and_alone_matches_torch(call):
    outcomes = []
    for T in ENGINES.values():
        x = T.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = eval(call)  # noqa: S307  (the call as a learner writes it)
        if isinstance(y, T.Tensor) and y.requires_grad:
            y.sum().backward()
        outcomes.append((repr(y), repr(x.grad)))
    assert outcomes[1] == outcomes[0]


STDS = ["x.std(0)", "x.std(dim=1)", "x.std(unbiased=False)", "x.std(correction=0)",
        "x.std(keepdim=True)", "x.std(1, keepdim=True)", "x.std(1, False)", "x.std(0, True, True)",
        "x.std((0, 1))", "x.std(dim=None, correction=2)", "x.std(0, correction=2)",
        "x.std(-1, unbiased=True, keepdim=True)", "T.std(x, 0)", "T.std(x, dim=1, correction=0)",
        "x.std(False)", "x[0, 0].std()", "x[0, 0].std(0)", "x.std([0])", "x.std(axis=0)"]


@pytest.mark.parametrize("call", STDS)
def test_every_way_to_call_std_matches_torch(call):
    """dim, unbiased, correction, keepdim: values, gradients and the degrees-of-freedom warning."""
    outcomes = []
    for T in ENGINES.values():
        x = T.tensor([[1.0, 2.0, 4.0], [3.0, 5.0, 9.0]], requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            y = eval(call)  # noqa: S307  (the call as a learner writes it)
            (y * T.arange(1.0, 1.0 + y.numel()).reshape(y.shape)).sum().backward()
        outcomes.append((repr(y), repr(x.grad), [str(w.message) for w in caught]))
    assert outcomes[1] == outcomes[0]


KEYWORDS = ["x.argmax(axis=1)", "x.argmax(dim=1, keepdim=True)", "x.argmin(1)", "T.argmax(x, dim=0)",
            "x.sum(dtype=T.float64)", "x.mean(dtype=T.float64)", "x.sum(0, dtype=T.float64)",
            "(x > 2).any(1)", "(x > 2).all(dim=0)", "(x > 2).any(dim=1, keepdim=True)",
            "x.flatten(1)", "T.flatten(x, start_dim=1)", "x.flatten(0, 1)", "x.flatten(-2, -1)",
            "x.reshape(shape=(3, 2))", "T.cat([x, x], axis=1)", "x.sum(T.tensor(1))",
            "x.squeeze((0, 1))",
            "x.unsqueeze(0).squeeze((0, 2))", "x.sum(())", "x.mean([])", "x.T.sum(axis=-1)",
            "x.max(axis=1)", "x.ndimension()", "T.tensor([1, 2]).sum(dtype=T.float32)",
            "T.tensor([1, 2]).mean(dtype=T.float32)", "T.tensor([3], dtype=T.uint8).any()"]


@pytest.mark.parametrize("call", KEYWORDS)
def test_torchs_keywords_and_aliases_are_accepted(call):
    """dim or numpy's axis, keepdim, dtype, start_dim: what torch accepts, with its graph."""
    outcomes = []
    for T in ENGINES.values():
        x = T.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]], requires_grad=True)
        y = eval(call)  # noqa: S307  (the call as a learner writes it)
        values = y[0] if isinstance(y, tuple) else y
        if isinstance(values, T.Tensor) and values.requires_grad:
            values.sum().backward()
        outcomes.append((repr(y), node_names(values) if isinstance(values, T.Tensor) else None,
                         repr(x.grad)))
    assert outcomes[1] == outcomes[0]


BROADCASTING_DOORS = {
    "**": lambda a, b: a**b, "pow": lambda a, b: a.pow(b), "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b, "<": lambda a, b: a < b, ">=": lambda a, b: a >= b,
    "//": lambda a, b: a // b, "%": lambda a, b: a % b, "clamp": lambda a, b: a.clamp(b, b),
    "&": lambda a, b: (a > 0) & (b > 0), "|": lambda a, b: (a > 0) | (b > 0),
    "maximum": lambda a, b: _engine_of(a).maximum(a, b),
    "where": lambda a, b: _engine_of(a).where(a > 0, a, b), "add_": lambda a, b: a.add_(b),
    "(a * 1).add_": lambda a, b: (a * 1).add_(b),
}


@pytest.mark.parametrize("door", BROADCASTING_DOORS)
@settings(max_examples=10, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4)
       | st.tuples(hnp.array_shapes(max_dims=3, max_side=4), hnp.array_shapes(max_dims=3, max_side=4)))
def test_every_binary_door_gives_torchs_broadcasting_error(door, shapes):
    a_shape, b_shape = shapes.input_shapes if hasattr(shapes, "input_shapes") else shapes
    outcomes = []
    for T in ENGINES.values():
        a, b = T.ones(a_shape, requires_grad=True), T.ones(b_shape) * 2
        try:
            outcomes.append(tuple(BROADCASTING_DOORS[door](a, b).shape))
        except RuntimeError as error:
            outcomes.append(f"RuntimeError: {str(error)}")
    assert outcomes[1] == outcomes[0]


def test_comparing_with_none_or_a_list_is_plain_python_as_in_torch():
    outcomes = []
    for T in ENGINES.values():
        x = T.tensor([5.0, -7.0])
        outcomes.append([x == None, x != None, x == [5.0, -7.0], x in [None], None == x])  # noqa: E711
    assert outcomes[1] == outcomes[0]


HOOK_RESULTS = {"a number": lambda g: 3, "float64": lambda g: g.double(), "int64": lambda g: g.long(),
                "a list": lambda g: [g], "another shape": lambda g: g.sum(), "twice": lambda g: g * 2,
                "None": lambda g: None}


@pytest.mark.parametrize("result", HOOK_RESULTS)
@pytest.mark.parametrize("where", ["leaf", "non-leaf", "node pre-hook", "node hook"])
def test_what_a_hook_returns_is_checked_as_torch_checks_it(result, where):
    outcomes = []
    for T in ENGINES.values():
        x = T.tensor([1.0, 2.0], requires_grad=True)
        hook = HOOK_RESULTS[result]
        t = x if where == "leaf" else x * 1
        y = t * 3
        if where in ("leaf", "non-leaf"):
            t.register_hook(hook)
        elif where == "node pre-hook":
            y.grad_fn.register_prehook(lambda grads, hook=hook: (hook(grads[0]),))
        else:
            y.grad_fn.register_hook(lambda grads, _, hook=hook: (hook(grads[0]), None))
        try:
            y.sum().backward()
            outcomes.append(repr(x.grad))
        except (TypeError, RuntimeError) as error:
            outcomes.append(f"{type(error).__name__}: {str(error)}")
    assert outcomes[1] == outcomes[0]


SPECIAL_VALUES = [0.0, -0.0, float("nan"), float("inf"), float("-inf"), 1.0, -1.0]
AT_SPECIAL_VALUES = {
    "relu": lambda x: x.relu(), "abs": lambda x: x.abs(), "sqrt": lambda x: x.sqrt(),
    "exp": lambda x: x.exp(), "log": lambda x: x.log(), "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(), "x**2": lambda x: x**2, "x**-1": lambda x: x**-1.0,
    "0**x": lambda x: 0**x, "2**x": lambda x: 2**x, "x**x": lambda x: x**x,
    "clamp": lambda x: x.clamp(-1, 1), "sin": lambda x: x.sin(), "1 / x": lambda x: 1 / x,
    "max": lambda x: x.max(), "min": lambda x: x.min(), "norm": lambda x: x.norm(),
    "mean": lambda x: x.mean(), "sum": lambda x: x.sum(), "std": lambda x: x.std(),
    "x * x": lambda x: x * x, "x / x": lambda x: x / x,
}


@pytest.mark.parametrize("op", AT_SPECIAL_VALUES)
def test_gradients_at_zero_infinity_and_nan_match_torch(op):
    """The guards in the backward formulas (relu at nan, abs at nan, 0 ** x, a nan max) as
    torch's, and no warning from numpy on the way."""
    outcomes = []
    for T in ENGINES.values():
        x = T.tensor(SPECIAL_VALUES, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            AT_SPECIAL_VALUES[op](x).sum().backward()
        outcomes.append((repr(x.grad), [str(w.message) for w in caught]))
    assert outcomes[1] == outcomes[0]


TENSOR_ONLY = ["a @ 2", "2 @ a", "T.matmul(a, 2)", "a.matmul(2)", "T.maximum(a, 0)",
               "T.minimum(a, 1.5)", "a.view(size=(2,)).shape", "m.permute(dims=(1, 0)).shape",
               "a.expand(size=(3, 2)).shape", "T.stack([a, a], axis=1).shape",
               "T.matmul(m, T.ones(3))"]


@pytest.mark.parametrize("call", TENSOR_ONLY)
def test_tensor_arguments_and_keyword_names_as_torch(call):
    """A number where torch wants a tensor (matmul, maximum) is refused as torch refuses it; the
    size=, dims= and axis= keywords are accepted."""
    outcomes = []
    for T in ENGINES.values():
        names = {"T": T, "a": T.ones(2), "m": T.ones(2, 3)}
        try:
            outcomes.append(repr(eval(call, names)))  # noqa: S307  (as a learner writes it)
        except TypeError as error:
            outcomes.append(f"TypeError: {error}")
    assert outcomes[1] == outcomes[0]


def _outcome(call, names):
    """What a call gives as the learner sees it: its repr, or torch's exception and words."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = repr(eval(call, names))  # noqa: S307  (as a learner writes it)
        return result, [str(w.message) for w in caught]
    except Exception as error:  # noqa: BLE001 -- the error is the outcome to compare
        return f"{type(error).__name__}: {error}"


WRITES_INTO_A_LEAF = ["x[0] = 5.", "x[1:] = 5.", "x[:] = 5.", "x[...] = 5.", "x[[0]] = 5.",
                      "x[x > 0] = 5.", "m[0, 1] = 5.", "m[:, 1] = 5.", "m[0][1] = 5.",
                      "m[:, :] = 5.", "m.t()[0] = 5.", "x.add_(1)", "x[0].mul_(2)",
                      "m[0].zero_()", "x.copy_(x * 2)"]


@pytest.mark.parametrize("write", WRITES_INTO_A_LEAF)
def test_writing_into_a_leaf_that_requires_grad_is_refused_in_torchs_words(write):
    """x[0] = 5 writes through the view x[0]: torch says 'a view of a leaf Variable'; where the
    index takes all of x, or picks by a list or a mask, 'a leaf Variable'."""
    outcomes = []
    for T in ENGINES.values():
        names = {"x": T.ones(3, requires_grad=True), "m": T.ones(2, 3, requires_grad=True)}
        outcomes.append(_outcome(f"exec({write!r})", names))
    assert outcomes[1] == outcomes[0] and "RuntimeError" in outcomes[0]


INFERENCE_TENSORS = {  # what torch does with a tensor made in inference mode, outside it
    "i.requires_grad_()": "i.requires_grad_()", "i.requires_grad = True": "exec('i.requires_grad = True')",
    "i.requires_grad_(False)": "i.requires_grad_(False)", "i.add_(1) (written, then refused)": "i.add_(1)",
    "i[0] = 7": "exec('i[0] = 7.')", "i.zero_()": "i.zero_()", "i.fill_(4)": "i.fill_(4)",
    "i.copy_(x)": "i.copy_(x)", "i.normal_()": "i.normal_()", "i * w (saved)": "i * w",
    "w + i": "w + i", "views": "(i.view(3).is_inference(), i[0].is_inference(), i.detach().is_inference())",
    "made from it": "((i + 1).is_inference(), i.clone().is_inference(), T.tensor(i).is_inference())",
}


@pytest.mark.parametrize("name", INFERENCE_TENSORS)
def test_inference_tensors_outside_inference_mode_as_torch(name):
    outcomes = []
    for T in ENGINES.values():
        T.manual_seed(0)
        with T.inference_mode():
            i = T.ones(3)
        names = {"T": T, "i": i, "x": T.full((3,), 2.0), "w": T.ones(3, requires_grad=True)}
        outcomes.append((_outcome(INFERENCE_TENSORS[name], names), repr(i), i.requires_grad))
    assert outcomes[1] == outcomes[0]


def test_inference_tensors_inside_inference_mode_as_torch():
    outcomes = []
    for T in ENGINES.values():
        w = T.ones(3, requires_grad=True)
        with T.inference_mode():
            i = T.ones(3)
            seen = [i.requires_grad_().requires_grad, repr(i.add_(1)), (w * 2).is_inference(),
                    w.detach().is_inference(), w.view(3).is_inference()]
        outcomes.append(seen)
    assert outcomes[1] == outcomes[0]


TYPES = ["type(x)", "type(x.shape)", "type(x.dtype)", "type(T.float64)", "type(x.size())",
         "type(T.manual_seed(0))", "T.Tensor", "isinstance(x, T.Tensor)",
         "(type(x.numpy()), type(T.from_numpy(x.numpy())))"]


@pytest.mark.parametrize("call", TYPES)
def test_types_print_as_torchs(call):
    outcomes = [_outcome(call, {"T": T, "x": T.ones(2)}) for T in ENGINES.values()]
    assert outcomes[1] == outcomes[0]


def test_tensors_pickle_and_copy_as_torchs():
    import copy
    import pickle

    outcomes = []
    for T in ENGINES.values():
        x = T.tensor([1.5, 2.0], requires_grad=True)
        (x * 2).sum().backward()
        y = copy.deepcopy(x)
        outcomes.append([repr(pickle.loads(pickle.dumps(x))), repr(y), repr(y.grad), y is not x,
                         repr(pickle.loads(pickle.dumps(x.shape))), _outcome("copy.deepcopy(x * 2)",
                                                                            {"copy": copy, "x": x})])
    assert outcomes[1] == outcomes[0]


WARNINGS = {  # what makes torch warn, and its whole text (where torch raised it included)
    "a non-leaf's .grad": "(x * 2).grad",
    "a tensor that requires grad, to a number": "float(x.sum())",
    "x.T of a 3-d tensor": "T.ones(2, 2, 2).T",
    "x.T, x.mT, x.mH, x.H, adjoint() of a 0-d tensor": "(s.T, s.mT, s.mH, s.H, s.adjoint())",
    "std and var without freedom": "(T.ones(1).std(), T.ones(3).var(0, correction=3))",
    "backward with create_graph": "x.sum().backward(create_graph=True)",
    "torch.tensor of a tensor": "T.tensor(x)",
    "a list of 0-d tensors that require grad": "T.tensor([x[0], x[1]])",
}


@pytest.mark.parametrize("name", WARNINGS)
def test_warnings_say_all_torch_says(name):
    """torch's warnings in full, '(Triggered internally at ...)' included, each in a fresh process
    (some are given once per process)."""
    import subprocess
    import sys

    code = ("import warnings, {m} as T\nx = T.ones(2, requires_grad=True)\ns = T.tensor(1.)\n"
            "with warnings.catch_warnings(record=True) as w:\n    warnings.simplefilter('always')\n"
            "    {call}\n    {call}\n"
            "print([(x.category.__name__, str(x.message), {where}) for x in w])")
    # (the line it points at: the learner's, but torch says create_graph's from its own graph.py,
    # a difference the README lists)
    where = "None" if name == "backward with create_graph" else "x.lineno"
    printed = [subprocess.run([sys.executable, "-c", code.format(m=m, call=WARNINGS[name], where=where)],
                              capture_output=True, text=True, check=True).stdout
               for m in ("torch", "autograd_core")]
    assert printed[1] == printed[0] and "Warning" in printed[0]
