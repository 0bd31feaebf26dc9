"""Views and in-place writes: where a view's gradient goes once its memory has been written.

Off the teaching path. A view shares memory with its base (y[:2], y.t(), y.view(6)): a write
into one changes the other. torch keeps the graph true to that, and so does this module:

- writing into a view in place (v.mul_(2), v[0] = 1, with v = y[:2]) rewrites its base too:
  the base's grad_fn becomes a CopySlices, whose backward sends the view's part of the gradient
  back through the write and the rest to the base's old grad_fn;
- a view whose memory was written since it was made -- through itself, its base or another
  view -- has its grad_fn remade, when next asked for, as an AsStridedBackward0 of its base's
  current grad_fn (torch's default, view replay off);
- a view made under no_grad refuses instead (_torch_errors.check_no_grad_view).
"""

import numpy as np

from . import functions as F
from ._inplace import overlaps
from ._tensor_api import add_methods
from ._torch_errors import check_no_grad_view
from .grad_mode import STATE


def where_in_base(view):
    """Where each element of view sits in view._base: a tuple of index arrays (view's shape)."""
    base, data = view._base._data, view._data
    start = data.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    in_base = _byte_offsets(base).ravel()
    order = np.argsort(in_base, kind="stable")
    flat = order[np.searchsorted(in_base[order], start + _byte_offsets(data))]
    return np.unravel_index(flat, base.shape)


def _byte_offsets(array):
    """Each element's distance in memory, in bytes, from array's first element."""
    offsets = np.zeros(array.shape, np.int64)
    for axis, (size, stride) in enumerate(zip(array.shape, array.strides)):
        offsets += (np.arange(size) * stride).reshape((size,) + (1,) * (array.ndim - axis - 1))
    return offsets


class Views:
    """Added to Tensor: a view's grad_fn kept true to writes into its memory."""

    _view_version = 0  # a view's version when its grad_fn was made

    def _refresh_view(self):
        """Remake this view's grad_fn if its memory was written since it was made."""
        if self._vc[0] == self._view_version:
            return
        check_no_grad_view(self)
        self._view_version = self._vc[0]
        base = self._base
        if self._grad_fn is None and not base._requires_grad:
            return
        enabled, STATE.grad_enabled = STATE.grad_enabled, True  # remade in any grad mode
        try:
            self._grad_fn = F.AsStridedBackward0.apply(base, where_in_base(self))._grad_fn
        finally:
            STATE.grad_enabled = enabled
        self._requires_grad = self._grad_fn is not None or self._requires_grad

    def _write_through(self, written):
        """After an in-place op recorded `written` into this view: its base's new grad_fn."""
        base = self._base
        base._grad_fn = F.CopySlices.wrap(base, written._grad_fn, where_in_base(self),
                                          overlaps(self._data))
        base._requires_grad = True


add_methods(Views)
