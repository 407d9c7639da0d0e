"""The class list: imported from a Canvas or Moodle export, kept as ``roster.csv``, copied into the gradebook.

Each LMS names its columns differently and Excel saves with a byte-order mark
and sometimes semicolons, so the file is read with the standard library's CSV
sniffer and its headers are matched against the names Canvas and Moodle use.
The student id is the one nbgrader knows the student by (the login or JupyterHub
user name); the LMS id is what the LMS import needs back. ``roster.csv`` in the
course folder (kept out of git) holds the result in one fixed layout; the
gradebook gets names, e-mails and LMS ids, so Formgrader shows names instead of
"None, None".

What the exports really contain is taken as it comes: Canvas' gradebook export
(``lib/gradebook_exporter.rb`` in canvas-lms) may add, under its header, a row
with no student whose cells say "Manual Posting" (assignments that post grades
manually), its "    Points Possible" row (indented, with "(read only)" cells),
"LastName"/"FirstName" columns instead of "Student", names quoted as
``="..."`` when they start with "=", and the course's "Test Student" last.
Moodle's participants and grader exports carry "First name"/"Last name" (or
"Surname"), "Username" when the site shows it, "ID number", "Email address"
and, in the participants list, "Roles" (only students are kept). A row with
neither a name nor any id is a summary row and is skipped; a student row
without a login is an error naming the row.

Ids are logins, and logins are matched without regard to case (JupyterHub
lowercases user names): a roster id "OPark" for the login "opark" is one
student, with one warning. Importing again reports who was added, whose
details changed and who withdrew; withdrawn students stay in ``roster.csv``
marked ``withdrawn`` (their grades stay in the gradebook) and leave the exports.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from border_bargains.instructor.course_root import CourseError

ROSTER = "roster.csv"

# Our field -> header names used by Canvas (gradebook export), Moodle (user or grade export) and by hand.
ALIASES = {
    "student_id": ["sis login id", "login id", "username", "user name", "student id", "student_id", "login", "netid",
                   "jupyterhub user"],
    "lms_id": ["id", "canvas user id", "user id", "lms id", "lms_id"],
    "sis_id": ["sis user id", "id number", "idnumber", "student number"],
    "name": ["student", "name", "full name", "student name"],
    "first_name": ["first name", "firstname", "given name"],
    "last_name": ["last name", "lastname", "surname", "family name"],
    "email": ["email", "email address", "e-mail", "mail"],
    "section": ["section", "sections", "group", "groups", "class"],
    "roles": ["roles", "role"],
}
SKIP_NAMES = {"points possible", "test student", "student, test", "manual posting"}  # Canvas' extra rows
WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Student:
    student_id: str
    lms_id: str = ""
    sis_id: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    section: str = ""
    status: str = ""  # "withdrawn" once a later import no longer lists the student

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.student_id


def _norm(header: str) -> str:
    return re.sub(r"\s+", " ", header.replace("\ufeff", "").strip().lower())


def _unquote(value: str) -> str:
    """Canvas writes a name starting with '=' as ="name" so that spreadsheets do not run it."""
    match = re.fullmatch(r'="(.*)"', value.strip())
    return match.group(1) if match else value.strip()


def _split_name(full: str) -> tuple[str, str]:
    if "," in full:  # Canvas: "Last, First"
        last, first = (p.strip() for p in full.split(",", 1))
        return first, last
    parts = full.split()
    return (" ".join(parts[:-1]), parts[-1]) if len(parts) > 1 else (full.strip(), "")


def parse_lms_csv(text: str, *, id_column: str | None = None) -> list[Student]:
    """Students from an LMS export; the message of any error names the row and says what to fix."""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    if not rows:
        raise CourseError("the class list is empty")
    headers = [_norm(h) for h in rows[0]]
    column: dict[str, int] = {}
    for ours, names in ALIASES.items():
        for name in names:
            if name in headers:
                column[ours] = headers.index(name)
                break
    if id_column is not None:
        if _norm(id_column) not in headers:
            raise CourseError(f"the class list has no column {id_column!r}; its columns are: {', '.join(rows[0])}")
        column["student_id"] = headers.index(_norm(id_column))
    if "student_id" not in column:
        if "email" in column:
            column["student_id"] = column["email"]  # last resort: the e-mail address identifies the student
        else:
            raise CourseError("no column says which login each student has (looked for: SIS Login ID, Username, "
                              "Student ID); name it with --id-column")
    students: list[Student] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        def get(field: str, row=row) -> str:
            return _unquote(row[column[field]]) if field in column and column[field] < len(row) else ""
        full = get("name") or " ".join(filter(None, [get("first_name"), get("last_name")]))
        if _norm(full) in SKIP_NAMES or _norm(row[0]) in SKIP_NAMES:
            continue
        if not full and not get("student_id") and not get("lms_id") and not get("sis_id"):
            continue  # a row about the assignments (Canvas' "Manual Posting" or points row), not a student
        roles = get("roles")
        if roles and "student" not in roles.lower():
            continue  # Moodle's participants list also holds teachers
        student_id = get("student_id")
        if not student_id:
            raise CourseError(f"row {number} of the class list has no student id ({full or 'no name'})")
        if "@" in student_id and column["student_id"] == column.get("email"):
            student_id = student_id.split("@", 1)[0]
        if student_id.lower() in seen:
            raise CourseError(f"student id {student_id!r} appears twice (rows {seen[student_id.lower()]} and "
                              f"{number}; ids are matched without regard to case)")
        seen[student_id.lower()] = number
        first, last = get("first_name"), get("last_name")
        if not (first or last) and full:
            first, last = _split_name(full)
        students.append(Student(student_id, get("lms_id"), get("sis_id"), first, last, get("email"), get("section")))
    if not students:
        raise CourseError("the class list has a header but no students")
    return students


def write_roster(root: Path, students: list[Student]) -> Path:
    path = root / ROSTER
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[f.name for f in fields(Student)])
        writer.writeheader()
        for student in students:
            writer.writerow(asdict(student))
    return path


def read_roster(root: Path) -> dict[str, Student]:
    path = root / ROSTER
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["student_id"]: Student(**{f.name: row.get(f.name, "") for f in fields(Student)})
                for row in csv.DictReader(handle)}


@dataclass
class ImportReport:
    students: list[Student]  # the class as imported (withdrawn ones not included)
    added: list[str]
    changed: list[str]  # "id (what changed)"
    withdrawn: list[str]
    warnings: list[str]
    first: bool  # no roster.csv before


def known_logins(api, root: Path) -> set[str]:
    """Every login that handed something in: submitted/, the gradebook's submissions, the exchange's inbound/."""
    from nbgrader.api import Gradebook

    logins = {p.name for p in (root / "submitted").iterdir() if p.is_dir()} if (root / "submitted").is_dir() \
        else set()
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:  # students with work, not names only
        logins |= {sub.student.id for assignment in gb.assignments for sub in assignment.submissions}
    logins |= set(inbound_submissions(api, root))
    return logins


def _timestamp(text: str) -> bool:
    from nbgrader.utils import parse_utc

    try:
        parse_utc(text)
    except (ValueError, OverflowError, TypeError):
        return False
    return True


def inbound_submissions(api, root: Path) -> dict[str, dict[str, str]]:
    """{student: {assignment: newest timestamp}} of what waits in the exchange's inbound/ folder.

    Only what collect would take counts (:func:`border_bargains.exchange.collect.would_collect`): a folder placed
    under a classmate's name, or one collect refuses (too large, unreadable), never makes work look uncollected.
    """
    from border_bargains.exchange.collect import CheckedCollect, would_collect

    exchange = Path(api.config.Exchange.root) if "root" in api.config.Exchange else root / "exchange"
    inbound = exchange / api.coursedir.course_id / "inbound"
    found: dict[str, dict[str, str]] = {}
    collect = CheckedCollect.class_traits()
    trust_own = api.config.CheckedCollect.get("trust_own_account", collect["trust_own_account"].default_value)
    max_mib = api.config.CheckedCollect.get("max_submission_mib", collect["max_submission_mib"].default_value)
    if not inbound.is_dir():
        return found
    for entry in inbound.iterdir():
        parts = entry.name.split("+")
        if len(parts) < 3 or not _timestamp(parts[2]):
            continue  # collect skips a name without a time; so does this
        if would_collect(str(entry), parts[0], max_mib=max_mib, trust_own_account=trust_own):
            student, assignment, stamp = parts[0], parts[1], parts[2]
            mine = found.setdefault(student, {})
            mine[assignment] = max(mine.get(assignment, ""), stamp)
    return found


def match_case(students: list[Student], logins: set[str]) -> tuple[list[Student], list[str]]:
    """A roster id that differs from a known login only in case is that login (one warning each)."""
    from dataclasses import replace

    by_lower: dict[str, str] = {}
    for login in sorted(logins):
        by_lower.setdefault(login.lower(), login)
    matched, warnings = [], []
    for student in students:
        login = by_lower.get(student.student_id.lower())
        if login is not None and login != student.student_id:
            warnings.append(f"roster id {student.student_id!r} taken as the login {login!r} (ids are matched "
                            "without regard to case)")
            student = replace(student, student_id=login)
        matched.append(student)
    return matched, warnings


def import_roster(api, root: Path, source: Path, *, id_column: str | None = None) -> ImportReport:
    """Read an LMS export, write roster.csv, and give every student a name and e-mail in the gradebook."""
    from dataclasses import replace

    from nbgrader.api import Gradebook

    if not str(source) or source.is_dir():
        raise CourseError("name the class list exported from the LMS: make roster FILE=export.csv "
                          "(border-bargains roster export.csv)")
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise CourseError(f"cannot read {source}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")  # older Excel exports
    students, warnings = match_case(parse_lms_csv(text, id_column=id_column), known_logins(api, root))
    before = read_roster(root)
    now = {s.student_id: s for s in students}
    old_by_lower = {k.lower(): k for k in before}
    added, changed, withdrawn = [], [], []
    for sid, student in now.items():
        old_id = sid if sid in before else old_by_lower.get(sid.lower())
        if old_id is None:
            added.append(sid)
            continue
        old = before[old_id]
        what = [f.name for f in fields(Student) if f.name not in ("status",)
                and getattr(old, f.name) != getattr(student, f.name)]
        if old.status == WITHDRAWN:
            what.append("back from withdrawn")
        if what:
            changed.append(f"{sid} ({', '.join(what).replace('_', ' ')})")
    now_lower = {k.lower() for k in now}
    kept = []
    for sid, old in before.items():
        if sid.lower() not in now_lower:
            if old.status != WITHDRAWN:
                withdrawn.append(sid)
            kept.append(replace(old, status=WITHDRAWN))
    write_roster(root, students + kept)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        for student in students:
            gb.update_or_create_student(student.student_id, first_name=student.first_name or None,
                                        last_name=student.last_name or None, email=student.email or None,
                                        lms_user_id=student.lms_id or None)
    return ImportReport(students, sorted(added), sorted(changed), sorted(withdrawn), warnings, not before)
