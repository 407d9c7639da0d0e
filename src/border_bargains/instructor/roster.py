"""The class list: imported from a Canvas or Moodle export, kept as ``roster.csv``, copied into the gradebook.

Each LMS names its columns differently and Excel saves with a byte-order mark
and sometimes semicolons, so the file is read with the standard library's CSV
sniffer and its headers are matched against the names Canvas and Moodle use.
The student id is the one nbgrader knows the student by (the login or JupyterHub
user name); the LMS id is what the LMS import needs back. ``roster.csv`` in the
course folder (kept out of git) holds the result in one fixed layout; the
gradebook gets names, e-mails and LMS ids, so Formgrader shows names instead of
"None, None".
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
}
SKIP_NAMES = {"points possible", "test student", "student, test"}  # Canvas' extra rows


@dataclass(frozen=True)
class Student:
    student_id: str
    lms_id: str = ""
    sis_id: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    section: str = ""

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.student_id


def _norm(header: str) -> str:
    return re.sub(r"\s+", " ", header.replace("\ufeff", "").strip().lower())


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
            return row[column[field]].strip() if field in column and column[field] < len(row) else ""
        full = get("name")
        if _norm(full) in SKIP_NAMES or _norm(row[0]) in SKIP_NAMES:
            continue
        student_id = get("student_id")
        if not student_id:
            raise CourseError(f"row {number} of the class list has no student id ({full or 'no name'})")
        if "@" in student_id and column["student_id"] == column.get("email"):
            student_id = student_id.split("@", 1)[0]
        if student_id in seen:
            raise CourseError(f"student id {student_id!r} appears twice (rows {seen[student_id]} and {number})")
        seen[student_id] = number
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


def import_roster(api, root: Path, source: Path, *, id_column: str | None = None) -> list[Student]:
    """Read an LMS export, write roster.csv, and give every student a name and e-mail in the gradebook."""
    from nbgrader.api import Gradebook

    try:
        text = source.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        text = source.read_bytes().decode("cp1252")  # older Excel exports
    except OSError as exc:
        raise CourseError(f"cannot read {source}: {exc.strerror}") from None
    students = parse_lms_csv(text, id_column=id_column)
    write_roster(root, students)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        for student in students:
            gb.update_or_create_student(student.student_id, first_name=student.first_name or None,
                                        last_name=student.last_name or None, email=student.email or None,
                                        lms_user_id=student.lms_id or None)
    return students
