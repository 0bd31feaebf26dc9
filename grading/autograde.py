"""Autograde a class in parallel: one job per (student, lesson), N worker processes.

nbgrader autogrades one submission at a time (its issue #174). Most of the time goes into
running notebooks, which is independent per student, so workers run nbgrader's own autograde
on separate submissions. The gradebook takes their short writes: SQLite with its lock, or
PostgreSQL -- where several machines can each take a shard of the students.
"""

import multiprocessing
import os
import time
import traceback
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from .course import Course, environment, read_notebook


@dataclass
class Outcome:
    student: str
    assignment: str
    status: str  # "graded", or what went wrong: "malformed notebook", "kernel died", ...
    seconds: float
    detail: str = ""


_COURSE = None  # one Course (and one nbgrader API) per worker process


def _worker_init(root, db_url, timeout):
    global _COURSE
    os.environ.update(environment())
    warnings.simplefilter("ignore")  # SQLAlchemy's and nbgrader's chatter
    log = open(Path(root) / "grading.log", "a")  # kernels' stderr too: inherited from here
    os.dup2(log.fileno(), 2)
    _COURSE = Course(root, db_url=db_url, timeout=timeout)


def grade_one(student, assignment):
    """Autograde one submission in this process; never raises."""
    start = time.perf_counter()
    try:
        for path in _COURSE.submission(student, assignment):
            deduplicate(path, read_notebook(path))  # malformed: this student's problem, said clearly
    except ValueError as error:
        return Outcome(student, assignment, "malformed notebook", time.perf_counter() - start,
                       str(error))
    try:
        result = _COURSE.api().autograde(assignment, student, force=True, create=True)
    except Exception:  # noqa: BLE001 -- one submission must not stop the class
        return Outcome(student, assignment, "grader error", time.perf_counter() - start,
                       traceback.format_exc(limit=3))
    seconds = time.perf_counter() - start
    log = (result.get("log") or "") + (result.get("error") or "")
    if "DeadKernelError" in log or "Kernel died" in log or "kernel died" in log:
        return Outcome(student, assignment, "kernel died", seconds, _last_lines(log))
    if not result["success"]:
        return Outcome(student, assignment, "grader error", seconds, _last_lines(log))
    if "CellTimeoutError" in log or "Timeout waiting for" in log:
        return Outcome(student, assignment, "graded (a cell timed out)", seconds)
    return Outcome(student, assignment, "graded", seconds)


def deduplicate(path, nb):
    """A cell copied in JupyterLab keeps its grade_id, and nbgrader then refuses the whole
    notebook. Keep the first cell of each grade_id; later copies stay, as plain cells (the
    student's code is kept, it just earns nothing). The original is saved in .original/."""
    seen, changed = set(), False
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None and grade_id in seen:
            del cell.metadata["nbgrader"]
            changed = True
        seen.add(grade_id)
    if changed:
        import nbformat

        backup = path.parent / ".original" / path.name
        if not backup.exists():
            backup.parent.mkdir(exist_ok=True)
            backup.write_bytes(path.read_bytes())
        nbformat.write(nb, path)


def _last_lines(text, n=6):
    return "\n".join(text.strip().splitlines()[-n:])


def shard_of(students, shard):
    """Shard "i/n": every n-th student, starting at the i-th (1-based), in sorted order."""
    if not shard:
        return students
    try:
        i, n = (int(part) for part in shard.split("/"))
    except ValueError:
        i = n = 0
    if not 1 <= i <= n:
        raise ValueError(f"--shard {shard}: expected i/n with 1 <= i <= n, e.g. 1/3")
    return [s for k, s in enumerate(sorted(students)) if k % n == i - 1]


def grade_class(course, jobs, workers=2, log=print):
    """Autograde each (student, assignment) job; returns the outcomes in the jobs' order."""
    outcomes, start = [], time.perf_counter()
    _ensure_gradebook(course, sorted({student for student, _ in jobs}))
    context = multiprocessing.get_context("spawn")  # a clean interpreter per worker
    initargs = (str(course.root), course.db_url, course.config.Execute.get("timeout"))
    with ProcessPoolExecutor(max(workers, 1), mp_context=context, initializer=_worker_init,
                             initargs=initargs) as pool:
        futures = [pool.submit(grade_one, *job) for job in jobs]
        for done, future in enumerate(as_completed(futures), 1):
            outcomes.append(future.result())
            _progress(log, done, len(jobs), outcomes[-1], start)
    order = {job: k for k, job in enumerate(jobs)}
    return sorted(outcomes, key=lambda o: order[(o.student, o.assignment)])


def _ensure_gradebook(course, students):
    """Students in the gradebook before the workers start, so they never race to add them."""
    with course.gradebook() as gradebook:
        for student in students:
            gradebook.update_or_create_student(student)


def _progress(log, done, total, outcome, start):
    mark = "✓" if outcome.status == "graded" else "!"
    log(f"  [{done:>3}/{total}] {mark} {outcome.student:<8} {outcome.assignment:<22} "
        f"{outcome.seconds:5.1f}s  {outcome.status if mark == '!' else ''}"
        f"   ({time.perf_counter() - start:.0f}s elapsed)")
