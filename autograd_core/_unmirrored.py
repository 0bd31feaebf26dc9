"""What torch has and autograd_core does not, said plainly.

Off the teaching path. autograd_core mirrors the part of torch the course uses. For a name torch
has beyond that -- x.prod(), torch.nn, torch.autograd.functional -- Python would say "'Tensor'
object has no attribute 'prod'", which reads as if torch had none either. Such a name raises
NotMirrored instead: an AttributeError (so hasattr and getattr with a default work as before)
that says torch has it and this engine does not. A name torch lacks too gets Python's own error.
The names are torch's public ones, in _torch_names.py.
"""

from ._torch_names import NAMES


class NotMirrored(AttributeError):
    """A name torch has that autograd_core does not mirror."""


def _message(owner, name):
    return (f"autograd_core does not mirror {owner}.{name}: torch has it, but this small engine "
            f"has only the parts of torch the course uses. Run this with real torch "
            f"(import torch).")


class _Unmirrored:
    """On Tensor, in place of a method torch has and autograd_core lacks: reading it raises.

    A class attribute, not Tensor.__getattr__: a __getattr__ would slow every attribute read of
    every tensor (Python stops specializing them), for the sake of the rare missing one.
    """

    def __init__(self, name):
        self.__doc__ = _message("torch.Tensor", name)

    def __get__(self, tensor, cls=None):
        raise NotMirrored(self.__doc__)


def mark_tensor(tensor_class):
    """Give Tensor a refusing attribute for each public Tensor name torch has and it lacks."""
    for name in NAMES["torch.Tensor"]:
        if not hasattr(tensor_class, name):
            setattr(tensor_class, name, _Unmirrored(name))
    mirrored = {name for name in dir(tensor_class)
                if not isinstance(vars(tensor_class).get(name), _Unmirrored)}

    def __dir__(self):  # what tab completion offers: what works
        return sorted(mirrored | set(vars(self)))

    tensor_class.__dir__ = __dir__


def module_getattr(owner, module_name):
    """A module's __getattr__ (PEP 562): torch's names refused plainly, others as Python does."""

    def __getattr__(name):
        if name in NAMES[owner]:
            raise NotMirrored(_message(owner, name))
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}", name=name)

    return __getattr__
