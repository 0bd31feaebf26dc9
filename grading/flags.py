"""Flagged submissions, as the instructor meets them in formgrader: the reason in a comment.

A submission the grading run could not score as usual (its kernel died, a cell ran out of time,
the grader failed, files of it were left out) is listed in the report; in formgrader, the comment
on its first answer says why, so the instructor grading it by hand knows what happened. Code
flagged for review (grading.integrity) is said in the comment of the exercise it precedes, with
its cell and line; it changed no score. Either sets nbgrader's `flagged`. A comment the
instructor wrote is never replaced.
"""

from .course import read_notebook
from .files import describe

MARK = "Flagged by the grading run: "


def comment_flags(course, outcomes):
    """Write each flagged outcome's reason into its submission's first comment in the gradebook."""
    from nbgrader.api import MissingEntry

    flagged = [o for o in outcomes if not o.graded or o.limits_hit or o.dropped]  # fields
    with course.gradebook() as gradebook:
        for outcome in outcomes:
            if outcome.findings:
                _comment_findings(gradebook, outcome)
        for outcome in flagged:
            try:
                submission = gradebook.find_submission(outcome.assignment, outcome.student)
            except MissingEntry:
                continue  # never autograded (e.g. a malformed notebook): only the report has it
            reason = MARK + outcome.status + (f" ({outcome.detail.strip().splitlines()[-1]})"
                                              if outcome.detail.strip() else "") + "."
            if outcome.dropped:
                reason += f" Left out: {describe(outcome.dropped)}."
            for notebook in submission.notebooks:
                order = _cell_order(course, outcome.assignment, notebook.name)
                comments = sorted(notebook.comments, key=lambda c: order.get(c.name, len(order)))
                if comments and (comments[0].manual_comment or MARK).startswith(MARK):
                    comments[0].manual_comment = reason
        gradebook.db.commit()


def _cell_order(course, assignment, notebook):
    """{grade_id: position} in the lesson's source notebook (the gradebook keeps no order)."""
    nb = read_notebook(course.directory("source") / assignment / f"{notebook}.ipynb")
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    return {grade_id: k for k, grade_id in enumerate(ids) if grade_id}


REVIEW = "Flagged for review by the grading run: "


def _comment_findings(gradebook, outcome):
    """Each finding in the comment of the exercise it precedes; the submission flagged."""
    from nbgrader.api import MissingEntry

    try:
        submission = gradebook.find_submission(outcome.assignment, outcome.student)
    except MissingEntry:
        return
    for notebook in submission.notebooks:
        notebook.flagged = True
        by_exercise = {}
        for finding in outcome.findings:
            by_exercise.setdefault(finding.grade_id, []).append(
                f"your code {finding.reason} ({finding.where}: `{finding.line}`)")
        for comment in notebook.comments:
            found = by_exercise.get(comment.name.removesuffix("_answer"))
            if found and (comment.manual_comment or REVIEW).startswith(REVIEW):
                comment.manual_comment = REVIEW + "; ".join(found) + ". This changed no score."
