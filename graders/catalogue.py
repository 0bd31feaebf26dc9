"""Answers to every exercise as students write them: the right one, and one per misconception.

Keyed by the exercise's grade_id; each answer is the source of the answer cell. The grader tests
run every right answer (it must pass) and every wrong one (it must fail with the diagnosis named
by its key); the demo class of `python -m grading` is made of these cells.
"""

from dataclasses import dataclass, field


@dataclass
class Exercise:
    check: str  # "lessonNN_name.check_function"
    answer: str  # the name the answer cell defines
    right: str
    mistakes: dict = field(default_factory=dict)  # words of the diagnosis -> answer cell source

    @property
    def function(self):
        return self.right.lstrip().startswith("def ")


def _fn(source):
    return source.strip("\n")


EXERCISES = {
    # -- 01 requires_grad --------------------------------------------------------------
    "l01_flags": Exercise("lesson01_requires_grad.check_which_require_grad", "answer_flags",
                          "answer_flags = (True, False, True, True, False, False)", {
        "stays on the tensors you marked":
            "answer_flags = (True, False, False, False, False, False)",
        "needs every input": "answer_flags = (True, False, False, True, False, False)",
        "integer and boolean results": "answer_flags = (True, False, True, True, True, True)"}),
    "l01_leaves": Exercise("lesson01_requires_grad.check_is_leaf", "answer_leaves",
                           "answer_leaves = (True, False, True, True)", {
        "every result of an op is a non-leaf": "answer_leaves = (True, False, True, False)",
        "without requires_grad is not a leaf": "answer_leaves = (True, False, False, False)"}),
    "l01_weights": Exercise("lesson01_requires_grad.check_weights", "w",
                            "w = torch.zeros(2, 3, requires_grad=True)", {
        "does not require grad": "w = torch.zeros(2, 3)",
        "not a leaf": "w = torch.zeros(2, 3, requires_grad=True) * 1",
        "float64": "w = torch.zeros(2, 3, dtype=torch.float64, requires_grad=True)"}),
    "l01_make_parameter": Exercise(
        "lesson01_requires_grad.check_make_parameter", "make_parameter", _fn("""
def make_parameter(values):
    return torch.tensor(values, dtype=torch.float32, requires_grad=True)
"""), {
            "integers cannot require grad": _fn("""
def make_parameter(values):
    return torch.tensor(values, requires_grad=True)
"""),
            "not a leaf": _fn("""
def make_parameter(values):
    return torch.tensor(values, dtype=torch.float32, requires_grad=True) * 1.0
""")}),
    # -- 02 graph -----------------------------------------------------------------------
    "l02_name": Exercise("lesson02_graph.check_last_grad_fn", "answer_name",
                         'answer_name = "MulBackward0"', {
        "first operation": 'answer_name = "SubBackward0"',
        "last method in the line": 'answer_name = "SumBackward0"'}),
    "l02_next": Exercise("lesson02_graph.check_next_names", "answer_next",
                         'answer_next = ["AccumulateGrad", "MulBackward0"]', {
        "no particular order": 'answer_next = ["MulBackward0", "AccumulateGrad"]',
        "lists the leaves": 'answer_next = ["AccumulateGrad", "AccumulateGrad"]'}),
    "l02_accumulators": Exercise("lesson02_graph.check_accumulator_count", "answer_accumulators",
                                 "answer_accumulators = 2", {
        "one AccumulateGrad per use": "answer_accumulators = 4",
        "c has an AccumulateGrad": "answer_accumulators = 3"}),
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
        "once per path": _fn("""
def count_nodes(t):
    counts, todo = {}, [t.grad_fn]
    while todo:
        node = todo.pop()
        if node is not None:
            counts[type(node).__name__] = counts.get(type(node).__name__, 0) + 1
            todo += [n for n, _ in node.next_functions]
    return counts
"""),
        "missing gradient or node": _fn("""
def count_nodes(t):
    counts, todo = {}, [t.grad_fn]
    while todo:
        node = todo.pop()
        counts[node.name()] = 1
        todo += [n for n, _ in node.next_functions]
    return counts
""")}),
    # -- 03 backward ---------------------------------------------------------------------
    "l03_blitz": Exercise("lesson03_backward.check_blitz_grad", "answer_blitz",
                          "answer_blitz = torch.full((2, 2), 6.0)", {
        "1/4 was dropped": "answer_blitz = torch.full((2, 2), 24.0)",
        "value instead of the gradient": "answer_blitz = torch.full((2, 2), 48.0)",
        "differentiated as (x + 2)": "answer_blitz = torch.full((2, 2), 3.0)",
        "expected tensor of shape [2, 2]": "answer_blitz = 6.0"}),
    "l03_d2l": Exercise("lesson03_backward.check_d2l_grad", "answer_d2l",
                        "answer_d2l = torch.tensor([0.0, 4.0, 8.0, 12.0])", {
        "factor 2": "answer_d2l = torch.tensor([0.0, 2.0, 4.0, 6.0])",
        "instead of its derivative": "answer_d2l = torch.tensor([0.0, 2.0, 8.0, 18.0])"}),
    "l03_cube": Exercise("lesson03_backward.check_cube_grad", "answer_cube",
                         "answer_cube = [3.0, 12.0]", {
        "the values x^3": "answer_cube = [1.0, 8.0]",
        "without the square": "answer_cube = [3.0, 6.0]"}),
    "l03_grad_of": Exercise("lesson03_backward.check_grad_of", "grad_of", _fn("""
def grad_of(f, x):
    x = x.detach().clone().requires_grad_()
    f(x).backward()
    return x.grad
"""), {
        "in place": _fn("""
def grad_of(f, x):
    x.requires_grad_()
    f(x).backward()
    return x.grad
""")}),
    "l03_hook": Exercise("lesson03_backward.check_hook", "answer_hook",
                         "answer_hook = torch.tensor([20.0, 40.0])", {
        "only looks": "answer_hook = torch.tensor([2.0, 4.0])",
        "is the end result": "answer_hook = [10.0, 10.0]"}),
    # -- 04 accumulation -----------------------------------------------------------------
    "l04_three": Exercise("lesson04_accumulation.check_three_backwards", "answer_three",
                          "answer_three = torch.full((4,), 3.0)", {
        "replaces .grad": "answer_three = torch.ones(4)",
        "at [0]: expected 3, got 2": "answer_three = torch.full((4,), 2.0)"}),
    "l04_seed": Exercise("lesson04_accumulation.check_seed_002", "answer_seed",
                         "answer_seed = torch.full((2, 2), 5.0)", {
        "clean .grad": "answer_seed = torch.full((2, 2), 1.0)",
        "zero_() was overlooked": "answer_seed = torch.full((2, 2), 8.0)"}),
    "l04_separate": Exercise("lesson04_accumulation.check_separate_grads", "separate_grads", _fn("""
def separate_grads(w, losses):
    grads = []
    for loss in losses:
        w.grad = None
        loss(w).backward()
        grads.append(w.grad.clone())
    return grads
"""), {
        "no zero_() between": _fn("""
def separate_grads(w, losses):
    grads = []
    for loss in losses:
        loss(w).backward()
        grads.append(w.grad.clone())
    return grads
"""),
        "same .grad tensor": _fn("""
def separate_grads(w, losses):
    grads = []
    for loss in losses:
        if w.grad is not None:
            w.grad.zero_()
        loss(w).backward()
        grads.append(w.grad)
    return grads
""")}),
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
""")}),
    "l04_retain": Exercise("lesson04_accumulation.check_retained_twice", "answer_retain",
                           "answer_retain = torch.tensor([4.0, 8.0])", {
        "retain_graph resets .grad": "answer_retain = torch.tensor([2.0, 4.0])"}),
    # -- 05 vector-Jacobian products -----------------------------------------------------
    "l05_ones": Exercise("lesson05_vector_jacobian.check_square_ones", "answer_ones",
                         "answer_ones = torch.tensor([6.0, -12.0, 3.0])", {
        "values of y": "answer_ones = torch.tensor([3.0, 12.0, 0.75])",
        "the vector v itself": "answer_ones = torch.ones(3)"}),
    "l05_doubling": Exercise("lesson05_vector_jacobian.check_doubling", "answer_doubling",
                             "answer_doubling = 256 * torch.tensor([1.0, 0.5, 2.0])", {
        "one doubling too few": "answer_doubling = 128 * torch.tensor([1.0, 0.5, 2.0])",
        "v was left out": "answer_doubling = torch.full((3,), 256.0)"}),
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
        "transposed": _fn("""
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
""")}),
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
        "non-scalar without a gradient": _fn("""
def vjp(f, x, v):
    x = x.detach().requires_grad_()
    f(x).backward()
    return x.grad
""")}),
    "l05_broadcast": Exercise("lesson05_vector_jacobian.check_broadcast", "answer_broadcast",
                              "answer_broadcast = torch.tensor([3.0, 5.0, 7.0])", {
        "output's shape": "answer_broadcast = torch.arange(6.0).reshape(2, 3)",
        "wrong axis": "answer_broadcast = [3.0, 12.0]"}),
    # -- 06 stopping gradients -----------------------------------------------------------
    "l06_flags": Exercise("lesson06_stopping_gradients.check_flags", "answer_flags",
                          "answer_flags = (False, True, False, True, True)", {
        "switches x off": "answer_flags = (False, False, False, False, False)",
        "detach() keeps": "answer_flags = (False, True, True, True, True)",
        "made under no_grad spreads nothing": "answer_flags = (False, False, False, True, True)"}),
    "l06_detach": Exercise("lesson06_stopping_gradients.check_detach_grad", "answer_detach",
                           "answer_detach = torch.tensor([3.0, 8.0, 15.0])", {
        "flows through detach": "answer_detach = torch.tensor([5.0, 16.0, 33.0])",
        "cut y out too": "answer_detach = torch.tensor([1.0, 4.0, 9.0])"}),
    "l06_memory": Exercise("lesson06_stopping_gradients.check_shared_memory", "answer_memory",
                           "answer_memory = 60.0", {"detach() copies": "answer_memory = 6.0"}),
    "l06_sgd": Exercise("lesson06_stopping_gradients.check_sgd_step", "sgd_step", _fn("""
def sgd_step(w, lr):
    with torch.no_grad():
        w -= lr * w.grad
    w.grad.zero_()
"""), {
        "in-place update of a leaf": _fn("""
def sgd_step(w, lr):
    w -= lr * w.grad
"""),
        "rebinds the local": _fn("""
def sgd_step(w, lr):
    w = w - lr * w.grad
    return w
"""),
        "missing zero_()": _fn("""
def sgd_step(w, lr):
    with torch.no_grad():
        w -= lr * w.grad
""")}),
    "l06_modes": Exercise("lesson06_stopping_gradients.check_grad_modes", "answer_modes",
                          "answer_modes = (True, False, False, True)", {
        "inference_mode still records": "answer_modes = (True, True, False, True)",
        "does not freeze": "answer_modes = (True, False, True, False)",
        "switches recording off": "answer_modes = (False, False, False, True)"}),
    # -- 07 control flow -----------------------------------------------------------------
    "l07_positive": Exercise("lesson07_control_flow.check_grad_positive", "answer_positive",
                             "answer_positive = 2048.0", {
        "not differentiated": "answer_positive = 0.0",
        "other branch": "answer_positive = 204800.0"}),
    "l07_negative": Exercise("lesson07_control_flow.check_grad_negative", "answer_negative",
                             "answer_negative = 6400.0", {"factor 100": "answer_negative = 64.0"}),
    "l07_recorded": Exercise("lesson07_control_flow.check_what_is_recorded", "answer_recorded",
                             'answer_recorded = "B"', {
        "both branches": 'answer_recorded = "A"',
        "condition is differentiated": 'answer_recorded = "c"'}),
    "l07_my_abs": Exercise("lesson07_control_flow.check_my_abs", "my_abs", _fn("""
def my_abs(x):
    return x if x > 0 else -x
"""), {
        "left the graph": _fn("""
def my_abs(x):
    return torch.tensor(abs(x.item()))
""")}),
    "l07_kink_grads": Exercise("lesson07_control_flow.check_kink_grads", "answer_kink_grads",
                               "answer_kink_grads = torch.tensor([0.0, 2.0, -1.0])", {
        "right-hand slope": "answer_kink_grads = [2.0, -1.0, 0.0]",
        "averages at a kink": "answer_kink_grads = torch.tensor([1.0, 0.5, -0.5])"}),
    # -- 08 gradient descent -------------------------------------------------------------
    "l08_mse": Exercise("lesson08_gradient_descent.check_mse", "mse", _fn("""
def mse(w, b, xs, ys):
    return ((w * xs + b - ys) ** 2).mean()
"""), {
        "the sum, not the mean": _fn("""
def mse(w, b, xs, ys):
    return ((w * xs + b - ys) ** 2).sum()
""")}),
    "l08_first": Exercise("lesson08_gradient_descent.check_first_step", "answer_first",
                          "answer_first = 0.2 * float((ys * xs).mean())", {
        "step up the gradient": "answer_first = -0.2 * float((ys * xs).mean())"}),
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
        "no zero_()": _fn("""
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
""")}),
    "l08_rebinding": Exercise("lesson08_gradient_descent.check_rebinding", "answer_rebinding",
                              'answer_rebinding = "A"', {
        "goes on without learning": 'answer_rebinding = "B"',
        "still gets its gradient": 'answer_rebinding = "C"'}),
    # -- 10 checking gradients -----------------------------------------------------------
    "l10_central": Exercise("lesson10_checking_gradients.check_central_difference",
                            "central_difference", _fn("""
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
        "the autograd gradient": _fn("""
def central_difference(f, x, h):
    x = x.detach().clone().requires_grad_()
    f(x).backward()
    return x.grad
""")}),
    "l10_kink": Exercise("lesson10_checking_gradients.check_kink", "answer_kink",
                         "answer_kink = (0.5, 0.0)", {
        "do not see the kink": "answer_kink = (0.0, 0.0)",
        "averages the one-sided": "answer_kink = [0.5, 0.5]",
        "right-hand slope": "answer_kink = (0.5, 1)"}),
    "l10_float32": Exercise("lesson10_checking_gradients.check_float32", "answer_float32",
                            'answer_float32 = "A"', {
        "have no gradients": 'answer_float32 = "B"',
        "always more accurate": 'answer_float32 = "c"'}),
    "l10_wrong": Exercise("lesson10_checking_gradients.check_wrong_points", "answer_wrong",
                          "answer_wrong = [-2.0, -0.5]", {
        "the whole backward": "answer_wrong = [-2.0, -0.5, 0.0, 0.5, 2.0]",
        "positive side": "answer_wrong = [0.5, 2]"}),
}
