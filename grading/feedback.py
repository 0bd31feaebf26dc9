"""Feedback for students: nbgrader's HTML, with hidden tests and their traceback lines removed,
and the files grading left out of their submission named (grading/files.py)."""

import html
import re

import nbformat
from nbconvert.exporters import HTMLExporter
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import List

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
    """A note first in the feedback: the files grading did not take in, and why."""

    dropped = List(help="[{path, reason}] of this submission (the grading run's outcome)"
                   ).tag(config=True)

    def preprocess(self, nb, resources):
        if self.dropped:
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(left_out_note(self.dropped)))
        return nb, resources


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
    (jinja's compiling was a third of the feedback's time)."""

    _environments = {}

    def _create_environment(self):
        key = (tuple(self.template_paths), self.template_file)
        if key not in self._environments:
            self._environments[key] = super()._create_environment()
        return self._environments[key]


def generate(course, assignment, student, dropped=()):
    """nbgrader's generate_feedback for one student; `dropped`: [Dropped] grading left out."""
    from dataclasses import asdict

    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbconvert.preprocessors.sanitize import SanitizeHTML
    from nbgrader.preprocessors import GetGrades

    api = course.api(**{"GenerateFeedback.preprocessors": [LeftOut, GetGrades, HideTests,
                                                          SanitizeHTML, CSSHTMLHeaderPreprocessor],
                        "GenerateFeedback.exporter_class": FeedbackExporter,
                        "LeftOut.dropped": [asdict(d) for d in dropped]})
    return api.generate_feedback(assignment, student)
