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
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FILENAME = "course.toml"
POLICIES = ("none", "zero", "percent")


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

    def assignment(self, name: str) -> AssignmentTerm:
        return self.assignments.get(name, AssignmentTerm(name, name.replace("_", " ").capitalize()))

    def due_for(self, student: str, assignment: str) -> dt.datetime | None:
        """The due date that applies to this student: their extension, or the assignment's."""
        return self.extensions.get((student, assignment), self.assignment(assignment).due)

    def seconds_late(self, student: str, assignment: str, submitted: dt.datetime | None) -> float:
        """Seconds past the (extended) due date, 0 within the grace period or without a due date."""
        due = self.due_for(student, assignment)
        if due is None or submitted is None:
            return 0.0
        if submitted.tzinfo is None:  # nbgrader keeps timestamps as naive UTC
            submitted = submitted.replace(tzinfo=dt.UTC)
        late = (submitted - due).total_seconds()
        return late if late > self.late.grace_minutes * 60 else 0.0

    def penalty(self, score: float, seconds_late: float) -> float:
        """Points taken off ``score`` for ``seconds_late`` under the late policy (never more than the score)."""
        if seconds_late <= 0 or score <= 0 or self.late.policy == "none":
            return 0.0
        if self.late.policy == "zero":
            return score
        days = math.ceil(seconds_late / 86400)  # a part of a day counts as a day
        percent = min(self.late.cap_percent, self.late.percent_per_day * days)
        return round(score * percent / 100, 6)


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
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TermError(f"{path}: cannot be read as TOML: {exc}") from None
    course = doc.get("course", {})
    try:
        zone = ZoneInfo(course.get("timezone", "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        raise TermError(f"{path} [course]: timezone {course.get('timezone')!r} is not a time zone name such as "
                        "\"America/Chicago\"") from None
    term = Term(timezone=zone, course_title=course.get("title", "Border Bargains"))
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
    unknown = {n for (_s, n) in term.extensions} - set(term.assignments)
    if unknown:
        raise TermError(f"{path} [extensions]: no [assignments.{sorted(unknown)[0]}] with a due date to extend")
    return term


def hours(seconds: float) -> float:
    return round(seconds / 3600, 2)
