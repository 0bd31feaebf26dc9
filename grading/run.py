"""The grading run: each submission graded start to end by a worker; then the report."""

import time

from .autograde import grade_class
from .export import write_wide_csv
from .report import collect, plots, summary, write_csv, write_html
from .worker import Outcome, fingerprint, unchanged

UNSAFE = ("UNSAFE: graded without the sandbox (--unsafe): a submission could have read the "
          "solutions, changed other work or the gradebook, or fooled its checks.")


def grade(course, jobs, workers=None, log=print, sandboxed=True, limits=None, force=False,
          scheduler=None):
    """Grade the (student, assignment) jobs whose files or lesson's tests changed since they
    were graded (`force`: every one) on Dask: a LocalCluster of `workers` processes (default:
    one per core), or the cluster at `scheduler`; each outcome is recorded in grading-status/.
    Returns the outcomes of those graded."""
    start = time.perf_counter()
    if not sandboxed:
        log(UNSAFE)
    prints = {job: fingerprint(course, *job, sandboxed=sandboxed) for job in jobs}
    todo = [job for job in jobs if force or not unchanged(course, *job, prints[job])]
    if len(todo) < len(jobs):
        log(f"{len(jobs) - len(todo)} of {len(jobs)} submissions unchanged since they were "
            "graded (their files and their lesson's tests): kept as they are (--force grades "
            "them again)")
    outcomes = grade_class(course, [(*job, prints[job]) for job in todo], workers=workers,
                           scheduler=scheduler, log=log, sandboxed=sandboxed, limits=limits)
    log(f"graded {len(todo)} submissions in {time.perf_counter() - start:.0f} s")
    return outcomes


def report(course, log=print):
    """grades.csv, report.html and its plots from the gradebook and every recorded outcome;
    returns the rows."""
    outcomes = [Outcome.from_json(path.read_text())
                for path in sorted((course.root / "grading-status").glob("*.json"))]
    if not outcomes:
        log("nothing graded yet: run `grading grade` first")
        return []
    folder = course.root / "report"
    folder.mkdir(exist_ok=True)
    rows = collect(course, outcomes)
    unsafe = any(not o.sandboxed for o in outcomes)
    write_csv(rows, folder / "grades.csv")
    write_wide_csv(course, folder / "grades-by-student.csv")
    write_html(rows, plots(rows, folder, course), folder, course,
               warning=UNSAFE if unsafe else "", outcomes=outcomes)
    log((UNSAFE + "\n" if unsafe else "") + summary(course, rows, outcomes))
    log(f"\nreport: {folder / 'report.html'}\ngrades: {folder / 'grades.csv'}\n"
        f"by student: {folder / 'grades-by-student.csv'}\n"
        "feedback: written when given back (grading giveback), with the points given by hand")
    return rows
