"""Verdicts reached in the trusted grading process, after the student's kernel is gone.

In the sandbox the student's kernel holds no answer key: each check there only hands over what
it collected, as data (graders/handover.py), which the sandbox's runner keeps apart from the
cells' outputs as it arrives (no clear_output of the student's reaches it). `TrustedVerdicts`
follows the sandboxed Execute in nbgrader's autograde pipeline, before SaveAutoGrades. For each
test cell it runs the cell's source -- as the gradebook holds it, never as the submission or the
sandbox has it -- in this process:
each check the source calls takes the next record the kernel handed over in that cell, parses it
as data (bounded, JSON only) and judges it with the answer key. A record that is missing,
malformed or not the call's costs that exercise, with the reason; asking to see an answer
(`check.reveal()`, anywhere in the notebook) scores the exercise 0.

The test cell's outputs become the verdicts, rendered once (graders/verdict.py): what the
student reads in the feedback is what formgrader scores. The verdicts are also kept as data in the
notebook's metadata ("grading"), with the limits the sandbox hit.
"""

import ast
import dataclasses
import importlib
import re
from dataclasses import dataclass

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

from graders import handover
from graders.answer_key import judge
from graders.checks import CHECKS, reveal_outcome
from graders.lessons import LESSONS
from graders.verdict import RIGHT, UNANSWERED, UNREADABLE, Verdict, headline, render

from .course import is_test_cell


@dataclass(frozen=True)
class CellVerdict:
    grade_id: str
    passed: bool
    reason: str = ""  # why not, for the instructor and the student: the verdict's headline
    outcome: str = RIGHT  # graders.verdict's label: "wrong", "not answered", "revealed", ...
    mistake: str = ""  # the misconception diagnosed, if any
    by_hand: bool = False  # the run stopped before this cell: left to a person, not scored 0


def checks():
    """Every check of the course, by name (the lessons' modules declare them)."""
    for lesson in LESSONS:
        importlib.import_module(lesson.module)
    return CHECKS


class _Names(dict):
    """The test cell's namespace: a check's name is the trusted check; any other name stands
    for the student's object, which is not here (only what was handed over is)."""

    def __missing__(self, name):
        return name


def _records(handed):
    """(check records, names of the checks revealed, malformed reasons) of what one cell's
    checks handed over (the runner keeps them apart from the cell's outputs, as they come)."""
    records, revealed, malformed = [], set(), []
    for data in handed if isinstance(handed, list) else []:
        try:
            record = handover.parse(data)
        except handover.Malformed as error:
            malformed.append(str(error))
            continue
        if "reveal" in record:
            revealed.add(record["reveal"])
        else:
            records.append(record)
    return records, revealed, malformed


def judge_cell(source, records, revealed, kernel_error=None, malformed=(), stopped=""):
    """The verdicts of a test cell's trusted source on the records its kernel handed over.

    kernel_error: (ename, evalue) of the error the kernel's cell raised, if it did: what stopped
    a check from running, for the reason given when its record is missing. stopped: why the cell
    never ran (the notebook stopped before it): then each check's verdict says so, for a person
    to grade.
    """
    known, records, verdicts = checks(), list(records), []

    def trusted(name):
        check = known[name]

        def run(*args, hidden=False, **kwargs):
            record = records.pop(0) if records else None
            if stopped:
                verdict = Verdict(check.name, check.title, UNREADABLE, stopped, revealable=False)
            elif record is None or record["check"] != name or record["hidden"] != bool(hidden):
                verdict = _missing(check, record, kernel_error, malformed)
            else:
                verdict = judge(check, record["evidence"], hidden)
            if name in revealed:
                verdict = reveal_outcome(verdict)
            verdicts.append(verdict)

        return run

    names = _Names({name: trusted(name) for name in known})
    code = compile(ast.parse(source), "<test cell>", "exec")
    exec(code, {"__builtins__": __builtins__}, names)  # noqa: S102 -- the gradebook's source
    return verdicts


def _missing(check, record, kernel_error, malformed):
    """The verdict when no record, or not this call's, came back for a check."""
    if kernel_error is not None and kernel_error[0] == "NameError":
        return check.unanswered()
    if malformed:
        why = f"the grader could not read what the check gave it ({malformed[0]})"
    elif record is not None:
        why = "what the check gave the grader belongs to another check"
    elif kernel_error is not None:
        why = f"the cell stopped with {kernel_error[0]}: {kernel_error[1]}"
    else:
        why = "the check did not run"
    return Verdict(check.name, check.title, UNREADABLE if malformed or record else UNANSWERED,
                   f"this check could not be graded: {why}.", revealable=False)


def verdict_outputs(verdicts):
    """A test cell's outputs: one line per right verdict, an error for the first that is not
    (nbgrader scores a cell with an error as failed)."""
    outputs = []
    for verdict in verdicts:
        if verdict.passed:
            if not outputs:  # the visible and the hidden tests: one line says both passed
                outputs.append(nbformat.v4.new_output("stream", name="stdout",
                                                      text=render(verdict)[0] + "\n"))
            continue
        outputs.append(nbformat.v4.new_output(
            "error", ename="CheckFailed", evalue=headline(verdict),
            traceback=render(verdict, ansi=True, offer_reveal=False)))
        break
    return outputs


class TrustedVerdicts(NbGraderPreprocessor):
    """Score each test cell by the verdicts reached here (see the module docstring)."""

    @staticmethod
    def test_sources(resources):
        """{grade id: source} of the notebook's test cells, as the gradebook holds them."""
        from nbgrader.api import Gradebook

        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
            graded = {cell.name for cell in notebook.grade_cells if cell.cell_type == "code"}
            solutions = {cell.name for cell in notebook.solution_cells}
            return {cell.name: cell.source for cell in notebook.source_cells
                    if cell.name in graded - solutions}

    def preprocess(self, nb, resources):
        tests = self.test_sources(resources)
        sandbox = resources.get("sandbox", {})
        ending = next((stop for stop in sandbox.get("stops", []) if stop.ends), None)
        handed = sandbox.get("handed_over", {})
        handed = {index: _records(handed.get(str(index))) for index in range(len(nb.cells))}
        revealed = set().union(*(found[1] for found in handed.values()))
        verdicts = []
        for index, cell in enumerate(nb.cells):
            if not is_test_cell(cell):
                continue
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            records, _, malformed = handed[index]
            error = next(((o.get("ename"), o.get("evalue")) for o in cell.get("outputs", [])
                          if o.get("output_type") == "error"), None)
            stopped = ending is not None and index >= ending.cell
            if grade_id in tests:
                found = judge_cell(tests[grade_id], records, revealed, error, malformed,
                                   stopped=not_run(ending, nb) if stopped else "")
            else:  # a cell claiming a grade id the lesson does not have: nothing to earn
                found = []
            cell.outputs = verdict_outputs(found) or [nbformat.v4.new_output(
                "error", ename="CheckFailed", evalue="no check of this lesson",
                traceback=[f"{grade_id} is no test cell of this lesson"])]
            failed = next((v for v in found if not v.passed), None)
            verdicts.append(CellVerdict(
                grade_id, bool(found) and failed is None,
                reason="" if found and failed is None else
                (headline(failed) + f" — {failed.message.splitlines()[0]}" if failed else
                 "no check of this lesson"),
                outcome=failed.outcome if failed else (RIGHT if found else UNREADABLE),
                mistake=failed.diagnosis.mistake if failed and failed.diagnosis else "",
                by_hand=stopped and grade_id in tests))
        nb.metadata["grading"] = {"verdicts": [dataclasses.asdict(v) for v in verdicts],
                                  "limits_hit": list(sandbox.get("problems", [])),
                                  "stops": [dataclasses.asdict(s) for s in sandbox.get("stops", [])]}
        return nb, resources


# what stopped a notebook, said to its student (and the instructor): the cell, and why
STOPPED = {
    "kernel died": "the kernel {how} while running {cell}",
    "memory limit": "{cell} used more memory than a submission may, and the kernel was stopped",
    "process limit": "{cell} started more processes than a submission may, and the kernel was "
                     "stopped",
    "output limit": "{cell} printed more than a submission may, and the kernel was stopped",
    "wall time": "the notebook ran out of time (its wall limit) before this cell",
}


def stop_reason(stop, nb):
    """What stopped the notebook, and where: "the kernel exited with status 1 while running
    cell 21 (the answer to Exercise 2)"."""
    template = STOPPED.get(stop.problem, "grading could not run the notebook ({problem})")
    return template.format(how=stop.how or "stopped", cell=cell_name(nb, stop.cell),
                           problem=stop.problem)


def not_run(stop, nb):
    """A test cell's verdict when the notebook stopped before it."""
    return (f"this cell did not run: {stop_reason(stop, nb)}. Your instructor grades this "
            "exercise by hand.")


def cell_name(nb, index):
    """A cell as a person finds it: "cell 21 (the answer to Exercise 2)"."""
    name, here = f"cell {index + 1}", nb.cells[index]
    test = next((cell for cell in nb.cells[index:] if is_test_cell(cell)), None)
    if test is None:
        return name
    title = exercise_title(test, short=True)
    if test is here:
        return f"{name} (the check of {title})"
    if here.metadata.get("nbgrader", {}).get("solution"):
        return f"{name} (the answer to {title})"
    return f"{name} (before {title})"


def exercise_title(cell, short=False):
    """An exercise's title, from its test cell: its docstring's first line ("Exercise 2: a
    variant of seed 002"; `short`: "Exercise 2"), else its check's title, else its grade id."""
    try:
        doc = ast.get_docstring(ast.parse(cell.source)) or ""
    except SyntaxError:
        doc = ""
    title = doc.strip().splitlines()[0].rstrip(".") if doc.strip() else ""
    if not title:
        names = set(checks()) & {n.id for n in _names_in(cell.source)}
        title = next((checks()[n].title for n in sorted(names)), "")
    title = title or cell.metadata.get("nbgrader", {}).get("grade_id", "")
    return title.split(":")[0] if short else title


HEADING = re.compile(r"^#+\s+(.+?)\s*$", re.M)


def exercise_titles(nb):
    """{grade id: title} of a notebook's graded cells, as a person reads them: a test cell's
    docstring ("Exercise 1: x.grad after three backward calls"), else the heading above the
    cell without its parenthesis ("Exercise 5 — explain"), else the grade id."""
    found, heading = {}, ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            headings = HEADING.findall(cell.source)
            heading = re.sub(r"\s*\(.*\)$", "", headings[-1]) if headings else heading
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            title = exercise_title(cell) if cell.cell_type == "code" else ""
            if not title or title == meta["grade_id"]:
                title = heading or meta["grade_id"]
            found[meta["grade_id"]] = title
    return found


def _names_in(source):
    try:
        return [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)]
    except SyntaxError:
        return []


__all__ = ["CellVerdict", "TrustedVerdicts", "judge_cell", "UNANSWERED", "exercise_title"]
