"""The instructor's commands around grading: release, collect, giveback, export."""

import os

from .collect import collect_exchange, collect_zip, pattern_of, release
from .export import write_wide_csv
from .giveback import release as release_feedback
from .giveback import zip_feedback


def run_command(course, args, log=print):
    """Run `grading release|collect|giveback|export`; returns the exit status.

    Raises ValueError (or FileExistsError) for input to fix, before anything is changed."""
    if getattr(args, "exchange", None):
        course.config.Exchange.root = str(args.exchange)
    if args.command == "export":
        out = args.out or course.root / "report" / "grades-by-student.csv"
        out.parent.mkdir(parents=True, exist_ok=True)
        log(f"grades by student: {write_wide_csv(course, out)}")
        return 0
    if args.command == "collect" and args.zip:
        if len(args.lessons) > 1:
            raise ValueError("collect --zip takes at most one lesson (the zip's notebooks say "
                             "which lesson each belongs to)")
        result = collect_zip(course, args.zip, pattern_of(args.pattern),
                             args.lessons[0] if args.lessons else None, args.replace)
        log(result.summary())
        log(f"next: grading grade --root {course.root}")
        return 1 if result.skipped else 0
    lessons = args.lessons or course.graded_assignments()
    unknown = sorted(set(lessons) - set(course.assignments()))
    if unknown:
        raise ValueError(f"no lesson {' '.join(unknown)} in {course.root} (lessons: "
                         f"{' '.join(course.assignments())})")
    if args.command == "giveback" and args.zip:
        if len(lessons) != 1:
            raise ValueError("giveback --zip takes one lesson: the LMS takes feedback per "
                             "assignment")
        result = zip_feedback(course, lessons[0], args.zip, args.students, args.partial)
        log(result.summary(f"in {args.zip}"))
        return 1 if result.failed else 0
    if args.command in ("release", "collect", "giveback"):
        exchange = _exchange_root(course)
        if exchange is not None and not os.path.isdir(exchange):
            raise ValueError(f"no exchange directory {exchange}: make it (mkdir -m 777 "
                             f"{exchange}) or name another with --exchange")
    status = 0
    for lesson in lessons:
        if args.command == "release":
            release(course, lesson)
            log(f"released {lesson}")
        elif args.command == "collect":
            result = collect_exchange(course, lesson)
            log(result.summary(lesson))
            status |= bool(result.refused)
        else:
            result = release_feedback(course, lesson, args.students, args.partial)
            log(result.summary(f"released for {lesson}"))
            status |= bool(result.failed)
    return status


def _exchange_root(course):
    """The directory of nbgrader's default exchange (None for another kind of exchange)."""
    api = course.api()
    return getattr(api.exchange.exchange(coursedir=api.coursedir, config=api.config), "root", None)
