"""Collecting students' work: from nbgrader's exchange, or from an LMS's download (a zip).
Both are files from strangers: only each student's own files are taken (grading/files.py).

An LMS hands back every upload in one zip, each file renamed after its student
(`lovelaceada_123456_7890123_04_accumulation.ipynb` on Canvas). The file names are matched
here, first, so that the instructor is told which files belong to no student or no lesson before
anything is written; then nbgrader's `zip_collect` copies each notebook to
submitted/STUDENT/LESSON/, asking the `Planned` plugin whose each file is. The zip is read as
untrusted: its listing is bounded before zipfile reads it, a notebook's size is checked before it
is inflated (as declared) and while it is (never past the limit), and links, encrypted members,
names given twice and names that are not UTF-8 are skipped, each named with its reason; only the
notebooks matched are extracted (`Extract`, in place of nbgrader's extractor, which inflates
everything). The downloaded zip is kept in downloaded/; a submission already collected is never
overwritten unless asked, and then the earlier copy is kept in downloaded/LESSON/replaced/.

nbgrader's exchange (`OwnCollect`, below) takes a submission only from the user whose name it
carries, and only that student's own files.
"""

import filecmp
import glob
import json
import os
import pwd
import re
import shutil
import stat
import zipfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect, groupby
from nbgrader.plugins import ExtractorPlugin, FileNameCollectorPlugin
from nbgrader.utils import parse_utc
from traitlets import Dict, Integer, List, Unicode

from .course import NotANotebook, parse_notebook
from .files import Dropped, Refused, SubmissionFiles, copy_own, describe, shown, size_text, user_name

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
# an LMS's zip of a class lists hundreds of files: zipfile holds its whole listing in memory
MAX_MEMBERS, MAX_LISTING = 100_000, 64 << 20
UTF8_NAME, ENCRYPTED = 0x800, 0x1  # a zip member's flag bits
UNIX = 3  # a zip member's create_system when its mode bits are Unix's


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
    twice: bool = False  # one of several files for one student's notebook


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
        lines += not_collected([s for s in self.skipped if s.twice], "files handed in twice "
                               "for one student's notebook (keep the one to grade in the zip, "
                               "then collect again)")
        lines += not_collected([s for s in self.skipped if not s.twice], "files matched to no "
                               "student or lesson, or not taken (fix the name or the pattern, "
                               "then collect again)")
        return "\n".join(lines)


def not_collected(skipped, what):
    """The lines naming what was not collected, and why ([] if nothing)."""
    if not skipped:
        return []
    return [f"NOT collected: {len(skipped)} {what}:"] + [f"  {s.member}: {s.reason}"
                                                         for s in skipped]


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
    known = notebooks(course)
    if lesson is not None and lesson not in course.assignments():
        raise ValueError(f"no lesson {lesson!r} in this course (lessons: "
                         f"{' '.join(course.assignments())})")
    limit = SubmissionFiles(config=course.config).limits().notebook
    handed, skipped = [], []
    with open_zip(zip_path) as archive:
        times = Counter(info.filename for info in archive.infolist())
        for info in archive.infolist():
            member = info.filename
            if member.startswith("/") or ".." in member.split("/"):
                skipped.append(Skipped(member, "a path outside the zip's folder: not extracted"))
                continue
            if info.is_dir() or IGNORED.search(member):
                continue
            unsafe = _unsafe(info, times[member], limit)
            if unsafe:
                skipped.append(Skipped(shown(_raw_name(info)), unsafe))
                continue
            if not member.endswith(".ipynb"):
                skipped.append(Skipped(member, "not a notebook"))
                continue
            match = pattern.fullmatch(member)
            if not match:
                skipped.append(Skipped(member, "its name does not follow the pattern"))
                continue
            found = {k: v for k, v in match.groupdict().items() if v}
            notebook = lesson_notebook(found["file_id"], known)
            assignment = known.get(notebook)
            if assignment is None:
                skipped.append(Skipped(member, f"{notebook} is no lesson's notebook (lessons' "
                                               f"notebooks: {' '.join(sorted(known))})"))
                continue
            if lesson is not None and assignment != lesson:
                skipped.append(Skipped(member, f"belongs to {assignment}, not {lesson}"))
                continue
            data = inflate(archive, info, limit)
            if data is None:
                skipped.append(Skipped(member, f"inflates past the {size_text(limit)} limit "
                                               "for a notebook (SubmissionFiles.notebook_limit)"))
                continue
            handed.append(Handed(member, found["student_id"], assignment, notebook,
                                 found.get("first_name", ""), found.get("last_name", ""),
                                 _iso(found.get("timestamp")), _problem(data)))
    return _without_duplicates(handed, skipped)


# what a browser or an LMS adds to a second download or upload of a file: " (1)", "-1", "_2"
AGAIN = re.compile(r"(?: \(\d+\)|[-_]\d+)$")


def lesson_notebook(file_id, known):
    """The lesson's notebook a file's name means: its own name, or that name once the suffix
    of a second download or upload is taken off ("04_accumulation (1)", "04_accumulation-2"),
    where that names a lesson's notebook."""
    name = Path(file_id).with_suffix(".ipynb").name
    if name in known:
        return name
    plain = AGAIN.sub("", Path(name).stem) + ".ipynb"
    return plain if plain in known else name


def open_zip(path):
    """The zip, opened once its listing is known to be of a size to hold in memory; ValueError
    (nothing collected) if it is no zip, too long a list, or damaged."""
    again = "download the submissions again, as one zip; nothing was collected"
    try:
        with open(path, "rb") as f:
            end = zipfile._EndRecData(f)  # the record zipfile reads first: how long its listing is
    except OSError as error:
        raise ValueError(f"{path} cannot be read ({error.strerror})") from None
    if not end:
        raise ValueError(f"{path} is not a zip file ({again})")
    members, listing = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]
    if members > MAX_MEMBERS or listing > MAX_LISTING:
        raise ValueError(f"{path} lists {members:,} files in {listing:,} bytes: more than a "
                         f"class's download (at most {MAX_MEMBERS:,}); nothing was collected")
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, UnicodeDecodeError, NotImplementedError, EOFError,
            OSError) as error:
        raise ValueError(f"{path} is damaged (its list of files cannot be read: {error}): "
                         f"{again}") from None


def _unsafe(info, times, limit):
    """Why a member is not taken whatever its name says, or "": checked before it is read."""
    mode = info.external_attr >> 16
    if info.create_system == UNIX and stat.S_ISLNK(mode):
        return "a link, not a file"
    if info.flag_bits & ENCRYPTED:
        return "encrypted (password-protected): it cannot be read"
    if times > 1:
        return f"{times} files of this name in the zip: which one is the student's cannot be told"
    if not info.filename.isprintable():
        return "its name holds control characters (a newline, a NUL byte, ...)"
    if not _utf8_name(info):
        return "its name is not UTF-8 (rename the file before uploading it)"
    if info.filename.endswith(".ipynb") and info.file_size > limit:
        return (f"declares {size_text(info.file_size)}, over the {size_text(limit)} limit for a "
                "notebook (SubmissionFiles.notebook_limit)")
    return ""


def _utf8_name(info):
    """Whether a member's name is UTF-8: flagged so, or bytes that are (no flag: zipfile read
    them as cp437)."""
    try:
        _raw_name(info).encode("utf-8")  # bytes that are not UTF-8 come back as surrogates
    except UnicodeEncodeError:
        return False
    return True


def _raw_name(info):
    """A member's name as its bytes say, any byte that is not UTF-8 kept as os does
    (grading.files.shown escapes it)."""
    if info.flag_bits & UTF8_NAME:
        return info.filename
    return os.fsdecode(info.filename.encode("cp437"))


def inflate(archive, info, limit):
    """A member's bytes, inflated as they are read, never past `limit` (then None); ValueError
    if the zip is damaged there."""
    try:
        with archive.open(info) as f:
            data = f.read(limit + 1)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as error:
        raise ValueError(f"{archive.filename} is damaged ({info.filename} cannot be read: "
                         f"{error}): download it again; nothing was collected") from None
    return None if len(data) > limit else data


def _problem(data):
    """Why these bytes are no notebook, or "" (a broken one is still the student's work)."""
    try:
        parse_notebook(data)
    except NotANotebook as error:
        return f"not a valid notebook ({error.why.splitlines()[0][:100]})"
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
            skipped += [Skipped(h.member, f"an older upload than {newest.member}", True)
                        for h in same if h is not newest]
        else:
            skipped += [Skipped(h.member, f"{len(same)} files for {h.student}'s {h.notebook}, "
                                          "none dated: keep one in the zip", True) for h in same]
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
    while target.exists() and not filecmp.cmp(target, zip_path, shallow=False):
        n += 1
        target = folder / f"{zip_path.stem}-{n}.zip"
    if not target.exists():
        shutil.copyfile(zip_path, target)
    return target


class Extract(ExtractorPlugin):
    """Extracts the notebooks `plan` matched, and nothing else, each inflated as it is read and
    never past the limit (nbgrader's extractor inflates the whole zip)."""

    archive = Unicode(help="the zip, as kept in downloaded/LESSON/archive/").tag(config=True)
    members = List(Unicode(), help="its members to extract").tag(config=True)
    limit = Integer(help="bytes of each").tag(config=True)

    def extract(self, archive_path, extracted_path):
        target = Path(extracted_path) / Path(self.archive).stem
        with open_zip(self.archive) as archive:
            for member in self.members:
                data = inflate(archive, archive.getinfo(member), self.limit)
                if data is None:
                    raise ValueError(f"{member} changed since it was planned: too big now")
                (target / member).parent.mkdir(parents=True, exist_ok=True)
                (target / member).write_bytes(data)


def _zip_collect(course, assignment, archive, handed):
    from nbgrader.apps.api import temp_attrs
    from nbgrader.apps.zipcollectapp import ZipCollectApp
    from nbgrader.utils import capture_log

    files = {h.member: {"student_id": h.student, "file_id": h.notebook,
                        **({"timestamp": h.timestamp} if h.timestamp else {})} for h in handed}
    limit = SubmissionFiles(config=course.config).limits().notebook
    api = course.api(**{"ZipCollectApp.collector_plugin": Planned, "ZipCollectApp.force": True,
                        "ZipCollectApp.strict": True, "ZipCollectApp.extractor_plugin": Extract,
                        "ExtractorPlugin.force": True, "Extract.archive": str(archive),
                        "Extract.members": sorted(files), "Extract.limit": limit,
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
    """Every submission of the lesson from the exchange's inbound into submitted/ (OwnCollect);
    returns FromExchange."""
    from nbgrader.apps.api import temp_attrs
    from nbgrader.utils import capture_log

    api = course.api()
    with temp_attrs(api.coursedir, assignment_id=assignment):
        app = OwnCollect(coursedir=api.coursedir, authenticator=api.authenticator, parent=api)
        app.update = True
        _checked(capture_log(app), f"collect {assignment}")
    for student, dropped in app.result.left_out.items():
        _record_left_out(course, student, assignment, dropped)
    return app.result


@dataclass
class FromExchange:
    """What a collect from the exchange did, student by student."""
    collected: list[str] = field(default_factory=list)  # copied to submitted/
    unchanged: list[str] = field(default_factory=list)  # nothing newer in the exchange
    left_out: dict[str, list[Dropped]] = field(default_factory=dict)  # files not taken, by student
    refused: list[Skipped] = field(default_factory=list)  # the exchange's folders not collected

    def summary(self, assignment):
        lines = [f"collected {assignment}: {len(self.collected)} submissions"
                 + (f" ({len(self.unchanged)} more unchanged since the last collect)"
                    if self.unchanged else "")]
        lines += [f"  ! {student}: left out {describe(dropped)}"
                  for student, dropped in sorted(self.left_out.items()) if dropped]
        lines += not_collected(self.refused, "folders of the exchange's inbound (see what the "
                                             "exchange protects, in the README)")
        return "\n".join(lines)


class OwnCollect(ExchangeCollect):
    """nbgrader's collect from the exchange, taking only what is each student's own.

    nbgrader's own takes the newest folder named after each student, whoever wrote it (its
    check_owner logs "cheating attempt?" and collects anyway), and copies it following links.
    Here a folder is taken only if it belongs to the user whose name it carries (`check_owner`,
    on by default; `user` maps a student to a user name): one written under a classmate's name is
    refused, named with its owner, and the classmate's own newest is collected. Of a folder
    taken, only the student's own files are copied (grading/files.py): a file someone else put
    in it (nbgrader submit leaves it writable by all) is left out, named with its owner.
    """

    user = Unicode("{student}", help="the machine's user name of a student, e.g. "
                   "'jupyter-{student}' on The Littlest JupyterHub").tag(config=True)

    def init_src(self):
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail(f"Course not found: {self.inbound_path}")
        self.result = FromExchange()
        pattern = os.path.join(glob.escape(self.inbound_path),
                               f"{self.coursedir.student_id or '*'}+"
                               f"{glob.escape(self.coursedir.assignment_id)}+*")
        records = []
        for path in sorted(glob.glob(pattern)):
            record, why = self._record(path)
            if why:
                self.result.refused.append(Skipped(shown(os.path.basename(path)), why))
            else:
                records.append(record)
        self.duedate = self._duedate()
        self.src_records = [self._chosen(sorted(mine, key=lambda r: r["timestamp"], reverse=True))
                            for mine in groupby(records, lambda r: r["username"]).values()]

    def _record(self, path):
        """(nbgrader's record of an inbound folder, "") or (None, why it is not collected)."""
        name = os.path.basename(path)
        parts = name.rsplit("+", 3)
        student = parts[0]
        try:
            timestamp = parse_utc(parts[2])
        except (IndexError, ValueError, OverflowError):
            return None, "its name does not say who handed it in, and when"
        if student in ("", ".", "..") or not student.isprintable():
            return None, "its name names no student"
        try:
            info = os.lstat(path)
        except OSError as error:
            return None, f"cannot be read ({error.strerror})"
        if not stat.S_ISDIR(info.st_mode):
            return None, "a link, not a folder" if stat.S_ISLNK(info.st_mode) else "not a folder"
        if self.check_owner:
            uid = self._uid(student)
            if info.st_uid != uid:
                named = f"by {user_name(uid)}" if uid is not None else \
                    f"(no user {self.user.format(student=student)} on this machine)"
                return None, f"handed in as {student}'s, but owned by " \
                             f"{user_name(info.st_uid)}, not {named}"
        return {"username": student, "filename": name, "timestamp": timestamp}, ""

    def _uid(self, student):
        try:
            return pwd.getpwnam(self.user.format(student=student)).pw_uid
        except KeyError:
            return None

    def _duedate(self):
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gradebook:
            try:
                return gradebook.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                return None

    def _chosen(self, newest_first):
        """nbgrader's choice: the newest, or with before_duedate the newest before it."""
        if self.duedate is not None and self.before_duedate:
            on_time = [r for r in newest_first if r["timestamp"] <= self.duedate]
            return (on_time or newest_first)[0]
        return newest_first[0]

    def copy_files(self):
        limits = SubmissionFiles(parent=self).limits()
        for record in self.src_records:
            student, source = record["username"], os.path.join(self.inbound_path,
                                                               record["filename"])
            dest = Path(self.coursedir.format_path(self.coursedir.submitted_directory, student,
                                                   self.coursedir.assignment_id))
            if dest.is_dir() and not self._newer(record, dest):
                self.result.unchanged.append(student)
                continue
            scratch = dest.parent / f".{dest.name}.collecting"  # the earlier one kept till done
            shutil.rmtree(scratch, ignore_errors=True)
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                dropped = copy_own(source, scratch, limits, skip=self.coursedir.ignore,
                                   owner=self._uid(student) if self.check_owner else None)
            except Refused as why:
                self.result.refused.append(Skipped(shown(record["filename"]), str(why)))
                continue
            if dest.exists():
                shutil.rmtree(dest)
            scratch.rename(dest)
            self.result.collected.append(student)
            self.result.left_out[student] = dropped
            self.log.info("Collected %s's %s", student, self.coursedir.assignment_id)

    def _newer(self, record, dest):
        existing = self.coursedir.get_existing_timestamp(str(dest))
        if self.update and (existing is None or record["timestamp"] > existing):
            return True
        return self.before_duedate and existing != record["timestamp"]


# what collecting left out of a submission, for the grading run (grading/worker.py) to name
LEFT_OUT = "collect-status"


def left_out(course, student, assignment):
    """The files collecting did not take of this submission: [Dropped] ([] if none known)."""
    path = course.root / LEFT_OUT / f"{student}__{assignment}.json"
    try:
        return [Dropped(**d) for d in json.loads(path.read_text())]
    except (OSError, ValueError, TypeError):
        return []


def _record_left_out(course, student, assignment, dropped):
    folder = course.root / LEFT_OUT
    folder.mkdir(exist_ok=True)
    path = folder / f"{student}__{assignment}.json"
    if dropped:
        path.write_text(json.dumps([asdict(d) for d in dropped]))
    else:
        path.unlink(missing_ok=True)


def _checked(result, what):
    """nbgrader's result, or its reason for refusing (the last line of its error) raised."""
    if not result or not result["success"]:
        error = ((result or {}).get("error") or (result or {}).get("log") or "").strip()
        raise RuntimeError(f"nbgrader {what} failed: "
                           + (error.splitlines()[-1] if error else "no reason given"))
    return result
