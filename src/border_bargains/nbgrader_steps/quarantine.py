"""Autograde: symbolic links and files holding key text are kept out of the graded copy and the feedback."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from border_bargains.core.specs import KEY_FILENAME
from border_bargains.nbgrader_steps.key_text import key_secrets
from border_bargains.nbgrader_steps.notes import record
from border_bargains.nbgrader_steps.settings import Layout


class QuarantineFiles(NbGraderPreprocessor):
    """Keep links and key text out of the graded copy (and so out of the feedback a student gets back).

    nbgrader copies a submission's other files with the instructor's rights, following symbolic links,
    and returns them with the feedback. A link in a submission (to the key, the gradebook…) would copy
    the target into ``autograded/`` and back to the student. Such files, and any file that holds text of
    the answer key, are removed from the graded copy and flagged; ``submitted/`` keeps them as they came.
    """

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        layout = Layout(self.config)
        submitted = layout.submitted(info["student"], info["assignment"])
        graded = layout.autograded(info["student"], info["assignment"])
        secrets = key_secrets(layout.source(info["assignment"]) / KEY_FILENAME)
        for path in sorted(submitted.rglob("*")):  # links as collected: their copies hold the targets
            if path.is_symlink():
                rel = path.relative_to(submitted)
                record(self, resources, "flag",
                       f"flagged: {rel} is a symbolic link (to {os.readlink(path)}); it was not graded or returned")
                _remove(graded / rel)
        for path in sorted(graded.rglob("*")):  # links or key text made while the notebook ran
            rel = path.relative_to(graded)
            if path.is_symlink():
                record(self, resources, "flag",
                       f"flagged: the notebook made a symbolic link {rel} while grading; removed")
                path.unlink()
            elif path.is_file() and path.suffix != ".ipynb" and secrets:
                try:
                    text = path.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                if any(secret in text for secret in secrets):
                    record(self, resources, "flag",
                           f"flagged: {rel} holds text of the answer key; it was not graded or returned")
                    path.unlink()
        return nb, resources


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
