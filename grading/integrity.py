"""Code in a submission that an instructor should look at: a flag, with its evidence, never a score.

The student's kernel holds no answer key when grading (grading/verdicts.py), so most ways of
fooling a check can only lose points: rebinding or patching a check leaves its exercise without a
verdict, and a forged hand-over can claim no more than values the student could have written as
answers. What still points at a gain is code that reaches into the graders themselves -- the one
way to keep a `reveal()` from being recorded -- and code run from text, which hides what it does
from this reading. Such a cell is a Finding: the exercise it precedes, the rule, the cell and the
line. It changes no score; an instructor who agrees sets the score in formgrader.

Cells are read as IPython runs them: magics and `!shell` lines are transformed first, and the
code a magic runs (`%time ...`, `%%capture`) is read too.
"""

import ast
from dataclasses import dataclass

from .course import read_notebook

GRADERS = "graders"
NAMESPACES = {"globals", "vars", "locals", "__dict__", "modules", "f_globals", "f_locals"}
TEXT_RUNNERS = {"exec", "eval", "compile", "__import__"}


@dataclass
class Finding:
    grade_id: str  # the exercise whose test follows the code
    reason: str  # the rule, for the instructor
    line: str  # the line that matched
    cell: int = -1  # the code cell's position in the notebook


def _check_names():
    """The names the lessons' checks go by (a setup cell imports them, in a cell of its own)."""
    from grading.verdicts import checks

    return checks().keys()


def _root(node):
    """The name an attribute chain starts from: graders.checks.show -> graders; f().x -> f."""
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    if isinstance(node, ast.Call):
        return _root(node.func)
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
    for node in ast.walk(tree):  # get_ipython().run_line_magic('time', 'code'), run_cell_magic
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in (
                "run_line_magic", "run_cell_magic"):
            for argument in node.args[1:]:
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    found += _as_ipython_runs_it(argument.value)
    return found


def suspicious(source):
    """(reason, line) for each thing in a cell that reaches into the graders or runs text."""
    found = []
    for tree, code in _as_ipython_runs_it(source):
        lines = code.splitlines()
        graders, checks = {GRADERS}, set(_check_names())
        for node in ast.walk(tree):  # what names the graders and the checks go by here
            if isinstance(node, ast.Import | ast.ImportFrom):
                module = getattr(node, "module", None) or ""
                for alias in node.names:
                    if (module or alias.name).split(".")[0] == GRADERS:
                        (checks if module and alias.name.startswith("check_") else graders).add(
                            alias.asname or alias.name.split(".")[0])
        for node in ast.walk(tree):
            line = lines[node.lineno - 1].strip() if hasattr(node, "lineno") else ""
            targets = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AugAssign | ast.AnnAssign | ast.Delete):
                targets = getattr(node, "targets", None) or [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute | ast.Subscript) and (
                        _root(target) in graders | checks or _mentions(target, GRADERS)):
                    found.append(("changes the graders", line))
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in ("setattr", "delattr") and node.args and (
                        _root(node.args[0]) in graders | checks or _mentions(node.args[0], GRADERS)):
                    found.append(("changes the graders", line))
                if name in TEXT_RUNNERS and node.args and not (
                        isinstance(node.args[0], ast.Constant) and name == "__import__"):
                    found.append(("runs code made from text", line))
    return found


def scan(path):
    """Findings for one submitted notebook: each flagged cell, with the exercise it precedes."""
    findings, pending = [], []
    for index, cell in enumerate(read_notebook(path).cells):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code":
            continue
        if meta.get("grade") and not meta.get("solution"):
            findings += [Finding(meta["grade_id"], reason, line, at) for reason, line, at in pending]
            pending = []
        elif not meta.get("locked"):
            pending += [(reason, line, index) for reason, line in suspicious(cell.source)]
    return findings + [Finding("", reason, line, at) for reason, line, at in pending]
