"""Which torch.func transforms are running now (func.py), and torch's words for what they refuse.

Off the teaching path. A leaf module: the places where torch behaves otherwise inside a transform
read it -- Function.apply (a ctx-style Function is refused), item() and bool() (refused inside
vmap), the random draws (refused inside vmap unless randomness says otherwise).
"""


class _Transforms:
    depth = 0  # transforms running now (torch: "functorch transforms are active")
    vmap = 0  # of them, vmaps
    randomness = "error"  # the innermost vmap's randomness


TRANSFORMS = _Transforms()

VMAP_ITEM_ERROR = (
    "vmap: It looks like you're calling .item() on a Tensor. We don't support vmap over calling "
    ".item() on a Tensor, please try to rewrite what you're doing with other operations. If "
    "error is occurring somewhere inside PyTorch internals, please file a bug report.")
VMAP_BOOL_ERROR = (
    "vmap: It looks like you're attempting to use a Tensor in some data-dependent control flow. "
    "We don't support that yet, please file an issue at https://github.com/pytorch/pytorch/issues .")
VMAP_RANDOM_ERROR = (
    "vmap: called random operation while in randomness error mode. Please either use the 'same' "
    "or 'different' randomness flags on vmap or perform the randomness operation out of vmap")
