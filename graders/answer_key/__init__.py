"""The answer key: every expected answer, catalogued mistake and comparison of the course.

It judges what a check collected (graders/checks.py) -- in the student's kernel in JupyterLab,
in the trusted grading process when grading. The grading sandbox leaves this folder out: there,
the student's kernel holds no answer, no scenario that computes one, no catalogue and no
comparison.

    judge(check, evidence, hidden) -> Verdict
    revealed(check) -> the lines check.reveal() prints: the answer and the reasoning

Each lesson's module here maps its exercises' grade ids to a Predict (a value worked out before
running the code) or a Build (a function, judged on the check's inputs).
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from graders.handover import Malformed
from graders.lessons import lesson_of
from graders.verdict import ANSWER_FAILED, UNANSWERED, UNREADABLE, Diagnosis, Verdict

from .judging import (
    STILL_IN_GRAPH,
    Wrong,
    analyse,
    close,
    diagnose,
    fail,
    observed,
    oracle,
    printed,
    verdict_of,
)


@dataclass(frozen=True)
class Predict:
    """An exercise whose answer is a value: the learner works it out before running the code."""

    what: str  # what the answer is: "x.grad after three calls of x.sum().backward()"
    scenario: Callable  # T -> the answer, on either engine
    why: str  # the reasoning, said for a right answer and by reveal()
    mistakes: tuple = ()
    analyser: Callable | None = analyse  # reads a wrong answer no mistake matched (or None)
    normalize: Callable = staticmethod(lambda value: value)  # the learner's value, as compared
    # for an answer of several parts (flags, names): what a wrong value in each part points to,
    # a Diagnosis, or {wrong value: Diagnosis}; a wrong answer is named by all its parts' at once
    parts: tuple = ()

    def judge(self, check, collected, hidden):
        value, tensor = observed(collected)
        value = self.normalize(value)
        expected = oracle(self.scenario)
        if close(value, expected):
            return self.why
        diagnosis = diagnose(value, expected, self.mistakes) or self._by_parts(value, expected)
        if diagnosis is None and tensor is not None and tensor["requires_grad"]:
            diagnosis = STILL_IN_GRAPH
        if diagnosis is None and self.analyser is not None:
            diagnosis = self.analyser(value, expected)
        fail(f"your answer is not {self.what}.", diagnosis)

    def _by_parts(self, value, expected):
        """The misconceptions behind the wrong parts, together (never which parts they are)."""
        if not self.parts or not isinstance(value, list) or len(value) != len(expected):
            return None
        found = []
        for rule, got, want in zip(self.parts, value, expected):
            if close(got, want):
                continue
            diagnosis = rule.get(got if isinstance(got, str | None) else None) \
                if isinstance(rule, dict) else rule
            if diagnosis is None:
                return None  # a part no rule explains: name nothing rather than half
            if diagnosis not in found:
                found.append(diagnosis)
        if len(found) == 1:
            return found[0]
        return Diagnosis(" and ".join(d.mistake for d in found), " ".join(d.hint for d in found))

    def answer(self):
        return printed(oracle(self.scenario))


@dataclass(frozen=True)
class Build:
    """An exercise whose answer the learner builds -- a function, judged run by run on the
    check's inputs, or a tensor with the properties asked for."""

    judge_answer: Callable  # (collected, hidden) -> None; raises Wrong at the first fault
    why: str

    def judge(self, check, collected, hidden):
        self.judge_answer(collected, hidden)
        return self.why

    def answer(self):
        return None  # the model solution comes from the catalogue


def entry(check):
    """The answer key's entry for a check's exercise."""
    module = importlib.import_module(f"graders.answer_key.lesson{lesson_of(check.grade_id).name}")
    return module.KEY[check.grade_id]


def judge(check, evidence, hidden=False):
    """The verdict on what a check collected (or on why it collected nothing)."""
    try:
        if not isinstance(evidence, dict):
            raise Malformed("not a mapping")
        if "answer_cell" in evidence:
            return _answer_cell_failed(check, str(evidence["answer_cell"]))
        if "collected" not in evidence:
            raise Malformed("nothing collected")
        verdict = verdict_of(check, lambda: entry(check).judge(check, evidence["collected"],
                                                               hidden))
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError) as error:
        # data no genuine check hands over (it reached the judge in a shape it never has):
        # this exercise cannot be checked, and that costs it alone
        if not isinstance(error, Malformed):
            error = Malformed(f"{type(error).__name__} while reading it")
        return Verdict(check.name, check.title, UNREADABLE,
                       f"the grader could not read what your notebook's check gave it "
                       f"({error}); was something in the notebook changed while it ran?",
                       revealable=False)
    return check.unanswered() if verdict.outcome == UNANSWERED else verdict


def _answer_cell_failed(check, error):
    if error == "NotImplementedError":
        return check.unanswered()
    return Verdict(check.name, check.title, ANSWER_FAILED,
                   f"the cell that defines `{check.answer}` raised {error} the last time it ran, "
                   "so the value this check would read is not the one on the page. Fix that "
                   "cell and run it, then run this check again.", revealable=False)


def revealed(check):
    """What check.reveal() prints: the answer, the reasoning, and what revealing costs."""
    from .catalogue import EXERCISES

    key = entry(check)
    answer = key.answer() or EXERCISES[check.grade_id].right
    lines = [f"{check.title}, the answer:", *("    " + line for line in answer.splitlines()),
             "", f"Why: {key.why}", ""]
    return lines + ["You asked to see it, so this exercise scores 0 when graded (the line "
                    "calling .reveal() stays in your notebook, and grading finds it). Work "
                    "through why it is right: the next exercises build on it."]


__all__ = ["Build", "Predict", "Wrong", "judge", "revealed", "fail"]
