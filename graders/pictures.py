"""Pictures the lessons share: the graph behind a tensor, a function with its gradient, a matrix
as a heatmap -- each shown with a text alternative that says what it shows.

Every picture goes out through show(): the image carries its text alternative (`alt`, which
nbconvert and nbviewer put on the <img>), and the same words follow it as a caption, which
JupyterLab's screen readers read too. In grading, the caption goes out alone. Colours come from
the Okabe-Ito palette, safe for colour-blind readers, and never carry meaning alone: lines also
differ in style, nodes in shape and label, heatmap cells in their printed numbers.

The graph functions work with torch and autograd_core alike: they only use grad_fn,
next_functions, variable and backward, which the two engines share.
"""

import base64
import inspect
import io
from collections import Counter, deque

import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler

from .handover import RECORDING as GRADING

# Okabe & Ito's palette, distinguishable with any colour vision
PALETTE = {"blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
           "purple": "#CC79A7", "sky": "#56B4E9", "yellow": "#F0E442", "black": "#000000",
           "grey": "#999999"}
LINESTYLES = ("-", "--", ":", "-.")
# colormaps that read the same to colour-blind eyes (and in greyscale, for the sequential ones)
SEQUENTIAL, DIVERGING = "cividis", "PuOr_r"

# every new line differs from the one before in colour *and* style; every figure laid out
# tightly when it is drawn (never where it is not: in grading, a tight_layout() call took 0.25 s)
plt.rcParams.update({
    "axes.prop_cycle": cycler(color=[PALETTE[c] for c in ("blue", "orange", "green", "vermillion")])
    + cycler(linestyle=LINESTYLES),
    "image.cmap": SEQUENTIAL,
    "figure.autolayout": True,
})


def show(alt=None, fig=None):
    """Show a figure (the current one by default) with its text alternative, then close it.

    alt says what the picture shows, in words; without it, the words a helper of this module
    attached to the figure when it drew it (draw_graph, plot_with_gradient, heatmap).
    """
    from IPython.display import display

    fig = fig if fig is not None else plt.gcf()
    alt = " ".join((alt or getattr(fig, "course_alt", "")).split())
    if not alt:
        raise ValueError("a picture needs a text alternative: show(alt='what it shows')")
    if not GRADING:  # in grading, its words stand in for it: the student's notebook has the
        # image, and drawing it again for every submission costs 0.1 s
        png = io.BytesIO()
        fig.savefig(png, format="png", bbox_inches="tight")
        display({"image/png": base64.b64encode(png.getvalue()).decode(), "text/plain": alt},
                metadata={"image/png": {"alt": alt}}, raw=True)
    plt.close(fig)
    display({"text/markdown": f"*Picture:* {alt}", "text/plain": f"Picture: {alt}"}, raw=True)


def _describe(fig, words):
    """Attach the words show() will use, keeping what a helper said before on the same figure."""
    fig.course_alt = " ".join(filter(None, [getattr(fig, "course_alt", ""), words]))


# -- the graph behind a tensor ---------------------------------------------------------------

class Elided:
    """Stands for the middle of a long chain of one kind of node: `count` nodes left out."""

    def __init__(self, kind, count):
        self.kind, self.count = kind, count
        self.next_functions = ()


def graph_layers(t, chain=5):
    """The nodes behind t, layer by layer: layer 0 is t.grad_fn, each next layer one step back.

    A node reached along paths of different lengths sits in its deepest layer, so every arrow
    points one or more layers down. A chain of `chain` or more nodes of one kind, one after the
    other, keeps its first and last node and an Elided node for the rest. Returns (layers, edges)
    with edges as (parent, child) ids, one per entry of next_functions: y * y has two edges to
    y's node.
    """
    if t.grad_fn is None:
        return [], []
    nodes, children, seen = {}, {}, set()
    todo = [t.grad_fn]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        nodes[id(node)] = node
        children[id(node)] = [child for child, _ in node.next_functions if child is not None]
        todo.extend(children[id(node)])
    children = {key: [id(c) for c in kids] for key, kids in children.items()}
    _shorten_chains(nodes, children, chain)
    depth = {}
    queue = deque([(id(t.grad_fn), 0)])
    while queue:  # longest-path layering of a DAG: revisit a node when a longer path reaches it
        key, d = queue.popleft()
        if depth.get(key, -1) >= d:
            continue
        depth[key] = d
        queue.extend((child, d + 1) for child in children[key])
    layers = [[] for _ in range(max(depth.values()) + 1)]
    for key, d in depth.items():
        layers[d].append(nodes[key])
    edges = [(parent, child) for parent, kids in children.items() for child in kids]
    return layers, edges


def _shorten_chains(nodes, children, chain):
    """Replace the middle of each run of same-kind nodes, each the one child of the one before,
    by an Elided node (in place)."""
    parents = Counter(child for kids in children.values() for child in kids)

    def link(key):  # the next node of a chain starting at key, or None
        kids = children[key]
        if len(kids) == 1 and parents[kids[0]] == 1 and \
                type(nodes[kids[0]]) is type(nodes[key]) and not hasattr(nodes[key], "variable"):
            return kids[0]
        return None

    starts = [key for key in nodes if not any(link(p) == key for p in nodes if key in children[p])]
    for start in starts:
        run = [start]
        while (following := link(run[-1])) is not None:
            run.append(following)
        if len(run) < chain:
            continue
        middle = run[1:-1]
        dots = Elided(type(nodes[start]).__name__, len(middle))
        nodes[id(dots)] = dots
        children[id(dots)] = [run[-1]]
        children[start] = [id(dots)]
        for key in middle:
            del nodes[key], children[key]


def leaf_names(frame_locals, frame_globals):
    """{id of a tensor: its name} for the tensors a lesson's code bound to plain names."""
    names = {}
    for scope in (frame_globals, frame_locals):  # a local name wins
        for name, value in scope.items():
            if not name.startswith("_") and hasattr(value, "grad_fn") and hasattr(value, "shape"):
                names[id(value)] = name
    return names


def label(node, names=None):
    """What a node's box says: its class, and for a leaf's node the leaf's name and shape."""
    if isinstance(node, Elided):
        return f"⋮\n{node.count} more {node.kind}"
    name = type(node).__name__
    variable = getattr(node, "variable", None)
    if variable is not None:
        leaf = (names or {}).get(id(variable), "leaf")
        shape = tuple(variable.shape)
        return f"{name}\n{leaf} {shape if shape else '(0-d)'}"
    return name


def _spoken(node, names):
    """A node as the text alternative says it."""
    return " ".join(label(node, names).replace("⋮\n", "").split())


def _times(n):
    return "" if n == 1 else " (twice)" if n == 2 else f" ({n} times)"


def describe_graph(layers, edges, names=None):
    """The text alternative of a graph drawing: its nodes from the top, each with the nodes its
    arrows lead to."""
    where = {id(node): node for layer in layers for node in layer}
    counts = Counter(edges)
    lines = []
    for layer in layers:
        for node in layer:
            kids = [(child, n) for (parent, child), n in counts.items() if parent == id(node)]
            if kids:
                targets = ", ".join(_spoken(where[child], names) + _times(n) for child, n in kids)
                lines.append(f"{_spoken(node, names)} leads to {targets}")
    leaves = [_spoken(node, names) for layer in layers for node in layer
              if getattr(node, "variable", None) is not None]
    size = sum(len(layer) for layer in layers)
    return (f"A backward graph of {size} nodes in {len(layers)} rows, drawn from the result's "
            f"grad_fn at the top down to the leaves. " + "; ".join(lines) + ". "
            + (f"The leaves' nodes: {', '.join(leaves)}." if leaves else "No leaf requires grad."))


def draw_graph(t, ax=None, title=None, names=None):
    """Draw the backward graph of t: its grad_fn at the top, the leaves' AccumulateGrad below.

    Leaves are labelled with the names the calling code gave them (or with `names`, a dict
    {name: tensor}); a long chain of one kind of node is shortened to its ends and an ellipsis.
    Shown at once, with its text alternative, unless drawn into a given ax.
    """
    caller = inspect.currentframe().f_back
    known = leaf_names(caller.f_locals, caller.f_globals) if names is None else \
        {id(tensor): name for name, tensor in names.items()}
    layers, edges = graph_layers(t)
    own = ax is None
    if own:
        width = max([len(layer) for layer in layers] + [2])
        _, ax = plt.subplots(figsize=(2.6 * width, 1.3 * len(layers) + 0.6))
    where = {}
    for row, layer in enumerate(layers):
        for col, node in enumerate(layer):
            where[id(node)] = ((col + 1) / (len(layer) + 1), -row)
    for (parent, child), count in Counter(edges).items():
        (x0, y0), (x1, y1) = where[parent], where[child]
        ax.annotate("", xy=(x1, y1 + 0.25), xytext=(x0, y0 - 0.25),
                    arrowprops=dict(arrowstyle="->", color=PALETTE["black"]))
        if count > 1:  # the same input used twice, as in y * y: both gradients add up
            ax.text((x0 + x1) / 2 + 0.02, (y0 + y1) / 2, f"×{count}", fontsize=10,
                    fontweight="bold", color=PALETTE["black"])
    for layer in layers:
        for node in layer:
            x, y = where[id(node)]
            leaf = hasattr(node, "variable")
            dots = isinstance(node, Elided)
            ax.text(x, y, label(node, known), ha="center", va="center", fontsize=9,
                    fontweight="bold" if leaf else "normal", color=PALETTE["black"],
                    bbox=dict(boxstyle="round,pad=0.5" if leaf else "square,pad=0.4",
                              fc="white" if dots else "#fbe3c2" if leaf else "#d5e8f5",
                              ec=PALETTE["grey"] if dots else PALETTE["orange"] if leaf
                              else PALETTE["blue"], ls=":" if dots else "-", lw=1.5))
    ax.set_xlim(0, 1)
    ax.set_ylim(-len(layers) + 0.5, 0.5)
    ax.axis("off")
    heading = title or f"the graph behind a tensor with grad_fn={type(t.grad_fn).__name__}"
    ax.set_title(heading)
    _describe(ax.figure, f"{heading}. {describe_graph(layers, edges, known)}")
    if own:
        show()
    return ax


# -- a function and its gradient ---------------------------------------------------------------

def plot_with_gradient(f, T, low=-3.0, high=3.0, n=301, ax=None, title=None):
    """Plot f and the gradient autograd computes for it, one backward for all points. The
    caller shows it (show()), after adding to it if it likes."""
    x = T.tensor(np.linspace(low, high, n, dtype=np.float32), requires_grad=True)
    y = f(x)
    y.sum().backward()  # each y_i depends on x_i only, so this gives every f'(x_i) at once
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    xs = x.detach().numpy()
    ax.plot(xs, y.detach().numpy(), label="f(x)")
    ax.plot(xs, x.grad.numpy(), label="f'(x) from backward()")
    ax.axhline(0, color=PALETTE["grey"], lw=0.8, ls="-")
    ax.legend()
    ax.set_xlabel("x")
    if title:
        ax.set_title(title)
    _describe(ax.figure, f"{title + '. ' if title else ''}f(x) as a solid line and the "
              f"gradient backward() computes for it as a dashed line, for x from {low:g} to "
              f"{high:g}.")
    return ax


# -- a matrix ----------------------------------------------------------------------------------

def _luminance(rgb):
    """WCAG's relative luminance of an sRGB colour."""
    channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb[:3]]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def contrast(a, b):
    """WCAG's contrast ratio of two colours (1 to 21; 4.5 is enough for text)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ink_on(background):
    """Black or white, whichever reads better on the background colour."""
    black, white = (0, 0, 0), (1, 1, 1)
    return "black" if contrast(black, background) >= contrast(white, background) else "white"


def heatmap(M, ax=None, title=None, row="i", col="j", fmt="{:.3g}", diverging=None):
    """M as a heatmap with integer ticks and each cell's value printed on it, in black or white
    as reads better on that cell. A matrix with both signs gets a diverging colormap centred on
    0. The caller shows it (show())."""
    M = np.asarray(M, dtype=float)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.1 * M.shape[1] + 1.6, 1.0 * M.shape[0] + 0.8))
    diverging = bool((M < 0).any() and (M > 0).any()) if diverging is None else diverging
    limit = float(np.abs(M).max()) or 1.0
    image = ax.imshow(M, cmap=DIVERGING if diverging else SEQUENTIAL,
                      vmin=-limit if diverging else None, vmax=limit if diverging else None)
    ax.figure.colorbar(image, ax=ax)
    ax.set_xticks(range(M.shape[1]))
    ax.set_yticks(range(M.shape[0]))
    ax.set_xlabel(col)
    ax.set_ylabel(row, rotation=0, labelpad=10)
    for (i, j), value in np.ndenumerate(M):
        ax.text(j, i, fmt.format(value), ha="center", va="center", fontsize=10,
                color=ink_on(image.cmap(image.norm(value))))
    if title:
        ax.set_title(title)
    rows = "; ".join(f"{row} = {i}: " + ", ".join(fmt.format(v) for v in M[i])
                     for i in range(M.shape[0]))
    _describe(ax.figure, f"{title + '. ' if title else ''}A heatmap of a {M.shape[0]} by "
              f"{M.shape[1]} matrix, each cell printed with its value, row by row: {rows}.")
    return ax
