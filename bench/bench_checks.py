"""How long one check call takes after import, on a right answer (goal <= 10 ms at the median),
and what the checks make of every catalogued wrong answer: wrong accepted (must be 0), named
(a diagnosis) and generic shares, per lesson.

    .venv/bin/python bench/bench_checks.py
"""

import contextlib
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graders.answer_key.catalogue import (  # noqa: E402  (answers as students write them)
    EXERCISES,
    check_of,
    feedback_figures,
    run_cell,
    wrong_answers,
)


def timings():
    rows = []
    for grade_id, exercise in EXERCISES.items():
        check = check_of(grade_id)
        right = run_cell(exercise.right, check.answer)
        times = []
        for _ in range(15):
            start = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                check(right)
            times.append(time.perf_counter() - start)
        rows.append((grade_id, statistics.median(times) * 1e3))
    for name, ms in rows:
        print(f"{name:<28}{ms:8.2f} ms")
    overall = statistics.median(ms for _, ms in rows)
    print(f"{'median over checks':<28}{overall:8.2f} ms   (goal <= 10 ms)")
    print(f"{'slowest check':<28}{max(ms for _, ms in rows):8.2f} ms")


def print_figures(figures, title):
    print(title)
    for lesson, counts in figures.items():
        n = sum(counts.values())
        print(f"  {lesson:<4} {n:4d} wrong answers   wrong accepted {counts['accepted']:3d}   "
              f"named {counts['named'] / n:6.1%}   generic {counts['generic'] / n:6.1%}")


def main():
    timings()
    print_figures(feedback_figures(wrong_answers()), "feedback on the catalogued wrong answers")


if __name__ == "__main__":
    main()
