"""Pictures the lessons share: the graph behind a tensor, and a function with its gradient.

Both work with torch and autograd_core alike: they only use grad_fn, next_functions and
backward, which the two engines share.
"""

from collections import Counter, deque

import matplotlib.pyplot as plt
import numpy as np


def graph_layers(t):
    """The nodes behind t, layer by layer: layer 0 is t.grad_fn, each next layer one step back.

    A node reached along paths of different lengths sits in its deepest layer, so every arrow
    points one or more layers down. Returns (layers, edges) with edges as (parent, child) ids,
    one per entry of next_functions: y * y has two edges to y's node.
    """
    if t.grad_fn is None:
        return [], []
    depth, nodes, edges = {}, {}, []
    queue = deque([(t.grad_fn, 0)])
    while queue:  # longest-path layering of a DAG: revisit a node when a longer path reaches it
        node, d = queue.popleft()
        if depth.get(id(node), -1) >= d:
            continue
        depth[id(node)], nodes[id(node)] = d, node
        for child, _ in node.next_functions:
            if child is not None:
                queue.append((child, d + 1))
    for node in nodes.values():
        for child, _ in node.next_functions:
            if child is not None:
                edges.append((id(node), id(child)))
    layers = [[] for _ in range(max(depth.values()) + 1)]
    for key, d in depth.items():
        layers[d].append(nodes[key])
    return layers, edges


def label(node):
    name = type(node).__name__
    variable = getattr(node, "variable", None)
    if variable is not None:
        return f"{name}\nleaf {tuple(variable.shape)}"
    return name


def draw_graph(t, ax=None, title=None):
    """Draw the backward graph of t: its grad_fn at the top, the leaves' AccumulateGrad below."""
    layers, edges = graph_layers(t)
    if ax is None:
        width = max([len(layer) for layer in layers] + [2])
        _, ax = plt.subplots(figsize=(2.6 * width, 1.3 * len(layers) + 0.6))
    where = {}
    for row, layer in enumerate(layers):
        for col, node in enumerate(layer):
            where[id(node)] = ((col + 1) / (len(layer) + 1), -row)
    for (parent, child), count in Counter(edges).items():
        (x0, y0), (x1, y1) = where[parent], where[child]
        ax.annotate("", xy=(x1, y1 + 0.22), xytext=(x0, y0 - 0.22),
                    arrowprops=dict(arrowstyle="->", color="#555"))
        if count > 1:  # the same input used twice, as in y * y: both gradients add up
            ax.text((x0 + x1) / 2 + 0.02, (y0 + y1) / 2, f"×{count}", fontsize=9, color="#a40")
    for layer in layers:
        for node in layer:
            x, y = where[id(node)]
            leaf = hasattr(node, "variable")
            ax.text(x, y, label(node), ha="center", va="center", fontsize=9,
                    bbox=dict(boxstyle="round,pad=0.4", fc="#e8f4e8" if leaf else "#e8eef8",
                              ec="#4a7" if leaf else "#47a"))
    ax.set_xlim(0, 1)
    ax.set_ylim(-len(layers) + 0.5, 0.5)
    ax.axis("off")
    ax.set_title(title or f"the graph behind a tensor with grad_fn={type(t.grad_fn).__name__}")
    return ax


def plot_with_gradient(f, T, low=-3.0, high=3.0, n=301, ax=None, title=None):
    """Plot f and the gradient autograd computes for it, one backward for all points."""
    x = T.tensor(np.linspace(low, high, n, dtype=np.float32), requires_grad=True)
    y = f(x)
    y.sum().backward()  # each y_i depends on x_i only, so this gives every f'(x_i) at once
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    xs = x.detach().numpy()
    ax.plot(xs, y.detach().numpy(), label="f(x)")
    ax.plot(xs, x.grad.numpy(), "--", label="f'(x) from backward()")
    ax.axhline(0, color="#bbb", lw=0.8)
    ax.legend()
    ax.set_xlabel("x")
    if title:
        ax.set_title(title)
    return ax
