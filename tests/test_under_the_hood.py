"""What the lessons show of autograd_core is what autograd_core is.

A lesson's "Under the hood" section quotes the engine: a fenced excerpt in a markdown cell that
names its file (`autograd_core/tensor.py`), names like `graph.run_backward` or `MulBackward0`, a
line of a backward formula in inline code, or a code cell that prints inspect.getsource(...) and
picks lines out of it. Each must match the current source: an excerpt's lines appear, in order
and consecutive, in the file it names (a line `...` in an excerpt stands for lines left out).
"""

import ast
import inspect
import re
import textwrap
from functools import cache
from pathlib import Path

import nbformat
import pytest

import autograd_core
import graders.lessons
from autograd_core import functions, gradients, graph

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "autograd_core"
NOTEBOOKS = sorted((ROOT / "solutions").glob("*/*.ipynb"))
FILE = re.compile(r"autograd_core/(\w+\.py)")
FENCE = re.compile(r"```python\n(.*?)```", re.S)
SPAN = re.compile(r"`([^`\n]+)`")


@cache
def notebook(path):
    return nbformat.read(path, as_version=4)


def under_the_hood(nb):
    """The cells of the notebook's "Under the hood" sections (up to the next heading)."""
    cells, inside = [], False
    for cell in nb.cells:
        if cell.cell_type == "markdown" and re.search(r"^#{2,3} ", cell.source, re.M):
            inside = bool(re.search(r"^## .*under the hood", cell.source, re.M | re.I))
        if inside:
            cells.append(cell)
    return cells


def excerpts():
    """(notebook, file names, excerpt) for every fenced excerpt in a cell that names its file."""
    found = []
    for path in NOTEBOOKS:
        for cell in notebook(path).cells:
            if cell.cell_type != "markdown":
                continue
            names = FILE.findall(cell.source)
            for code in FENCE.findall(cell.source):
                if names:
                    found.append(pytest.param(path, names, code, id=f"{path.stem}:{names[-1]}"))
    return found


def normalized(lines):
    """Lines without their common indentation, trailing spaces or blank lines."""
    text = textwrap.dedent("\n".join(line.rstrip() for line in lines))
    return [line for line in text.splitlines() if line.strip()]


def appears_in(excerpt, source):
    """Whether the excerpt's lines appear in source, in order, each run between `...` lines
    consecutive (up to indentation: an excerpt shows a method without its class's); a line `...`
    (a comment may follow) stands for lines left out."""
    runs = [[]]
    for line in excerpt.splitlines():
        if line.split("#")[0].strip() == "..." or line.strip() == "# ...":  # lines left out
            runs.append([])
        else:
            runs[-1].append(line)
    lines = [line.rstrip() for line in source.splitlines() if line.strip()]
    start = 0
    for run in filter(None, map(normalized, runs)):
        for i in range(start, len(lines) - len(run) + 1):
            if normalized(lines[i:i + len(run)]) == run:
                start = i + len(run)
                break
        else:
            return False
    return True


def test_the_lessons_quote_the_engine():
    assert len(excerpts()) >= 4  # the rule below has something to check


@pytest.mark.parametrize(("path", "names", "excerpt"), excerpts())
def test_a_quoted_excerpt_matches_the_file_it_names(path, names, excerpt):
    sources = {name: (ENGINE / name).read_text() for name in names if (ENGINE / name).exists()}
    assert any(appears_in(excerpt, source) for source in sources.values()), (
        f"{path.stem} quotes, from {' or '.join(names)}:\n{excerpt}\nwhich is not in the source")


def test_the_excerpt_rule_can_fail():
    source = "def f(x):\n    y = x + 1\n    return y\n"
    assert appears_in("def f(x):\n    y = x + 1", source)
    assert appears_in("def f(x):\n    ...\n    return y", source)
    assert appears_in("def f(x):\n    ...  # (y, made)\n    return y", source)
    assert not appears_in("def f(x):\n    return y", source)  # a line left out, unmarked
    assert not appears_in("def f(x):\n    y = x + 2", source)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_engine_file_a_lesson_names_exists(path):
    named = {name for cell in notebook(path).cells for name in FILE.findall(cell.source)}
    assert {name for name in named if not (ENGINE / name).exists()} == set()


def _engine_object(dotted):
    """autograd_core's object for `graph.run_backward` or `Tensor.__bool__`, or None."""
    first, _, rest = dotted.partition(".")
    obj = getattr(autograd_core, first, None)
    for part in rest.split("."):
        obj = getattr(obj, part, None)
    return obj


# the names of the engine's own vocabulary: a span that calls one quotes a backward formula
VOCABULARY = {name for module in (functions, gradients) for name, obj in vars(module).items()
              if inspect.isfunction(obj) and not name.startswith("_") and not hasattr(autograd_core, name)}
NODE = re.compile(r"^(\w+Backward\d*|AccumulateGrad|CopySlices)$")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_names_and_lines_a_lesson_quotes_are_the_engines(path):
    engine_source = "\n".join(f.read_text() for f in ENGINE.glob("*.py"))
    nodes = {**functions.OPS, **gradients.GRADIENT_OPS, "AccumulateGrad": graph.AccumulateGrad}
    wrong = []
    for cell in under_the_hood(notebook(path)):
        if cell.cell_type != "markdown":
            continue
        for span in SPAN.findall(FENCE.sub("", cell.source)):
            if re.fullmatch(r"(graph|functions|gradients|autograd|tensor|Tensor|Node)\.\w+", span):
                if _engine_object(span) is None:
                    wrong.append(f"{span}: not in autograd_core")
            elif NODE.match(span) and span not in nodes:
                wrong.append(f"{span}: no such node in autograd_core")
            elif set(re.findall(r"(\w+)\(", span)) & VOCABULARY and span not in engine_source:
                wrong.append(f"{span}: not a line of autograd_core")
    assert not wrong, "\n".join(wrong)


def test_the_name_rules_see_something():
    assert "scale" in VOCABULARY and "run_backward" in dir(graph)
    assert _engine_object("graph.run_backward") is graph.run_backward
    assert _engine_object("graph.walk_backward") is None


def _imports(nb):
    """The notebook's imports, run: the names its cells can pass to inspect.getsource."""
    namespace = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            for node in ast.parse(cell.source).body:
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    exec(compile(ast.Module([node], []), "<imports>", "exec"), namespace)  # noqa: S102
    return namespace


def getsource_uses(nb):
    """(source shown, [strings a line must contain]) for each inspect.getsource(...) in a cell;
    the strings are those the cell's `if "..." in line` filters pick lines with."""
    namespace = _imports(nb)
    uses = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "getsource" not in cell.source:
            continue
        tree = ast.parse(cell.source)
        wanted = [node.left.value for node in ast.walk(tree)
                  if isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant)
                  and isinstance(node.ops[0], ast.In) and getattr(node.comparators[0], "id", "") == "line"]
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "getsource":
                target = eval(compile(ast.Expression(node.args[0]), "<target>", "eval"), namespace)  # noqa: S307
                uses.append((inspect.getsource(target), wanted))
    return uses


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_source_a_lesson_prints_has_the_lines_it_picks(path):
    for source, wanted in getsource_uses(notebook(path)):
        if wanted:
            assert any(all(w in line for w in wanted) for line in source.splitlines()), (
                f"{path.stem} picks lines with {wanted} out of source that has none")


def test_some_lesson_prints_engine_source():
    nb = notebook(ROOT / "solutions" / "09_gradients_of_gradients" / "09_gradients_of_gradients.ipynb")
    assert [wanted for _, wanted in getsource_uses(nb) if wanted]


def test_every_lesson_is_checked():
    assert {p.stem for p in NOTEBOOKS} >= {lesson.name for lesson in graders.lessons.LESSONS}
