"""Autograde: a graded cell that appears twice (JupyterLab's copy and paste) is graded once, from the right copy.

nbgrader's ``DeduplicateIds`` keeps the *last* copy of a duplicated cell and leaves the others with empty
nbgrader metadata, which its own metadata check then refuses: the whole submission fails. And when the
student wrote a written answer into the first copy, the copy kept is the untouched one: the answer is lost.
:class:`DeduplicateCells` keeps, for each grade id, the copy the student wrote in (a solution cell whose text
differs from the released one; else the first copy), turns every other copy into an ordinary cell (its text is
kept, it is not graded), and notes it for the instructor.
"""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import DeduplicateIds

from border_bargains.nbgrader_steps.notes import record


def _graded(cell) -> bool:
    return utils.is_grade(cell) or utils.is_solution(cell) or utils.is_locked(cell)


def _written_in(cell) -> bool:
    """A solution cell the student changed (its checksum differs from the one released)."""
    meta = cell.metadata.nbgrader
    return utils.is_solution(cell) and "checksum" in meta and utils.compute_checksum(cell) != meta["checksum"]


class DeduplicateCells(DeduplicateIds):
    """nbgrader's DeduplicateIds, keeping the copy that holds the student's work and every point it earns."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        copies: dict[str, list] = {}
        for cell in nb.cells:
            if "nbgrader" in cell.metadata and _graded(cell) and cell.metadata.nbgrader.get("grade_id"):
                copies.setdefault(cell.metadata.nbgrader["grade_id"], []).append(cell)
        for grade_id, found in copies.items():
            if len(found) < 2:
                continue
            kept = next((c for c in found if _written_in(c)), found[0])
            for cell in found:
                if cell is not kept:
                    del cell.metadata["nbgrader"]
            record(self, resources, "flag",
                   f"cell {grade_id} was in the notebook {len(found)} times (a copied cell?); one copy was graded, "
                   "the others are kept as ordinary cells")
        return nb, resources
