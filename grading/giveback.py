"""Giving feedback back: through nbgrader's exchange, or as a zip of one file per student.

Feedback is generated again first, so points and comments given in formgrader since the grading
run are in it (without hidden tests: grading.feedback), and the files grading left out are named.
A submission that had nothing of the student's own to grade (its notebook a link, a FIFO, too
big) gets a page saying so; any other that could not be graded has no feedback; it is named,
never skipped silently. What goes out is read as files of the course's own (grading/files.py):
never through a link.
"""

import shutil
import zipfile
from dataclasses import asdict, dataclass, field

from .feedback import generate, not_graded_page
from .files import NBGRADER_FILE_LIMIT, NBGRADER_FILES, read_own

PAGE_LIMIT = 256 << 20  # bytes of one feedback page (its pictures inline)


@dataclass
class GivenBack:
    students: list = field(default_factory=list)  # whose feedback went out
    missing: list = field(default_factory=list)  # (student, why there is none to give)
    failed: list = field(default_factory=list)  # (student, what went wrong giving it)
    not_final: dict = field(default_factory=dict)  # {student: [exercise]} still to grade by hand
    elsewhere: list = field(default_factory=list)  # handed in another way: the exchange has no
    # way back to them (an LMS's zip, the demo class)

    def summary(self, where):
        lines = [f"feedback for {len(self.students)} students {where}"]
        lines += [f"  not final for {student} (it says so): {', '.join(open_)} still to grade "
                  "by hand" for student, open_ in sorted(self.not_final.items())
                  if student in self.students]
        lines += [f"  no feedback for {student}: {why}" for student, why in self.missing]
        if self.elsewhere:
            lines.append(f"  not through the exchange for {len(self.elsewhere)} students who did "
                         "not hand in through it (give theirs back with --zip): "
                         + ", ".join(self.elsewhere))
        lines += [f"  ! FAILED for {student}: {why}" for student, why in self.failed]
        return "\n".join(lines)


class HandGradingOpen(ValueError):
    """Give-back refused: a person has not finished grading these students (`open`:
    {student: [exercise]})."""

    def __init__(self, assignment, open_):
        self.open = open_
        lines = [f"{student}: {', '.join(exercises)}" for student, exercises in sorted(open_.items())]
        super().__init__(
            f"feedback for {assignment} not given back: hand grading is still open for "
            f"{len(open_)} students (grade it in formgrader, then give back again; or give back "
            "as it is with --partial, and each of these feedbacks says it is not final):\n  "
            + "\n  ".join(lines))


def open_grading(course, assignment, students=None):
    """{student: [exercise titles]} whose hand grading is still open in this lesson."""
    from .report import titles

    names = titles(course, assignment)
    found = {}
    with course.gradebook() as gradebook:
        for submission in gradebook.find_assignment(assignment).submissions:
            student = submission.student.id
            if students and student not in students:
                continue
            waiting = sorted({g.name for nb in submission.notebooks for g in nb.grades
                              if g.needs_manual_grade}, key=lambda g: list(names).index(g)
                             if g in names else len(names))
            if waiting:
                found[student] = [names.get(g, g) for g in waiting]
    return found


def refresh(course, assignment, students=None, partial=False):
    """Regenerate the lesson's feedback for each graded student; returns GivenBack.

    Refused (HandGradingOpen, nothing written) while a person has still to grade any of them,
    unless `partial`: then each such feedback says it is not final."""
    from .worker import lost_notebooks, recorded  # the grading run's records (and its imports)

    open_ = open_grading(course, assignment, students)
    if open_ and not partial:
        raise HandGradingOpen(assignment, open_)
    result = GivenBack(not_final=open_)
    with course.gradebook() as gradebook:
        graded = {s.student.id for s in gradebook.find_assignment(assignment).submissions
                  if s.notebooks}
    submitted = {p.parent.name for p in course.directory("submitted").glob(f"*/{assignment}")}
    for student in sorted(students or graded | submitted):
        outcome = recorded(course, student, assignment)
        lost = lost_notebooks(course, outcome) if outcome and not outcome.graded else []
        if lost:
            _not_graded(course, assignment, student, outcome, lost)
            result.students.append(student)
        elif student not in graded:
            why = ("handed in, not graded yet (or not gradable: see the report)"
                   if student in submitted else "nothing handed in")
            result.missing.append((student, why))
        elif not (course.directory("autograded") / student / assignment).is_dir():
            result.missing.append((student, "not autograded (see the report)"))
        elif not generate(course, assignment, student)["success"]:
            result.failed.append((student, "nbgrader generate_feedback failed"))
        else:
            result.students.append(student)
    return result


def _not_graded(course, assignment, student, outcome, lost):
    """The page of a submission with nothing of the student's own to grade, in feedback/ with
    nbgrader's record of it (which the exchange needs to give it back)."""
    folder = course.directory("feedback") / student / assignment
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    page = not_graded_page(assignment, lost[0].reason, [asdict(d) for d in outcome.dropped])
    for notebook in course.notebooks(assignment):
        (folder / notebook).with_suffix(".html").write_text(page)
    for name in NBGRADER_FILES:
        try:
            data = read_own(course.directory("submitted") / student / assignment / name,
                            NBGRADER_FILE_LIMIT)
        except ValueError:
            continue
        (folder / name).write_bytes(data)


def _pages(course, assignment, student):
    """{name: bytes} of a student's feedback pages, each a file of its own (never a link)."""
    folder = course.directory("feedback") / student / assignment
    return {page.name: read_own(page, PAGE_LIMIT) for page in sorted(folder.glob("*.html"))}


def release(course, assignment, students=None, partial=False):
    """Each student's feedback to the exchange: they fetch it in their Assignments tab."""
    result = refresh(course, assignment, students, partial)
    api = course.api()
    for student in list(result.students):
        if not (course.directory("submitted") / student / assignment / "submission_secret.txt"
                ).exists():
            result.students.remove(student)  # no submission_secret.txt: not the exchange's
            result.elsewhere.append(student)
            continue
        try:
            _pages(course, assignment, student)
        except ValueError as why:
            result.students.remove(student)
            result.failed.append((student, f"a feedback page is {why}"))
            continue
        outcome = api.release_feedback(assignment, student)
        if not outcome["success"]:
            result.students.remove(student)
            error = (outcome.get("error") or outcome.get("log") or "").strip()
            result.failed.append((student, "nbgrader release_feedback: " + error.splitlines()[-1]))
    return result


def zip_feedback(course, assignment, target, students=None, partial=False):
    """One HTML file per student (STUDENT_NOTEBOOK.html), zipped for an LMS's upload."""
    result = refresh(course, assignment, students, partial)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for student in list(result.students):
            try:
                pages = _pages(course, assignment, student)
            except ValueError as why:
                result.students.remove(student)
                result.failed.append((student, f"a feedback page is {why}"))
                continue
            for name, data in pages.items():
                archive.writestr(f"{student}_{name}", data)
    return result
