"""Grading speed, in one run: serial `nbgrader autograde` against our parallel grading, sandboxed
and not, on the same submissions; then the whole demo class, sandboxed, on a Dask LocalCluster
(how `grade` runs) and on a plain process pool (how it ran before Dask), in turns.

    .venv/bin/python bench/bench_grading.py [--students 6] [--workers 2] [--rounds 2] [--no-class]

All grade copies of one demo course; the grades must come out identical. Goals (issues 9, 13,
23): the sandbox costing at most 1.15x the time of the same grading without it; at most 1.0 s per
submission per core; the demo class in at most 90 s on 2 cores; Dask costing at most 1.05x the
process pool's core-seconds.

"Per submission per core" (core-seconds per submission) is wall time x workers / submissions,
start-up included (the cluster or pool, its workers and their warm sandboxes start inside the
timed run). The pool and the cluster take turns, `--rounds` times each, so that a machine that
gets busier or quieter during the run weighs on both alike; the ratio is of their medians.
Each run's time is also split into the workers' busy seconds (the submissions' own, summed) and
their idle ones (wall x workers - busy: starting, ending, waiting for a task): what a way of
running adds shows as idle time, while the busy seconds carry the machine's noise (a few per
cent from run to run of the same way here).
"""

import argparse
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from concurrent.futures import ProcessPoolExecutor  # noqa: E402

from grading import worker  # noqa: E402
from grading.autograde import grade_class  # noqa: E402
from grading.course import Course, environment, read_notebook  # noqa: E402
from grading.demo import STUDENTS, make_class  # noqa: E402

LESSONS = ["03_backward", "04_accumulation"]


def quiet(*args):
    pass


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def nbgrader_can_grade(course, student):
    """nbgrader's own autograde stops at a notebook that is not JSON, or that has a cell copied
    with its grade id (ours grades the rest, and the copy as a plain cell)."""
    for lesson in LESSONS:
        for path in course.submission(student, lesson):
            try:
                cells = read_notebook(path).cells
            except ValueError:
                return False
            ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in cells]
            ids = [i for i in ids if i]
            if len(ids) != len(set(ids)):
                return False
    return True


def sample(pristine, tmp, n_students, workers):
    """The same submissions graded three ways; returns the report's lines."""
    serial, sandboxed, unsafe = (pristine.copy(tmp / name)
                                 for name in ("serial", "sandboxed", "unsafe"))
    students = [s for s in STUDENTS if nbgrader_can_grade(pristine, s)][:n_students]
    for student in set(STUDENTS) - set(students):  # grade the same class on every side
        for course in (serial, sandboxed, unsafe):
            shutil.rmtree(course.directory("submitted") / student)
    jobs = [(s, lesson) for s in students for lesson in LESSONS]
    nbgrader = [Path(sys.executable).parent / "nbgrader", "autograde", "--log-level=ERROR"]
    t_serial = sum(timed(subprocess.run, nbgrader + [lesson], cwd=serial.root, env=environment(),
                         check=True, capture_output=True)[0]
                   for lesson in LESSONS)  # nbgrader's own loop over the students, one process
    t_sandboxed, _ = timed(grade_class, sandboxed, jobs, workers=workers, log=quiet)
    t_unsafe, _ = timed(grade_class, unsafe, jobs, workers=workers, log=quiet, sandboxed=False)
    same = serial.auto_scores(jobs) == sandboxed.auto_scores(jobs) == unsafe.auto_scores(jobs)
    return [f"{len(jobs)} submissions ({len(students)} students x {len(LESSONS)} lessons)",
            f"serial nbgrader autograde   {t_serial:7.1f} s",
            f"parallel, {workers} workers         {t_sandboxed:7.1f} s   (sandboxed)",
            f"parallel, no sandbox        {t_unsafe:7.1f} s   (nbgrader's Execute: a kernel "
            "started per submission)",
            f"sandbox cost                {t_sandboxed / t_unsafe:7.2f}x   (goal <= 1.15x)",
            f"speed-up over serial        {t_serial / t_sandboxed:7.2f}x",
            f"per submission per core     {t_sandboxed * workers / len(jobs):7.2f} s "
            f"  (serial nbgrader: {t_serial / len(jobs):.2f} s)",
            f"identical grades            {same}"]


def pool_grade_class(course, jobs, workers):
    """The class on a process pool, as `grade` ran before Dask: the same worker, one process and
    one warm sandbox per worker, no scheduler."""
    initargs = (str(course.root), course.db_url, course.config.Execute.get("timeout"), True,
                None)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=worker.init, initargs=initargs) as pool:
        return list(pool.map(worker.grade_one, *zip(*jobs)))


def whole_class(pristine, tmp, workers, rounds):
    ways = {"Dask LocalCluster": lambda course, jobs: grade_class(course, jobs, workers=workers,
                                                                   log=quiet),
            "process pool": lambda course, jobs: pool_grade_class(course, jobs, workers)}
    seconds, idle = {way: [] for way in ways}, {way: [] for way in ways}
    grades, slowest = {}, None
    for turn in range(rounds):
        for way, grade in (ways.items() if turn % 2 == 0 else reversed(ways.items())):
            course = pristine.copy(tmp / f"class-{turn}-{way.split()[-1]}")
            jobs = [(s, a) for s in course.students() for a in course.graded_assignments()]
            took, outcomes = timed(grade, course, jobs)
            seconds[way].append(took)
            idle[way].append(took * workers - sum(o.seconds for o in outcomes))
            grades[way] = course.auto_scores([j for j, o in zip(jobs, outcomes) if o.graded])
            slowest = max([*outcomes, slowest or outcomes[0]], key=lambda o: o.seconds)
    n = len(jobs)
    per_core = {way: statistics.median(times) * workers / n for way, times in seconds.items()}
    dask, pool = per_core["Dask LocalCluster"], per_core["process pool"]
    added = statistics.median(idle["Dask LocalCluster"]) - statistics.median(idle["process pool"])
    lines = [f"the demo class: {n} submissions ({len(course.students())} students x "
             f"{len(course.graded_assignments())} lessons), sandboxed, {workers} workers, "
             f"{rounds} rounds each, in turns"]
    for way, times in seconds.items():
        lines.append(f"  {way:<18} wall {' '.join(f'{t:6.1f}' for t in times)} s   "
                     f"core-seconds per submission {per_core[way]:5.2f}   workers idle "
                     f"{' '.join(f'{t:5.1f}' for t in idle[way])} s")
    return lines + [
        f"  Dask / process pool       {dask / pool:7.3f}x  (goal <= 1.05x)",
        f"  idle, Dask - pool         {added:+7.1f} s   (worker-seconds, medians: "
        f"{100 * added / (statistics.median(seconds['process pool']) * workers):+.1f} % of the "
        "pool's core-seconds)",
        f"  wall time (Dask, median)  {statistics.median(seconds['Dask LocalCluster']):7.1f} s"
        "   (goal <= 90 s on 2 cores)",
        f"  per submission per core   {dask:7.2f} s   (goal <= 1.0 s)",
        f"  slowest submission        {slowest.seconds:7.1f} s   ({slowest.student}, "
        f"{slowest.assignment}: {slowest.status})",
        f"  identical grades          {grades['Dask LocalCluster'] == grades['process pool']}"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="runs of the class on each way")
    parser.add_argument("--no-class", action="store_true", help="skip the whole demo class")
    args = parser.parse_args()
    os.environ.update(environment())
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pristine = Course.create_demo(tmp / "pristine", timeout=30)
        make_class(pristine, log=quiet)
        lines = sample(pristine, tmp, args.students, args.workers)
        print("\n".join(lines), flush=True)
        if not args.no_class:
            print("\n".join(whole_class(pristine, tmp, args.workers, args.rounds)))


if __name__ == "__main__":
    main()
