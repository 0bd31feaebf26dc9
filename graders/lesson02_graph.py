"""Checks for lesson 02: grad_fn, next_functions and the graph behind a result."""

from collections import deque

import torch

from .checking import (
    Diagnosis,
    Mistake,
    call_student,
    check,
    check_value,
    describe,
    fail,
    inputs,
    leaf,
    oracle,
    read,
    seal,
    verdict,
)


def node_name(node):
    """A node's class name, the same for torch and autograd_core ("AccumulateGrad", ...)."""
    return None if node is None else type(node).__name__


def graph_counts(t, distinct=True):
    """{node name: how many such nodes} over the graph behind t, each node counted once."""
    counts, seen, queue = {}, set(), deque([t.grad_fn] if t.grad_fn is not None else [])
    while queue:
        node = queue.popleft()
        if distinct and id(node) in seen:
            continue
        seen.add(id(node))
        counts[node_name(node)] = counts.get(node_name(node), 0) + 1
        queue.extend(child for child, _ in node.next_functions if child is not None)
    return counts


def _last_grad_fn(T):
    x = T.ones(3, requires_grad=True)
    return node_name(((x * 2 + 1).mean()).grad_fn)


LAST_MISTAKES = (
    Mistake("grad_fn names the first operation", "A tensor's grad_fn is the node of the op "
            "that made *this* tensor: the last one, mean. The earlier ops are further down, "
            "in next_functions.", lambda T: "MulBackward0"),
    Mistake("the op before mean", "mean() is an op like + and *: it records its own node, "
            "MeanBackward0, and that is the last one.", lambda T: "AddBackward0"),
    Mistake("mean recorded as a sum", "mean has its own node, MeanBackward0 (its backward "
            "divides by the number of elements).", lambda T: "SumBackward0"),
    Mistake("the name without its number", "torch's node names end with a version number: "
            "print(y.grad_fn) shows it.", lambda T: "MeanBackward"),
)


@check
def check_last_grad_fn(answer):
    """answer: the class name of y.grad_fn for y = (x * 2 + 1).mean(), as a string."""
    check_value(answer, "the name of y.grad_fn", _last_grad_fn, LAST_MISTAKES)
    return "grad_fn is the node of the last op: MeanBackward0."


def _next_names(T):
    x, b = T.ones(2, requires_grad=True), T.ones(2, requires_grad=True)
    w = T.ones(2)
    z = x * w + b
    return [node_name(n) for n, _ in z.grad_fn.next_functions]


@check
def check_next_names(answer):
    """answer: the class names in z.grad_fn.next_functions for z = x * w + b, in order."""
    names = read(answer)
    if type(names) is list:  # torch's name() spells the leaves' node with a namespace
        names = [a.removeprefix("torch::autograd::") if type(a) is str else a for a in names]
    answer = names
    check_value(answer, "the names in z.grad_fn.next_functions", _next_names, [
        Mistake("next_functions in no particular order", "They follow the op's arguments: "
                "z = (x * w) + b, so first the node of x * w, then b's AccumulateGrad.",
                lambda T: ["AccumulateGrad", "MulBackward0"]),
        Mistake("next_functions lists the leaves", "It lists the *next nodes*: x * w is a node "
                "(MulBackward0); only b, used directly, shows its AccumulateGrad.",
                lambda T: ["AccumulateGrad", "AccumulateGrad"]),
        Mistake("a leaf taken for None", "None stands for an input that needs no gradient "
                "(w here, which is not in the list at all). b requires grad, so it has a node: "
                "AccumulateGrad.", lambda T: ["MulBackward0", None])])
    return "next_functions follow the arguments of the op, in order."


def _blitz_accumulators(T):
    x = T.ones(2, 2, requires_grad=True)
    y = x + 2
    out = (y * y * 3).mean()
    return graph_counts(out)["AccumulateGrad"]


@check
def check_accumulator_count(answer):
    """answer: how many AccumulateGrad nodes the blitz graph has, as an int."""
    check_value(answer, "the number of AccumulateGrad nodes", _blitz_accumulators, [
        Mistake("one AccumulateGrad per use of x", "There is one per *leaf*, shared by every op "
                "that uses it: all paths from out end in the same node, which adds their "
                "gradients into x.grad.", lambda T: 2),
        Mistake("no AccumulateGrad in a graph of ops", "Every leaf that requires grad ends the "
                "graph in an AccumulateGrad node, the one that writes x.grad.", lambda T: 0),
        Mistake("one AccumulateGrad per element", "x is one tensor with four entries: one "
                "leaf, one node.", lambda T: 4)])
    return "one leaf, one AccumulateGrad, however often x is used."


def _graphs(seed):
    """Small graphs with shared nodes and inputs that need no grad."""
    (a, b) = inputs(seed, (3,), (3,))
    return [
        lambda T: (leaf(T, a) * leaf(T, b, False)).sum(),
        lambda T: _shared(T, a),
        lambda T: (leaf(T, a).exp() + leaf(T, b)).mean() * 2,
    ]


def _shared(T, a):
    x = leaf(T, a)
    y = x * 2
    return (y * y + x).sum()


_ONCE_PER_PATH = Diagnosis(
    "counting a shared node once per path",
    "In y * y both inputs lead to the same node; keep a set of the nodes already seen and "
    "count each once.")
_NONE_COUNTED = Diagnosis(
    "None counted as a node", "next_functions holds None for an input that needs no gradient "
    "(b in the first graph): skip it, it is not a node.")
_NAME_METHOD = Diagnosis(
    "node.name() instead of type(node).__name__",
    "torch's name() spells the leaves' node \"torch::autograd::AccumulateGrad\"; the exercise "
    "asks for the class name, type(node).__name__, which is the same on both engines.")


@check
def check_graph_counts(count_nodes, hidden=False):
    """count_nodes(t): {type(node).__name__: number of distinct nodes} in the graph behind t."""
    for seed in (0, 1, 2) if hidden else (0,):
        for build in _graphs(seed):
            t = build(torch)
            got = read_counts(call_student(count_nodes, t))
            expected = oracle(lambda T, build=build: sorted(graph_counts(build(T)).items()))
            if got == expected:
                continue
            if sorted([k.removeprefix("torch::autograd::"), v] for k, v in got) == expected:
                fail(f"the keys should be class names, but got {[k for k, _ in got]}.",
                     _NAME_METHOD)
            per_path = oracle(lambda T, b=build: sorted(graph_counts(b(T), distinct=False).items()))
            if any(k == "NoneType" for k, _ in got):
                fail(f"the counts {got} include a NoneType.", _NONE_COUNTED)
            if got == per_path:
                fail(f"the counts {got} should be {expected}.", _ONCE_PER_PATH)
            verdict("the node counts", got, expected)
    return "you can walk a graph: breadth first, each node once, skipping None."


def read_counts(answer):
    counts = read(answer)
    if type(counts) is not dict:
        fail(f"expected a dict {{name: count}}, but got {describe(counts)}.")
    return sorted([k, v] for k, v in counts.items())


seal(globals())
