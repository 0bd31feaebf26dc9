"""Collecting students' work: from nbgrader's exchange, or from an LMS's download (a zip).

An LMS hands back every upload in one zip, each file renamed after its student
(`lovelaceada_123456_7890123_04_accumulation.ipynb` on Canvas). The file names are matched
here, first, so that the instructor is told which files belong to no student or no lesson before
anything is written; then nbgrader's `zip_collect` extracts the zip and copies each notebook to
submitted/STUDENT/LESSON/, asking the `Planned` plugin whose each file is. The downloaded zip is
kept in downloaded/; a submission already collected is never overwritten unless asked, and then
the earlier copy is kept in downloaded/LESSON/replaced/.
"""

import re
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from nbgrader.plugins import FileNameCollectorPlugin
from traitlets import Dict, Unicode

# common LMS download names, matched against each file's path in the zip
PATTERNS = {
    # lovelaceada_123456_7890123_04_accumulation.ipynb (_late_ after the name; -1 on a re-upload)
    "canvas": r"(?P<last_name>[^_/]+?)(?:_late)?_(?P<student_id>\d+)_\d+_(?P<file_id>[^/]+?)"
              r"(?:-\d+)?\.ipynb",
    # Ada Lovelace_123456_assignsubmission_file_04_accumulation.ipynb (or .../ in a folder each)
    "moodle": r"(?:(?P<first_name>[^_/]*) )?(?P<last_name>[^_/ ]+)_(?P<student_id>\d+)"
              r"_assignsubmission_file[_/](?P<file_id>[^/]+?)\.ipynb",
    # Lesson 4_ada_attempt_2026-11-20-12-00-00_04_accumulation.ipynb
    "blackboard": r"[^/]*?_(?P<student_id>[^_/]+)_attempt_(?P<timestamp>\d{4}(?:-\d\d){5})"
                  r"_(?P<file_id>[^/]+?)\.ipynb",
}
IGNORED = re.compile(r"(^|/)(__MACOSX|\.[^/]*)(/|$)")  # macOS zip litter, hidden files


@dataclass(frozen=True)
class Handed:
    """One notebook of the zip, matched to a student and a lesson."""
    member: str  # its path in the zip
    student: str
    assignment: str
    notebook: str  # its name in the lesson, e.g. 04_accumulation.ipynb
    first_name: str = ""
    last_name: str = ""
    timestamp: str | None = None  # ISO, when the LMS's name says it
    problem: str = ""  # e.g. not a valid notebook: collected as is, flagged when graded


@dataclass(frozen=True)
class Skipped:
    member: str
    reason: str


@dataclass
class Collected:
    handed: list[Handed] = field(default_factory=list)  # copied to submitted/
    unchanged: list[Handed] = field(default_factory=list)  # collected before, byte for byte
    skipped: list[Skipped] = field(default_factory=list)  # matched to no student or lesson
    replaced: list[Path] = field(default_factory=list)  # earlier copies, moved aside

    def summary(self):
        lines = [f"collected {len(self.handed)} notebooks"
                 + (f" ({len(self.unchanged)} more unchanged since the last collect)"
                    if self.unchanged else "")]
        for h in self.handed + self.unchanged:
            if h.problem:
                lines.append(f"  ! {h.student}/{h.assignment}: {h.problem} (kept as is; "
                             "grading will flag it)")
        for path in self.replaced:
            lines.append(f"  earlier copy kept in {path}")
        if self.skipped:
            lines.append(f"NOT collected: {len(self.skipped)} files matched to no student or "
                         "lesson (fix the name or the pattern, then collect again):")
            lines += [f"  {s.member}: {s.reason}" for s in self.skipped]
        return "\n".join(lines)


def pattern_of(text):
    """A compiled pattern: a name from PATTERNS or a regex with student_id and file_id groups."""
    source = PATTERNS.get(text, text)
    try:
        pattern = re.compile(source)
    except re.error as error:
        raise ValueError(f"--pattern {text!r} is neither one of {', '.join(PATTERNS)} nor a "
                         f"regular expression ({error})") from None
    missing = {"student_id", "file_id"} - set(pattern.groupindex)
    if missing:
        raise ValueError(f"--pattern {text!r} needs the named groups (?P<student_id>...) and "
                         f"(?P<file_id>...); it has no {', '.join(sorted(missing))}")
    return pattern


def notebooks(course):
    """{notebook file name: assignment} over the course's lessons."""
    return {path.name: assignment for assignment in course.assignments()
            for path in (course.directory("source") / assignment).glob("*.ipynb")}


def plan(course, zip_path, pattern, lesson=None):
    """(handed, skipped): whose each notebook in the zip is. Raises ValueError for a bad zip."""
    zip_path = Path(zip_path)
    if not zip_path.is_file():
        raise ValueError(f"{zip_path}: no such file")
    if not zipfile.is_zipfile(zip_path):
        raise ValueError(f"{zip_path} is not a zip file (download the submissions again, "
                         "as one zip)")
    known = notebooks(course)
    if lesson is not None and lesson not in course.assignments():
        raise ValueError(f"no lesson {lesson!r} in this course (lessons: "
                         f"{' '.join(course.assignments())})")
    handed, skipped = [], []
    with zipfile.ZipFile(zip_path) as archive:
        damaged = _damaged(archive)
        if damaged:
            raise ValueError(f"{zip_path} is damaged ({damaged} cannot be read): download it "
                             "again; nothing was collected")
        for member in archive.namelist():
            if member.startswith("/") or ".." in member.split("/"):
                skipped.append(Skipped(member, "a path outside the zip's folder: not extracted"))
                continue
            if member.endswith("/") or IGNORED.search(member):
                continue
            if not member.endswith(".ipynb"):
                skipped.append(Skipped(member, "not a notebook"))
                continue
            match = pattern.fullmatch(member)
            if not match:
                skipped.append(Skipped(member, "its name does not follow the pattern"))
                continue
            found = {k: v for k, v in match.groupdict().items() if v}
            notebook = Path(found["file_id"]).with_suffix(".ipynb").name
            assignment = known.get(notebook)
            if assignment is None:
                skipped.append(Skipped(member, f"{notebook} is no lesson's notebook (lessons' "
                                               f"notebooks: {' '.join(sorted(known))})"))
                continue
            if lesson is not None and assignment != lesson:
                skipped.append(Skipped(member, f"belongs to {assignment}, not {lesson}"))
                continue
            handed.append(Handed(member, found["student_id"], assignment, notebook,
                                 found.get("first_name", ""), found.get("last_name", ""),
                                 _iso(found.get("timestamp")), _problem(archive.read(member))))
    return _without_duplicates(handed, skipped)


def _damaged(archive):
    try:
        return archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        return str(error)


def _problem(data):
    """Why these bytes are no notebook, or "" (a broken one is still the student's work)."""
    import nbformat

    try:
        nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception as error:  # noqa: BLE001 -- nbformat raises many kinds
        return f"not a valid notebook ({type(error).__name__})"
    return ""


def _iso(timestamp):
    """Blackboard's 2026-11-20-12-00-00 as nbgrader reads it: 2026-11-20 12:00:00."""
    if not timestamp:
        return None
    return datetime.strptime(timestamp, "%Y-%m-%d-%H-%M-%S").isoformat(" ")


def _without_duplicates(handed, skipped):
    """Two files for one student's notebook: the newer one if the names say when, else neither."""
    by_key = {}
    for h in handed:
        by_key.setdefault((h.student, h.assignment, h.notebook), []).append(h)
    kept = []
    for same in by_key.values():
        if len(same) == 1:
            kept.append(same[0])
        elif all(h.timestamp for h in same):
            newest = max(same, key=lambda h: h.timestamp)
            kept.append(newest)
            skipped += [Skipped(h.member, f"an older upload than {newest.member}")
                        for h in same if h is not newest]
        else:
            skipped += [Skipped(h.member, f"{len(same)} files for {h.student}'s {h.notebook}, "
                                          "none dated: keep one in the zip") for h in same]
    return kept, skipped


class Planned(FileNameCollectorPlugin):
    """Tells nbgrader's zip_collect whose each extracted file is, as `plan` decided."""

    archive = Unicode(help="the zip's name without .zip: nbgrader extracts it into that folder"
                      ).tag(config=True)
    files = Dict(help="{path in the zip: {student_id, file_id, timestamp}}").tag(config=True)

    def collect(self, submitted_file):
        extracted = Path(self.parent._format_collect_path(self.parent.extracted_directory))
        try:
            member = Path(submitted_file).relative_to(extracted / self.archive).as_posix()
        except ValueError:
            return None  # another download in the same folder: collected when it came
        return self.files.get(member)


def collect_zip(course, zip_path, pattern, lesson=None, replace=False):
    """Collect an LMS's zip into submitted/ through nbgrader's zip_collect; returns Collected.

    Nothing is written when the zip cannot be read, or when a submission collected before
    would change and `replace` is not set.
    """
    handed, skipped = plan(course, zip_path, pattern, lesson)
    unreleased = sorted({h.assignment for h in handed} - {
        a for a in course.assignments() if any((course.directory("release") / a).glob("*.ipynb"))})
    if unreleased:
        raise ValueError(f"{' '.join(unreleased)} not generated yet (no release version to "
                         "collect against): run `nbgrader generate_assignment` first")
    result = Collected(skipped=skipped)
    changed = []
    for (student, assignment), mine in _by_submission(handed).items():
        folder = course.directory("submitted") / student / assignment
        if folder.exists() and all(_same(zip_path, h, folder / h.notebook) for h in mine):
            result.unchanged += mine
        else:
            changed.append((student, assignment, mine, folder))
    clashes = [f"{s}/{a}" for s, a, _, folder in changed if folder.exists()]
    if clashes and not replace:
        raise FileExistsError(
            "already collected, and different in this zip: " + " ".join(clashes)
            + "\nnothing was collected; to take the new files use --replace (the earlier "
              "copies are kept in downloaded/LESSON/replaced/)")
    downloaded = course.root / "downloaded"
    for assignment in sorted({a for _, a, _, _ in changed}):
        mine = [(s, m, folder) for s, a, m, folder in changed if a == assignment]
        for student, _, folder in mine:
            if folder.exists():
                result.replaced.append(_move_aside(folder, downloaded / assignment / "replaced",
                                                   student))
        archive = _keep(zip_path, downloaded / assignment / "archive")
        _zip_collect(course, assignment, archive, [h for _, m, _ in mine for h in m])
        result.handed += [h for _, m, _ in mine for h in m]
    _name_students(course, result.handed)
    return result


def _by_submission(handed):
    grouped = {}
    for h in handed:
        grouped.setdefault((h.student, h.assignment), []).append(h)
    return grouped


def _same(zip_path, handed, path):
    if not path.exists():
        return False
    with zipfile.ZipFile(zip_path) as archive:
        return archive.read(handed.member) == path.read_bytes()


def _move_aside(folder, aside, student):
    aside.mkdir(parents=True, exist_ok=True)
    n = 1
    while (aside / f"{student}-{n}").exists():
        n += 1
    return Path(shutil.move(folder, aside / f"{student}-{n}"))


def _keep(zip_path, folder):
    """The download itself, kept beside earlier ones (never over a different file)."""
    folder.mkdir(parents=True, exist_ok=True)
    zip_path = Path(zip_path)
    target, n = folder / zip_path.name, 1
    while target.exists() and target.read_bytes() != zip_path.read_bytes():
        n += 1
        target = folder / f"{zip_path.stem}-{n}.zip"
    if not target.exists():
        shutil.copyfile(zip_path, target)
    return target


def _zip_collect(course, assignment, archive, handed):
    from nbgrader.apps.api import temp_attrs
    from nbgrader.apps.zipcollectapp import ZipCollectApp
    from nbgrader.utils import capture_log

    files = {h.member: {"student_id": h.student, "file_id": h.notebook,
                        **({"timestamp": h.timestamp} if h.timestamp else {})} for h in handed}
    api = course.api(**{"ZipCollectApp.collector_plugin": Planned, "ZipCollectApp.force": True,
                        "ZipCollectApp.strict": True, "ExtractorPlugin.force": True,
                        "Planned.archive": archive.stem, "Planned.files": files})
    with temp_attrs(api.coursedir, assignment_id=assignment):
        app = ZipCollectApp(coursedir=api.coursedir, parent=api, log_level="ERROR")
        result = capture_log(app)
    missing = [h for h in handed if not (course.directory("submitted") / h.student / assignment
                                         / h.notebook).exists()]
    if not result["success"] or missing:
        raise RuntimeError(f"nbgrader zip_collect {assignment} failed:\n"
                           + (result.get("error") or result.get("log") or ""))


def _name_students(course, handed):
    """Students into the gradebook, named as the LMS names them (an existing name is kept)."""
    with course.gradebook() as gradebook:
        for h in handed:
            student = gradebook.update_or_create_student(h.student)
            if not (student.first_name or student.last_name):
                student.first_name, student.last_name = h.first_name or None, h.last_name or None
        gradebook.db.commit()


# -- nbgrader's exchange: a shared directory on one machine or a hub ----------------------
def release(course, assignment):
    """Hand a lesson out: students see it in their Assignments tab and fetch it."""
    return _checked(course.api().release_assignment(assignment), f"release {assignment}")


def collect_exchange(course, assignment):
    """Every submission of the lesson from the exchange's inbound into submitted/."""
    return _checked(course.api().collect(assignment, update=True), f"collect {assignment}")


def _checked(result, what):
    """nbgrader's result, or its reason for refusing (the last line of its error) raised."""
    if not result or not result["success"]:
        error = ((result or {}).get("error") or (result or {}).get("log") or "").strip()
        raise RuntimeError(f"nbgrader {what} failed: "
                           + (error.splitlines()[-1] if error else "no reason given"))
    return result
