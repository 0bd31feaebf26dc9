"""Code in a submission that an instructor should look at: a flag, with its evidence, never a score.

The student's kernel holds no answer key when grading (grading/verdicts.py), so most ways of
fooling a check can only lose points: rebinding or patching a check leaves its exercise without a
verdict, and a forged hand-over can claim no more than values the student could have written as
answers. What still points at a gain is code that reaches into the graders themselves -- to keep
a `reveal()` from being recorded, say -- and code run from text, which hides what it does from
this reading. Reading code, this is a pointer for a person, not a guard (deleting a reveal hides
it as well). Such a cell is a Finding: the exercise it precedes, the rule, the cell and the
line. It changes no score; an instructor who agrees sets the score in formgrader.

Cells are read as IPython runs them: magics and `!shell` lines are transformed first, and the
code a magic runs (`%time ...`, `%%capture`, `get_ipython().run_cell`) is read too. A name bound
to anything reached from the graders (`g = importlib.import_module("graders.checks")`,
`c = check_x.__globals__`) is followed as the graders. Every code cell is read but the lesson's
test cells (which nbgrader replaces before it runs them) -- whatever a submission's metadata says
of a cell -- and so is every Python file handed in beside the notebook, which it may import.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

from .course import read_notebook

GRADERS = "graders"
TEXT_RUNNERS = {"exec", "eval", "compile", "__import__"}  # builtins: not re.compile, torch.compile
BUILTINS = {"builtins", "__builtins__"}
REACH = {"type", "vars", "getattr", "get", "__getattribute__", "__getitem__", "setdefault"}
RUNS_CELLS = {"run_line_magic", "run_cell_magic", "run_cell"}  # IPython's, with code as text


@dataclass
class Finding:
    grade_id: str  # the exercise whose test follows the code
    reason: str  # the rule, for the instructor
    line: str  # the line that matched
    cell: int = -1  # the code cell's position in the notebook
    file: str = ""  # or the Python file handed in beside it

    @property
    def where(self):
        return self.file or f"cell {self.cell}"


def _checks():
    from grading.verdicts import checks

    return checks().values()


def _runs_text(node):
    """Whether a call runs code made from text: a builtin such as exec, or IPython running a
    cell or magic whose code is not written out (written out, it is read as code)."""
    func = node.func
    if isinstance(func, ast.Name):
        name = func.id
    elif isinstance(func, ast.Attribute) and (_root(func) in BUILTINS or func.attr in RUNS_CELLS):
        name = func.attr
    else:
        return False
    if name in RUNS_CELLS:
        code = node.args[1:] if name != "run_cell" else node.args[:1]
        return any(not isinstance(a, ast.Constant) for a in code)
    return name in TEXT_RUNNERS and bool(node.args) and not (
        name == "__import__" and isinstance(node.args[0], ast.Constant))


def _root(node):
    """The name an attribute chain starts from: graders.checks.show -> graders; f().x -> f."""
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    if isinstance(node, ast.Call):
        return _root(node.func)
    return node.id if isinstance(node, ast.Name) else None


def _reached_from(node):
    """The name a value is reached from, where it is a part of that object rather than a new
    value: graders.checks, check.__globals__["verdict"], vars(L), getattr(L, "x"),
    g.get("verdict"); not what a call returns (data(), check_x(answer))."""
    while True:
        if isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and (
                node.func.id in REACH) and node.args:
            node = node.args[0]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
                node.func.attr in REACH):
            node = node.func.value
        else:
            return node.id if isinstance(node, ast.Name) else None


def _mentions(node, text):
    return any(isinstance(n, ast.Constant) and isinstance(n.value, str) and text in n.value
               for n in ast.walk(node))


def _as_ipython_runs_it(source):
    """The cell's code after IPython's transforms, and the code its magics run."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        code = TransformerManager().transform_cell(source)
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return []
    found = [(tree, code)]
    for node in ast.walk(tree):  # get_ipython().run_line_magic('time', 'code'), run_cell(...)
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in RUNS_CELLS:
            for argument in node.args:
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    found += _as_ipython_runs_it(argument.value)
    return found


def _graders_names(tree, checks):
    """The names the graders go by in this code: imported from them, or bound to anything
    reached from them (followed until no new name appears)."""
    graders = {GRADERS}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            module = getattr(node, "module", None) or ""
            for alias in node.names:
                if (module or alias.name).split(".")[0] == GRADERS:
                    graders.add(alias.asname or alias.name.split(".")[0])
    bindings = [(target, node.value) for node in ast.walk(tree)
                if isinstance(node, ast.Assign | ast.NamedExpr | ast.AnnAssign) and node.value
                for target in getattr(node, "targets", None) or [node.target]]
    bindings += [(node.target, node.iter) for node in ast.walk(tree)
                 if isinstance(node, ast.For | ast.comprehension)]
    while True:
        reached = {n.id for target, value in bindings for part in _parts(value)
                   if _reached_from(part) in graders | checks or _mentions(part, GRADERS)
                   for n in ast.walk(target) if isinstance(n, ast.Name)} - graders
        if not reached:
            return graders
        graders |= reached


def _parts(value):
    return value.elts if isinstance(value, ast.Tuple | ast.List) else [value]


def _reaches(node, names):
    """Whether a target or argument starts from one of the names, or names the graders in text."""
    return _root(node) in names or _reached_from(node) in names or _mentions(node, GRADERS)


def suspicious(source):
    """(reason, line) for each thing in a cell that reaches into the graders or runs text."""
    found, checks = [], {check.name for check in _checks()}
    for tree, code in _as_ipython_runs_it(source):
        lines = code.splitlines()
        graders = _graders_names(tree, checks) | checks
        for node in ast.walk(tree):
            line = lines[node.lineno - 1].strip() if hasattr(node, "lineno") else ""
            targets = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AugAssign | ast.AnnAssign | ast.Delete):
                targets = getattr(node, "targets", None) or [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute | ast.Subscript) and _reaches(target, graders):
                    found.append(("changes the graders", line))
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in ("setattr", "delattr") and node.args and _reaches(node.args[0], graders):
                    found.append(("changes the graders", line))
                if _runs_text(node):
                    found.append(("runs code made from text", line))
    return found


def scan(path):
    """Findings for one submitted notebook, each flagged cell with the exercise it precedes;
    after the last exercise, and in the Python files handed in beside it, with the last."""
    findings, pending, tests, last = [], [], {check.grade_id for check in _checks()}, ""
    for index, cell in enumerate(read_notebook(path).cells):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type != "code":
            continue
        if grade_id in tests:
            findings += [Finding(grade_id, reason, line, at) for reason, line, at in pending]
            pending, last = [], grade_id
        else:
            pending += [(reason, line, index) for reason, line in suspicious(cell.source)]
    findings += [Finding(last, reason, line, at) for reason, line, at in pending]
    for module in sorted(Path(path).parent.rglob("*.py")):
        if module.is_file() and not module.is_symlink():
            findings += [Finding(last, reason, line, file=str(module.relative_to(Path(path).parent)))
                         for reason, line in suspicious(module.read_text(errors="replace"))]
    return findings
