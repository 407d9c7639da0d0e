"""Autograde: graded cells a student deleted or edited are put back from the gradebook and graded as released."""

from __future__ import annotations

import re

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import OverwriteCells

from border_bargains.nbgrader_steps.notes import PREFIX


class RestoreCells(OverwriteCells):
    """nbgrader's OverwriteCells, whose ``add_missing_cells`` also works after ordinary locked cells."""

    def add_missing_grade_cells(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
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
            # After the nearest earlier cell of the released notebook that is still there; else first.
            position = 0
            for earlier in reversed(order[:order.index(grade_cell.name)]):
                if earlier in present:
                    position = present.index(earlier) + 1
                    break
            nb.cells.insert(position, new)
            self.log.warning("%s restored deleted cell %s from the gradebook; it is graded as released",
                             PREFIX, grade_cell.name)
        return nb, resources

    def report_change(self, name: str, attr: str, old, new) -> None:
        super().report_change(name, attr, old, new)
        if attr == "checksum":
            self.log.warning("%s restored edited locked cell %s from the gradebook", PREFIX, name)
