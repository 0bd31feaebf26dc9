"""A check's verdict as data, and the one place it becomes text.

A verdict is reached where the answers are: in the student's kernel in JupyterLab (the answer key
is imported there when a check first needs it), in the trusted grading process when grading. Both
render it here, so the notebook, nbgrader's Validate, the feedback and the report say the same.
"""

import re
from dataclasses import dataclass

# what a verdict found, one label each: the report and the gradebook read these, never the text
RIGHT = "right"
WRONG = "wrong"
UNANSWERED = "not answered"  # no answer yet: the released stub, or a name never defined
ANSWER_FAILED = "answer cell failed"  # the cell defining the answer raised when it last ran
REVEALED = "revealed"  # the student asked to see the answer: it scores 0
UNREADABLE = "unreadable"  # what the kernel handed over to grading could not be read
OUTCOMES = (RIGHT, WRONG, UNANSWERED, ANSWER_FAILED, REVEALED, UNREADABLE)


@dataclass(frozen=True)
class Diagnosis:
    """The misconception a wrong answer points to, and a hint that is true for the exercise:
    where to look again (which node, which call, which rule), never the answer itself."""

    mistake: str
    hint: str


@dataclass(frozen=True)
class Verdict:
    """What a check found, as data."""

    check: str  # the check's name, as the notebook calls it: "check_three_backwards"
    title: str  # "Exercise 1"
    outcome: str  # one of OUTCOMES
    message: str  # what was checked and what is off; never a predict exercise's answer
    diagnosis: Diagnosis | None = None
    revealable: bool = True  # the failure may offer check.reveal()

    @property
    def passed(self):
        return self.outcome == RIGHT


HEADLINES = {RIGHT: "right", WRONG: "not yet", UNANSWERED: "not answered yet",
             ANSWER_FAILED: "fix the answer cell first", REVEALED: "scores 0: answer revealed",
             UNREADABLE: "could not be checked"}
_CODE = re.compile(r"(`[^`]*`)")
_EMPHASIS = re.compile(r"\*(\S(?:[^*]*?\S)?)\*")
BOLD, RED, GREEN, RESET = "\x1b[1m", "\x1b[31m", "\x1b[32m", "\x1b[0m"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
WIDTH = 100  # a verdict's prose lines: readable in a notebook, Validate's dialog and a terminal


def _styled(text, ansi):
    """*emphasis* made bold (ansi) or plain; `code` kept as it is."""
    parts = _CODE.split(text)
    for k in range(0, len(parts), 2):  # the parts outside backticks
        parts[k] = _EMPHASIS.sub(lambda m: f"{BOLD}{m[1]}{RESET}" if ansi else m[1], parts[k])
    return "".join(parts)


def headline(verdict):
    """One line: the mark, the exercise and what became of it."""
    mark = "✓" if verdict.passed else "✗"
    return f"{mark} {verdict.title}: {HEADLINES[verdict.outcome]}"


def render(verdict, ansi=False, offer_reveal=True):
    """The verdict as lines of text: ansi for JupyterLab and Validate, plain for terminals,
    feedback and the report."""
    head = headline(verdict)
    if ansi:
        head = f"{BOLD}{GREEN if verdict.passed else RED}{head}{RESET}"
    first, *rest = verdict.message.splitlines() or [""]
    lines = _wrapped(f"{head} — {_styled(first, ansi)}" if first else head)
    lines += [_styled(line, ansi) for line in rest]  # as laid out: a call, tensors as printed
    if verdict.diagnosis is not None:
        mistake = _styled(verdict.diagnosis.mistake, ansi)
        lines += ["", *_wrapped(f"This looks like: {BOLD + mistake + RESET if ansi else mistake}."),
                  *_wrapped(_styled(verdict.diagnosis.hint, ansi))]
    if offer_reveal and verdict.revealable and verdict.outcome == WRONG:
        lines += ["", *_wrapped(f"Stuck? `{verdict.check}.reveal()` shows the answer and why; "
                                "the exercise then scores 0 when graded.")]
    return lines


def _wrapped(text, width=WIDTH):
    """Prose in lines of at most `width` visible characters (ANSI codes take no room)."""
    words, lines, length = text.split(" "), [[]], 0
    for word in words:
        seen = len(_ANSI.sub("", word))
        if lines[-1] and length + 1 + seen > width:
            lines.append([])
            length = 0
        length += seen + bool(lines[-1])
        lines[-1].append(word)
    return [" ".join(line) for line in lines]
