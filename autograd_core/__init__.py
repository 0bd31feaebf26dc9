"""autograd_core: PyTorch's autograd in numpy, small enough to read and exact enough to check against.

    import autograd_core as torch

runs the course's lesson code unchanged and prints what torch prints.

Reading order -- the teaching path first, in one sitting:

    1. tensor.py     Tensor's autograd half: requires_grad, grad, grad_fn, is_leaf, backward,
                     detach and .data, and where a gradient for a tensor goes next
    2. graph.py      Node (a grad_fn), AccumulateGrad, and the backward walk (run_backward)
    3. function.py   Function.apply: an op runs forward and records its node, when it must
    4. functions.py  the table of ops: one class per op, forward and backward side by side, each
                     saying how it is called (x.exp(), x + y, torch.exp(x)) -- Tensor's methods
                     and the module's functions are made from it
    5. autograd.py   torch.autograd: backward and grad, the two ways to start the walk
    6. grad_mode.py  no_grad, enable_grad, set_grad_enabled, inference_mode

and for gradients of gradients (create_graph=True), gradients.py: the nodes only a gradient's
graph has. The backward formulas compute on arrays and record on tensors, so a gradient is
itself differentiable.

then the torch-compatibility layer, which has nothing to do with calculus:

    _arguments.py     how each op's arguments are read and checked (dim, axis, shapes, numbers)
    _indexing.py      x[i], x[mask], x[i] = v, for row in x
    _inplace.py       x.add_(y), x += y, zero_(): writing into a tensor, and versions
    _views.py         a write into a view rewrites its base's graph; a view of written memory
                      gets torch's AsStridedBackward0
    _tensor_api.py    shape, dtype, conversions, comparisons, x.T, matmul's dispatch
    creation.py       tensor, ones, zeros, arange, randn, normal, ...
    _python_data.py   what torch.tensor makes of Python data: its dtype, each float from its double
    dtypes.py         torch's dtypes over numpy's, and torch's promotion rules
    _random.py        torch's random numbers, bit for bit (manual_seed, rand, randn, normal,
                      randint, randperm)
    _ranges.py        torch's arange and linspace, value for value
    _kernels.py       elementwise math, sums and small matrix products as torch's CPU kernels
                      compute them: the last digit of .item()
    _custom_function.py  torch.autograd.Function: ops written in Python (ctx, save_for_backward,
                      needs_input_grad, once_differentiable), and torch's checks of their backward
    _gradcheck.py     gradcheck and gradgradcheck
    _anomaly.py       anomaly mode: the forward call's stack when a step of backward fails
    func.py           torch.func: grad, vjp, jacrev, hessian, and vmap (a loop over the batch)
    _transforms.py    which of those transforms run now (what torch refuses inside them)
    _functional.py    torch.autograd.functional: jacobian and hessian at a point
    _tensor_str.py    printing, exactly as torch prints
    _torch_errors.py  torch's errors and warnings, verbatim
    _unmirrored.py    what torch has and this engine does not, said plainly (x.prod(), torch.nn)
"""

from . import _torch_errors, _unmirrored, autograd, dtypes, func
from ._anomaly import is_anomaly_check_nan_enabled, is_anomaly_enabled, set_anomaly_enabled
from ._tensor_api import FUNCTIONS as _VALUE_FUNCTIONS
from ._tensor_api import Size
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
    initial_seed,
    linspace,
    manual_seed,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import (
    bfloat16,
    complex64,
    complex128,
    dtype,
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    uint8,
)
from .dtypes import bool_ as bool  # noqa: A001  (torch.bool)
from .functions import FUNCTIONS as _OP_FUNCTIONS
from .functions import OPS
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .tensor import Tensor

float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16
cfloat = complex64
cdouble = complex128

_silence_numpy_warnings = _torch_errors.quiet_numpy  # (for harnesses that reset the filters)
_silence_numpy_warnings()

__version__ = "2.13.0"  # the torch version whose behaviour this mirrors


def get_default_dtype():
    return float32


def is_tensor(obj):
    return isinstance(obj, Tensor)


def detach(input):
    return input.detach()


# torch.exp(x), torch.sum(x, dim=0), torch.where(c, a, b), ...: from the table of ops
# (functions.py), and the few functions that record nothing (_tensor_api.py)
globals().update(_OP_FUNCTIONS)
globals().update(_VALUE_FUNCTIONS)

# x.prod(), torch.nn: names torch has beyond the course's part of it say so when used
_unmirrored.mark_tensor(Tensor)
__getattr__ = _unmirrored.module_getattr("torch", __name__)
