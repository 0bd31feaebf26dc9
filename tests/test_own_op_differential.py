"""Lesson 11's torch, run under both engines: your own op (torch.autograd.Function), gradcheck and
gradgradcheck, versions and anomaly mode, torch.func and torch.autograd.functional.

Snippets run as notebook cells (tests/replay.py): what they print and display, their warnings and
errors must be torch's, memory addresses aside. Property tests draw shapes and values.
"""

import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core

from .engines import ADDRESS, ENGINES
from .replay import run_cells

CUBE = """
class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x ** 2
"""
EXP = """
class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y
"""


def function(name, forward, backward, extra=""):
    """A Function's source from the bodies of forward (ctx, *args) and backward (ctx, grad)."""
    return (f"class {name}(torch.autograd.Function):{extra}\n"
            f"    @staticmethod\n    def forward({forward[0]}):\n        {forward[1]}\n"
            f"    @staticmethod\n    def backward({backward[0]}):\n        {backward[1]}\n")


# what a Function's backward may give back, and what torch makes of it
RETURNS = {
    "one gradient": ("g * 2", "x"),
    "a tuple of one": ("(g * 2,)", "x"),
    "None": ("None", "x"),
    "extra Nones": ("g * 2, None, None", "x"),
    "too many": ("g, g", "x"),
    "too few": ("g * k", "x, k"),
    "None for a number": ("g * k, None", "x, k"),
    "a gradient for a number": ("g * k, g", "x, k"),
    "a number": ("2.0", "x"),
    "a list": ("[g]", "x"),
    "a numpy array": ("g.numpy()", "x"),
    "a reduced gradient": ("g.sum()", "x"),
    "a broadcastable gradient": ("g.expand(3, 2)", "x"),
    "a wrong shape": ("torch.ones(5)", "x"),
    "another dtype": ("g.double()", "x"),
    "an integer gradient": ("g.int()", "x"),
    "for an input needing none": ("g * w, torch.ones(7)", "x, w"),
}


@pytest.mark.parametrize("kind", RETURNS)
def test_what_backward_returns_is_checked_as_torch_checks_it(kind):
    returned, params = RETURNS[kind]
    body = {"x": "x * 2", "x, k": "x * k", "x, w": "x * w"}[params]
    call = {"x": "x", "x, k": "x, 3.0", "x, w": "x, torch.ones(2)"}[params]
    source = (function("Op", (f"ctx, {params}", f"return {body}"), ("ctx, g", f"return {returned}"))
              + f"x = torch.tensor([1.0, 2.0], requires_grad=True)\ny = Op.apply({call})\n"
              "print(y, y.grad_fn.next_functions)\ny.sum().backward()\nx.grad")
    _same(source)


SNIPPETS = {
    # -- a Function, and its node ----------------------------------------------------------
    "cube": CUBE + "x = torch.tensor([1.0, 2.0], requires_grad=True)\ny = Cube.apply(x)\n"
                   "print(y, y.grad_fn, type(y.grad_fn), y.grad_fn.name())\n"
                   "print(y.grad_fn.next_functions)\ny.sum().backward()\nx.grad, y.grad_fn",
    "cube twice": CUBE + "x = torch.tensor(2.0, requires_grad=True)\ny = Cube.apply(x)\n"
                         "y.backward()\ny.backward()",
    "saved after backward": CUBE + "x = torch.tensor(2.0, requires_grad=True)\ny = Cube.apply(x)\n"
                                   "y.backward(retain_graph=True)\nprint(y.grad_fn.saved_tensors)\n"
                                   "y.backward()\ny.grad_fn.saved_tensors",
    "no grad needed": CUBE + "a = Cube.apply(torch.tensor([1.0, 2.0]))\n"
                             "with torch.no_grad():\n"
                             "    b = Cube.apply(torch.tensor(2.0, requires_grad=True))\n"
                             "a, a.grad_fn, b, b.requires_grad",
    "second derivative": CUBE + "x = torch.tensor(2.0, requires_grad=True)\n"
                                "(g,) = torch.autograd.grad(Cube.apply(x), x, create_graph=True)\n"
                                "(h,) = torch.autograd.grad(g, x)\ng, h",
    "needs_input_grad": function(
        "Show", ("ctx, x, w, k", "print('forward', type(ctx).__name__, ctx.needs_input_grad); "
                 "return x * w * k"),
        ("ctx, g", "print('backward', ctx.needs_input_grad); return g * 2, None, None"))
        + "x = torch.ones(2, requires_grad=True)\nShow.apply(x, torch.ones(2), 2.0).sum().backward()\n"
          "Show.apply(torch.ones(2), x, 2.0).sum().backward()\n"
          "with torch.no_grad():\n    Show.apply(x, x, 1)\nx.grad",
    "save a number": function("Keep", ("ctx, x", "ctx.save_for_backward(x, 3.0); return x"),
                              ("ctx, g", "return g"))
        + "Keep.apply(torch.ones(1, requires_grad=True))",
    "save None": function("Keep", ("ctx, x", "ctx.save_for_backward(None, x); return x * 2"),
                          ("ctx, g", "print(ctx.saved_tensors); return g * 2"))
        + "Keep.apply(torch.ones(1, requires_grad=True)).sum().backward()",
    "two outputs": function("Two", ("ctx, x", "return x * 2, x * 3"),
                            ("ctx, g2, g3", "print(g2, g3); return g2 * 2 + g3 * 3"))
        + "x = torch.ones(2, requires_grad=True)\na, b = Two.apply(x)\nprint(a, b)\n"
          "a.sum().backward(retain_graph=True)\nb.sum().backward()\nx.grad",
    "returns its input": function("Same", ("ctx, x", "return x"), ("ctx, g", "return g * 2"))
        + "x = torch.ones(2, requires_grad=True)\ny = Same.apply(x)\n"
          "y.sum().backward()\ny is x, x.grad, y.grad_fn.name()",
    "detached inside": function("Det", ("ctx, x", "return x.detach() * 2"), ("ctx, g", "return g"))
        + "x = torch.ones(2, requires_grad=True)\ny = Det.apply(x)\ny, y.is_leaf",
    "instantiated": CUBE + "Cube()(torch.ones(1))",
    "no backward": function("Half", ("ctx, x", "return x * 2"), ("ctx, g", "return super().backward(ctx, g)"))
        + "Half.apply(torch.ones(1, requires_grad=True)).sum().backward()",
    "setup_context": "class Sq(torch.autograd.Function):\n    @staticmethod\n    def forward(x):\n"
                     "        return x * x\n    @staticmethod\n    def setup_context(ctx, inputs, output):\n"
                     "        ctx.save_for_backward(inputs[0])\n    @staticmethod\n"
                     "    def backward(ctx, g):\n        return 2 * g * ctx.saved_tensors[0]\n"
                     "x = torch.tensor([1.0, 3.0], requires_grad=True)\ny = Sq.apply(x)\n"
                     "y.sum().backward()\ny, x.grad",
    "mark_dirty": function("AddOne", ("ctx, x", "x.add_(1); ctx.mark_dirty(x); return x"),
                           ("ctx, g", "return g"))
        + "x = torch.ones(2, requires_grad=True)\na = x * 2\nb = AddOne.apply(a)\n"
          "print(b is a, a.grad_fn.name(), a._version)\nb.sum().backward()\nprint(x.grad)\n"
          "AddOne.apply(x)",
    "mark_non_differentiable": function(
        "Arg", ("ctx, x", "i = x.argmax(); ctx.mark_non_differentiable(i); return x * 2, i"),
        ("ctx, g, gi", "return g * 2"))
        + "y, i = Arg.apply(torch.tensor([1.0, 3.0], requires_grad=True))\n"
          "y, i, i.requires_grad, y.grad_fn.name()",
    "once_differentiable": "class Once(torch.autograd.Function):\n    @staticmethod\n"
                           "    def forward(ctx, x):\n        ctx.save_for_backward(x)\n"
                           "        return x ** 3\n    @staticmethod\n"
                           "    @torch.autograd.function.once_differentiable\n"
                           "    def backward(ctx, g):\n        (x,) = ctx.saved_tensors\n"
                           "        print(torch.is_grad_enabled(), g.requires_grad)\n"
                           "        return g * 3 * x ** 2\n"
                           "x = torch.tensor([1.0, 2.0], requires_grad=True)\n"
                           "v = torch.ones(2, requires_grad=True)\n"
                           "(g,) = torch.autograd.grad(Once.apply(x), x, v, create_graph=True)\n"
                           "print(g, g.grad_fn, g.grad_fn.name(), len(g.grad_fn.next_functions))\n"
                           "print(torch.autograd.grad(Once.apply(x).sum(), x, create_graph=True))\n"
                           "g.sum().backward()",
    # -- versions, in-place ops that save their output, anomaly mode -------------------------
    "versions": "x = torch.tensor([1.0, 2.0], requires_grad=True)\na = x * 1\n"
                "print(a._version)\na.add_(1); a[0] = 5; a.mul_(2)\nprint(a._version)\n"
                "b = a.detach(); b.zero_()\nprint(a._version, b._version, a.data._version)\n"
                "a.exp_()\na._version, a.grad_fn",
    "custom saved output changed": EXP + "x = torch.tensor([1.0, 2.0], requires_grad=True)\n"
                                         "y = Exp.apply(x)\nz = y.sum()\ny.add_(1)\nprint(y.grad_fn)\n"
                                         "z.backward()",
    "custom saved input changed": CUBE + "x = torch.tensor([1.0, 2.0], requires_grad=True)\n"
                                         "a = x + 1\ny = Cube.apply(a)\na.mul_(2)\ny.sum().backward()",
    "custom saved leaf changed": CUBE + "w = torch.tensor([1.0, 2.0], requires_grad=True)\n"
                                        "y = Cube.apply(w)\nwith torch.no_grad():\n    w.mul_(2)\n"
                                        "y.sum().backward()",
    "saved input changed": "x = torch.tensor([1.0, 2.0], requires_grad=True)\na = x + 1\n"
                           "y = a.sin()\na.mul_(2)\ny.sum().backward()",
    "anomaly": "def f(x):\n    y = x.sigmoid()\n    z = y * 2\n    y.mul_(3)\n"
               "    return z.sum() + y.sum()\n"
               "x = torch.tensor([1.0, 2.0], requires_grad=True)\n"
               "torch.autograd.set_detect_anomaly(True)\n"
               "print(torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled())\n"
               "try:\n    f(x).backward()\nfinally:\n    torch.autograd.set_detect_anomaly(False)",
    "anomaly after the forward": "x = torch.tensor([1.0, 2.0], requires_grad=True)\n"
                                 "y = x.tanh()\ny.mul_(3)\n"
                                 "with torch.autograd.set_detect_anomaly(True):\n"
                                 "    y.sum().backward()",
    "anomaly nan": "with torch.autograd.detect_anomaly():\n"
                   "    x = torch.tensor([0.0, 1.0], requires_grad=True)\n"
                   "    (x.sqrt() * torch.tensor([0.0, 1.0])).sum().backward()",
    "anomaly no nan check": "with torch.autograd.detect_anomaly(check_nan=False):\n"
                            "    x = torch.tensor([0.0, 1.0], requires_grad=True)\n"
                            "    (x.sqrt() * torch.tensor([0.0, 1.0])).sum().backward()\n"
                            "x.grad, torch.is_anomaly_enabled()",
    "anomaly custom": EXP + "with torch.autograd.detect_anomaly():\n"
                            "    x = torch.tensor([1.0, 2.0], requires_grad=True)\n"
                            "    y = Exp.apply(x)\n    y.add_(1)\n    y.sum().backward()",
    "anomaly modes": "print(torch.is_anomaly_enabled())\n"
                     "m = torch.autograd.set_detect_anomaly(True, check_nan=False)\n"
                     "print(torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled())\n"
                     "with torch.autograd.set_detect_anomaly(False):\n"
                     "    print(torch.is_anomaly_enabled())\n"
                     "torch.set_anomaly_enabled(False)\ntorch.is_anomaly_enabled(), m",
    # -- gradcheck and gradgradcheck --------------------------------------------------------
    "gradcheck": CUBE + "x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)\n"
                        "torch.autograd.gradcheck(Cube.apply, (x,)), "
                        "torch.autograd.gradcheck(Cube.apply, x), "
                        "torch.autograd.gradgradcheck(Cube.apply, (x,))",
    "gradcheck float32": "x = torch.tensor([1.0, 2.0], requires_grad=True)\n"
                         "torch.autograd.gradcheck(lambda t: t.sin(), (x,))",
    "gradcheck no grad": "torch.autograd.gradcheck(torch.sin, (torch.ones(2, dtype=torch.double),))",
    "gradcheck not multiplied": function("NoG", ("ctx, x", "ctx.save_for_backward(x); return x ** 3"),
                                         ("ctx, g", "(x,) = ctx.saved_tensors; return 3 * x ** 2"))
        + "s = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)\n"
          "print(torch.autograd.gradcheck(NoG.apply, (s,), raise_exception=False))\n"
          "torch.autograd.gradcheck(NoG.apply, (s,))",
    "gradcheck constant": "x = torch.ones(2, dtype=torch.double, requires_grad=True)\n"
                          "torch.autograd.gradcheck(lambda t: t.detach() * 2, (x,))",
    "gradcheck two inputs": "a = torch.tensor([1.0, -2.0], dtype=torch.double, requires_grad=True)\n"
                            "b = torch.tensor([[0.5, 3.0]], dtype=torch.double, requires_grad=True)\n"
                            "torch.autograd.gradcheck(lambda p, q: (p * q, p.sum() * q), (a, b, 2.0))",
    "gradgradcheck once_differentiable": (
        "class Once(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n"
        "        ctx.save_for_backward(x)\n        return x ** 3\n    @staticmethod\n"
        "    @torch.autograd.function.once_differentiable\n    def backward(ctx, g):\n"
        "        (x,) = ctx.saved_tensors\n        return g * 3 * x ** 2\n"
        "torch.manual_seed(0)\nx = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)\n"
        "print(torch.autograd.gradcheck(Once.apply, (x,)))\ntorch.autograd.gradgradcheck(Once.apply, (x,))"),
    "gradgradcheck wrong": function(
        "Half", ("ctx, x", "ctx.save_for_backward(x); return x ** 3"),
        ("ctx, g", "(x,) = ctx.saved_tensors; return g * 3 * x.detach() ** 2"))
        + "torch.manual_seed(1)\nx = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)\n"
          "print(torch.autograd.gradcheck(Half.apply, (x,)))\n"
          "torch.autograd.gradgradcheck(Half.apply, (x,))",
    # -- torch.func and torch.autograd.functional ---------------------------------------------
    "func": "F = torch.func\nx = torch.tensor([0.5, 1.0, 2.0])\n"
            "def f(t):\n    return (t.sin() * t).sum()\n"
            "out, vjp_fn = F.vjp(lambda t: t.sin() * t, x)\n"
            "print(F.grad(f)(x), F.jacrev(lambda t: t.sin() * t)(x), out, vjp_fn(torch.ones(3)))\n"
            "print(F.hessian(lambda t: (t ** 2).sum() ** 2)(x))\n"
            "print(torch.autograd.functional.jacobian(lambda t: t.sin() * t, x))\n"
            "torch.autograd.functional.hessian(lambda t: (t ** 2).sum() ** 2, x)",
    "per-example gradients": "F = torch.func\nw = torch.tensor([1.0, -1.0])\n"
                             "X = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])\n"
                             "Y = torch.tensor([1.0, 0.0, 2.0])\n"
                             "def loss(w, x, y):\n    return (x @ w - y) ** 2\n"
                             "print(F.vmap(F.grad(loss), in_dims=(None, 0, 0))(w, X, Y))\n"
                             "print(F.vmap(F.grad(loss))(w.expand(3, 2), X, Y))\n"
                             "print(F.jacrev(lambda w: F.vmap(loss, in_dims=(None, 0, 0))(w, X, Y))(w))\n"
                             "F.grad(loss, argnums=(0, 1))(w, X[0], Y[0])",
    "func of a Function": CUBE + "x = torch.tensor([1.0, 2.0])\n"
                                 "print(torch.autograd.functional.jacobian(Cube.apply, x))\n"
                                 "torch.func.grad(lambda t: Cube.apply(t).sum())(x)",
    "vmap of a Function": "class Sq(torch.autograd.Function):\n    @staticmethod\n"
                          "    def forward(x):\n        return x * x\n    @staticmethod\n"
                          "    def setup_context(ctx, inputs, output):\n"
                          "        ctx.save_for_backward(inputs[0])\n    @staticmethod\n"
                          "    def backward(ctx, g):\n        return 2 * g * ctx.saved_tensors[0]\n"
                          "x = torch.tensor([1.0, 3.0])\n"
                          "print(torch.func.grad(lambda t: Sq.apply(t).sum())(x))\n"
                          "torch.func.vmap(Sq.apply)(x)",
    "vmap generated rule": "class Sq(torch.autograd.Function):\n    generate_vmap_rule = True\n"
                           "    @staticmethod\n    def forward(x):\n        return x * x\n"
                           "    @staticmethod\n    def setup_context(ctx, inputs, output):\n"
                           "        ctx.save_for_backward(inputs[0])\n    @staticmethod\n"
                           "    def backward(ctx, g):\n        return 2 * g * ctx.saved_tensors[0]\n"
                           "x = torch.tensor([1.0, 3.0])\n"
                           "torch.func.vmap(Sq.apply)(x), torch.func.vmap(torch.func.grad(Sq.apply))(x)",
    "func differentiable": "x = torch.tensor([0.5, 1.0], requires_grad=True)\n"
                           "g = torch.func.grad(lambda t: (t.sin() * t).sum())(x)\n"
                           "print(g.requires_grad)\ng.sum().backward()\nx.grad",
    "func unused input": "F = torch.func\nx = torch.tensor([1.0, 2.0])\n"
                         "F.grad(lambda a, b: (b * 2).sum())(x, x), F.jacrev(lambda t: torch.ones(2))(x), "
                         "torch.autograd.functional.jacobian(lambda t: t.detach(), x)",
}

FUNC_ERRORS = {
    "grad of a vector": "torch.func.grad(lambda t: t.sin())(x)",
    "grad of an integer tensor": "torch.func.grad(lambda t: t.sum())(torch.tensor([1, 2]))",
    "grad of a number": "torch.func.grad(lambda t: t.sum())(3.0)",
    "grad returning a number": "torch.func.grad(lambda t: t.sum().item())(x)",
    "grad argnums": "torch.func.grad(lambda a, b: (a * b).sum(), argnums=2)(x, x)",
    "vmap of 0-d": "torch.func.vmap(lambda t: t.sum())(torch.tensor(1.0))",
    "vmap sizes": "torch.func.vmap(lambda a, b: a + b)(torch.ones(2, 3), torch.ones(3, 3))",
    "vmap in_dims structure": "torch.func.vmap(lambda a, b: a + b, in_dims=(0,))(X, X)",
    "vmap in_dim range": "torch.func.vmap(lambda a: a, in_dims=2)(X)",
    "vmap nothing batched": "torch.func.vmap(lambda a: a, in_dims=None)(X)",
    "vmap over a number": "torch.func.vmap(lambda a, b: a * b, in_dims=(0, 0))(X, 2.0)",
    "vmap item": "torch.func.vmap(lambda t: t.sum().item())(X)",
    "vmap float": "torch.func.vmap(lambda t: float(t.sum()))(X)",
    "vmap control flow": "torch.func.vmap(lambda t: t if t.sum() > 0 else -t)(X)",
    "vmap random": "torch.func.vmap(lambda t: t + torch.randn(2))(X)",
    "vmap returning a number": "torch.func.vmap(lambda t: 3.0)(X)",
    "vjp returning a number": "torch.func.vjp(lambda t: t.sum().item(), x)",
    "jacrev returning a number": "torch.func.jacrev(lambda t: t.sum().item())(x)",
    "vjp wrong shape": "torch.func.vjp(lambda t: t.sum(), x)[1](torch.ones(1))",
    "hessian of a vector": "torch.autograd.functional.hessian(lambda t: t ** 3, x)",
    "jacobian of a number": "torch.autograd.functional.jacobian(lambda t: 3.0, x)",
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_snippet_prints_the_same(name):
    _same(SNIPPETS[name])


@pytest.mark.parametrize("name", FUNC_ERRORS)
def test_a_transform_refuses_as_torch(name):
    _same("x = torch.tensor([0.5, 1.0, 2.0])\nX = torch.ones(3, 2)\n" + FUNC_ERRORS[name])


# torch's own frame in the stack of a Function's forward call (its apply, in Python): not ours
TORCH_FRAME = re.compile(r'  File "[^"]*/torch/autograd/function\.py", line \d+, in apply\n.*\n')
# what torch.func's first use warns from inside torch (a notebook shows no DeprecationWarning
# raised outside its own cells)
TORCH_INTERNAL = re.compile(r"DeprecationWarning: `torch\.jit\.script` is deprecated.*\n")


def _same(source):
    outputs = []
    for engine in ENGINES.values():
        (output,) = run_cells(["import torch\n" + source], engine)
        outputs.append(TORCH_INTERNAL.sub("", TORCH_FRAME.sub("", ADDRESS.sub("0x", output))))
    assert outputs[1] == outputs[0]


# -- property tests: values over drawn shapes ---------------------------------------------------
def _leaf(T, values, dtype="float64", requires_grad=True):
    return T.tensor(np.array(values), dtype=getattr(T, dtype), requires_grad=requires_grad)


def _make_cube(T):
    class Cube(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x ** 3 * k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2 * ctx.k, None

    return Cube


ARRAYS = hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=2, max_side=3),
                    elements=st.floats(-2, 2, allow_nan=False).filter(lambda v: abs(v) > 0.05))


@settings(max_examples=20, deadline=None)
@given(values=ARRAYS, k=st.sampled_from([1.0, -2.5, 0.5]), create_graph=st.booleans())
def test_a_function_differentiates_as_torch(values, k, create_graph):
    results = []
    for T in ENGINES.values():
        x = _leaf(T, values)
        y = _make_cube(T).apply(x, k)
        v = T.tensor(np.linspace(-1, 1, values.size).reshape(values.shape))
        (g,) = T.autograd.grad(y, x, v, create_graph=create_graph)
        h = T.autograd.grad(g.sum(), x)[0].tolist() if create_graph else None
        results.append((y.tolist(), g.tolist(), g.requires_grad, h, y.grad_fn.name()))
    torch_result, core_result = results
    assert core_result[2:] == torch_result[2:] or core_result[3] is None
    for a, b in zip(core_result[:2] + core_result[3:4], torch_result[:2] + torch_result[3:4]):
        np.testing.assert_allclose(np.array(a, dtype=float), np.array(b, dtype=float), rtol=1e-12)
    assert core_result[4] == torch_result[4] == "CubeBackward"


@settings(max_examples=15, deadline=None)
@given(values=ARRAYS, wrong=st.sampled_from([None, 2.0, 3.5]))
def test_gradcheck_reports_as_torch(values, wrong):
    """A backward off by a factor: gradcheck's verdict and its printed Jacobians are torch's."""
    outcomes = []
    for T in ENGINES.values():
        factor = 3.0 if wrong is None else wrong

        class Op(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x.sin() * x

            @staticmethod
            def backward(ctx, g, factor=factor):
                (x,) = ctx.saved_tensors
                return g * (x.cos() * x * factor / 3 + x.sin())

        try:
            outcomes.append(str(T.autograd.gradcheck(Op.apply, (_leaf(T, values),))))
        except RuntimeError as error:
            outcomes.append(f"{type(error).__name__}: {error}")
    assert outcomes[1] == outcomes[0]
    assert (outcomes[0] == "True") == (wrong is None or not np.any(values))


INPLACE_SAVING = ["exp_", "sigmoid_", "tanh_", "sqrt_", "relu_", "reciprocal_", "sin_", "cos_",
                  "log_", "abs_", "neg_", "square_"]


@pytest.mark.parametrize("op", INPLACE_SAVING)
@pytest.mark.parametrize("then", ["add_", "nothing", "detach"])
def test_an_inplace_op_keeps_what_it_saved_as_torch(op, then):
    """An in-place op that saves its output (exp_) refuses a backward after a further write into
    the tensor; one that saves its input (sin_) kept a copy and does not."""
    source = (f"x = torch.tensor([0.5, 2.0], requires_grad=True)\na = x * 1\nb = a.{op}()\n"
              "s = b.sum()\nprint(b is a, b.grad_fn.name(), a._version)\n"
              + {"add_": "a.add_(1)\n", "nothing": "", "detach": "a.detach().mul_(2)\n"}[then]
              + "s.backward()\nx.grad")
    _same(source)


@settings(max_examples=10, deadline=None)
@given(batch=st.integers(1, 4), features=st.integers(1, 3), data=st.data())
def test_per_example_gradients_match_torch(batch, features, data):
    """vmap(grad(loss), in_dims=(None, 0, 0)): the values torch's batched transforms give."""
    values = st.floats(-3, 3, allow_nan=False, width=32)
    w = np.array(data.draw(st.lists(values, min_size=features, max_size=features)), np.float32)
    X = np.array(data.draw(st.lists(values, min_size=batch * features,
                                    max_size=batch * features)), np.float32).reshape(batch, features)
    Y = np.array(data.draw(st.lists(values, min_size=batch, max_size=batch)), np.float32)
    def loss(w, x, y):
        return ((x * w).sum() - y).tanh() ** 2

    def transforms(T):
        F, data = T.func, (T.tensor(X), T.tensor(Y))
        per_example = F.vmap(F.grad(loss), in_dims=(None, 0, 0))(T.tensor(w), *data)
        hessians = F.vmap(F.hessian(loss), in_dims=(None, 0, 0))(T.tensor(w), *data)
        jacobian = T.autograd.functional.jacobian(
            lambda v: F.vmap(loss, in_dims=(None, 0, 0))(v, *data), T.tensor(w))
        return [np.array(r.tolist(), dtype=float) for r in (per_example, hessians, jacobian)]

    results = [transforms(T) for T in ENGINES.values()]
    for core, real in zip(results[1], results[0]):
        assert core.shape == real.shape
        np.testing.assert_allclose(core, real, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(results[1][0], results[1][2], rtol=1e-5, atol=1e-6)


def test_autograd_grad_runs_only_what_leads_to_its_inputs():
    """A branch that would fail (a saved tensor written since) is not run when autograd.grad
    does not need it, in torch and here."""
    for T in ENGINES.values():
        x = T.tensor([1.0, 2.0], requires_grad=True)
        w = T.tensor([3.0], requires_grad=True)
        z = (w * 1).exp()
        z.add_(1)  # ExpBackward0's saved output changed: its backward would raise
        loss = (x * 2).sum() + z.sum()
        assert T.autograd.grad(loss, x, retain_graph=True)[0].tolist() == [2.0, 2.0]
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            T.autograd.grad(loss, w)


def test_the_engine_names_torchs_frames_only_where_torch_has_them():
    """The one difference in anomaly mode: torch's stack of a Function's forward call ends in its
    own apply (torch/autograd/function.py); the engine's ends at the learner's line."""
    assert TORCH_FRAME.sub("", '  File "/x/torch/autograd/function.py", line 625, in apply\n'
                               '    return super().apply(*args, **kwargs)\n') == ""
    assert autograd_core.autograd.Function.apply.__module__ == "autograd_core._custom_function"
    assert torch.autograd.Function.apply.__func__.__code__.co_filename.endswith(
        "torch/autograd/function.py")
