"""Lesson 11's per-example check as a student meets it: torch.func's first call, which imports
torch's compiler stack, is never on the student's clock; and a single row of w's shape, however
the batch was summed up, is read as the batch's gradient."""

import subprocess
import sys
from pathlib import Path

import pytest
import torch

from graders.checks import CheckFailed
from graders.lesson11_your_own_op import check_per_example

ROOT = Path(__file__).resolve().parents[1]

# a fresh interpreter: torch.func not called yet. Records, at each timed call of the student's
# function, whether the compiler stack torch.func's first call imports is already loaded.
FRESH = """
import sys
import torch
import graders.lesson11_your_own_op as lesson

loaded, timed = "torch._dynamo" in sys.modules, []
real = lesson.call


def call(fn, *args, **kwargs):
    timed.append("torch._dynamo" in sys.modules)
    return real(fn, *args, **kwargs)


def per_example_grads(loss, w, X, Y):
    return torch.func.vmap(torch.func.grad(loss), in_dims=(None, 0, 0))(w, X, Y)


lesson.call = call
lesson.check_per_example(per_example_grads)
print(loaded, all(timed), len(timed))
"""


def test_torch_funcs_first_call_is_paid_before_the_students_function_is_timed():
    done = subprocess.run([sys.executable, "-c", FRESH], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    loaded, all_timed_warm, calls = done.stdout.splitlines()[-1].split()  # after the verdict
    assert loaded == "False"  # the test means something: the stack was not loaded at the start
    assert all_timed_warm == "True" and int(calls) > 0


def _batch_mean(loss, w, X, Y):
    return torch.stack([torch.func.grad(loss)(w, x, y) for x, y in zip(X, Y)]).mean(0)


def _batch_first_row(loss, w, X, Y):
    return torch.func.vmap(torch.func.grad(loss), in_dims=(None, 0, 0))(w, X, Y)[0]


@pytest.mark.parametrize("answer", [_batch_mean, _batch_first_row])
@pytest.mark.parametrize("hidden", [False, True])
def test_one_row_is_named_one_gradient_for_the_whole_batch(answer, hidden):
    with pytest.raises(CheckFailed) as failure:
        check_per_example(answer, hidden=hidden)
    assert "This looks like: one gradient for the whole batch." in str(failure.value)
