"""torch.autograd: backward and grad, the two ways to start the walk over the graph."""

import numpy as np

from . import graph
from ._torch_errors import CREATE_GRAPH_WARNING, warn_once
from ._unmirrored import module_getattr
from .grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled  # noqa: F401
from .graph import Node  # noqa: F401
from .tensor import Tensor


def _roots(outputs, grad_outputs, create_graph):
    """(node, output_nr, seed gradient) per output: arrays, or tensors when the walk records
    (create_graph)."""
    outputs = (outputs,) if isinstance(outputs, Tensor) else tuple(outputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,) * len(outputs) if grad_outputs is None else (grad_outputs,)
    for grad in grad_outputs:
        if grad is not None and not isinstance(grad, Tensor):
            raise TypeError(
                f"gradients can be either Tensors or None, but got {type(grad).__name__}")
    roots = []
    for i, (out, grad) in enumerate(zip(outputs, grad_outputs)):
        edge = out._edge()
        if edge is None:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn")
        if grad is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            grad = np.empty(out._data.shape, out._data.dtype)  # the implicit seed: d(out)/d(out)
            grad.fill(1)
            if create_graph:
                grad = Tensor._make(grad)
        else:
            if grad.shape != out.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {grad.shape} and "
                    f"output[{i}] has a shape of {out.shape}.")
            if create_graph:
                grad = grad if grad.dtype is out.dtype else grad.to(out.dtype)
            else:
                grad = grad._data.astype(out._data.dtype, copy=False)
        roots.append((edge, out._output_nr, grad))
    return roots


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Add d(tensors)/d(leaf) into every leaf's .grad (weighted by grad_tensors if given).

    With create_graph=True the gradients are themselves recorded: leaf.grad has a grad_fn and
    can be differentiated again (the graph is then kept, as if retain_graph=True).
    """
    retain_graph = create_graph if retain_graph is None else retain_graph
    roots = _roots(tensors, grad_tensors, create_graph)
    if create_graph:
        warn_once(CREATE_GRAPH_WARNING, stacklevel=3)
    if inputs is not None:  # accumulate only into these
        inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
        grads = graph.run_backward(roots, bool(retain_graph), inputs, create_graph)
        for t, g in zip(inputs, grads):
            if g is not None:
                t._accumulate(g)
        return
    graph.run_backward(roots, bool(retain_graph), create_graph=create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=None, materialize_grads=False):
    """Return d(outputs)/d(inputs) as a tuple, leaving every .grad untouched.

    With create_graph=True each gradient is recorded as it is computed, so it has a grad_fn and
    can be differentiated again: grad of a grad is a second derivative.
    """
    retain_graph = create_graph if retain_graph is None else retain_graph
    single = isinstance(inputs, Tensor)
    inputs = (inputs,) if single else tuple(inputs)
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = graph.run_backward(_roots(outputs, grad_outputs, create_graph), bool(retain_graph),
                               inputs, create_graph)
    result = []
    for i, (t, g) in enumerate(zip(inputs, grads)):
        if g is None and not (allow_unused or materialize_grads):
            raise RuntimeError(
                f"The differentiated Tensor at index {i} appears to not have been used in the "
                "graph. Set allow_unused=True if this is the desired behavior.")
        if g is None and materialize_grads:
            g = np.zeros(t._data.shape, t._data.dtype)
        if isinstance(g, Tensor):  # recorded (create_graph): the gradient itself, with its graph
            result.append(g)
        else:
            result.append(None if g is None else Tensor._make(np.array(g, t._data.dtype)))
    return tuple(result)


# torch.autograd's other parts, off the teaching path: your own ops (Function, and
# function.once_differentiable), checking them (gradcheck), anomaly mode, and the Jacobians of
# torch.autograd.functional
from . import _custom_function as function  # noqa: E402, F401
from . import _functional as functional  # noqa: E402, F401
from ._anomaly import detect_anomaly, set_detect_anomaly  # noqa: E402, F401
from ._custom_function import Function  # noqa: E402, F401
from ._gradcheck import gradcheck, gradgradcheck  # noqa: E402, F401

__getattr__ = module_getattr("torch.autograd", __name__)  # torch.autograd.profiler, ...
