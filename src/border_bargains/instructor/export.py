"""Grades as they really stand: one row per student, a status for each assignment, numbers only where final.

``nbgrader export`` writes the autograded part of an ungraded essay as if it
were the grade, a rejected submission as 0.0 like a student who never
submitted, and every assignment of the course whether released or not. Here
each student of the roster (and anyone who submitted) gets, per released
assignment, a status:

* ``graded``: every part is marked; the score is final (late penalty applied);
* ``awaiting manual grading``: written answers still to mark; no score yet;
* ``not graded yet`` / ``grading failed``: submitted, not (successfully) autograded;
* ``rejected``: the submission could not be graded; the reason is given;
* ``missing``: nothing submitted.

Three writers share these rows: the plain CSV, the Canvas gradebook import
and the Moodle grade import (mapped through the roster). An LMS file is not
written while any grade is unfinished, unless the instructor says so; the
message names the students who hold it up.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from border_bargains.core.term import Term, hours
from border_bargains.instructor.course_root import CourseError
from border_bargains.instructor.roster import Student, read_roster

FINAL = "graded"
UNFINISHED = ("awaiting manual grading", "not graded yet", "grading failed", "rejected")
FORMATS = ("plain", "canvas", "moodle")


@dataclass
class Cell:
    """One student's standing on one assignment."""
    status: str
    note: str = ""
    submitted: dt.datetime | None = None
    hours_late: float = 0.0
    raw: float | None = None
    penalty: float | None = None
    score: float | None = None
    max_score: float = 0.0

    @property
    def final(self) -> bool:
        return self.status == FINAL


def released_assignments(root: Path, course_id: str, exchange_root: Path, known: list[str]) -> list[str]:
    """Assignments students have been given (in the exchange) or have handed in."""
    released = []
    for name in known:
        outbound = exchange_root / course_id / "outbound" / name
        handed_in = any((root / "submitted").glob(f"*/{name}")) if (root / "submitted").exists() else False
        if outbound.exists() or handed_in:
            released.append(name)
    return released


def _status_file(root: Path, assignment: str, student: str) -> dict:
    from border_bargains.instructor.pool import status_path

    try:
        return json.loads(status_path(root, assignment, student).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def standings(api, root: Path, term: Term, assignments: list[str]) -> tuple[dict[str, Student], dict]:
    """(students by id, {(student, assignment): Cell}), late penalties from current scores (nothing is written)."""
    from nbgrader.api import Gradebook, MissingEntry

    from border_bargains.nbgrader_steps.term_sync import late_penalty

    roster = read_roster(root)
    students = dict(roster)
    table: dict[tuple[str, str], Cell] = {}
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        for student in gb.students:
            students.setdefault(student.id, Student(student.id, student.lms_user_id or "", "",
                                                    student.first_name or "", student.last_name or "",
                                                    student.email or ""))
        submitted_dir = root / "submitted"
        for assignment in assignments:
            for folder in submitted_dir.glob(f"*/{assignment}") if submitted_dir.exists() else []:
                students.setdefault(folder.parent.name, Student(folder.parent.name))
        for assignment in assignments:
            try:
                max_score = gb.find_assignment(assignment).max_score
            except MissingEntry:
                max_score = 0.0
            for student_id in students:
                status = _status_file(root, assignment, student_id)
                handed_in = (root / "submitted" / student_id / assignment).is_dir()
                try:
                    submission = gb.find_submission(assignment, student_id)
                except MissingEntry:
                    submission = None
                cell = Cell("missing", max_score=max_score)
                if status.get("status") == "rejected":
                    cell = Cell("rejected", status.get("detail", ""), max_score=max_score)
                elif status.get("status") == "failed":
                    cell = Cell("grading failed", status.get("detail", ""), max_score=max_score)
                elif submission is not None and (root / "autograded" / student_id / assignment).is_dir():
                    late, penalties = late_penalty(term, submission)
                    penalty = sum(penalties.values())
                    cell = Cell(FINAL, max_score=max_score, submitted=submission.timestamp, hours_late=hours(late))
                    if submission.needs_manual_grade:
                        waiting = sorted({g.name for nb in submission.notebooks for g in nb.grades
                                          if g.needs_manual_grade})
                        cell.status, cell.note = "awaiting manual grading", ", ".join(waiting)
                    else:
                        cell.raw = round(submission.score, 6)
                        cell.penalty = round(penalty, 6)
                        cell.score = round(max(0.0, submission.score - penalty), 6)
                    if late:
                        lateness = f"late by {hours(late):g} h ({term.late.describe()})"
                        cell.note = "; ".join(filter(None, [cell.note, lateness]))
                elif handed_in:
                    cell = Cell("not graded yet", "run autograde", max_score=max_score)
                table[(student_id, assignment)] = cell
    return students, table


def holdups(table: dict, assignments: list[str]) -> list[str]:
    return [f"{student} ({assignment}: {cell.status}{': ' + cell.note if cell.note else ''})"
            for (student, assignment), cell in sorted(table.items()) if cell.status in UNFINISHED
            and assignment in assignments]


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def write_plain(path: Path, students: dict[str, Student], table: dict, term: Term, assignments: list[str]) -> None:
    header = ["student_id", "name", "email", "section", "lms_id"]
    for a in assignments:
        header += [f"{a}: status", f"{a}: score", f"{a}: raw score", f"{a}: late penalty", f"{a}: hours late",
                   f"{a}: max score", f"{a}: submitted ({term.timezone.key})", f"{a}: note"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for sid, student in sorted(students.items()):
            row = [sid, student.name, student.email, student.section, student.lms_id]
            for a in assignments:
                cell = table[(sid, a)]
                submitted = (cell.submitted.replace(tzinfo=dt.UTC).astimezone(term.timezone).strftime("%Y-%m-%d %H:%M")
                             if cell.submitted else "")
                row += [cell.status, _num(cell.score), _num(cell.raw), _num(cell.penalty),
                        _num(cell.hours_late) if cell.submitted else "", _num(cell.max_score), submitted, cell.note]
            writer.writerow(row)


def write_canvas(path: Path, students: dict[str, Student], table: dict, term: Term, assignments: list[str]) -> None:
    """Canvas' gradebook import: its first five columns, then one column per assignment, final scores only."""
    columns = []
    for a in assignments:
        info = term.assignment(a)
        columns.append(f"{info.title} ({info.canvas_id})" if info.canvas_id else info.title)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *columns])
        writer.writerow(["Points Possible", "", "", "", "", *(_num(table[(next(iter(students)), a)].max_score)
                                                               for a in assignments)])
        for sid, student in sorted(students.items()):
            name = f"{student.last_name}, {student.first_name}" if student.last_name else student.name
            writer.writerow([name, student.lms_id, student.sis_id, sid, student.section,
                             *(_num(table[(sid, a)].score) if table[(sid, a)].final else "" for a in assignments)])


def write_moodle(path: Path, students: dict[str, Student], table: dict, term: Term, assignments: list[str]) -> None:
    """Moodle's grade import (CSV): an identifying column to map users by, then one column per grade item."""
    items = [term.assignment(a).moodle_name or term.assignment(a).title for a in assignments]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Email address", "ID number", "Username", "First name", "Last name", *items])
        for sid, student in sorted(students.items()):
            writer.writerow([student.email, student.sis_id, sid, student.first_name, student.last_name,
                             *(_num(table[(sid, a)].score) if table[(sid, a)].final else "" for a in assignments)])


WRITERS = {"plain": write_plain, "canvas": write_canvas, "moodle": write_moodle}


def export(api, root: Path, term: Term, assignments: list[str], out: Path, fmt: str, *,
           allow_unfinished: bool = False) -> tuple[int, list[str]]:
    """Write the file; returns (number of students, the unfinished grades). Refuses an LMS file with holdups."""
    if fmt not in FORMATS:
        raise CourseError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not assignments:
        raise CourseError("no assignment has been released or handed in yet: nothing to export")
    students, table = standings(api, root, term, assignments)
    if not students:
        raise CourseError("no students: import the class list first (border-bargains roster FILE)")
    waiting = holdups(table, assignments)
    if fmt != "plain" and waiting and not allow_unfinished:
        raise CourseError(f"not writing a {fmt} file while {len(waiting)} grade(s) are unfinished: "
                          + "; ".join(waiting) + ". Finish them, or add --allow-unfinished to leave them blank.")
    WRITERS[fmt](out, students, table, term, assignments)
    return len(students), waiting
