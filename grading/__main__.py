"""python -m grading demo | grade | report  (see grading/__init__.py)."""

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

from .course import Course, environment

DEMO_ROOT = Path("build/grading")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grading", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="make the demo course and its class of students")
    grade = commands.add_parser("grade", help="autograde, feedback, grades.csv and report")
    report = commands.add_parser("report", help="grades.csv and report.html from the gradebook")
    for command in (demo, grade, report):
        command.add_argument("--root", type=Path, default=DEMO_ROOT,
                             help="the nbgrader course directory (default: %(default)s)")
        command.add_argument("--db-url", help="gradebook URL, e.g. postgresql://host/db "
                                              "(default: the course's, or its gradebook.db)")
    demo.add_argument("--timeout", type=int, default=30, help="seconds per cell when grading")
    grade.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                       help="parallel autograde processes (default: one per core)")
    grade.add_argument("--shard", help="i/n: grade only this machine's share of the students")
    grade.add_argument("--lessons", nargs="*", help="assignments to grade (default: all)")
    grade.add_argument("--students", nargs="*", help="students to grade (default: all)")
    grade.add_argument("--timeout", type=int, help="seconds per cell (default: the course's)")
    grade.add_argument("--no-report", action="store_true", help="leave the report to `report`")
    args = parser.parse_args(argv)
    os.environ.update(environment())

    if args.command == "demo":
        from .demo import make_class

        course = Course.create_demo(args.root, db_url=args.db_url, timeout=args.timeout)
        print(f"demo course in {course.root}: generating the lessons and a class of students")
        make_class(course)
        print(f"next: python -m grading grade --root {args.root}")
        return 0

    course = Course(args.root, db_url=args.db_url,
                    timeout=getattr(args, "timeout", None))
    if not (course.root / "nbgrader_config.py").exists():
        parser.error(f"{course.root} is not an nbgrader course (no nbgrader_config.py); "
                     "make the demo one with `python -m grading demo`")
    if args.command == "grade":
        grade_command(course, args)
        if args.no_report:
            return 0
    return report_command(course)


def grade_command(course, args):
    from .autograde import grade_class, shard_of
    from .demo import graded_assignments
    from .feedback import generate
    from .integrity import scan, void

    assignments = args.lessons or graded_assignments(course)
    students = shard_of(args.students or course.students(), args.shard)
    print(f"grading {len(students)} students x {len(assignments)} lessons "
          f"with {args.workers} workers{f' (shard {args.shard})' if args.shard else ''}")
    start = time.perf_counter()
    outcomes = grade_class(course, assignments, students, workers=args.workers)
    status = course.root / "grading-status"
    status.mkdir(exist_ok=True)
    for outcome in outcomes:
        findings = []
        if outcome.status.startswith("graded"):
            findings = [f for path in course.submission(outcome.student, outcome.assignment)
                        for f in scan(path)]
            void(course, outcome.student, outcome.assignment, findings)
            result = generate(course, outcome.assignment, outcome.student)
            if not result["success"]:
                print(f"  feedback for {outcome.student}/{outcome.assignment} failed")
        record = {**dataclasses.asdict(outcome), "findings": [dataclasses.asdict(f)
                                                              for f in findings]}
        (status / f"{outcome.student}__{outcome.assignment}.json").write_text(json.dumps(record))
    print(f"graded in {time.perf_counter() - start:.0f} s")


def report_command(course):
    from .autograde import Outcome
    from .integrity import Finding
    from .report import collect, plots, summary, write_csv, write_html

    outcomes, findings = [], {}
    for path in sorted((course.root / "grading-status").glob("*.json")):
        record = json.loads(path.read_text())
        found = [Finding(**f) for f in record.pop("findings")]
        outcome = Outcome(**record)
        outcomes.append(outcome)
        findings[(outcome.student, outcome.assignment)] = found
    if not outcomes:
        print("nothing graded yet: run `python -m grading grade` first")
        return 1
    folder = course.root / "report"
    folder.mkdir(exist_ok=True)
    rows = collect(course, outcomes, findings)
    write_csv(rows, folder / "grades.csv")
    seen = plots(rows, folder)
    write_html(rows, seen, folder)
    print(summary(rows))
    print(f"\nreport: {folder / 'report.html'}\ngrades: {folder / 'grades.csv'}\n"
          f"feedback: {course.directory('feedback')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
