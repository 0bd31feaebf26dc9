"""The class at a glance: grades.csv, report.html with its plots, and a summary table.

One truth per submission: every score and status here is read from nbgrader's gradebook, as
formgrader, the export and the feedback read them -- the points a person gave in formgrader
included, and who decided each. The grading run's records (grading-status/) add what the
gradebook has no place for: the misconception behind a wrong answer, the flags, and why a
submission could not be graded at all.
"""

import csv
import html
from collections import Counter, defaultdict
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # files only: the report may be made on a machine without a display
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from .course import read_notebook  # noqa: E402
from .export import class_grades  # noqa: E402
from .files import describe  # noqa: E402

TO_GRADE = "to grade by hand"
AUTOGRADER, INSTRUCTOR = "autograder", "instructor"


@dataclass
class Row:
    student: str
    lesson: str
    exercise: str  # the grade id, or "(all)" for a submission that could not be graded
    title: str  # "Exercise 1: x.grad after three backward calls"
    score: float | None
    max_score: float
    status: str  # "graded", "to grade by hand", or "not graded: why"
    decided_by: str = ""  # "autograder" or "instructor" (set by hand in formgrader); "" if open
    written: bool = False  # a written answer (markdown): only a person grades it
    diagnosis: str = ""  # the misconception a wrong answer points to
    flag: str = ""  # why a person should look (grading.flags): it changed no score


def titles(course, assignment):
    """{grade id: title} of a lesson's graded cells, from its source notebooks."""
    from .verdicts import exercise_titles

    found = {}
    for name in course.notebooks(assignment):
        found.update(exercise_titles(read_notebook(course.directory("source") / assignment / name)))
    return found


def collect(course, outcomes):
    """One row per (student, lesson, exercise) in the gradebook -- or one per submission the
    grading run could not put there, with why."""
    from .flags import by_exercise, reasons

    rows, names = [], {}
    autograded = course.directory("autograded")
    with course.gradebook() as gradebook:
        for outcome in outcomes:
            lesson = outcome.assignment
            if lesson not in names:
                names[lesson] = titles(course, lesson)
            try:
                submission = gradebook.find_submission(lesson, outcome.student)
            except Exception:  # noqa: BLE001 -- MissingEntry: never autograded
                submission = None
            if submission is None or not submission.notebooks or not outcome.graded:
                max_score = gradebook.find_assignment(lesson).max_score
                why = outcome.problem or "not graded"
                detail = outcome.detail.strip().splitlines()[-1] if outcome.detail.strip() else ""
                rows.append(Row(outcome.student, lesson, "(all)", "", None, max_score,
                                f"not graded: {why}", diagnosis=detail))
                continue
            diagnoses = {v.grade_id: v.mistake for v in outcome.verdicts}  # the trusted ones
            for notebook in submission.notebooks:
                path = autograded / outcome.student / lesson / f"{notebook.name}.ipynb"
                nb = read_notebook(path) if path.exists() else None
                said = by_exercise(reasons(outcome, nb), nb) if nb else {}
                order = list(names[lesson])
                for grade in sorted(notebook.grades, key=lambda g: order.index(g.name)
                                    if g.name in order else len(order)):
                    rows.append(Row(
                        outcome.student, lesson, grade.name, names[lesson].get(grade.name, grade.name),
                        grade.score, grade.max_score,
                        TO_GRADE if grade.needs_manual_grade else "graded",
                        "" if grade.needs_manual_grade else
                        INSTRUCTOR if grade.manual_score is not None else AUTOGRADER,
                        grade.cell.cell_type == "markdown", diagnoses.get(grade.name, ""),
                        " ".join(said.get(grade.name, []))))
    return rows


def write_csv(rows, path):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "lesson", "exercise", "title", "score", "max_score",
                         "status", "decided_by", "misconception", "flagged"])
        for r in rows:
            writer.writerow([r.student, r.lesson, r.exercise, r.title,
                             "" if r.score is None else r.score, r.max_score, r.status,
                             r.decided_by, r.diagnosis, r.flag])


def label(assignment):
    """A lesson's short label: "04" for 04_accumulation; any other name as it is."""
    head = assignment.split("_")[0]
    return head if head.isdigit() else assignment


@dataclass
class Progress:
    """Hand grading: how much a person has decided, and what still waits."""
    written: int  # written answers handed in
    written_done: int
    waiting: dict  # {(student, lesson): [exercise titles]} still to grade by hand
    by_hand: list  # rows whose score a person set


def progress(rows):
    waiting = defaultdict(list)
    for r in rows:
        if r.status == TO_GRADE:
            waiting[r.student, r.lesson].append(r.title)
    written = [r for r in rows if r.written]
    return Progress(len(written), sum(r.status != TO_GRADE for r in written), dict(waiting),
                    [r for r in rows if r.decided_by == INSTRUCTOR])


def summary(course, rows, outcomes=()):
    """The table printed at the end: points per lesson and each student's total (from the
    gradebook, as the export has them), then what waits for a person."""
    lessons, grades = class_grades(course)
    not_graded = {(r.student, r.lesson): r.status for r in rows if r.exercise == "(all)"}
    flagged = {(r.student, r.lesson) for r in rows if r.flag}
    done = progress(rows)
    width = max([len(label(lesson)) for lesson in lessons] + [5])
    lines = ["student  " + " ".join(f"{label(lesson):>{width}}" for lesson in lessons)
             + "   total   (* to grade by hand, ! not graded, ? flagged)"]
    for g in grades:
        cells = []
        for lesson in lessons:
            points = g.points[lesson]
            mark = "!" if (g.student, lesson) in not_graded else \
                ("*" if lesson in g.to_grade_by_hand else "") + \
                ("?" if (g.student, lesson) in flagged else "")  # both: a crash waits
            cells.append(f"{'' if points is None else f'{points:g}'}{mark}".rjust(width))
        lines.append(f"{g.student:<8} " + " ".join(cells) + f"   {g.total:g}/{g.possible:g}")
    lines.append(f"\nhand grading: {done.written_done} of {done.written} written answers "
                 f"graded; {len(done.waiting)} submissions wait for you in formgrader")
    for (student, lesson), waiting in sorted(done.waiting.items()):
        lines.append(f"  {student} {lesson}: {', '.join(waiting)}")
    for (student, lesson), status in sorted(not_graded.items()):
        lines.append(f"  ! {student} {lesson}: {status}")
    return "\n".join(lines)


def plots(rows, folder, course):
    """The pictures: scores per lesson, pass rate per exercise, and per lesson the
    misconceptions seen (misconceptions-LESSON.png); returns the misconceptions counted."""
    lessons, grades = class_grades(course)
    fig, ax = plt.subplots(figsize=(9, 4))
    data = [[100 * g.points[lesson] / max(lessons[lesson], 1e-9) for g in grades
             if g.points[lesson] is not None and lesson not in g.to_grade_by_hand]
            for lesson in lessons]
    ax.boxplot(data, tick_labels=[label(lesson) for lesson in lessons])
    for i, values in enumerate(data, 1):
        ax.plot([i] * len(values), values, "o", alpha=0.4, color="#47a")
    ax.set_ylabel("% of the points"), ax.set_xlabel("lesson"), ax.set_ylim(-5, 105)
    ax.set_title("score distribution per lesson (graded submissions, hand grading done)")
    fig.tight_layout(), fig.savefig(folder / "scores.png", dpi=90), plt.close(fig)

    passed, tried = Counter(), Counter()
    for r in rows:
        if r.exercise != "(all)" and not r.written and r.status != TO_GRADE:
            key = (r.lesson, r.title)
            tried[key] += 1
            passed[key] += (r.score or 0) >= r.max_score
    exercises = sorted(tried)
    fig, ax = plt.subplots(figsize=(10, 0.28 * len(exercises) + 1))
    ax.barh([f"{label(lesson)} · {title}" for lesson, title in exercises],
            [100 * passed[e] / tried[e] for e in exercises], color="#4a7")
    ax.invert_yaxis(), ax.set_xlabel("% of students with full points"), ax.set_xlim(0, 100)
    ax.set_title("pass rate per exercise")
    fig.tight_layout(), fig.savefig(folder / "pass_rate.png", dpi=90), plt.close(fig)

    seen = Counter((r.lesson, r.title, r.diagnosis) for r in rows
                   if r.diagnosis and r.exercise != "(all)")
    by_lesson = defaultdict(list)
    for (lesson, title, mistake), n in seen.most_common():
        by_lesson[lesson].append((f"{title.split(':')[0]}: {mistake}", n))
    for old in folder.glob("misconceptions-*.png"):
        old.unlink()
    for lesson, found in by_lesson.items():
        top = found[:MISCONCEPTIONS_SHOWN]
        fig, ax = plt.subplots(figsize=(9, 0.32 * len(top) + 1))
        ax.barh([name for name, _ in top], [n for _, n in top], color="#d9534f")
        ax.invert_yaxis(), ax.set_xlabel("answers showing it")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # answers are counted whole
        ax.set_title(f"{lesson}: misconceptions seen" + (
            f" (the {len(top)} most seen of {len(found)})" if len(found) > len(top) else ""),
            loc="right", fontsize=10)  # right-aligned: the labels take the left
        fig.tight_layout(), fig.savefig(folder / f"misconceptions-{lesson}.png", dpi=90)
        plt.close(fig)
    return seen


MISCONCEPTIONS_SHOWN = 8  # per lesson's chart; grades.csv has them all


def write_html(rows, seen, folder, course, warning="", outcomes=()):
    """report.html; a `warning` (e.g. graded without the sandbox) is its first line."""
    lessons, grades = class_grades(course)
    not_graded = {(r.student, r.lesson): r.status for r in rows if r.exercise == "(all)"}
    flagged = {(r.student, r.lesson) for r in rows if r.flag}
    done = progress(rows)
    e = html.escape
    head = "".join(f'<th title="{e(lesson)}">{e(label(lesson))}</th>' for lesson in lessons)
    body = []
    for g in grades:
        cells = []
        for lesson in lessons:
            points, key = g.points[lesson], (g.student, lesson)
            if key in not_graded:
                cells.append(f'<td class="flag" title="{e(not_graded[key])}">not graded</td>')
            elif points is None:
                cells.append("<td></td>")
            else:
                css = "open" if lesson in g.to_grade_by_hand else ("review" if key in flagged else "")
                cells.append(f'<td class="{css}">{points:g}</td>')
        body.append(f"<tr><th>{e(g.student)}</th>{''.join(cells)}"
                    f"<td><strong>{g.total:g}</strong> / {g.possible:g}</td></tr>")
    possible = "".join(f"<td>{points:g}</td>" for points in lessons.values())
    waiting = "".join(f"<li>{e(s)} · {e(lesson)}: {e(', '.join(titles_))}</li>"
                      for (s, lesson), titles_ in sorted(done.waiting.items()))
    decided = "".join(f"<li>{e(r.student)} · {e(r.lesson)} · {e(r.title)}: {r.score:g} / "
                      f"{r.max_score:g}</li>" for r in done.by_hand)
    flags = "".join(f"<li>{e(r.student)} · {e(r.lesson)} · {e(r.title or r.exercise)}: "
                    f"{e(r.flag)}</li>" for r in rows if r.flag)
    failed = "".join(f"<li>{e(s)} · {e(lesson)}: {e(status)}</li>"
                     for (s, lesson), status in sorted(not_graded.items()))
    dropped = "".join(f"<li>{e(o.student)} · {e(o.assignment)}: {e(describe(o.dropped))}</li>"
                      for o in outcomes if o.dropped)
    charts = "".join(f'<img src="misconceptions-{e(lesson)}.png" alt="misconceptions in '
                     f'{e(lesson)}">' for lesson in sorted({lesson for lesson, _, _ in seen}))
    (folder / "report.html").write_text(f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Class report</title><style>
body {{ font-family: sans-serif; max-width: 1100px; margin: 2em auto; }} img {{ max-width: 100%; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: 3px 8px; }}
td {{ text-align: right; }} .flag {{ background: #fdd; text-align: left; }}
.open {{ background: #fff3cd; }} .review {{ background: #e8e0ff; }}
</style></head><body>
{f'<p class="flag"><strong>{e(warning)}</strong></p>' if warning else ""}
<h1>Class report</h1>
<p>{len(grades)} students, {len(lessons)} lessons. Points per lesson, as the gradebook holds them
(formgrader, <a href="grades-by-student.csv">grades-by-student.csv</a> and each student's
feedback say the same): <span class="open">yellow</span>, hand grading still open (its points
may change); <span class="review">violet</span>, flagged for you to look at; red, handed in but
not graded. Every exercise, with who decided its score, is in <a href="grades.csv">grades.csv</a>.
Feedback is written when it is given back (<code>grading giveback</code>).</p>
<table><tr><th>student</th>{head}<th>total</th></tr>
<tr><th>points possible</th>{possible}<td>{sum(lessons.values()):g}</td></tr>
{''.join(body)}</table>
<h2>Hand grading</h2>
<p>{done.written_done} of {done.written} written answers graded. Waiting for you in formgrader
({len(done.waiting)} submissions):</p><ul>{waiting or "<li>nothing: all graded</li>"}</ul>
<p>Scores you set by hand (they stand over the autograder's, and no re-grade changes
them):</p><ul>{decided or "<li>none yet</li>"}</ul>
<h2>Scores per lesson</h2><img src="scores.png" alt="score distribution per lesson">
<h2>Pass rate per exercise</h2><img src="pass_rate.png" alt="pass rate per exercise">
<h2>Misconceptions seen</h2>
<p>{sum(seen.values())} wrong answers matched a catalogued misconception; per lesson, with the
exercise that showed it:</p>
{charts or "<p>none</p>"}
<h2>Flagged</h2>
<p>Code that reaches into the graders or runs code made from text, and where a notebook was
stopped (its kernel died, a limit, a cell out of time). A flag changes no score: the exercises a
stopped notebook never reached wait for you; if you judge code to be cheating, set its score in
formgrader.</p><ul>{flags or "<li>none</li>"}</ul>
<h2>Not graded</h2><ul>{failed or "<li>none</li>"}</ul>
<h2>Files left out of submissions</h2>
<p>Grading takes only a student's own files: plain files inside the submission, within its
limits -- never a link, a FIFO or a device. Each student's feedback names them too.</p>
<ul>{dropped or "<li>none</li>"}</ul>
</body></html>
""")
