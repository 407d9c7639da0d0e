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
* ``submitted, not collected``: a submission (or a newer one) waits in the
  exchange's ``inbound/`` folder: run collect;
* ``missing``: nothing submitted.

Three writers share these rows: the plain CSV, the Canvas gradebook import
and the Moodle grade import (mapped through the roster). An LMS file is not
written while any grade is unfinished or any submission uncollected, unless
the instructor says so (``--allow-unfinished``); the message names the
students who hold it up.

Numbers follow ``[grades]`` in ``course.toml``: work never handed in is blank
(``missing = "blank"``, the default) or 0 (``"zero"``) in all three files, and
scores are rounded to ``decimals`` places (default 2) after the late penalty.
A blank never clears a grade in Moodle: the Moodle file leaves out a student
who has no number for any assignment, and its README-documented import maps
by username. Students marked withdrawn in ``roster.csv`` are left out.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from border_bargains.core.term import Term, hours
from border_bargains.instructor.course_root import CourseError
from border_bargains.instructor.roster import WITHDRAWN, Student, inbound_submissions, read_roster

FINAL = "graded"
MISSING = "missing"
UNCOLLECTED = "submitted, not collected"
WAITING = "awaiting manual grading"
UNFINISHED = (WAITING, "not graded yet", "grading failed", "rejected", UNCOLLECTED)
HAS_FEEDBACK = (FINAL, WAITING)  # statuses nbgrader can make feedback pages for (written answers may wait)
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


def _collected_stamp(root: Path, student: str, assignment: str) -> str:
    try:
        return (root / "submitted" / student / assignment / "timestamp.txt").read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _same_moment(inbound: str, collected: str) -> bool:
    """nbgrader names inbound folders with the timestamp it writes to timestamp.txt (maybe reformatted)."""
    from nbgrader.utils import parse_utc

    try:
        return parse_utc(inbound) <= parse_utc(collected)
    except Exception:  # an unreadable stamp: treat as not collected, the safe side
        return False


def class_list(api, root: Path, gb, assignments: list[str], warnings: list[str] | None = None) -> dict[str, Student]:
    """The students the exports list: the roster (withdrawn ones left out) and anyone who handed in.

    A login that differs from a roster id only in case is that roster student (one warning each).
    """
    from dataclasses import replace

    roster = read_roster(root)
    students = {sid: s for sid, s in roster.items() if s.status != WITHDRAWN}
    left = {sid.lower() for sid, s in roster.items() if s.status == WITHDRAWN}
    others: dict[str, Student] = {}
    for student in gb.students:
        others[student.id] = Student(student.id, student.lms_user_id or "", "", student.first_name or "",
                                     student.last_name or "", student.email or "")
    submitted_dir = root / "submitted"
    inbound = inbound_submissions(api, root)
    for assignment in assignments:
        for folder in submitted_dir.glob(f"*/{assignment}") if submitted_dir.exists() else []:
            others.setdefault(folder.parent.name, Student(folder.parent.name))
    for sid, waiting in inbound.items():
        if any(a in waiting for a in assignments):
            others.setdefault(sid, Student(sid))
    # Who handed something in (a gradebook entry alone, made by a roster import, is only a name).
    worked = {folder.parent.name for a in assignments for folder in
              (submitted_dir.glob(f"*/{a}") if submitted_dir.exists() else [])}
    worked |= set(inbound) | {sub.student.id for a in gb.assignments if a.name in assignments
                              for sub in a.submissions}
    by_lower = {sid.lower(): sid for sid in students}
    for sid, record in sorted(others.items()):
        if sid in roster or sid.lower() in left:
            continue
        rid = by_lower.get(sid.lower())
        if rid is None:
            students[sid] = record
        elif sid in worked and rid not in worked:
            students[sid] = replace(students.pop(rid), student_id=sid)
            by_lower[sid.lower()] = sid
            if warnings is not None:
                warnings.append(f"roster id {rid!r} taken as the login {sid!r} (ids are matched without regard "
                                "to case; `make roster` again records it)")
        elif sid in worked:  # both spellings handed in: two rows, and say so
            students[sid] = record
            if warnings is not None:
                warnings.append(f"{sid!r} and the roster's {rid!r} both handed in work: listed apart")
    return students


def standings(api, root: Path, term: Term, assignments: list[str],
              warnings: list[str] | None = None) -> tuple[dict[str, Student], dict]:
    """(students by id, {(student, assignment): Cell}), late penalties from current scores (nothing is written)."""
    from nbgrader.api import Gradebook, MissingEntry

    from border_bargains.nbgrader_steps.term_sync import late_penalty

    table: dict[tuple[str, str], Cell] = {}
    inbound = inbound_submissions(api, root)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        students = class_list(api, root, gb, assignments, warnings)
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
                cell = Cell(MISSING, max_score=max_score)
                if status.get("status") == "rejected":
                    cell = Cell("rejected", status.get("detail", ""), max_score=max_score)
                elif status.get("status") == "failed":
                    cell = Cell("grading failed", status.get("detail", ""), max_score=max_score)
                elif submission is not None and (root / "autograded" / student_id / assignment).is_dir():
                    late, penalties = late_penalty(term, submission)
                    penalty = sum(penalties.values())
                    after_due = term.seconds_after_due(student_id, assignment, submission.timestamp)
                    cell = Cell(FINAL, max_score=max_score, submitted=submission.timestamp, hours_late=hours(late))
                    if submission.needs_manual_grade:
                        waiting = sorted({g.name for nb in submission.notebooks for g in nb.grades
                                          if g.needs_manual_grade})
                        cell.status, cell.note = "awaiting manual grading", ", ".join(waiting)
                    else:
                        cell.raw = term.rounded(submission.score)
                        cell.penalty = term.rounded(penalty)
                        cell.score = term.rounded(max(0.0, submission.score - penalty))
                    if after_due > 0:
                        cell.note = "; ".join(filter(None, [cell.note, term.lateness(after_due)
                                                            + (f" ({term.late.describe()})" if late else "")]))
                elif handed_in:
                    cell = Cell("not graded yet", "run autograde", max_score=max_score)
                waiting_stamp = inbound.get(student_id, {}).get(assignment)
                if waiting_stamp and not _same_moment(waiting_stamp, _collected_stamp(root, student_id, assignment)):
                    note = f"handed in {waiting_stamp} UTC; run collect" + (
                        f" (the collected one is {cell.status})" if cell.status != MISSING else "")
                    cell = Cell(UNCOLLECTED, note, max_score=max_score)
                if cell.status == MISSING and term.missing == "zero":
                    cell.score, cell.note = 0.0, "nothing handed in: 0 ([grades] missing = \"zero\")"
                table[(student_id, assignment)] = cell
    return students, table


def holdups(table: dict, assignments: list[str]) -> list[str]:
    return [f"{student} ({assignment}: {cell.status}{': ' + cell.note if cell.note else ''})"
            for (student, assignment), cell in sorted(table.items()) if cell.status in UNFINISHED
            and assignment in assignments]


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _lms_value(cell: Cell) -> str:
    """What an LMS file carries: a final score, or 0 for missing work when the course says so; else blank."""
    if cell.final or (cell.status == MISSING and cell.score is not None):
        return _num(cell.score)
    return ""


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
                             *(_lms_value(table[(sid, a)]) for a in assignments)])


def write_moodle(path: Path, students: dict[str, Student], table: dict, term: Term, assignments: list[str]) -> None:
    """Moodle's grade import (CSV): Username first, then one column per item.

    What Moodle's importer does with it (moodle/moodle, grade/import/csv/classes/load_data.php): the instructor
    maps one column to a user field ("Map from" Username, "Map to" Username) and picks, for each other
    column, a grade item or "Ignore"; no column is matched by its name. A cell that is blank or "-" sets that
    grade to none, so a blank would clear a grade already in Moodle: a student with no number for any
    assignment is left out, and with several assignments ``export`` also writes one file per assignment,
    each listing only the students with a number for it. A user Moodle cannot find stops the whole import,
    and Moodle keeps usernames in lower case (PARAM_USERNAME), so the username is written in lower case.
    """
    items = [term.assignment(a).moodle_name or term.assignment(a).title for a in assignments]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Username", "ID number", "Email address", "First name", "Last name", *items])
        for sid, student in sorted(students.items()):
            values = [_lms_value(table[(sid, a)]) for a in assignments]
            if not all(values):
                continue
            writer.writerow([sid.lower(), student.sis_id, student.email, student.first_name, student.last_name,
                             *values])


WRITERS = {"plain": write_plain, "canvas": write_canvas, "moodle": write_moodle}


def export(api, root: Path, term: Term, assignments: list[str], out: Path, fmt: str, *,
           allow_unfinished: bool = False, warnings: list[str] | None = None) -> tuple[int, list[str]]:
    """Write the file; returns (number of students, the unfinished grades). Refuses an LMS file with holdups."""
    if fmt not in FORMATS:
        raise CourseError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not assignments:
        raise CourseError("no assignment has been released or handed in yet: nothing to export")
    students, table = standings(api, root, term, assignments, warnings)
    if not students:
        raise CourseError("no students: import the class list first (border-bargains roster FILE)")
    waiting = holdups(table, assignments)
    if fmt != "plain" and waiting and not allow_unfinished:
        uncollected = any(table[k].status == UNCOLLECTED for k in table if k[1] in assignments)
        hint = " Run collect," if uncollected else ""
        raise CourseError(f"not writing a {fmt} file while {len(waiting)} grade(s) are unfinished or uncollected: "
                          + "; ".join(waiting) + f".{hint} Finish them, or add --allow-unfinished to leave them "
                          "blank.")
    if fmt == "moodle" and len(assignments) > 1:
        for a in assignments:  # one file per grade item: a blank in one column never clears a grade in Moodle
            WRITERS[fmt](out.with_name(f"{out.stem}-{a}{out.suffix}"), students, table, term, [a])
    WRITERS[fmt](out, students, table, term, assignments)
    return len(students), waiting
