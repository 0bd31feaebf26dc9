"""torch.autograd.gradcheck and gradgradcheck: a backward checked against finite differences.

Off the teaching path (lesson 10 does this by hand). As torch's slow mode, the default: for
each input element, a central difference of the function's outputs (the input's memory nudged
by +-eps in place); for each output element, one backward pass with a one-hot gradient; the two
Jacobians -- a row per input element, a column per output element -- must be allclose. Then
backward must give zeros for zero output gradients ("multiplied by grad_output"). Errors and
warnings are torch's words.
"""

import numpy as np

from ._random import default_generator
from ._torch_errors import warn
from .tensor import Tensor


class GradcheckError(RuntimeError):
    """A check that gradcheck or gradgradcheck found failing."""


GradcheckError.__module__ = "torch.autograd.gradcheck"  # (as torch's prints)


def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _differentiable(outputs):
    return tuple(o for o in _as_tuple(outputs) if o.requires_grad)


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False, masked=None):
    """True if func's backward agrees with central differences at inputs (float64 inputs that
    require grad); else a GradcheckError saying where (or False, with raise_exception=False)."""
    for name, value in (("check_batched_grad", check_batched_grad), ("fast_mode", fast_mode),
                        ("check_batched_forward_grad", check_batched_forward_grad),
                        ("check_forward_ad", check_forward_ad)):
        if value:
            raise NotImplementedError(f"autograd_core does not mirror gradcheck(..., {name}=True): "
                                      "run this with real torch (import torch).")
    try:
        return _gradcheck(func, _as_tuple(inputs), eps, atol, rtol, nondet_tol, check_backward_ad)
    except GradcheckError:
        if raise_exception:
            raise
        return False


def _gradcheck(func, inputs, eps, atol, rtol, nondet_tol, check_backward_ad):
    _check_inputs(inputs)
    func_out = func(*inputs)
    outputs = _differentiable(func_out)
    if not check_backward_ad:
        return True
    numerical = _numerical_jacobians(func, inputs, _as_tuple(func_out), eps)
    if not outputs:
        for per_output in numerical:
            if any(n.any() for n in per_output):
                raise GradcheckError("Numerical gradient for function expected to be zero")
        return True
    numerical = [n for o, n in zip(_as_tuple(func_out), numerical) if o.requires_grad]
    for i, o in enumerate(outputs):
        for j, (a, n) in enumerate(zip(_analytical_jacobians(inputs, o, nondet_tol), numerical[i])):
            if not _allclose(a, n, rtol, atol):
                raise GradcheckError(f"Jacobian mismatch for output {i:d} with respect to input "
                                     f"{j:d},\nnumerical:{Tensor._make(n)}\n"
                                     f"analytical:{Tensor._make(a)}\n")
    _backward_multiplied_by_grad_output(outputs, inputs)
    return True


def _check_inputs(inputs):
    any_requiring_grad = False
    for idx, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad:
            if x._data.dtype != np.float64:
                warn(f"Input #{idx} requires gradient and is not a double precision floating "
                     "point or complex. This check will likely fail if all the inputs are not of "
                     "double precision floating point or complex. ")
            if any(s == 0 and n > 1 for s, n in zip(x._data.strides, x._data.shape)):
                raise RuntimeError(
                    f"The {idx}th input has a dimension with stride 0. gradcheck only supports "
                    "inputs that are non-overlapping to be able to compute the numerical "
                    "gradients correctly. You should call .contiguous on the input before "
                    "passing it to gradcheck.")
            any_requiring_grad = True
    if not any_requiring_grad:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")


def _numerical_jacobians(func, inputs, func_out, eps):
    """For each output (every floating one), for each input that requires grad: the central
    differences, a row per input element -- arrays of the output's dtype."""
    floating = [o for o in func_out if o._data.dtype.kind == "f"]
    per_input = []
    for x in inputs:
        if not (isinstance(x, Tensor) and x.requires_grad):
            continue
        data = x._data  # nudged in place, as torch nudges x.data: no version change
        columns = [np.zeros((data.size, o._data.size), o._data.dtype) for o in floating]
        for d_idx, idx in enumerate(np.ndindex(data.shape)):
            orig = data[idx].copy()
            data[idx] = orig - data.dtype.type(eps)
            before = _values(func(*inputs))
            data[idx] = orig + data.dtype.type(eps)
            after = _values(func(*inputs))
            data[idx] = orig
            for k, (a, b) in enumerate(zip(before, after)):
                _check_same_dtype_and_shape(a, b, eps, idx)
                columns[k][d_idx] = ((b - a) / b.dtype.type(2 * eps)).reshape(-1)
        per_input.append(columns)
    return [tuple(per_input[j][i] for j in range(len(per_input))) for i in range(len(floating))]


def _values(out):
    return [o._data.copy() for o in _as_tuple(out) if o._data.dtype.kind == "f"]


def _check_same_dtype_and_shape(a, b, eps, idx):
    where = f"on index {idx} "
    if a.shape != b.shape:
        raise AssertionError(f"Expected `func` to return outputs with the same shape when inputs "
                             f"are perturbed {where}by {eps}, but got: shapes "
                             f"torch.Size({list(a.shape)}) and torch.Size({list(b.shape)}).")
    if a.dtype != b.dtype:
        raise AssertionError(f"Expected `func` to return outputs with the same dtype when inputs "
                             f"are perturbed {where}by {eps}.")


def _analytical_jacobians(inputs, output, nondet_tol):
    """For each input that requires grad: the Jacobian of output from backward, one pass per
    output element (twice, to see that backward gives the same every time)."""
    from .autograd import grad

    differentiable = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]

    def rows():
        jacobians = [np.zeros((x._data.size, output._data.size), x._data.dtype)
                     for x in differentiable]
        for j in range(output._data.size):
            basis = np.zeros(output._data.size, output._data.dtype)
            basis[j] = 1
            found = grad(output, differentiable, Tensor._make(basis.reshape(output._data.shape)),
                         retain_graph=True, allow_unused=True)
            for jacobian, g in zip(jacobians, found):
                if g is not None:
                    jacobian[:, j] = g._data.reshape(-1)
        return jacobians

    first, second = rows(), rows()
    for a, b in zip(first, second):
        if a.size and np.abs(a - b).max() > nondet_tol:
            raise GradcheckError(
                "Backward is not reentrant, i.e., running backward with same input and "
                "grad_output multiple times gives different values, although analytical gradient "
                f"matches numerical gradient.The tolerance for nondeterminism was {nondet_tol}."
                + NONDETERMINISM_NOTE)
    return first


def _allclose(a, n, rtol, atol):
    dtype = np.promote_types(a.dtype, n.dtype)
    a, n = a.astype(dtype), n.astype(dtype)
    with np.errstate(invalid="ignore"):
        return bool(np.all(np.abs(a - n) <= atol + rtol * np.abs(n)))


def _backward_multiplied_by_grad_output(outputs, inputs):
    from .autograd import grad

    differentiable = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    found = grad(outputs, differentiable,
                 [Tensor._make(np.zeros_like(o._data)) for o in outputs], allow_unused=True)
    for g in found:
        if g is not None and g._data.any():
            raise GradcheckError("backward not multiplied by grad_output")


NONDETERMINISM_NOTE = """\n
NOTE: If your op relies on non-deterministic operations i.e., it is listed here:
https://pytorch.org/docs/stable/generated/torch.use_deterministic_algorithms.html
this failure might be expected.

If you are adding a new operator, please file an issue and then use one of the
workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck.
If the test
- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck
  with `nondet_tol=<tol>` as a keyword argument.
- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test
  to have `gradcheck_nondet_tol=<tol>`.
- is a Module test (e.g., in common_nn.py), then modify the corresponding
  module_test entry to have `gradcheck_nondet_tol=<tol>`
"""


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """gradcheck of func's backward: the gradients it gives, taken with create_graph=True, are
    checked against central differences in turn (with random output gradients, unless given)."""
    inputs = _as_tuple(inputs)
    if grad_outputs is None:  # as torch.testing.make_tensor(low=-1, high=1): uniform in [-1, 1)
        grad_outputs = tuple(_uniform_like(o) for o in _differentiable(func(*inputs)))
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n = len(grad_outputs)
    differentiable_inputs = {i for i, x in enumerate(inputs)
                             if isinstance(x, Tensor) and x.requires_grad}
    differentiable_grads = {i for i, g in enumerate(grad_outputs) if g.requires_grad}

    def new_func(*args):
        from .autograd import grad

        input_args = tuple(x.requires_grad_() if i in differentiable_inputs else x
                           for i, x in enumerate(args[:-n]))
        outputs = _differentiable(func(*input_args))
        given = tuple(g.requires_grad_() if i in differentiable_grads else g
                      for i, g in enumerate(args[-n:]))
        diff_inputs = tuple(x for i, x in enumerate(input_args) if i in differentiable_inputs)
        grads = grad(outputs, diff_inputs, given, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(new_func, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad,
                     check_grad_dtypes=check_grad_dtypes, check_batched_grad=check_batched_grad,
                     fast_mode=fast_mode, check_forward_ad=check_fwd_over_rev,
                     check_backward_ad=check_rev_over_rev, masked=masked)


def _uniform_like(t):
    dtype = t._data.dtype if t._data.dtype.kind == "f" else np.dtype(np.float64)
    values = default_generator.uniform(t._data.size, dtype) * dtype.type(2) - dtype.type(1)
    return Tensor._make(values.reshape(t._data.shape).astype(dtype), requires_grad=True)
