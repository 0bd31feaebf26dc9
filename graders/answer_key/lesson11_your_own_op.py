"""Lesson 11's answers: your own op, needs_input_grad, a backward differentiable twice, versions,
per-example gradients, and the shapes torch.func gives."""

import re

import numpy as np

from graders.lesson11_your_own_op import per_example_cases, power_cases, silu_cases
from graders.verdict import Diagnosis

from . import Build, Predict
from .judging import (
    Mistake,
    analyse,
    analyse_form,
    as_mistake,
    close,
    expect,
    fail,
    observed,
    oracle,
    returned,
    runs,
)

# -- what a Function's backward can get wrong, in torch's words ----------------------------------
WRONG_COUNT = Diagnosis(
    "one gradient too few for forward's inputs", "backward returns one value per input of forward, "
    "in order: for Power, one for x and one for p. p is a Python number, not a tensor: its entry "
    "is None.")
FOR_A_NUMBER = Diagnosis(
    "a gradient for the number p", "p is a Python number, not a tensor: autograd has nowhere to "
    "send a gradient for it and refuses one. Return None in its place.")
NOT_A_TENSOR = Diagnosis(
    "a gradient that is not a tensor", "backward returns tensors (or None): compute the gradient "
    "with torch operations on what forward saved, not with Python numbers or numpy arrays.")
WRONG_SHAPE = Diagnosis(
    "a gradient of the wrong shape", "The gradient for an input has that input's shape: grad, "
    "dL/d(output), has the output's shape, and an op that works element by element multiplies "
    "it element by element.")
BACKWARD_ERRORS = (
    ("returned an incorrect number of gradients", WRONG_COUNT),
    ("returned a gradient different than None", FOR_A_NUMBER),
    ("expected Variable or None", NOT_A_TENSOR),
    ("returned an invalid gradient", WRONG_SHAPE),
)
NO_INCOMING = ("the incoming gradient left out",
               "backward gets grad = dL/d(output) and returns dL/d(input): the local derivative "
               "times grad (lesson 05's vector-Jacobian product). Without the factor grad, the "
               "op is cut off from what comes after it in the graph.")


def _function(T, value, slope, keep=None):
    """A Function of engine T: forward(ctx, x, *numbers) = value(x, *numbers), saving x, the
    output and (if keep) keep(x) computed in forward; backward returns slope(grad, x, y, kept,
    *numbers) for x and None for each number."""

    class Op(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, *numbers):
            y = value(x, *numbers)
            ctx.save_for_backward(x, y, None if keep is None else keep(x))
            ctx.numbers = numbers
            return y

        @staticmethod
        def backward(ctx, grad):
            x, y, kept = ctx.saved_tensors
            return (slope(grad, x, y, kept, *ctx.numbers),) + (None,) * len(ctx.numbers)

    return Op


def _tensor_returned(run, step, what):
    """The check went on to `step` only with a tensor in hand."""
    if step not in run:
        fail(f"{what} did not give a tensor: apply returns what forward returns, and backward "
             "returns tensors (or None).")


# -- exercise 1: Power --------------------------------------------------------------------------
POWER_SLOPES = {  # the gradient for x, as each (mis)understanding writes it
    "right": lambda g, x, y, _, p: g * p * x ** (p - 1),
    "no incoming": lambda g, x, y, _, p: p * x ** (p - 1),
    "not lowered": lambda g, x, y, _, p: g * p * x ** p,
    "from the output": lambda g, x, y, _, p: g * p * y / x,
    "none": lambda g, x, y, _, p: None,
}


def _power(T, values, p, v=None, slope="right"):
    """Power.apply(x, p); with v, x.grad after backpropagating v through it."""
    op = _function(T, lambda x, p: x ** p, POWER_SLOPES[slope])
    x = T.tensor(values, requires_grad=True)
    y = op.apply(x, p)
    if v is None:
        return y
    y.backward(T.tensor(v))
    return x.grad


POWER_MISTAKES = (
    Mistake(*NO_INCOMING, lambda T, x, p, v: _power(T, x, p, v, "no incoming")),
    Mistake("the exponent not lowered", "The derivative of x ** p is p * x ** (p - 1): the "
            "power drops by one.", lambda T, x, p, v: _power(T, x, p, v, "not lowered")),
    Mistake("the derivative from the output, p y / x", "p * y / x equals p * x ** (p - 1) "
            "except where x = 0, where it is 0 / 0 = nan: compute the slope from the saved x.",
            lambda T, x, p, v: _power(T, x, p, v, "from the output")),
    Mistake("None for x, which needs a gradient", "None tells autograd that an input gets no "
            "gradient: right for p, wrong for x, which requires grad.",
            lambda T, x, p, v: _power(T, x, p, v, "none")),
)


def _judge_power(collected, hidden):
    cases = power_cases(hidden)
    for (values, p, v), run in zip(cases, runs(collected, len(cases))):
        what = f"Power.apply(x, {p:g})"
        shown = [("x", values.tolist()), ("p", p)]
        got, _ = returned(run.get("call"), what, BACKWARD_ERRORS)
        expect(got, oracle(_power, values, p), what, shown, hidden=hidden)
        _tensor_returned(run, "backward", what)
        returned(run.get("backward"), f"{what}.backward(v)", BACKWARD_ERRORS)
        grad, _ = observed(run.get("grad"))
        expect(grad, oracle(_power, values, p, v), f"x.grad after {what}"
               ".backward(v)", shown + [("v", v.tolist())], POWER_MISTAKES, args=(values, p, v),
               hidden=hidden)


# -- exercise 2: needs_input_grad ------------------------------------------------------------------
def _needs(T):
    printed = []

    class Scale(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, w, s):
            return x * w * s

        @staticmethod
        def backward(ctx, grad):
            printed.append(list(ctx.needs_input_grad))
            return None, None, None

    a = T.ones(2, requires_grad=True)
    with T.no_grad():
        x = a * 2
    b = a + 1
    s = a.detach()
    Scale.apply(x, b, s).sum().backward()
    return printed[0]


UNDER_NO_GRAD = Diagnosis(
    "a result made under no_grad still requires grad", "Inside torch.no_grad() nothing is recorded "
    "(lesson 06): what is computed there comes out with requires_grad=False, whatever its inputs. "
    "needs_input_grad follows each input's requires_grad.")
NON_LEAF = Diagnosis(
    "only leaves need a gradient", "A tensor computed from a leaf that requires grad requires grad "
    "too (lesson 01), leaf or not: the gradient reaches the leaf through it.")
DETACHED = Diagnosis(
    "detach() keeps requires_grad", "detach() (lesson 06) returns the same values cut from the "
    "graph, with requires_grad=False: no gradient can reach a leaf through it.")

NEEDS = Predict(
    "what backward prints for ctx.needs_input_grad", _needs,
    "one flag per input of forward: x was computed under no_grad and s is detached, so neither "
    "requires grad; b = a + 1 does, leaf or not.", (
        Mistake(UNDER_NO_GRAD.mistake, UNDER_NO_GRAD.hint, lambda T: [True, True, False]),
        Mistake(NON_LEAF.mistake, NON_LEAF.hint, lambda T: [False, False, False]),
        Mistake(DETACHED.mistake, DETACHED.hint, lambda T: [False, True, True])),
    analyser=analyse_form, parts=(UNDER_NO_GRAD, NON_LEAF, DETACHED))


# -- exercise 3: SiLU ------------------------------------------------------------------------------
SILU_SLOPES = {  # the gradient for x, as each (mis)understanding writes it
    "right": lambda g, x, y, s: g * x.sigmoid() * (1 + x * (1 - x.sigmoid())),
    "no product rule": lambda g, x, y, s: g * x.sigmoid(),
    "sigmoid's derivative": lambda g, x, y, s: g * x.sigmoid() * (1 - x.sigmoid()),
    "no incoming": lambda g, x, y, s: x.sigmoid() * (1 + x * (1 - x.sigmoid())),
    "forward's sigmoid": lambda g, x, y, s: g * s * (1 + x * (1 - s)),
}


def _silu(T, values, v, u=None, slope="right"):
    """SiLU(x); its gradient weighted by v (recorded); the gradient of that weighted by u."""
    op = _function(T, lambda x: x * x.sigmoid(), SILU_SLOPES[slope],
                   keep=(lambda x: x.sigmoid()) if slope == "forward's sigmoid" else None)
    x = T.tensor(values, requires_grad=True)
    y = op.apply(x)
    if v is None:
        return y
    (g,) = T.autograd.grad(y, x, T.tensor(v), create_graph=True)
    if u is None:
        return g
    return T.autograd.grad(g, x, T.tensor(u))[0]


OUTSIDE = Diagnosis(
    "a backward that steps outside autograd", "The first gradient came out with no graph behind "
    "it: backward used something autograd cannot see -- .detach(), .item(), numpy, or "
    "@once_differentiable. With create_graph=True (lesson 09) autograd records the torch "
    "operations of your backward: write it with those, on the saved x, so gradgradcheck passes.")
SILU_FIRST = (
    Mistake("the product rule left out", "y = x * sigmoid(x) is a product: its derivative has a "
            "term for each factor, sigmoid(x) + x * sigmoid'(x).",
            lambda T, x, v: _silu(T, x, v, slope="no product rule")),
    Mistake("sigmoid's derivative, not SiLU's", "sigmoid(x) * (1 - sigmoid(x)) is the derivative "
            "of sigmoid alone; SiLU multiplies sigmoid by x, so the product rule applies.",
            lambda T, x, v: _silu(T, x, v, slope="sigmoid's derivative")),
    Mistake(*NO_INCOMING, lambda T, x, v: _silu(T, x, v, slope="no incoming")),
)
SILU_SECOND = (
    Mistake("sigmoid(x) a constant to the second derivative", "With create_graph=True autograd "
            "records what backward computes from the saved x -- but not sigmoid(x) detached "
            "there, nor one computed in forward (which records nothing) and saved: to a second "
            "derivative those are constants. Compute sigmoid(x) in backward, from the saved x.",
            lambda T, x, v, u: _silu(T, x, v, u, slope="forward's sigmoid")),
)


def _judge_silu(collected, hidden):
    cases = silu_cases(hidden)
    for (values, v, u), run in zip(cases, runs(collected, len(cases))):
        shown = [("x", values.tolist())]
        got, _ = returned(run.get("call"), "SiLU.apply(x)", BACKWARD_ERRORS)
        expect(got, oracle(_silu, values, None), "SiLU.apply(x)", shown, hidden=hidden)
        _tensor_returned(run, "first", "SiLU.apply(x)")
        what = "the gradient of SiLU.apply(x), weighted by v, with create_graph=True"
        shown += [("v", v.tolist())]
        got, facts = returned(run.get("first"), what, BACKWARD_ERRORS)
        expect(got, oracle(_silu, values, v), what, shown, SILU_FIRST, args=(values, v),
               hidden=hidden)
        if facts is not None and not facts["requires_grad"]:
            fail(f"{what} has no grad_fn: it cannot be differentiated again.", OUTSIDE)
        _tensor_returned(run, "second", what)
        what = "the gradient of that gradient, weighted by u"
        got, _ = returned(run.get("second"), what, (("does not require grad", OUTSIDE),
                                                    ("not have been used in the graph", OUTSIDE),
                                                    ("differentiate twice", OUTSIDE)))
        expect(got, oracle(_silu, values, v, u), what, shown + [("u", u.tolist())], SILU_SECOND,
               args=(values, v, u), hidden=hidden)


# -- exercise 4: versions --------------------------------------------------------------------------
def _versions(T):
    x = T.tensor([0.5, 1.5], requires_grad=True)
    a = x * 1
    a.neg_()
    a[0] = 0.0
    y = a.exp_()
    a.abs_()
    a[1] = 0.0
    a.sqrt_()
    try:
        y.sum().backward()
    except RuntimeError as error:
        found = re.search(r"is at version (\d+); expected version (\d+)", str(error))
        return [int(found[1]), int(found[2])]
    return None


VERSIONS = Predict(
    "the two versions the error names", _versions,
    "a = x * 1 is a new tensor at version 0; neg_ makes it 1, a[0] = 0.0 2, exp_ 3 -- and "
    "ExpBackward0 saves its output, a itself, at that version --, abs_ makes it 4, a[1] = 0.0 5 "
    "and sqrt_ 6.", (
        Mistake("an in-place op's own write not counted", "exp_() writes its result into a: that "
                "write bumps a's version too, and the version ExpBackward0 notes for what it "
                "saved is a's version right after it.", lambda T: [5, 2]),
        Mistake("versions counted from the save", "a._version counts every write into a's memory "
                "since a was made, not since an op saved it.", lambda T: [3, 0]),
        Mistake("every op bumps the version", "Only a write into a tensor's memory bumps its "
                "version: in-place ops and index assignments. a = x * 1 makes a new tensor, at "
                "version 0.", lambda T: [7, 4]),
        Mistake("an index assignment not counted", "a[0] = 0.0 and a[1] = 0.0 write into a's "
                "memory as an in-place op does (section 3): each bumps a's version too.",
                lambda T: [4, 2]),
        Mistake("the two versions in the other order", "The error names first the version the "
                "tensor is at when backward reads it, then the one noted when it was saved: writes "
                "after the save make the first the larger.", lambda T: _versions(T)[::-1])),
    analyser=analyse_form)


# -- exercise 5: per_example_grads -----------------------------------------------------------------
def _per_example(T, loss, w, X, Y, kind="right"):
    F = T.func
    w, X, Y = T.tensor(w), T.tensor(X), T.tensor(Y)
    if kind == "batch":
        return F.grad(lambda w: F.vmap(loss, in_dims=(None, 0, 0))(w, X, Y).sum())(w)
    if kind == "example":
        return F.vmap(F.grad(loss, argnums=1), in_dims=(None, 0, 0))(w, X, Y)
    rows = F.vmap(F.grad(loss), in_dims=(None, 0, 0))(w, X, Y)
    return {"right": rows, "mean": rows / len(X), "accumulated": rows.cumsum(0)}[kind]


ONE_ROW = Diagnosis(
    "one gradient for the whole batch", "The gradient of the batch's loss, its sum or its mean, "
    "folds the per-example gradients into one row, where the function returns one row per "
    "example -- grad(loss) for each example, mapped over the rows with vmap.")
PER_EXAMPLE_MISTAKES = (
    as_mistake(ONE_ROW, lambda T, f, w, X, Y: _per_example(T, f, w, X, Y, "batch")),
    Mistake("the gradient with respect to the example, not w", "grad differentiates with "
            "respect to the argument argnums names (0 by default): loss(w, x, y) has w first.",
            lambda T, f, w, X, Y: _per_example(T, f, w, X, Y, "example")),
    Mistake("the batch mean's 1/N in each row", "Each row is the gradient of one example's own "
            "loss, loss(w, X[i], Y[i]): no averaging over the batch.",
            lambda T, f, w, X, Y: _per_example(T, f, w, X, Y, "mean")),
    Mistake("each example's gradient added to the ones before it", "backward() adds into w.grad "
            "(lesson 04): reading it after each example gives running sums. torch.func.grad (or "
            "torch.autograd.grad) returns each gradient on its own and leaves w.grad alone.",
            lambda T, f, w, X, Y: _per_example(T, f, w, X, Y, "accumulated")),
)
MAPPED_W = Diagnosis(
    "w mapped over like the data", "in_dims says, input by input, which dimension vmap maps over: "
    "w is shared by every example (None), X and Y are mapped over their rows (0).")
VECTOR_LOSS = Diagnosis(
    "grad of a vector of losses", "torch.func.grad differentiates a function with one number out; "
    "loss on the whole batch gives one loss per example. Map grad(loss) over the examples with "
    "vmap.")
CALLER = Diagnosis(
    "the caller's w changed", "The function changed the tensors it was given (requires_grad_(), "
    "a .grad left behind, an in-place write): a caller's w must come back as it went in. "
    "torch.func.grad needs no requires_grad at all; with autograd, work on w.detach()"
    ".requires_grad_().")
CARRIED = Diagnosis(
    "a result that changes from call to call", "The second call returned another result than the "
    "first: something the first call left behind -- a .grad that accumulates -- went into it.")


def _one_row(got, expected):
    """A single row of w's shape, however it was summed up, is the batch's gradient."""
    try:
        rows, row = np.shape(expected), np.shape(got)
    except ValueError:  # a ragged answer: not one row
        rows = row = None
    if rows is not None and len(rows) == 2 and row == rows[1:]:
        return ONE_ROW
    return analyse(got, expected, detail=True)


def _judge_per_example(collected, hidden):
    cases = per_example_cases(hidden)
    for ((name, loss), w, X, Y), run in zip(cases, runs(collected, len(cases))):
        what = f"per_example_grads({name} loss, w, X, Y)"
        shown = [("w", w.tolist()), ("X", X.tolist()), ("Y", Y.tolist())]
        errors = (("the same size in the mapped dimension", MAPPED_W),
                  ("to return a scalar Tensor", VECTOR_LOSS))
        got, _ = returned(run.get("call"), what, errors)
        expect(got, oracle(_per_example, loss, w, X, Y), what, shown, PER_EXAMPLE_MISTAKES,
               args=(loss, w, X, Y), hidden=hidden, analyser=_one_row)
        again, _ = returned(run.get("again"), f"{what}, called a second time", errors)
        if not close(again, got):
            fail(f"{what} gave another result when called a second time.", CARRIED)
        caller = run.get("caller")
        if not isinstance(caller, dict):
            fail(f"{what}: the check could not read the caller's tensors afterwards.")
        for key, original in zip("wXY", (w, X, Y)):
            value, facts = observed(caller.get(key))
            if not close(value, original.tolist()) or (
                    facts is not None and (facts["requires_grad"] or facts["grad"] is not None)):
                fail(f"after {what}, the caller's {key} is not as it was.", CALLER)


# -- exercise 6: shapes ----------------------------------------------------------------------------
def _shapes(T):
    F = T.func
    x, X = T.ones(3), T.ones(5, 3)

    def f(t):
        return t[:2] * t.sum()

    A = F.jacrev(f)(x)
    B = F.hessian(lambda t: (t ** 3).sum())(x)
    C = F.vmap(F.jacrev(f))(X)
    return [list(A.shape), list(B.shape), list(C.shape)]


JACOBIAN_FIRST = Diagnosis(
    "the Jacobian's input dimensions first", "jacrev(f)(x) has one row per element of f's output: "
    "its shape is the output's shape followed by the input's.")
HESSIAN_SHAPE = Diagnosis(
    "a Hessian the shape of a gradient", "hessian(f) is the Jacobian of grad(f): each entry of the "
    "gradient differentiated by each entry of the input.")
BATCHED_JACOBIAN = Diagnosis(
    "a vmapped Jacobian's dimensions out of order", "vmap stacks the results along out_dims, 0 "
    "by default: the batch comes first, then each result's own shape -- here a Jacobian's, the "
    "output's shape followed by the input's.")

SHAPES = Predict(
    "the shapes of A, B and C", _shapes,
    "a Jacobian is output's shape + input's shape; a Hessian is the Jacobian of the gradient, "
    "input's shape twice; vmap puts the batch dimension first (out_dims=0).", (
        Mistake(JACOBIAN_FIRST.mistake, JACOBIAN_FIRST.hint,
                lambda T: [[3, 2], [3, 3], [5, 3, 2]]),
        Mistake("vmap puts the batch last", "vmap stacks the results along out_dims, 0 by "
                "default: the batch comes first.", lambda T: [[2, 3], [3, 3], [2, 3, 5]]),
        Mistake(HESSIAN_SHAPE.mistake, HESSIAN_SHAPE.hint, lambda T: [[2, 3], [3], [5, 2, 3]])),
    analyser=analyse_form, parts=(JACOBIAN_FIRST, HESSIAN_SHAPE, BATCHED_JACOBIAN))


KEY = {
    "l11_power": Build(_judge_power, "one gradient per input of forward: the slope times the "
                                     "incoming gradient for x, None for the number p."),
    "l11_needs": NEEDS,
    "l11_silu": Build(_judge_silu, "a backward written in torch operations on the saved x is "
                                   "itself differentiable: second derivatives work."),
    "l11_versions": VERSIONS,
    "l11_per_example": Build(_judge_per_example, "vmap(grad(loss), in_dims=(None, 0, 0)): one "
                                                 "gradient per example, w shared."),
    "l11_shapes": SHAPES,
}

