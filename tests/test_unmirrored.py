"""A name torch has and autograd_core lacks is refused plainly (NotMirrored, an AttributeError),
never with Python's "has no attribute", which reads as if torch had none either."""

import json
import pydoc
import subprocess
import sys

import pytest

import autograd_core
from autograd_core._torch_names import NAMES
from autograd_core._unmirrored import NotMirrored

TORCH_NAMES = """
import json, torch, torch.func
print(json.dumps({owner: sorted(n for n in dir(obj) if not n.startswith("_")) for owner, obj in
                  (("torch", torch), ("torch.Tensor", torch.Tensor),
                   ("torch.autograd", torch.autograd), ("torch.func", torch.func),
                   ("torch.autograd.function", torch.autograd.function),
                   ("torch.autograd.functional", torch.autograd.functional))}))
"""
OWNERS = {"torch": lambda: autograd_core, "torch.autograd": lambda: autograd_core.autograd,
          "torch.Tensor": lambda: autograd_core.ones(2, 2, requires_grad=True),
          "torch.func": lambda: autograd_core.func,
          "torch.autograd.function": lambda: autograd_core.autograd.function,
          "torch.autograd.functional": lambda: autograd_core.autograd.functional}


def test_the_names_are_the_installed_torchs():
    # in a fresh process: importing torch's submodules (as other tests do) adds to dir(torch)
    out = subprocess.run([sys.executable, "-c", TORCH_NAMES], capture_output=True, text=True,
                         check=True).stdout
    for owner, names in json.loads(out).items():
        assert NAMES[owner] == set(names), (
            f"{owner}'s names changed: regenerate with python -m autograd_core._torch_names")


@pytest.mark.parametrize("owner", OWNERS)
def test_every_torch_name_works_or_is_refused_plainly(owner):
    obj, refused = OWNERS[owner](), []
    for name in sorted(NAMES[owner]):
        try:
            getattr(obj, name)
        except NotMirrored as error:
            assert f"does not mirror {owner}.{name}: torch has it" in str(error)
            assert not hasattr(obj, name)  # an AttributeError: hasattr and getattr(..., default) hold
            assert getattr(obj, name, "default") == "default"
            refused.append(name)
        except AttributeError as error:
            pytest.fail(f"{owner}.{name}: a plain AttributeError ({error})")
        except Exception:  # noqa: BLE001  (a mirrored property may refuse this tensor, as torch's would)
            pass
    mirrored = NAMES[owner] - set(refused)
    assert refused and mirrored  # both kinds exist: the test can fail either way
    assert {"backward", "grad", "requires_grad"} <= mirrored or owner != "torch.Tensor"


@pytest.mark.parametrize("owner", OWNERS)
def test_a_name_torch_lacks_too_gets_pythons_own_error(owner):
    obj = OWNERS[owner]()
    with pytest.raises(AttributeError) as caught:
        _ = obj.no_such_name
    assert type(caught.value) is AttributeError
    of = "'Tensor' object" if owner == "torch.Tensor" else f"module '{obj.__name__}'"
    assert str(caught.value) == f"{of} has no attribute 'no_such_name'"


def test_what_completion_offers_works():
    x = autograd_core.ones(2, 2, requires_grad=True)  # (x.mT of a 1-d tensor raises, as torch's)
    x.note = "mine"
    listed = set(dir(x))
    assert {"backward", "grad", "sum", "note"} <= listed and "prod" not in listed
    assert all(hasattr(x, name) for name in listed)


def test_help_still_renders():
    assert "backward" in pydoc.render_doc(autograd_core.ones(1), renderer=pydoc.plaintext)
