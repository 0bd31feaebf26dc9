"""Rules the lessons keep: a predict exercise cannot be answered by scrolling up, nothing is used
before it is taught, and every notebook gives the same output on every run.

A predict exercise fails its rule when the code it shows (names normalized) already ran in an
earlier cell, or when its expected value appears in an earlier cell's output, a heading, a title
or a comment. The outputs come from executing the solutions notebook.
"""

import ast
import importlib
import inspect
import io
import math
import re
import tokenize
from pathlib import Path

import nbformat
import pytest
import torch

import graders.lessons
from graders.lesson08_gradient_descent import data

from .lesson_runs import run

ROOT = Path(__file__).resolve().parents[1]
LESSONS = [lesson.name for lesson in graders.lessons.LESSONS]


def solutions(name):
    return nbformat.read(ROOT / "solutions" / name / f"{name}.ipynb", as_version=4)


def executed(name):
    """The solutions notebook with its outputs (whether its checks pass is test_notebooks' job)."""
    return run(name).notebook


def predict_exercises(nb):
    """(index of the prompt cell, prompt, answer cell) for every predict exercise."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and re.search(r"^### Exercise \d+ — predict", cell.source, re.M):
            answer = next(c for c in nb.cells[i + 1:] if c.metadata.get("nbgrader", {}).get("solution"))
            found.append((i, cell.source, answer))
    return found


def cases(rule):
    return [pytest.param(name, i, id=f"{name}-ex{n}") for name in LESSONS
            for n, (i, _, _) in enumerate(predict_exercises(solutions(name)), 1)]


# -- code: the same statements, up to renaming ---------------------------------------------
RUN_BY_THEMSELVES = (ast.Assign, ast.AugAssign, ast.With, ast.For, ast.While, ast.If)


def statements(source):
    """The statements of a piece of code, flattened: print(a, b) is a, b; try runs its body."""
    flat = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Try):
            flat += statements(ast.unparse(ast.Module(node.body, [])))
        elif (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
              and getattr(node.value.func, "id", None) == "print"):
            flat += [ast.Expr(arg) for arg in node.value.args]
        elif not isinstance(node, (ast.Import, ast.ImportFrom)):
            flat.append(node)
    return flat


def normalized(stmts):
    """One string for a run of statements, every name renamed in order of first appearance."""
    names = {}

    class Rename(ast.NodeTransformer):
        def visit_Name(self, node):
            return ast.Name(names.setdefault(node.id, f"v{len(names)}"), node.ctx)

    module = Rename().visit(ast.Module([ast.parse(ast.unparse(s)).body[0] for s in stmts], []))
    return ast.dump(module)


def shown_code(prompt):
    """The code a prompt shows: its python blocks, and inline spans that run something."""
    blocks = re.findall(r"```python\n(.*?)```", prompt, re.S)
    if blocks:
        return "\n".join(blocks)
    kept = []
    for span in re.findall(r"`([^`]+)`", prompt):
        try:
            body = ast.parse(span).body
        except SyntaxError:
            continue
        if any(isinstance(s, RUN_BY_THEMSELVES) or (
                isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)) for s in body):
            kept.append(span)
    return "\n".join(kept)


def earlier_statements(nb, index):
    flat = []
    for cell in nb.cells[:index]:
        if cell.cell_type == "code":
            flat += statements(cell.source)
    return flat


def ran_before(shown, before):
    """Whether every shown statement ran above, in order and with consistent names (other
    statements may run in between): the same code, renamed and spread over cells."""
    target = normalized(shown)
    alone = [normalized([s]) for s in shown]
    candidates = [[i for i, b in enumerate(before) if normalized([b]) == one] for one in alone]

    def extend(chosen):
        if len(chosen) == len(shown):
            return normalized([before[i] for i in chosen]) == target
        return any(extend(chosen + [i]) for i in candidates[len(chosen)]
                   if not chosen or i > chosen[-1])

    return extend([])


@pytest.mark.parametrize(("name", "index"), cases("code"))
def test_exercise_code_has_not_run_before(name, index):
    nb = solutions(name)
    shown = statements(shown_code(nb.cells[index].source))
    if len(shown) < 2:  # one statement (a tensor made) says nothing about the answer
        return
    assert not ran_before(shown, earlier_statements(nb, index)), (
        f"{name}: the code of this exercise already ran above (names aside):\n"
        + "\n".join(map(ast.unparse, shown)))


def test_the_code_rule_sees_renamed_code():
    """The rule itself: renaming variables does not hide code that ran."""
    ran = statements("a = torch.ones(3, requires_grad=True)\nb = a * a\nprint(b.sum())")
    shown = statements("x = torch.ones(3, requires_grad=True)\ny = x * x")
    assert ran_before(shown, ran)
    assert ran_before(shown, statements("p = torch.ones(3, requires_grad=True)\nprint(p)\n"
                                        "q = p * p"))
    assert not ran_before(shown, statements("x = torch.ones(3)\ny = x * x"))
    assert not ran_before(shown, statements("a = torch.ones(3, requires_grad=True)\n"
                                            "c = torch.ones(3)\nb = c * c"))


# -- values: the expected answer printed, titled or commented earlier ----------------------
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d*)?(?:e[-+]?\d+)?|\bTrue\b|\bFalse\b")


def tokens(text):
    """Numbers and booleans in a text, in order (memory addresses dropped)."""
    text = re.sub(r"0x[0-9a-f]+", " ", text)
    return [t == "True" if t in ("True", "False") else float(t) for t in NUMBER.findall(text)]


def same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-6)


def contains(haystack, needle):
    return any(all(same(h, n) for h, n in zip(haystack[i:], needle))
               for i in range(len(haystack) - len(needle) + 1))


def expected_value(answer_cell):
    source = re.sub(r"### (BEGIN|END) SOLUTION\n?", "", answer_cell.source)
    xs, ys = (torch.tensor(a) for a in data())
    namespace = {"torch": torch, "xs": xs, "ys": ys}
    exec(source, namespace)
    (name,) = [n.id for s in ast.parse(source).body if isinstance(s, ast.Assign)
               for n in s.targets]
    value = namespace[name]
    if isinstance(value, torch.Tensor):
        value = value.tolist()
    flat = []
    for v in value if isinstance(value, (list, tuple)) else [value]:
        flat += v if isinstance(v, list) else [v]
    if any(isinstance(x, str) for x in flat):
        return None  # node names and letters: the lesson must name them to teach them
    flat = [x if isinstance(x, bool) else float(x) for x in flat]
    if len(flat) == 1 and not isinstance(flat[0], bool) and flat[0].is_integer() and abs(flat[0]) <= 10:
        return None  # a small count (2 nodes) appears in any text
    return flat


def giveaways(nb, index):
    """What a learner sees above the answer: outputs, headings, titles and comments."""
    texts = [nb.cells[index].source]
    for cell in nb.cells[:index]:
        if cell.cell_type == "markdown":
            texts += [line for line in cell.source.splitlines() if line.startswith("#")]
            continue
        for output in cell.get("outputs", []):
            texts.append(output.get("text", "") + output.get("data", {}).get("text/plain", ""))
        tree = ast.parse(cell.source)
        texts += [k.value.value for node in ast.walk(tree) if isinstance(node, ast.Call)
                  for k in node.keywords if k.arg in ("title", "label")
                  and isinstance(k.value, ast.Constant)]
        texts += [node.args[0].value for node in ast.walk(tree) if isinstance(node, ast.Call)
                  and getattr(node.func, "attr", "") in ("set_title", "title")
                  and node.args and isinstance(node.args[0], ast.Constant)]
        texts += [t.string for t in tokenize.generate_tokens(io.StringIO(cell.source).readline)
                  if t.type == tokenize.COMMENT]
    return texts


@pytest.mark.parametrize(("name", "index"), cases("value"))
def test_exercise_answer_is_not_shown_before(name, index):
    nb = executed(name)
    (answer,) = [a for i, _, a in predict_exercises(nb) if i == index]
    expected = expected_value(answer)
    if expected is None:
        return
    flags = all(isinstance(x, bool) for x in expected)
    for text in giveaways(nb, index):
        # printed flags are read line by line (a tensor's numbers span lines)
        pieces = text.splitlines() if flags else [text]
        assert not any(contains(tokens(piece), expected) for piece in pieces), (
            f"{name}: the answer {expected} can be read above the exercise, in:\n{text[:300]}")


def test_the_value_rule_sees_printed_tensors():
    assert contains(tokens("tensor([[5., 5.],\n        [5., 5.]])"), [5.0] * 4)
    assert contains(tokens("(False, True, True) at 0x7f3a"), [True, True])
    assert not contains(tokens("tensor([1.0000, 2.0000])"), [2.0, 1.0])


# -- order and determinism ------------------------------------------------------------------
# feature: (how code uses it, how a lesson's text introduces it)
FEATURES = {
    "detach()": (r"\.detach\(", r"`[\w.]*detach\(\)"),
    ".data": (r"\.data\b", r"`[\w.]*\.data`"),
    "retain_graph": (r"retain_graph", r"retain_graph"),
    "backward(v)": (r"\.backward\((?!\)|retain_graph)", r"backward\(\w\)"),
    "no_grad": (r"no_grad\(", r"no_grad\(\)"),
    "clone()": (r"\.clone\(", r"clone\(\)"),
}


def test_nothing_is_used_before_it_is_taught():
    taught = set()
    for name in LESSONS:
        for cell in solutions(name).cells:
            if cell.cell_type == "markdown":
                taught |= {f for f, (_, intro) in FEATURES.items() if re.search(intro, cell.source)}
                continue
            for feature, (use, _) in FEATURES.items():
                assert not re.search(use, cell.source) or feature in taught, (
                    f"{name} uses {feature} before any lesson text introduces it:\n{cell.source}")


RANDOM = re.compile(r"\b(randn|rand|randint|randperm|normal_|uniform_|random_|randn_like)\(")


@pytest.mark.parametrize("name", LESSONS)
def test_notebook_is_deterministic(name):
    """Random numbers come after a seed; floats are compared with a tolerance, never ==."""
    seeded = False
    for cell in solutions(name).cells:
        if cell.cell_type != "code":
            continue
        seeded = seeded or "manual_seed(" in cell.source
        assert seeded or not RANDOM.search(cell.source), f"{name}: random before a seed"
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Eq, ast.NotEq))
                                                     for op in node.ops):
                operands = [node.left, *node.comparators]
                assert any(isinstance(o, ast.Constant) for o in operands), (
                    f"{name}: `{ast.unparse(node)}` compares computed values with ==; "
                    "use torch.isclose / torch.allclose")


# -- the common mistakes list ---------------------------------------------------------------
def mistake_names(name):
    module = graders.lessons.lesson_of(name).module
    tree = ast.parse(inspect.getsource(importlib.import_module(module)))
    return {call.args[0].value for call in ast.walk(tree) if isinstance(call, ast.Call)
            and getattr(call.func, "id", "") == "Mistake" and isinstance(call.args[0], ast.Constant)}


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_ends_with_the_mistakes_its_checks_name(name):
    last = solutions(name).cells[-1]
    assert last.cell_type == "markdown" and last.source.startswith("## Common mistakes")
    missing = {m for m in mistake_names(name) if f"*{m}*" not in last.source}
    assert not missing, f"{name}: the common mistakes list lacks {sorted(missing)}"
    headings = {line.lstrip("#").strip().replace("`", "").replace(" ", "-")
                for c in solutions(name).cells if c.cell_type == "markdown"
                for line in c.source.splitlines() if line.startswith("## ")}
    for link in re.findall(r"\]\(#([^)]+)\)", last.source):
        assert link.replace("%28", "(").replace("%29", ")") in headings, link
