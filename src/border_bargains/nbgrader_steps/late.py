"""Autograde: lateness and its penalty, from the due dates, extensions and late policy of ``course.toml``."""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

from border_bargains.nbgrader_steps.notes import PREFIX, GradingFailed
from border_bargains.nbgrader_steps.settings import course_directory


class ApplyLatePolicy(NbGraderPreprocessor):
    """nbgrader's AssignLatePenalties step, with the due dates, extensions and late policy of ``course.toml``.

    nbgrader's own plugin knows neither extensions from a course file nor a percentage per day; this step
    computes the penalty from the notebook's score as it stands, and the course's feedback and export commands
    compute it again after manual grading (``instructor/term_sync.py``).
    """

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        from border_bargains.core.term import TermError, hours, load_term
        from border_bargains.instructor.term_sync import apply_late_penalty

        info = resources["nbgrader"]
        try:
            term = load_term(course_directory(self.config).root)
        except TermError as exc:
            raise GradingFailed(str(exc)) from None
        with Gradebook(info["db_url"]) as gb:
            late, penalty = apply_late_penalty(gb, term, info["assignment"], info["student"])
        if late:
            self.log.warning("%s late by %.1f hours (%s): %g point(s) off for now", PREFIX, hours(late),
                             term.late.describe(), penalty)
        return nb, resources
