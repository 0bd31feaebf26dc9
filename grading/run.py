"""The grading run: each submission graded start to end by a worker; then the report."""

import time

from .autograde import grade_class
from .export import write_wide_csv
from .flags import comment_flags
from .report import collect, plots, summary, write_csv, write_html
from .worker import Outcome

UNSAFE = ("UNSAFE: graded without the sandbox (--unsafe): a submission could have read the "
          "solutions, changed other work or the gradebook, or fooled its checks.")


def grade(course, jobs, workers=None, log=print, sandboxed=True, limits=None, scheduler=None):
    """Grade the (student, assignment) jobs on Dask: a LocalCluster of `workers` processes
    (default: one per core), or the cluster at `scheduler`; each outcome is recorded in
    grading-status/."""
    start = time.perf_counter()
    if not sandboxed:
        log(UNSAFE)
    outcomes = grade_class(course, jobs, workers=workers, scheduler=scheduler, log=log,
                           sandboxed=sandboxed, limits=limits)
    log(f"graded {len(jobs)} submissions in {time.perf_counter() - start:.0f} s")
    return outcomes


def report(course, log=print):
    """grades.csv, report.html and its plots from every recorded outcome; returns the rows."""
    outcomes = [Outcome.from_json(path.read_text())
                for path in sorted((course.root / "grading-status").glob("*.json"))]
    if not outcomes:
        log("nothing graded yet: run `python -m grading grade` first")
        return []
    folder = course.root / "report"
    folder.mkdir(exist_ok=True)
    rows = collect(course, outcomes)
    unsafe = any(not o.sandboxed for o in outcomes)
    write_csv(rows, folder / "grades.csv")
    write_wide_csv(course, folder / "grades-by-student.csv")
    comment_flags(course, outcomes)
    write_html(rows, plots(rows, folder), folder, warning=UNSAFE if unsafe else "",
               outcomes=outcomes)
    log((UNSAFE + "\n" if unsafe else "") + summary(rows, [o for o in outcomes if o.dropped]))
    log(f"\nreport: {folder / 'report.html'}\ngrades: {folder / 'grades.csv'}\n"
        f"by student: {folder / 'grades-by-student.csv'}\n"
        "feedback: written when given back (python -m grading giveback), with the points given "
        "by hand")
    return rows
