"""Indexing a tensor: x[i], x[a:b], x[mask], x[[0, 2]], x[i] = v, and for row in x.

Off the teaching path: the ops are in functions.py (SelectBackward0, SliceBackward0,
IndexBackward0, CopySlices, UnbindBackward0); this is how an index reaches them, as torch
records it -- basic indexing as a chain of views, one node per step.
"""

import numpy as np

from . import functions as F
from ._arguments import Number, as_view
from ._inplace import overlaps
from ._tensor_api import add_methods
from .tensor import Tensor


class Indexing:
    """Added to Tensor: reading and writing by index, and iteration."""

    def __getitem__(self, index):
        only_a_slice = isinstance(index, slice)  # x[a:b] is always a slice; in x[a:b, c] a slice
        index = index if isinstance(index, tuple) else (index,)  # over all of its dim is skipped
        if any(isinstance(i, (Tensor, list, np.ndarray)) for i in index):
            key = tuple(i._data if isinstance(i, Tensor) else i for i in index)
            if self.ndim == 0:  # torch indexes a 0-d tensor as a 1-element vector
                return self.unsqueeze(0)[tuple(np.expand_dims(k, 0) for k in key)]
            return F.IndexBackward0.apply(self, key[0] if len(key) == 1 else key)
        # basic indexing is a chain of views, recorded one step each as torch does
        fill = self.ndim - sum(i is not None and i is not Ellipsis for i in index)
        steps = []
        for i in index:
            steps.extend([slice(None)] * fill if i is Ellipsis else [i])
        result, dim = self, 0
        source_dim = 0  # the dim of self that the index reads: torch's errors name it
        for i in steps:
            if i is None:
                result = F.UnsqueezeBackward0.apply(result, dim)
                dim += 1
            elif isinstance(i, slice):
                if only_a_slice or not _all_of(i, result._data.shape[dim]):
                    result = F.SliceBackward0.apply(result, dim, i)
                dim += 1
                source_dim += 1
            else:
                size = result._data.shape[dim] if dim < result.ndim else None
                if size is None:
                    raise IndexError(f"too many indices for tensor of dimension {self.ndim}")
                if not -size <= i < size:
                    raise IndexError(
                        f"index {i} is out of bounds for dimension {source_dim} with size {size}")
                result = F.SelectBackward0.apply(result, dim, int(i) % size)
                source_dim += 1
        if result is self:  # x[...], x[:, :]: a view of all of x
            result = F.AliasBackward0.apply(self)
        return as_view(self, result)

    def __setitem__(self, index, value):
        key = tuple(i._data if isinstance(i, Tensor) else i for i in
                    (index if isinstance(index, tuple) else (index,)))
        basic = all(isinstance(i, (int, slice)) or i is None or i is Ellipsis for i in key)
        if (self._view_of_many or self._no_grad_view) and basic:
            # torch writes through the view x[i] (naming it in its errors), or into x itself
            # where the index takes all of x (a slice alone is skipped here too when it does)
            view = self[index if isinstance(index, tuple) else (index,)]
            (self if type(view._grad_fn) is F.AliasBackward0 else view)._check_inplace()
        value = value if isinstance(value, Tensor) else Number(value, self)
        value = _as_torch_writes_it(value, self._data[key].shape, basic)
        if basic and _takes_all(self._data.shape, key):  # torch writes into x itself
            return self.fill_(value) if value.ndim == 0 else self.copy_(value)
        if overlaps(self._data):  # an expanded tensor: written through the view x[i], as torch
            if not basic:
                raise NotImplementedError(
                    "autograd_core does not mirror writing by a mask or an index list into an "
                    "expanded tensor (torch deprecates it): clone() the tensor first")
            self[index]._inplace(F.CopySlices, value, (Ellipsis,))
            return
        # (a basic index writes through the view x[index], and torch's errors say so)
        self._inplace(F.CopySlices if basic else F.IndexPutBackward0, value, key, through_a_view=basic)

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))


def _as_torch_writes_it(value, shape, basic):
    """value as torch records it on its way into x[index] (shape: x[index]'s): without its
    leading 1s (a view), then, for a basic index, expanded to the place's shape."""
    if basic and (value.shape == shape or value.ndim == 0):
        return value
    ones = next((d for d, n in enumerate(value.shape) if n != 1), value.ndim)
    if basic:
        value = value.view(value.shape[ones:])
        return value if value.shape == shape else value.expand(shape)
    if ones:  # (index_put_ views the value only where it has leading 1s)
        value = value.view(value.shape[ones:])
    try:
        np.broadcast_shapes(value.shape, shape)
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(value.shape)} cannot be "
                           f"broadcast to indexing result of shape {list(shape)}") from None
    return value


def _takes_all(shape, key):
    """Whether a basic index is slices (and ...) that take all of a tensor of this shape."""
    if not all(isinstance(i, slice) or i is Ellipsis for i in key):
        return False
    ellipsis = next((at for at, i in enumerate(key) if i is Ellipsis), None)
    if ellipsis is None:
        pairs = zip(key, shape)
    else:
        after = key[ellipsis + 1:]
        pairs = [*zip(key[:ellipsis], shape), *zip(after, shape[len(shape) - len(after):])]
    return all(_all_of(part, size) for part, size in pairs)


def _all_of(part, size):
    """Whether a slice covers its whole dim as torch sees it (from 0, step 1, to the end or past)."""
    return (part.start in (None, 0) and part.step in (None, 1)
            and (part.stop is None or part.stop >= size))


add_methods(Indexing)
