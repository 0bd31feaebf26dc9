"""A check, as the notebook calls it: `check_three_backwards(answer_three)`.

One definition serves every place a check runs. A lesson module declares each check with
`value_check` (the answer is a value: a tensor, a number, text) or `function_check` (the answer is
a function, which the check's collector calls on its inputs); either way the check first turns
the student's objects into data (graders/evidence.py). Then:

- in JupyterLab and nbgrader's Validate, the answer key (graders/answer_key/) judges that data
  in the kernel, and the verdict is shown at once: one line for a right answer, a CheckFailed,
  rendered once with its diagnosis and hint, for anything else;
- in the grading sandbox, which holds no answer key, the data is handed over
  (graders/handover.py), and the trusted grading process reaches the same verdict from it.

A check judges what is on the page: IPython's own events tell it whether the cell that last
defined the answer raised when it last ran, and then an old value never passes. A name never
defined gets one line saying which exercise is unanswered, not a NameError; an interrupt shows
the student's frames, not the graders'.
"""

import ast
import sys
from dataclasses import dataclass, field, replace

from . import handover
from .evidence import observe, quiet, without_graders
from .verdict import REVEALED, UNANSWERED, Verdict, render

CHECKS = {}  # every check declared so far, by name: "check_three_backwards" -> Check
_REVEALED = set()  # checks whose answer this kernel has shown


class CheckFailed(AssertionError):
    """A check that did not pass, carrying its Verdict; str() is the plain text, and in a
    notebook the verdict is rendered once, as the traceback (no code frames)."""

    def __init__(self, verdict):
        super().__init__("\n".join(render(verdict)))
        self.verdict = verdict

    def _render_traceback_(self):  # IPython's hook: the notebook's and Validate's text
        return render(self.verdict, ansi=True)


@dataclass(frozen=True, eq=False)
class Check:
    """One exercise's check: what it collects from the student's work, and where it stands."""

    name: str  # "check_three_backwards", as the notebook calls it
    doc: str
    grade_id: str  # "l04_three", the exercise's name in the gradebook
    title: str  # "Exercise 1", as the lesson heads it
    answer: str  # the name the answer cell defines: "answer_three", "separate_grads"
    collect: object = field(repr=False)  # (student's object, hidden) -> data
    takes_function: bool = False

    def __post_init__(self):  # `check_three_backwards?` in a notebook shows what it checks
        object.__setattr__(self, "__doc__", self.doc)

    def __call__(self, answer, hidden=False):
        __tracebackhide__ = True  # noqa: F841 -- IPython hides this frame
        try:
            evidence = self.evidence(answer, hidden)
        except KeyboardInterrupt as stop:  # the student's frames, never ours
            raise stop.with_traceback(without_graders(stop.__traceback__)) from None
        if handover.RECORDING:  # grading: no answer key here; the verdict is reached outside
            handover.hand_over({"check": self.name, "hidden": bool(hidden), "evidence": evidence})
            return
        show(self.judge(evidence, hidden))

    def evidence(self, answer, hidden=False):
        """The data a verdict is reached from: what was collected, or why nothing was."""
        failed = RUNS.failed(self.answer)
        if failed is not None:
            return {"answer_cell": failed}
        with quiet():
            return {"collected": self.collect(answer, bool(hidden))}

    def judge(self, evidence, hidden=False):
        """The verdict, from the answer key (imported here, in the kernel, on first use)."""
        from .answer_key import judge

        verdict = judge(self, evidence, hidden)
        return reveal_outcome(verdict) if self.name in _REVEALED else verdict

    def reveal(self):
        """Show the answer and the reasoning behind it. The exercise then scores 0 when graded:
        this line stays in the notebook, and grading finds it."""
        __tracebackhide__ = True  # noqa: F841
        _REVEALED.add(self.name)
        if handover.RECORDING:
            handover.hand_over({"reveal": self.name})
            return
        from .answer_key import revealed

        print("\n".join(revealed(self)))

    def unanswered(self):
        """The verdict for an answer that does not exist yet."""
        what = (f"write the body of `{self.answer}`" if self.takes_function else
                f"assign your answer to `{self.answer}`")
        return Verdict(self.name, self.title, UNANSWERED, f"{what} above and run that cell first.")

    def __repr__(self):
        return f"<check {self.name} ({self.grade_id}): {self.doc}>"


def reveal_outcome(verdict):
    """A verdict on an exercise whose answer was shown: it scores 0, right or not."""
    return replace(verdict, outcome=REVEALED, diagnosis=None, message=(
        "you asked to see the answer with `.reveal()`, so this exercise scores 0 when graded, "
        "right or not."))


def show(verdict):
    """In the notebook: one line for a right answer; anything else raises CheckFailed."""
    if not verdict.passed:
        raise CheckFailed(verdict)
    print(render(verdict)[0])


def passed(message):
    """The line a right answer gets (the course index shows one)."""
    print(f"✓ {message}")


def _declare(grade_id, exercise, answer, takes_function):
    def declare(collect):
        check = Check(collect.__name__, (collect.__doc__ or "").strip(), grade_id,
                      f"Exercise {exercise}", answer,
                      collect if takes_function else _observe, takes_function)
        CHECKS[check.name] = check
        return check

    return declare


def _observe(answer, hidden):
    return observe(answer)


def value_check(grade_id, exercise, answer):
    """Declare the check of an exercise whose answer is a value (predict, write the code): the
    decorated function gives the check its name and docstring; the check takes the value as it
    is (evidence.observe)."""
    return _declare(grade_id, exercise, answer, takes_function=False)


def function_check(grade_id, exercise, answer):
    """Declare the check of an exercise whose answer is a function: the decorated function is
    the collector, `(student's function, hidden) -> data`, calling it on the check's inputs
    (the hidden inputs are other ones, tried when grading)."""
    return _declare(grade_id, exercise, answer, takes_function=True)


# -- what IPython's events tell about the cells run so far ---------------------------------

def bound_names(source):
    """The names a cell's code binds at the top level (assignments, def, class, for, with,
    import), read as IPython would run it (magics transformed first)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        tree = ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError, ImportError):
        return set()
    names, todo = set(), list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
            continue  # what the body binds is local to it
        if isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        todo.extend(ast.iter_child_nodes(node))
    return names


class Runs:
    """For each name, whether the cell that last bound it raised when it last ran: IPython's
    pre_run_cell and post_run_cell events, read as they come."""

    def __init__(self):
        self._failed = {}  # name -> the error its binding cell last raised: "NameError"
        self._running = frozenset()

    def pre_run_cell(self, info):
        self._running = frozenset(bound_names(info.raw_cell or ""))

    def post_run_cell(self, result):
        error = result.error_before_exec or result.error_in_exec
        for name in self._running:
            if error is None:
                self._failed.pop(name, None)
            else:
                self._failed[name] = type(error).__name__
        self._running = frozenset()

    def failed(self, name):
        """The error the cell defining `name` last raised, or None (the cell running now, which
        may be defining it, counts as not failed)."""
        return None if name in self._running else self._failed.get(name)


RUNS = Runs()


def watch(shell):
    """Follow the shell's cell runs, and answer a NameError for an answer with one line.
    Called on import in a kernel, and by the grading sandbox for the kernels it forks."""
    if getattr(shell, "_graders_watching", False):
        return
    shell._graders_watching = True
    handover.keep_publisher(shell)
    shell.events.register("pre_run_cell", RUNS.pre_run_cell)
    shell.events.register("post_run_cell", RUNS.post_run_cell)
    shell.set_custom_exc((NameError,), _name_error)


def _name_error(shell, etype, value, tb, tb_offset=None):
    """A NameError: for an exercise's answer, which exercise is unanswered; else as usual."""
    check = next((c for c in CHECKS.values() if c.answer == getattr(value, "name", None)), None)
    if check is None:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset, running_compiled_code=True)
        return None
    shell._showtraceback(etype, value, render(check.unanswered(), ansi=True))
    return None


def _watch_this_kernel():
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None and hasattr(shell, "events"):
        watch(shell)


_watch_this_kernel()
