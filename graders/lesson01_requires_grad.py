"""Checks for lesson 01: tensors, leaves and requires_grad."""


from .checking import (
    Diagnosis,
    Mistake,
    attributes,
    call_student,
    check,
    check_value,
    fail,
    oracle,
    read,
    seal,
    verdict,
)


def _which_require_grad(T):
    a = T.ones(3, requires_grad=True)
    b = a * 2
    c = T.ones(3)
    d = c * a
    e = c + 1
    return [t.requires_grad for t in (a, b, c, d, e)]


WHICH_MISTAKES = (
    Mistake("requires_grad stays on the tensors you marked",
            "It spreads: any op with at least one input that requires grad gives a result that "
            "requires grad (b and d here), so that backward can reach a.",
            lambda T: [True, False, False, False, False]),
    Mistake("an op needs every input to require grad",
            "One is enough: d = c * a requires grad because a does, even though c does not.",
            lambda T: [True, True, False, False, False]),
    Mistake("tensors require grad by default", "torch.ones, torch.zeros and torch.tensor make "
            "tensors that need no gradient unless you pass requires_grad=True: c does not, and "
            "so neither does e = c + 1.", lambda T: [True] * 5),
)


@check
def check_which_require_grad(answer):
    """answer: requires_grad of (a, b, c, d, e), five booleans."""
    check_value(answer, "requires_grad of a, b, c, d, e", _which_require_grad, WHICH_MISTAKES)
    return "requires_grad spreads from a to everything computed from it."


def _is_leaf(T):
    x = T.ones(2, requires_grad=True)
    y = x * 2
    z = T.ones(2)
    w = z * 2
    return [t.is_leaf for t in (x, y, z, w)]


LEAF_MISTAKES = (
    Mistake("every result of an op is a non-leaf",
            "Only results that require grad get a grad_fn. w = z * 2 records nothing (z needs no "
            "gradient), so w is a leaf, like every tensor with requires_grad=False.",
            lambda T: [True, False, True, False]),
    Mistake("a tensor without requires_grad is not a leaf",
            "By convention every tensor with requires_grad=False is a leaf: is_leaf means "
            "'grad_fn is None'.",
            lambda T: [True, False, False, False]),
    Mistake("a tensor that requires grad is not a leaf", "x was made by you, not by an op: it is "
            "a leaf, the kind of tensor whose .grad backward fills.",
            lambda T: [False, False, True, True]),
)


@check
def check_is_leaf(answer):
    """answer: is_leaf of (x, y, z, w), four booleans."""
    check_value(answer, "is_leaf of x, y, z, w", _is_leaf, LEAF_MISTAKES)
    return "a leaf is a tensor with no grad_fn."


def _parameter_problem(t, values):
    """What is wrong with t as a float32 leaf that requires grad and holds values, as
    (what is wrong, Diagnosis), or None."""
    a = attributes(t)
    if a["engine"] != "torch":
        return "it is an autograd_core tensor", Diagnosis(
            "a tensor of the wrong engine", "This lesson runs on real torch: use torch.tensor.")
    if a["dtype"] != "torch.float32":
        return f"its dtype is {a['dtype']}", Diagnosis(
            f"a {a['dtype'].removeprefix('torch.')} tensor, not float32",
            "Parameters are float32: pass dtype=torch.float32 (a numpy array or "
            "torch.float64 keeps 64 bits; integers cannot require grad at all).")
    if not a["requires_grad"]:
        return "it does not require grad", Diagnosis(
            "a tensor that does not require grad",
            "Create it with requires_grad=True, or call .requires_grad_() on it.")
    if not a["is_leaf"]:
        return (f"it was made by an op (grad_fn={a['grad_fn']})", Diagnosis(
            "a result of an op, not a leaf",
            "backward never fills .grad of a tensor made by an op. Create it with "
            "requires_grad=True, or call .requires_grad_() on the finished tensor, "
            "instead of computing it (* 1.0, .float(), .to()) after requires_grad=True."))
    verdict("the values of the tensor", read(t),
            oracle(lambda T: T.tensor(values, dtype=T.float32)))
    return None


@check
def check_weights(w):
    """w: a 2x3 float32 leaf of zeros that requires grad."""
    problem = _parameter_problem(w, [[0.0] * 3] * 2)
    if problem:
        fail(f"w should be a 2x3 float32 leaf of zeros that requires grad, but {problem[0]}.",
             problem[1])
    return "w is a leaf of zeros that requires grad: ready for training."


VISIBLE_LISTS = (((1, 2), (3, 4)), (0.5, -1.0, 2.0), ((7,),))
HIDDEN_LISTS = VISIBLE_LISTS + ((0, 0, 0), ((1.5, -2), (0, 3), (4, 5)), (-3,))


def _as_lists(values):
    return [_as_lists(v) for v in values] if type(values) is tuple else values


@check
def check_make_parameter(make_parameter, hidden=False):
    """make_parameter(values): a float32 leaf requiring grad, from a (nested) list of numbers."""
    for frozen in HIDDEN_LISTS if hidden else VISIBLE_LISTS:
        values = _as_lists(frozen)  # a fresh list each call: what the student does to it stays there
        t = call_student(make_parameter, values)
        problem = _parameter_problem(t, _as_lists(frozen))
        if problem:
            fail(f"make_parameter({values}) returned a tensor, but {problem[0]}.", problem[1])
    return "make_parameter turns any list of numbers into a trainable leaf."


seal(globals())
