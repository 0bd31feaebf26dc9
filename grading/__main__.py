"""grading demo | release | collect | grade | report | giveback | export (see grading/__init__.py).

`grading` is the console script of this package (in the venv's bin/); `python -m grading` is the
same."""

import argparse
import os
import sys
from pathlib import Path

from .course import Course, environment

DEMO_ROOT = Path("build/grading")
# (flag, trait, what): the sandbox's limits, then those on the files a submission hands in
LIMITS = [("memory", "SandboxedExecute.memory_limit", "bytes of memory, all its processes together"),
          ("processes", "SandboxedExecute.process_limit", "processes at once per submission"),
          ("wall", "SandboxedExecute.wall_limit", "seconds for a whole submission"),
          ("output", "SandboxedExecute.output_limit", "bytes of output kept per submission"),
          ("notebook-size", "SubmissionFiles.notebook_limit", "bytes of each notebook"),
          ("files", "SubmissionFiles.files_limit", "files beside the notebook"),
          ("files-size", "SubmissionFiles.size_limit", "bytes of the files beside the notebook")]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="grading", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="make the demo course and its class of students")
    grade = commands.add_parser("grade", help="autograde, grades.csv and report")
    report = commands.add_parser("report", help="grades.csv and report.html from the gradebook")
    release = commands.add_parser("release", help="hand lessons out through nbgrader's exchange")
    collect = commands.add_parser("collect", help="students' work into submitted/: from the "
                                                  "exchange, or from an LMS's zip (--zip)")
    giveback = commands.add_parser("giveback", help="feedback to the exchange, or a zip of one "
                                                    "file per student (--zip)")
    export = commands.add_parser("export", help="grades-by-student.csv: a column per lesson, total")
    instructor = (release, collect, giveback, export)
    for command in (demo, grade, report, *instructor):
        command.add_argument("--root", type=Path, default=DEMO_ROOT,
                             help="the nbgrader course directory (default: %(default)s)")
        command.add_argument("--db-url", help="gradebook URL, e.g. postgresql://host/db "
                                              "(default: the course's, or its gradebook.db)")
    demo.add_argument("--timeout", type=int, default=30, help="seconds per cell when grading")
    grade.add_argument("--workers", type=int, help="Dask workers on this machine, one "
                       "submission at a time each (default: one per core)")
    grade.add_argument("--scheduler", metavar="ADDRESS", help="grade on the Dask cluster whose "
                       "scheduler this is, e.g. tcp://10.0.0.5:8786, its workers seeing the "
                       "course at the same path (default: a cluster on this machine)")
    grade.add_argument("--lessons", nargs="*", help="assignments to grade (default: all)")
    grade.add_argument("--students", nargs="*", help="students to grade (default: all)")
    grade.add_argument("--timeout", type=int, help="seconds per cell (default: the course's)")
    grade.add_argument("--no-report", action="store_true", help="leave the report to `report`")
    for command, which in ((release, "lessons to hand out (default: all)"),
                           (collect, "lessons to collect (default: all; with --zip, at most one: "
                                     "each notebook's name says its lesson)"),
                           (giveback, "lessons whose feedback to give back (default: all; with "
                                      "--zip, one)")):
        command.add_argument("lessons", nargs="*", help=which)
        command.add_argument("--exchange", help="nbgrader's exchange directory (default: the "
                                                "course's Exchange.root, else COURSE/exchange)")
    collect.add_argument("--zip", type=Path, help="an LMS's download of the submissions")
    collect.add_argument("--pattern", default="canvas", help="how the LMS names files: "
                         "canvas, moodle, blackboard, or a regex with (?P<student_id>...) and "
                         "(?P<file_id>...) groups (default: %(default)s)")
    collect.add_argument("--replace", action="store_true", help="take files that differ from "
                         "those collected before (the earlier copies are kept in downloaded/)")
    giveback.add_argument("--zip", type=Path, help="write feedback here instead, one file per "
                                                   "student (one lesson at a time)")
    giveback.add_argument("--students", nargs="*", help="students (default: everyone graded)")
    giveback.add_argument("--partial", action="store_true", help="give back even while hand "
                          "grading is open (each such feedback says it is not final)")
    grade.add_argument("--force", action="store_true", help="grade every submission again, "
                       "also those unchanged since they were graded (grades set by hand stay)")
    export.add_argument("--out", type=Path, help="the CSV (default: report/grades-by-student.csv)")
    grade.add_argument("--unsafe", action="store_true",
                       help="grade without the sandbox (the report says so on its first line)")
    for flag, trait, what in LIMITS:
        grade.add_argument(f"--{flag}", type=int, dest=trait,
                           help=f"limit: {what} (default: the course's, or "
                                f"c.{trait} in nbgrader_config.py)")
    args = parser.parse_args(argv)
    os.environ.update(environment())

    if args.command == "demo":
        from .demo import make_class

        try:
            course = Course.create_demo(args.root, db_url=args.db_url, timeout=args.timeout)
        except FileExistsError as error:
            parser.error(str(error))
        print(f"demo course in {course.root}: generating the lessons and a class of students")
        make_class(course)
        print(f"next: grading grade --root {args.root}")
        return 0

    course = Course(args.root, db_url=args.db_url, timeout=getattr(args, "timeout", None))
    if not (course.root / "nbgrader_config.py").exists():
        parser.error(f"{course.root} is not an nbgrader course (no nbgrader_config.py); "
                     "make the demo one with `grading demo`")
    if args.command in ("release", "collect", "giveback", "export"):
        from .instructor import run_command

        try:
            return run_command(course, args)
        except (ValueError, FileExistsError) as error:  # input to fix: nothing was changed
            parser.error(str(error))
        except RuntimeError as error:  # nbgrader refused (e.g. a lesson released already)
            print(error, file=sys.stderr)
            return 1
    from . import run

    if args.command == "grade":
        assignments = args.lessons or course.graded_assignments()
        unknown = sorted(set(assignments) - set(course.assignments()))
        unknown += sorted(set(args.students or []) - set(course.students()))
        if unknown:
            parser.error(f"not in {course.root}: {', '.join(unknown)} (lessons: "
                         f"{' '.join(course.assignments())}; students: see submitted/)")
        if args.workers is not None and (args.scheduler or args.workers < 1):
            parser.error("--workers: a number of workers on this machine, at least 1 (a "
                         "cluster at --scheduler grades with its own workers)")
        students = args.students or course.students()
        print(f"grading {len(students)} students x {len(assignments)} lessons")
        from .autograde import Refused
        from .sandbox import Unavailable

        limits = {trait: getattr(args, trait) for _, trait, _ in LIMITS}
        # only what was handed in: an LMS's zip brings some lessons of some students
        jobs = [(s, a) for s in students for a in assignments
                if (course.directory("submitted") / s / a).is_dir()]
        try:
            run.grade(course, jobs, args.workers, sandboxed=not args.unsafe, limits=limits,
                      force=args.force, scheduler=args.scheduler)
        except (Unavailable, Refused) as error:
            parser.exit(2, f"grading grade: refused: {error}\n")
        if args.no_report:
            return 0
    return 0 if run.report(course) else 1


if __name__ == "__main__":
    sys.exit(main())
