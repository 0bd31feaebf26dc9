"""torch's words, verbatim: the errors and warnings autograd_core gives where torch gives them.

Off the teaching path: nothing here is calculus. Each message is copied from torch 2.13 and
checked against it by the differential tests (tests/test_behaviour_differential.py,
tests/test_torch_families.py). A warning torch raises in C++ ends with where in torch's source it
was raised, "(Triggered internally at ...)": the engine's carries the same words.
"""

import re
import sys
import warnings

import numpy as np

from .grad_mode import STATE


def _raised_in(source):
    """The end of a warning torch 2.13's C++ raises (its CPU wheel's build paths)."""
    return f" (Triggered internally at /__w/pytorch/pytorch/{source}.)"


RETAIN_GRAPH_ERROR = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)
NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information."
) + _raised_in("build/aten/src/ATen/core/TensorBody.h:493")
INT_GRAD_ERROR = "Only Tensors of floating point and complex dtype can require gradients"
# torch words this three ways, depending on the door: tensor(..., requires_grad=True) above,
# t.requires_grad = True, and t.requires_grad_()
INT_GRAD_SET_ERROR = "only Tensors of floating point and complex dtype can require gradients"
INT_GRAD_METHOD_ERROR = "only Tensors of floating point dtype can require gradients"
SCALAR_WARNING = ("Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
                  "behavior.\nConsider using tensor.detach() first."
                  + _raised_in("torch/csrc/autograd/generated/python_variable_methods.cpp:822"))
COPY_CONSTRUCT_WARNING = (  # (raised in Python, so with no "Triggered internally")
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
    "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).")
NUMPY_LIST_WARNING = (
    "Creating a tensor from a list of numpy.ndarrays is extremely slow. Please consider converting "
    "the list to a single numpy.ndarray with numpy.array() before converting to a tensor."
    + _raised_in("torch/csrc/utils/tensor_new.cpp:252"))
INFERENCE_INPLACE_ERROR = (
    "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone "
    "to get a normal tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 "
    "for more details.")
INFERENCE_REQUIRES_GRAD_ERROR = ("Setting requires_grad=True on inference tensor outside "
                                 "InferenceMode is not allowed.")
INFERENCE_SAVE_ERROR = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a clone "
    "to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
    "`torch.inference_mode()`.")
CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter "
    "and its gradient which can cause a memory leak. We recommend using autograd.grad when "
    "creating the graph to avoid this. If you have to use this function, make sure to reset the "
    ".grad fields of your parameters to None after use to break the cycle and avoid the leak."
) + _raised_in("torch/csrc/autograd/engine.cpp:1307")

DEGREES_OF_FREEDOM_WARNING = (  # .format(op="std" or "var")
    "{op}(): degrees of freedom is <= 0. Correction should be strictly less than the reduction "
    "factor (input numel divided by output numel)."
    + _raised_in("aten/src/ATen/native/ReduceOps.cpp:1861"))
# x.T, x.mT, x.mH, x.H, x.adjoint(): torch's once-per-process deprecations, and where it raises them
T_NOT_2D_WARNING = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and "
    "it will throw an error in a future release. Consider `x.mT` to transpose batches of matrices or "
    "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor."
    + _raised_in("aten/src/ATen/native/TensorShape.cpp:4314"))
DEPRECATED_ON_0D = {  # what -> (advice, the line of TensorShape.cpp that warns)
    "Tensor.T": ("This function is the identity in these cases.", 4321),
    "Tensor.H": ("Consider using x.conj().", 4335),
    "Tensor.mT": ("This function is the identity in these cases.", 4373),
    "Tensor.mH": ("Consider using x.conj().", 4382),
    "adjoint()": ("Consider using x.conj().", 4390),
}


def deprecated_on_0d_warning(what):
    advice, line = DEPRECATED_ON_0D[what]
    return (f"{what} is deprecated on 0-D tensors. {advice}"
            + _raised_in(f"aten/src/ATen/native/TensorShape.cpp:{line}"))

_warned = set()  # the warnings torch gives once per process
_ENGINE = r"autograd_core(\.|$)"


def quiet_numpy():
    """numpy warns where torch is silent (log(0), 1/0, overflow): not from inside the engine.

    A warnings filter on the engine's own modules, cheap per op (np.errstate costs more than
    most ops). Put first on import, and again before each op and each backward if something
    (warnings.simplefilter("error"), a catch_warnings, pytest) has reset or outranked it since.
    """
    filters = warnings.filters
    if filters and filters[0] is _QUIET[0]:  # (the usual case, and the cheap check)
        return
    first = filters[0] if filters else None
    if not (first and first[0] == "ignore" and first[2] is RuntimeWarning
            and getattr(first[3], "pattern", None) == _ENGINE):
        warnings.filterwarnings("ignore", category=RuntimeWarning, module=_ENGINE)
    _QUIET[0] = warnings.filters[0]


_QUIET = [None]  # the filter quiet_numpy last saw first


def warn_once(message, stacklevel=None):
    """warnings.warn, once per process for each message, as torch's TORCH_WARN_ONCE (pointing at
    the learner's line unless told how far up the stack that is)."""
    if message not in _warned:
        _warned.add(message)
        warn(message, stacklevel and stacklevel + 1)


def warn(message, stacklevel=None):
    """A UserWarning, attributed as torch's are to the line that called into it: the first one
    outside the engine (or stacklevel frames up)."""
    if stacklevel is None:
        frame, stacklevel = sys._getframe(1), 1
        while frame is not None and re.match(_ENGINE, frame.f_globals.get("__name__", "")):
            frame, stacklevel = frame.f_back, stacklevel + 1
    warnings.warn(message, UserWarning, stacklevel=stacklevel + 1)


def _is_bool(x):
    """A bool tensor or a Python/numpy bool."""
    data = getattr(x, "_data", x)  # a tensor's array
    return isinstance(data, (bool, np.bool_)) or getattr(data, "dtype", None) == np.bool_


def check_bool_subtraction(a, b):
    kinds = _is_bool(a) + _is_bool(b)
    if kinds == 2:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if kinds == 1:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


def check_bool(a, b, kernel):
    if _is_bool(a) and _is_bool(b):
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def check_broadcast(a, b):
    """torch's error for shapes that do not broadcast, naming the first clash from the right."""
    ndim = max(len(a), len(b))
    for k in range(1, ndim + 1):
        m = a[-k] if k <= len(a) else 1
        n = b[-k] if k <= len(b) else 1
        if m != n and m != 1 and n != 1:
            raise RuntimeError(f"The size of tensor a ({m}) must match the size of tensor b ({n}) "
                               f"at non-singleton dimension {ndim - k}") from None


def checked_hook_result(fn, new, old):
    """A node hook's return value, validated as torch does: a tuple, one entry per gradient."""
    if not isinstance(new, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(new).__name__}'")
    if len(new) != len(old):
        raise RuntimeError(f"hook '{getattr(fn, '__name__', fn)}' has returned an incorrect number "
                           f"of values (got {len(new)}, but expected {len(old)})")
    for g, was in zip(new, old):
        if was is None and g is not None:
            raise RuntimeError("can't replace a None gradient with a non-None value")
        if g is not None:
            check_hook_value(fn, g, was)
    return new


def check_hook_value(fn, new, old):
    """One gradient a hook returned, checked as torch checks it: a tensor of the old one's
    dtype and shape (old: the gradient it replaces, an array or a tensor)."""
    if not hasattr(new, "_data"):
        raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
    name = getattr(fn, "__name__", fn)
    old = getattr(old, "_data", old)
    if new._data.dtype != old.dtype:
        from .dtypes import from_numpy

        raise RuntimeError(f"hook '{name}' has changed the type of value (was "
                           f"torch.{from_numpy(old.dtype)._legacy} got torch.{new.dtype._legacy})")
    if new._data.shape != np.shape(old):
        raise RuntimeError(f"hook '{name}' has changed the size of value")


def modified_error(tensor, version, node):
    from ._anomaly import ANOMALY

    shape = list(tensor._data.shape)
    where = ""
    if tensor.grad_fn is not None:  # a saved output is named after its node
        where = f", which is output {tensor._output_nr} of {short_name(tensor.grad_fn)},"
    hint = ("the backtrace further above shows the operation that failed to compute its "
            "gradient. The variable in question was changed in there or anywhere later. Good "
            "luck!" if ANOMALY.enabled else
            "enable anomaly detection to find the operation that failed to compute its gradient, "
            "with torch.autograd.set_detect_anomaly(True, check_nan=False).")
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [torch.{tensor.dtype._legacy} {shape}]{where} is at version "
        f"{tensor._version}; expected version {version} instead. Hint: {hint}"
    )


def short_name(node):
    """A node's name without its Backward suffix, as torch's messages say it: Exp, Cube."""
    name = node.name()
    return name if "::" in name else re.sub(r"Backward\d*$", "", name)


def check_grad_assignment(tensor, value):
    """What torch accepts in `x.grad = value`: None, or a tensor of x's shape and dtype."""
    from .tensor import Tensor

    if value is None:
        return
    if not isinstance(value, Tensor):
        raise TypeError("assigned grad expected to be a Tensor or None but got grad of "
                        f"type {type(value).__name__}")
    if value.shape != tensor.shape:
        raise RuntimeError(
            f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor of "
            f"size '{list(tensor.shape)}'. Please ensure that the gradient and the tensor "
            "are the same size")
    if value.dtype is not tensor.dtype:
        raise RuntimeError(
            f"attempting to assign a gradient with dtype '{value.dtype._c_name}' to a "
            f"tensor with grad_dtype '{tensor.dtype._legacy[:-6]}'. The gradient must match "
            "the tensor's grad_dtype (defaults to the tensor's dtype). You can set the "
            "tensor's grad_dtype attribute with a specific dtype, or None to allow any "
            "dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its "
            "gradient may break downstream systems that assume they match.")


OVERLAP_ERROR = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation.")
NO_GRAD_VIEW_ERROR = (
    "{what} created in no_grad mode and {how} inplace with grad mode enabled. Given that this use "
    "case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both "
    "the view and the inplace either both inside the no_grad block (if you don't want the inplace "
    "to be tracked) or both outside (if you want the inplace to be tracked).")


def stale_no_grad_view(tensor):
    """Whether tensor is a view made under no_grad whose memory was written since (through it,
    its base or another view): torch then refuses to say where its gradient would go."""
    return tensor._no_grad_view and tensor._grad_fn is None and tensor._vc[0] != tensor._view_version


def check_no_grad_view(tensor):
    if stale_no_grad_view(tensor):
        raise RuntimeError(NO_GRAD_VIEW_ERROR.format(
            what="A view was", how="its base or another view of its base has been modified"))


def may_require_grad(tensor, value, door):
    """Whether tensor's requires_grad may be set to value, by torch's rules -- or torch's error.
    door: INT_GRAD_SET_ERROR (x.requires_grad = v) or INT_GRAD_METHOD_ERROR (x.requires_grad_(v))."""
    if tensor._grad_fn is not None:
        if not value:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if door is not INT_GRAD_METHOD_ERROR:  # the setter; requires_grad_() is a no-op
            raise RuntimeError("you can only change requires_grad flags of leaf variables.")
        return False
    if value and not tensor.dtype.is_floating_point:
        raise RuntimeError(door)
    if value and tensor._inference and not STATE.inference:
        raise RuntimeError(INFERENCE_REQUIRES_GRAD_ERROR)
    return True


def check_data_assignment(tensor, value):
    """What torch accepts in `x.data = value`: a tensor, floating if x requires grad."""
    from .tensor import Tensor

    if not isinstance(value, Tensor):
        raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
    if tensor._requires_grad and not value.dtype.is_floating_point:
        raise RuntimeError("data set to a tensor that requires gradients must be floating "
                           "point or complex dtype")
