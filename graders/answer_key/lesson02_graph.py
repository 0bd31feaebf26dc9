"""Lesson 02's answers: grad_fn, next_functions, AccumulateGrad, and walking a graph."""

from collections import deque

from graders.lesson02_graph import graph_seeds, graphs
from graders.verdict import Diagnosis

from . import Build, Predict
from .judging import Mistake, as_mistake, expect, fail, oracle, returned, runs


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
    return node_name((2 * (x - 1).exp().sum()).grad_fn)


NAME = Predict(
    "the class name of y.grad_fn", _last_grad_fn,
    "grad_fn is the node of the last op: 2 * (...) multiplies what .sum() returned, so it is "
    "MulBackward0.", (
        Mistake("grad_fn names the first operation", "A tensor's grad_fn is the node of the op "
                "that made *this* tensor: the last one to run. The earlier ops are further "
                "down, in next_functions.", lambda T: "SubBackward0"),
        Mistake("grad_fn names an inner operation", "A tensor's grad_fn is the node of the op "
                "that made *this* tensor: the last one to run. The ops inside the expression are "
                "further down, in next_functions.", lambda T: "ExpBackward0"),
        Mistake("the last method in the line is the last op", "Read the line as Python "
                "evaluates it: which operation runs after .sum() has returned?",
                lambda T: "SumBackward0"),
        Mistake("the name without its number", "torch's node names end with a number: "
                "print(y.grad_fn) shows the full name.", lambda T: "MulBackward"),
        Mistake("the op's name, not its node's", "grad_fn is a backward node: its class is "
                "named after the op, with Backward and a number after it.", lambda T: "mul")),
    analyser=None)


def _names(value):
    """A list of names as the learner wrote them; torch's name() prefix dropped."""
    if isinstance(value, list):
        return [v.removeprefix("torch::autograd::") if isinstance(v, str) else v for v in value]
    return value


def _next_names(T):
    x, b = T.ones(2, requires_grad=True), T.ones(2, requires_grad=True)
    w = T.ones(2)
    z = b - x * w
    return [node_name(n) for n, _ in z.grad_fn.next_functions]


ORDER = Diagnosis(
    "next_functions in no particular order", "They follow the op's arguments, in order: look at "
    "what stands left and right of the last operator.")
LEAVES = Diagnosis(
    "next_functions lists the leaves", "It lists the nodes one step down the graph: an operand "
    "that is itself the result of an op appears as that op's node, not as the leaves below it.")
LEAF_AS_NONE = Diagnosis(
    "a leaf taken for None", "None stands for an input that needs no gradient. A leaf that "
    "requires grad has a node of its own in the graph (section 3).")
RESULT_AS_NONE = Diagnosis(
    "a result of an op taken for None", "None stands only for an input that needs no gradient; "
    "an operand computed by a recorded op appears as that op's node.")

NEXT = Predict(
    "the names in z.grad_fn.next_functions, in order", _next_names,
    "next_functions follow the op's arguments: z = b - (x * w), so b's AccumulateGrad, then "
    "the node of x * w.", (
        as_mistake(ORDER, lambda T: ["MulBackward0", "AccumulateGrad"]),
        as_mistake(LEAVES, lambda T: ["AccumulateGrad", "AccumulateGrad"]),
        as_mistake(LEAF_AS_NONE, lambda T: [None, "MulBackward0"]),
        Mistake("next_functions as a list of three", "z = b - x * w has one op at the top, a "
                "subtraction with two operands: its node has one entry per operand.",
                lambda T: ["AccumulateGrad", "MulBackward0", "AccumulateGrad"])),
    analyser=None, normalize=_names,
    parts=({None: LEAF_AS_NONE, "MulBackward0": ORDER},
           {None: RESULT_AS_NONE, "AccumulateGrad": LEAVES}))


def _shared_leaves(T, recorded=True):
    x, w = T.ones(2, requires_grad=True), T.ones(2, requires_grad=True)
    c = T.ones(2)
    out = (x * w + (x * c if recorded else x.detach() * c) + w).sum()
    return sum(graph_counts(out).values())


NODES = Predict(
    "the number of nodes in the graph behind out", _shared_leaves,
    "five recorded ops -- the sum, two additions, two products, x * c among them since x "
    "requires grad -- and one AccumulateGrad for each leaf that requires grad, x and w.", (
        Mistake("one AccumulateGrad per use of a leaf", "There is one per *leaf* that requires "
                "grad, shared by every op that uses it: all paths to the leaf end in the same "
                "node, which adds their gradients into its .grad.",
                lambda T: _shared_leaves(T) + 2),
        Mistake("a leaf that needs no gradient has an AccumulateGrad", "A leaf that does not "
                "require grad gets no AccumulateGrad: nothing is accumulated for it, and "
                "next_functions holds None in its place.", lambda T: _shared_leaves(T) + 1),
        Mistake("no AccumulateGrad in a graph of ops", "Every leaf that requires grad ends the "
                "graph in an AccumulateGrad node, the one that writes its .grad.",
                lambda T: _shared_leaves(T) - 2),
        Mistake("an op with an input that needs no gradient is left out", "x * c is recorded: "
                "one input that requires grad (x) is enough. Only c itself gets no node.",
                lambda T: _shared_leaves(T, recorded=False))),
    analyser=None)


_ONCE_PER_PATH = Diagnosis(
    "counting a shared node once per path",
    "In y * y both inputs lead to the same node; keep a set of the nodes already seen and "
    "count each once.")
COUNT_MISTAKES = (Mistake(_ONCE_PER_PATH.mistake, _ONCE_PER_PATH.hint,
                          lambda T, build: graph_counts(build(T), distinct=False)),)
_NONE_COUNTED = Diagnosis(
    "None counted as a node", "next_functions holds None for an input that needs no gradient: "
    "skip it, it is not a node.")
_NAME_METHOD = Diagnosis(
    "node.name() instead of type(node).__name__",
    "torch's name() spells the leaves' node \"torch::autograd::AccumulateGrad\"; the exercise "
    "asks for the class name, type(node).__name__, which is the same on both engines.")


def _judge_counts(collected, hidden):
    cases = [(label, build) for seed in graph_seeds(hidden) for label, build in graphs(seed)]
    for (label, build), run in zip(cases, runs(collected, len(cases))):
        what = "count_nodes(t)"
        got, _ = returned(run.get("call"), what)
        expected = oracle(lambda T, b=build: graph_counts(b(T)))
        if isinstance(got, dict) and got != expected:
            if {k.removeprefix("torch::autograd::"): v for k, v in got.items()} == expected:
                fail(f"the keys should be class names, but got {sorted(got)}.", _NAME_METHOD)
            if "NoneType" in got:
                fail(f"{what} counted a NoneType, for t = {label}.", _NONE_COUNTED)
        expect(got, expected, what, [("t", label)], COUNT_MISTAKES, args=(build,), hidden=hidden)


KEY = {
    "l02_name": NAME,
    "l02_next": NEXT,
    "l02_nodes": NODES,
    "l02_count_nodes": Build(_judge_counts, "you can walk a graph: each node once, skipping "
                                            "None."),
}
