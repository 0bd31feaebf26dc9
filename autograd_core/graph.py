"""The graph: nodes (torch's grad_fn objects) and the backward walk over them."""

import numpy as np

from . import _kernels as kernels
from ._anomaly import ANOMALY, watched
from ._torch_errors import (
    RETAIN_GRAPH_ERROR,
    check_hook_value,
    checked_hook_result,
    modified_error,
    quiet_numpy,
)
from .grad_mode import STATE


class RemovableHandle:
    """What register_hook returns: call remove() to take the hook off again."""

    def __init__(self, hooks, fn):
        self._hooks, self._fn = hooks, fn

    def remove(self):
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)


class Node:
    """One step of the backward pass: it receives dL/d(output) and returns dL/d(each input).

    `next_functions` are the steps that come next, one `(node, output number)` pair per input,
    in argument order; an input that needs no gradient is `(None, 0)`. A leaf's step is its
    `AccumulateGrad`.
    """

    # slots for what every node has, a __dict__ for what some ops keep (ctx.shape, ...)
    __slots__ = ("_next", "_saved", "_versions", "__dict__", "__weakref__")
    # _next: the next node for each input (None where no gradient is needed)
    # _saved: what forward kept for backward, None once freed
    # _versions: k, tensor, version, ... for each saved array k a tensor holds: to catch the
    #   tensor being changed in place before backward (function._keep_saved)
    _hooks = _pre_hooks = _tensor_pre_hooks = _retained = ()
    _meta = None  # (shape, dtype) of each input, when some gradient may need fitting to it
    _has_hooks = False  # any pre-hook, tensor hook or retain_grad: the walk's slow path
    # an op with several outputs (unbind) has their number here and gets a list of gradients,
    # one per output (None where none arrived); an edge to one of its outputs names which, in
    # _next_nr (when any is not 0)
    _outputs = None
    _next_nr = None

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
        return tuple(zip(self._next, self._next_nr or (0,) * len(self._next)))

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

    def _add_hook(self, kind, fn, output_nr=0):
        self._has_hooks = True
        hooks = self.__dict__.setdefault(kind, [])
        entry = (output_nr, fn) if kind == "_tensor_pre_hooks" else fn
        hooks.append(entry)
        return RemovableHandle(hooks, entry)

    def __call__(self, *grads):
        """Run this one step by hand: grad_fn(dL/d(output)) -> dL/d(each input), as tensors."""
        if len(grads) != (self._outputs or 1):
            raise TypeError(f"expected {self._outputs or 1} arguments, got {len(grads)} instead")
        grads = [g if g is None or STATE.grad_enabled else g._data for g in grads]
        grads = tuple(None if g is None or step is None else _as_tensor(g)  # (none for an input
                      for g, step in zip(self._apply(grads if self._outputs else grads[0], True),
                                         self._next))  # that needs no gradient, as torch)
        return grads[0] if len(grads) == 1 else grads  # one input: torch returns the tensor

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
        kept = self._versions  # k, source, version, ...: the saved arrays that tensors hold
        for i in range(0, len(kept), 3) if kept else ():
            # a saved output is held by its version counter, not the tensor: no node<->tensor cycle
            source = kept[i + 1]
            counter = source if type(source) is list else source._vc
            if (0 if counter is None else counter[0]) != kept[i + 2]:
                tensor = self._saved_as_tensors()[kept[i]] if type(source) is list else source
                raise RuntimeError(modified_error(tensor, kept[i + 2], self))
        if STATE.grad_enabled:  # backward with create_graph: differentiate through the saved
            return self._saved_as_tensors()
        return self._saved

    def _saved_as_tensors(self):
        """The tensors the saved arrays came from (constants for arrays no tensor holds)."""
        from .dtypes import from_numpy
        from .tensor import Tensor

        sources = dict(zip(self._versions[::3], self._versions[1::3]))
        tensors = []
        for k, saved in enumerate(self._saved):
            source = sources.get(k)
            if source is None:
                is_array = isinstance(saved, (np.ndarray, np.generic))
                tensors.append(Tensor._make(saved) if is_array else saved)
            elif type(source) is list:  # this node's own output: a tensor whose grad_fn is self
                output = Tensor._make(saved, self)
                output._vc = source
                tensors.append(output)
            elif saved.dtype != source._data.dtype:  # saved after type promotion
                tensors.append(source.to(from_numpy(saved.dtype)))
            else:
                tensors.append(source)
        return tuple(tensors)

    # -- one step of the walk -----------------------------------------------------------
    def _apply(self, grad, retain_graph):
        if self._has_hooks:
            grad = self._run_pre_hooks(grad)
            if grad is None:  # a pre-hook dropped it: no gradient goes on from here
                return (None,) * len(self._next)
        grads = self.backward(grad)
        if type(grads) is not tuple:
            grads = (grads,)
        if self._meta is None:  # each input that needs a gradient has the output's shape, dtype
            if self._hooks:
                grads = self._run_hooks([None if c is None else g for g, c in zip(grads, self._next)],
                                        grad)
            if not retain_graph and self._saved:  # free what forward saved, as torch does
                self._saved = None
                self._versions = ()
            return grads
        recording = STATE.grad_enabled  # create_graph: the gradients are tensors
        fitted = []
        for i, (g, child, (shape, dtype)) in enumerate(zip(grads, self._next, self._meta)):
            if g is None or child is None:  # torch computes no gradient an input can't use
                fitted.append(None)
                continue
            if g.shape != shape:
                g = unbroadcast(g, shape, self, i)
            if recording:
                if g._data.dtype != dtype:
                    from .dtypes import from_numpy

                    g = g.to(from_numpy(dtype))
            elif g.dtype != dtype:
                g = g.astype(dtype)
            fitted.append(g)
        if self._hooks:
            fitted = self._run_hooks(fitted, grad)
        if not retain_graph and self._saved:
            self._saved = None
            self._versions = ()
        return fitted

    def _run_pre_hooks(self, grad):
        grads = list(grad) if self._outputs else [grad]  # one per output
        for nr, fn in self._tensor_pre_hooks:  # Tensor.register_hook on this node's outputs
            if grads[nr] is None:
                continue
            new = fn(_as_tensor(grads[nr]))
            if new is not None:
                check_hook_value(fn, new, grads[nr])
                grads[nr] = _as_gradient(new)
        for tensor in self._retained:  # retain_grad(): keep a copy on the non-leaf
            if grads[tensor._output_nr] is not None:
                tensor._accumulate(grads[tensor._output_nr])
        for fn in self._pre_hooks:
            new = fn(tuple(None if g is None else _as_tensor(g) for g in grads))
            if new is not None:
                grads = [None if g is None else _as_gradient(g)
                         for g in checked_hook_result(fn, new, grads)]
        return grads if self._outputs else grads[0]

    def _run_hooks(self, grads, grad):
        outputs = tuple(None if g is None else _as_tensor(g)
                        for g in (grad if self._outputs else [grad]))
        for fn in self._hooks:
            new = fn(tuple(None if g is None else _as_tensor(g) for g in grads), outputs)
            if new is not None:
                grads = [None if g is None else _as_gradient(g) for g in checked_hook_result(fn, new, grads)]
        return grads


def _as_tensor(grad):
    """A gradient as hooks see it: a tensor (it already is one under create_graph)."""
    from .tensor import Tensor

    return grad if isinstance(grad, Tensor) else Tensor._make(grad)


def _as_gradient(tensor):
    """A hook's tensor as the walk carries it: an array, or the tensor under create_graph."""
    return tensor if STATE.grad_enabled else tensor._data


def unbroadcast(grad, shape, node=None, index=0):
    """Sum grad over the axes that broadcasting added or stretched, to get back to shape."""
    if not isinstance(grad, (np.ndarray, np.generic)):  # a tensor: create_graph
        return _sum_to(grad, shape, node, index)
    grad = np.asarray(grad)
    axes = tuple(range(grad.ndim - len(shape))) + _stretched(grad.shape, shape, node, index)
    return kernels.sum(grad, axes, keepdims=True).reshape(shape) if axes else grad


def _stretched(grad_shape, shape, node, index):
    """The axes of grad_shape that broadcasting stretched from a 1 in shape."""
    extra = len(grad_shape) - len(shape)
    if extra < 0 or any(n not in (1, grad_shape[extra + i]) for i, n in enumerate(shape)):
        raise RuntimeError(
            f"Function {type(node).__name__} returned an invalid gradient at index {index} - got "
            f"{list(grad_shape)} but expected shape compatible with {list(shape)}"
        )
    return tuple(extra + i for i, n in enumerate(shape) if n == 1 and grad_shape[extra + i] != 1)


def _sum_to(grad, shape, node, index):
    """unbroadcast, recorded (create_graph): as torch's sum_to, one sum keeping dims, then a view."""
    extra = grad.ndim - len(shape)
    dims = list(range(max(extra, 0))) + list(_stretched(tuple(grad.shape), shape, node, index))
    if not shape:
        return grad.sum()
    if dims:
        grad = grad.sum(dims, keepdim=True)
    return grad.view(shape) if extra else grad


class AccumulateGrad(Node):
    """The last step for a leaf: add the incoming gradient into `variable.grad`.

    One per leaf, shared by every op that uses it. Gradients *accumulate*: a second backward
    adds to `.grad` in place (the same tensor object) rather than replacing it -- which is why a
    training loop calls `.grad.zero_()` between steps.
    """

    def __init__(self, variable):
        self.variable = variable
        self._next = self._saved = ()

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def backward(ctx, grad):
        ctx.variable._accumulate(grad)
        return ()

    def _apply(self, grad, retain_graph):
        if self._has_hooks:
            return Node._apply(self, grad, retain_graph)
        self.variable._accumulate(grad)  # (the walk's last step for a leaf, kept short)
        return ()


def run_backward(roots, retain_graph, inputs=None, create_graph=False):
    """Walk the graph from `roots` [(node, output_nr, grad), ...] in dependency order.

    With `inputs` (tensors), nothing is accumulated: the gradients reaching them are returned
    instead (torch.autograd.grad). Written as a loop over an explicit stack, not recursion, so
    a 100,000-step chain needs no deep Python stack. Usually the walk carries numpy arrays and
    records nothing; with `create_graph` it carries tensors and records the ops of every
    backward formula, so the gradients it produces can be differentiated again.
    """
    dependencies = {}  # node -> how many gradients it still waits for
    buffers = {}  # node -> the gradient summed so far for its output (a list: several outputs)
    for node, nr, grad in roots:
        _add(buffers, node, nr, grad)
    stack = list(buffers)
    while stack:
        for child in stack.pop()._next:
            if child is not None:
                if child in dependencies:
                    dependencies[child] += 1
                else:
                    dependencies[child] = 1
                    if child not in buffers:  # (a root is walked once, from the start)
                        stack.append(child)
    ready = [node for node in buffers if node not in dependencies]
    captured = needed = None
    if inputs is not None:  # only the nodes on a path to an input run, as in torch
        captured = {_capture_point(t): None for t in inputs}
        needed = _reaching(buffers, captured)
    quiet_numpy()  # torch is silent where a formula meets 0/0 or overflows: so is the walk
    watch = watched if ANOMALY.enabled else None  # anomaly mode: each step checked, and told
    enabled, STATE.grad_enabled = STATE.grad_enabled, create_graph
    try:
        while ready:
            node = ready.pop()
            grad = buffers.pop(node, None)
            if captured is not None:  # autograd.grad: fill no .grad, return the inputs' gradients
                if node in captured:
                    captured[node] = grad
                if isinstance(node, AccumulateGrad):
                    continue
            if grad is None or (needed is not None and node not in needed):
                # no gradient reached this node (or none is needed from it): its inputs get none
                grads = (None,) * len(node._next)
            elif watch is None:
                grads = node._apply(grad, retain_graph)
            else:
                grads = watch(node, grad, retain_graph)
            if node._next_nr is not None:  # an input is one of several outputs (unbind)
                _pass_on_to_outputs(node, grads, buffers, dependencies, ready)
                continue
            for child, g in zip(node._next, grads):
                if child is None:
                    continue
                if g is not None:  # add it to what child has received so far
                    buffers[child] = buffers[child] + g if child in buffers else g
                left = dependencies[child] - 1
                dependencies[child] = left
                if not left:
                    ready.append(child)
    finally:
        STATE.grad_enabled = enabled
    if captured is not None:
        grads = [captured[_capture_point(t)] for t in inputs]
        return [g[t._output_nr] if type(g) is list else g for g, t in zip(grads, inputs)]


def _reaching(starts, targets):
    """The nodes, from starts on, through which some target can be reached."""
    found, expanded, stack = {}, set(), list(starts)
    while stack:
        node = stack[-1]
        if node in found:
            stack.pop()
            continue
        if node not in expanded and node not in targets:  # its next nodes first, then itself
            expanded.add(node)
            stack.extend(c for c in node._next if c is not None and c not in found)
            continue
        stack.pop()
        found[node] = node in targets or any(found.get(c, False) for c in node._next)
    return {node for node, reaches in found.items() if reaches}


def _add(buffers, node, nr, grad):
    """Add grad into what node has received for its output nr."""
    if node._outputs is None:
        buffers[node] = buffers[node] + grad if node in buffers else grad
        return
    per_output = buffers.setdefault(node, [None] * node._outputs)
    per_output[nr] = grad if per_output[nr] is None else per_output[nr] + grad


def _pass_on_to_outputs(node, grads, buffers, dependencies, ready):
    """The walk's step for a node whose inputs name which output of their op they are."""
    for child, nr, g in zip(node._next, node._next_nr, grads):
        if child is None:
            continue
        if g is not None:
            _add(buffers, child, nr, g)
        dependencies[child] -= 1
        if not dependencies[child]:
            ready.append(child)


def _capture_point(tensor):
    return tensor._grad_accumulator() if tensor.grad_fn is None else tensor.grad_fn
