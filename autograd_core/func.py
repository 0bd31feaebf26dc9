"""torch.func: grad, vjp, jacrev, vmap and hessian -- transforms that take a function and
return a function.

Off the teaching path. torch wraps tensors in levels (GradTrackingTensor, BatchedTensor) and runs
each op of a vmapped function once for the whole batch. This engine builds the transforms from
what it has: grad, vjp and jacrev call the function on fresh copies of its inputs and take
autograd.grad of the result, keeping the walk's graph when something outside (an enclosing
transform, a tensor that requires grad) may differentiate the result again; vmap calls the
function once per element of the batch and stacks the results. Values, shapes and errors are
torch's; the cost is not (vmap is a loop), and inside vmap every tensor refuses .item() and
bool(), where torch refuses only those the batch flows into.
"""

import contextlib
from collections.abc import Callable

import numpy as np

from ._transforms import TRANSFORMS
from ._unmirrored import module_getattr
from .grad_mode import STATE
from .tensor import Tensor


@contextlib.contextmanager
def _transform(vmap=False, randomness="error"):
    saved = TRANSFORMS.depth, TRANSFORMS.vmap, TRANSFORMS.randomness
    TRANSFORMS.depth += 1
    if vmap:
        TRANSFORMS.vmap += 1
        TRANSFORMS.randomness = randomness
    try:
        yield
    finally:
        TRANSFORMS.depth, TRANSFORMS.vmap, TRANSFORMS.randomness = saved


# -- differentiating: grad, vjp, jacrev, hessian ---------------------------------------------
def _argnums(argnums, args):
    """The positions to differentiate, as a tuple, and whether one was asked for (not a tuple)."""
    single = isinstance(argnums, int)
    nums = (argnums,) if single else tuple(argnums)
    for n in nums:
        if not -len(args) <= n < len(args):
            raise RuntimeError(f"Got argnum={n}, but only {len(args)} positional inputs")
    return tuple(n % len(args) for n in nums), single


def _fresh(x):
    """The input as the function sees it inside a transform: a tensor whose gradient we take,
    still connected to x when x is part of a graph."""
    if not isinstance(x, Tensor):
        raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
    return x.clone() if x._requires_grad and STATE.grad_enabled else x.detach().requires_grad_()


def _gradients(outputs, inputs, cotangents):
    """d(outputs)/d(inputs) weighted by cotangents, zeros for an input not used: autograd.grad,
    recording the walk (create_graph) while grad mode is on, so the result can be
    differentiated again by whatever encloses this transform."""
    from .autograd import grad

    outputs = (outputs,) if isinstance(outputs, Tensor) else tuple(outputs)
    if not any(o._requires_grad for o in outputs):  # a constant: its gradient is zero
        found = (None,) * len(inputs)
    else:
        found = grad(outputs, inputs, cotangents, retain_graph=True,
                     create_graph=STATE.grad_enabled, allow_unused=True)
    return tuple(Tensor._make(np.zeros_like(x._data)) if g is None else g
                 for g, x in zip(found, inputs))


def _plain(t, own):
    """t detached, unless its graph reaches a leaf other than this transform's own inputs (then
    something outside may differentiate it: it keeps its graph, as torch's does)."""
    return t if _reaches_outside(t, own) else t.detach()


def _reaches_outside(t, own):
    node = t.grad_fn
    if node is None:
        return False
    own = {id(x) for x in own}
    seen, todo = set(), [node]
    while todo:
        node = todo.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        variable = getattr(node, "variable", None)
        if variable is not None and id(variable) not in own:
            return True
        todo.extend(node._next)
    return False


def _called_on_fresh(func, argnums, args, kwargs):
    """func called with fresh copies of its inputs argnums: (those copies, whether one input
    was asked for, what func returned)."""
    nums, single = _argnums(argnums, args)
    args = list(args)
    inner = [_fresh(args[n]) for n in nums]
    for n, x in zip(nums, inner):
        args[n] = x
    return inner, single, func(*args, **kwargs)


def _tensor_outputs(out, who):
    outs = out if isinstance(out, tuple) else (out,)
    for o in outs:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"{who}: expected f(*primals) to return only tensors, got "
                               f"unsupported type {type(o)}")
    return outs


def grad_and_value(func: Callable, argnums=0, has_aux=False):
    """A function returning (the gradient of func's scalar result with respect to its input
    argnums, that result)."""

    def wrapper(*args, **kwargs):
        with _transform():
            inner, single, out = _called_on_fresh(func, argnums, args, kwargs)
            aux = None
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError("grad_and_value(f)(*args): output of function f should be "
                                       "a tuple: (output, aux) if has_aux is True")
                out, aux = out
            if not isinstance(out, Tensor):
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                                   f"Tensor, got {type(out)}")
            if out.ndim != 0:
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                                   f"scalar Tensor, got tensor with {out.ndim} dims. Maybe you "
                                   "wanted to use the vjp or jacrev APIs instead?")
            grads = tuple(_plain(g, inner) for g in _gradients(out, inner, None))
            value = _plain(out, inner)
        grads = grads[0] if single else grads
        return (grads, (value, aux)) if has_aux else (grads, value)

    return wrapper


def grad(func: Callable, argnums=0, has_aux=False):
    """A function returning the gradient of func's scalar result with respect to its input
    argnums (a tuple of them for a tuple of argnums)."""
    both = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        grads, value = both(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads

    wrapper.__name__ = getattr(func, "__name__", "grad")
    return wrapper


def vjp(func: Callable, *primals, has_aux=False):
    """(func(*primals), vjp_fn): vjp_fn(v) is v^T J for each primal, from one backward pass."""
    with _transform():
        inner = [_fresh(x) for x in primals]
        out = func(*inner)
        aux = None
        if has_aux:
            out, aux = out
        outs = _tensor_outputs(out, "vjp(f, *primals)")

    def vjp_fn(cotangents):
        with _transform():
            given = cotangents if isinstance(cotangents, tuple) else (cotangents,)
            return tuple(_plain(g, inner) for g in _gradients(outs, inner, given))

    value = tuple(_plain(o, inner) for o in outs)
    value = value if isinstance(out, tuple) else value[0]
    return (value, vjp_fn, aux) if has_aux else (value, vjp_fn)


def jacrev(func: Callable, argnums=0, has_aux=False, *, chunk_size=None):
    """A function returning the Jacobian of func with respect to its input argnums, of shape
    output's shape + input's shape: one backward pass per output element."""

    def wrapper(*args, **kwargs):
        with _transform():
            inner, single, out = _called_on_fresh(func, argnums, args, kwargs)
            aux = None
            if has_aux:
                out, aux = out
            outs = _tensor_outputs(out, "vjp(f, *primals)")
            jacobians = tuple(tuple(_plain(j, inner) for j in _jacobian(o, inner)) for o in outs)
        jacobians = tuple(j[0] if single else j for j in jacobians)
        jacobians = jacobians if isinstance(out, tuple) else jacobians[0]
        return (jacobians, aux) if has_aux else jacobians

    return wrapper


def _jacobian(out, inputs):
    """d(out)/d(each input), one row per element of out: shape out.shape + input.shape."""
    from .functions import FUNCTIONS

    rows = []
    for k in range(out._data.size):
        basis = np.zeros(out._data.size, out._data.dtype)
        basis[k] = 1
        rows.append(_gradients((out,), inputs, (Tensor._make(basis.reshape(out._data.shape)),)))
    jacobians = []
    for i, x in enumerate(inputs):
        shape = tuple(out._data.shape) + tuple(x._data.shape)
        if not rows:
            jacobians.append(Tensor._make(np.zeros(shape, x._data.dtype)))
            continue
        jacobians.append(FUNCTIONS["stack"]([row[i] for row in rows]).reshape(shape))
    return jacobians


def hessian(func: Callable, argnums=0):
    """A function returning the Hessian of func with respect to its input argnums: the
    Jacobian of its gradient (torch: jacfwd(jacrev(func)); here jacrev of jacrev, same values)."""
    return jacrev(jacrev(func, argnums), argnums)


# -- batching: vmap ---------------------------------------------------------------------------
def vmap(func: Callable, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """func mapped over a dimension of its inputs: vmap(f)(X)[i] is f(X[i]), for each i of the
    batch dimension in_dims (None: an input given whole to every call)."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")
    name = getattr(func, "__name__", repr(func))

    def wrapper(*args, **kwargs):
        where = f"vmap({name}, in_dims={in_dims!r}, ...)(<inputs>)"
        if not isinstance(in_dims, int | tuple):
            raise ValueError(f"{where}: expected `in_dims` to be int or a (potentially nested) "
                             f"tuple matching the structure of inputs, got: {type(in_dims)}.")
        dims = in_dims if isinstance(in_dims, tuple) else (in_dims,) * len(args)
        if len(dims) != len(args):
            raise ValueError(f"{where}: in_dims is not compatible with the structure of `inputs`. "
                             f"in_dims has structure {_tree(len(dims))} but inputs has structure "
                             f"{_tree(len(args))}.")
        sizes = []
        for x, d in zip(args, dims):
            if d is None:
                continue
            if not isinstance(x, Tensor):
                raise ValueError(f"{where}: Got in_dim={d} for an input but the input is of type "
                                 f"{type(x)}. We cannot vmap over non-Tensor arguments, please "
                                 "use None as the respective in_dim")
            if not -x.ndim <= d < max(x.ndim, 0) or x.ndim == 0:
                raise ValueError(f"{where}: Got in_dim={d} for some input, but that input is a "
                                 f"Tensor of dimensionality {x.ndim} so expected in_dim to satisfy "
                                 f"-{x.ndim} <= in_dim < {x.ndim}.")
            sizes.append(x.shape[d])
        if not sizes:
            raise ValueError("vmap: Expected at least one Tensor to vmap over")
        if len(set(sizes)) > 1:
            raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                             f"dimension, got sizes {sizes} for the mapped dimension")
        if randomness == "same":
            raise NotImplementedError("autograd_core does not mirror vmap(..., randomness='same'): "
                                      "run this with real torch (import torch).")
        results = []
        with _transform(vmap=True, randomness=randomness):
            for b in range(sizes[0]):
                sliced = [x if d is None else x[(slice(None),) * (d % x.ndim) + (b,)]
                          for x, d in zip(args, dims)]
                out = func(*sliced, **kwargs)
                for o in out if isinstance(out, tuple) else (out,):
                    if not isinstance(o, Tensor):
                        raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, "
                                         f"got type {type(o)}. Did you mean to set out_dims= to "
                                         "None for output?")
                results.append(out)
        if isinstance(results[0], tuple):
            return tuple(_stacked([r[k] for r in results], out_dims, k)
                         for k in range(len(results[0])))
        return _stacked(results, out_dims, 0)

    return wrapper


def _stacked(results, out_dims, k):
    from .functions import FUNCTIONS

    dim = out_dims[k] if isinstance(out_dims, tuple) else out_dims
    return FUNCTIONS["stack"](results, dim)


def _tree(n):
    """How torch's pytree prints a flat tuple of n leaves."""
    return "TreeSpec(tuple, None, [" + ",\n  ".join(["*"] * n) + "])"


__getattr__ = module_getattr("torch.func", __name__)  # torch's other names, refused plainly
