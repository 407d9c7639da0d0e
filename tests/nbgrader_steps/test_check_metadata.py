"""CheckCellMetadataOnce makes every check nbgrader's CheckCellMetadata makes, and checks a repeated cell once."""

from __future__ import annotations

import pytest
from nbgrader.nbgraderformat import SchemaTooOldError, ValidationError
from nbgrader.preprocessors import CheckCellMetadata

from border_bargains.instructor import authoring as a
from border_bargains.nbgrader_steps import check_metadata
from border_bargains.nbgrader_steps.check_metadata import CheckCellMetadataOnce


def _notebook(*cells):
    return a.notebook([a.readonly("import border_bargains as bb", "setup"), *cells])


def _broken(change):
    nb = _notebook(a.tests("course.check('x')", "test-x", 2), a.written("answer", "memo", 2))
    change(nb)
    return nb


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


BROKEN = {
    "a grade cell without points": lambda nb: _cell(nb, "test-x").metadata.nbgrader.pop("points"),
    "an empty grade id": lambda nb: _cell(nb, "test-x").metadata.nbgrader.update(grade_id=""),
    "a Markdown grade cell that is not a solution": lambda nb: _cell(nb, "memo").metadata.nbgrader.update(
        solution=False),
    "a grade id used twice": lambda nb: _cell(nb, "memo").metadata.nbgrader.update(grade_id="test-x"),
}


def test_an_outdated_schema_raises_what_nbgrader_raises():
    def old(nb):
        _cell(nb, "memo").metadata.nbgrader.update(schema_version=1)

    with pytest.raises(SchemaTooOldError):
        CheckCellMetadata().preprocess(_broken(old), {})
    with pytest.raises(SchemaTooOldError):
        CheckCellMetadataOnce().preprocess(_broken(old), {})


@pytest.mark.parametrize("what", sorted(BROKEN))
def test_what_nbgrader_refuses_the_course_step_refuses(what):
    with pytest.raises(ValidationError):
        CheckCellMetadata().preprocess(_broken(BROKEN[what]), {})
    check_metadata._PASSED.clear()
    with pytest.raises(ValidationError, match="metadata may be corrupted"):
        CheckCellMetadataOnce().preprocess(_broken(BROKEN[what]), {})


def test_a_broken_cell_is_refused_even_after_a_good_twin_passed():
    good = _notebook(a.tests("course.check('x')", "test-x", 2))
    CheckCellMetadataOnce().preprocess(good, {})
    bad = _notebook(a.tests("course.check('x')", "test-x", 2))
    bad.cells[1].metadata.nbgrader.pop("points")
    with pytest.raises(ValidationError):
        CheckCellMetadataOnce().preprocess(bad, {})


def test_each_distinct_cell_is_checked_once(monkeypatch):
    check_metadata._PASSED.clear()
    calls = []
    original = check_metadata.MetadataValidator.validate_cell
    monkeypatch.setattr(check_metadata.MetadataValidator, "validate_cell",
                        lambda self, cell: (calls.append(cell.metadata.nbgrader["grade_id"]), original(self, cell)))
    for _ in range(3):
        CheckCellMetadataOnce().preprocess(_notebook(a.tests("course.check('x')", "test-x", 2)), {})
    assert sorted(calls) == ["setup", "test-x"]
