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

from graders.checks import CHECKS, CheckFailed
from graders.lessons import lesson_of


@dataclass(frozen=True)
class Exercise:
    right: str  # the answer cell's source, right
    mistakes: dict = field(default_factory=dict)  # Diagnosis.mistake -> answer cell source
    alternatives: tuple = ()  # right answers written differently from `right`

    @property
    def function(self):
        """Whether the answer is code the check runs (a function, a Function class)."""
        return self.right.lstrip().startswith(("def ", "class "))


def check_of(grade_id):
    """The check an exercise is graded by (its lesson's module declares it)."""
    importlib.import_module(lesson_of(grade_id).module)
    return next(c for c in CHECKS.values() if c.grade_id == grade_id)


def run_cell(source, name):
    """Run an answer cell's source as the notebook would (torch, and lesson 08's xs, ys, in
    scope); return what it defines under name."""
    import torch

    from graders.lesson08_gradient_descent import data

    xs, ys = (torch.tensor(a) for a in data())
    namespace = {"torch": torch, "xs": xs, "ys": ys}
    exec(source, namespace)
    return namespace[name]


def verdict_on(grade_id, source):
    """The check's verdict on an answer cell's source, the hidden tests included for a function
    (the first verdict that does not pass, else the last)."""
    check = check_of(grade_id)
    with contextlib.redirect_stdout(io.StringIO()):
        answer = run_cell(source, check.answer)
        try:
            check(answer)
            if check.takes_function:
                check(answer, hidden=True)
        except CheckFailed as failure:
            return failure.verdict
    return None


def outcome(grade_id, source):
    """What the checks make of an answer: "accepted" (visible and hidden), else "named" (a
    Diagnosis) or "generic" (no mistake named)."""
    verdict = verdict_on(grade_id, source)
    if verdict is None:
        return "accepted"
    return "generic" if verdict.diagnosis is None else "named"


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


def _fn(source):
    return source.strip("\n")


EXERCISES = {
    # -- 01 requires_grad --------------------------------------------------------------
    "l01_flags": Exercise("answer_flags = (True, False, True, False)", {
        "requires_grad stays on the tensors you marked":
            "answer_flags = (False, False, False, False)",
        "an op needs every input to require grad": "answer_flags = (True, False, False, False)",
        "integer and boolean results pass requires_grad on": "answer_flags = [True] * 4",
        "a zero gradient means no requires_grad": "answer_flags = (False, False, True, False)"},
        alternatives=("answer_flags = [True, False, True, False]",)),
    "l01_leaves": Exercise("answer_leaves = (False, True, True, False)", {
        "every result of an op is a non-leaf": "answer_leaves = (False, True, False, False)",
        "a tensor without requires_grad is not a leaf":
            "answer_leaves = (False, False, False, False)",
        "indexing is not an operation": "answer_leaves = (True, True, True, False)"},
        alternatives=("answer_leaves = [False, True, True, False]",)),
    "l01_weights": Exercise("w = torch.full((2, 3), 0.01, requires_grad=True)", {
        "a tensor that does not require grad": "w = torch.full((2, 3), 0.01)",
        "a result of an op, not a leaf": "w = torch.ones(2, 3, requires_grad=True) * 0.01",
        "a float64 tensor, not float32":
            "w = torch.full((2, 3), 0.01, dtype=torch.float64, requires_grad=True)",
        "values other than the ones asked for": "w = torch.empty(2, 3, requires_grad=True)"},
        alternatives=("w = (torch.ones((2, 3)) * 0.01).requires_grad_()",
                      "w = torch.nn.Parameter(torch.full((2, 3), 0.01))")),
    "l01_make_parameter": Exercise(_fn("""
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
"""), _fn("""
def make_parameter(values):
    return torch.nn.Parameter(torch.tensor(values, dtype=torch.float32))
"""))),
    # -- 02 graph -----------------------------------------------------------------------
    "l02_name": Exercise('answer_name = "MulBackward0"', {
        "grad_fn names the first operation": 'answer_name = "SubBackward0"',
        "the last method in the line is the last op": 'answer_name = "SumBackward0"',
        "the name without its number": "answer_name = 'MulBackward'",
        "the op's name, not its node's": 'answer_name = "mul"',
        "grad_fn names an inner operation": 'answer_name = "ExpBackward0"'},
        alternatives=(
        "answer_name = type((2 * (torch.ones(3, requires_grad=True) - 1).exp().sum()).grad_fn)"
        ".__name__",)),
    "l02_next": Exercise('answer_next = ["AccumulateGrad", "MulBackward0"]', {
        "next_functions in no particular order": 'answer_next = ["MulBackward0", "AccumulateGrad"]',
        "next_functions lists the leaves": 'answer_next = ["AccumulateGrad", "AccumulateGrad"]',
        "a leaf taken for None": 'answer_next = [None, "MulBackward0"]',
        "next_functions as a list of three":
            'answer_next = ["AccumulateGrad", "MulBackward0", "AccumulateGrad"]'},
        alternatives=('answer_next = ("AccumulateGrad", "MulBackward0")',)),
    "l02_nodes": Exercise("answer_nodes = 7", {
        "one AccumulateGrad per use of a leaf": "answer_nodes = 9",
        "a leaf that needs no gradient has an AccumulateGrad": "answer_nodes = 8",
        "no AccumulateGrad in a graph of ops": "answer_nodes = 5",
        "an op with an input that needs no gradient is left out": "answer_nodes = 6"},
        alternatives=("answer_nodes = torch.tensor(7)",)),
    "l02_count_nodes": Exercise(_fn("""
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
    "l03_blitz": Exercise("answer_blitz = torch.full((2, 2), 6.0)", {
        "the mean's 1/4 was dropped": "answer_blitz = torch.full((2, 2), 24.0)",
        "the value instead of the gradient": "answer_blitz = torch.full((2, 2), 48.0)",
        "out itself, not its gradient": "answer_blitz = torch.tensor(48.0)",
        "(x + 2)^2 differentiated as (x + 2)": "answer_blitz = torch.full((2, 2), 3.0)",
        "a number where a tensor was expected": "answer_blitz = 6.0",
        "out.backward() run twice": "answer_blitz = torch.full((2, 2), 12.0)"},
        alternatives=("answer_blitz = 6 * torch.ones(2, 2)",)),
    "l03_d2l": Exercise("answer_d2l = torch.tensor([0.0, 4.0, 8.0, 12.0])", {
        "the factor 2 in front was lost": "answer_d2l = torch.tensor([0.0, 2.0, 4.0, 6.0])",
        "the values of 2 x^2 instead of its derivative": "answer_d2l = torch.tensor([0.0, 2.0, 8.0, 18.0])",
        "y.backward() run twice": "answer_d2l = torch.tensor([0.0, 8.0, 16.0, 24.0])",
        "y itself, not its gradient": _fn("""
x = torch.arange(4.0, requires_grad=True)
y = 2 * torch.dot(x, x)
y.backward()
answer_d2l = y
""")},
        alternatives=("answer_d2l = 4 * torch.arange(4.0)",)),
    "l03_cube": Exercise("answer_cube = [3.0, 12.0]", {
        "the values x^3": "answer_cube = [1.0, 8.0]",
        "the power rule without the square": "answer_cube = [3.0, 6.0]",
        "backward() run twice": "answer_cube = torch.tensor([6.0, 24.0])"},
        alternatives=("answer_cube = torch.tensor([3.0, 12.0])",)),
    "l03_grad_of": Exercise(_fn("""
def grad_of(f, x):
    x = x.detach().clone().requires_grad_()
    f(x).backward()
    return x.grad
"""), {
        "the value of f, not its gradient": _fn("""
def grad_of(f, x):
    x = x.detach().clone().requires_grad_()
    return f(x).detach()
"""),
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
    "l03_hook": Exercise("answer_hook = torch.tensor([20.0, 40.0])", {
        "a hook only looks": "answer_hook = torch.tensor([2.0, 4.0])",
        "the hook's gradient is the end result": "answer_hook = [10.0, 10.0]",
        "d(x * x)/dx taken as x": "answer_hook = torch.tensor([10.0, 20.0])"},
        alternatives=("answer_hook = 20 * torch.tensor([1.0, 2.0])",)),
    # -- 04 accumulation -----------------------------------------------------------------
    "l04_three": Exercise("answer_three = torch.full((4,), 6.0)", {
        "each backward() replaces .grad": "answer_three = torch.full((4,), 2.0)",
        "one backward() too few": "answer_three = torch.full((4,), 4.0)",
        "one backward() too many": "answer_three = torch.full((4,), 8.0)",
        "the values of 2 * x instead of its gradient": "answer_three = 3 * 2 * torch.arange(4.0)"},
        alternatives=("answer_three = 3 * 2 * torch.ones(4)",)),
    "l04_seed": Exercise("answer_seed = torch.full((2, 2), 5.0)", {
        "the last backward() starts from a clean .grad": "answer_seed = torch.full((2, 2), 1.0)",
        "zero_() was overlooked": "answer_seed = torch.full((2, 2), 11.0)",
        "d(x * x)/dx taken as x": "answer_seed = torch.full((2, 2), 3.0)",
        "the mean taken as a sum": "answer_seed = torch.full((2, 2), 8.0)"},
        alternatives=("answer_seed = torch.tensor([[5.0, 5.0], [5.0, 5.0]])",)),
    "l04_separate": Exercise(_fn("""
def separate_grads(w, losses):
    return [torch.autograd.grad(loss(w), w)[0] for loss in losses]
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
        "the caller's w.grad changed": _fn("""
def separate_grads(w, losses):
    grads = []
    for loss in losses:
        w.grad = None
        loss(w).backward()
        grads.append(w.grad.clone())
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
    kept, grads = w.grad, []
    for loss in losses:
        w.grad = None
        loss(w).backward()
        grads.append(w.grad)
    w.grad = kept
    return grads
"""),)),
    "l04_average": Exercise(_fn("""
def average_grad(w, batches, loss_fn):
    w = w.detach().clone().requires_grad_()
    for batch in batches:
        loss_fn(w, batch).backward()
    return w.grad / len(batches)
"""), {
        "zeroing inside the loop": _fn("""
def average_grad(w, batches, loss_fn):
    w = w.detach().clone().requires_grad_()
    for batch in batches:
        if w.grad is not None:
            w.grad.zero_()
        loss_fn(w, batch).backward()
    return w.grad
"""),
        "the sum, not the mean": _fn("""
def average_grad(w, batches, loss_fn):
    w = w.detach().clone().requires_grad_()
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
"""),
        "a gradient left in the caller's w.grad": _fn("""
def average_grad(w, batches, loss_fn):
    for batch in batches:
        loss_fn(w, batch).backward()
    return w.grad / len(batches)
""")},
        alternatives=(
        _fn("""
def average_grad(w, batches, loss_fn):
    mine = w.detach().requires_grad_()
    mean_loss = sum(loss_fn(mine, batch) for batch in batches) / len(batches)
    mean_loss.backward()
    return mine.grad.detach()
"""),)),
    "l04_retain": Exercise("answer_retain = torch.tensor([4.0, 8.0])", {
        "retain_graph resets .grad": "answer_retain = torch.tensor([2.0, 4.0])",
        "the value of x * x instead of its gradient": "answer_retain = torch.tensor([2.0, 8.0])",
        "the cell run more than once": "answer_retain = torch.tensor([6.0, 12.0])"},
        alternatives=("answer_retain = 4 * torch.tensor([1.0, 2.0])",)),
    # -- 05 vector-Jacobian products -----------------------------------------------------
    "l05_ones": Exercise("answer_ones = torch.tensor([6.0, -12.0, 3.0])", {
        "the values of y": "answer_ones = torch.tensor([3.0, 12.0, 0.75])",
        "the vector v itself": "answer_ones = torch.ones(3)",
        "d(x * x)/dx taken as x": "answer_ones = torch.tensor([3.0, -6.0, 1.5])"},
        alternatives=("answer_ones = 6 * torch.tensor([1.0, -2.0, 0.5])",)),
    "l05_doubling": Exercise("answer_doubling = 256 * torch.tensor([1.0, 0.5, 2.0])", {
        "one doubling too few": "answer_doubling = 128 * torch.tensor([1.0, 0.5, 2.0])",
        "v was left out": "answer_doubling = torch.full((3,), 256.0)",
        "one doubling too many": "answer_doubling = 512 * torch.tensor([1.0, 0.5, 2.0])"},
        alternatives=("answer_doubling = torch.tensor([256.0, 128.0, 512.0])",)),
    "l05_jacobian": Exercise(_fn("""
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
"""),
        "the same .grad tensor appended every time": _fn("""
def jacobian(f, x):
    x = x.detach().requires_grad_()
    y = f(x)
    rows = []
    for i in range(len(y)):
        if x.grad is not None:
            x.grad.zero_()
        y.backward(torch.eye(len(y))[i], retain_graph=True)
        rows.append(x.grad)
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
    "l05_vjp": Exercise(_fn("""
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
        "v multiplied in after the backward": _fn("""
def vjp(f, x, v):
    x = x.detach().requires_grad_()
    f(x).sum().backward()
    return x.grad * v
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
    "l05_broadcast": Exercise("answer_broadcast = torch.tensor([[10.0], [26.0], [42.0]])", {
        "the gradient has the output's shape":
            "answer_broadcast = torch.arange(12.0).reshape(3, 4) + 1",
        "summed over the wrong axis": "answer_broadcast = [15.0, 18.0, 21.0, 24.0]",
        "the gradient taken as w itself": "answer_broadcast = torch.tensor([[1.0], [2.0], [3.0]])",
        "the broadcast column squeezed away": "answer_broadcast = torch.tensor([10.0, 26.0, 42.0])",
        "the second use of w counted once": "answer_broadcast = [[7.0], [23.0], [39.0]]"},
        alternatives=("answer_broadcast = torch.arange(12.0).reshape(3, 4).sum(1, keepdim=True) + 4",)),
    # -- 06 stopping gradients -----------------------------------------------------------
    "l06_flags": Exercise("answer_flags = (False, True, True, True)", {
        "no_grad switches x off": "answer_flags = (False, False, False, True)",
        "a result made under no_grad spreads nothing": "answer_flags = (False, False, True, True)",
        "a detached tensor stops what it touches": "answer_flags = (False, True, False, True)",
        "no_grad has no effect": "answer_flags = (True, True, True, True)",
        "a result made under no_grad can never require grad":
            "answer_flags = (False, True, True, False)"},
        alternatives=("answer_flags = [False, True, True, True]",)),
    "l06_detach": Exercise("answer_detach = torch.tensor([3.0, 8.0, 15.0])", {
        "the gradient flows through detach": "answer_detach = torch.tensor([5.0, 16.0, 33.0])",
        "detach() cut y out too": "answer_detach = torch.tensor([1.0, 4.0, 9.0])",
        "detach stops every gradient": "answer_detach = torch.zeros(3)"},
        alternatives=("answer_detach = torch.tensor([1.0, 2.0, 3.0]) ** 2 + "
                      "2 * torch.tensor([1.0, 2.0, 3.0])",)),
    "l06_memory": Exercise("answer_memory = 4.0", {"detach() copies": "answer_memory = 1.0",
        "clone() shares memory too": "answer_memory = 40.0",
        "the sum of d's and x's values": "answer_memory = 8.0",
        "a tensor where a number was expected": "answer_memory = torch.tensor([3.0, 1.0, 0.0])",
        "None where a value was expected": "answer_memory = None"},
        alternatives=("answer_memory = torch.tensor(4.0)",)),
    "l06_sgd": Exercise(_fn("""
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
    "l06_modes": Exercise("answer_modes = (False, False, False, True)", {
        "requires_grad_(False) clears .grad": "answer_modes = (False, True, False, True)",
        "inference_mode still records": "answer_modes = (False, False, True, True)",
        "an inference tensor cannot enter a graph": "answer_modes = (False, False, False, False)",
        "requires_grad_(False) does not freeze": "answer_modes = (True, False, False, True)"},
        alternatives=("answer_modes = [False, False, False, True]",)),
    # -- 07 control flow -----------------------------------------------------------------
    "l07_positive": Exercise("answer_positive = 2048.0", {
        "control flow is not differentiated": "answer_positive = 0.0",
        "the other branch": "answer_positive = 204800.0",
        "the value of d instead of its gradient": "answer_positive = 102.4",
        "one doubling too few": "answer_positive = 1024.0"},
        alternatives=("answer_positive = 2.0 ** 11",)),
    "l07_negative": Exercise("answer_negative = 6400.0", {
        "the branch's factor 100 was dropped": "answer_negative = 64.0",
        "a negative gradient for a negative a": "answer_negative = -6400.0",
        "one doubling too few": "answer_negative = 3200.0"},
        alternatives=("answer_negative = 100 * 2 ** 6",)),
    "l07_recorded": Exercise('answer_recorded = {"MulBackward0": 8, "AccumulateGrad": 1}', {
        "both branches are recorded": 'answer_recorded = {"MulBackward0": 9, "AccumulateGrad": 1}',
        "one doubling too few": 'answer_recorded = {"MulBackward0": 7, "AccumulateGrad": 1}',
        "no node for the leaf": 'answer_recorded = {"MulBackward0": 8}',
        "the condition is recorded": 'answer_recorded = {"MulBackward0": 8, '
                                     '"LinalgVectorNormBackward0": 8, "AccumulateGrad": 1}'},
        alternatives=("answer_recorded = dict(AccumulateGrad=1, MulBackward0=8)",)),
    "l07_my_abs": Exercise(_fn("""
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
"""),
        "zero for negative x": _fn("""
def my_abs(x):
    if x > 0:
        return x
    return x * 0
"""),
        "x returned in both branches": _fn("""
def my_abs(x):
    if x > 0:
        return x
    else:
        return x
""")},
        alternatives=(
        _fn("""
def my_abs(x):
    if x < 0:
        return x * -1
    return x * 1
"""),)),
    "l07_kink_grads": Exercise("answer_kink_grads = torch.tensor([0.0, 2.0, -1.0])", {
        "torch takes the right-hand slope at a kink": "answer_kink_grads = [2.0, -1.0, 0.0]",
        "torch averages at a kink": "answer_kink_grads = torch.tensor([1.0, 0.5, -0.5])",
        "the value of the hat instead of its gradient": "answer_kink_grads = [0.0, 2.0, 1.0]"},
        alternatives=("answer_kink_grads = [0.0, 2.0, -1.0]",)),
    # -- 08 gradient descent -------------------------------------------------------------
    "l08_mse": Exercise(_fn("""
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
"""),
        "a sign wrong in the residual": _fn("""
def mse(w, b, xs, ys):
    return ((ys - w * xs + b) ** 2).mean()
""")},
        alternatives=(
        _fn("""
def mse(w, b, xs, ys):
    return torch.mean((ys - (w * xs + b)) ** 2)
"""),)),
    "l08_first": Exercise("answer_first = 0.2 * float((ys * xs).mean())", {
        "a step up the gradient": "answer_first = -0.2 * float((ys * xs).mean())",
        "the step without lr": "answer_first = 2 * float((ys * xs).mean())",
        "the gradient instead of the new w": "answer_first = -2 * float((ys * xs).mean())",
        "the square's factor 2 dropped": "answer_first = 0.1 * float((ys * xs).mean())"},
        alternatives=(
        _fn("""
w = torch.zeros((), requires_grad=True)
b = torch.zeros((), requires_grad=True)
((w * xs + b - ys) ** 2).mean().backward()
answer_first = -0.1 * w.grad.item()
"""),)),
    "l08_fit": Exercise(_fn("""
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
        "a .grad that is None": _fn("""
def fit_line(xs, ys, steps, lr):
    w = torch.zeros((), requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    for _ in range(steps):
        ((w * xs + b - ys) ** 2).mean().backward()
        w = w - lr * w.grad
        b = b - lr * b.grad
    return w, b
"""),
        "the parameters rebound, not updated in place": _fn("""
def fit_line(xs, ys, steps, lr):
    w = torch.zeros((), requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    for _ in range(steps):
        ((w * xs + b - ys) ** 2).mean().backward()
        with torch.no_grad():
            w = w - lr * w.grad
            b = b - lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
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
    "l08_rebinding": Exercise('answer_rebinding = "A"', {
        "the loop goes on without learning": 'answer_rebinding = "B"',
        "the rebound w still gets its gradient": 'answer_rebinding = "C"'},
        alternatives=("answer_rebinding = 'a'",)),
    # -- 09 gradients of gradients -------------------------------------------------------
    "l09_second": Exercise("answer_second = 75.0", {
        "the first derivative": "answer_second = 4 * 2.5 ** 3",
        "the value of the function": "answer_second = 2.5 ** 4",
        "one derivative too many": "answer_second = 24 * 2.5"},
        alternatives=("answer_second = 12 * 2.5 ** 2",
                      "answer_second = torch.tensor(75.)")),
    "l09_accumulated": Exercise("answer_accumulated = 13.0", {
        "the second backward replaces .grad": "answer_accumulated = 8.0",
        "the second backward adds nothing": "answer_accumulated = 5.0",
        "the second backward repeats the first": "answer_accumulated = 10.0"},
        alternatives=("answer_accumulated = (3 + 2) + (6 + 2)",)),
    "l09_second_derivative": Exercise(_fn("""
def second_derivative(f, x):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
    if not g.requires_grad:
        return torch.zeros_like(x)
    (h,) = torch.autograd.grad(g.sum(), x)
    return h
"""), {
            "f'' = 0 not handled": _fn("""
def second_derivative(f, x):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), x)
    return h
"""),
            "a gradient with no graph behind it": _fn("""
def second_derivative(f, x):
    x.requires_grad_()
    f(x).sum().backward(create_graph=True)
    g = x.grad.detach()
    x.grad = None
    g.sum().backward()
    return x.grad
"""),
            "requires_grad_() on a detached gradient": _fn("""
def second_derivative(f, x):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
    g = g.detach().requires_grad_()
    return torch.autograd.grad(g.sum(), x)[0]
"""),
            "the first derivative added into the second": _fn("""
def second_derivative(f, x):
    x.requires_grad_()
    f(x).sum().backward(create_graph=True)
    x.grad.sum().backward()
    return x.grad
"""),
            "the first derivative": _fn("""
def second_derivative(f, x):
    x = x.detach().requires_grad_()
    return torch.autograd.grad(f(x).sum(), x, create_graph=True)[0]
"""),
            "a vector differentiated as if it were a scalar": _fn("""
def second_derivative(f, x):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x), x, create_graph=True)
    return torch.autograd.grad(g, x)[0]
""")},
        alternatives=(_fn("""
def second_derivative(f, x):
    x = x.clone().requires_grad_(True)
    f(x).sum().backward(create_graph=True)
    first = x.grad
    if first.grad_fn is None:
        return torch.zeros_like(x)
    x.grad = None
    first.sum().backward()
    return x.grad
"""), _fn("""
def second_derivative(f, x):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x), x, grad_outputs=torch.ones_like(x), create_graph=True)
    if not g.requires_grad:
        return 0 * x
    (h,) = torch.autograd.grad(g, x, grad_outputs=torch.ones_like(x))
    return h.detach()
"""), _fn("""
def second_derivative(f, x):
    return torch.func.vmap(torch.func.grad(torch.func.grad(f)))(x)
"""))),
    "l09_hvp": Exercise(_fn("""
def hvp(f, x, v):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x), x, create_graph=True)
    if not g.requires_grad:
        return torch.zeros_like(x)
    (hv,) = torch.autograd.grad((g * v).sum(), x)
    return hv
"""), {
        "f'' = 0 not handled": _fn("""
def hvp(f, x, v):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x), x, create_graph=True)
    (hv,) = torch.autograd.grad((g * v).sum(), x)
    return hv
"""),
        "a gradient with no graph behind it": _fn("""
def hvp(f, x, v):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x), x)
    return torch.autograd.grad(g @ v, x)[0]
"""),
        "the first derivative added into the second": _fn("""
def hvp(f, x, v):
    x = x.detach().requires_grad_()
    f(x).backward(create_graph=True)
    torch.dot(x.grad, v).backward()
    return x.grad
"""),
        "v multiplied in after differentiating": _fn("""
def hvp(f, x, v):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x), x, create_graph=True)
    return torch.autograd.grad(g.sum(), x)[0] * v
"""),
        "v left out": _fn("""
def hvp(f, x, v):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x), x, create_graph=True)
    return torch.autograd.grad(g.sum(), x)[0]
"""),
        "the gradient vector differentiated without v": _fn("""
def hvp(f, x, v):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x), x, create_graph=True)
    return torch.autograd.grad(g, x)[0] @ v
""")},
        alternatives=(_fn("""
def hvp(f, x, v):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x), x, create_graph=True)
    if g.grad_fn is None:
        return torch.zeros_like(v)
    return torch.autograd.grad(g, x, grad_outputs=v)[0]
"""), _fn("""
def hvp(f, x, v):
    x = x.detach().requires_grad_()
    f(x).backward(create_graph=True)
    g, x.grad = x.grad, None
    if not g.requires_grad:
        return torch.zeros_like(x)
    (g @ v).backward()
    return x.grad
"""), _fn("""
def hvp(f, x, v):
    return torch.autograd.functional.hvp(f, x, v)[1]
"""))),
    "l09_newton": Exercise(_fn("""
def newton_step(f, x):
    x = x.detach().requires_grad_()
    (slope,) = torch.autograd.grad(f(x), x, create_graph=True)
    (curvature,) = torch.autograd.grad(slope, x)
    return (x - slope / curvature).detach()
"""), {
        "a gradient with no graph behind it": _fn("""
def newton_step(f, x):
    x = x.detach().requires_grad_()
    (slope,) = torch.autograd.grad(f(x), x)
    (curvature,) = torch.autograd.grad(slope, x)
    return x - slope / curvature
"""),
        "the first derivative added into the second": _fn("""
def newton_step(f, x):
    x.requires_grad_()
    f(x).backward(create_graph=True)
    slope = x.grad.item()
    x.grad.backward()
    return x.item() - slope / x.grad.item()
"""),
        "a gradient turned into a Python number": _fn("""
def newton_step(f, x):
    x = x.detach().requires_grad_()
    slope = torch.autograd.grad(f(x), x, create_graph=True)[0].item()
    curvature = torch.autograd.grad(slope, x)[0]
    return x - slope / curvature
"""),
        "a gradient step, not a Newton step": _fn("""
def newton_step(f, x):
    x = x.detach().requires_grad_()
    (slope,) = torch.autograd.grad(f(x), x)
    return x - slope
"""),
        "the ratio upside down": _fn("""
def newton_step(f, x):
    x = x.detach().requires_grad_()
    (slope,) = torch.autograd.grad(f(x), x, create_graph=True)
    (curvature,) = torch.autograd.grad(slope, x)
    return x - curvature / slope
"""),
        "a step uphill": _fn("""
def newton_step(f, x):
    x = x.detach().requires_grad_()
    (slope,) = torch.autograd.grad(f(x), x, create_graph=True)
    (curvature,) = torch.autograd.grad(slope, x)
    return x + slope / curvature
""")},
        alternatives=(_fn("""
def newton_step(f, x):
    x = x.clone().requires_grad_()
    f(x).backward(create_graph=True)
    slope = x.grad.clone()
    x.grad = None
    slope.backward()
    return x.item() - slope.item() / x.grad.item()
"""),)),
    # -- 10 checking gradients -----------------------------------------------------------
    "l10_central": Exercise(_fn("""
def central_difference(f, x, h):
    grads = []
    for i in range(len(x)):
        step = torch.zeros_like(x)
        step[i] = h
        grads.append(((f(x + step) - f(x - step)) / (2 * h)).item())
    return torch.tensor(grads, dtype=torch.float64)
"""), {
        "a forward difference": _fn("""
def central_difference(f, x, h):
    grads = []
    for i in range(len(x)):
        step = torch.zeros_like(x)
        step[i] = h
        grads.append((f(x + step) - f(x)) / h)
    return torch.stack(grads)
"""),
        "divided by h instead of 2h": _fn("""
def central_difference(f, x, h):
    grads = []
    for i in range(len(x)):
        step = torch.zeros_like(x)
        step[i] = h
        grads.append((f(x + step) - f(x - step)) / h)
    return torch.stack(grads)
"""),
        "every coordinate stepped at once": _fn("""
def central_difference(f, x, h):
    return torch.stack([(f(x + h) - f(x - h)) / (2 * h)] * len(x))
"""),
        "the autograd gradient, not the finite difference": _fn("""
def central_difference(f, x, h):
    x = x.detach().clone().requires_grad_()
    f(x).backward()
    return x.grad
""")},
        alternatives=(_fn("""
def central_difference(f, x, h):
    steps = h * torch.eye(len(x), dtype=x.dtype)
    return torch.stack([(f(x + e) - f(x - e)) / (2 * h) for e in steps])
"""),)),
    "l10_kink": Exercise("answer_kink = (0.5, 0.0)", {
        "finite differences do not see the kink": "answer_kink = (0.0, 0.0)",
        "torch averages the one-sided derivatives": "answer_kink = [0.5, 0.5]",
        "torch takes the right-hand slope": "answer_kink = (0.5, 1)"},
        alternatives=("answer_kink = [0.5, 0.0]",)),
    "l10_float32": Exercise("answer_float32 = 0.0", {
        "a smaller step is always more accurate": "answer_float32 = 1.3818",
        "h itself rounds to 0 in float32": "answer_float32 = float('nan')",
        "only one side rounds": "answer_float32 = 0.69089"},
        alternatives=("answer_float32 = torch.tensor(0.0)",)),
    "l10_wrong": Exercise("answer_wrong = [-2.0, -0.5]", {
        "the whole backward is wrong": "answer_wrong = [-2.0, -0.5, 0.0, 0.5, 2.0]",
        "the positive side is wrong": "answer_wrong = [0.5, 2]",
        "the points where the backward agrees": "answer_wrong = [0.0, 0.5, 2.0]"},
        alternatives=("answer_wrong = (-2.0, -0.5)",)),
    # -- 11 your own op --------------------------------------------------------------------
    "l11_power": Exercise(_fn("""
class Power(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, p):
        ctx.save_for_backward(x)
        ctx.p = p
        return x ** p

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ctx.p * x ** (ctx.p - 1), None
"""), {
        "one gradient too few for forward's inputs": _fn("""
class Power(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, p):
        ctx.save_for_backward(x)
        ctx.p = p
        return x ** p

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ctx.p * x ** (ctx.p - 1)
"""),
        "a gradient for the number p": _fn("""
class Power(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, p):
        ctx.save_for_backward(x)
        ctx.p = p
        return x ** p

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ctx.p * x ** (ctx.p - 1), grad * x ** ctx.p * torch.log(x)
"""),
        "the incoming gradient left out": _fn("""
class Power(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, p):
        ctx.save_for_backward(x)
        ctx.p = p
        return x ** p

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return ctx.p * x ** (ctx.p - 1), None
"""),
        "the exponent not lowered": _fn("""
class Power(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, p):
        ctx.save_for_backward(x)
        ctx.p = p
        return x ** p

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ctx.p * x ** ctx.p, None
"""),
        "the derivative from the output, p y / x": _fn("""
class Power(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, p):
        y = x ** p
        ctx.save_for_backward(x, y)
        ctx.p = p
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return grad * ctx.p * y / x, None
"""),
        "None for x, which needs a gradient": _fn("""
class Power(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, p):
        ctx.save_for_backward(x)
        ctx.p = p
        return x ** p

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return None, None
""")},
        alternatives=(_fn("""
class Power(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, p):
        ctx.save_for_backward(x)
        ctx.p = p
        return torch.pow(x, p)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        grad_x = None
        if ctx.needs_input_grad[0]:
            grad_x = grad * ctx.p * torch.pow(x, ctx.p - 1)
        return grad_x, None
"""), _fn("""
class Power(torch.autograd.Function):
    @staticmethod
    def forward(x, p):
        return x ** p

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, p = inputs
        ctx.save_for_backward(x)
        ctx.p = p

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ctx.p * x ** (ctx.p - 1), None
"""))),
    "l11_needs": Exercise("answer_needs = (False, True, False)", {
        "a result made under no_grad still requires grad": "answer_needs = (True, True, False)",
        "only leaves need a gradient": "answer_needs = (False, False, False)",
        "detach() keeps requires_grad": "answer_needs = [False, True, True]"},
        alternatives=("answer_needs = [False, True, False]",)),
    "l11_silu": Exercise(_fn("""
class SiLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad * s * (1 + x * (1 - s))
"""), {
        "the product rule left out": _fn("""
class SiLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad * s
"""),
        "sigmoid's derivative, not SiLU's": _fn("""
class SiLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad * s * (1 - s)
"""),
        "the incoming gradient left out": _fn("""
class SiLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return s * (1 + x * (1 - s))
"""),
        "a backward that steps outside autograd": _fn("""
class SiLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad * s * (1 + x * (1 - s))
"""),
        "sigmoid(x) a constant to the second derivative": _fn("""
class SiLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        s = torch.sigmoid(x)
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, grad):
        x, s = ctx.saved_tensors
        return grad * s * (1 + x * (1 - s))
""")},
        alternatives=(_fn("""
class SiLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = x * torch.sigmoid(x)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad * (s + y * (1 - s))
"""),)),
    "l11_versions": Exercise("answer_versions = (6, 3)", {
        "an in-place op's own write not counted": "answer_versions = (5, 2)",
        "versions counted from the save": "answer_versions = (3, 0)",
        "every op bumps the version": "answer_versions = [7, 4]",
        "an index assignment not counted": "answer_versions = (4, 2)",
        "the two versions in the other order": "answer_versions = (3, 6)"},
        alternatives=("answer_versions = [6, 3]",)),
    "l11_per_example": Exercise(_fn("""
def per_example_grads(loss, w, X, Y):
    return torch.func.vmap(torch.func.grad(loss), in_dims=(None, 0, 0))(w, X, Y)
"""), {
        "one gradient for the whole batch": _fn("""
def per_example_grads(loss, w, X, Y):
    losses = torch.func.vmap(loss, in_dims=(None, 0, 0))
    return torch.func.grad(lambda w: losses(w, X, Y).sum())(w)
"""),
        "the gradient with respect to the example, not w": _fn("""
def per_example_grads(loss, w, X, Y):
    return torch.func.vmap(torch.func.grad(loss, argnums=1), in_dims=(None, 0, 0))(w, X, Y)
"""),
        "the batch mean's 1/N in each row": _fn("""
def per_example_grads(loss, w, X, Y):
    losses = torch.func.vmap(loss, in_dims=(None, 0, 0))
    return torch.func.jacrev(lambda w: losses(w, X, Y) / len(X))(w)
"""),
        "each example's gradient added to the ones before it": _fn("""
def per_example_grads(loss, w, X, Y):
    w = w.detach().requires_grad_()
    rows = []
    for x, y in zip(X, Y):
        loss(w, x, y).backward()
        rows.append(w.grad.clone())
    return torch.stack(rows)
"""),
        "w mapped over like the data": _fn("""
def per_example_grads(loss, w, X, Y):
    return torch.func.vmap(torch.func.grad(loss))(w, X, Y)
"""),
        "grad of a vector of losses": _fn("""
def per_example_grads(loss, w, X, Y):
    return torch.func.grad(loss)(w, X, Y)
"""),
        "the caller's w changed": _fn("""
def per_example_grads(loss, w, X, Y):
    w.requires_grad_()
    rows = []
    for x, y in zip(X, Y):
        w.grad = None
        loss(w, x, y).backward()
        rows.append(w.grad.clone())
    return torch.stack(rows)
""")},
        alternatives=(_fn("""
def per_example_grads(loss, w, X, Y):
    w = w.detach().requires_grad_()
    rows = [torch.autograd.grad(loss(w, x, y), w)[0] for x, y in zip(X, Y)]
    return torch.stack(rows)
"""), _fn("""
def per_example_grads(loss, w, X, Y):
    losses = torch.func.vmap(loss, in_dims=(None, 0, 0))
    return torch.func.jacrev(lambda w: losses(w, X, Y))(w)
"""))),
    "l11_shapes": Exercise("answer_shapes = [[2, 3], [3, 3], [5, 2, 3]]", {
        "the Jacobian's input dimensions first": "answer_shapes = [[3, 2], [3, 3], [5, 3, 2]]",
        "vmap puts the batch last": "answer_shapes = [(2, 3), (3, 3), (2, 3, 5)]",
        "a Hessian the shape of a gradient": "answer_shapes = [[2, 3], [3], [5, 2, 3]]"},
        alternatives=("answer_shapes = ((2, 3), (3, 3), (5, 2, 3))",)),
}
