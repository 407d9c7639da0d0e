"""nbgrader's cell-metadata check, each distinct cell checked once per process.

nbgrader's ``CheckCellMetadata`` runs twice per submission and checks every cell against its JSON schema,
which ``jsonschema.validate`` re-checks and re-compiles on every call: about a quarter of nbgrader's own
autograde time for this course. A class's submissions carry the same cells again and again, so this step
runs nbgrader's *own* ``validate_cell`` (every check nbgrader makes: schema version, the schema, a grade id
that is present and not empty, points on every grade cell, Markdown grade cells that are solutions, task
cells in Markdown) once for each distinct cell type and nbgrader metadata, and remembers the cells that
passed. nbgrader's notebook-wide check (no grade id twice) runs on every notebook, as in nbgrader.
"""

from __future__ import annotations

import json
import traceback

from nbformat.notebooknode import NotebookNode
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.preprocessors import CheckCellMetadata

# (cell type, nbgrader metadata as JSON) of every cell that passed nbgrader's check in this process.
_PASSED: set[tuple[str, str]] = set()
_VALIDATOR: _RememberingValidator | None = None


class _RememberingValidator(MetadataValidator):
    """nbgrader's validator; a cell identical to one that already passed is not checked again."""

    def validate_cell(self, cell: NotebookNode) -> None:
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            return
        if meta.get("cell_type", cell.cell_type) != cell.cell_type:
            super().validate_cell(cell)  # nbgrader warns that the type changed: let it, every time
            return
        seen = (cell.cell_type, json.dumps(meta, sort_keys=True, default=str))
        if seen not in _PASSED:
            super().validate_cell(cell)
            _PASSED.add(seen)


class CheckCellMetadataOnce(CheckCellMetadata):
    """nbgrader's CheckCellMetadata: the same checks and errors, each distinct cell checked once per process."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        global _VALIDATOR
        if _VALIDATOR is None:  # nbgrader reads its three schema files for each new validator
            _VALIDATOR = _RememberingValidator()
        try:
            _VALIDATOR.validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg) from None
        return nb, resources
