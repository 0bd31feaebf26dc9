"""A demo class, generated from the lessons: every kind of submission an autograder meets.

Each student is a function from (lesson, exercise) to what they wrote. Right and wrong answers
come from graders/answer_key/catalogue.py, so the class exercises every catalogued misconception; the rest
are the faults and cheats a real class produces.
"""

import copy
import shutil

import nbformat

from graders.answer_key.catalogue import EXERCISES, check_of
from graders.lessons import lesson_of

from .course import Course

WRITTEN = "Adding lets gradients from several paths and several calls sum up; without zero_() " \
          "each step uses the sum of all past gradients."


def right(gid, exercise):
    return exercise.right


def mistake(k):
    """The k-th catalogued misconception of each exercise (the right answer if it has fewer)."""

    def answer(gid, exercise):
        wrong = list(exercise.mistakes.values())
        return wrong[k] if k < len(wrong) else exercise.right

    return answer


def partial(gid, exercise):
    """Right on the first half of each lesson, nothing after."""
    lesson = [g for g in EXERCISES if lesson_of(g) == lesson_of(gid)]
    return exercise.right if lesson.index(gid) < len(lesson) / 2 else None


def mixed(gid, exercise):
    return exercise.right if list(EXERCISES).index(gid) % 2 else mistake(0)(gid, exercise)


def noisy(gid, exercise):
    """Right, but chatty on stderr: warnings and prints cost no points."""
    return ("import sys, warnings\nwarnings.warn('just a warning')\n"
            "print('debug output', file=sys.stderr)\n" + exercise.right)


def huge_output(gid, exercise):
    return exercise.right + ("\nfor i in range(200_000):\n    print(i)" if gid == "l01_flags" else "")


def endless_loop(gid, exercise):
    return "while True:\n    pass" if gid == "l02_count_nodes" else exercise.right


def dying_kernel(gid, exercise):
    return "import os\nos._exit(1)" if gid == "l04_seed" else exercise.right


def always_equal(gid, exercise):
    if exercise.function:
        return exercise.right
    return ("class Anything(torch.Tensor):\n    def __eq__(self, other):\n        return True\n"
            f"{check_of(gid).answer} = Anything([0.0])")


PATCHES = {  # a wrong answer, and the patch that tries to make it pass
    "l03_blitz": "check_blitz_grad = lambda answer: None",
    "l03_d2l": "torch.allclose = lambda *args, **kwargs: True\ntorch.equal = torch.allclose",
    "l03_cube": "import graders.handover\ngraders.handover.hand_over = lambda record: None",
    "l04_three": "import graders.lesson04_accumulation as L\nL.check_three_backwards = print",
}


def monkeypatcher(gid, exercise):
    if gid in PATCHES:
        return PATCHES[gid] + "\n" + mistake(0)(gid, exercise)
    return exercise.right


def traceback_hider(gid, exercise):
    if gid == "l05_ones":
        return ("get_ipython().showtraceback = lambda *args, **kwargs: None\n"
                + mistake(0)(gid, exercise))
    return exercise.right


def hard_coder(gid, exercise):
    """Functions that print and return the visible test's expected values."""
    if gid == "l04_average":
        return ("def average_grad(w, batches, loss_fn):\n"
                "    print('✓ accumulate over batches, divide once')\n"
                "    return torch.tensor([-1.3081, 0.1547, 1.5342])")
    return exercise.right


def blank(gid, exercise):
    return None  # the release notebook, handed in as it came


STUDENTS = {  # who writes what, and how the demo introduces them
    "ada": (right, "full marks"), "ben": (partial, "half done"),
    "cyd": (mistake(0), "first misconception everywhere"),
    "dee": (mistake(1), "second misconception"), "eli": (mixed, "every other answer wrong"),
    "fay": (blank, "blank"), "gus": (right, "a malformed notebook and a syntax error"),
    "hal": (dying_kernel, "a kernel that dies"), "ivy": (endless_loop, "an endless loop"),
    "jo": (right, "deleted, split, duplicated and retyped cells"),
    "kim": (right, "tampered test cells"), "lou": (noisy, "warnings on stderr"),
    "max": (huge_output, "huge outputs"), "ned": (always_equal, "objects equal to everything"),
    "oz": (monkeypatcher, "monkeypatched checks and torch"),
    "pia": (traceback_hider, "tracebacks switched off"), "quin": (hard_coder, "hard-coded printouts"),
}


NAMES = {  # as formgrader and the export show them
    "ada": ("Ada", "Lovelace"), "ben": ("Ben", "Franklin"), "cyd": ("Cyd", "Charisse"),
    "dee": ("Dee", "Dee"), "eli": ("Eli", "Whitney"), "fay": ("Fay", "Wray"),
    "gus": ("Gus", "Grissom"), "hal": ("Hal", "Abelson"), "ivy": ("Ivy", "Compton"),
    "jo": ("Jo", "Kennedy"), "kim": ("Kim", "Hong"), "lou": ("Lou", "Gehrig"),
    "max": ("Max", "Planck"), "ned": ("Ned", "Kelly"), "oz": ("Oz", "Ozolins"),
    "pia": ("Pia", "Nalli"), "quin": ("Quin", "Snyder"),
}


def cell_by_id(nb, grade_id):
    for i, cell in enumerate(nb.cells):
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return i, cell
    return None, None


def fill(nb, lesson_key, student):
    """The student's answers written into their copy of a lesson."""
    for gid, exercise in EXERCISES.items():
        if lesson_of(gid).grade_prefix != lesson_key:
            continue
        _, cell = cell_by_id(nb, f"{gid}_answer")
        source = STUDENTS[student][0](gid, exercise)
        if cell is not None and source is not None:
            cell.source = source
    for cell in nb.cells:  # the written explanations
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and meta.get("solution") and student == "ada":
            cell.source = WRITTEN
    return nb


def damage(nb, lesson_key, student):
    """What some students do to the notebook itself."""
    tests = [i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade")
             and c.cell_type == "code"]
    if student == "jo":
        if lesson_key == "l01":
            del nb.cells[tests[0]]  # a deleted test cell
        elif lesson_key == "l03":  # an answer split in two
            i, cell = cell_by_id(nb, "l03_d2l_answer")
            first, second = nbformat.v4.new_code_cell("x = torch.arange(4.0, requires_grad=True)"), cell
            first.metadata = {}
            second.source = "y = 2 * torch.dot(x, x)\ny.backward()\nanswer_d2l = x.grad"
            nb.cells.insert(i, first)
        elif lesson_key == "l05":  # a duplicated test cell
            duplicate = copy.deepcopy(nb.cells[tests[1]])
            duplicate.id = f"{duplicate.id}-copy"  # JupyterLab gives a pasted cell a new id
            nb.cells.insert(tests[1], duplicate)
        elif lesson_key == "l06":  # a test cell turned into markdown
            cell = nb.cells[tests[0]]
            nb.cells[tests[0]] = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata)
    if student == "kim" and lesson_key == "l04":  # wrong answers, and the tests replaced
        for gid in ("l04_three", "l04_seed"):
            cell_by_id(nb, f"{gid}_answer")[1].source = mistake(0)(gid, EXERCISES[gid])
            cell_by_id(nb, gid)[1].source = "pass"
    if student == "gus" and lesson_key == "l02":
        cell_by_id(nb, "l02_name_answer")[1].source = "answer_name = 'MeanBackward0"  # syntax
    return nb


def make_class(course: Course, log=print):
    """Generate every lesson (with the gradebook) and write each student's submissions."""
    api = course.api()
    submitted = course.directory("submitted")
    if submitted.exists():
        shutil.rmtree(submitted)
    for assignment in course.assignments():
        result = api.generate_assignment(assignment)
        if not result["success"]:
            raise RuntimeError(f"generate_assignment {assignment} failed:\n{result['log']}")
    for student in STUDENTS:
        for assignment in course.graded_assignments():
            key = lesson_of(assignment).grade_prefix
            for release in sorted((course.directory("release") / assignment).glob("*.ipynb")):
                nb = damage(fill(nbformat.read(release, as_version=4), key, student), key, student)
                target = submitted / student / assignment / release.name
                target.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, target)
                (target.parent / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC")
        log(f"  {student:<5} {STUDENTS[student][1]}")
    with course.gradebook() as gradebook:
        for student in STUDENTS:
            first, last = NAMES[student]
            gradebook.update_or_create_student(student, first_name=first, last_name=last)
    malformed = submitted / "gus" / "03_backward" / "03_backward.ipynb"
    malformed.write_text(malformed.read_text()[:5000])  # cut off mid-file: not JSON any more
    return list(STUDENTS)
