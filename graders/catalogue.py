"""Answers to every exercise as students write them: the right one, and one per misconception.

Keyed by the exercise's grade_id; each answer is the source of the answer cell. The grader tests
run every right answer (it must pass) and every wrong one (it must fail with the diagnosis named
by its key); the demo class of `python -m grading` is made of these cells.
"""

import contextlib
import importlib
import io
from collections import Counter
from dataclasses import dataclass, field

from .lessons import lesson_of


@dataclass(frozen=True)
class Exercise:
    check: str  # "lessonNN_name.check_function"
    answer: str  # the name the answer cell defines
    right: str
    mistakes: dict = field(default_factory=dict)  # Diagnosis.mistake -> answer cell source
    alternatives: tuple = ()  # right answers written differently from `right`

    @property
    def function(self):
        return self.right.lstrip().startswith("def ")


def run_cell(source, name):
    """Run an answer cell's source as the notebook would (torch, and lesson 08's xs, ys, in
    scope); return what it defines under name."""
    import torch

    from .lesson08_gradient_descent import data

    xs, ys = (torch.tensor(a) for a in data())
    namespace = {"torch": torch, "xs": xs, "ys": ys}
    exec(source, namespace)
    return namespace[name]


def outcome(grade_id, source):
    """What the checks make of an answer: "accepted" (visible and hidden), else "named" (a
    Diagnosis) or "generic" (only expected vs got)."""
    from .checking import CheckFailed

    exercise = EXERCISES[grade_id]
    check = check_of(exercise)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            answer = run_cell(source, exercise.answer)
            check(answer)
            if exercise.function:
                check(answer, hidden=True)
    except CheckFailed as failure:
        return "generic" if failure.verdict.diagnosis is None else "named"
    return "accepted"


def feedback_figures(cases):
    """{grade prefix ("l04", ... and "all"): Counter of outcomes} over (grade_id, source) pairs."""
    figures = {}
    for grade_id, source in cases:
        result = outcome(grade_id, source)
        for key in (lesson_of(grade_id).grade_prefix, "all"):
            figures.setdefault(key, Counter())[result] += 1
    return dict(sorted(figures.items(), key=lambda item: item[0] == "all"))


def wrong_answers():
    """Every catalogued misconception as (grade_id, source)."""
    return [(gid, source) for gid, e in EXERCISES.items() for source in e.mistakes.values()]


def check_of(exercise):
    """The check function an exercise is graded by."""
    module, function = exercise.check.split(".")
    return getattr(importlib.import_module(f"graders.{module}"), function)


def _fn(source):
    return source.strip("\n")


EXERCISES = {
    # -- 01 requires_grad --------------------------------------------------------------
    "l01_flags": Exercise("lesson01_requires_grad.check_which_require_grad", "answer_flags",
                          "answer_flags = (True, True, False, True, False)", {
        "requires_grad stays on the tensors you marked": "answer_flags = (True, False, False, False, False)",
        "an op needs every input to require grad": "answer_flags = (True, True, False, False, False)",
        "tensors require grad by default": "answer_flags = [True] * 5"},
        alternatives=("answer_flags = [True, True, False, True, False]",)),
    "l01_leaves": Exercise("lesson01_requires_grad.check_is_leaf", "answer_leaves",
                           "answer_leaves = (True, False, True, True)", {
        "every result of an op is a non-leaf": "answer_leaves = (True, False, True, False)",
        "a tensor without requires_grad is not a leaf": "answer_leaves = (True, False, False, False)",
        "a tensor that requires grad is not a leaf": "answer_leaves = (False, False, True, True)"},
        alternatives=("answer_leaves = [True, False, True, True]",)),
    "l01_weights": Exercise("lesson01_requires_grad.check_weights", "w",
                            "w = torch.zeros(2, 3, requires_grad=True)", {
        "a tensor that does not require grad": "w = torch.zeros(2, 3)",
        "a result of an op, not a leaf": "w = torch.zeros(2, 3, requires_grad=True) * 1",
        "a float64 tensor, not float32": "w = torch.zeros(2, 3, dtype=torch.float64, requires_grad=True)"},
        alternatives=("w = torch.zeros((2, 3)).requires_grad_()",)),
    "l01_make_parameter": Exercise(
        "lesson01_requires_grad.check_make_parameter", "make_parameter", _fn("""
def make_parameter(values):
    return torch.tensor(values, dtype=torch.float32, requires_grad=True)
"""), {
            "integers cannot require grad": _fn("""
def make_parameter(values):
    return torch.tensor(values, requires_grad=True)
"""),
            "a result of an op, not a leaf": _fn("""
def make_parameter(values):
    return torch.tensor(values, dtype=torch.float32, requires_grad=True) * 1.0
"""),
        "a tensor that does not require grad": _fn("""
def make_parameter(values):
    return torch.tensor(values, dtype=torch.float32)
""")},
        alternatives=(
        _fn("""
def make_parameter(values):
    t = torch.tensor(values).float()
    t.requires_grad = True
    return t
"""),)),
    # -- 02 graph -----------------------------------------------------------------------
    "l02_name": Exercise("lesson02_graph.check_last_grad_fn", "answer_name",
                         'answer_name = "MeanBackward0"', {
        "grad_fn names the first operation": 'answer_name = "MulBackward0"',
        "the op before mean": 'answer_name = "AddBackward0"',
        "the name without its number": "answer_name = 'MeanBackward'"},
        alternatives=(
        "answer_name = type((torch.ones(3, requires_grad=True) * 2 + 1).mean().grad_fn).__name__",)),
    "l02_next": Exercise("lesson02_graph.check_next_names", "answer_next",
                         'answer_next = ["MulBackward0", "AccumulateGrad"]', {
        "next_functions in no particular order": 'answer_next = ["AccumulateGrad", "MulBackward0"]',
        "next_functions lists the leaves": 'answer_next = ["AccumulateGrad", "AccumulateGrad"]',
        "a leaf taken for None": 'answer_next = ["MulBackward0", None]'},
        alternatives=('answer_next = ("MulBackward0", "AccumulateGrad")',)),
    "l02_accumulators": Exercise("lesson02_graph.check_accumulator_count", "answer_accumulators",
                                 "answer_accumulators = 1", {
        "one AccumulateGrad per use of x": "answer_accumulators = 2",
        "no AccumulateGrad in a graph of ops": "answer_accumulators = 0",
        "one AccumulateGrad per element": "answer_accumulators = 4"},
        alternatives=("answer_accumulators = torch.tensor(1)",)),
    "l02_count_nodes": Exercise("lesson02_graph.check_graph_counts", "count_nodes", _fn("""
def count_nodes(t):
    counts, seen, todo = {}, set(), [t.grad_fn]
    while todo:
        node = todo.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        counts[type(node).__name__] = counts.get(type(node).__name__, 0) + 1
        todo += [n for n, _ in node.next_functions]
    return counts
"""), {
        "counting a shared node once per path": _fn("""
def count_nodes(t):
    counts, todo = {}, [t.grad_fn]
    while todo:
        node = todo.pop()
        if node is not None:
            counts[type(node).__name__] = counts.get(type(node).__name__, 0) + 1
            todo += [n for n, _ in node.next_functions]
    return counts
"""),
        "a missing gradient or node (None)": _fn("""
def count_nodes(t):
    counts, todo = {}, [t.grad_fn]
    while todo:
        node = todo.pop()
        counts[node.name()] = 1
        todo += [n for n, _ in node.next_functions]
    return counts
"""),
        "node.name() instead of type(node).__name__": _fn("""
def count_nodes(t):
    counts, seen, todo = {}, set(), [t.grad_fn]
    while todo:
        node = todo.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        counts[node.name()] = counts.get(node.name(), 0) + 1
        todo += [n for n, _ in node.next_functions]
    return counts
"""),
        "None counted as a node": _fn("""
def count_nodes(t):
    counts, seen, todo = {}, set(), [t.grad_fn]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        name = type(node).__name__
        counts[name] = counts.get(name, 0) + 1
        if node is not None:
            todo.extend(n for n, _ in node.next_functions)
    return counts
""")},
        alternatives=(
        _fn("""
from collections import Counter

def count_nodes(t):
    seen = {}

    def visit(node):
        if node is not None and id(node) not in seen:
            seen[id(node)] = type(node).__name__
            for child, _ in node.next_functions:
                visit(child)

    visit(t.grad_fn)
    return dict(Counter(seen.values()))
"""),)),
    # -- 03 backward ---------------------------------------------------------------------
    "l03_blitz": Exercise("lesson03_backward.check_blitz_grad", "answer_blitz",
                          "answer_blitz = torch.full((2, 2), 4.5)", {
        "the mean's 1/4 was dropped": "answer_blitz = torch.full((2, 2), 18.0)",
        "the value instead of the gradient": "answer_blitz = torch.full((2, 2), 27.0)",
        "(x + 2)^2 differentiated as (x + 2)": "answer_blitz = torch.full((2, 2), 2.25)",
        "a number where a tensor was expected": "answer_blitz = 4.5",
        "out.backward() run twice": "answer_blitz = torch.full((2, 2), 9.0)"},
        alternatives=("answer_blitz = 4.5 * torch.ones(2, 2)",)),
    "l03_d2l": Exercise("lesson03_backward.check_d2l_grad", "answer_d2l",
                        "answer_d2l = torch.tensor([0.0, 4.0, 8.0, 12.0])", {
        "the factor 2 in front was lost": "answer_d2l = torch.tensor([0.0, 2.0, 4.0, 6.0])",
        "the values of 2 x^2 instead of its derivative": "answer_d2l = torch.tensor([0.0, 2.0, 8.0, 18.0])",
        "y.backward() run twice": "answer_d2l = torch.tensor([0.0, 8.0, 16.0, 24.0])",
        "a tensor that still requires grad": _fn("""
x = torch.arange(4.0, requires_grad=True)
y = 2 * torch.dot(x, x)
y.backward()
answer_d2l = y
""")},
        alternatives=("answer_d2l = 4 * torch.arange(4.0)",)),
    "l03_cube": Exercise("lesson03_backward.check_cube_grad", "answer_cube",
                         "answer_cube = [3.0, 12.0]", {
        "the values x^3": "answer_cube = [1.0, 8.0]",
        "the power rule without the square": "answer_cube = [3.0, 6.0]",
        "backward() run twice": "answer_cube = torch.tensor([6.0, 24.0])"},
        alternatives=("answer_cube = torch.tensor([3.0, 12.0])",)),
    "l03_grad_of": Exercise("lesson03_backward.check_grad_of", "grad_of", _fn("""
def grad_of(f, x):
    x = x.detach().clone().requires_grad_()
    f(x).backward()
    return x.grad
"""), {
        "differentiating the caller's tensor in place": _fn("""
def grad_of(f, x):
    x.requires_grad_()
    f(x).backward()
    return x.grad
"""),
        "a gradient left in the caller's x.grad": _fn("""
def grad_of(f, x):
    x.requires_grad = True
    f(x).backward()
    x.requires_grad = False
    return x.grad
"""),
        "None where a value was expected": _fn("""
def grad_of(f, x):
    x = x.detach().requires_grad_()
    y = x * 1
    f(y).backward()
    return y.grad
""")},
        alternatives=(
        _fn("""
def grad_of(f, x):
    leaf = x.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(f(leaf), leaf)
    return g
"""),)),
    # -- 04 accumulation -----------------------------------------------------------------
    "l04_three": Exercise("lesson04_accumulation.check_three_backwards", "answer_three",
                          "answer_three = torch.full((4,), 3.0)", {
        "each backward() replaces .grad": "answer_three = torch.ones(4)",
        "one backward() too few": "answer_three = torch.full((4,), 2.0)",
        "one backward() too many": "answer_three = torch.full((4,), 4.0)"},
        alternatives=("answer_three = 3 * torch.ones(4)",)),
    "l04_seed": Exercise("lesson04_accumulation.check_seed_002", "answer_seed",
                         "answer_seed = torch.full((2, 2), 7.5)", {
        "out.backward() starts from a clean .grad": "answer_seed = torch.full((2, 2), 4.5)",
        "zero_() was overlooked": "answer_seed = torch.full((2, 2), 8.5)",
        "out.backward() left out": "answer_seed = torch.full((2, 2), 3.0)"},
        alternatives=("answer_seed = torch.tensor([[7.5, 7.5], [7.5, 7.5]])",)),
    "l04_separate": Exercise("lesson04_accumulation.check_separate_grads", "separate_grads", _fn("""
def separate_grads(w, losses):
    grads = []
    for loss in losses:
        w.grad = None
        loss(w).backward()
        grads.append(w.grad.clone())
    return grads
"""), {
        "no zero_() between the losses": _fn("""
def separate_grads(w, losses):
    grads = []
    for loss in losses:
        loss(w).backward()
        grads.append(w.grad.clone())
    return grads
"""),
        "the same .grad tensor appended every time": _fn("""
def separate_grads(w, losses):
    grads = []
    for loss in losses:
        if w.grad is not None:
            w.grad.zero_()
        loss(w).backward()
        grads.append(w.grad)
    return grads
"""),
        "zero_() after each backward instead of before": _fn("""
def separate_grads(w, losses):
    grads = []
    for loss in losses:
        loss(w).backward()
        grads.append(w.grad.clone())
        w.grad.zero_()
    return grads
"""),
        "None where a value was expected": _fn("""
def separate_grads(w, losses):
    grads = []
    for loss in losses:
        w.grad = None
        y = loss(w)
        y.backward()
        grads.append(y.grad)
    return grads
""")},
        alternatives=(
        _fn("""
def separate_grads(w, losses):
    return [torch.autograd.grad(loss(w), w)[0] for loss in losses]
"""),)),
    "l04_average": Exercise("lesson04_accumulation.check_average_grad", "average_grad", _fn("""
def average_grad(w, batches, loss_fn):
    for batch in batches:
        loss_fn(w, batch).backward()
    return w.grad / len(batches)
"""), {
        "zeroing inside the loop": _fn("""
def average_grad(w, batches, loss_fn):
    for batch in batches:
        if w.grad is not None:
            w.grad.zero_()
        loss_fn(w, batch).backward()
    return w.grad
"""),
        "the sum, not the mean": _fn("""
def average_grad(w, batches, loss_fn):
    for batch in batches:
        loss_fn(w, batch).backward()
    return w.grad
"""),
        "a tensor that still requires grad": _fn("""
def average_grad(w, batches, loss_fn):
    total = 0
    for batch in batches:
        total = total + loss_fn(w, batch)
    return total / len(batches)
""")},
        alternatives=(
        _fn("""
def average_grad(w, batches, loss_fn):
    mean_loss = sum(loss_fn(w, batch) for batch in batches) / len(batches)
    mean_loss.backward()
    return w.grad.detach()
"""),)),
    # -- 05 vector-Jacobian products -----------------------------------------------------
    "l05_ones": Exercise("lesson05_vector_jacobian.check_square_ones", "answer_ones",
                         "answer_ones = torch.tensor([2.0, 4.0, 6.0])", {
        "the values of y": "answer_ones = torch.tensor([1.0, 4.0, 9.0])",
        "the vector v itself": "answer_ones = torch.ones(3)",
        "d(x * x)/dx taken as x": "answer_ones = torch.tensor([1.0, 2.0, 3.0])"},
        alternatives=("answer_ones = 2 * torch.tensor([1.0, 2.0, 3.0])",)),
    "l05_doubling": Exercise("lesson05_vector_jacobian.check_doubling", "answer_doubling",
                             "answer_doubling = 512 * torch.tensor([0.1, 1.0, 0.0001])", {
        "one doubling too few": "answer_doubling = 256 * torch.tensor([0.1, 1.0, 0.0001])",
        "v was left out": "answer_doubling = torch.full((3,), 512.0)",
        "one doubling too many": "answer_doubling = 1024 * torch.tensor([0.1, 1.0, 0.0001])"},
        alternatives=("answer_doubling = torch.tensor([51.2, 512.0, 0.0512])",)),
    "l05_jacobian": Exercise("lesson05_vector_jacobian.check_jacobian", "jacobian", _fn("""
def jacobian(f, x):
    x = x.detach().requires_grad_()
    y = f(x)
    rows = []
    for i in range(len(y)):
        x.grad = None
        y.backward(torch.eye(len(y))[i], retain_graph=True)
        rows.append(x.grad.clone())
    return torch.stack(rows)
"""), {
        "the Jacobian transposed": _fn("""
def jacobian(f, x):
    x = x.detach().requires_grad_()
    y = f(x)
    rows = []
    for i in range(len(y)):
        x.grad = None
        y.backward(torch.eye(len(y))[i], retain_graph=True)
        rows.append(x.grad.clone())
    return torch.stack(rows).T
"""),
        "rows accumulated": _fn("""
def jacobian(f, x):
    x = x.detach().requires_grad_()
    y = f(x)
    rows = []
    for i in range(len(y)):
        y.backward(torch.eye(len(y))[i], retain_graph=True)
        rows.append(x.grad.clone())
    return torch.stack(rows)
"""),
        "a second backward through a freed graph (a missing retain_graph)": _fn("""
def jacobian(f, x):
    x = x.detach().requires_grad_()
    y = f(x)
    rows = []
    for i in range(len(y)):
        x.grad = None
        y.backward(torch.eye(len(y))[i])
        rows.append(x.grad.clone())
    return torch.stack(rows)
""")},
        alternatives=(
        _fn("""
def jacobian(f, x):
    rows = []
    for i in range(len(f(x))):
        leaf = x.detach().clone().requires_grad_()
        f(leaf)[i].backward()
        rows.append(leaf.grad)
    return torch.stack(rows)
"""),)),
    "l05_vjp": Exercise("lesson05_vector_jacobian.check_vjp", "vjp", _fn("""
def vjp(f, x, v):
    x = x.detach().requires_grad_()
    f(x).backward(v)
    return x.grad
"""), {
        "v was ignored": _fn("""
def vjp(f, x, v):
    x = x.detach().requires_grad_()
    f(x).sum().backward()
    return x.grad
"""),
        "backward() on a non-scalar without a gradient": _fn("""
def vjp(f, x, v):
    x = x.detach().requires_grad_()
    f(x).backward()
    return x.grad
"""),
        "the Jacobian built row by row": _fn("""
def vjp(f, x, v):
    x = x.detach().requires_grad_()
    y = f(x)
    rows = []
    for i in range(len(y)):
        x.grad = None
        y[i].backward(retain_graph=True)
        rows.append(x.grad.clone())
    return v @ torch.stack(rows)
""")},
        alternatives=(
        _fn("""
def vjp(f, x, v):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x), x, grad_outputs=v)
    return g
"""),
        _fn("""
def vjp(f, x, v):
    x = x.detach().requires_grad_()
    (f(x) * v).sum().backward()
    return x.grad
"""),)),
    # -- 06 stopping gradients -----------------------------------------------------------
    "l06_flags": Exercise("lesson06_stopping_gradients.check_flags", "answer_flags",
                          "answer_flags = (True, True, False, False, True)", {
        "no_grad switches x off": "answer_flags = (True, True, False, False, False)",
        "detach() keeps requires_grad": "answer_flags = (True, True, False, True, True)",
        "no_grad has no effect": "answer_flags = (True, True, True, False, True)"},
        alternatives=("answer_flags = [True, True, False, False, True]",)),
    "l06_detach": Exercise("lesson06_stopping_gradients.check_detach_grad", "answer_detach",
                           "answer_detach = torch.tensor([0.0, 1.0, 4.0, 9.0])", {
        "the gradient flows through detach": "answer_detach = torch.tensor([0.0, 3.0, 12.0, 27.0])",
        "the derivative of u = x * x": "answer_detach = torch.tensor([0.0, 2.0, 4.0, 6.0])",
        "detach stops every gradient": "answer_detach = torch.zeros(4)"},
        alternatives=("answer_detach = torch.arange(4.0) ** 2",)),
    "l06_memory": Exercise("lesson06_stopping_gradients.check_shared_memory", "answer_memory",
                           "answer_memory = 100.0", {"detach() copies": "answer_memory = 1.0",
        "a tensor where a number was expected": "answer_memory = torch.tensor([100.0, 2.0, 3.0])",
        "None where a value was expected": "answer_memory = None"},
        alternatives=("answer_memory = torch.tensor(100.0)",)),
    "l06_sgd": Exercise("lesson06_stopping_gradients.check_sgd_step", "sgd_step", _fn("""
def sgd_step(w, lr):
    with torch.no_grad():
        w -= lr * w.grad
    w.grad.zero_()
"""), {
        "an in-place operation on a leaf that requires grad": _fn("""
def sgd_step(w, lr):
    w -= lr * w.grad
"""),
        "`w = w - lr * w.grad` inside the function": _fn("""
def sgd_step(w, lr):
    w = w - lr * w.grad
    return w
"""),
        "a missing zero_()": _fn("""
def sgd_step(w, lr):
    with torch.no_grad():
        w -= lr * w.grad
"""),
        "a step up the gradient": _fn("""
def sgd_step(w, lr):
    with torch.no_grad():
        w += lr * w.grad
    w.grad.zero_()
"""),
        "zero_() before the update": _fn("""
def sgd_step(w, lr):
    w.grad.zero_()
    with torch.no_grad():
        w -= lr * w.grad
"""),
        "the step without lr": _fn("""
def sgd_step(w, lr):
    with torch.no_grad():
        w -= w.grad
    w.grad.zero_()
""")},
        alternatives=(
        _fn("""
def sgd_step(w, lr):
    w.data -= lr * w.grad
    w.grad = None
"""),
        _fn("""
def sgd_step(w, lr):
    with torch.no_grad():
        w.sub_(lr * w.grad)
        w.grad.zero_()
"""),)),
    # -- 07 control flow -----------------------------------------------------------------
    "l07_positive": Exercise("lesson07_control_flow.check_grad_positive", "answer_positive",
                             "answer_positive = 512.0", {
        "control flow is not differentiated": "answer_positive = 0.0",
        "the other branch": "answer_positive = 51200.0",
        "the value of d instead of its gradient": "answer_positive = 153.6",
        "one doubling too few": "answer_positive = 256.0"},
        alternatives=("answer_positive = 2.0 ** 9",)),
    "l07_negative": Exercise("lesson07_control_flow.check_grad_negative", "answer_negative",
                             "answer_negative = 51200.0", {
        "the branch's factor 100 was dropped": "answer_negative = 512.0",
        "a negative gradient for a negative a": "answer_negative = -51200.0",
        "one doubling too few": "answer_negative = 25600.0"},
        alternatives=("answer_negative = 100 * 2 ** 9",)),
    "l07_recorded": Exercise("lesson07_control_flow.check_what_is_recorded", "answer_recorded",
                             'answer_recorded = "B"', {
        "both branches are recorded": 'answer_recorded = "A"',
        "the condition is differentiated": 'answer_recorded = "c"'},
        alternatives=("answer_recorded = 'b'",)),
    "l07_my_abs": Exercise("lesson07_control_flow.check_my_abs", "my_abs", _fn("""
def my_abs(x):
    return x if x > 0 else -x
"""), {
        "a Python number left the graph": _fn("""
def my_abs(x):
    return torch.tensor(abs(x.item()))
"""),
        "x negated in place": _fn("""
def my_abs(x):
    if x < 0:
        x.neg_()
    return x
"""),
        "the branches swapped": _fn("""
def my_abs(x):
    return -x if x > 0 else x
""")},
        alternatives=(
        _fn("""
def my_abs(x):
    if x < 0:
        return x * -1
    return x * 1
"""),)),
    # -- 08 gradient descent -------------------------------------------------------------
    "l08_mse": Exercise("lesson08_gradient_descent.check_mse", "mse", _fn("""
def mse(w, b, xs, ys):
    return ((w * xs + b - ys) ** 2).mean()
"""), {
        "the sum, not the mean": _fn("""
def mse(w, b, xs, ys):
    return ((w * xs + b - ys) ** 2).sum()
"""),
        "the residuals not squared": _fn("""
def mse(w, b, xs, ys):
    return (w * xs + b - ys).abs().mean()
"""),
        "a loss outside the graph": _fn("""
def mse(w, b, xs, ys):
    with torch.no_grad():
        return ((w * xs + b - ys) ** 2).mean()
""")},
        alternatives=(
        _fn("""
def mse(w, b, xs, ys):
    return torch.mean((ys - (w * xs + b)) ** 2)
"""),)),
    "l08_first": Exercise("lesson08_gradient_descent.check_first_step", "answer_first",
                          "answer_first = 0.2 * float((ys * xs).mean())", {
        "a step up the gradient": "answer_first = -0.2 * float((ys * xs).mean())",
        "the step without lr": "answer_first = 2 * float((ys * xs).mean())",
        "the gradient instead of the new w": "answer_first = -2 * float((ys * xs).mean())"},
        alternatives=(
        _fn("""
w = torch.zeros((), requires_grad=True)
b = torch.zeros((), requires_grad=True)
((w * xs + b - ys) ** 2).mean().backward()
answer_first = -0.1 * w.grad.item()
"""),)),
    "l08_fit": Exercise("lesson08_gradient_descent.check_fit_line", "fit_line", _fn("""
def fit_line(xs, ys, steps, lr):
    w = torch.zeros((), requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    for _ in range(steps):
        ((w * xs + b - ys) ** 2).mean().backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    return w, b
"""), {
        "no zero_() between steps": _fn("""
def fit_line(xs, ys, steps, lr):
    w = torch.zeros((), requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    for _ in range(steps):
        ((w * xs + b - ys) ** 2).mean().backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
    return w, b
"""),
        "the sum, not the mean": _fn("""
def fit_line(xs, ys, steps, lr):
    w = torch.zeros((), requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    for _ in range(steps):
        ((w * xs + b - ys) ** 2).sum().backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    return w, b
"""),
        "only w.grad zeroed": _fn("""
def fit_line(xs, ys, steps, lr):
    w = torch.zeros((), requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    for _ in range(steps):
        ((w * xs + b - ys) ** 2).mean().backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
    return w, b
"""),
        "a .grad that is None: the parameter was rebound outside no_grad": _fn("""
def fit_line(xs, ys, steps, lr):
    w = torch.zeros((), requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    for _ in range(steps):
        ((w * xs + b - ys) ** 2).mean().backward()
        w = w - lr * w.grad
        b = b - lr * b.grad
    return w, b
"""),
        "backward() from a tensor outside the graph": _fn("""
def fit_line(xs, ys, steps, lr):
    w = torch.zeros((), requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    with torch.no_grad():
        for _ in range(steps):
            ((w * xs + b - ys) ** 2).mean().backward()
            w -= lr * w.grad
            b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
    return w, b
""")},
        alternatives=(
        _fn("""
def fit_line(xs, ys, steps, lr):
    w, b = torch.zeros(2, requires_grad=True)
    params = [torch.tensor(0.0, requires_grad=True), torch.tensor(0.0, requires_grad=True)]
    for _ in range(steps):
        w, b = params
        loss = ((w * xs + b - ys) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None
    return params[0].item(), params[1].item()
"""),)),
    "l08_rebinding": Exercise("lesson08_gradient_descent.check_rebinding", "answer_rebinding",
                              'answer_rebinding = "A"', {
        "the new gradient": 'answer_rebinding = "B"', "zeros": 'answer_rebinding = "C"'},
        alternatives=("answer_rebinding = 'a'",)),
}
