"""torch.autograd.functional: jacobian and hessian of a function at a point.

Off the teaching path. The older API beside torch.func: it takes the function and the inputs
together and works on any autograd code (a ctx-style autograd.Function too), one backward pass
per output element, as torch's does by default (vectorize=False).
"""

import numpy as np

from ._unmirrored import module_getattr
from .grad_mode import enable_grad
from .tensor import Tensor


def _as_tuple(values, what, fn_name):
    is_tuple = isinstance(values, tuple)
    values = values if is_tuple else (values,)
    for i, v in enumerate(values):
        if not isinstance(v, Tensor):
            if is_tuple:
                raise TypeError(f"The {what} given to {fn_name} must be either a Tensor or a "
                                f"tuple of Tensors but the value at index {i} has type {type(v)}.")
            raise TypeError(f"The {what} given to {fn_name} must be either a Tensor or a tuple "
                            f"of Tensors but the given {what} has type {type(v)}.")
    return is_tuple, values


def _tuple_postprocess(res, to_unpack):
    """Unpack the nested tuples of results as torch's does: a Tensor where a Tensor was given."""
    if isinstance(to_unpack, tuple):
        if not to_unpack[1]:
            res = tuple(el[0] for el in res)
        if not to_unpack[0]:
            res = res[0]
    elif not to_unpack:
        res = res[0]
    return res


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of func at inputs: for each output and input, shape output + input."""
    from .autograd import grad

    if strategy != "reverse-mode" or vectorize or strict:
        raise NotImplementedError("autograd_core mirrors torch.autograd.functional.jacobian with "
                                  "its defaults only (reverse-mode, not vectorized, not strict): "
                                  "run this with real torch (import torch).")
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = tuple(x.clone() if create_graph and x.requires_grad else x.detach().requires_grad_()
                       for x in inputs)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function",
                                              "jacobian")
        jacobians = []
        for out in outputs:
            rows = [[] for _ in inputs]
            flat = out.reshape(-1)
            for k in range(flat.shape[0]):
                found = (grad(flat[k], inputs, retain_graph=True, create_graph=create_graph,
                              allow_unused=True) if out.requires_grad else (None,) * len(inputs))
                for i, (g, x) in enumerate(zip(found, inputs)):
                    rows[i].append(Tensor._make(np.zeros_like(x._data)) if g is None else g)
            per_input = []
            for i, x in enumerate(inputs):
                shape = tuple(out.shape) + tuple(x.shape)
                if rows[i]:
                    from .functions import FUNCTIONS

                    j = FUNCTIONS["stack"](rows[i]).view(shape)
                else:
                    j = Tensor._make(np.zeros(shape, x._data.dtype))
                per_input.append(j if create_graph else j.detach())
            jacobians.append(tuple(per_input))
        return _tuple_postprocess(tuple(jacobians), (is_outputs_tuple, is_inputs_tuple))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar func at inputs: the Jacobian of its gradient."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")

    def ensure_single_output_function(*inp):
        out = func(*inp)
        is_out_tuple, t_out = _as_tuple(out, "outputs of the user-provided function", "hessian")
        if is_out_tuple or not isinstance(out, Tensor):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should "
                               "contain a single element")
        return out.squeeze()

    def jac_func(*inp):
        return jacobian(ensure_single_output_function, inp, create_graph=True, strict=strict)

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict)
    return _tuple_postprocess(res, (is_inputs_tuple, is_inputs_tuple))


__getattr__ = module_getattr("torch.autograd.functional", __name__)  # torch's other names, refused plainly
