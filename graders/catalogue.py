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
    also_right: tuple = ()  # other right answers, written differently from ours

    @property
    def function(self):
        return self.right.lstrip().startswith("def ")


def _fn(source):
    return source.strip("\n")


EXERCISES = {
    # -- 01 requires_grad --------------------------------------------------------------
    "l01_flags": Exercise("lesson01_requires_grad.check_which_require_grad", "answer_flags",
                          "answer_flags = (True, True, False, True, False)", {
        "stays on the tensors you marked": "answer_flags = (True, False, False, False, False)",
        "needs every input": "answer_flags = (True, True, False, False, False)"}),
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
                         'answer_name = "MeanBackward0"', {
        "first operation": 'answer_name = "MulBackward0"'}),
    "l02_next": Exercise("lesson02_graph.check_next_names", "answer_next",
                         'answer_next = ["MulBackward0", "AccumulateGrad"]', {
        "no particular order": 'answer_next = ["AccumulateGrad", "MulBackward0"]',
        "lists the leaves": 'answer_next = ["AccumulateGrad", "AccumulateGrad"]'}),
    "l02_accumulators": Exercise("lesson02_graph.check_accumulator_count", "answer_accumulators",
                                 "answer_accumulators = 1", {
        "one AccumulateGrad per use": "answer_accumulators = 2"}),
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
                          "answer_blitz = torch.full((2, 2), 4.5)", {
        "1/4 was dropped": "answer_blitz = torch.full((2, 2), 18.0)",
        "value instead of the gradient": "answer_blitz = torch.full((2, 2), 27.0)",
        "differentiated as (x + 2)": "answer_blitz = torch.full((2, 2), 2.25)",
        "expected tensor of shape [2, 2]": "answer_blitz = 4.5"}),
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
    # -- 04 accumulation -----------------------------------------------------------------
    "l04_three": Exercise("lesson04_accumulation.check_three_backwards", "answer_three",
                          "answer_three = torch.full((4,), 3.0)", {
        "replaces .grad": "answer_three = torch.ones(4)",
        "at [0]: expected 3, got 2": "answer_three = torch.full((4,), 2.0)"}),
    "l04_seed": Exercise("lesson04_accumulation.check_seed_002", "answer_seed",
                         "answer_seed = torch.full((2, 2), 7.5)", {
        "clean .grad": "answer_seed = torch.full((2, 2), 4.5)",
        "zero_() was overlooked": "answer_seed = torch.full((2, 2), 8.5)"}),
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
    # -- 05 vector-Jacobian products -----------------------------------------------------
    "l05_ones": Exercise("lesson05_vector_jacobian.check_square_ones", "answer_ones",
                         "answer_ones = torch.tensor([2.0, 4.0, 6.0])", {
        "values of y": "answer_ones = torch.tensor([1.0, 4.0, 9.0])",
        "the vector v itself": "answer_ones = torch.ones(3)"}),
    "l05_doubling": Exercise("lesson05_vector_jacobian.check_doubling", "answer_doubling",
                             "answer_doubling = 512 * torch.tensor([0.1, 1.0, 0.0001])", {
        "one doubling too few": "answer_doubling = 256 * torch.tensor([0.1, 1.0, 0.0001])",
        "v was left out": "answer_doubling = torch.full((3,), 512.0)"}),
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
    # -- 06 stopping gradients -----------------------------------------------------------
    "l06_flags": Exercise("lesson06_stopping_gradients.check_flags", "answer_flags",
                          "answer_flags = (True, True, False, False, True)", {
        "switches x off": "answer_flags = (True, True, False, False, False)",
        "detach() keeps": "answer_flags = (True, True, False, True, True)"}),
    "l06_detach": Exercise("lesson06_stopping_gradients.check_detach_grad", "answer_detach",
                           "answer_detach = torch.tensor([0.0, 1.0, 4.0, 9.0])", {
        "flows through detach": "answer_detach = torch.tensor([0.0, 3.0, 12.0, 27.0])"}),
    "l06_memory": Exercise("lesson06_stopping_gradients.check_shared_memory", "answer_memory",
                           "answer_memory = 100.0", {"detach() copies": "answer_memory = 1.0"}),
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
    # -- 07 control flow -----------------------------------------------------------------
    "l07_positive": Exercise("lesson07_control_flow.check_grad_positive", "answer_positive",
                             "answer_positive = 512.0", {
        "not differentiated": "answer_positive = 0.0",
        "other branch": "answer_positive = 51200.0"}),
    "l07_negative": Exercise("lesson07_control_flow.check_grad_negative", "answer_negative",
                             "answer_negative = 51200.0", {"factor 100": "answer_negative = 512.0"}),
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
        "the new gradient": 'answer_rebinding = "B"', "zeros": 'answer_rebinding = "C"'}),
    # -- 09 gradients of gradients -------------------------------------------------------
    "l09_second": Exercise("lesson09_gradients_of_gradients.check_second_value", "answer_second",
                           "answer_second = 27.0", {
        "the first derivative": "answer_second = 4 * 1.5 ** 3",
        "the value of the function": "answer_second = 1.5 ** 4",
        "one derivative too many": "answer_second = 24 * 1.5"},
        also_right=("answer_second = 12 * 1.5 ** 2",
                    "answer_second = torch.tensor(27.)")),
    "l09_accumulated": Exercise("lesson09_gradients_of_gradients.check_accumulated",
                                "answer_accumulated", "answer_accumulated = 13.0", {
        "replaces .grad": "answer_accumulated = 8.0",
        "adds nothing": "answer_accumulated = 5.0"},
        also_right=("answer_accumulated = (3 + 2) + (6 + 2)",)),
    "l09_second_derivative": Exercise(
        "lesson09_gradients_of_gradients.check_second_derivative", "second_derivative", _fn("""
def second_derivative(f, x):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), x)
    return h
"""), {
            "computed without create_graph=True": _fn("""
def second_derivative(f, x):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x).sum(), x)
    (h,) = torch.autograd.grad(g.sum(), x)
    return h
"""),
            "or detached afterwards": _fn("""
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
            "first derivative added into the second": _fn("""
def second_derivative(f, x):
    x.requires_grad_()
    f(x).sum().backward(create_graph=True)
    x.grad.sum().backward()
    return x.grad
"""),
            "This looks like: the first derivative.": _fn("""
def second_derivative(f, x):
    x = x.detach().requires_grad_()
    return torch.autograd.grad(f(x).sum(), x, create_graph=True)[0]
"""),
            "as if it were a scalar": _fn("""
def second_derivative(f, x):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x), x, create_graph=True)
    return torch.autograd.grad(g, x)[0]
""")},
        also_right=(_fn("""
def second_derivative(f, x):
    x = x.clone().requires_grad_(True)
    f(x).sum().backward(create_graph=True)
    first = x.grad
    x.grad = None
    first.sum().backward()
    return x.grad
"""), _fn("""
def second_derivative(f, x):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x), x, grad_outputs=torch.ones_like(x), create_graph=True)
    (h,) = torch.autograd.grad(g, x, grad_outputs=torch.ones_like(x))
    return h.detach()
"""), _fn("""
def second_derivative(f, x):
    return torch.func.vmap(torch.func.grad(torch.func.grad(f)))(x)
"""))),
    "l09_hvp": Exercise("lesson09_gradients_of_gradients.check_hvp", "hvp", _fn("""
def hvp(f, x, v):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x), x, create_graph=True)
    (hv,) = torch.autograd.grad((g * v).sum(), x)
    return hv
"""), {
        "computed without create_graph=True": _fn("""
def hvp(f, x, v):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x), x)
    return torch.autograd.grad(g @ v, x)[0]
"""),
        "first derivative added into the second": _fn("""
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
        "differentiated without v": _fn("""
def hvp(f, x, v):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x), x, create_graph=True)
    return torch.autograd.grad(g, x)[0] @ v
""")},
        also_right=(_fn("""
def hvp(f, x, v):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x), x, create_graph=True)
    return torch.autograd.grad(g, x, grad_outputs=v)[0]
"""), _fn("""
def hvp(f, x, v):
    x = x.detach().requires_grad_()
    f(x).backward(create_graph=True)
    g, x.grad = x.grad, None
    (g @ v).backward()
    return x.grad
"""), _fn("""
def hvp(f, x, v):
    return torch.autograd.functional.hvp(f, x, v)[1]
"""))),
    "l09_newton": Exercise("lesson09_gradients_of_gradients.check_newton_step", "newton_step",
                           _fn("""
def newton_step(f, x):
    x = x.detach().requires_grad_()
    (slope,) = torch.autograd.grad(f(x), x, create_graph=True)
    (curvature,) = torch.autograd.grad(slope, x)
    return (x - slope / curvature).detach()
"""), {
        "computed without create_graph=True": _fn("""
def newton_step(f, x):
    x = x.detach().requires_grad_()
    (slope,) = torch.autograd.grad(f(x), x)
    (curvature,) = torch.autograd.grad(slope, x)
    return x - slope / curvature
"""),
        "first derivative added into the second": _fn("""
def newton_step(f, x):
    x.requires_grad_()
    f(x).backward(create_graph=True)
    slope = x.grad.item()
    x.grad.backward()
    return x.item() - slope / x.grad.item()
"""),
        "turned into a Python number": _fn("""
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
        also_right=(_fn("""
def newton_step(f, x):
    x = x.clone().requires_grad_()
    f(x).backward(create_graph=True)
    slope = x.grad.clone()
    x.grad = None
    slope.backward()
    return x.item() - slope.item() / x.grad.item()
"""),)),
}
