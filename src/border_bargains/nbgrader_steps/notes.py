"""What a grading step tells the instructor: a failure that stops one submission, and flags beside its score."""

from __future__ import annotations

PREFIX = "border-bargains:"


class GradingFailed(RuntimeError):
    """This submission cannot be scored as configured; nbgrader reports the student as failed, with this text."""
