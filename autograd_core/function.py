"""Function: an op that records itself. Its class is the grad_fn, an instance one node.

`apply` is the forward half of autograd: run the op's forward on numpy arrays, and -- only when
grad mode is on and some input requires grad -- make the node that will run its backward,
linked to the next step for each input and holding what forward saved. The ops themselves are
the table in functions.py.
"""

import numpy as np

from . import dtypes
from ._torch_errors import INFERENCE_SAVE_ERROR
from .grad_mode import STATE
from .graph import Node
from .tensor import Tensor


class Function(Node):
    """An op. Its class is the grad_fn torch prints; an instance is one node of the graph."""

    promote = False  # binary arithmetic: bring tensor inputs to one dtype first (torch.result_type)
    to_float = False  # true division: integers in, floats out

    @classmethod
    def apply(cls, *inputs):
        """Run forward on the inputs' arrays; record a node when a gradient will be needed."""
        tensors, arrays, needs_grad = [], [], False
        for x in inputs:
            if isinstance(x, Tensor):
                tensors.append(x)
                arrays.append(x._data)
                needs_grad = needs_grad or x._requires_grad
            else:
                arrays.append(x)
        if cls.promote and (len(tensors) != 2 or tensors[0]._data.dtype is not tensors[1]._data.dtype
                            or cls.to_float):
            arrays = dtypes.promoted(inputs, arrays, cls.to_float)
        ctx = cls()
        ctx._saved = ()
        out = cls.forward(ctx, *arrays)
        if type(out) is tuple:  # an op with several outputs (unbind)
            return _several_outputs(ctx, out, tensors, needs_grad)
        if not (needs_grad and STATE.grad_enabled) or STATE.inference:
            return Tensor._make(out)  # nothing to differentiate: ctx is dropped, nothing recorded
        result = Tensor._make(out, ctx)
        _link(ctx, tensors, result)
        if ctx._saved:
            _track_saved(ctx, inputs, arrays, out, result)
        return result

    @classmethod
    def compute(cls, *arrays):
        """forward alone, on arrays: the op as a plain numpy function (its ctx is a scratch one)."""
        return cls.forward(_SCRATCH, *arrays)


class _Scratch:
    """Where compute's forward writes what it would save: read by nobody."""

    def save_for_backward(self, *arrays):
        pass


_SCRATCH = _Scratch()


def _link(ctx, tensors, result):
    """Point the new node at the next step for each tensor input."""
    ctx._next = tuple([t._grad_fn or (t._grad_accumulator() if t._requires_grad else None)
                       for t in tensors])
    shape, dtype = result._data.shape, result._data.dtype
    for t in tensors:  # a gradient to fit to its input? (fewer objects when none is)
        if t._requires_grad and (t._data.shape != shape or t._data.dtype != dtype):
            ctx._meta = tuple([(t._data.shape, t._data.dtype) for t in tensors])
            break
    for t in tensors:  # an input that is one of several outputs: the edge names which
        if t._output_nr:
            ctx._next_nr = tuple([t._output_nr for t in tensors])
            break


def _several_outputs(ctx, outs, tensors, needs_grad):
    """The tensors of an op with several outputs, each knowing which output it is."""
    if not (needs_grad and STATE.grad_enabled) or STATE.inference:
        return tuple(Tensor._make(out) for out in outs)
    results = tuple(Tensor._make(out, ctx) for out in outs)
    ctx._outputs = len(outs)
    for nr, result in enumerate(results):
        result._output_nr = nr
    _link(ctx, tensors, Tensor._make(np.empty(0)))  # (no output's shape is the input's)
    return results


def _track_saved(ctx, inputs, arrays, out, result):
    """For each saved array, the tensor it came from and that tensor's version now.

    The version catches a tensor changed in place before backward; the tensor itself is what
    backward differentiates through when it builds a graph (create_graph=True).
    """
    sources = []  # flat: tensor, version, tensor, version, ... (fewer objects for the GC)
    for saved in ctx._saved:
        source = None
        if saved is out or saved is result._data:  # (a ufunc on a 0-d array returns a scalar)
            counter = result._version_counter()  # the output, held by its version counter only
            sources += (counter, counter[0])
            continue
        else:
            for x, data in zip(inputs, arrays):
                if data is saved:
                    if type(x) is Tensor:  # not a wrapped number: it never changes
                        source = x
                    break
        if source is None:
            sources += (None, 0)
            continue
        if source._inference and not STATE.inference:
            raise RuntimeError(INFERENCE_SAVE_ERROR)
        vc = source._vc
        sources += (source, 0 if vc is None else vc[0])
    ctx._versions = tuple(sources)


# ---------------------------------------------------------------------------------------
# the vocabulary backward formulas are written in: numpy on arrays, recorded ops on tensors
# ---------------------------------------------------------------------------------------
def either(op):
    """op.apply on tensors (recorded), op's forward on arrays (computed)."""

    def function(*args):
        for x in args:
            if isinstance(x, Tensor):
                return op.apply(*args)
        return op.compute(*args)

    function.__name__ = op.__name__
    return function


def array(x):
    """x's numpy array (x itself if it is one)."""
    return x._data if isinstance(x, Tensor) else x
