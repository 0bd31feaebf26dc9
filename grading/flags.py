"""Flags, as the instructor meets them in formgrader: nbgrader's `flagged`, and the reason in the
comment of the exercise where it happened.

A flag is for a person; it changes no score. The grading run flags:
- code that reaches into the graders or runs code made from text (grading.integrity), in the
  comment of the exercise it precedes, with its cell and line;
- where the notebook was stopped (the kernel died, a limit, a cell out of time), in the comment
  of the exercise whose cell it was, with what stopped it; the exercises it never reached wait
  for a person (grading.pipeline.KeepHandGrades);
- files of the submission left out, and a sandbox that failed, in the notebook's first comment.

Each is written when a submission is graded (`write_flags`, from grading.worker.finish: the
grading run and formgrader's Autograde alike). A re-grade writes the flags that still hold and
clears those that do not; a comment the instructor wrote is never replaced, and a flag the
instructor cleared stays cleared while its reasons are the same.
"""

import re

from .course import is_test_cell
from .files import describe

MARK = "Flagged by the grading run: "
REVIEW = "Flagged for review by the grading run: "


def _code(line, at_most=200):
    """The student's line as Markdown code, whatever backticks it holds: it cannot end the code
    span and write on in the instructor's voice."""
    line = line if len(line) <= at_most else line[:at_most] + "…"
    fence = "`" * (max(map(len, re.findall("`+", line)), default=0) + 1)
    return f"{fence} {line} {fence}"


def reasons(outcome, nb):
    """{grade id of the comment they are told in: [reason]} of one graded notebook (nb: as
    autograded, whose cells the outcome's stops and findings count)."""
    from .verdicts import cell_name, stop_reason

    found = {}
    comment_of = _comments(nb)
    for finding in outcome.findings:
        found.setdefault(comment_of.get(finding.grade_id), []).append(
            f"{REVIEW}the code in {finding.file or cell_name(nb, finding.cell)} "
            f"{finding.reason}: {_code(finding.line)}. This changed no score.")
    for stop in outcome.stops:
        if stop.cell >= len(nb.cells):
            continue
        where = comment_of.get(_exercise_at(nb, stop.cell))
        if stop.problem == "cell timeout":
            text = f"{cell_name(nb, stop.cell)} ran out of time and was stopped; the rest ran on."
        else:
            text = (f"{stop_reason(stop, nb)}. The exercises from there on did not run: they "
                    "are graded by hand.")
        found.setdefault(where, []).append(MARK + text)
    if outcome.problem:
        found.setdefault(None, []).append(f"{MARK}{outcome.problem} ({outcome.detail}).")
    if outcome.dropped:
        found.setdefault(None, []).append(f"{MARK}files left out: {describe(outcome.dropped)}.")
    first = next((cell.metadata["nbgrader"]["grade_id"] for cell in nb.cells
                  if cell.metadata.get("nbgrader", {}).get("solution")), None)
    if None in found:  # the submission's own: in the notebook's first comment
        found.setdefault(first, [])[:0] = found.pop(None)
    return {name: texts for name, texts in found.items() if name is not None}


def by_exercise(found, nb):
    """`reasons` keyed by the graded cell they concern: an answer's comment belongs to the test
    that follows it (a written answer is its own)."""
    exercise, pending = {}, []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            pending.append(meta["grade_id"])
        if meta.get("grade"):
            exercise.update({name: meta["grade_id"] for name in pending})
            pending = []
    out = {}
    for name, texts in found.items():
        out.setdefault(exercise.get(name, name), []).extend(texts)
    return out


def write_flags(course, outcome):
    """The outcome's flags into the gradebook: each submitted notebook's `flagged` and the
    comments (see the module docstring)."""
    from nbgrader.api import MissingEntry

    from .course import read_notebook
    from .worker import recorded

    before = recorded(course, outcome.student, outcome.assignment)
    autograded = course.directory("autograded") / outcome.student / outcome.assignment
    with course.gradebook() as gradebook:
        try:
            submission = gradebook.find_submission(outcome.assignment, outcome.student)
        except MissingEntry:
            return  # never autograded (e.g. a malformed notebook): the report says why
        for notebook in submission.notebooks:
            path = autograded / f"{notebook.name}.ipynb"
            if not path.exists():
                continue
            nb = read_notebook(path)
            found = reasons(outcome, nb)
            for comment in notebook.comments:
                if not comment.manual_comment or comment.manual_comment.startswith((MARK, REVIEW)):
                    comment.manual_comment = " ".join(found.get(comment.name, [])) or None
            was = _said(before, nb) if before else set()
            now = {text for texts in found.values() for text in texts}
            if now and now != was:
                notebook.flagged = True  # new reasons flag it again, even if cleared before
            elif was and not now:
                notebook.flagged = False  # the machine's reasons are gone
        gradebook.db.commit()


def _said(outcome, nb):
    return {text for texts in reasons(outcome, nb).values() for text in texts}


def _comments(nb):
    """{grade id of a test cell or an answer: the grade id of the comment it is told in}: a
    test cell's is its answer's (the last answer cell before it), an answer's is its own."""
    found, answer = {}, None
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            answer = meta["grade_id"]
            found[answer] = answer
        elif is_test_cell(cell):
            found[meta["grade_id"]] = answer
            answer = None
    return found


def _exercise_at(nb, index):
    """The grade id of the cell at `index` if it has a comment, else of the test cell that
    follows it (the exercise it belongs to)."""
    meta = nb.cells[index].metadata.get("nbgrader", {})
    if meta.get("solution"):
        return meta["grade_id"]
    return next((c.metadata["nbgrader"]["grade_id"] for c in nb.cells[index:] if is_test_cell(c)),
                None)
