"""The one mapping between a lesson's spellings: folder, graders module, grade ids.

    04_accumulation  <->  graders.lesson04_accumulation  <->  l04_separate, l04_three, ...

A lesson is discovered from its checks module (graders/lessonNN_slug.py), so a new lesson appears
by adding its module; nothing else slices these strings.
"""

import re
from dataclasses import dataclass
from pathlib import Path

_MODULE = re.compile(r"lesson(\d\d)_(\w+)\.py")
_SPELLINGS = re.compile(r"(?:graders\.)?(?:lesson)?(\d\d)_([a-z]\w*)|l(\d\d)(?:_\w+)?")


@dataclass(frozen=True)
class Lesson:
    number: int  # 4
    slug: str  # "accumulation"

    @property
    def name(self):
        """Folder, notebook stem and nbgrader assignment name: "04_accumulation"."""
        return f"{self.number:02d}_{self.slug}"

    @property
    def module(self):
        return f"graders.lesson{self.name}"

    @property
    def grade_prefix(self):
        """grade_ids are f"{grade_prefix}_{exercise}"."""
        return f"l{self.number:02d}"


def _discover():
    found = (_MODULE.fullmatch(p.name) for p in Path(__file__).parent.iterdir())
    return tuple(sorted((Lesson(int(m[1]), m[2]) for m in found if m), key=lambda lesson: lesson.number))


LESSONS = _discover()  # every lesson with a notebook (the index has no checks, so no module)


def lesson_of(text):
    """The Lesson a spelling names: "04_accumulation", "lesson04_accumulation", "l04",
    "l04_separate", "graders.lesson04_accumulation". Anything else is a ValueError."""
    match = _SPELLINGS.fullmatch(str(text).removesuffix(".py"))
    if match:
        number = int(match[1] or match[3])
        for lesson in LESSONS:
            # a grade id names only the number; the other spellings must name the slug too
            if lesson.number == number and match[2] in (None, lesson.slug):
                return lesson
    known = ", ".join(lesson.name for lesson in LESSONS)
    raise ValueError(f"no lesson is called {text!r} (lessons: {known})")
