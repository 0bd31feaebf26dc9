"""torch.autograd.Function: an op written in Python with torch's API -- a learner's own op.

Off the teaching path (lesson 11 looks inside). The engine's own ops (functions.py) are written
the same way -- forward and backward side by side, ctx.save_for_backward -- but on numpy arrays.
A torch-style Function gets tensors: its forward runs with recording off, its backward with
recording on only under create_graph. `apply` makes one node per call, of a class made per
Function (Cube -> CubeBackward); that node's backward calls the learner's and checks what comes
back as torch does (one gradient per input, None for what is not a tensor, shapes that fit).

Also here: once_differentiable, and torch's Error node that stands for a backward which cannot
be differentiated again.
"""

import functools
import warnings

import numpy as np

from ._torch_errors import RETAIN_GRAPH_ERROR, modified_error
from ._transforms import TRANSFORMS
from ._unmirrored import module_getattr
from .function import Function as _Op
from .function import _link
from .grad_mode import STATE, no_grad
from .graph import Node
from .tensor import Tensor

SETUP_CONTEXT_ERROR = (
    "In order to use an autograd.Function with functorch transforms (vmap, grad, jvp, jacrev, "
    "...), it must override the setup_context staticmethod. For more details, please see "
    "https://pytorch.org/docs/main/notes/extending.func.html")
NO_VMAP_ERROR = (
    "You tried to vmap over {name}, but it does not have vmap support. Please override and "
    "implement the vmap staticmethod or set generate_vmap_rule=True. For more details, please "
    "see https://pytorch.org/docs/main/notes/extending.func.html")


def typename(obj):
    """The type's name as torch's C++ says it: float, list, numpy.ndarray."""
    kind = type(obj)
    return f"numpy.{kind.__name__}" if kind.__module__ == "numpy" else kind.__name__


class FunctionCtx:
    """What forward (or setup_context) tells the node that backward will run on: ctx."""

    def save_for_backward(self, *tensors):
        """Keep tensors for backward; it gets them back, checked unchanged, as ctx.saved_tensors."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} "
                                f"is of type {typename(t)}")
        self._to_save = tensors

    def mark_dirty(self, *tensors):
        """Say that forward wrote into these inputs (and returns them): they join the graph here."""
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        """Outputs no gradient flows back through (indices, masks)."""
        self._non_differentiable = tensors

    def set_materialize_grads(self, value):
        """Whether backward gets zeros (True, the default) or None for an output with no gradient."""
        self._materialize = bool(value)


class BackwardCFunction(FunctionCtx, Node):
    """The node of one call of a torch-style Function (its class: CubeBackward for Cube)."""

    _forward_cls = None  # the Function this class is the node of
    _to_save = _dirty = _non_differentiable = ()
    _materialize = True
    promote = False  # (function._link: inputs keep their own shapes)

    def name(self):
        return type(self).__name__

    __repr__ = object.__repr__  # <torch.autograd.function.CubeBackward object at 0x...>

    def _repr_pretty_(self, printer, cycle):  # Jupyter's way with a Python class, as torch's
        kind = type(self)
        printer.text(f"<{kind.__module__}.{kind.__qualname__} at {id(self):#x}>")

    @property
    def saved_tensors(self):
        """What forward saved, each checked unchanged since (its version) -- or torch's error."""
        if self._saved is None:
            raise RuntimeError(RETAIN_GRAPH_ERROR)
        return tuple(self._unpack(entry) for entry in self._saved)

    def _unpack(self, entry):
        if entry is None:
            return None
        source, version, output = entry
        if output is None:  # an input, or a tensor forward made: the tensor itself
            tensor = source
        else:  # an output, held by its memory and version counter (no node<->tensor cycle)
            tensor = Tensor._make(source[0], self)
            tensor._vc, tensor._output_nr = source[1], output
        if tensor._version != version:
            raise RuntimeError(modified_error(tensor, version, self))
        return tensor

    # -- the walk's step: the learner's backward, and torch's checks of what it returns ------
    def backward(self, grad):
        grads = grad if self._outputs else (grad,)
        grads = [self._as_tensor(g, nr) for nr, g in enumerate(grads)]
        return self._gradients(self._forward_cls.backward(self, *grads))

    def _as_tensor(self, grad, nr):
        if grad is None:  # an output no gradient reached: zeros, unless told otherwise
            if not self._materialize:
                return None
            shape, dtype = self._output_meta[nr]
            grad = np.zeros(shape, dtype)
        return grad if isinstance(grad, Tensor) else Tensor._make(grad)

    def _gradients(self, returned):
        """One gradient per forward input, as torch reads them: arrays (tensors under
        create_graph) for the tensor inputs, in order."""
        name = self.name()
        if type(returned) is not tuple:
            returned = (returned,)
        n = len(self._tensor_inputs)
        if len(returned) > n and all(g is None for g in returned[n:]):
            returned = returned[:n]  # extra Nones are fine
        if len(returned) != n:
            raise RuntimeError(f"function {name} returned an incorrect number of gradients "
                               f"(expected {n}, got {len(returned)})")
        grads = []
        for i, (is_tensor, g) in enumerate(zip(self._tensor_inputs, returned)):
            if not is_tensor:
                if g is not None:
                    raise RuntimeError(f"function {name} returned a gradient different than None "
                                       f"at position {i + 1}, but the corresponding forward "
                                       "input was not a Variable")
                continue
            if g is not None and not isinstance(g, Tensor):
                raise RuntimeError(f"expected Variable or None (got {typename(g)})")
            grads.append(g if g is None or STATE.grad_enabled else g._data)
        return tuple(grads)  # (Node._apply fits each to its input's shape and dtype, or refuses)

    # -- made by apply ------------------------------------------------------------------------
    def _record(self, args, tensors, out):
        """Link this node into the graph: the outputs get it as grad_fn, and what forward saved
        is kept with its version."""
        _link(self, tensors, tensors[0]._data)
        self._meta = tuple((t._data.shape, t._data.dtype) for t in tensors)  # checked in backward
        self._tensor_inputs = tuple(isinstance(a, Tensor) for a in args)
        several = type(out) is tuple
        outputs = list(out) if several else [out]
        if several:
            self._outputs = len(outputs)
        meta = []
        for nr, o in enumerate(outputs):
            meta.append((o._data.shape, o._data.dtype) if isinstance(o, Tensor) else ((), None))
            if isinstance(o, Tensor) and not _among(o, self._non_differentiable):
                outputs[nr] = self._output(o, nr, tensors)
        self._output_meta = tuple(meta)
        self._saved = tuple(self._entry(t, out, outputs) for t in self._to_save)
        self._to_save = ()
        return tuple(outputs) if several else outputs[0]

    def _output(self, o, nr, tensors):
        if _among(o, self._dirty):  # written in place by forward: it joins the graph here
            if o._grad_fn is None and o._requires_grad:
                raise RuntimeError("a leaf Variable that requires grad has been used in an "
                                   "in-place operation.")
            o._bump_version()
        elif _among(o, tensors) or o._base is not None:  # an input as it is, or a view
            o = o._alias()
        o._grad_fn, o._requires_grad = self, True
        if nr:
            o._output_nr = nr
        return o

    def _entry(self, t, out, outputs):
        """(source, version, output number or None) for one saved tensor."""
        if t is None:
            return None
        returned = out if type(out) is tuple else (out,)
        for nr, o in enumerate(returned):
            if t is o and outputs[nr]._grad_fn is self:
                counter = outputs[nr]._version_counter()
                return (outputs[nr]._data, counter), counter[0], nr
        return t, t._version, None


def _among(t, tensors):
    return any(t is other for other in tensors)


class FunctionMeta(type):
    """Gives each Function its node class: Cube gets CubeBackward."""

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(f"{name}Backward", (BackwardCFunction,), {
            "_forward_cls": cls, "__module__": "torch.autograd.function",
            "__qualname__": f"{name}Backward"})


class Function(metaclass=FunctionMeta):
    """An op of your own: subclass, write forward(ctx, ...) and backward(ctx, grad) as
    staticmethods, and call it with .apply(...)."""

    generate_vmap_rule = False

    def __init__(self, *args, **kwargs):
        warnings.warn(f"{self.__class__} should not be instantiated. Methods on autograd "
                      "functions are all static, so you should invoke them on the class itself. "
                      "Instantiating an autograd function will raise an error in a future "
                      "version of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    @staticmethod
    def vmap(info, in_dims, *args):
        raise NotImplementedError("To use autograd.Function with vmap, you must either override "
                                  "the vmap staticmethod or set generate_vmap_rule=True.")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward with recording off; if a gradient will be needed, record one node."""
        split = cls.setup_context is not Function.setup_context  # forward(*args) + setup_context
        if TRANSFORMS.depth:
            if not split:
                raise RuntimeError(SETUP_CONTEXT_ERROR)
            if TRANSFORMS.vmap and not (cls.generate_vmap_rule or cls.vmap is not Function.vmap):
                raise RuntimeError(NO_VMAP_ERROR.format(name=cls.__name__))
        ctx = cls._backward_cls()
        ctx._saved = ctx._versions = ()
        tensors = [a for a in args if isinstance(a, Tensor)]
        records = STATE.grad_enabled and not STATE.inference and any(
            t._requires_grad for t in tensors)
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        with no_grad():  # what forward does is not recorded: this one node stands for it
            if split:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        return ctx._record(args, tensors, out) if records else out


Function.__module__ = "torch.autograd.function"  # (as torch's prints)


class InplaceFunction(Function):
    """torch's base for Functions that may write into their input (inplace=True)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace


# -- a backward that cannot be differentiated again ----------------------------------------
class Error(_Op):
    """Stands in for the result of a backward marked @once_differentiable: differentiating
    through it again raises."""

    def forward(ctx, *arrays):
        return arrays if len(arrays) > 1 else arrays[0]

    def backward(ctx, *grads):
        raise RuntimeError("trying to differentiate twice a function that was marked with "
                           "@once_differentiable")

    def name(self):
        return "torch::autograd::Error"


def once_differentiable(fn):
    """Mark a backward that autograd cannot differentiate (it computes with numpy, say): it runs
    with recording off, and a gradient taken through it again raises instead of being wrong."""

    @functools.wraps(fn)
    def wrapper(ctx, *args, **kwargs):
        with no_grad():
            outputs = fn(ctx, *args, **kwargs)
        if not STATE.grad_enabled:
            return outputs
        if not any(isinstance(a, Tensor) and a._requires_grad for a in args):
            return outputs
        several = isinstance(outputs, tuple)
        # stand-ins that require grad, so that the outputs get a grad_fn (torch's words: "we need
        # at least one of the inputs to err_fn to require grad")
        stand_ins = [None if o is None else o.detach().requires_grad_()
                     for o in (outputs if several else (outputs,))]
        return Error.apply(*stand_ins)

    return wrapper


__getattr__ = module_getattr("torch.autograd.function", __name__)  # torch's other names, refused plainly
