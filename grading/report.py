"""The class at a glance: grades.csv, report.html with its plots, and a summary table."""

import csv
import html
from collections import Counter, defaultdict
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # files only: the report may be made on a machine without a display
import matplotlib.pyplot as plt  # noqa: E402

from graders.lessons import lesson_of  # noqa: E402

from .files import describe  # noqa: E402


@dataclass
class Row:
    student: str
    lesson: str
    exercise: str
    score: float | None
    max_score: float
    status: str
    diagnosis: str = ""
    manual: bool = False  # a written answer, for the instructor to grade
    flag: str = ""  # code for the instructor to review (grading.integrity): it changed no score


def collect(course, outcomes):
    """One row per (student, lesson, exercise) -- or one per submission that could not be graded."""
    rows = []
    with course.gradebook() as gradebook:
        for outcome in outcomes:
            if not outcome.graded:
                max_score = gradebook.find_assignment(outcome.assignment).max_score
                rows.append(Row(outcome.student, outcome.assignment, "(all)", None, max_score,
                                f"NOT GRADED: {outcome.status}", outcome.detail.splitlines()[-1]
                                if outcome.detail else ""))
                continue
            diagnoses = {v.grade_id: v.mistake for v in outcome.verdicts}  # the trusted ones
            flags = {f.grade_id: f"{f.reason} ({f.where}: {f.line})" for f in outcome.findings}
            submission = gradebook.find_submission(outcome.assignment, outcome.student)
            for notebook in submission.notebooks:
                for grade in sorted(notebook.grades, key=lambda g: g.cell.id):
                    status = "needs manual grading" if grade.needs_manual_grade else outcome.status
                    rows.append(Row(outcome.student, outcome.assignment, grade.name, grade.score,
                                    grade.max_score, status, diagnoses.get(grade.name, ""),
                                    grade.cell.cell_type == "markdown",
                                    flags.get(grade.name, "")))
    return rows


def _short(assignment):
    """A lesson's column label: its number, "04"."""
    return f"{lesson_of(assignment).number:02d}"


def write_csv(rows, path):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "lesson", "exercise", "score", "max_score", "status",
                         "misconception", "flagged for review"])
        for r in rows:
            writer.writerow([r.student, r.lesson, r.exercise, "" if r.score is None else r.score,
                             r.max_score, r.status, r.diagnosis, r.flag])


def percent_table(rows):
    """{student: {lesson: % of the autograded points, or why there are none}}."""
    totals = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0, ""]))
    for r in rows:
        if r.manual or r.status == "needs manual grading":
            continue  # written answers: the instructor's points come later, in formgrader
        cell = totals[r.student][r.lesson]
        if r.score is None and r.status.startswith("NOT GRADED"):
            cell[2] = r.status.removeprefix("NOT GRADED: ")
        cell[0] += r.score or 0.0
        cell[1] += r.max_score
    return {s: {lesson: (flag or round(100 * got / max(total, 1e-9)))
                for lesson, (got, total, flag) in lessons.items()} for s, lessons in totals.items()}


def summary(rows, left_out=()):
    """The table printed at the end: % of the points per lesson, or why a lesson has none;
    `left_out`: the outcomes whose files were not all taken in."""
    table = percent_table(rows)
    lessons = sorted({r.lesson for r in rows})
    lines = ["student  " + " ".join(f"{_short(lesson):>5}" for lesson in lessons) + "   flags"]
    for student in sorted(table):
        cells, flags = [], []
        for lesson in lessons:
            value = table[student].get(lesson, "")
            cells.append(f"{value:>4}%" if isinstance(value, int) else "    !")
            if not isinstance(value, int):
                flags.append(f"{_short(lesson)}: {value}")
        mine = [r for r in rows if r.student == student]
        review = sorted({_short(r.lesson) for r in mine if r.flag})
        if review:
            flags.append("code to review in " + " ".join(review))
        handed_over = sorted({_short(r.lesson) for r in mine  # e.g. a deleted test cell
                              if not r.manual and r.status == "needs manual grading"})
        if handed_over:
            flags.append("a test to grade by hand in " + " ".join(handed_over))
        dropped = sorted({_short(o.assignment) for o in left_out if o.student == student})
        if dropped:
            flags.append("files left out in " + " ".join(dropped))
        lines.append(f"{student:<8} " + " ".join(cells) + "   " + "; ".join(flags))
    return "\n".join(lines)


def plots(rows, folder):
    """Three pictures: scores per lesson, pass rate per exercise, misconceptions most seen."""
    table = percent_table(rows)
    lessons = sorted({r.lesson for r in rows})
    fig, ax = plt.subplots(figsize=(9, 4))
    data = [[v for v in (table[s].get(lesson) for s in table) if isinstance(v, int)]
            for lesson in lessons]
    ax.boxplot(data, tick_labels=[_short(lesson) for lesson in lessons])
    for i, values in enumerate(data, 1):
        ax.plot([i] * len(values), values, "o", alpha=0.4, color="#47a")
    ax.set_ylabel("% of the points"), ax.set_xlabel("lesson")
    ax.set_title("score distribution per lesson")
    fig.tight_layout(), fig.savefig(folder / "scores.png", dpi=90), plt.close(fig)

    passed, tried = Counter(), Counter()
    for r in rows:
        if r.exercise != "(all)" and not r.manual and r.status != "needs manual grading":
            tried[r.exercise] += 1
            passed[r.exercise] += (r.score or 0) >= r.max_score
    exercises = sorted(tried)
    fig, ax = plt.subplots(figsize=(9, 0.28 * len(exercises) + 1))
    ax.barh(exercises, [100 * passed[e] / tried[e] for e in exercises], color="#4a7")
    ax.invert_yaxis(), ax.set_xlabel("% of students with full points"), ax.set_xlim(0, 100)
    ax.set_title("pass rate per exercise")
    fig.tight_layout(), fig.savefig(folder / "pass_rate.png", dpi=90), plt.close(fig)

    seen = Counter(r.diagnosis for r in rows if r.diagnosis and r.exercise != "(all)")
    top = seen.most_common(12)
    fig, ax = plt.subplots(figsize=(9, 0.35 * max(len(top), 1) + 1))
    ax.barh([name for name, _ in top], [n for _, n in top], color="#d9534f")
    ax.invert_yaxis(), ax.set_xlabel("answers showing it")
    ax.set_title("misconceptions most seen in the class")
    fig.tight_layout(), fig.savefig(folder / "misconceptions.png", dpi=90), plt.close(fig)
    return seen


def write_html(rows, seen, folder, warning="", outcomes=()):
    """report.html; a `warning` (e.g. graded without the sandbox) is its first line; the
    outcomes give its flags for review and the files left out."""
    table = percent_table(rows)
    lessons = sorted({r.lesson for r in rows})
    head = "".join(f'<th title="{html.escape(lesson)}">{_short(lesson)}</th>' for lesson in lessons)
    body = []
    for student in sorted(table):
        cells = []
        for lesson in lessons:
            value = table[student].get(lesson, "")
            cells.append(f"<td>{value}%</td>" if isinstance(value, int)
                         else f'<td class="flag">{html.escape(str(value))}</td>')
        body.append(f"<tr><th>{html.escape(student)}</th>{''.join(cells)}</tr>")
    flags = "".join(f"<li>{html.escape(o.student)} · {html.escape(f.grade_id or o.assignment)}: "
                    f"{html.escape(f.reason)} ({html.escape(f.where)}: <code>{html.escape(f.line)}</code>)"
                    f"</li>" for o in outcomes for f in o.findings)
    dropped = "".join(f"<li>{html.escape(o.student)} · {html.escape(o.assignment)}: "
                      f"{html.escape(describe(o.dropped))}</li>" for o in outcomes if o.dropped)
    (folder / "report.html").write_text(f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Class report</title><style>
body {{ font-family: sans-serif; max-width: 1000px; margin: 2em auto; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: 3px 8px; }}
td {{ text-align: right; }} .flag {{ background: #fdd; text-align: left; }}
</style></head><body>
{f'<p class="flag"><strong>{html.escape(warning)}</strong></p>' if warning else ""}
<h1>Class report</h1>
<p>{len(table)} students, {len(lessons)} lessons. Percent of the autograded points (written
answers are left to the instructor); a red cell is a submission that could not be graded -- it is
not counted as 0. Details in
<a href="grades.csv">grades.csv</a>; feedback is written when it is given back
(<code>python -m grading giveback</code>).</p>
<table><tr><th>student</th>{head}</tr>{''.join(body)}</table>
<h2>Scores per lesson</h2><img src="scores.png" alt="score distribution per lesson">
<h2>Pass rate per exercise</h2><img src="pass_rate.png" alt="pass rate per exercise">
<h2>Misconceptions most seen</h2><img src="misconceptions.png" alt="misconceptions">
<p>{sum(seen.values())} wrong answers matched a catalogued misconception.</p>
<h2>Flagged for review</h2>
<p>Code that reaches into the graders, or runs code made from text. A flag changes no score: if
you agree it was cheating, set the score in formgrader.</p><ul>{flags or "<li>none</li>"}</ul>
<h2>Files left out of submissions</h2>
<p>Grading takes only a student's own files: plain files inside the submission, within its
limits -- never a link, a FIFO or a device. Each student's feedback names them too.</p>
<ul>{dropped or "<li>none</li>"}</ul>
</body></html>
""")
