"""Making tensors: from data, by shape, and at random."""

import math
import numbers

import numpy as np

from . import _python_data, _ranges, dtypes
from . import functions as F
from ._random import default_generator
from ._tensor_api import size_args as _size
from ._torch_errors import COPY_CONSTRUCT_WARNING, INT_GRAD_ERROR, warn
from .function import Function
from .tensor import Tensor


def _numpy(dtype, default):
    """The numpy dtype for torch dtype (or the default), if autograd_core mirrors it."""
    dtype = dtype or default
    dtypes.check_mirrored(dtype)
    return dtype.numpy


def _new(array, dtype=None, requires_grad=False):
    if dtype is not None:
        array = dtypes.cast(array, _numpy(dtype, None))
    if requires_grad and array.dtype.kind not in "fc":
        raise RuntimeError(INT_GRAD_ERROR)
    return Tensor._make(array, None, bool(requires_grad))


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new leaf tensor holding a copy of data (numbers, nested lists, arrays or tensors)."""
    if isinstance(data, Tensor):
        warn(COPY_CONSTRUCT_WARNING)
        array = data._data.copy()
    elif isinstance(data, np.ndarray):
        dtypes.from_numpy(data.dtype)  # a clear error for dtypes torch has no name for
        array = data.copy()
    else:  # Python data, read as torch reads it (_python_data.py)
        return _new(_python_data.read(data, dtype), None, requires_grad)
    return _new(array, dtype, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """data as a tensor, sharing memory where it can: a tensor, or a numpy array, of that dtype."""
    if isinstance(data, Tensor):
        return data if dtype in (None, data.dtype) else data.to(dtype)
    if isinstance(data, np.ndarray) and dtype in (None, dtypes.from_numpy(data.dtype)):
        return from_numpy(data)
    return tensor(data, dtype)


def from_numpy(array):
    """A tensor sharing memory with a numpy array."""
    dtypes.from_numpy(array.dtype)
    return Tensor._make(array)


def _shape(args, size, maker=None):
    if not args and size is None and maker:  # torch.zeros(): no size is no 0-d tensor
        raise TypeError(_NO_SIZE.get(maker, f'{maker}() missing 1 required positional arguments: "size"'))
    return _size(args) if size is None else tuple(size)


_RANDOM_SIGNATURE = (
    " * (tuple of ints size, *, {}Tensor out = None, torch.dtype dtype = None, torch.layout layout = "
    "None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)\n")
_NO_SIZE = {maker: f"{maker}() received an invalid combination of arguments - got (), but expected "
            "one of:\n" + _RANDOM_SIGNATURE.format("torch.Generator generator, ")
            + _RANDOM_SIGNATURE.format("") for maker in ("rand", "randn")}


def _filled(fill, shape, dtype, requires_grad, default=dtypes.float32):
    array = np.empty(shape, _numpy(dtype, default))
    array.fill(fill)  # (np.full's work, without its Python wrapper)
    return _new(array, None, requires_grad)


def zeros(*args, size=None, dtype=None, requires_grad=False, device=None):
    return _filled(0, _shape(args, size, "zeros"), dtype, requires_grad)


def ones(*args, size=None, dtype=None, requires_grad=False, device=None):
    return _filled(1, _shape(args, size, "ones"), dtype, requires_grad)


def empty(*args, size=None, dtype=None, requires_grad=False, device=None):
    return _filled(0, _shape(args, size, "empty"), dtype, requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False, device=None):
    return _filled(fill_value, _shape((size,), None), dtype, requires_grad,
                   dtypes.of_python_scalar(fill_value))


def eye(n, m=None, dtype=None, requires_grad=False, device=None):
    return _new(np.eye(n, m, dtype=_numpy(dtype, dtypes.float32)), None, requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False, device=None):
    if end is None:
        start, end = 0, start
    floating = any(not isinstance(v, numbers.Integral) for v in (start, end, step))
    numpy = _numpy(dtype, dtypes.float32 if floating else dtypes.int64)
    if numpy in (np.float32, np.float64):
        count = max(math.ceil((end - start) / step), 0)
        whole = (float(start).is_integer() and float(step).is_integer()
                 and abs(start) + abs(step) * count < 2**24)  # (then numpy's values are exact)
        if not whole:  # torch's arithmetic, not numpy's (_ranges.py)
            return _new(_ranges.arange(start, step, count, numpy.type), None, requires_grad)
    return _new(np.arange(start, end, step, dtype=numpy), None, requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False, device=None):
    numpy = _numpy(dtype, dtypes.float32)
    if numpy in (np.float32, np.float64):  # torch's arithmetic, not numpy's (_ranges.py)
        return _new(_ranges.linspace(start, end, steps, numpy.type), None, requires_grad)
    values = np.linspace(start, end, steps, dtype=np.float64)
    return _new(values.astype(numpy), None, requires_grad)


def manual_seed(seed):
    """Seed the random generator: torch's numbers follow (see _random.py)."""
    return default_generator.manual_seed(seed)


def initial_seed():
    return default_generator.initial_seed()


def rand(*args, size=None, dtype=None, requires_grad=False, device=None):
    return _random(default_generator.uniform, _shape(args, size, "rand"), dtype, requires_grad)


def randn(*args, size=None, dtype=None, requires_grad=False, device=None):
    return _random(default_generator.normal, _shape(args, size, "randn"), dtype, requires_grad)


def _random(draw, shape, dtype, requires_grad):
    numpy = _numpy(dtype, dtypes.float32)
    return _new(draw(math.prod(shape), numpy).reshape(shape), dtype, requires_grad)


def normal(mean, std=None, size=None, *, dtype=None, requires_grad=False, device=None,
           generator=None):
    """Normal values: torch.normal(mean, std, size) of two numbers; or, with a tensor of means or
    of stds (or both), one value for each of its elements (their shapes broadcast)."""
    _check_generator(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        return _normal_around(mean, 1.0 if std is None else std)
    if std is None or size is None or not isinstance(size, (tuple, list)):
        given = ", ".join(type(v).__name__ for v in (mean, std, size) if v is not None)
        raise TypeError(_NORMAL_SIGNATURES.format(got=given))
    _check_spread(std)
    numpy = _numpy(dtype, dtypes.float32)
    if numpy.kind != "f":
        raise NotImplementedError(f'"normal_kernel_cpu" not implemented for \'{dtype._legacy[:-6]}\'')
    shape = tuple(size)
    values = default_generator.normal(math.prod(shape), numpy, mean, std)
    return _new(values.reshape(shape), None, requires_grad)


def _normal_around(mean, std):
    """normal(mean, std) with a tensor among them: standard normal values, spread and shifted by
    them element by element, as torch's kernel."""
    if isinstance(std, Tensor) and (std._data < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not isinstance(std, Tensor):
        _check_spread(std)
    like = mean if isinstance(mean, Tensor) else std
    if like._data.dtype.kind != "f":
        raise NotImplementedError(f'"normal_kernel_cpu" not implemented for \'{like.dtype._legacy[:-6]}\'')
    shape = np.broadcast_shapes(*(t._data.shape for t in (mean, std) if isinstance(t, Tensor)))
    n, dtype = math.prod(shape), like._data.dtype
    if not isinstance(std, Tensor):  # drawn with std, then + mean
        values = default_generator.normal(n, dtype, 0, std).reshape(shape) + mean._data
        return NormalBackward1.apply(mean, values)
    values = default_generator.normal(n, dtype).reshape(shape) * std._data
    if not isinstance(mean, Tensor):
        return NormalBackward2.apply(std, values + np.asarray(mean, dtype))
    return NormalBackward3.apply(mean, std, values + mean._data)


class NormalBackward1(Function):
    """z = a draw around mean (a tensor), spread by std;  dz/dmean = 0: torch does not
    differentiate through a draw"""
    promote = True  # (the gradient is summed back to the mean's shape)

    def forward(ctx, *inputs):  # the tensors' arrays, then the values drawn
        ctx.count = len(inputs) - 1
        return inputs[-1]

    def backward(ctx, g):
        return (F.zeros_like(g),) * ctx.count


class NormalBackward2(NormalBackward1):
    """z = a draw around mean, spread by std (a tensor);  dz/dstd = 0"""


class NormalBackward3(NormalBackward1):
    """z = a draw around mean, spread by std (both tensors);  dz/dmean = dz/dstd = 0"""


def _check_spread(std):
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")


def _check_generator(generator):
    if generator not in (None, default_generator):
        raise NotImplementedError("autograd_core has one random generator, torch's default: "
                                  "seed it with manual_seed")


_NORMAL_SIGNATURES = (
    "normal() received an invalid combination of arguments - got ({got}), but expected one of:\n"
    " * (Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, float std, tuple of ints size, *, torch.Generator generator = None, Tensor out "
    "= None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool "
    "pin_memory = False, bool requires_grad = False)\n")


def randperm(n, *, dtype=None, requires_grad=False, device=None, generator=None):
    """0, ..., n - 1 in random order (int64 unless dtype says otherwise)."""
    _check_generator(generator)
    if not isinstance(n, numbers.Integral):
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    return _new(default_generator.permutation(n), dtype, requires_grad)


def randint(low, high=None, size=(), dtype=None, requires_grad=False, device=None):
    if high is None or not isinstance(high, numbers.Integral):  # randint(high, size)
        low, high, size = 0, low, size if high is None else high
    size = tuple(size)
    values = default_generator.integers(low, high, math.prod(size)).reshape(size)
    return _new(values, dtype, requires_grad)


def _like(make):
    def like(input, dtype=None, requires_grad=False, device=None):
        return make(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)

    like.__name__ = make.__name__ + "_like"
    return like


zeros_like, ones_like, empty_like, rand_like, randn_like = map(
    _like, (zeros, ones, empty, rand, randn))


def full_like(input, fill_value, dtype=None, requires_grad=False, device=None):
    return full(input.shape, fill_value, dtype=dtype or input.dtype, requires_grad=requires_grad)
