"""Function: an op that records itself. Its class is the grad_fn, an instance one node.

`apply` is the forward half of autograd: run the op's forward on numpy arrays, and -- only when
grad mode is on and some input requires grad -- make the node that will run its backward,
linked to the next step for each input and holding what forward saved. The ops themselves are
the table in functions.py.
"""

import inspect

from . import dtypes
from ._anomaly import ANOMALY, remember
from ._torch_errors import INFERENCE_SAVE_ERROR, quiet_numpy
from .grad_mode import STATE
from .graph import Node
from .tensor import Tensor


class Function(Node):
    """An op. Its class is the grad_fn torch prints; an instance is one node of the graph."""

    promote = False  # binary arithmetic: bring tensor inputs to one dtype first (torch.result_type)
    to_float = False  # true division: integers in, floats out
    # for each value forward saves, the inputs (forward's argument names) whose gradients use
    # it; None: all of them. As torch, a saved value no needed gradient uses is not kept, and
    # changing its tensor in place is no error (z = y * c, c without grad, keeps c only).
    saved_for = None
    _saved_users = None  # saved_for as positions in forward's arguments

    def __init_subclass__(cls):
        super().__init_subclass__()
        if "saved_for" in vars(cls):
            names = list(inspect.signature(cls.forward).parameters)[1:]
            cls._saved_users = tuple(tuple(names.index(n) for n in users.split())
                                     for users in cls.saved_for)

    @classmethod
    def apply(cls, *inputs):
        """Run forward on the inputs' arrays; record a node when a gradient will be needed."""
        tensors, arrays, needs_grad = [], [], False
        for x in inputs:
            if isinstance(x, Tensor):
                tensors.append(x)
                arrays.append(x._data)
                if x._requires_grad:
                    needs_grad = True
            else:
                arrays.append(x)
        if cls.promote and (cls.to_float or len(tensors) != 2
                            or tensors[0]._data.dtype is not tensors[1]._data.dtype):
            arrays = dtypes.promoted(cls, tensors, inputs, arrays)
        ctx = cls()
        ctx._saved = ()
        quiet_numpy()  # torch is silent where numpy warns (log(0), overflow): so is forward
        out = cls.forward(ctx, *arrays)
        if type(out) is tuple:  # an op with several outputs (unbind)
            return _several_outputs(ctx, out, tensors, needs_grad)
        if not (needs_grad and STATE.grad_enabled) or STATE.inference:
            return Tensor._make(out)  # nothing to differentiate: ctx is dropped, nothing recorded
        result = Tensor._make(out, ctx)
        _link(ctx, tensors, out)
        if ctx._saved:
            _keep_saved(ctx, inputs, arrays, out, result)
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


def _link(ctx, tensors, out):
    """Point the new node at the next step for each tensor input: its grad_fn, or its leaf's
    AccumulateGrad (None for an input that needs no gradient). Note too what the walk needs to
    fit a gradient to its input (_meta): the input's shape, where the op broadcasts it (the
    `promote` ops: the others give gradients of their inputs' shapes), and its dtype; and which
    output an input is of an op with several (_next_nr)."""
    steps, fit, several, broadcasts = [], False, False, ctx.promote
    for t in tensors:
        if t._base is not None:  # a view: its grad_fn remade if its memory was written since
            t._refresh_view()
        node = t._grad_fn
        if node is None:
            if not t._requires_grad:
                steps.append(None)
                continue
            node = t._grad_accumulator()
        elif node._outputs:
            several = True
        steps.append(node)
        if (broadcasts and t._data.shape != out.shape) or t._data.dtype is not out.dtype:
            fit = True
    ctx._next = tuple(steps)
    if ANOMALY.enabled:  # anomaly mode: where in the learner's code this node was made
        remember(ctx)
    if fit:
        ctx._meta = tuple([(t._data.shape, t._data.dtype) for t in tensors])
    if several:
        ctx._next_nr = tuple([t._output_nr for t in tensors])


def _several_outputs(ctx, outs, tensors, needs_grad):
    """The tensors of an op with several outputs, each knowing which output it is."""
    if not (needs_grad and STATE.grad_enabled) or STATE.inference:
        return tuple(Tensor._make(out) for out in outs)
    results = tuple(Tensor._make(out, ctx) for out in outs)
    ctx._outputs = len(outs)
    for nr, result in enumerate(results):
        result._output_nr = nr
    if outs:
        _link(ctx, tensors, outs[0])
    return results


def _keep_saved(ctx, inputs, arrays, out, result):
    """Keep, for each saved array that came from a tensor, that tensor and its version now.

    The version catches a tensor changed in place before backward; the tensor itself is what
    backward differentiates through when it builds a graph (create_graph=True). A saved array
    that only gradients nobody needs use, a wrapped number's, or one forward made, is kept as
    it is.
    """
    kept = []  # flat: index in ctx._saved, tensor, version, ... (few objects, for the GC)
    users = ctx._saved_users
    for k, saved in enumerate(ctx._saved):
        if saved is out or saved is result._data:  # the output (out: a ufunc on 0-d returns a
            source = result  # scalar)
        elif k < len(arrays) and arrays[k] is saved:  # (usually forward saves its k-th input)
            source = inputs[k]
        else:
            source = next((x for x, data in zip(inputs, arrays) if data is saved), None)
        if type(source) is not Tensor:
            continue  # made by forward, or a wrapped number's (a Number): it never changes
        if users is not None and not _needed(inputs, users[k]):
            continue  # for gradients nobody needs: torch keeps it not
        if source is result:  # held by its version counter only: no node<->tensor cycle
            counter = result._version_counter()
            kept += (k, counter, counter[0])
            continue
        if source._inference and not STATE.inference:
            raise RuntimeError(INFERENCE_SAVE_ERROR)
        kept += (k, source, 0 if source._vc is None else source._vc[0])
    ctx._versions = tuple(kept)


def _needed(inputs, users):
    """Whether the gradient of one of these inputs will be computed."""
    for i in users:
        if isinstance(inputs[i], Tensor) and inputs[i]._requires_grad:
            return True
    return False


# ---------------------------------------------------------------------------------------
# the vocabulary backward formulas are written in: numpy on arrays, recorded ops on tensors
# ---------------------------------------------------------------------------------------
def either(op):
    """op.apply on tensors (recorded), op's forward on arrays (computed)."""
    forward = op.forward

    def function(*args):
        for x in args:
            if isinstance(x, Tensor):
                return op.apply(*args)
        return forward(_SCRATCH, *args)

    function.__name__ = op.__name__
    return function


def array(x):
    """x's numpy array (x itself if it is one)."""
    return x._data if isinstance(x, Tensor) else x
