"""Lesson 01's checks: tensors, leaves and requires_grad.

What each check takes from the student's work; the answers are in graders/answer_key/.
"""

from .checks import function_check, value_check
from .evidence import call, observe


@value_check("l01_flags", 1, "answer_flags")
def check_which_require_grad(answer):
    """answer: requires_grad of (c, d, e, f), four booleans."""


@value_check("l01_leaves", 2, "answer_leaves")
def check_is_leaf(answer):
    """answer: is_leaf of (y, z, w, v), four booleans."""


@value_check("l01_weights", 3, "w")
def check_weights(w):
    """w: a 2x3 float32 leaf that requires grad, 0.01 everywhere."""


VISIBLE_LISTS = (((1, 2), (3, 4)), (0.5, -1.0, 2.0))
HIDDEN_LISTS = ((0, 0, 0), ((1.5, -2), (0, 3), (4, 5)), (-3,), ((7,),), (((1, 2), (3, 4)),))


def as_lists(values):
    """A fresh (nested) list of the tuple's numbers: each call gets its own."""
    return [as_lists(v) for v in values] if type(values) is tuple else values


@function_check("l01_make_parameter", 4, "make_parameter")
def check_make_parameter(make_parameter, hidden=False):
    """make_parameter(values): a float32 leaf requiring grad, from a (nested) list of numbers."""
    runs = []
    for frozen in HIDDEN_LISTS if hidden else VISIBLE_LISTS:
        values = as_lists(frozen)
        run = call(make_parameter, values)
        runs.append({"call": run.data, "values_after": observe(values)})
    return runs
