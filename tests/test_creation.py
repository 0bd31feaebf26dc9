"""Making a tensor from data: every door, the dtype torch infers and the values to the last bit.

float64 is float64 through every path (lists, nested lists, Python and numpy scalars, numpy
arrays, from_numpy, as_tensor, full, arange, linspace, fill_, tensor(t), .double(), .to()): the
values are compared with .tolist() and .item(), never through printing, which rounds.
"""

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from .engines import ENGINES

doubles = st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=False,
                    min_value=-1e30, max_value=1e30)

PATHS = {  # path -> f(T, values): a float64 tensor made from the values that way
    "list": lambda T, v: T.tensor(v, dtype=T.float64),
    "nested list": lambda T, v: T.tensor([v, v], dtype=T.float64),
    "tuple": lambda T, v: T.tensor(tuple(v), dtype=T.float64),
    "Python scalar": lambda T, v: T.tensor(v[0], dtype=T.float64),
    "numpy scalar": lambda T, v: T.tensor(np.float64(v[0])),
    "list of numpy scalars": lambda T, v: T.tensor([np.float64(x) for x in v]),
    "numpy array": lambda T, v: T.tensor(np.array(v)),
    "from_numpy": lambda T, v: T.from_numpy(np.array(v)),
    "as_tensor": lambda T, v: T.as_tensor(v, dtype=T.float64),
    "as_tensor of an array": lambda T, v: T.as_tensor(np.array(v)),
    "full": lambda T, v: T.full((2,), v[0], dtype=T.float64),
    "zeros().fill_": lambda T, v: T.zeros(3, dtype=T.float64).fill_(v[0]),
    "tensor(t)": lambda T, v: T.tensor(T.tensor(v, dtype=T.float64)),
    "list of 0-d tensors": lambda T, v: T.tensor([T.tensor(x, dtype=T.float64) for x in v]),
    ".double()": lambda T, v: T.tensor(np.array(v)).float().double(),
    ".to(float64)": lambda T, v: T.tensor(v).to(T.float64),
    "ints to float64": lambda T, v: T.tensor([int(x) for x in v], dtype=T.float64),
    "x * number": lambda T, v: T.ones(len(v), dtype=T.float64) * v[0],
}


def _made(path, values):
    results = []
    for T in ENGINES.values():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (tensor(t) warns, in both)
            t = PATHS[path](T, values)
        results.append((str(t.dtype), t.tolist(), t.reshape(-1)[0].item()))
    return results


@settings(max_examples=120, deadline=None)
@given(values=st.lists(doubles, min_size=1, max_size=4), path=st.sampled_from(sorted(PATHS)))
def test_float64_is_float64_through_every_path(values, path):
    torch_made, core_made = _made(path, values)
    assert core_made == torch_made


@settings(max_examples=60, deadline=None)
@given(values=st.lists(doubles, min_size=1, max_size=4),
       dtype=st.sampled_from(["float32", "float16", "float64"]))
def test_each_float_is_rounded_once_from_its_double_as_torch_rounds_it(values, dtype):
    # (float16 goes through float32, as torch's conversion of a double: two roundings)
    made = [(T.tensor(values, dtype=getattr(T, dtype)).tolist(),
             T.tensor(np.array(values), dtype=getattr(T, dtype)).tolist(),
             T.tensor(values, dtype=T.float64).to(getattr(T, dtype)).tolist())
            for T in ENGINES.values()]
    assert made[1] == made[0]


KINDS = {  # an element of Python data, by kind (torch infers one dtype from all of them)
    "float": 2.5, "int": 3, "bool": True, "np.float64": np.float64(0.1), "np.float32": np.float32(0.1),
    "np.float16": np.float16(1.5), "np.int32": np.int32(7), "np.int8": np.int8(-2),
    "np.uint8": np.uint8(200), "np.bool_": np.bool_(False), "0-d float64 tensor": "t64",
    "0-d int tensor": "tint", "1-element tensor": "t1",
}


def _element(T, kind):
    value = KINDS[kind]
    return {"t64": lambda: T.tensor(0.1, dtype=T.float64), "tint": lambda: T.tensor(4),
            "t1": lambda: T.tensor([1.25])}.get(value, lambda: value)()


@settings(max_examples=150, deadline=None)
@given(kinds=st.lists(st.sampled_from(sorted(KINDS)), min_size=1, max_size=3), nested=st.booleans())
def test_the_dtype_torch_infers_from_mixed_elements(kinds, nested):
    made = []
    for T in ENGINES.values():
        data = [_element(T, k) for k in kinds]
        try:
            t = T.tensor([data, data] if nested else data)
            made.append((str(t.dtype), t.tolist()))
        except Exception as error:  # noqa: BLE001 -- torch refuses some mixes, so must the engine
            made.append(f"{type(error).__name__}: {error}")
    assert made[1] == made[0]


BAD_DATA = {
    "a string": lambda T: T.tensor("abc"), "strings": lambda T: T.tensor(["a"]),
    "None": lambda T: T.tensor(None), "[None]": lambda T: T.tensor([None]),
    "a dict": lambda T: T.tensor({1: 2}), "ragged": lambda T: T.tensor([[1, 2], [3]]),
    "a number where a row belongs": lambda T: T.tensor([[1, 2], 3]),
    "a row where a number belongs": lambda T: T.tensor([1, [2]]),
    "int past int64": lambda T: T.tensor([2**63]), "mixed past int64": lambda T: T.tensor([1, 2**63]),
    "int8 overflow": lambda T: T.tensor([128], dtype=T.int8),
    "uint8 overflow": lambda T: T.tensor([-256], dtype=T.uint8),
    "uint8 wraps -1": lambda T: T.tensor([-1], dtype=T.uint8),
    "inf to int": lambda T: T.tensor([float("inf")], dtype=T.int64),
    "a float cut to an int": lambda T: T.tensor([2.7, -2.7], dtype=T.int32),
    "a 2-element tensor as an element": lambda T: T.tensor([T.ones(2), T.ones(2)]),
    "a float32 overflow": lambda T: T.tensor([1e40], dtype=T.float32),
    "numpy longdouble": lambda T: T.tensor(np.array([1.0], np.longdouble)),
}


def test_bad_data_is_refused_in_torchs_words():
    differences = []
    for name, make in BAD_DATA.items():
        outcomes = []
        for T in ENGINES.values():
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    outcomes.append((repr(make(T)), [str(w.message) for w in caught]))
            except Exception as error:  # noqa: BLE001 -- the error is the outcome to compare
                outcomes.append(f"{type(error).__name__}: {error}")
        if outcomes[1] != outcomes[0]:
            differences.append(f"{name}: torch {outcomes[0]!r}, core {outcomes[1]!r}")
    assert not differences, "\n".join(differences)


def test_as_tensor_shares_a_numpy_arrays_memory_as_torch():
    shared = []
    for T in ENGINES.values():
        array, other = np.zeros(2), np.zeros(2)
        T.as_tensor(array).add_(1)  # same dtype: the same memory
        T.as_tensor(other, dtype=T.float32).add_(1)  # another dtype: a copy
        shared.append((array.tolist(), other.tolist()))
    assert shared[1] == shared[0] == ([1.0, 1.0], [0.0, 0.0])


def test_a_list_of_arrays_warns_as_torch_once():
    import subprocess
    import sys

    code = ("import warnings, numpy as np, {m} as T\nwarnings.simplefilter('always')\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            "    T.tensor([np.ones(2), np.ones(2)]); T.tensor([np.ones(2)])\n"
            "print([(str(x.message), x.filename) for x in w])")
    printed = [subprocess.run([sys.executable, "-c", code.format(m=m)], capture_output=True,
                              text=True, check=True).stdout for m in ("torch", "autograd_core")]
    assert printed[1] == printed[0] and "Triggered internally" in printed[0]
