"""autograd_core: PyTorch's autograd in numpy, small enough to read and exact enough to check against.

    import autograd_core as torch

runs the course's lesson code unchanged and prints what torch prints.

Reading order -- the teaching path first, in one sitting:

    1. tensor.py     Tensor: data, requires_grad, grad, grad_fn, and the ops as methods
    2. graph.py      Node (a grad_fn), AccumulateGrad, and the backward walk (run_backward)
    3. functions.py  every op, forward and backward side by side (the one table: OPS); the
                     backward formulas' small vocabulary, which computes on arrays and records
                     on tensors -- so create_graph=True makes a gradient differentiable
    4. autograd.py   torch.autograd: backward and grad, the two ways to start the walk
    5. grad_mode.py  no_grad, enable_grad, set_grad_enabled, inference_mode

then the torch-compatibility layer, which has nothing to do with calculus:

    creation.py     tensor, ones, zeros, arange, randn, ...
    dtypes.py       torch's dtypes over numpy's, and torch's promotion rules
    _tensor_str.py  printing, exactly as torch prints
    _torch_errors.py  torch's errors and warnings, verbatim
"""

from . import _torch_errors, autograd, dtypes
from ._tensor_str import set_printoptions
from .creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import bool_ as bool  # noqa: A001  (torch.bool)
from .dtypes import dtype, float16, float32, float64, int8, int16, int32, int64, uint8
from .functions import OPS
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .tensor import Size, Tensor, matmul

float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16

_silence_numpy_warnings = _torch_errors.quiet_numpy  # (for harnesses that reset the filters)
_silence_numpy_warnings()

__version__ = "2.13.0"  # the torch version whose behaviour this mirrors


def get_default_dtype():
    return float32


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def where(condition, input, other):
    from ._torch_errors import check_broadcast
    from .tensor import Number

    if not isinstance(input, Tensor):
        input = Number(input, other)
    if not isinstance(other, Tensor):
        other = Number(other, input)
    check_broadcast(condition.shape, input.shape)
    check_broadcast(condition.shape, other.shape)
    check_broadcast(input.shape, other.shape)
    return OPS["WhereBackward0"].apply(input, other, condition._data)


def pow(input, exponent):
    return input**exponent if isinstance(input, Tensor) else exponent.__rpow__(input)


def stack(tensors, dim=0):
    return OPS["StackBackward0"].apply(*tensors, dim)


def cat(tensors, dim=0):
    first = tensors[0].shape
    for k, t in enumerate(tensors[1:], start=1):
        for d, (m, n) in enumerate(zip(first, t.shape)):
            if d != dim % len(first) and m != n:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size {m} but "
                    f"got size {n} for tensor number {k} in the list.")
    return OPS["CatBackward0"].apply(*tensors, dim)


def _method(name):
    def function(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)

    function.__name__ = name
    function.__doc__ = getattr(Tensor, name).__doc__
    return function


# torch.exp(x) is x.exp(), and so on for every op a lesson calls as a function
for _name in (
    "add sub mul div neg reciprocal square exp log sin cos tanh sigmoid relu abs sqrt clamp "
    "clone sum mean std norm max min argmax argmin dot mm mv reshape flatten unsqueeze squeeze "
    "t transpose permute eq ne lt le gt ge all any isfinite allclose equal detach numel"
).split():
    globals()[_name] = _method(_name)
del _name
