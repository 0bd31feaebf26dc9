"""What the engine promises beyond matching torch's output: depth, memory, layering, docs."""

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


@pytest.mark.parametrize("name", sorted(core.OPS))
def test_every_op_documents_its_derivative(name):
    doc = core.OPS[name].__doc__ or ""
    assert ";" in doc and "d" in doc.split(";", 1)[1], f"{name} needs 'forward;  derivative'"


def test_unbroadcast_is_the_adjoint_of_broadcast():
    from autograd_core.graph import unbroadcast

    rng = np.random.default_rng(0)
    for shape, target in [((2, 3), (3,)), ((4, 2, 3), (2, 1)), ((2, 3), ()), ((3,), (3,))]:
        g, v = rng.standard_normal(shape), rng.standard_normal(target)
        # <broadcast(v), g> == <v, unbroadcast(g)>
        assert np.isclose((np.broadcast_to(v, shape) * g).sum(), (v * unbroadcast(g, target)).sum())
