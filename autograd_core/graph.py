"""The graph: nodes (torch's grad_fn objects) and the backward walk over them."""

import re

import numpy as np

from .grad_mode import STATE

RETAIN_GRAPH_ERROR = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)


class RemovableHandle:
    """What register_hook returns: call remove() to take the hook off again."""

    def __init__(self, hooks, fn):
        self._hooks, self._fn = hooks, fn

    def remove(self):
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)


class Node:
    """One step of the backward pass: it receives dL/d(output) and returns dL/d(each input).

    `next_functions` are the steps that come next, one `(node, 0)` pair per input, in argument
    order; an input that needs no gradient is `(None, 0)`. A leaf's step is its `AccumulateGrad`.
    """

    _saved = ()  # what forward kept for backward; None once freed
    _versions = ()  # (tensor, version) of saved tensors, to catch in-place changes
    _output = None  # set when forward saved its own output
    _hooks = _pre_hooks = _tensor_pre_hooks = _retained = ()

    # the op's own two halves, written by each subclass in functions.py
    def forward(ctx, *args):
        raise NotImplementedError

    def backward(ctx, grad):
        raise NotImplementedError

    # -- what torch's Node shows --------------------------------------------------------
    def name(self):
        """The node's name, as printed in grad_fn=<...>."""
        return type(self).__name__

    @property
    def next_functions(self):
        return self._next

    @property
    def metadata(self):
        """A dict free for your own notes about this node."""
        if "_metadata" not in self.__dict__:
            self._metadata = {}
        return self._metadata

    @property
    def requires_grad(self):
        return True

    def register_hook(self, fn):
        """fn(grad_inputs, grad_outputs) runs after this node; it may return new grad_inputs."""
        return self._add_hook("_hooks", fn)

    def register_prehook(self, fn):
        """fn(grad_outputs) runs before this node; it may return new grad_outputs."""
        return self._add_hook("_pre_hooks", fn)

    def _add_hook(self, kind, fn):
        hooks = self.__dict__.setdefault(kind, [])
        hooks.append(fn)
        return RemovableHandle(hooks, fn)

    def __call__(self, *grads):
        return self._apply(grads[0], retain_graph=True)

    def __repr__(self):
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def _repr_pretty_(self, printer, cycle):
        # Jupyter shows torch's nodes without "object" (IPython's default for C++ types)
        printer.text(f"<{type(self).__name__} at {id(self):#x}>")

    # -- saving tensors -----------------------------------------------------------------
    def save_for_backward(self, *arrays):
        """Keep what backward needs; it is freed after backward unless retain_graph=True."""
        self._saved = arrays

    @property
    def saved_tensors(self):
        if self._saved is None:
            raise RuntimeError(RETAIN_GRAPH_ERROR)
        for tensor, version in self._versions:
            if tensor._version != version:
                raise RuntimeError(_modified_error(tensor, version, self))
        return self._saved

    # -- one step of the walk -----------------------------------------------------------
    def _apply(self, grad, retain_graph):
        from .tensor import Tensor

        for fn in self._tensor_pre_hooks:  # Tensor.register_hook on this node's output
            new = fn(Tensor._wrap(grad))
            if new is not None:
                grad = new._data
        for tensor in self._retained:  # retain_grad(): keep a copy on the non-leaf
            tensor._accumulate(grad)
        for fn in self._pre_hooks:
            new = fn((Tensor._wrap(grad),))
            if new is not None:
                grad = new[0]._data
        grads = self.backward(grad)
        if type(grads) is not tuple:
            grads = (grads,)
        grads = tuple(None if g is None or edge[0] is None else _fit(g, meta, self, i)
                      for i, (g, meta, edge) in enumerate(zip(grads, self._meta, self._next)))
        for fn in self._hooks:
            new = fn(tuple(None if g is None else Tensor._wrap(g) for g in grads),
                     (Tensor._wrap(grad),))
            if new is not None:
                grads = tuple(None if g is None else g._data for g in new)
        if not retain_graph and self._saved:
            self._saved = None
            self._versions = ()
        return grads


def _fit(grad, meta, node, index):
    """Bring a gradient back to its input's shape and dtype, as torch's engine does.

    The adjoint of broadcasting is summing: an input broadcast along an axis gets the sum of the
    gradients along it. Doing it here means no op's backward has to think about broadcasting.
    """
    shape, dtype = meta
    if grad.shape != shape:
        grad = unbroadcast(grad, shape, node, index)
    if grad.dtype != dtype:
        grad = grad.astype(dtype)
    return grad


def unbroadcast(grad, shape, node=None, index=0):
    """Sum grad over the axes that broadcasting added or stretched, to get back to shape."""
    grad = np.asarray(grad)
    extra = grad.ndim - len(shape)
    if extra < 0 or any(n not in (1, grad.shape[extra + i]) for i, n in enumerate(shape)):
        raise RuntimeError(
            f"Function {type(node).__name__} returned an invalid gradient at index {index} - got "
            f"{list(grad.shape)} but expected shape compatible with {list(shape)}"
        )
    stretched = tuple(extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    if stretched:
        grad = grad.sum(axis=tuple(i - extra for i in stretched), keepdims=True)
    return grad.reshape(shape)


def _modified_error(tensor, version, node):
    shape = list(tensor._data.shape)
    where = ""
    if tensor is node._output:  # a saved output is named after the node that saved it
        where = f", which is output 0 of {_short_name(node)},"
    elif tensor.grad_fn is not None:
        where = f", which is output 0 of {_short_name(tensor.grad_fn)},"
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [torch.{tensor.dtype._legacy} {shape}]{where} is at version "
        f"{tensor._version}; expected version {version} instead. Hint: enable anomaly detection to "
        "find the operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False)."
    )


def _short_name(node):
    name = node.name()
    return name if "::" in name else re.sub(r"Backward\d+$", "", name)


class AccumulateGrad(Node):
    """The last step for a leaf: add the incoming gradient into `variable.grad`.

    One per leaf, shared by every op that uses it. Gradients *accumulate*: a second backward
    adds to `.grad` in place (the same tensor object) rather than replacing it -- which is why a
    training loop calls `.grad.zero_()` between steps.
    """

    def __init__(self, variable):
        self.variable = variable
        self._next = ()
        self._meta = ()

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def backward(ctx, grad):
        ctx.variable._accumulate(grad)
        return ()


def run_backward(roots, retain_graph, inputs=None):
    """Walk the graph from `roots` [(node, grad), ...] in dependency order.

    With `inputs` (tensors), nothing is accumulated: the gradients reaching them are returned
    instead (torch.autograd.grad). Written as a loop over an explicit stack, not recursion, so
    a 100,000-step chain needs no deep Python stack.
    """
    dependencies = {}
    stack = [node for node, _ in roots]
    seen = set(stack)
    while stack:
        for child, _ in stack.pop()._next:
            if child is not None:
                dependencies[child] = dependencies.get(child, 0) + 1
                if child not in seen:
                    seen.add(child)
                    stack.append(child)

    captured = None
    if inputs is not None:
        captured = {_capture_point(t): None for t in inputs}
    buffers = {}
    for node, grad in roots:
        buffers[node] = buffers[node] + grad if node in buffers else grad
    ready = [node for node in buffers if node not in dependencies]
    with _no_grad():
        while ready:
            node = ready.pop()
            grad = buffers.pop(node, None)
            if captured is not None and node in captured:
                captured[node] = grad
                if isinstance(node, AccumulateGrad):
                    continue
            if grad is None:  # no gradient reached this node: its inputs get none either
                grads = (None,) * len(node._next)
            else:
                grads = node._apply(grad, retain_graph)
            for (child, _), g in zip(node._next, grads):
                if child is None:
                    continue
                if g is not None:
                    buffers[child] = buffers[child] + g if child in buffers else g
                dependencies[child] -= 1
                if dependencies[child] == 0:
                    ready.append(child)
    if captured is not None:
        return [captured[_capture_point(t)] for t in inputs]


def _capture_point(tensor):
    return tensor._grad_accumulator() if tensor.grad_fn is None else tensor.grad_fn


class _no_grad:
    # backward itself is never recorded (no create_graph)
    def __enter__(self):
        self.saved, STATE.grad_enabled = STATE.grad_enabled, False

    def __exit__(self, *exc):
        STATE.grad_enabled = self.saved
