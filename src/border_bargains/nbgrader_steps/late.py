"""Autograde: lateness and its penalty, from the due dates, extensions and late policy of ``course.toml``."""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

from border_bargains.nbgrader_steps.notes import fail, record
from border_bargains.nbgrader_steps.settings import Layout


class ApplyLatePolicy(NbGraderPreprocessor):
    """nbgrader's AssignLatePenalties step, with the due dates, extensions and late policy of ``course.toml``.

    nbgrader's own plugin knows neither extensions from a course file nor a percentage per day. This step stores
    each notebook's penalty, from its score as it stands, in the gradebook (:func:`.term_sync.apply_late_penalty`);
    it runs at autograde and again at feedback, after manual grading. The export reads the same rule without
    writing (:func:`.term_sync.late_penalty`).
    """

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        from border_bargains.core.term import TermError, hours, load_term
        from border_bargains.nbgrader_steps.term_sync import apply_late_penalty

        info = resources["nbgrader"]
        try:
            term = load_term(Layout(self.config).root)
        except TermError as exc:
            raise fail(self, resources, str(exc)) from None
        with Gradebook(info["db_url"]) as gb:
            late, penalty = apply_late_penalty(gb, term, info["assignment"], info["student"])
        if late:
            record(self, resources, "late",
                   f"late by {hours(late):.1f} hours ({term.late.describe()}): {penalty:g} point(s) off for now")
        return nb, resources
