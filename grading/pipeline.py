"""nbgrader configured as the grading run: one pipeline for `grading grade`, `nbgrader autograde`
and formgrader's Autograde and Generate Feedback buttons.

nbgrader's apps take their steps from config: `Autograde.autograde_preprocessors`, its hooks,
`GenerateFeedback.preprocessors` and its exporter. `configure(c)` sets them, so whatever starts an
autograde -- a worker of the grading run, or formgrader inside the Jupyter server -- runs the
student's notebook in the sandbox, reaches the verdicts outside it, keeps what a person decided,
flags what a person should look at and records the outcome; and whatever writes feedback writes
it without hidden tests, with the maths rendered and the files left out named.

The instructor's config (binder/jupyter/instructor/nbgrader_config.py: `make instructor`, a hub's
instructor image) calls `configure(c)`; so does every `Course.api()` of the grading commands.
A grading worker adds what only it knows: the copy of the student's own files it grades
(grading/worker.py), and records the outcome itself.
"""

import time
from pathlib import Path

import nbformat
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor, SaveAutoGrades
from traitlets import Bool


def autograde_preprocessors(sandboxed=True):
    """nbgrader's autograde pipeline, with its Execute sandboxed, the trusted verdicts added and
    its SaveAutoGrades keeping people's grades (named, not imported: config is shown as JSON in
    formgrader's Manage Assignments)."""
    nbgrader = "nbgrader.preprocessors."
    execute = ["grading.sandbox.SandboxedExecute", "nbgrader.preprocessors.IgnorePattern",
               "nbconvert.preprocessors.ClearMetadataPreprocessor",
               "grading.verdicts.TrustedVerdicts"] if sandboxed else \
        [nbgrader + "Execute", nbgrader + "IgnorePattern",
         "nbconvert.preprocessors.ClearMetadataPreprocessor"]
    # SanitizeHTML: the autograded notebook is what formgrader shows the instructor, logged in;
    # no script, event handler or SVG of a student's output acts in their browser
    return execute + [nbgrader + "LimitOutput", "grading.pipeline.Sanitize",
                      "grading.pipeline.KeepHandGrades",
                      nbgrader + "AssignLatePenalties", nbgrader + "CheckCellMetadata"]


def configure(c, sandboxed=True):
    """Set nbgrader's Autograde and GenerateFeedback to the grading run's steps, on config `c`."""
    nbgrader = "nbgrader.preprocessors."
    c.Autograde.sanitize_preprocessors = [nbgrader + "ClearOutput", "grading.pipeline.OneCellPerId",
                                          nbgrader + "OverwriteKernelspec",
                                          nbgrader + "OverwriteCells", nbgrader + "CheckCellMetadata"]
    c.Autograde.autograde_preprocessors = autograde_preprocessors(sandboxed)
    c.Autograde.pre_convert_hook = "grading.pipeline.before_autograde"
    c.Autograde.post_convert_hook = "grading.pipeline.after_autograde"
    c.GenerateFeedback.preprocessors = [
        "grading.feedback.NotFinal", "grading.feedback.LeftOut",
        "nbgrader.preprocessors.GetGrades", "grading.feedback.HideTests",
        "grading.pipeline.Sanitize", "grading.feedback.Maths",  # these after: their
        "grading.feedback.ByHand",  # MathML and notes are ours, not the student's
        "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"]
    c.GenerateFeedback.exporter_class = "grading.feedback.FeedbackExporter"
    return c


class Sanitize(SanitizeHTML):
    """nbconvert's SanitizeHTML, on: a student's HTML (a display's, a markdown cell's) is kept as
    text, so nothing of a submission acts in formgrader (the instructor, logged in) or in the
    feedback. nbconvert's is off unless enabled, and it escapes `<` and `>` in code and maths
    too, where markdown shows `&lt;`: so the lesson's own markdown cells, as released, are left
    as written; any other (a written answer, a cell a student added or changed) is sanitized."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        lesson = released(resources)  # none to compare: all sanitized
        self.lessons = {c.source for c in lesson.cells if c.cell_type == "markdown"} if lesson \
            else set()
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown" and cell.source in self.lessons:
            return cell, resources
        return super().preprocess_cell(cell, resources, index)


class OneCellPerId(NbGraderPreprocessor):
    """The grade cells nbgrader will grade: the lesson's own, once each. A cell copied in
    JupyterLab keeps its grade id; nbgrader's DeduplicateIds empties the copies' nbgrader
    metadata, which its validator then reads as an old format, refusing the whole notebook. Here
    one copy counts -- a test cell's first copy after its answer (a check run before its answer
    exists fails, whichever copy came first), otherwise the first -- and the others stay as
    plain cells (the student's code runs, it just earns nothing), as does a cell whose grade id
    the lesson does not have: a student cannot add an exercise."""

    def preprocess(self, nb, resources):
        lesson = released(resources)
        lesson = lesson and {c.metadata.get("nbgrader", {}).get("grade_id") for c in lesson.cells}
        copies = {}
        for index, cell in enumerate(nb.cells):
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id is not None:
                copies.setdefault(grade_id, []).append(index)
        for grade_id, found in copies.items():
            answers = copies.get(f"{grade_id}_answer")
            after = [index for index in found if answers and index > answers[0]]
            kept = (after or found)[0] if lesson is None or grade_id in lesson else None
            for index in found:
                if index != kept:
                    del nb.cells[index].metadata["nbgrader"]
        return nb, resources


def released(resources):
    """The lesson's notebook as released (nbgrader converts in the course's root), or None
    where there is none to compare."""
    from .course import Course

    info = resources.get("nbgrader", {})
    try:
        path = Course(Path.cwd()).directory("release") / str(info["assignment"]) / \
            f"{info['notebook']}.ipynb"
        return nbformat.read(path, as_version=4)
    except (KeyError, OSError, ValueError):
        return None


class KeepHandGrades(SaveAutoGrades):
    """nbgrader's SaveAutoGrades, except that a grade a person set stays as they left it.

    nbgrader's own marks every cell that has a manual score "needs manual grading" again on a
    re-grade, so a written answer graded and commented goes back to the instructor's queue.
    Here the autograder's score is updated beside the person's, which still counts (nbgrader's
    score is the manual one when there is one), and the status stays the person's. A cell the
    run could not reach (the notebook stopped before it: grading.verdicts' `by_hand`) is left
    to a person, not scored by the machine.
    """

    def preprocess(self, nb, resources):
        verdicts = nb.metadata.get("grading", {}).get("verdicts", [])
        self.by_hand = {v["grade_id"] for v in verdicts if v.get("by_hand")}
        return super().preprocess(nb, resources)

    def _add_score(self, cell, resources):
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        grade = self.gradebook.find_grade(grade_id, self.notebook_id, self.assignment_id,
                                          self.student_id)
        grade.auto_score, _ = utils.determine_grade(cell, self.log)
        if grade.manual_score is None:  # nobody decided yet: the machine's status
            grade.needs_manual_grade = grade.auto_score is None or grade_id in self.by_hand
        self.gradebook.db.commit()


class NotOwnFiles(BaseException):
    """A submission folder holding more than the student's own files, met by an autograde
    started outside the grading run (formgrader's button, `nbgrader autograde`): it is stopped
    before nbgrader copies anything. A BaseException: nbgrader's hook runner swallows an
    Exception and carries on, and its API reports any other as the autograde's failure."""


_started = {}  # (student, assignment): when an autograde outside the grading run began


def before_autograde(assignment, student, notebooks):
    """nbgrader's pre-convert hook (formgrader's Autograde, `nbgrader autograde`; the grading
    run's workers take their own files in themselves): only the student's own files go on.

    collect puts nothing else in submitted/ (grading/collect.py), so this stops only a folder
    filled some other way, before nbgrader copies it (nbgrader follows links)."""
    import tempfile

    from .course import Course
    from .files import Refused, SubmissionFiles, copy_own, describe

    course = Course(Path.cwd())  # nbgrader runs its converters in the course's root
    _started[student, assignment] = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="grading-check-") as scratch:
        try:
            dropped = copy_own(course.directory("submitted") / student / assignment,
                               Path(scratch) / "own", SubmissionFiles(config=course.config).limits(),
                               within=course.directory("submitted"))
        except Refused as error:
            dropped = str(error)
    if dropped:
        raise NotOwnFiles(f"{student}'s {assignment} holds more than the student's own files "
                          f"({dropped if isinstance(dropped, str) else describe(dropped)}): "
                          f"grade it with `grading grade --students {student} --lessons "
                          f"{assignment}`, which grades their own files and names the rest")


def after_autograde(assignment, student, notebooks):
    """nbgrader's post-convert hook: the outcome of an autograde started outside the grading
    run recorded as the run records it (grading-status/), its flags written."""
    from .collect import left_out
    from .course import Course
    from .worker import Outcome, finish

    course = Course(Path.cwd())
    start = _started.pop((student, assignment), time.perf_counter())
    outcome = Outcome(student, assignment, graded=False, seconds=0.0,
                      dropped=left_out(course, student, assignment))
    finish(course, outcome, {"success": True})
    outcome.seconds = time.perf_counter() - start
    outcome.record(course)
