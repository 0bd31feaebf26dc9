"""d2l's chapters, run as d2l writes them: the same text printed under torch and autograd_core.

2.1's conversions (type(A) after .numpy()), 2.3 (linear algebra: sums, means, cumsum, norms,
dot and matrix products) and 3.2 (linear regression from scratch: synthetic data from
torch.normal, minibatches shuffled with random.shuffle or torch.randperm, squared loss, minibatch
SGD, three epochs printing their losses). d2l's plotting lines print nothing and are left out.
"""

import random
import re

import numpy as np
import pytest

from .engines import ADDRESS, ENGINES
from .replay import run_cells

D2L_2_1_AND_2_3 = [
    "import torch",
    # 2.1: conversion to other Python objects
    "X = torch.arange(12, dtype=torch.float32).reshape((3, 4))\n"
    "A = X.numpy()\nB = torch.from_numpy(A)\ntype(A), type(B)",
    "a = torch.tensor([3.5])\na, a.item(), float(a), int(a)",
    # 2.3: scalars, vectors, matrices, tensors
    "x = torch.tensor(3.0)\ny = torch.tensor(2.0)\n\nx + y, x * y, x / y, x**y",
    "x = torch.arange(3)\nx",
    "x[2]",
    "len(x)",
    "x.shape",
    "A = torch.arange(6).reshape(3, 2)\nA",
    "A.T",
    "A = torch.tensor([[1, 2, 3], [2, 0, 4], [3, 4, 5]])\nA == A.T",
    "torch.arange(24).reshape(2, 3, 4)",
    "A = torch.arange(6, dtype=torch.float32).reshape(2, 3)\n"
    "B = A.clone()  # Assign a copy of A to B by allocating new memory\nA, A + B",
    "A * B",
    "a = 2\nX = torch.arange(24).reshape(2, 3, 4)\na + X, (a * X).shape",
    # reduction
    "x = torch.arange(3, dtype=torch.float32)\nx, x.sum()",
    "A.shape, A.sum()",
    "A.shape, A.sum(axis=0).shape",
    "A.shape, A.sum(axis=1).shape",
    "A.sum(axis=[0, 1]) == A.sum()  # Same as A.sum()",
    "A.mean(), A.sum() / A.numel()",
    "A.mean(axis=0), A.sum(axis=0) / A.shape[0]",
    "sum_A = A.sum(axis=1, keepdims=True)\nsum_A, sum_A.shape",
    "A / sum_A",
    "A.cumsum(axis=0)",
    # dot products, matrix-vector and matrix-matrix products, norms
    "y = torch.ones(3, dtype = torch.float32)\nx, y, torch.dot(x, y)",
    "torch.sum(x * y)",
    "A.shape, x.shape, torch.mv(A, x), A@x",
    "B = torch.ones(3, 4)\ntorch.mm(A, B), A@B",
    "u = torch.tensor([3.0, -4.0])\ntorch.norm(u)",
    "torch.abs(u).sum()",
    "torch.norm(torch.ones((4, 9)))",
    # what a learner tries next: spread, memory layout
    "A.var(), A.var(axis=0), A.std(1, keepdim=True)",
    "A.is_contiguous(), A.T.is_contiguous(), A.T.contiguous().is_contiguous()",
    "A.T.view(6)",
    "A.T.reshape(6), A.T.view(3, 1, 2).shape",
]

D2L_3_2 = [
    "import random\nimport torch",
    # (not in d2l, which draws unseeded: the same seeds for both engines)
    "random.seed(SEED)\ntorch.manual_seed(SEED)",
    '''def synthetic_data(w, b, num_examples):  #@save
    """Generate y = Xw + b + noise."""
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))''',
    "true_w = torch.tensor([2, -3.4])\ntrue_b = 4.2\nfeatures, labels = synthetic_data(true_w, true_b, 1000)",
    "print('features:', features[0],'\\nlabel:', labels[0])",
    "features[:, (1)].detach().numpy()[:3], labels.detach().numpy()[:3]",  # (what d2l plots)
    "DATA_ITER",
    "batch_size = 10\n\n"
    "for X, y in data_iter(batch_size, features, labels):\n    print(X, '\\n', y)\n    break",
    "w = torch.normal(0, 0.01, size=(2,1), requires_grad=True)\nb = torch.zeros(1, requires_grad=True)",
    '''def linreg(X, w, b):  #@save
    """The linear regression model."""
    return torch.matmul(X, w) + b''',
    '''def squared_loss(y_hat, y):  #@save
    """Squared loss."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2''',
    '''def sgd(params, lr, batch_size):  #@save
    """Minibatch stochastic gradient descent."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()''',
    "lr = 0.03\nnum_epochs = 3\nnet = linreg\nloss = squared_loss",
    '''for epoch in range(num_epochs):
    for X, y in data_iter(batch_size, features, labels):
        l = loss(net(X, w, b), y)  # Minibatch loss in `X` and `y`
        # Compute gradient on `l` with respect to [`w`, `b`]
        l.sum().backward()
        sgd([w, b], lr, batch_size)  # Update parameters using their gradient
    with torch.no_grad():
        train_l = loss(net(features, w, b), labels)
        print(f'epoch {epoch + 1}, loss {float(train_l.mean()):f}')''',
    "print(f'error in estimating w: {true_w - w.reshape(true_w.shape)}')\n"
    "print(f'error in estimating b: {true_b - b}')",
    "w, b, w.grad, b.grad",
]

SHUFFLES = {  # d2l's data_iter, and the same with torch's own shuffle
    "random.shuffle": '''def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    # The examples are read at random, in no particular order
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(
            indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]''',
    "torch.randperm": '''def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = torch.randperm(num_examples)
    for i in range(0, num_examples, batch_size):
        batch_indices = indices[i: min(i + batch_size, num_examples)]
        yield features[batch_indices], labels[batch_indices]''',
}


def _printed(cells, last_bits=()):
    """What each cell prints under torch, once checked to be what it prints under the engine (the
    cells in last_bits: to the digits they print, or, where this CPU's matrix products are not
    the ones the engine follows, to within a few float32 ulps)."""
    outputs = {name: [ADDRESS.sub("0x…", out) for out in run_cells(cells, engine)]
               for name, engine in ENGINES.items()}
    exact = _products_agree()
    for cell, torch_out, core_out in zip(cells, outputs["torch"], outputs["autograd_core"]):
        if exact or cell not in last_bits:
            assert core_out == torch_out, f"cell:\n{cell}"
        else:
            numbers = [[float(v) for v in re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?", out)]
                       for out in (torch_out, core_out)]
            np.testing.assert_allclose(numbers[1], numbers[0], rtol=1e-2, atol=2e-6)
    return outputs["torch"]


def _products_agree():
    """Whether torch's small matrix products here are the ones the engine follows (MKL's on the
    CPUs it was measured on): d2l's shapes, drawn."""
    import torch

    from autograd_core import _kernels

    rng = np.random.default_rng(0)
    for shape, other in [((10, 2), (2, 1)), ((2, 10), (10, 1)), ((1000, 2), (2,))]:
        for _ in range(10):
            a, b = (rng.standard_normal(s).astype(np.float32) for s in (shape, other))
            a = np.asfortranarray(a) if shape == (2, 10) else a  # (x.T @ g: a transposed view)
            if not np.array_equal(_kernels.matmul(a, b), (torch.from_numpy(a) @ torch.from_numpy(b)).numpy()):
                return False
    return True


def test_d2l_2_1_and_2_3_print_what_torch_prints():
    printed = _printed(D2L_2_1_AND_2_3)
    assert "(numpy.ndarray, torch.Tensor)" in printed[1] and "view size is not compatible" in printed[-2]


@pytest.mark.parametrize("shuffle", SHUFFLES)
@pytest.mark.parametrize("seed", [0, 42])
def test_d2l_3_2_trains_and_prints_what_torch_prints(shuffle, seed):
    cells = [c.replace("SEED", str(seed)) if "SEED" in c else SHUFFLES[shuffle] if c == "DATA_ITER"
             else c for c in D2L_3_2]
    state = random.getstate()
    try:
        printed = _printed(cells, last_bits=cells[-2:])  # (the estimates' errors: 4 digits of a 1e-4)
    finally:
        random.setstate(state)
    assert printed[-3].count("epoch") == 3 and "Error" not in "".join(printed)
