"""The grading run, step by step: autograde, tamper check, feedback, record; then the report."""

import dataclasses
import json
import time

from .autograde import Outcome, grade_class
from .export import write_wide_csv
from .feedback import generate
from .flags import comment_flags
from .integrity import Finding, scan, void
from .report import collect, plots, summary, write_csv, write_html


def grade(course, jobs, workers=2, log=print):
    """Autograde the (student, assignment) jobs; record each outcome in grading-status/."""
    start = time.perf_counter()
    outcomes = grade_class(course, jobs, workers=workers, log=log)
    status = course.root / "grading-status"
    status.mkdir(exist_ok=True)
    for outcome in outcomes:
        findings = []
        if outcome.status.startswith("graded"):
            findings = [f for path in course.submission(outcome.student, outcome.assignment)
                        for f in scan(path)]
            void(course, outcome.student, outcome.assignment, findings)
            if not generate(course, outcome.assignment, outcome.student)["success"]:
                log(f"  feedback for {outcome.student}/{outcome.assignment} failed")
        record = {**dataclasses.asdict(outcome),
                  "findings": [dataclasses.asdict(f) for f in findings]}
        (status / f"{outcome.student}__{outcome.assignment}.json").write_text(json.dumps(record))
    log(f"graded {len(jobs)} submissions in {time.perf_counter() - start:.0f} s")
    return outcomes


def report(course, log=print):
    """grades.csv, report.html and its plots from every recorded outcome; returns the rows."""
    outcomes, findings = [], {}
    for path in sorted((course.root / "grading-status").glob("*.json")):
        record = json.loads(path.read_text())
        found = [Finding(**f) for f in record.pop("findings")]
        outcome = Outcome(**record)
        outcomes.append(outcome)
        findings[(outcome.student, outcome.assignment)] = found
    if not outcomes:
        log("nothing graded yet: run `python -m grading grade` first")
        return []
    folder = course.root / "report"
    folder.mkdir(exist_ok=True)
    rows = collect(course, outcomes, findings)
    write_csv(rows, folder / "grades.csv")
    write_wide_csv(course, folder / "grades-by-student.csv")
    comment_flags(course, outcomes)
    write_html(rows, plots(rows, folder), folder)
    log(summary(rows))
    log(f"\nreport: {folder / 'report.html'}\ngrades: {folder / 'grades.csv'}\n"
        f"by student: {folder / 'grades-by-student.csv'}\nfeedback: {course.directory('feedback')}")
    return rows
