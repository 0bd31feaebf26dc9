"""Lesson 02's checks: grad_fn, next_functions and the graph behind a result.

What each check takes from the student's work; the answers are in graders/answer_key/.
"""

import torch

from .checks import function_check, value_check
from .evidence import call, inputs


@value_check("l02_name", 1, "answer_name")
def check_last_grad_fn(answer):
    """answer: the class name of y.grad_fn for y = 2 * (x - 1).exp().sum(), as a string."""


@value_check("l02_next", 2, "answer_next")
def check_next_names(answer):
    """answer: the class names in z.grad_fn.next_functions for z = b - x * w, in order."""


@value_check("l02_nodes", 3, "answer_nodes")
def check_node_count(answer):
    """answer: how many nodes the graph of (x * w + x * c + w).sum() has, AccumulateGrad included."""


def graphs(seed):
    """(what it computes, how engine T builds it) of small graphs with shared nodes and inputs
    that need no grad."""
    a, b = inputs(seed, (3,), (3,))

    def leaf(T, values, requires_grad=True):
        return T.tensor(values).requires_grad_(requires_grad)

    def shared(T):
        x = leaf(T, a)
        y = x * 2
        return (y * y + x).sum()

    return [
        ("(x * b).sum(), b needing no grad", lambda T: (leaf(T, a) * leaf(T, b, False)).sum()),
        ("(y * y + x).sum(), y = x * 2", shared),
        ("(x.exp() + b).mean() * 2", lambda T: (leaf(T, a).exp() + leaf(T, b)).mean() * 2),
    ]


def graph_seeds(hidden):
    return (1, 2, 3) if hidden else (0,)


@function_check("l02_count_nodes", 4, "count_nodes")
def check_graph_counts(count_nodes, hidden=False):
    """count_nodes(t): {type(node).__name__: number of distinct nodes} in the graph behind t."""
    return [{"call": call(count_nodes, build(torch)).data}
            for seed in graph_seeds(hidden) for _, build in graphs(seed)]
