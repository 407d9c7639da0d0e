"""Building notebooks with the right nbgrader metadata, for authors and tests.

nbgrader reads a cell's role from ``metadata.nbgrader``; writing that JSON by
hand is error-prone, so course notebooks and test fixtures are written with
these functions. Grade ids must be unique per notebook (the linter checks).
"""

from __future__ import annotations

import nbformat

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _nbgrader(grade_id: str, *, grade=False, solution=False, locked=False, points=None, task=False) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    if task:
        meta["task"] = True
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def md(text: str, **meta):
    return nbformat.v4.new_markdown_cell(text.strip("\n"), metadata=meta)


def code(text: str, *, tags: tuple[str, ...] = (), **meta):
    cell = nbformat.v4.new_code_cell(text.strip("\n"), metadata=meta)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def readonly(text: str, grade_id: str, *, markdown: bool = False):
    """A locked cell: instructions or the code that builds a widget."""
    maker = nbformat.v4.new_markdown_cell if markdown else nbformat.v4.new_code_cell
    return maker(text.strip("\n"), metadata=_nbgrader(grade_id, locked=True))


TEST_TAGS = ["raises-exception"]


def tests(text: str, grade_id: str, points: float):
    """A check cell: ``course.check("id")``, scored after submission by the course's ScoreAnswers step.

    Tagged ``raises-exception`` so that a blank exercise's "Not yet" does not stop "Run All" in
    JupyterLab: the student still sees every exercise below it.
    """
    meta = _nbgrader(grade_id, grade=True, locked=True, points=points)
    meta["tags"] = list(TEST_TAGS)
    return nbformat.v4.new_code_cell(text.strip("\n"), metadata=meta)


def written(text: str, grade_id: str, points: float):
    """A manually graded Markdown answer cell (the model answer is replaced by a stub)."""
    return nbformat.v4.new_markdown_cell(text.strip("\n"), metadata=_nbgrader(grade_id, grade=True, solution=True,
                                                                              points=points))


def notebook(cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def write(nb, path) -> None:
    """Write with stable cell ids so regenerating a notebook gives a small diff."""
    for n, cell in enumerate(nb.cells):
        cell.id = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell-{n:03d}"
    nbformat.validate(nb)
    nbformat.write(nb, str(path))
