"""Giving feedback back: through nbgrader's exchange, or as a zip of one file per student.

Feedback is generated again first, so points and comments given in formgrader since the grading
run are in it (without hidden tests: grading.feedback). A submission that could not be graded
has no feedback; it is named, never skipped silently.
"""

import zipfile
from dataclasses import dataclass, field

from .feedback import generate


@dataclass
class GivenBack:
    students: list = field(default_factory=list)  # whose feedback went out
    missing: list = field(default_factory=list)  # (student, why there is none to give)
    failed: list = field(default_factory=list)  # (student, what went wrong giving it)

    def summary(self, where):
        lines = [f"feedback for {len(self.students)} students {where}"]
        lines += [f"  no feedback for {student}: {why}" for student, why in self.missing]
        lines += [f"  ! FAILED for {student}: {why}" for student, why in self.failed]
        return "\n".join(lines)


def refresh(course, assignment, students=None):
    """Regenerate the lesson's feedback for each graded student; returns GivenBack."""
    result = GivenBack()
    with course.gradebook() as gradebook:
        graded = {s.student.id for s in gradebook.find_assignment(assignment).submissions
                  if s.notebooks}
    submitted = {p.parent.name for p in course.directory("submitted").glob(f"*/{assignment}")}
    for student in sorted(students or graded | submitted):
        if student not in graded:
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


def release(course, assignment, students=None):
    """Each student's feedback to the exchange: they fetch it in their Assignments tab."""
    result = refresh(course, assignment, students)
    api = course.api()
    for student in list(result.students):
        if not (course.directory("submitted") / student / assignment / "submission_secret.txt"
                ).exists():
            result.students.remove(student)
            result.failed.append((student, "not handed in through nbgrader's exchange (no "
                                           "submission_secret.txt): give it back with --zip"))
            continue
        outcome = api.release_feedback(assignment, student)
        if not outcome["success"]:
            result.students.remove(student)
            error = (outcome.get("error") or outcome.get("log") or "").strip()
            result.failed.append((student, "nbgrader release_feedback: " + error.splitlines()[-1]))
    return result


def zip_feedback(course, assignment, target, students=None):
    """One HTML file per student (STUDENT_NOTEBOOK.html), zipped for an LMS's upload."""
    result = refresh(course, assignment, students)
    feedback = course.directory("feedback")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for student in result.students:
            for page in sorted((feedback / student / assignment).glob("*.html")):
                archive.write(page, f"{student}_{page.name}")
    return result
