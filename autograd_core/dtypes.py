"""torch's dtypes over numpy's, and torch's type promotion rules."""

import numbers

import numpy as np


class dtype:
    """A torch dtype: its printed name and the numpy dtype that stores it."""

    __slots__ = ("name", "numpy", "is_floating_point", "is_complex", "is_signed", "itemsize",
                 "_category", "_legacy", "_c_name", "_unmirrored")

    def __init__(self, name, numpy_dtype, category, legacy, c_name, itemsize=None, unmirrored=None):
        self.name = name
        self._c_name = c_name  # the C++ type name some of torch's errors print
        self.numpy = None if numpy_dtype is None else np.dtype(numpy_dtype)
        self.itemsize = itemsize or self.numpy.itemsize
        self.is_floating_point = category == 2
        self.is_complex = category == 3
        self.is_signed = name not in ("bool", "uint8")
        self._category = category  # bool 0 < integer 1 < floating 2 < complex 3: promotion moves up
        self._legacy = legacy  # the old type name torch prints in some errors
        self._unmirrored = unmirrored  # why autograd_core has no tensors of this dtype, if so

    def __repr__(self):
        return f"torch.{self.name}"

    def __reduce__(self):  # (by name: the class prints as torch's, <class 'torch.dtype'>)
        return _named, (self.name,)


bool_ = dtype("bool", np.bool_, 0, "BoolTensor", "bool")
uint8 = dtype("uint8", np.uint8, 1, "ByteTensor", "unsigned char")
int8 = dtype("int8", np.int8, 1, "CharTensor", "signed char")
int16 = dtype("int16", np.int16, 1, "ShortTensor", "short int")
int32 = dtype("int32", np.int32, 1, "IntTensor", "int")
int64 = dtype("int64", np.int64, 1, "LongTensor", "long int")
float16 = dtype("float16", np.float16, 2, "HalfTensor", "c10::Half")
float32 = dtype("float32", np.float32, 2, "FloatTensor", "float")
float64 = dtype("float64", np.float64, 2, "DoubleTensor", "double")

# torch's dtypes that autograd_core has names for but no tensors of: a clear error, never a
# silently different result
_NO_BFLOAT16 = ("autograd_core does not mirror torch.bfloat16: numpy has no bfloat16 type, so "
                "its rounding could not match torch's. Use torch itself for bfloat16 tensors.")
_NO_COMPLEX = ("autograd_core does not mirror complex tensors (torch.{}): their printing, "
               "promotion and autograd (Wirtinger derivatives) are beyond this engine. Use torch "
               "itself for complex tensors.")
bfloat16 = dtype("bfloat16", None, 2, "BFloat16Tensor", "c10::BFloat16", 2, _NO_BFLOAT16)
complex64 = dtype("complex64", np.complex64, 3, "ComplexFloatTensor", "c10::complex<float>",
                  unmirrored=_NO_COMPLEX.format("complex64"))
complex128 = dtype("complex128", np.complex128, 3, "ComplexDoubleTensor", "c10::complex<double>",
                   unmirrored=_NO_COMPLEX.format("complex128"))

dtype.__module__ = "torch"


def _named(name):
    """A pickled dtype, unpickled."""
    return next(d for d in (*ALL, bfloat16, complex64, complex128) if d.name == name)


ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_BY_NUMPY = {**{d.numpy.type: d for d in ALL}, **{d.numpy: d for d in ALL}}

default_float = float32


def check_mirrored(dtype):
    """A dtype autograd_core has tensors of, or NotImplementedError saying why not."""
    if dtype._unmirrored:
        raise NotImplementedError(dtype._unmirrored)


def from_numpy(np_dtype):
    try:
        return _BY_NUMPY[np_dtype]  # (a numpy dtype, or a type such as np.float32)
    except KeyError:
        kind = np.dtype(np_dtype)
        if kind == np.complex64:
            check_mirrored(complex64)
        if kind.kind == "c":
            check_mirrored(complex128)
        if kind.kind == "u":  # torch's uint16, uint32, uint64: few ops, and none here
            raise NotImplementedError(
                f"autograd_core does not mirror torch.{kind.name}: torch itself supports few "
                "operations on it. Use torch itself, or convert the array to int64 first.") from None
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{kind.type.__name__}. The only supported types "
            "are: float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
            "uint64, uint32, uint16, uint8, and bool.") from None


def cast(array, numpy_dtype):
    """array converted to numpy_dtype as torch converts: a double becomes a float16 through
    float32, two roundings (torch's Half is made from a float), where numpy rounds once."""
    if numpy_dtype == np.float16 and array.dtype == np.float64:
        array = array.astype(np.float32)
    return array.astype(numpy_dtype, copy=False)


def of_python_scalar(value):
    """A Python or numpy scalar's kind, as torch reads it: bool, integer, or floating."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, numbers.Integral):
        return int64
    if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        check_mirrored(complex128 if isinstance(value, np.complex128) else complex64)
    return default_float


def promote(a, b):
    """torch.promote_types: a higher category wins whatever its width (int64 + float16 is
    float16); within a category, the wider (numpy's answer, as uint8 + int8 is int16)."""
    if a._category != b._category:
        return a if a._category > b._category else b
    return _BY_NUMPY[np.promote_types(a.numpy, b.numpy)]


def result_type(*operands):
    """torch.result_type: tensors with dimensions outrank 0-d tensors, which outrank Python scalars.

    A lower rank only matters when it is of a higher category (bool < integer < floating):
    `int_tensor * 1.5` is float32, but `float32_tensor * float64_0d_tensor` stays float32.
    """
    from .tensor import Tensor

    ranks = ([], [], [])  # dimensioned tensors, 0-d tensors, Python scalars
    for x in operands:
        if isinstance(x, Tensor):
            ranks[0 if x._data.ndim else 1].append(x.dtype)
        else:
            ranks[2].append(of_python_scalar(x))
    result = None
    for dtypes in ranks:
        if not dtypes:
            continue
        group = dtypes[0]
        for d in dtypes[1:]:
            group = promote(group, d)
        if result is None:
            result = group
        elif group._category > result._category:
            result = group
    return result


def promoted(op, tensors, inputs, arrays):
    """The arrays of op's inputs, each tensor's brought to their torch.result_type (for true
    division: at least the default float)."""
    first = tensors[0]._data.dtype
    if all(t._data.dtype is first for t in tensors[1:]) and not (op.to_float and first.kind in "biu"):
        return arrays  # one dtype already (the usual case)
    from .tensor import Tensor

    target = result_type(*tensors)
    if op.to_float and not target.is_floating_point:
        target = default_float
    return [a.astype(target.numpy) if isinstance(x, Tensor) and a.dtype != target.numpy else a
            for x, a in zip(inputs, arrays)]
