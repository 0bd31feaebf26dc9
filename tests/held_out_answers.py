"""Wrong answers written as a learner would, without looking at graders/catalogue.py: a held-out
set, so the named share is not only measured on the answers the checks were fitted to.

(grade_id, answer cell source); written before the catalogue grew for issue 11. When a predict
exercise got new numbers (issue 14), its answers here moved with them, each keeping its mistake.
"""

HELD_OUT = (
    ("l01_flags", "answer_flags = [True, True, True, False]"),
    ("l01_leaves", "answer_leaves = (False, True, False, True)"),
    ("l01_weights", "w = torch.zeros(3, 2, requires_grad=True)"),
    ("l01_weights", "w = torch.zeros(2, 3).double().requires_grad_()"),
    ("l01_make_parameter", "def make_parameter(values):\n    return torch.FloatTensor(values)"),
    ("l01_make_parameter",
     "def make_parameter(values):\n    t = torch.tensor(values, requires_grad=True)\n    return t.float()"),
    ("l02_name", 'answer_name = "ExpBackward0"'),
    ("l02_next", 'answer_next = ["MulBackward0", None]'),
    ("l02_nodes", "answer_nodes = 9"),
    ("l02_count_nodes", """def count_nodes(t):
    counts, seen, todo = {}, set(), [t.grad_fn]
    while todo:
        node = todo.pop(0)
        if node in seen:
            continue
        seen.add(node)
        name = type(node).__name__
        counts[name] = counts.get(name, 0) + 1
        for child, _ in node.next_functions:
            todo.append(child)
    return counts"""),
    ("l02_count_nodes", """def count_nodes(t):
    counts, seen, todo = {}, set(), [t.grad_fn]
    while todo:
        node = todo.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        counts[node.name()] = counts.get(node.name(), 0) + 1
        todo.extend(n for n, _ in node.next_functions)
    return counts"""),
    ("l03_blitz", "answer_blitz = torch.full((2, 2), 12.0)"),
    ("l03_d2l", "answer_d2l = torch.tensor([0.0, -4.0, -8.0, -12.0])"),
    ("l03_cube", "answer_cube = torch.tensor([3.0, 12.0]).sum()"),
    ("l03_grad_of", """def grad_of(f, x):
    x.requires_grad_()
    f(x).backward()
    g = x.grad.clone()
    x.requires_grad_(False)
    return g"""),
    ("l03_grad_of", """def grad_of(f, x):
    x = x.detach().requires_grad_()
    y = f(x)
    y.backward()
    return y"""),
    ("l04_three", "answer_three = torch.tensor([6.0, 6.0, 6.0])"),
    ("l04_seed", "answer_seed = torch.full((2, 2), 4.0)"),
    ("l04_separate", """def separate_grads(w, losses):
    out = []
    for loss in losses:
        loss(w).backward()
        out.append(w.grad.clone())
        w.grad.zero_()
    return out"""),
    ("l04_separate", """def separate_grads(w, losses):
    out = []
    for loss in losses:
        w.grad.zero_()
        loss(w).backward()
        out.append(w.grad.clone())
    return out"""),
    ("l04_average", """def average_grad(w, batches, loss_fn):
    for batch in batches:
        loss_fn(w, batch).backward()
    return w.grad / len(batches[0])"""),
    ("l05_ones", "answer_ones = torch.tensor([6.0, -12.0, 3.0]).sum()"),
    ("l05_doubling", "answer_doubling = 512 * torch.tensor([1.0, 0.5, 2.0])"),
    ("l05_jacobian", """def jacobian(f, x):
    x = x.detach().requires_grad_()
    y = f(x)
    rows = []
    for i in range(len(y)):
        x.grad = None
        y.backward(torch.eye(len(y))[i])
        rows.append(x.grad.clone())
    return torch.stack(rows)"""),
    ("l05_vjp", """def vjp(f, x, v):
    x = x.detach().requires_grad_()
    y = f(x)
    y.backward(torch.ones_like(y))
    return x.grad * v"""),
    ("l06_flags", "answer_flags = (False, True, False, False)"),
    ("l06_sgd", """def sgd_step(w, lr):
    w.grad.zero_()
    with torch.no_grad():
        w -= lr * w.grad"""),
    ("l06_sgd", """def sgd_step(w, lr):
    with torch.no_grad():
        w = w - lr * w.grad
    return w"""),
    ("l07_positive", "answer_positive = 1024.0"),
    ("l07_my_abs", "def my_abs(x):\n    return x.abs().detach()"),
    ("l08_mse", "def mse(w, b, xs, ys):\n    return ((w * xs + b - ys) ** 2).mean().item()"),
    ("l08_mse", "def mse(w, b, xs, ys):\n    return ((w * xs - b - ys) ** 2).mean()"),
    ("l08_fit", """def fit_line(xs, ys, steps, lr):
    w = torch.zeros((), requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    for _ in range(steps):
        loss = ((w * xs + b - ys) ** 2).mean()
        loss.backward()
        w = w - lr * w.grad
        b = b - lr * b.grad
    return w, b"""),
    ("l08_fit", """def fit_line(xs, ys, steps, lr):
    w = torch.zeros((), requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    for _ in range(steps):
        with torch.no_grad():
            loss = ((w * xs + b - ys) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    return w, b"""),
    ("l08_first", "answer_first = 0.1 * float((ys * xs).mean())"),
    # -- lesson 11, written for issue 21 before its catalogue was read again --
    ("l11_power", """class Power(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, p):
        ctx.save_for_backward(x)
        ctx.p = p
        return x.pow(p)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ctx.p * x.pow(ctx.p - 1), torch.tensor(0.0)"""),
    ("l11_power", """class Power(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, p):
        ctx.save_for_backward(x)
        ctx.p = p
        return x ** p

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return ctx.p * x ** (ctx.p - 1) * torch.ones_like(x), None"""),
    ("l11_needs", "answer_needs = (True, True, True)"),
    ("l11_needs", "answer_needs = [False, False, True]"),
    ("l11_silu", """class SiLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x.detach())
        return grad * s * (1 + x.detach() * (1 - s))"""),
    ("l11_silu", """class SiLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * torch.sigmoid(x) + grad * x"""),
    ("l11_versions", "answer_versions = (6, 4)"),
    ("l11_per_example", """def per_example_grads(loss, w, X, Y):
    return torch.func.vmap(torch.func.grad(loss), in_dims=(0, 0, 0))(w, X, Y)"""),
    ("l11_per_example", """def per_example_grads(loss, w, X, Y):
    total = sum(loss(w, x, y) for x, y in zip(X, Y))
    return torch.func.grad(lambda w: sum(loss(w, x, y) for x, y in zip(X, Y)))(w)"""),
    ("l11_shapes", "answer_shapes = [[3, 2], [3, 3], [3, 2, 5]]"),
)

# the families issue 20 found unnamed or misnamed, each spelled as a learner would, with the
# mistake it must be named by: (grade_id, answer cell source, Diagnosis.mistake)
FAMILIES = (
    # rows of a Jacobian that alias one .grad tensor (named in l04, generic in l05 before)
    ("l05_jacobian", """def jacobian(f, x):
    x = x.clone().requires_grad_(True)
    out = f(x)
    J = []
    for k in range(out.shape[0]):
        if x.grad is not None:
            x.grad.data.zero_()
        out[k].backward(retain_graph=True)
        J.append(x.grad)
    return torch.stack(J)""",
     "the same .grad tensor appended every time"),
    # a Jacobian built by columns
    ("l05_jacobian", """def jacobian(f, x):
    x = x.detach().requires_grad_()
    y = f(x)
    cols = []
    for i in range(y.numel()):
        x.grad = None
        y[i].backward(retain_graph=True)
        cols.append(x.grad.clone())
    return torch.stack(cols, dim=1)""",
     "the Jacobian transposed"),
    # a vjp that differentiates the caller's x in place
    ("l05_vjp", """def vjp(f, x, v):
    x.requires_grad_(True)
    f(x).backward(v)
    return x.grad""",
     "differentiating the caller's tensor in place"),
    # an off-by-one loop
    ("l08_fit", """def fit_line(xs, ys, steps, lr):
    w = torch.tensor(0.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    for step in range(steps - 1):
        loss = ((w * xs + b - ys) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
    return w, b""",
     "one step too few"),
    # Newton on f instead of f'
    ("l09_newton", """def newton_step(f, x):
    x = x.detach().requires_grad_()
    y = f(x)
    (dy,) = torch.autograd.grad(y, x)
    return (x - y / dy).detach()""",
     "Newton on f instead of f'"),
    # every coordinate stepped at once
    ("l10_central", """def central_difference(f, x, h):
    d = (f(x + h) - f(x - h)) / (2 * h)
    return d * torch.ones_like(x)""",
     "every coordinate stepped at once"),
    # float32 inside the function
    ("l10_central", """def central_difference(f, x, h):
    x = x.float()
    out = torch.zeros_like(x)
    for i in range(len(x)):
        e = torch.zeros_like(x)
        e[i] = h
        out[i] = (f(x + e) - f(x - e)) / (2 * h)
    return out""",
     "differences computed in float32"),
    # a hard-coded step, no autograd at all
    ("l10_central", """def central_difference(f, x, h):
    eps = 1e-4
    g = torch.zeros_like(x)
    for i in range(len(x)):
        e = torch.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g""",
     "a step other than the h given"),
    # uninitialised memory as zeros
    ("l01_weights", "w = torch.empty(2, 3).requires_grad_()",
     "values other than the ones asked for"),
    # zero for negative inputs, written with where
    ("l07_my_abs", """def my_abs(x):
    return torch.where(x > 0, x, torch.zeros_like(x))""",
     "zero for negative x"),
    # rebinding w inside no_grad (was named by its symptom, a .grad that is None)
    ("l06_sgd", """def sgd_step(w, lr):
    with torch.no_grad():
        w = w - lr * w.grad
    w.grad.zero_()""",
     "`w = w - lr * w.grad` inside the function"),
    # the value where the gradient was asked for
    ("l03_grad_of", """def grad_of(f, x):
    return f(x)""",
     "the value of f, not its gradient"),
    ("l04_average", """def average_grad(w, batches, loss_fn):
    return sum(loss_fn(w, b) for b in batches) / len(batches)""",
     "a tensor that still requires grad"),
    ("l03_d2l", "answer_d2l = 2 * (torch.arange(4.0) ** 2).sum()",
     "y itself, not its gradient"),
    # f'' = 0 not handled
    ("l09_second_derivative", """def second_derivative(f, x):
    x = x.detach().requires_grad_()
    (d1,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
    (d2,) = torch.autograd.grad(d1.sum(), x)
    return d2""",
     "f'' = 0 not handled"),
)

HELD_OUT += tuple((grade_id, source) for grade_id, source, _ in FAMILIES)

# right answers written as a learner might, none of them in the catalogue: a Parameter, another
# dtype or layout, a number for a 0-d tensor, a list for a tensor, torch.func or
# torch.autograd.functional for a loop -- each must pass (issue 20, 6)
HELD_OUT_RIGHT = (
    ("l01_weights", "w = torch.nn.Parameter(torch.full((2, 3), 0.01))"),
    ("l01_weights", "w = torch.full((3, 2), 0.01).T.contiguous().requires_grad_()"),
    ("l01_weights", "w = (torch.ones(2, 3) / 100).requires_grad_(True)"),
    ("l02_nodes", "answer_nodes = torch.tensor(7)"),
    ("l03_blitz", "answer_blitz = [[6.0, 6.0], [6.0, 6.0]]"),
    ("l03_blitz", "answer_blitz = torch.full((2, 2), 6, dtype=torch.float64)"),
    ("l03_d2l", "answer_d2l = 4 * torch.arange(4.0)"),
    ("l03_cube", "answer_cube = torch.tensor([3, 12])"),
    ("l04_three", "answer_three = torch.tensor([6.0] * 4)"),
    ("l04_seed", "answer_seed = torch.ones(2, 2) * 5"),
    ("l05_broadcast", "answer_broadcast = torch.tensor([10.0, 26.0, 42.0]).reshape(3, 1)"),
    ("l05_broadcast", "answer_broadcast = torch.tensor([[10.0, 26.0, 42.0]]).T"),
    ("l06_memory", "answer_memory = torch.tensor(4.0)"),
    ("l06_memory", "answer_memory = 4"),
    ("l06_detach", "answer_detach = torch.tensor([3, 8, 15])"),
    ("l07_positive", "answer_positive = 2 ** 11"),
    ("l07_negative", "answer_negative = torch.tensor(6400.0)"),
    ("l09_second", "answer_second = 75"),
    ("l09_accumulated", "answer_accumulated = torch.tensor(13.0, dtype=torch.float64)"),
    ("l10_float32", "answer_float32 = 0"),
    ("l10_kink", "answer_kink = (torch.tensor(0.5), torch.tensor(0.0))"),
    ("l10_wrong", "answer_wrong = torch.tensor([-2.0, -0.5])"),
    ("l03_grad_of", """def grad_of(f, x):
    leaf = torch.nn.Parameter(x.clone())
    return torch.autograd.grad(f(leaf), leaf)[0]"""),
    ("l05_vjp", """def vjp(f, x, v):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x), x, grad_outputs=v)
    return g"""),
    ("l05_jacobian", """def jacobian(f, x):
    return torch.autograd.functional.jacobian(f, x)"""),
    ("l10_central", """def central_difference(f, x, h):
    x = x.to(torch.float64)
    out = []
    for i in range(x.numel()):
        e = torch.zeros_like(x)
        e[i] = h
        out.append(float(f(x + e) - f(x - e)) / (2 * h))
    return torch.tensor(out, dtype=torch.float64)"""),
    ("l06_sgd", """def sgd_step(w, lr):
    w.data -= lr * w.grad
    w.grad = None"""),
    ("l09_second_derivative", """def second_derivative(f, x):
    return torch.func.vmap(torch.func.grad(torch.func.grad(f)))(x.detach())"""),
)
