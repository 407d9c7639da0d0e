"""Autograde, when notebooks run: any output quoting the answer key is removed and the submission flagged."""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from border_bargains.core.specs import KEY_FILENAME
from border_bargains.nbgrader_steps.key_text import key_secrets
from border_bargains.nbgrader_steps.notes import record
from border_bargains.nbgrader_steps.score import text_output
from border_bargains.nbgrader_steps.settings import Layout


class ScrubKeyText(NbGraderPreprocessor):
    """Remove any output that quotes the answer key (only matters when notebooks are executed)."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        key_path = Layout(self.config).source(info["assignment"]) / KEY_FILENAME
        secrets = key_secrets(key_path)
        if not secrets:
            return nb, resources
        for cell in nb.cells:
            if cell.cell_type != "code" or not cell.get("outputs"):
                continue
            kept = []
            for output in cell.outputs:
                text = _output_text(output)
                if any(secret in text for secret in secrets):
                    kept.append(text_output("[This output was removed while grading: it contained text of the "
                                        "answer key.]"))
                    gid = cell.metadata.get("nbgrader", {}).get("grade_id", f"#{nb.cells.index(cell)}")
                    record(self, resources, "flag",
                           f"flagged: cell {gid} printed text of the answer key; output removed")
                else:
                    kept.append(output)
            cell.outputs = kept
        return nb, resources


def _output_text(output) -> str:
    if output.get("output_type") == "stream":
        return str(output.get("text", ""))
    if output.get("output_type") == "error":
        return "\n".join([str(output.get("evalue", "")), *map(str, output.get("traceback", []))])
    return "\n".join(str(v) for v in output.get("data", {}).values())
