"""Feedback for students: nbgrader's HTML, with hidden tests and their traceback lines removed."""

import re

from nbconvert.exporters import HTMLExporter
from nbgrader.preprocessors import NbGraderPreprocessor

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


class FeedbackExporter(HTMLExporter):
    """nbconvert's HTMLExporter, its templates compiled once per worker rather than per student
    (jinja's compiling was a third of the feedback's time)."""

    _environments = {}

    def _create_environment(self):
        key = (tuple(self.template_paths), self.template_file)
        if key not in self._environments:
            self._environments[key] = super()._create_environment()
        return self._environments[key]


def generate(course, assignment, student):
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    api = course.api(**{"GenerateFeedback.preprocessors": [GetGrades, HideTests,
                                                          CSSHTMLHeaderPreprocessor],
                        "GenerateFeedback.exporter_class": FeedbackExporter})
    return api.generate_feedback(assignment, student)
