"""Wrong answers written as a learner would, without looking at graders/catalogue.py: a held-out
set, so the named share is not only measured on the answers the checks were fitted to.

(grade_id, answer cell source); written before the catalogue grew for issue 11. When a predict
exercise got new numbers (issue 14), its answers here moved with them, each keeping its mistake.
"""

HELD_OUT = (
    ("l01_flags", "answer_flags = [True, False, True, True, True, False]"),
    ("l01_weights", "w = torch.zeros(3, 2, requires_grad=True)"),
    ("l01_weights", "w = torch.zeros(2, 3).double().requires_grad_()"),
    ("l01_make_parameter", "def make_parameter(values):\n    return torch.FloatTensor(values)"),
    ("l01_make_parameter",
     "def make_parameter(values):\n    t = torch.tensor(values, requires_grad=True)\n    return t.float()"),
    ("l02_name", 'answer_name = "ExpBackward0"'),
    ("l02_next", 'answer_next = ["MulBackward0", None]'),
    ("l02_accumulators", "answer_accumulators = 3"),
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
    ("l04_three", "answer_three = torch.tensor([3.0, 3.0, 3.0])"),
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
    ("l06_flags", "answer_flags = (False, True, True, False, True)"),
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
    ("l11_versions", "answer_versions = (4, 3)"),
    ("l11_per_example", """def per_example_grads(loss, w, X, Y):
    return torch.func.vmap(torch.func.grad(loss), in_dims=(0, 0, 0))(w, X, Y)"""),
    ("l11_per_example", """def per_example_grads(loss, w, X, Y):
    total = sum(loss(w, x, y) for x, y in zip(X, Y))
    return torch.func.grad(lambda w: sum(loss(w, x, y) for x, y in zip(X, Y)))(w)"""),
    ("l11_shapes", "answer_shapes = [[3, 2], [3, 3], [3, 2, 5]]"),
)
