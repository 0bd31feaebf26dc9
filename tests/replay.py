"""Replay a learner's notebook cells under an engine, capturing what Jupyter would show.

The seeds come in three shapes: .ipynb JSON, markdown with ```python blocks, and text copied
from a notebook page ("In [3]:" then the code, then its output). `code_cells` reads all three.
"""

import ast
import builtins
import contextlib
import io
import json
import re
import types
import warnings

import numpy as np
from IPython.lib.pretty import pretty

OUTPUT_START = re.compile(r"^\s*(\(?tensor\(|True\b|False\b|None\b|<|Help on|torch\.)")
PROSE_START = re.compile(r"^\s*[\u2e80-\uffff]")  # a line of Chinese prose between cells


def code_cells(text):
    """The code cells of a seed notebook, whichever of the three shapes it has."""
    if text.lstrip().startswith("{"):
        notebook = json.loads(text)
        cells = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    elif "```python" in text:
        cells = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    else:
        cells = []
        for block in re.split(r"^In \[\d+\]:\n", text, flags=re.M)[1:]:
            lines = []
            for line in block.splitlines():
                if OUTPUT_START.match(line) or PROSE_START.match(line):
                    break
                lines.append(line)
            cells.append("\n".join(lines))
    return [c.strip("\n") for c in cells if c.strip()]


class RandomSource:
    """Hands both engines the same "random" numbers, drawn once from a seeded generator."""

    def __init__(self, seed=0):
        self.rng = np.random.default_rng(seed)

    def engine_view(self, engine):
        """A module that is `engine`, except that randn and rand draw from this source."""
        module = types.ModuleType("torch")
        module.__getattr__ = lambda name: getattr(engine, name)

        def draw(sample):
            def make(*size, requires_grad=False, dtype=None, **kwargs):
                shape = kwargs.pop("size", None)
                shape = tuple(shape) if shape is not None else (
                    tuple(size[0]) if len(size) == 1 and not isinstance(size[0], int) else size)
                values = sample(shape).astype(np.float32)
                return engine.tensor(values, dtype=dtype, requires_grad=requires_grad)

            return make

        module.randn = draw(lambda shape: self.rng.standard_normal(shape))
        module.rand = draw(lambda shape: self.rng.random(shape))
        return module


def run_cells(cells, torch_module):
    """Execute cells in one namespace; return what each printed and displayed, as Jupyter would."""

    def import_hook(name, *args, **kwargs):
        return torch_module if name == "torch" else builtins.__import__(name, *args, **kwargs)

    namespace = {"__builtins__": {**vars(builtins), "__import__": import_hook},
                 "__name__": "__main__"}
    outputs = []
    for source in cells:
        buffer = io.StringIO()
        tree = ast.parse(source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        with contextlib.redirect_stdout(buffer), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")  # every warning, every time, as a fresh kernel shows
            # the filter a kernel gets from importing the engine (pytest reset it)
            getattr(torch_module, "_silence_numpy_warnings", lambda: None)()
            try:
                exec(compile(tree, "<cell>", "exec"), namespace)
                if last is not None:
                    value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
                    if value is not None:
                        print(pretty(value))
            except Exception as error:  # noqa: BLE001 -- a cell's error is part of its output
                print(f"{type(error).__name__}: {error}")
        for w in caught:
            buffer.write(f"{w.category.__name__}: {w.message}\n")
        outputs.append(buffer.getvalue())
    return outputs
