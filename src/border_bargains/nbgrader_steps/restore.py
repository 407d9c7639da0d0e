"""Autograde: graded cells a student deleted or edited are put back from the gradebook and graded as released.

nbgrader's ``OverwriteCells`` puts back what a student changed in locked cells. Its ``add_missing_cells``
(nbgrader 0.9) looks for the graded cell *before* a deleted one and raises ``KeyError`` when that is an ordinary
locked cell, as in every notebook of this course. So :class:`RestoreCells` runs nbgrader's own step with
``add_missing_cells`` off, then puts back each missing graded cell itself, after the nearest earlier cell of the
released notebook that is still there, using only nbgrader's public API (the gradebook, ``missing_cell_transform``).
Each change is a note for the instructor (:mod:`.notes`).
"""

from __future__ import annotations

import re

from nbformat.notebooknode import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.preprocessors import OverwriteCells

from border_bargains.nbgrader_steps.notes import record


class RestoreCells(OverwriteCells):
    """nbgrader's OverwriteCells, with deleted graded cells put back after ordinary locked cells too."""

    _resources: dict | None = None

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        restore_missing, self.add_missing_cells = self.add_missing_cells, False
        self._resources = resources
        try:
            nb, resources = super().preprocess(nb, resources)
        finally:
            self.add_missing_cells = restore_missing
        if restore_missing:
            info = resources["nbgrader"]
            with Gradebook(info["db_url"]) as gb:
                self._put_back_missing(nb, resources, gb.find_notebook(info["notebook"], info["assignment"]))
        return nb, resources

    def _put_back_missing(self, nb: NotebookNode, resources: dict, source_nb) -> None:
        order = [cell.name for cell in source_nb.source_cells]
        source = {cell.name: cell for cell in source_nb.source_cells}
        solution_ids = {cell.name for cell in source_nb.solution_cells}
        for grade_cell in source_nb.grade_cells:
            present = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
            if grade_cell.name in present:
                continue
            new = self.missing_cell_transform(source[grade_cell.name], grade_cell.max_score,
                                              is_solution=grade_cell.name in solution_ids)
            new["id"] = re.sub(r"[^A-Za-z0-9_-]", "-", f"restored-{grade_cell.name}")[:64]
            position = 0  # after the nearest earlier cell of the released notebook that is still there; else first
            for earlier in reversed(order[:order.index(grade_cell.name)]):
                if earlier in present:
                    position = present.index(earlier) + 1
                    break
            nb.cells.insert(position, new)
            record(self, resources, "flag",
                   f"restored deleted cell {grade_cell.name} from the gradebook; it is graded as released")

    def report_change(self, name: str, attr: str, old, new) -> None:
        """nbgrader calls this for each part of a locked cell it puts back."""
        super().report_change(name, attr, old, new)
        if attr == "checksum" and self._resources is not None:
            record(self, self._resources, "flag", f"restored edited locked cell {name} from the gradebook")
