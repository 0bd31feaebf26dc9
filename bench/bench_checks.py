"""How long one check call takes after import, on a right answer: goal <= 10 ms at the median.

    .venv/bin/python bench/bench_checks.py
"""

import contextlib
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graders.catalogue import EXERCISES, check_of, run_cell  # noqa: E402  (answers as students write them)


def main():
    rows = []
    for grade_id, exercise in EXERCISES.items():
        check, right = check_of(exercise), run_cell(exercise.right, exercise.answer)
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


if __name__ == "__main__":
    main()
