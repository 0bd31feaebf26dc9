"""What a passing test cannot tell: that the student tampered with the checks themselves.

nbgrader restores tampered test cells, but a test runs in the student's kernel, after the
student's code: a cell that rebinds a check, patches a module the checks use, or silences
tracebacks can make a wrong answer pass. So each submission's code is read (parsed, not run)
before its grades are trusted. An exercise whose answer cell -- or any cell the student added
before its test -- does such a thing scores 0, recorded as a manual override with a comment; the
autograder's own score stays in the gradebook.
"""

import ast
import re
from dataclasses import dataclass

from graders.handover import MIMETYPE

from .course import read_notebook

MODULES = {"torch", "np", "numpy", "math", "builtins", "graders", "autograd_core", "IPython",
           "sys", "warnings"}  # names the lessons' setup cells import, plus the usual aliases
SILENCERS = re.compile(r"showtraceback|excepthook|_render_traceback_|InteractiveShell")
LYING_DUNDERS = {"__eq__", "__ne__", "__bool__", "__array__", "__float__", "__class__"}
NAMESPACES = {"globals", "vars", "locals", "f_globals", "f_locals", "__dict__", "modules",
              "__builtins__"}  # what a name can be rebound through without an assignment to it
HANDOVER = MIMETYPE.partition("+")[0]  # the hand-over's mimetype, whatever its suffix


@dataclass
class Finding:
    grade_id: str  # the test cell that is void
    reason: str
    line: str


def _root(node):
    """The name an attribute chain starts from: torch.Tensor.tolist -> torch; f().x -> f."""
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    if isinstance(node, ast.Call):
        return _root(node.func)
    return node.id if isinstance(node, ast.Name) else None


def _namespace(node):
    """globals(), vars(x), sys.modules, f.__dict__, frame.f_globals: a namespace, as a value."""
    if isinstance(node, ast.Call):
        node = node.func
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return name in NAMESPACES


def _private_grader_name(node, graders):
    """graders' private names (the reference answers): L._average, from graders.x import _y;
    `graders`: the names graders modules are bound to in the code."""
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").startswith("graders") and any(
            a.name.startswith("_") for a in node.names)
    if isinstance(node, ast.Attribute) and node.attr.startswith("_") \
            and not node.attr.startswith("__"):
        return _root(node) in graders
    return False


def tampering(source):
    """(reason, line) for each thing in this code that could fool a check."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # it cannot run, so it cannot tamper
    modules, graders = set(MODULES), {"graders"}
    for node in ast.walk(tree):  # aliases: import graders.lesson04 as L
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules |= {(a.asname or a.name).split(".")[0] for a in node.names}
            graders |= {(a.asname or a.name).split(".")[0] for a in node.names
                        if (getattr(node, "module", None) or a.name).startswith("graders")}
    lines = source.splitlines()
    found = []
    for node in ast.walk(tree):
        line = lines[node.lineno - 1].strip() if hasattr(node, "lineno") else ""
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name) and target.id.startswith("check_"):
                found.append(("redefines a check", line))
            elif isinstance(target, ast.Subscript) and _namespace(target.value):
                found.append(("rebinds names through a namespace", line))
            elif isinstance(target, ast.Attribute) and _root(target) in modules:
                found.append(("patches a module the checks rely on", line))
            elif isinstance(target, ast.Attribute) and SILENCERS.search(target.attr):
                found.append(("switches off error reporting", line))
        if isinstance(node, ast.FunctionDef) and node.name.startswith("check_"):
            found.append(("redefines a check", line))
        if isinstance(node, ast.FunctionDef) and node.name in LYING_DUNDERS:
            found.append(("makes an object that lies about its value", line))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("setattr", "delattr") \
                and node.args and _root(node.args[0]) in modules:
            found.append(("patches a module the checks rely on", line))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("exec", "eval"):
            found.append(("runs code made from text", line))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and HANDOVER in node.value:
            found.append(("forges what a check hands over", line))
        if _private_grader_name(node, graders):
            found.append(("uses the checks' own answers", line))
    if SILENCERS.search(source) and not any(r == "switches off error reporting" for r, _ in found):
        match = SILENCERS.search(source)
        found.append(("switches off error reporting",
                      source[:match.end()].splitlines()[-1].strip()))
    return found


def scan(path):
    """Findings for one submitted notebook: each test cell preceded by tampering code."""
    findings, suspicious = [], []
    for cell in read_notebook(path).cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code" and not meta.get("solution"):
            findings += [Finding(meta["grade_id"], reason, line) for reason, line in suspicious]
            suspicious = []
        elif cell.cell_type == "code" and not meta.get("locked"):
            suspicious += tampering(cell.source)
    return findings


def void(course, student, assignment, findings):
    """Record the findings in the gradebook: score 0 and a comment, per exercise."""
    from nbgrader.api import MissingEntry

    with course.gradebook() as gradebook:
        for finding in findings:
            for notebook in course.submission(student, assignment):
                try:
                    grade = gradebook.find_grade(finding.grade_id, notebook.stem, assignment,
                                                 student)
                except MissingEntry:
                    continue
                grade.manual_score = 0
                try:  # comments live on the answer cell
                    comment = gradebook.find_comment(f"{finding.grade_id}_answer",
                                                     notebook.stem, assignment, student)
                    comment.manual_comment = (f"Scored 0: your code {finding.reason} "
                                              f"(`{finding.line}`).")
                except MissingEntry:
                    pass
        gradebook.db.commit()
