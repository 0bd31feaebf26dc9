"""What torch.tensor makes of Python data: numbers, nested lists, numpy scalars, tensors.

Off the teaching path. torch reads such data element by element, not as numpy does:
- one dtype for all of it, inferred from every element and promoted: a Python float is the
  default float32, an int int64, a bool bool; a numpy scalar, a numpy array or a tensor keeps its
  own dtype (torch.tensor([np.float64(0.1)]) is float64, [np.float32(1), 2] float32);
- each element is converted from the number it is -- a float as the double it is -- straight to
  that dtype: torch.tensor([0.1], dtype=torch.float64) holds the double 0.1 exactly (never a
  float32 on the way), float16 goes through float32 (as torch's conversion of a double does),
  and a value an integer dtype cannot hold is refused rather than wrapped around.
"""

import numbers
import operator

import numpy as np

from . import dtypes
from ._torch_errors import NUMPY_LIST_WARNING, SCALAR_WARNING, quiet_numpy, warn_once
from .tensor import Tensor

_SEQUENCES = (list, tuple, range, np.ndarray)  # what torch walks into (a tensor is an element)


def read(data, dtype=None):
    """data (Python numbers, nested sequences of them) as an array of dtype, or of the dtype
    torch infers for it."""
    quiet_numpy()  # (1e40 as a float32 is inf, with no warning from numpy: torch gives none)
    if dtype is not None:
        dtypes.check_mirrored(dtype)
    if type(data) is float and (dtype is None or dtype.is_floating_point):  # (the usual case)
        return dtypes.cast(np.array(data), (dtype or dtypes.default_float).numpy)
    if _plain(data) and (dtype is None or dtype.is_floating_point):
        # Python numbers only: numpy reads them as torch does (float64 is Python's float, read
        # here as the default float32), and converts each float from its double
        array = np.array(data, np.float64 if dtype is not None else None)
        return dtypes.cast(array, (dtype or _DEFAULTS[array.dtype.kind]).numpy)
    if isinstance(data, str):
        raise TypeError("new(): invalid data type 'str'")
    shape, leaves = _elements(data)
    if dtype is None:
        dtype = _inferred(leaves)
    return _converted(leaves, dtype).reshape(shape)


_DEFAULTS = {"f": dtypes.default_float, "i": dtypes.int64, "b": dtypes.bool_}


def _plain(data):
    """Whether data is Python numbers (ints within int64), or lists (or tuples) of them all the
    way down, evenly: what numpy reads as torch does."""
    if type(data) not in (list, tuple):
        return _plain_number(data)
    if not data:
        return False
    if type(data[0]) in (list, tuple):
        length = len(data[0])
        return all(type(row) in (list, tuple) and len(row) == length and _plain(row) for row in data)
    return all(_plain_number(x) for x in data)


def _plain_number(x):
    kind = type(x)
    return kind is float or kind is bool or (kind is int and -2**63 <= x < 2**63)


def _elements(data):
    """data's shape, as torch reads it from its first elements, and its elements in order."""
    shape, first = [], data
    while isinstance(first, (*_SEQUENCES, str)):
        if isinstance(first, str):
            raise ValueError("too many dimensions 'str'")
        shape.append(len(first))
        if not len(first):
            break
        first = first[0]
    level = [data]
    for dim, size in enumerate(shape):
        inner = []
        for seq in level:
            if not isinstance(seq, _SEQUENCES):
                raise TypeError("not a sequence")
            if isinstance(seq, np.ndarray) and seq is not data:
                warn_once(NUMPY_LIST_WARNING)
            if len(seq) != size:
                raise ValueError(f"expected sequence of length {size} at dim {dim} (got {len(seq)})")
            inner.extend(seq)  # (an array's elements are numpy scalars: they keep its dtype)
        level = inner
    return tuple(shape), level


def _inferred(leaves):
    """The dtype torch infers: each element's, promoted together (float32 for no elements)."""
    result, leaves = None, list(leaves)
    for x in leaves:
        if isinstance(x, _SEQUENCES):  # a sequence where a number belongs: its own elements count
            leaves.extend(x)
            continue
        if isinstance(x, Tensor):
            kind = x.dtype
        elif isinstance(x, np.generic):
            kind = dtypes.from_numpy(x.dtype)
        elif isinstance(x, (bool, numbers.Number)):
            kind = dtypes.of_python_scalar(x)
        elif isinstance(x, str):
            raise ValueError("too many dimensions 'str'")
        else:
            raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")
        result = kind if result is None else dtypes.promote(result, kind)
    return result or dtypes.default_float


def _converted(leaves, dtype):
    """The elements, each converted as torch's store_scalar converts it, as a 1-d array."""
    leaves = [_number(x) if isinstance(x, Tensor) else x for x in leaves]
    if dtype.is_floating_point:
        for x in leaves:
            if not isinstance(x, (numbers.Real, np.bool_)):
                raise TypeError(f"must be real number, not {type(x).__name__}")
        return dtypes.cast(np.array(leaves, np.float64), dtype.numpy)  # a double each, as torch
    if dtype is dtypes.bool_:
        return np.array([bool(x) for x in leaves], np.bool_)
    return _integers(leaves, dtype)


def _number(t):
    """A tensor element's value (torch.tensor([a, 2 * a]) reads each as a Python number)."""
    if t._data.size != 1:
        raise ValueError("only one element tensors can be converted to Python scalars")
    if t._requires_grad:
        warn_once(SCALAR_WARNING)
    return t._data.reshape(()).item()


def _integers(leaves, dtype):
    """Integers of dtype: a float is cut toward zero; what dtype cannot hold is refused."""
    values = []
    for x in leaves:
        if isinstance(x, (float, np.floating)):
            if not np.isfinite(x) or abs(x) >= 2**63:
                raise RuntimeError(f"value cannot be converted to type {dtype.name} without overflow")
            x = int(x)
        values.append(operator.index(x))  # (Python's error for what is no integer, as torch's)
    try:
        array = np.array(values, np.int64)
    except OverflowError:
        raise ValueError("Overflow when unpacking long long") from None
    info = np.iinfo(dtype.numpy)
    # (torch lets an unsigned dtype take -max..-1, wrapped around: torch.tensor([-1], uint8) is 255)
    low = -info.max if info.min == 0 else info.min
    if array.size and (array.min() < low or array.max() > info.max):
        raise RuntimeError(f"value cannot be converted to type {dtype.name} without overflow")
    return array.astype(dtype.numpy)
