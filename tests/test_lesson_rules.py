"""Rules the lessons keep: a predict exercise cannot be answered by reading the page, nothing is
used before it is taught, every notebook gives the same output on every run, every link lands on
its heading, and every picture says in words what it shows.

A predict exercise's answer must not be readable anywhere in the notebook a student gets (the
course/ version: no solution cells), in any of these ways:

- its value, in an output above, in the text (the summary below too), a comment, a plot's title
  or labels, or a picture's caption;
- its value one step away: a number printed above times a number the exercise states (w after a
  step of 0.1 from a gradient printed above);
- its code, already run above up to renaming: all of it, or its first statements in one cell
  that printed what they made;
- its parts: most of a multi-part answer printed above for the same computation, up to names,
  numbers and operations of the same kind (what decides the answer is the same);
- for a choice, the right option's own words in one paragraph of the page;
- its reasoning, as the answer key states it, in so many words.

The outputs come from executing the solutions notebook. tests/data/giveaways/ keeps the eleven
give-aways issue 20 found, each as the cells of the lesson it came from: every one must be caught.
"""

import ast
import html as html_module
import importlib
import io
import json
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
FIXTURES = sorted((ROOT / "tests" / "data" / "giveaways").glob("*.ipynb"))


def solutions(name):
    return nbformat.read(ROOT / "solutions" / name / f"{name}.ipynb", as_version=4)


def executed(name):
    """The solutions notebook with its outputs (whether its checks pass is test_notebooks' job)."""
    return run(name).notebook


def solution(cell):
    return cell.metadata.get("nbgrader", {}).get("solution", False)


def predict_exercises(nb):
    """(index of the prompt cell, prompt, answer cell) for every predict or choice exercise."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and re.search(
                r"^### Exercise \d+ — (predict|multiple choice)", cell.source, re.M):
            answer = next(c for c in nb.cells[i + 1:] if solution(c))
            found.append((i, cell.source, answer))
    return found


def cases():
    return [pytest.param(name, i, id=f"{name}-ex{n}") for name in LESSONS
            for n, (i, _, _) in enumerate(predict_exercises(solutions(name)), 1)]


def why_of(answer_cell):
    """The answer key's reasoning for an exercise of the lessons."""
    from graders.answer_key import entry
    from graders.answer_key.catalogue import check_of

    return entry(check_of(answer_cell.metadata.nbgrader["grade_id"].removesuffix("_answer"))).why


# -- what the page holds ---------------------------------------------------------------------
def comments(source):
    try:
        return [t.string.lstrip("# ") for t in tokenize.generate_tokens(io.StringIO(source).readline)
                if t.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError):
        return []


def titles(source):
    """The texts a cell's code puts on a plot: titles, labels, legends, texts."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        found += [k.value.value for k in node.keywords if k.arg in ("title", "label")
                  and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)]
        if getattr(node.func, "attr", "") in ("set_title", "title", "text", "xlabel", "ylabel",
                                               "set_xlabel", "set_ylabel") \
                and any(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args):
            found += [a.value for a in node.args if isinstance(a, ast.Constant)
                      and isinstance(a.value, str)]
    return found


def output_texts(cell, captions=True):
    """What a code cell's outputs show: printed text, and (captions=True) the words that go with
    a picture, its caption and alt text."""
    texts = []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if "image/png" in data or "text/markdown" in data:
            if captions:
                texts.append(data.get("text/markdown", ""))
                texts.append(output.get("metadata", {}).get("image/png", {}).get("alt", ""))
            continue
        texts.append(output.get("text", "") + data.get("text/plain", ""))
    return [t for t in texts if t]


def page(nb, index):
    """What a student reads around the exercise whose prompt is cell `index`: (texts anywhere on
    the page, printed outputs above). Solution cells are not on the student's page; the prompt
    itself is what the exercise states, not a give-away."""
    texts, above = [], []
    for i, cell in enumerate(nb.cells):
        if solution(cell) or i == index:
            continue
        if cell.cell_type == "markdown":
            texts.append(cell.source)
            continue
        texts += comments(cell.source)
        if i < index:
            texts += titles(cell.source) + output_texts(cell)
            if not cell.metadata.get("nbgrader", {}).get("grade"):  # not a check's verdict
                above += output_texts(cell, captions=False)
    return texts, above


# -- the value ----------------------------------------------------------------------------------
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


def answer_value(answer_cell):
    """The value the answer cell assigns (run with torch, and lesson 08's xs, ys, in scope)."""
    source = re.sub(r"### (BEGIN|END) SOLUTION\n?", "", answer_cell.source)
    xs, ys = (torch.tensor(a) for a in data())
    namespace = {"torch": torch, "xs": xs, "ys": ys}
    exec(source, namespace)
    names = [n.id for s in ast.parse(source).body if isinstance(s, ast.Assign) for n in s.targets
             if isinstance(n, ast.Name) and n.id.startswith("answer_")]
    value = namespace[names[-1]]
    return value.tolist() if isinstance(value, torch.Tensor) else value


def flat(value):
    if isinstance(value, dict):
        return flat(list(value.values()))
    if isinstance(value, list | tuple):
        return [x for v in value for x in flat(v)]
    return [value]


def expected_value(answer_cell):
    """The answer's numbers and booleans in order, or None where they say nothing: text (node
    names and letters, which the lesson must name to teach them), a small count, one flag."""
    values = flat(answer_value(answer_cell))
    if any(isinstance(x, str) for x in values):
        return None
    values = [x if isinstance(x, bool) else float(x) for x in values]
    if len(values) == 1 and (isinstance(values[0], bool) or
                             (values[0].is_integer() and abs(values[0]) <= 10)):
        return None  # a small count (2 nodes) appears in any text
    return values


def value_shown(expected, texts):
    """The text showing the expected value, or None."""
    flags = all(isinstance(x, bool) for x in expected)
    for text in texts:
        # printed flags are read line by line (a tensor's numbers span lines)
        for piece in text.splitlines() if flags else [text]:
            if contains(tokens(piece), expected):
                return piece
    return None


def stated_numbers(prompt):
    """The numbers an exercise's prompt states, as factors a step may take: 0.1 gives -0.1 too."""
    body = re.sub(r"^#.*\n", "", prompt, flags=re.M)  # not the heading's exercise number and points
    numbers = {abs(t) for t in tokens(body) if not isinstance(t, bool)} - {0.0, 1.0}
    return {sign * f for n in numbers for f in (n, 1 / n) for sign in (1, -1)}


def one_step_away(expected, prompt, above):
    """An output above whose numbers, times a number the prompt states, are the expected value."""
    if any(isinstance(x, bool) for x in expected):
        return None
    factors = stated_numbers(prompt)
    for text in above:
        found = [t for t in tokens(text) if not isinstance(t, bool)]
        for i in range(len(found) - len(expected) + 1):
            window = found[i:i + len(expected)]
            if any(w == 0 for w in window) or not any(expected):
                continue
            for c in factors:
                if all(same(c * w, e) for w, e in zip(window, expected)):
                    return f"{c:g} x {window}: {text[:200]}"
    return None


def test_the_value_rule_sees_printed_tensors():
    assert contains(tokens("tensor([[5., 5.],\n        [5., 5.]])"), [5.0] * 4)
    assert contains(tokens("(False, True, True) at 0x7f3a"), [True, True])
    assert not contains(tokens("tensor([1.0000, 2.0000])"), [2.0, 1.0])
    assert one_step_away([-0.5, 0.25], "with learning rate 0.1", ["tensor([5., -2.5])"])
    assert not one_step_away([-0.5, 0.25], "with learning rate 0.1", ["tensor([5., 2.5])"])


# -- the code: the same statements, up to renaming -------------------------------------------
RUN_BY_THEMSELVES = (ast.Assign, ast.AugAssign, ast.With, ast.For, ast.While, ast.If)


def statements(source):
    """The statements of a piece of code, flattened: print(a, b) is a, b; try runs its body; a
    `for _ in range(n)` loop is its body n times; a statement inside `with` keeps its context."""
    return list(_flat(ast.parse(source).body, ()))


def _flat(body, context):
    for node in body:
        if isinstance(node, ast.Try):
            yield from _flat(node.body, context)
        elif isinstance(node, ast.With):
            yield from _flat(node.body, context + tuple(item.context_expr for item in node.items))
        elif isinstance(node, ast.For) and _literal_range(node.iter) is not None:
            for _ in range(_literal_range(node.iter)):
                yield from _flat(node.body, context)
        elif (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
              and getattr(node.value.func, "id", None) == "print"):
            yield from (_within(ast.Expr(arg), context) for arg in node.value.args)
        elif not isinstance(node, (ast.Import, ast.ImportFrom)):
            yield _within(node, context)


def _literal_range(node):
    if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "range"
            and len(node.args) == 1 and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, int) and node.args[0].value <= 10):
        return node.args[0].value
    return None


def _within(node, context):
    if not context:
        return node
    return ast.fix_missing_locations(ast.With(items=[ast.withitem(context_expr=c) for c in context],
                                              body=[node], lineno=1))


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


def ran_in_order(shown, before):
    """Whether the shown statements ran in `before`, in order and with consistent names (other
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


def code_ran_before(nb, index, shown):
    """The whole shown code ran above; or its first statements (two or more, half of it or
    more) ran one after the other in one cell above that printed what they made."""
    if len(shown) < 2:  # one statement (a tensor made) says nothing about the answer
        return None
    before = [s for cell in nb.cells[:index] if cell.cell_type == "code" and not solution(cell)
              for s in statements(cell.source)]
    if ran_in_order(shown, before):
        return "the whole code ran above"
    for cell in nb.cells[:index]:
        if cell.cell_type != "code" or solution(cell) or not output_texts(cell):
            continue
        ran = [s for s in statements(cell.source) if not isinstance(s, ast.Expr)]  # no prints
        k = max((k for k in range(2, len(shown) + 1) for i in range(len(ran))
                 if normalized(ran[i:i + k]) == normalized(shown[:k])), default=0)
        if k >= 2 and 2 * k >= len(shown):
            return f"its first {k} statements ran, one after the other, in the cell that " \
                   f"printed:\n{cell.source}"
    return None


def test_the_code_rule_sees_renamed_code():
    """The rule itself: renaming variables does not hide code that ran."""
    ran = statements("a = torch.ones(3, requires_grad=True)\nb = a * a\nprint(b.sum())")
    shown = statements("x = torch.ones(3, requires_grad=True)\ny = x * x")
    assert ran_in_order(shown, ran)
    assert ran_in_order(shown, statements("p = torch.ones(3, requires_grad=True)\nprint(p)\n"
                                          "q = p * p"))
    assert not ran_in_order(shown, statements("x = torch.ones(3)\ny = x * x"))
    assert not ran_in_order(shown, statements("a = torch.ones(3, requires_grad=True)\n"
                                              "c = torch.ones(3)\nb = c * c"))
    twice = statements("for _ in range(2):\n    x.sum().backward()")
    assert ran_in_order(twice, statements("x.sum().backward()\nprint(x.grad)\nx.sum().backward()"))


# -- the parts: the same question printed above -------------------------------------------------
CREATE = {"ones", "zeros", "full", "tensor", "empty", "rand", "randn", "arange", "linspace",
          "ones_like", "zeros_like", "randn_like"}
KINDS = {  # operations that decide requires_grad and is_leaf alike, one word per kind
    **dict.fromkeys(("exp", "log", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "sqrt", "round",
                     "float", "double", "clone", "sum", "mean"), "float_op"),
    **dict.fromkeys(("long", "int", "argmax", "argmin", "bool"), "index_op"),
}


class Kinds(ast.NodeTransformer):
    """An expression as far as a flag is concerned: numbers as one number, tensors made fresh as
    one constructor, operators and methods by kind, `x is None` as x."""

    def visit_Constant(self, node):
        return ast.Constant(0) if type(node.value) in (int, float) else node

    def visit_BinOp(self, node):
        self.generic_visit(node)
        operands = sorted((node.left, node.right), key=ast.dump)  # a * b is b * a here
        return ast.Call(ast.Name("arith", ast.Load()), operands, [])

    def visit_Compare(self, node):
        self.generic_visit(node)
        if all(isinstance(op, (ast.Is, ast.IsNot)) for op in node.ops):
            return node.left  # `b.grad is None` asks what b.grad holds
        return ast.Call(ast.Name("compare", ast.Load()), [node.left, *node.comparators], [])

    def visit_Call(self, node):
        self.generic_visit(node)
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        if name in CREATE:
            return ast.Call(ast.Name("new", ast.Load()), [], node.keywords)
        if name in KINDS and isinstance(node.func, ast.Attribute):
            return ast.Call(ast.Name(KINDS[name], ast.Load()), [node.func.value], node.keywords)
        return node


def inlined(source):
    """(env, shown): each name's expression with the names it uses written out, and every
    expression the code prints (or shows as a cell's last line), written out the same way."""
    env, shown = {}, []

    class Inline(ast.NodeTransformer):
        def visit_Name(self, node):
            return env.get(node.id, node)

    def within(node, context):
        """What a block makes is made within it (reading an attribute is not)."""
        if isinstance(node, ast.Attribute):
            return ast.Attribute(within(node.value, context), node.attr, ast.Load())
        for c in context:
            node = ast.Call(ast.Name("within", ast.Load()), [c, node], [])
        return node

    def expand(node, context):
        return within(Inline().visit(ast.parse(ast.unparse(node), mode="eval").body), context)

    body = ast.parse(source).body
    for node in body:
        for stmt in _flat([node], ()):
            context = ()
            while isinstance(stmt, ast.With):
                context += tuple(item.context_expr for item in stmt.items)
                stmt = stmt.body[0]
            call = stmt.value if isinstance(stmt, ast.Expr) else None
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and \
                    isinstance(stmt.targets[0], ast.Name):
                env[stmt.targets[0].id] = expand(stmt.value, context)
            elif isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and \
                    call.func.attr.endswith("_") and isinstance(call.func.value, ast.Name):
                env[call.func.value.id] = expand(call, context)  # x.requires_grad_(False)
            elif call is not None and _printing(node):
                shown.append(expand(call, context))  # a printed argument
            elif call is not None and node is body[-1] and not (isinstance(call, ast.Call) and (
                    getattr(call.func, "attr", "") in ("backward", "legend", "tight_layout"))):
                shown.append(expand(call, context))  # the cell's last line, shown
    return env, shown


def _printing(node):
    """Whether a statement prints (itself, or from inside a with block)."""
    while isinstance(node, ast.With) and len(node.body) == 1:
        node = node.body[0]
    return any(isinstance(n, ast.Call) and getattr(n.func, "id", None) == "print"
               for n in ast.walk(node) if isinstance(node, ast.Expr | ast.With))


def question(expr):
    return ast.dump(Kinds().visit(expr))


def asked_parts(prompt):
    """The expressions a multi-part prompt asks about: what its code prints, or "Give `attr`
    of `a, b, c`"."""
    code = shown_code(prompt)
    env, shown = inlined(code)
    printed = [s for s in shown if isinstance(s, ast.Attribute | ast.Compare | ast.Call)]
    match = re.search(r"`(\w+)` of `([\w, ]+)`", prompt)
    if match:
        attr = match[1]
        return [question(ast.Attribute(env.get(n.strip(), ast.Name(n.strip(), ast.Load())), attr,
                                       ast.Load())) for n in match[2].split(",")]
    return [question(s) for s in printed]


def parts_printed(nb, index, prompt, expected):
    """Most parts of a multi-part answer (two in five or more) printed above, each for what
    decides it: the same computation up to names, numbers and operations of one kind."""
    if expected is None or len(expected) < 2 or not all(isinstance(x, bool) for x in expected):
        return None
    asked = asked_parts(prompt)
    printed = set()
    for cell in nb.cells[:index]:
        if cell.cell_type == "code" and not solution(cell) and output_texts(cell):
            printed |= {question(s) for s in inlined(cell.source)[1]}
    shown = [part for part in asked if part in printed]
    if asked and 5 * len(shown) >= 2 * len(asked):
        return f"{len(shown)} of its {len(asked)} parts were printed above for the same computation"
    return None


# -- the words: a choice's option, the answer's reasoning ---------------------------------------
STOP = set("a an the of to in on at by for with and or but is are be it its this that these as "
           "so if then than from into only not no do does what which each every one two would can "
           "per there their all".split())
IRREGULAR = {"ran": "run", "runs": "run", "running": "run"}


def words(text, code=False):
    """The content words of a text, lower case and crudely stemmed (code spans whole); with
    code=True, only those that are code: in backticks, or CamelCase, or with a digit or _."""
    found = []
    for token in re.findall(r"`[^`]+`|\$[^$]+\$|[\w.'()+\-*/=<>^]+", text):
        is_code = token.startswith("`") or bool(re.search(r"[a-z][A-Z]|[_\d]", token))
        token = token.strip("`$").lower() if token.startswith(("`", "$")) else \
            token.lower().strip(".,:;'()")
        token = IRREGULAR.get(token, token)
        if token and token not in STOP and (is_code or not code):
            found.append(token if is_code else re.sub(r"(?<=\w{3})(s|ed|ing)$", "", token))
    return found


def options(prompt):
    """{letter: the option's text} of a choice exercise."""
    return dict(re.findall(r"^- \*\*([A-Z])\*\* — (.+(?:\n  .+)*)", prompt, re.M))


def choice_stated(prompt, right, texts):
    """A paragraph of the page holding the right option's own words -- those no wrong option
    uses -- half of them or more, two at least (or one that is code, like `TypeError`)."""
    found = options(prompt)
    if right not in found:
        return None
    own = set(words(found[right]))
    for letter, text in found.items():
        if letter != right:
            own -= set(words(text))
    if not own:
        return None
    for text in texts:
        for paragraph in re.split(r"\n\s*\n", text):
            hits = own & set(words(paragraph))
            if 2 * len(hits) >= len(own) and (len(hits) >= 2 or hits & set(words(found[right],
                                                                                  code=True))):
                return f"{sorted(hits)} in: {paragraph[:200]}"
    return None


def sentences(text):
    return [s for s in re.split(r"(?<=[.;!?])\s+|\n\s*[-*]\s|\n\s*\n", text) if s.strip()]


def reason_stated(why, texts):
    """The answer key's reasoning -- its first clause, three words or more besides numbers and
    little ones -- with all its words in one sentence of the page."""
    if not why:
        return None
    clause = {w for w in words(re.split(r": |; | -- ", why)[0]) if re.fullmatch(r"[a-z_]+", w)}
    if len(clause) < 3:
        return None
    for text in texts:
        for sentence in sentences(text):
            if clause <= set(words(sentence)):
                return f"{sorted(clause)} in: {sentence[:200]}"
    return None


# -- all of it ----------------------------------------------------------------------------------
def giveaways(nb, index, why=None):
    """Every way the answer of the exercise whose prompt is cell `index` can be read off the page
    (an executed notebook), as reasons; none, for an exercise that must be worked out."""
    prompt = nb.cells[index].source
    answer = next(c for c in nb.cells[index + 1:] if solution(c))
    texts, above = page(nb, index)
    value = answer_value(answer)
    expected = expected_value(answer)
    found = []
    if expected is not None:
        if (where := value_shown(expected, texts)) is not None:
            found.append(f"its value {expected} stands on the page: {where[:300]}")
        if (where := one_step_away(expected, prompt, above)) is not None:
            found.append(f"its value is one step from a number printed above: {where}")
    numeric = expected is not None and not all(isinstance(x, bool) for x in expected)
    shown = statements(shown_code(prompt))
    if numeric or not isinstance(value, str):
        if (where := code_ran_before(nb, index, shown)) is not None:
            found.append(f"its code ran above: {where[:300]}")
    if (where := parts_printed(nb, index, prompt, expected)) is not None:
        found.append(where)
    if isinstance(value, str) and (where := choice_stated(prompt, value.strip(), texts)):
        found.append(f"the right option's words are on the page: {where}")
    if (where := reason_stated(why, texts)) is not None:
        found.append(f"its reasoning is on the page: {where}")
    return found


@pytest.mark.parametrize(("name", "index"), cases())
def test_exercise_answer_cannot_be_read_off_the_page(name, index):
    nb = executed(name)
    (answer,) = [a for i, _, a in predict_exercises(nb) if i == index]
    found = giveaways(nb, index, why_of(answer))
    assert not found, f"{name}: the answer can be read off the page:\n" + "\n".join(found)


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_every_giveaway_issue_20_found_is_caught(path):
    """The eleven give-aways of issue 20, kept as the cells they stood in (with their outputs)."""
    nb = nbformat.read(path, as_version=4)
    (index,) = [i for i, _, _ in predict_exercises(nb)]
    assert giveaways(nb, index, nb.metadata["giveaway"]["why"]), nb.metadata["giveaway"]


def test_there_are_eleven_giveaway_fixtures():
    assert len(FIXTURES) == 11 and all(
        json.loads(p.read_text())["metadata"]["giveaway"]["issue 20 says"] for p in FIXTURES)


# -- order and determinism ------------------------------------------------------------------
# feature: (how code uses it, how a lesson's text introduces it)
FEATURES = {
    "detach()": (r"\.detach\(", r"`[\w.]*detach\(\)"),
    ".data": (r"\.data\b", r"`[\w.]*\.data`"),
    "retain_graph": (r"retain_graph", r"retain_graph"),
    "backward(v)": (r"\.backward\((?!\)|retain_graph|create_graph)", r"backward\(\w\)"),
    "no_grad": (r"no_grad\(", r"no_grad\(\)"),
    "clone()": (r"\.clone\(", r"clone\(\)"),
    "autograd.grad": (r"autograd\.grad\(", r"torch\.autograd\.grad"),
    "create_graph": (r"create_graph", r"create_graph=True"),
}
LATER = re.compile(r"lessons? (\d\d) (?:explains|will explain|teaches|covers)")


def taught_in(markdown, lesson_number):
    """The features a markdown cell introduces: a sentence that names one teaches it, unless it
    leaves the explaining to a later lesson ("lesson 05 explains")."""
    found = set()
    for sentence in re.split(r"(?<=[.!?])\s+", markdown):
        if any(int(n) > lesson_number for n in LATER.findall(sentence)):
            continue
        found |= {f for f, (_, intro) in FEATURES.items() if re.search(intro, sentence)}
    return found


def used_before_taught(lessons):
    """(lesson, feature, cell source) of the first use of each feature no text introduced yet;
    lessons are [(number, cells)] in order."""
    taught, found = set(), []
    for number, cells in lessons:
        for cell in cells:
            if cell.cell_type == "markdown":
                taught |= taught_in(cell.source, number)
                continue
            for feature, (use, _) in FEATURES.items():
                if re.search(use, cell.source) and feature not in taught:
                    found.append((number, feature, cell.source))
                    taught.add(feature)
    return found


def test_nothing_is_used_before_it_is_taught():
    used = used_before_taught([(lesson.number, solutions(lesson.name).cells)
                               for lesson in graders.lessons.LESSONS])
    assert not used, "\n\n".join(f"lesson {n} uses {f} before any lesson text introduces it:\n{src}"
                                 for n, f, src in used)


def test_a_forward_reference_does_not_teach():
    """Lesson 04 once ran y.backward(i) where its text said only that lesson 05 explains it."""
    cells = [nbformat.v4.new_markdown_cell("`y.backward(i)` with `i` all ones gives the same "
                                           "gradient: lesson 05 explains what that vector is."),
             nbformat.v4.new_code_cell("y.backward(i)")]
    assert used_before_taught([(4, cells)])
    assert not used_before_taught([(5, cells)])


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


# -- the common mistakes list, and links that land -----------------------------------------
def named_mistakes(lesson):
    """Every mistake a lesson's checks can name: the answer key's Mistakes and Diagnoses, and
    the catalogue's wrong answers."""
    from graders.answer_key import Predict
    from graders.answer_key.catalogue import EXERCISES
    from graders.answer_key.judging import Mistake
    from graders.verdict import Diagnosis

    found = set()

    def add(obj):
        if isinstance(obj, Mistake):
            found.add(obj.name)
        elif isinstance(obj, Diagnosis):
            found.add(obj.mistake)
        elif isinstance(obj, tuple | list):
            for item in obj:
                add(item)
        elif isinstance(obj, dict):
            add(list(obj.values()))
        elif isinstance(obj, Predict):
            add(obj.mistakes)
            add(list(obj.parts))

    key = importlib.import_module(f"graders.answer_key.lesson{lesson.name}")
    for name, value in vars(key).items():
        if not name.startswith("__"):
            add(value)
    for grade_id, exercise in EXERCISES.items():
        if grade_id.startswith(lesson.grade_prefix + "_"):
            found |= set(exercise.mistakes)
    return found


def headings(nb):
    """(level, text as rendered, JupyterLab's id, nbconvert's id) of every heading."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    found = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        prose = re.sub(r"```.*?```", "", cell.source, flags=re.S)  # not a comment in a code block
        for line in prose.splitlines():
            if not re.match(r"#{1,6} ", line):
                continue
            html = markdown2html_mistune(line)
            level, ident, inner = re.match(r'<h(\d) id="([^"]*)">(.*?)<a class="anchor-link"',
                                           html).groups()
            text = html_module.unescape(re.sub(r"<[^>]+>", "", inner))
            found.append((int(level), text, text.replace(" ", "-"), html_module.unescape(ident)))
    return found


LINK = re.compile(r"\]\(#((?:[^()\s]|\([^()\s]*\))*)\)")  # a link's target, parentheses inside


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_ends_with_the_mistakes_its_checks_name(name):
    last = solutions(name).cells[-1]
    assert last.cell_type == "markdown" and last.source.startswith("## Common mistakes")
    missing = {m for m in named_mistakes(graders.lessons.lesson_of(name)) if f"*{m}*" not in last.source}
    assert not missing, f"{name}: the common mistakes list lacks {sorted(missing)}"
    assert not re.search(r"(?<!\[)\bsection \d", last.source), f"{name}: a section named, not linked"


@pytest.mark.parametrize("name", ["00_index", *LESSONS])
def test_every_link_lands_on_a_heading_in_every_renderer(name):
    """A link #id lands in JupyterLab when a heading's text, spaces made dashes, is id; in
    nbconvert (nbviewer, feedback) when that heading's id is the same: so headings that are
    linked use only characters both keep as they are."""
    nb = solutions(name)
    ids = {jupyterlab: nbconvert for _, _, jupyterlab, nbconvert in headings(nb)}
    links = [link for cell in nb.cells if cell.cell_type == "markdown"
             for link in LINK.findall(cell.source)]
    for link in links:
        assert link in ids, f"{name}: #{link} is the id of no heading in JupyterLab"
        assert ids[link] == link, f"{name}: nbconvert gives #{link} the id {ids[link]}"


@pytest.mark.parametrize("name", ["00_index", *LESSONS])
def test_headings_are_in_order(name):
    """One title (h1) first; no heading more than one level below the one before it."""
    levels = [level for level, _, _, _ in headings(solutions(name))]
    assert levels[0] == 1 and levels.count(1) == 1, levels
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, f"{name}: an h{after} right under an h{before}"


# -- pictures: said in words, in colours anyone can tell apart -----------------------------------
OKABE_ITO = {"#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#f0e442"}
NEUTRAL = {"#000000", "#ffffff", "#999999", "#808080", "#bbbbbb"}
COLORMAPS = {"cividis", "viridis", "PuOr", "PuOr_r", "Blues", "Greys"}  # read alike with any vision


def pictures(nb):
    """(cell, image output, caption output) of every picture a notebook shows."""
    found = []
    for cell in nb.cells:
        outputs = cell.get("outputs", [])
        for i, output in enumerate(outputs):
            if "image/png" in output.get("data", {}):
                caption = outputs[i + 1] if i + 1 < len(outputs) else {}
                found.append((cell, output, caption))
    return found


@pytest.mark.parametrize("name", LESSONS)
def test_every_picture_says_what_it_shows(name):
    """Its text alternative on the image (nbconvert's alt) and under it as a caption (read in
    JupyterLab), in words: ten or more."""
    nb = executed(name)
    for cell, image, caption in pictures(nb):
        alt = image.get("metadata", {}).get("image/png", {}).get("alt", "")
        assert len(alt.split()) >= 10, f"{name}: a picture without a text alternative:\n{cell.source}"
        assert caption.get("data", {}).get("text/markdown") == f"*Picture:* {alt}", cell.source
    assert len(pictures(nb)) == len(run(name).pictures), "a picture shown without show()"


def contrast(a, b):
    from graders.pictures import contrast as ratio

    from .picture_facts import rgb

    return ratio(rgb(a), rgb(b))


def picture_problems(figure):
    """What keeps a picture (its axes' facts, tests/picture_facts.py) from being read without
    colour vision: colours off the palette, lines told apart by colour alone, text that does not
    stand out from what is behind it (WCAG's 4.5:1)."""
    problems = []
    for ax in figure:
        colours = {line["color"] for line in ax["lines"]} | set(ax["bars"])
        if colours - OKABE_ITO - NEUTRAL:
            problems.append(f"colours off the palette: {sorted(colours - OKABE_ITO - NEUTRAL)}")
        if set(ax["colormaps"]) - COLORMAPS:
            problems.append(f"colormaps: {ax['colormaps']}")
        looks = [(line["style"], line["marker"]) for line in ax["lines"] if not line["reference"]]
        if len(looks) != len(set(looks)):
            problems.append(f"lines told apart by colour alone: {looks}")
        problems += [f"text that does not stand out: {text}" for text in ax["texts"]
                     if contrast(text["color"], text["on"]) < 4.5]
    return problems


@pytest.mark.parametrize("name", LESSONS)
def test_pictures_do_not_rest_on_colour(name):
    """Colours from a palette colour-blind readers can tell apart; lines that differ in style or
    marker, never in colour alone; text that reads on what is behind it."""
    for figure in run(name).pictures:
        assert not picture_problems(figure), name


def test_the_picture_rules_see_colour_alone():
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from .picture_facts import facts

    fig, (left, right) = plt.subplots(1, 2)
    left.plot([0, 1], [0, 1], "-", color="red")
    left.plot([0, 1], [1, 0], "-", color="green")
    right.imshow([[0.0, 1.0]], cmap="jet")
    right.text(0, 0, "0", color="black")  # black on jet's darkest blue
    problems = picture_problems(facts(fig))
    plt.close(fig)
    assert len(problems) == 4, problems


# -- what a predict point weighs --------------------------------------------------------------

def test_the_readme_says_what_a_predict_point_weighs():
    """Issue 20, 7: the README's figures are the notebooks' own (nbgrader's points per cell)."""
    from graders.answer_key import Predict, entry
    from graders.answer_key.catalogue import check_of

    points, predict_each = {"predict": 0, "other": 0}, []
    for name in LESSONS:
        for cell in solutions(name).cells:
            grading = cell.metadata.get("nbgrader", {})
            if not grading.get("points"):
                continue
            try:
                predict = isinstance(entry(check_of(grading["grade_id"])), Predict)
            except StopIteration:  # graded by hand: a written reason
                predict = False
            points["predict" if predict else "other"] += grading["points"]
            if predict:
                predict_each.append(grading["points"])
    total = sum(points.values())
    readme = " ".join((ROOT / "README.md").read_text().split())
    share = round(100 * points["predict"] / total)
    assert f"{points['predict']} of the course's {total} points ({share}%)" in readme
    assert sorted(predict_each)[-3:] == [1, 2, 2], "the README names the two worth 2 points"
    assert points["other"] > points["predict"], "the index says the rest carries most points"
