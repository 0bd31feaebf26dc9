"""The class's grades as an LMS gradebook wants them: one row per student, a column per lesson.

Read from nbgrader's gradebook, so the points an instructor gives in formgrader (written
answers, tests handed over to a human, overrides) count as soon as they are saved there. A lesson
left blank was not submitted -- or was handed in but could not be graded, which `flags` says.
"""

import csv
from dataclasses import dataclass


@dataclass
class StudentGrades:
    student: str
    last_name: str
    first_name: str
    points: dict  # {lesson: points, or None when there is no graded submission}
    to_grade_by_hand: list  # lessons with cells still waiting for the instructor
    not_graded: list  # lessons handed in but not in the gradebook (the report says why)
    possible: float = 0.0  # the points of every lesson

    @property
    def total(self):
        return round(sum(p for p in self.points.values() if p is not None), 2)


def class_grades(course):
    """(lessons with their maximum points, one StudentGrades per student in the gradebook)."""
    from .worker import recorded

    submitted = course.directory("submitted")
    with course.gradebook() as gradebook:
        lessons = {a.name: a.max_score for a in sorted(gradebook.assignments, key=lambda a: a.name)
                   if a.max_score > 0}  # an index notebook has no points
        grades = []
        for student in sorted(gradebook.students, key=lambda s: s.id):
            points, by_hand, not_graded = {}, [], []
            for lesson in lessons:
                submission = next((s for s in student.submissions
                                   if s.assignment.name == lesson), None)
                outcome = recorded(course, student.id, lesson)
                if submission is None or not submission.notebooks or (
                        outcome is not None and not outcome.graded):
                    points[lesson] = None  # the grading run's record says why (the report)
                    if (submitted / student.id / lesson).is_dir():
                        not_graded.append(lesson)
                    continue
                points[lesson] = round(submission.score, 2)
                if submission.needs_manual_grade:
                    by_hand.append(lesson)
            grades.append(StudentGrades(student.id, student.last_name or "",
                                        student.first_name or "", points, by_hand, not_graded,
                                        round(sum(lessons.values()), 2)))
    return lessons, grades


def write_wide_csv(course, path):
    """grades-by-student.csv: student, names, a column per lesson, total; a points-possible row
    under the header, as LMS gradebook exports have it."""
    lessons, grades = class_grades(course)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "last_name", "first_name", *lessons, "total",
                         "to_grade_by_hand", "not_graded"])
        writer.writerow(["Points Possible", "", "", *lessons.values(),
                         round(sum(lessons.values()), 2), "", ""])
        for g in grades:
            writer.writerow([g.student, g.last_name, g.first_name,
                             *("" if g.points[lesson] is None else g.points[lesson]
                               for lesson in lessons),
                             g.total, " ".join(g.to_grade_by_hand), " ".join(g.not_graded)])
    return path
