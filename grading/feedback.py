"""Feedback for students: nbgrader's HTML, with hidden tests and their traceback lines removed,
its maths rendered beforehand (MathML: nothing loaded from a CDN, so it reads offline), the files
grading left out of their submission named (grading/files.py), and a note when it is not final.

These are GenerateFeedback's steps wherever feedback is made: give-back (grading/giveback.py)
and formgrader's Generate Feedback button alike (grading/pipeline.py configures nbgrader).
"""

import html
import re
from collections import namedtuple
from pathlib import Path

import nbformat
from nbconvert.exporters import HTMLExporter
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import default

TEMPLATES = Path(__file__).with_name("templates")  # mathjax.html.j2: no script from a CDN

HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.S)


class HideTests(NbGraderPreprocessor):
    """Strip hidden tests from test cells, and any other traceback down to its last line.

    A test cell's verdict (written by grading.verdicts, as "CheckFailed") is kept whole: it is
    the check's own text, diagnosis and hint, with no code in it. Any other traceback through a
    test cell may quote a hidden line: its last line (the error and its message) is enough.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade"):
            cell.source = HIDDEN.sub("", cell.source).rstrip()
            for output in cell.get("outputs", []):
                if output.output_type == "error" and output.ename != "CheckFailed":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources


class LeftOut(NbGraderPreprocessor):
    """A note first in the feedback: the files grading did not take in, and why (from the
    grading run's record of the submission)."""

    def preprocess(self, nb, resources):
        from .worker import recorded

        info = resources["nbgrader"]
        outcome = recorded(_course(), info["student"], info["assignment"])
        if outcome and outcome.dropped:
            dropped = [{"path": d.path, "reason": d.reason} for d in outcome.dropped]
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(left_out_note(dropped)))
        return nb, resources


class NotFinal(NbGraderPreprocessor):
    """A note first in the feedback while a person has not graded all of it: which exercises
    wait, and that their points are not in the score yet (give-back sends such feedback only
    when told to: --partial)."""

    def preprocess(self, nb, resources):
        from .verdicts import exercise_titles

        open_ = {name for name, grade in _grades(resources).items() if grade.needs_manual_grade}
        if open_:
            titles = exercise_titles(nb)
            waiting = [titles[g] for g in titles if g in open_]
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(
                "**Not final yet.** Your instructor has still to grade " + ", ".join(waiting)
                + "; the points shown for " + ("it" if len(waiting) == 1 else "them")
                + " may change."))
        return nb, resources


class ByHand(NbGraderPreprocessor):
    """Under a check whose points a person set (say, after the notebook stopped before it):
    that a person set them, and that they replace the check's verdict above them."""

    def preprocess(self, nb, resources):
        from .course import is_test_cell

        grades = _grades(resources)
        for cell in filter(is_test_cell, nb.cells):
            grade = grades.get(cell.metadata["nbgrader"].get("grade_id"))
            if grade is not None and grade.manual_score is not None:
                score, points = grade.manual_score, grade.max_score
                note = (f"**Graded by your instructor: {score:g} of {points:g} "
                        f"point{'s' if points != 1 else ''}.** These points replace the "
                        "check's verdict above.")
                cell.outputs.append(nbformat.v4.new_output(
                    "display_data", data={"text/markdown": note}))
        return nb, resources


class Maths(NbGraderPreprocessor):
    """The maths of markdown cells ($...$, $$...$$) rendered as MathML, which browsers show
    as they are: the feedback needs no MathJax, and so nothing from a CDN."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = mathml(cell.source)
        return cell, resources


CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)  # fenced blocks and inline code: no maths
MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$([^$\n]+?)\$(?!\$)", re.S)


def mathml(markdown):
    """Markdown with its maths as MathML (a formula that does not convert is left as it was)."""
    from latex2mathml.converter import convert

    def one(match):
        tex, block = (match[1], True) if match[1] is not None else (match[2], False)
        try:
            return convert(tex.strip(), display="block" if block else "inline")
        except Exception:  # noqa: BLE001 -- latex2mathml raises many kinds: keep the text
            return match[0]

    parts = CODE.split(markdown)
    for k in range(0, len(parts), 2):  # the parts outside code
        parts[k] = MATH.sub(one, parts[k])
    return "".join(parts)


Grade = namedtuple("Grade", "needs_manual_grade manual_score max_score")


def _grades(resources):
    """{grade id: Grade} of the submitted notebook being converted, as the gradebook holds it."""
    from nbgrader.api import Gradebook

    info = resources["nbgrader"]
    with Gradebook(info["db_url"]) as gradebook:
        notebook = gradebook.find_submission_notebook(info["notebook"], info["assignment"],
                                                      info["student"])
        return {g.name: Grade(g.needs_manual_grade, g.manual_score, g.max_score)
                for g in notebook.grades}


def _course():
    """The course being converted: nbgrader runs its converters in the course's root."""
    from .course import Course

    return Course(Path.cwd())


def left_out_note(dropped, intro="Grading takes only your own files (plain files in your "
                  "submission's folder, within its limits); it left out:"):
    """Markdown naming each file left out: its name is the student's, so shown as text only."""
    lines = [f"**{intro}**", ""]
    lines += [f"- <code>{_text(d['path'])}</code>: {_text(d['reason'])}" for d in dropped]
    return "\n".join(lines)


def _text(text):
    """Text that neither markdown nor HTML reads as anything but text."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|~])", r"\\\1", html.escape(text))


def not_graded_page(assignment, why, dropped):
    """The feedback of a submission with nothing of the student's own to grade: why, as a page."""
    text = (f"# {assignment}: not graded\n\nYou handed in {why}. Grading takes only your own "
            "files: hand in the notebook itself, then ask your instructor to grade it again.")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text),
                                         nbformat.v4.new_markdown_cell(left_out_note(
                                             dropped, "Left out of what you handed in:"))])
    return HTMLExporter(template_name="classic").from_notebook_node(nb)[0]


class FeedbackExporter(HTMLExporter):
    """nbconvert's HTMLExporter, its templates compiled once per worker rather than per student
    (jinja's compiling was a third of the feedback's time), and no MathJax (see Maths)."""

    _environments = {}

    @default("template_paths")
    def _template_paths(self, prune=True, root_dirs=None):
        return [str(TEMPLATES), *super()._template_paths(prune, root_dirs)]

    def _create_environment(self):
        key = (tuple(self.template_paths), self.template_file)
        if key not in self._environments:
            self._environments[key] = super()._create_environment()
        return self._environments[key]


def generate(course, assignment, student):
    """nbgrader's generate_feedback for one student, with the steps above (Course.api)."""
    return course.api().generate_feedback(assignment, student)
