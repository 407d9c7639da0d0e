"""The term's settings, read from ``course.toml`` in the course folder: due dates, extensions, late policy, LMS ids.

One file an instructor can read and edit, beside ``nbgrader_config.py`` (which
holds nbgrader's own settings). Everything here is plain data and arithmetic,
with no nbgrader import, so the rules can be tested on their own and read in
one place:

* a due date without a UTC offset is in the course's ``timezone``;
* an extension replaces the due date for one student and one assignment;
* lateness is counted from the (extended) due date; a submission within
  ``grace_minutes`` of it is on time;
* the late policy is ``none`` (lateness is reported, nothing deducted),
  ``zero`` (a late submission scores 0) or ``percent`` (``percent_per_day``
  of the score for each day *or part of a day* late, at most ``cap_percent``).

The penalty is taken from the final score (autograded plus manual), so it is
computed again whenever scores change: at autograde, at feedback and at export.

``[grades]`` says how exports write numbers: ``missing = "blank"`` (default) or
``"zero"`` for work never handed in, and ``decimals`` (default 2) for rounding.

The file is checked against :data:`SCHEMA`: a setting the course does not know
(``due_date`` for ``due``) is an error naming its line, never silently ignored.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FILENAME = "course.toml"
POLICIES = ("none", "zero", "percent")
MISSING = ("blank", "zero")
# Every setting course.toml may hold, by table ("*" is any name: one table per assignment).
SCHEMA: dict[str, tuple[str, ...]] = {
    "": ("course", "assignments", "late", "extensions", "grades"),
    "course": ("title", "timezone", "coverage_through"),
    "assignments.*": ("title", "due", "canvas_id", "moodle_name"),
    "late": ("policy", "percent_per_day", "cap_percent", "grace_minutes"),
    "grades": ("missing", "decimals"),
}


class TermError(ValueError):
    """course.toml cannot be used as it is; the message names the entry and says what to write."""


@dataclass(frozen=True)
class LatePolicy:
    policy: str = "none"
    percent_per_day: float = 0.0
    cap_percent: float = 100.0
    grace_minutes: float = 0.0

    def describe(self) -> str:
        grace = f", {self.grace_minutes:g} minutes' grace" if self.grace_minutes else ""
        if self.policy == "zero":
            return f"late work scores 0{grace}"
        if self.policy == "percent":
            return (f"{self.percent_per_day:g}% of the score per day or part of a day late, at most "
                    f"{self.cap_percent:g}%{grace}")
        return f"no late penalty (lateness is reported){grace}"


@dataclass(frozen=True)
class AssignmentTerm:
    name: str
    title: str
    due: dt.datetime | None = None  # aware
    canvas_id: str = ""
    moodle_name: str = ""


@dataclass
class Term:
    timezone: ZoneInfo
    assignments: dict[str, AssignmentTerm] = field(default_factory=dict)
    extensions: dict[tuple[str, str], dt.datetime] = field(default_factory=dict)  # (student, assignment) -> due
    late: LatePolicy = field(default_factory=LatePolicy)
    course_title: str = "Border Bargains"
    missing: str = "blank"  # what exports write for work never handed in: "blank" or "zero"
    decimals: int = 2  # exports round scores to this many decimal places
    path: Path | None = None
    text: str = ""

    def rounded(self, value: float | None) -> float | None:
        return None if value is None else round(value, self.decimals)

    def line_of(self, table: str, key: str) -> str:
        """'course.toml line N' for a key of a table, for error messages."""
        number = find_line(self.text, table, key)
        name = self.path.name if self.path else FILENAME
        return f"{name} line {number}" if number else f"{name} [{table}]"

    def assignment(self, name: str) -> AssignmentTerm:
        return self.assignments.get(name, AssignmentTerm(name, name.replace("_", " ").capitalize()))

    def due_for(self, student: str, assignment: str) -> dt.datetime | None:
        """The due date that applies to this student: their extension, or the assignment's."""
        return self.extensions.get((student, assignment), self.assignment(assignment).due)

    def seconds_after_due(self, student: str, assignment: str, submitted: dt.datetime | None) -> float:
        """Seconds past the (extended) due date, grace ignored (negative when early); 0 without a due date."""
        due = self.due_for(student, assignment)
        if due is None or submitted is None:
            return 0.0
        if submitted.tzinfo is None:  # nbgrader keeps timestamps as naive UTC
            submitted = submitted.replace(tzinfo=dt.UTC)
        return (submitted - due).total_seconds()

    def seconds_late(self, student: str, assignment: str, submitted: dt.datetime | None) -> float:
        """Seconds past the (extended) due date, 0 within the grace period or without a due date."""
        late = self.seconds_after_due(student, assignment, submitted)
        return late if late > self.late.grace_minutes * 60 else 0.0

    def lateness(self, seconds_after_due: float) -> str:
        """Lateness in words nobody can misread: '1 h 2 min late, past the 60-minute grace'."""
        if seconds_after_due <= 0:
            return "on time"
        grace = self.late.grace_minutes
        words = duration_words(seconds_after_due)
        if grace and seconds_after_due <= grace * 60:
            return f"{words} after the due date, within the {grace:g}-minute grace: on time"
        return f"{words} late" + (f", past the {grace:g}-minute grace" if grace else "")

    def penalty(self, score: float, seconds_late: float) -> float:
        """Points taken off ``score`` for ``seconds_late`` under the late policy (never more than the score)."""
        if seconds_late <= 0 or score <= 0 or self.late.policy == "none":
            return 0.0
        if self.late.policy == "zero":
            return score
        days = math.ceil(seconds_late / 86400)  # a part of a day counts as a day
        percent = min(self.late.cap_percent, self.late.percent_per_day * days)
        return round(score * percent / 100, 6)


def duration_words(seconds: float) -> str:
    """'2 d 3 h', '1 h 2 min', '59 min', '40 s': whole units, rounded down, never '1.0 hours'."""
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours_, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours_} h" if hours_ else f"{days} d"
    if hours_:
        return f"{hours_} h {minutes} min" if minutes else f"{hours_} h"
    return f"{minutes} min" if minutes else f"{secs} s"


def find_line(text: str, table: str, key: str) -> int | None:
    """The line (1-based) where ``key`` is set in ``[table]`` (also as an inline table's key), if found."""
    pattern = re.compile(rf'^\s*["\']?{re.escape(key)}["\']?\s*=')
    inline = re.compile(rf'[{{,]\s*["\']?{re.escape(key)}["\']?\s*=')
    parent, _, last = table.rpartition(".")
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[\s*([^\]]+?)\s*\]", line)
        if header:
            current = header.group(1).replace('"', "").replace(" ", "")
            if table and current == table and key == "":
                return number
            continue
        if current == table and pattern.match(line):
            return number
        if current == parent and last and re.match(rf'^\s*["\']?{re.escape(last)}["\']?\s*=', line) \
                and inline.search(line):
            return number
    return None


def _check_keys(doc: dict, text: str, name: str) -> None:
    """Refuse any setting SCHEMA does not list, naming its line and the settings that table takes."""
    def refuse(table: str, key: str, allowed: tuple[str, ...]) -> None:
        number = find_line(text, table, key)
        where = f"{name} line {number}" if number else f"{name} [{table}]"
        close = difflib.get_close_matches(key, allowed, n=1) or [a for a in allowed if key.startswith(a)]
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        place = f"in [{table}]" if table else "at the top level"
        raise TermError(f"{where}: unknown setting {key!r} {place}{hint}; the settings there are: "
                        f"{', '.join(allowed)}")

    for key in doc:
        if key not in SCHEMA[""]:
            refuse("", key, SCHEMA[""])
    for table in ("course", "late", "grades"):
        value = doc.get(table, {})
        if not isinstance(value, dict):
            raise TermError(f"{name}: [{table}] must be a table of settings")
        for key in value:
            if key not in SCHEMA[table]:
                refuse(table, key, SCHEMA[table])
    for assignment, value in doc.get("assignments", {}).items():
        if not isinstance(value, dict):
            raise TermError(f"{name}: assignments.{assignment} must be a table, [assignments.{assignment}]")
        for key in value:
            if key not in SCHEMA["assignments.*"]:
                refuse(f"assignments.{assignment}", key, SCHEMA["assignments.*"])


def _parse_time(value, where: str, zone: ZoneInfo) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise TermError(f"{where}: {value!r} is not a date and time; write it like \"2027-02-01 23:59\"") from None
    else:
        raise TermError(f"{where}: write a date and time like \"2027-02-01 23:59\"")
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _number(table: dict, name: str, where: str, default: float, low: float = 0.0) -> float:
    value = table.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < low:
        raise TermError(f"{where}: '{name}' must be a number of at least {low:g}")
    return float(value)


def load_term(root: str | Path) -> Term:
    """Read ``course.toml`` (a missing file means no due dates and no late policy)."""
    path = Path(root) / FILENAME
    if not path.exists():
        return Term(timezone=ZoneInfo("UTC"))
    text = path.read_text(encoding="utf-8")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TermError(f"{path}: cannot be read as TOML: {exc}") from None
    _check_keys(doc, text, path.name)
    course = doc.get("course", {})
    try:
        zone = ZoneInfo(course.get("timezone", "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        raise TermError(f"{path} [course]: timezone {course.get('timezone')!r} is not a time zone name such as "
                        "\"America/Chicago\"") from None
    term = Term(timezone=zone, course_title=course.get("title", "Border Bargains"), path=path, text=text)
    for name, table in doc.get("assignments", {}).items():
        where = f"{path} [assignments.{name}]"
        due = _parse_time(table["due"], where + " due", zone) if "due" in table else None
        term.assignments[name] = AssignmentTerm(name, table.get("title", name.replace("_", " ").capitalize()), due,
                                                str(table.get("canvas_id", "")), table.get("moodle_name", ""))
    for student, table in doc.get("extensions", {}).items():
        if not isinstance(table, dict):
            raise TermError(f"{path} [extensions]: {student} = {{ assignment = \"new due date\" }}")
        for assignment, value in table.items():
            term.extensions[(student, assignment)] = _parse_time(value, f"{path} [extensions.{student}.{assignment}]",
                                                                 zone)
    late = doc.get("late", {})
    where = f"{path} [late]"
    policy = late.get("policy", "none")
    if policy not in POLICIES:
        raise TermError(f"{where}: policy must be one of {', '.join(POLICIES)}, not {policy!r}")
    term.late = LatePolicy(policy, _number(late, "percent_per_day", where, 0.0),
                           _number(late, "cap_percent", where, 100.0), _number(late, "grace_minutes", where, 0.0))
    if policy == "percent" and term.late.percent_per_day <= 0:
        raise TermError(f"{where}: policy \"percent\" needs percent_per_day, e.g. percent_per_day = 10")
    unknown = sorted({(n, s) for (s, n) in term.extensions if n not in term.assignments})
    if unknown:
        assignment, student = unknown[0]
        raise TermError(f"{term.line_of('extensions.' + student, assignment)} [extensions]: no "
                        f"[assignments.{assignment}] with a due date to extend")
    grades = doc.get("grades", {})
    missing = grades.get("missing", "blank")
    if missing not in MISSING:
        raise TermError(f"{term.line_of('grades', 'missing')}: missing must be \"blank\" (leave work never handed "
                        f"in empty) or \"zero\" (score it 0), not {missing!r}")
    decimals = grades.get("decimals", 2)
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6:
        raise TermError(f"{term.line_of('grades', 'decimals')}: decimals must be a whole number from 0 to 6")
    term.missing, term.decimals = missing, decimals
    return term


def check_students(term: Term, students: set[str]) -> list[str]:
    """Extensions must name students of the roster: a misspelt id would silently penalise the real student.

    An id that differs from a roster id only in case is taken as that student (a warning is returned);
    any other unknown id is an error naming its line.
    """
    warnings: list[str] = []
    by_lower = {s.lower(): s for s in students}
    for (student, assignment), due in list(term.extensions.items()):
        if student in students:
            continue
        where = term.line_of("extensions", student)
        if student.lower() in by_lower:
            real = by_lower[student.lower()]
            del term.extensions[(student, assignment)]
            term.extensions[(real, assignment)] = due
            warnings.append(f"{where}: extension for {student!r} taken as the roster's {real!r}")
            continue
        close = difflib.get_close_matches(student, sorted(students), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise TermError(f"{where} [extensions]: {student!r} is not a student of the roster{hint}; write the "
                        "student id as in roster.csv")
    return warnings


def hours(seconds: float) -> float:
    return round(seconds / 3600, 2)
