"""What the engine promises beyond matching torch's output: depth, memory, layering, docs."""

import inspect
import re
import subprocess
import sys

import numpy as np
import pytest

import autograd_core as core


def test_a_100k_deep_chain_needs_no_recursion():
    assert sys.getrecursionlimit() <= 10_000
    x = core.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    del y  # dropping a deep graph must not overflow either


def test_saved_tensors_are_freed_after_backward_unless_retained():
    x = core.ones(3, requires_grad=True)
    y = (x * x).sum()
    node = y.grad_fn.next_functions[0][0]
    y.backward(retain_graph=True)
    assert node._saved is not None
    y.backward()
    assert node._saved is None
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_grad_accumulates_into_the_same_object():
    x = core.ones(2, requires_grad=True)
    (x * 2).sum().backward()
    first = x.grad
    (x * 3).sum().backward()
    assert x.grad is first and x.grad.tolist() == [5.0, 5.0]


def test_detach_and_data_share_memory():
    x = core.tensor([1.0, 2.0], requires_grad=True)
    x.detach()[0] = 7.0
    x.data[1] = 9.0
    assert x.tolist() == [7.0, 9.0]


def test_the_engine_never_imports_torch():
    code = "import sys, autograd_core; autograd_core.ones(2).sum(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# an op's docstring is "z = forward;  dz/dx = derivative, ..." (dL/dx where the rule is a
# vector-Jacobian product), one derivative per tensor input. Where both sides are written in the
# vocabulary below, the test evaluates them and compares with the op's own forward and backward.
DOC = re.compile(r"^z = (?P<forward>[^;]+);  (?P<derivatives>d[zL]/d.+)$")
DERIVATIVE = re.compile(r"d([zL])/d(\(?[a-z]+(?:\[k\])?\)?) = ")
VOCABULARY = {name: getattr(np, name) for name in
              "exp log sin cos tanh sqrt abs sign maximum minimum where sum mean max min".split()}
REMARK = re.compile(r"\s{2}\(.*?\)$")  # a trailing "  (remark)" is prose
INPUTS = {"a": np.array([0.5, 0.75, 1.0, 1.5, 2.0]), "b": np.array([1.25, 0.5, 2.0, 1.0, 0.75]),
          "c": 2.0, "p": 3.0, "lo": 0.75, "hi": 1.5, "value": 2.0, "dtype": core.float64,
          "dims": None, "keepdim": False, "correction": 1, "order": "K"}
INPUTS["cond"] = INPUTS["a"] > INPUTS["b"]
EVALUATED = {  # the ops whose docstrings are formulas, not prose
    "AddBackward0", "SubBackward0", "RsubBackward1", "MulBackward0", "DivBackward0", "NegBackward0",
    "ReciprocalBackward0", "PowBackward0", "PowBackward1", "PowBackward2", "ExpBackward0",
    "LogBackward0", "SinBackward0", "CosBackward0", "TanhBackward0", "SigmoidBackward0",
    "ReluBackward0", "AbsBackward0", "SqrtBackward0", "ClampBackward1", "CloneBackward0",
    "ToCopyBackward0", "WhereBackward0", "SumBackward0", "MeanBackward0", "StdBackward0", "VarBackward0",
    "MaxBackward1", "MinBackward1", "LinalgVectorNormBackward0", "DotBackward0",
    "ZeroBackward0", "FillBackward2",
}


def _parts(op):
    match = DOC.match((op.__doc__ or "").splitlines()[0])
    assert match, f"{op.__name__}: the docstring must open with 'z = ...;  dz/dx = ...'"
    clauses = re.split(r", (?=d[zL]/d)", match["derivatives"])
    return match["forward"], [DERIVATIVE.match(c) for c in clauses], clauses


@pytest.mark.parametrize("name", sorted(core.OPS))
def test_every_op_states_forward_and_derivative(name):
    op = core.OPS[name]
    forward, matches, clauses = _parts(op)
    params = list(inspect.signature(op.forward).parameters)[1:]
    for match, clause in zip(matches, clauses):
        assert match, f"{name}: {clause!r} is not 'dz/dx = ...' or 'dL/dx = ...'"
        wrt = re.sub(r"[()]|\[k\]", "", match[2])
        assert wrt in params, f"{name}: d/d{wrt}, but forward takes {params}"
        assert re.search(rf"\b{wrt}\b", forward), f"{name}: {wrt} is not in z = {forward}"


@pytest.mark.parametrize("name", sorted(EVALUATED))
def test_a_formula_docstring_is_what_the_op_computes(name):
    op = core.OPS[name]
    forward, _, clauses = _parts(op)
    params = list(inspect.signature(op.forward).parameters)[1:]
    ctx = op()
    ctx._saved, ctx._versions = (), ()
    z = op.forward(ctx, *[INPUTS[p] for p in params])
    scope = {**VOCABULARY, **INPUTS, "n": INPUTS["a"].size}
    np.testing.assert_allclose(z, eval(REMARK.sub("", forward), scope), err_msg=forward)
    with core.no_grad():  # the usual backward, on arrays
        grads = op.backward(ctx, np.ones(np.shape(z)))
    grads = grads if isinstance(grads, tuple) else (grads,)
    assert len(grads) == len(clauses), f"{name}: {len(clauses)} derivatives, backward gives {len(grads)}"
    scope["z"] = z
    for grad, clause in zip(grads, clauses):
        formula = REMARK.sub("", clause.split(" = ", 1)[1])
        expected = np.broadcast_to(eval(formula, scope), INPUTS["a"].shape)
        np.testing.assert_allclose(np.broadcast_to(grad, expected.shape), expected, err_msg=clause)


def test_every_op_is_reached_as_its_table_entry_says():
    """Tensor's methods and the module's functions for an op are made from its class alone."""
    reached = 0
    for op in core.OPS.values():
        for name in vars(op).get("methods", ()):
            assert getattr(core.Tensor, name).__doc__ == op.__doc__, (op.__name__, name)
            reached += 1
        for name in vars(op).get("functions", ()):
            assert getattr(core, name).__doc__ == op.__doc__, (op.__name__, name)
    assert reached > 40


def test_the_teaching_path_imports_no_compatibility_module_but_the_op_tables_signatures():
    """tensor.py, graph.py, function.py and autograd.py read without _indexing, _inplace or
    _tensor_api (these add their methods to Tensor from outside)."""
    import ast
    from pathlib import Path

    root = Path(core.__file__).parent
    for name in ("graph.py", "function.py", "autograd.py", "grad_mode.py"):
        tree = ast.parse((root / name).read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                    for alias in node.names} | {node.module for node in ast.walk(tree)
                                                if isinstance(node, ast.ImportFrom) and node.module}
        assert not imported & {"_indexing", "_inplace", "_tensor_api", "_arguments"}, name


def test_every_formula_op_is_in_the_table():
    assert EVALUATED <= set(core.OPS)


def test_unbroadcast_is_the_adjoint_of_broadcast():
    from autograd_core.graph import unbroadcast

    rng = np.random.default_rng(0)
    for shape, target in [((2, 3), (3,)), ((4, 2, 3), (2, 1)), ((2, 3), ()), ((3,), (3,))]:
        g, v = rng.standard_normal(shape), rng.standard_normal(target)
        # <broadcast(v), g> == <v, unbroadcast(g)>
        assert np.isclose((np.broadcast_to(v, shape) * g).sum(), (v * unbroadcast(g, target)).sum())
