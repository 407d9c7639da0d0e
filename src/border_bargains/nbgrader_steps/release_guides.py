"""Generate: the reading guides travel with each released assignment, and its ¶ links point at them."""

from __future__ import annotations

import shutil

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from border_bargains.nbgrader_steps.settings import Layout


class ReleaseGuides(NbGraderPreprocessor):
    """Ship the reading guides with each assignment and point its ¶ links at them.

    In the repository an assignment links to ``../../source_texts/wola.md#p14``; a student who fetches the
    assignment into ``~/tariff_bargain/`` has no such folder, so every link would go nowhere. This step copies
    the guides into the release (``exercises/<a>/source_texts/``, which nbgrader then releases with the
    notebook) and rewrites the links to ``source_texts/wola.md#p14``. It runs before nbgrader computes the
    cells' checksums, so the gradebook's copy of each locked cell has the same links as the student's.
    """

    repository_prefix = Unicode("../../source_texts/", help="How solutions/ notebooks link to the guides.").tag(
        config=True)
    release_folder = Unicode("source_texts", help="Where the guides go inside a released assignment.").tag(
        config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        layout = Layout(self.config)
        guides = layout.root / "source_texts"
        if not guides.is_dir():
            return nb, resources
        target = layout.release(resources["nbgrader"]["assignment"]) / self.release_folder
        target.mkdir(parents=True, exist_ok=True)
        for guide in sorted(guides.glob("*.md")):
            shutil.copyfile(guide, target / guide.name)
        # The data dictionary travels too (docs/datasets.md beside the guides, as in the repository), so the
        # assignment's "see docs/datasets.md" and the widgets' dataset links lead somewhere in the release.
        dictionary = layout.root / "docs" / "datasets.md"
        if dictionary.is_file():
            (target.parent / "docs").mkdir(exist_ok=True)
            shutil.copyfile(dictionary, target.parent / "docs" / "datasets.md")
        for cell in nb.cells:
            if cell.cell_type == "markdown" and self.repository_prefix in cell.source:
                cell.source = cell.source.replace(self.repository_prefix, f"{self.release_folder}/")
            if cell.cell_type == "markdown" and "../../docs/datasets.md" in cell.source:
                cell.source = cell.source.replace("../../docs/datasets.md", "docs/datasets.md")
        return nb, resources
