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
        if (self._view_of_many or self._no_grad_view) and all(
                isinstance(i, (int, slice)) or i is Ellipsis for i in key):
            # torch writes through the view x[i] (naming it in its errors), or into x itself
            # where the index takes all of x (a slice alone is skipped here too when it does)
            view = self[index if isinstance(index, tuple) else (index,)]
            (self if type(view._grad_fn) is F.AliasBackward0 else view)._check_inplace()
        value = value if isinstance(value, Tensor) else Number(value, self)
        if overlaps(self._data):  # an expanded tensor: written through the view x[i], as torch
            if not all(isinstance(i, (int, slice)) or i is None or i is Ellipsis for i in key):
                raise NotImplementedError(
                    "autograd_core does not mirror writing by a mask or an index list into an "
                    "expanded tensor (torch deprecates it): clone() the tensor first")
            self[index]._inplace(F.CopySlices, value, (Ellipsis,))
            return
        self._inplace(F.CopySlices, value, key)

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))


def _all_of(part, size):
    """Whether a slice covers its whole dim as torch sees it (from 0, step 1, to the end or past)."""
    return (part.start in (None, 0) and part.step in (None, 1)
            and (part.stop is None or part.stop >= size))


add_methods(Indexing)
