"""Verdicts computed in the trusted grading process, after the student's kernel is gone.

`TrustedVerdicts` follows the (sandboxed) Execute in nbgrader's autograde pipeline, before
SaveAutoGrades. For each test cell it runs the cell's source -- as the gradebook holds it, never
the submission's nor what came back from the sandbox -- in this process, with the lesson's checks
imported here and each student's name standing for a placeholder; every check replays the tape
its kernel handed over (graders/handover.py). The cell keeps its points only if each check call
of the trusted source passed here *and* the kernel's cell ran without error: a tampered kernel can
lose points, never gain them. The verdicts, and the limits the sandbox hit, are kept as data in
the autograded notebook's metadata ("grading"), written here, in the trusted process.
"""

import ast
import contextlib
import dataclasses
import importlib
import io
import json
from dataclasses import dataclass

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

from graders import handover
from graders.checking import CheckFailed
from graders.lessons import lesson_of


@dataclass(frozen=True)
class CellVerdict:
    grade_id: str
    passed: bool
    reason: str = ""  # why not, for the instructor: the check's message or the hand-over's fault
    replayed: bool = True  # False: the check cannot run on placeholders (scored as failed)
    mistake: str = ""  # the misconception the trusted check diagnosed, if any


def checks_of(grade_id):
    """The check functions of the lesson a grade id belongs to, imported here (trusted)."""
    module = importlib.import_module(lesson_of(grade_id).module)
    return {name: value for name, value in vars(module).items() if name.startswith("check_")}


class _Names(dict):
    """The test cell's namespace: checks are the trusted ones; any other name is the student's."""

    def __missing__(self, name):
        return handover.Handle(name)


def replay(source, records, checks):
    """Run a trusted test-cell source against the recorded hand-overs.

    Returns (passed, reason, replayed, mistake): replayed is False when a check did more with a
    student's object than the boundary allows (its verdict then cannot be recomputed here);
    mistake is the diagnosis the trusted check made, if any.
    """
    records, calls, misused = list(records), [], []

    def replayed(name):
        def call(*args, **kwargs):
            if not records:
                raise handover.TapeError(f"no hand-over for {name}")
            record = records.pop(0)
            if not isinstance(record, dict) or record.get("check") != name:
                raise handover.TapeError(f"the hand-over is not {name}'s")
            calls.append(name)
            try:
                with handover.replaying(record.get("tape")):
                    return checks[name](*args, **kwargs)
            finally:
                misused.append(handover.misused())
        return call

    names = _Names({name: replayed(name) for name in checks})
    try:
        code = compile(ast.parse(source), "<test cell>", "exec")
        with contextlib.redirect_stdout(io.StringIO()):
            exec(code, {"__builtins__": __builtins__}, names)  # noqa: S102 -- trusted source
    except CheckFailed as error:
        diagnosis = error.verdict.diagnosis
        return (False, str(error).splitlines()[0], not any(misused),
                diagnosis.mistake if diagnosis else "")
    except handover.TapeError as error:
        return False, f"hand-over: {error}", True, ""
    except Exception as error:  # noqa: BLE001 -- a placeholder the check could not use
        return False, f"{type(error).__name__}: {error}", not any(misused), ""
    if not calls:
        return False, "the test cell calls no check", True, ""
    return True, "", True, ""


def _hand_over(output):
    """The check's record in an output of the kernel's, or None (anything else is no record)."""
    data = output.get("data") if isinstance(output, dict) else None
    record = data.get(handover.MIMETYPE) if isinstance(data, dict) else None
    # plain JSON types again: nbformat reads mappings back as NotebookNode, not dict
    return json.loads(json.dumps(record)) if isinstance(record, dict) else None


def _is_test(cell):
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and meta.get("grade") and not meta.get("solution")


class TrustedVerdicts(NbGraderPreprocessor):
    """Score each test cell by the verdict replayed here (see the module docstring)."""

    @staticmethod
    def test_sources(resources):
        """{grade id: source} of the notebook's test cells, as the gradebook holds them: the
        source that runs here is never one that came back from the sandbox."""
        from nbgrader.api import Gradebook

        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
            graded = {cell.name for cell in notebook.grade_cells if cell.cell_type == "code"}
            solutions = {cell.name for cell in notebook.solution_cells}
            return {cell.name: cell.source for cell in notebook.source_cells
                    if cell.name in graded - solutions}

    def preprocess(self, nb, resources):
        verdicts, tests = [], self.test_sources(resources)
        for cell in nb.cells:
            if not _is_test(cell):
                continue
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            records = [_hand_over(o) for o in cell.get("outputs", [])]
            records = [r for r in records if r is not None]
            cell.outputs = [o for o in cell.get("outputs", []) if _hand_over(o) is None]
            try:
                if grade_id not in tests:
                    raise ValueError(f"{grade_id} is no test cell of this notebook")
                passed, reason, replayed, mistake = replay(tests[grade_id], records,
                                                           checks_of(grade_id))
            except ValueError as error:  # no test of this notebook or lesson: nothing to earn
                passed, reason, replayed, mistake = False, str(error), True, ""
            kernel_failed = any(o.output_type == "error" for o in cell.outputs)
            if not replayed:  # a check that needs more than the boundary: never trust the kernel
                passed, reason = False, f"cannot be recomputed outside the kernel ({reason})"
            if not passed and not kernel_failed:
                cell.outputs.append(nbformat.v4.new_output(
                    "error", ename="CheckFailed", evalue=reason,
                    traceback=[f"CheckFailed: {reason}"]))
            verdicts.append(CellVerdict(grade_id, passed and not kernel_failed,
                                        reason or ("the kernel's cell failed" if kernel_failed
                                                   else ""), replayed, mistake))
        problems = resources.get("sandbox", {}).get("problems", [])
        nb.metadata["grading"] = {"verdicts": [dataclasses.asdict(v) for v in verdicts],
                                  "limits_hit": list(problems)}
        return nb, resources
