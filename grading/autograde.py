"""Autograde a class in parallel: one job per (student, lesson), N worker processes.

nbgrader autogrades one submission at a time (its issue #174). Most of the time goes into
running notebooks, which is independent per student, so workers run nbgrader's own autograde
on separate submissions. The gradebook takes their short writes: SQLite with its lock, or
PostgreSQL -- where several machines can each take a shard of the students.
"""

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

from . import worker


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


def grade_class(course, jobs, workers=2, log=print, sandboxed=True, limits=None):
    """Grade each (student, assignment, fingerprint) job start to end (grading/worker.py), in
    parallel.

    Sandboxed unless told otherwise: then the machine must have what the sandbox needs
    (grading.sandbox.require raises Unavailable, saying what is missing). `limits`:
    {"SandboxedExecute.wall_limit" or another limit's trait: value}, over the course's config.
    Returns the outcomes in the jobs' order.
    """
    if sandboxed:
        from .sandbox import require

        require()
    outcomes, start = [], time.perf_counter()
    if not jobs:
        return []
    _ensure_gradebook(course, sorted({student for student, *_ in jobs}))
    context = multiprocessing.get_context("spawn")  # a clean interpreter per worker
    initargs = (str(course.root), course.db_url, course.config.Execute.get("timeout"),
                sandboxed, limits)
    with ProcessPoolExecutor(max(workers, 1), mp_context=context, initializer=worker.init,
                             initargs=initargs) as pool:
        futures = [pool.submit(worker.grade_one, *job) for job in jobs]
        for done, future in enumerate(as_completed(futures), 1):
            outcomes.append(future.result())
            _progress(log, done, len(jobs), outcomes[-1], start)
    order = {(student, assignment): k for k, (student, assignment, *_) in enumerate(jobs)}
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
