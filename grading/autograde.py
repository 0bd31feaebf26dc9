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


def keep_lesson_cells(path, nb, lesson_ids):
    """The grade cells nbgrader will grade: the lesson's own, once each. A cell copied in
    JupyterLab keeps its grade_id, and nbgrader then refuses the whole notebook: one copy stays
    graded (`_graded_copy`), the others become plain cells (the student's code is kept, it just
    earns nothing), as does a cell whose grade_id the lesson does not have (a student cannot add
    an exercise). `path` is the copy being graded: what the student handed in stays as it was,
    in submitted/."""
    copies = {}
    for index, cell in enumerate(nb.cells):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None:
            copies.setdefault(grade_id, []).append(index)
    changed = False
    for grade_id, found in copies.items():
        kept = _graded_copy(found, copies.get(f"{grade_id}_answer"))
        for index in found:
            if index != kept or grade_id not in lesson_ids:
                del nb.cells[index].metadata["nbgrader"]
                changed = True
    if changed:
        import nbformat

        nbformat.write(nb, path)


def _graded_copy(found, answers):
    """The copy to grade: a test cell's first copy after its answer (a check run before its
    answer exists fails, whichever copy came first); otherwise the first."""
    after = [index for index in found if answers and index > answers[0]]
    return (after or found)[0]


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
    """Grade each (student, assignment) job start to end (grading/worker.py), in parallel.

    Sandboxed unless told otherwise: then the machine must have what the sandbox needs
    (grading.sandbox.require raises Unavailable, saying what is missing). `limits`:
    {"SandboxedExecute.wall_limit" or another limit's trait: value}, over the course's config.
    Returns the outcomes in the jobs' order.
    """
    if sandboxed:
        from .sandbox import require

        require()
    outcomes, start = [], time.perf_counter()
    _ensure_gradebook(course, sorted({student for student, _ in jobs}))
    context = multiprocessing.get_context("spawn")  # a clean interpreter per worker
    initargs = (str(course.root), course.db_url, course.config.Execute.get("timeout"),
                sandboxed, limits)
    with ProcessPoolExecutor(max(workers, 1), mp_context=context, initializer=worker.init,
                             initargs=initargs) as pool:
        futures = [pool.submit(worker.grade_one, *job) for job in jobs]
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
    mark = "✓" if outcome.graded and not (outcome.limits_hit or outcome.dropped) else "!"
    log(f"  [{done:>3}/{total}] {mark} {outcome.student:<8} {outcome.assignment:<22} "
        f"{outcome.seconds:5.1f}s  {outcome.status if mark == '!' else ''}"
        f"   ({time.perf_counter() - start:.0f}s elapsed)")
