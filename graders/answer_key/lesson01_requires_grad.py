"""Lesson 01's answers: which tensors require grad, which are leaves, and making parameters."""

from graders.lesson01_requires_grad import HIDDEN_LISTS, VISIBLE_LISTS, as_lists
from graders.verdict import Diagnosis

from . import Build, Predict
from .judging import as_mistake, close, fail, observed, oracle, printed, returned, runs


def _which_require_grad(T):
    a = T.ones(3, requires_grad=True)
    b = T.zeros(3)
    c = a.round()
    d = (a > 0.5).float()
    e = b * 2 + a.sum()
    f = a.argmax() + b
    return [t.requires_grad for t in (c, d, e, f)]


STAYS = Diagnosis(
    "requires_grad stays on the tensors you marked", "It spreads: a floating-point result of an "
    "op with at least one input that requires grad requires grad too, so that backward can reach "
    "that input.")
EVERY_INPUT = Diagnosis(
    "an op needs every input to require grad", "One input that requires grad is enough for an "
    "op's floating-point result to require grad, whatever the other inputs are.")
PASSED_ON = Diagnosis(
    "integer and boolean results pass requires_grad on", "A comparison's bool and argmax's "
    "index cannot require grad, so an op that takes them as its only inputs from a has nothing "
    "to pass on: ask, for each op, whether one of *its own* inputs requires grad.")
ZERO_GRADIENT = Diagnosis(
    "a zero gradient means no requires_grad", "requires_grad asks whether the op was recorded, "
    "not whether its gradient is non-zero: a float result of an op on a tensor that requires "
    "grad is recorded, whatever its derivative turns out to be.")

FLAGS = Predict(
    "requires_grad of c, d, e, f, the four together", _which_require_grad,
    "c and e are float results of ops with an input that requires grad; d and f come from a "
    "bool and an index, which carry no request.", (
        as_mistake(STAYS, lambda T: [False, False, False, False]),
        as_mistake(EVERY_INPUT, lambda T: [True, False, False, False]),
        as_mistake(PASSED_ON, lambda T: [True, True, True, True]),
        as_mistake(ZERO_GRADIENT, lambda T: [False, False, True, False])),
    analyser=None, parts=(ZERO_GRADIENT, PASSED_ON, EVERY_INPUT, PASSED_ON))


def _is_leaf(T):
    x = T.ones(2, requires_grad=True)
    y = x[0]
    z = T.ones(2)
    w = (x > 0).float()
    v = w * x
    return [t.is_leaf for t in (y, z, w, v)]


EVERY_RESULT = Diagnosis(
    "every result of an op is a non-leaf", "Only results that are recorded get a grad_fn, and an "
    "op is recorded only when one of its inputs requires grad: every tensor with "
    "requires_grad=False is a leaf.")
NOT_ASKED = Diagnosis(
    "a tensor without requires_grad is not a leaf", "By convention every tensor with "
    "requires_grad=False is a leaf: is_leaf means 'grad_fn is None'.")
INDEXING = Diagnosis(
    "indexing is not an operation", "x[0] is an op like any other: its result is recorded when "
    "x requires grad (SelectBackward0), so it has a grad_fn and is no leaf.")
RECORDED = Diagnosis(
    "a recorded result taken for a leaf", "A result computed from a tensor that requires grad is "
    "recorded: it has a grad_fn, so it is no leaf.")

LEAVES = Predict(
    "is_leaf of y, z, w, v, the four together", _is_leaf,
    "y and v were recorded, each from an op with x among its inputs; z and w have no grad_fn.", (
        as_mistake(EVERY_RESULT, lambda T: [False, True, False, False]),
        as_mistake(NOT_ASKED, lambda T: [False, False, False, False]),
        as_mistake(INDEXING, lambda T: [True, True, True, False])),
    analyser=None, parts=(INDEXING, NOT_ASKED, EVERY_RESULT, RECORDED))


def parameter_problem(tensor, what):
    """Wrong if the observed tensor is not a float32 leaf of torch that requires grad."""
    if tensor is None:
        fail(f"{what} is not a tensor.", Diagnosis(
            "a value that is not a tensor", "Make it with torch.tensor(...) (or torch.zeros, "
            "torch.full), so that it can require grad."))
    if tensor["engine"] != "torch":
        fail(f"{what} is an autograd_core tensor.", Diagnosis(
            "a tensor of the wrong engine", "This lesson runs on real torch: use torch.tensor."))
    dtype = tensor["dtype"].removeprefix("torch.")
    if dtype != "float32":
        fail(f"{what} has dtype {tensor['dtype']}.", Diagnosis(
            f"a {dtype} tensor, not float32", "Parameters are float32: pass dtype=torch.float32 "
            "(a numpy array or torch.float64 keeps 64 bits; integers cannot require grad at "
            "all)."))
    if not tensor["requires_grad"]:
        fail(f"{what} does not require grad.", Diagnosis(
            "a tensor that does not require grad",
            "Create it with requires_grad=True, or call .requires_grad_() on it."))
    if not tensor["is_leaf"]:
        fail(f"{what} was made by an op (grad_fn={tensor['grad_fn']}).", Diagnosis(
            "a result of an op, not a leaf",
            "backward never fills .grad of a tensor made by an op. Create it with "
            "requires_grad=True, or call .requires_grad_() on the finished tensor, instead of "
            "computing it (* 1.0, .float(), .to()) after requires_grad=True."))


def _judge_weights(collected, hidden):
    value, tensor = observed(collected)
    parameter_problem(tensor, "w")
    if tensor["shape"] != [2, 3]:
        fail(f"w has shape {tensor['shape']}, not [2, 3].", Diagnosis(
            "a shape other than the one asked for", "The sizes come in order, rows first: "
            "torch.full((2, 3), ...) has 2 rows of 3."))
    if not close(value, [[0.01] * 3] * 2):
        fail(f"w holds {printed(value)}, not 0.01 everywhere.", Diagnosis(
            "values other than the ones asked for", "torch.full((2, 3), 0.01) fills a tensor "
            "with one value; torch.empty leaves whatever was in memory."))


def _judge_make_parameter(collected, hidden):
    cases = HIDDEN_LISTS if hidden else VISIBLE_LISTS
    for frozen, run in zip(cases, runs(collected, len(cases))):
        values = as_lists(frozen)
        what = f"make_parameter({values})"
        got, tensor = returned(run.get("call"), what)
        parameter_problem(tensor, what)
        if not close(got, oracle(lambda T, v=values: T.tensor(v, dtype=T.float32))):
            fail(f"{what} holds {printed(got)}, not the numbers it was given.")
        if observed(run.get("values_after"))[0] != values:
            fail(f"{what} changed the list it was given.", Diagnosis(
                "the caller's list changed", "Read the list, never write into it: the caller "
                "may use it again."))


KEY = {
    "l01_flags": FLAGS,
    "l01_leaves": LEAVES,
    "l01_weights": Build(_judge_weights, "w is a trainable leaf: float32, requires grad, no "
                                         "grad_fn."),
    "l01_make_parameter": Build(_judge_make_parameter, "make_parameter turns any list of numbers "
                                                       "into a trainable leaf."),
}
