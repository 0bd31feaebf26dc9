"""Parallel autograde against serial `nbgrader autograde`, on the same submissions, in one run.

    .venv/bin/python bench/bench_grading.py [--students 8] [--workers 2]

All grade copies of one demo course; the grades must come out identical. Goals: at least 1.8x
faster than serial on 2 cores; the sandbox (grading/sandbox.py) costing at most 1.15x the time of
the same parallel grading without it.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grading.autograde import grade_class  # noqa: E402
from grading.course import Course, environment  # noqa: E402
from grading.demo import STUDENTS, make_class  # noqa: E402

LESSONS = ["03_backward", "04_accumulation"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    os.environ.update(environment())
    students = list(STUDENTS)[:args.students]  # the demo's class, in its order
    with tempfile.TemporaryDirectory() as tmp:
        pristine = Course.create_demo(Path(tmp) / "pristine", timeout=30)
        make_class(pristine, log=lambda *a: None)
        serial, parallel = pristine.copy(Path(tmp) / "serial"), pristine.copy(Path(tmp) / "parallel")
        unsafe = pristine.copy(Path(tmp) / "unsafe")

        for student in set(STUDENTS) - set(students):  # grade the same class on both sides
            for course in (serial, parallel, unsafe):
                shutil.rmtree(course.directory("submitted") / student)
        start = time.perf_counter()
        for lesson in LESSONS:  # nbgrader's own loop over the students, in one process
            subprocess.run([Path(sys.executable).parent / "nbgrader", "autograde", lesson,
                            "--log-level=ERROR"], cwd=serial.root, env=environment(),
                           check=True, capture_output=True)
        t_serial = time.perf_counter() - start

        start = time.perf_counter()
        grade_class(parallel, [(s, a) for s in students for a in LESSONS],
                    workers=args.workers, log=lambda *a: None)
        t_parallel = time.perf_counter() - start

        start = time.perf_counter()
        grade_class(unsafe, [(s, a) for s in students for a in LESSONS],
                    workers=args.workers, log=lambda *a: None, sandboxed=False)
        t_unsafe = time.perf_counter() - start

        jobs = [(s, a) for s in students for a in LESSONS]
        same = serial.auto_scores(jobs) == parallel.auto_scores(jobs) == unsafe.auto_scores(jobs)
    print(f"{len(jobs)} submissions ({len(students)} students x {len(LESSONS)} lessons)")
    print(f"serial nbgrader autograde   {t_serial:7.1f} s")
    print(f"parallel, {args.workers} workers         {t_parallel:7.1f} s   (sandboxed)")
    print(f"parallel, no sandbox        {t_unsafe:7.1f} s")
    print(f"sandbox cost                {t_parallel / t_unsafe:7.2f}x   (goal <= 1.15x)")
    print(f"speed-up                    {t_serial / t_parallel:7.2f}x   (goal >= 1.8x on 2 cores)")
    print(f"identical grades            {same}")


if __name__ == "__main__":
    main()
