"""What the lessons claim about torch, checked on torch itself: each statement issue 21 found
false or loose, as the lesson now words it, with torch's behaviour behind it.

Each case names the lesson and the words it says (they must be in the lesson: change one, and
its test must change with it), and shows the behaviour on torch 2.13.
"""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]


def says(lesson, words):
    """The lesson's markdown, with spacing and markdown marks evened out, holds the words."""
    nb = nbformat.read(ROOT / "solutions" / lesson / f"{lesson}.ipynb", as_version=4)
    text = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    flat = lambda s: re.sub(r"\s+", " ", re.sub(r"[*`]", "", s))  # noqa: E731
    assert flat(words) in flat(text), f"lesson {lesson} no longer says: {words}"


def test_inference_tensors_enter_graphs_but_are_never_saved():
    says("06_stopping_gradients", "One can still be an input of a graph built later, outside the "
         "block, but torch refuses to *save* one for backward: `p + w` works, `p * w` (whose "
         "backward needs `p`) raises.")
    w = torch.ones(3, requires_grad=True)
    with torch.inference_mode():
        p = w * 2
    (p + w).sum().backward()
    assert torch.equal(w.grad, torch.ones(3))
    with pytest.raises(RuntimeError, match="Inference tensors cannot be saved for backward"):
        p * w


def test_a_tensor_created_under_no_grad_keeps_its_request():
    says("06_stopping_gradients", "a tensor you *create* inside the block with "
         "`requires_grad=True` is a leaf that requires grad all the same")
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        made = torch.ones(2, requires_grad=True)
        result = x * 2
    assert made.requires_grad and made.is_leaf
    assert not result.requires_grad and result.grad_fn is None


def test_requires_grad_records_only_while_recording_is_on():
    says("01_requires_grad", "*record the operations done with this tensor* (while recording is "
         "on, as it is by default: lesson 06 switches it off)")
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        assert (x * 2).grad_fn is None
    assert (x * 2).grad_fn is not None


def test_the_create_graph_warning_is_about_a_reference_cycle_and_comes_once():
    quoted = ("Using backward() with create_graph=True will create a reference cycle between the "
              "parameter and its gradient which can cause a memory leak. We recommend using "
              "autograd.grad when creating the graph to avoid this.")
    says("09_gradients_of_gradients", quoted)
    says("09_gradients_of_gradients", "The warning is printed only the first time in a process")
    code = ("import warnings, torch\nwarnings.simplefilter('always')\n"
            "for _ in range(3):\n    x = torch.tensor(3.0, requires_grad=True)\n"
            "    (x ** 3).backward(create_graph=True)\n    x.grad = None\n")
    stderr = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stderr
    assert stderr.count(quoted) == 1, stderr


def test_newton_climbs_where_the_curvature_is_negative():
    says("09_gradients_of_gradients", "where $f'' < 0$ it is a maximum, and Newton walks uphill; "
         "where $f'' = 0$ the parabola is a line and there is no Newton step at all")
    x = torch.tensor(-2.0, requires_grad=True)
    for _ in range(6):
        (slope,) = torch.autograd.grad(x**3 - 3 * x, x, create_graph=True)
        (curvature,) = torch.autograd.grad(slope, x)
        with torch.no_grad():
            x -= slope / curvature
    assert abs(x.item() + 1) < 1e-6 and curvature.item() < 0  # the maximum of x^3 - 3x


def test_a_linear_function_has_a_first_derivative_with_no_graph():
    says("09_gradients_of_gradients", "the gradient comes out with no graph at all, even with "
         "`create_graph=True`")
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (g,) = torch.autograd.grad((3 * x).sum(), x, create_graph=True)
    assert not g.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        torch.autograd.grad(g.sum(), x)
    with pytest.raises(RuntimeError, match="does not require grad"):  # allow_unused: no help
        torch.autograd.grad(g.sum(), x, allow_unused=True, materialize_grads=True)


def test_off_centre_at_a_kink_the_central_difference_mixes_the_slopes():
    says("10_checking_gradients", "a step that straddles the kink off-centre gives a mix of "
         "them, weighted by how much of the step lies on each side")
    h = 1e-3
    for x, mixed in ((0.0, 0.0), (0.0004, 0.4), (-0.0005, -0.5)):
        x = torch.tensor(x, dtype=torch.float64)
        assert abs((((x + h).abs() - (x - h).abs()) / (2 * h)).item() - mixed) < 1e-9


@pytest.mark.parametrize("options", [{}, {"momentum": 0.9}, {"weight_decay": 0.1}])
def test_a_frozen_parameter_moves_on_its_old_gradient_until_it_is_none(options):
    says("06_stopping_gradients", "a frozen parameter keeps the `.grad` it already had, and an "
         "optimizer steps every parameter whose `.grad` is not `None`, on that old gradient "
         "(momentum and weight decay can move it too). Set its `.grad` to `None` when you "
         "freeze it.")
    p = torch.ones(2, requires_grad=True)
    (p * 3).sum().backward()
    p.requires_grad_(False)
    optimizer = torch.optim.SGD([p], lr=0.1, **options)
    optimizer.step()
    moved = p.clone()
    assert not torch.equal(moved, torch.ones(2))
    p.grad = None
    optimizer.step()
    assert torch.equal(p, moved)


def test_without_zero_a_step_follows_the_sum_of_all_gradients_so_far():
    """Lesson 04's model answer of exercise 5: not "the steps grow" -- they follow the sum, and
    the loss swings instead of settling (lesson 08's picture)."""
    says("04_accumulation", "steps along the sum of all the gradients so far instead of the "
         "current one, like a ball with momentum and no friction")
    from graders.lesson08_gradient_descent import data

    xs, ys = (torch.tensor(a) for a in data())
    w, b = torch.zeros((), requires_grad=True), torch.zeros((), requires_grad=True)
    total, losses = torch.zeros(()), []
    for _ in range(60):
        loss = ((w * xs + b - ys) ** 2).mean()
        (now,) = torch.autograd.grad(loss, w, retain_graph=True)
        total += now
        loss.backward()
        assert torch.allclose(w.grad, total)  # .grad holds every gradient so far
        with torch.no_grad():
            w -= 0.1 * w.grad
            b -= 0.1 * b.grad
        losses.append(loss.item())
    rises = sum(later > earlier for earlier, later in zip(losses, losses[1:]))
    assert rises >= 10  # it swings up and down, again and again


def test_backward_never_builds_the_jacobian_but_functional_jacobian_does():
    says("05_vector_jacobian", "`backward()` never builds $J$: `y.backward(v)` computes")
    says("05_vector_jacobian", "Building $J$ is something you ask for. "
         "`torch.autograd.functional.jacobian(f, x)` does it for you")
    f = lambda t: t.sin() * t.sum()  # noqa: E731
    x = torch.tensor([0.5, -1.0, 2.0])
    J = torch.autograd.functional.jacobian(f, x)
    v = torch.tensor([0.3, -2.0, 1.0])
    leaf = x.clone().requires_grad_()
    f(leaf).backward(v)
    assert torch.allclose(leaf.grad, v @ J)
