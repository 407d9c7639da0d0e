"""nbgrader's cell-metadata check with its JSON schema compiled once per process."""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode
from nbgrader.nbgraderformat import MetadataValidator, SchemaTooNewError, SchemaTooOldError, ValidationError
from nbgrader.preprocessors import CheckCellMetadata


class _CompiledMetadataValidator(MetadataValidator):
    """nbgrader's metadata validator with the schema checked and compiled once."""

    def __init__(self) -> None:
        super().__init__()
        import jsonschema

        cls = jsonschema.validators.validator_for(self.schema)
        cls.check_schema(self.schema)
        self._compiled = cls(self.schema)

    def validate_cell(self, cell: NotebookNode) -> None:
        if "nbgrader" not in cell.metadata:
            return
        version = cell.metadata["nbgrader"].get("schema_version", 0)
        if version < self.schema_version:
            raise SchemaTooOldError(f"Outdated schema version: {version} (expected {self.schema_version})",
                                    version, self.schema_version)
        if version > self.schema_version:
            raise SchemaTooNewError(f"Schema version is too new: {version} (expected {self.schema_version})",
                                    version, self.schema_version)
        self._compiled.validate(cell.metadata["nbgrader"])


_VALIDATOR: _CompiledMetadataValidator | None = None


class CheckCellMetadataOnce(CheckCellMetadata):
    """nbgrader's CheckCellMetadata, same checks and errors, with the schema compiled once per process."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        global _VALIDATOR
        if _VALIDATOR is None:
            _VALIDATOR = _CompiledMetadataValidator()
        try:
            _VALIDATOR.validate_nb(nb)
        except ValidationError:
            import traceback

            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg) from None
        return nb, resources
