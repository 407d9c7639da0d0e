"""Keeping the gradebook in step with ``course.toml``: due dates, extensions and late penalties.

nbgrader stores a due date per assignment and an extension per submission, and
Formgrader and ``nbgrader export`` read them from there; ``course.toml`` is where
the instructor writes them. :func:`sync_due_dates` copies them across.

The late penalty has one rule (:meth:`border_bargains.core.term.Term.penalty`) applied to each notebook's
*current* score by :func:`late_penalty`. Only the grading step (:class:`.late.ApplyLatePolicy`, run at
autograde and again at feedback, after manual grading) stores it in the gradebook; the export reads it
through :func:`late_penalty` and never writes.
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


def late_penalty(term: Term, submission) -> tuple[float, dict[str, float]]:
    """(seconds late, {notebook: penalty}) of a gradebook submission, from its notebooks' current scores."""
    late = term.seconds_late(submission.student.id, submission.assignment.name, submission.timestamp)
    return late, {notebook.name: term.penalty(notebook.score, late) for notebook in submission.notebooks}


def apply_late_penalty(gb, term: Term, assignment: str, student: str) -> tuple[float, float]:
    """Store each notebook's late penalty in the gradebook; returns (seconds late, total penalty)."""
    submission = gb.find_submission(assignment, student)
    late, penalties = late_penalty(term, submission)
    for notebook in submission.notebooks:
        notebook.late_submission_penalty = penalties[notebook.name] or None
    gb.db.commit()
    return late, sum(penalties.values())
