"""Keeping the gradebook in step with ``course.toml``: due dates, extensions and late penalties.

nbgrader stores a due date per assignment and an extension per submission, and
Formgrader and ``nbgrader export`` read them from there; ``course.toml`` is where
the instructor writes them. These functions copy them across, and compute each
notebook's late penalty from its *current* score (so it is right again after
manual grading). The course's commands call them at autograde, feedback and export.
"""

from __future__ import annotations

import datetime as dt

from border_bargains.core.term import Term


def utc_naive(moment: dt.datetime) -> dt.datetime:
    """nbgrader's gradebook keeps times as naive UTC."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def sync_due_dates(gb, term: Term, assignments: list[str]) -> None:
    from nbgrader.api import MissingEntry

    for name in assignments:
        due = term.assignment(name).due
        if due is None:
            continue
        gb.update_or_create_assignment(name, duedate=utc_naive(due))
        for (student, assignment), extended in term.extensions.items():
            if assignment != name:
                continue
            try:
                submission = gb.find_submission(name, student)
            except MissingEntry:
                continue
            submission.extension = extended - due if extended > due else None
        gb.db.commit()


def apply_late_penalty(gb, term: Term, assignment: str, student: str) -> tuple[float, float]:
    """Set each notebook's late penalty from its current score; returns (seconds late, total penalty)."""
    submission = gb.find_submission(assignment, student)
    late = term.seconds_late(student, assignment, submission.timestamp)
    total = 0.0
    for notebook in submission.notebooks:
        penalty = term.penalty(notebook.score, late)
        notebook.late_submission_penalty = penalty or None
        total += penalty
    gb.db.commit()
    return late, total


def apply_late_penalties(gb, term: Term, assignment: str) -> None:
    for submission in gb.assignment_submissions(assignment):
        apply_late_penalty(gb, term, assignment, submission.student.id)
