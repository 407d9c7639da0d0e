"""A graded cell copied by the student is graded once, from the copy that holds the student's work."""

from __future__ import annotations

import copy

from nbgrader import utils
from traitlets.config import Config

from border_bargains.instructor import authoring as a
from border_bargains.nbgrader_steps import notes
from border_bargains.nbgrader_steps.deduplicate import DeduplicateCells
from border_bargains.nbgrader_steps.settings import Layout


def released():
    nb = a.notebook([a.readonly("import border_bargains as bb", "setup"),
                     a.tests("course.check('x')", "test-x", 2),
                     a.written("**✍️ Your answer:**", "memo", 2)])
    for cell in nb.cells:  # what generate_assignment stores: the released cell's checksum
        cell.metadata.nbgrader["checksum"] = utils.compute_checksum(cell)
    return nb


def _step(tmp_path):
    config = Config()
    config.CourseDirectory.root = str(tmp_path)
    return DeduplicateCells(config=config), {"nbgrader": {"assignment": "a1", "student": "ana", "notebook": "a1"}}


def _graded_ids(nb):
    return [c.metadata.nbgrader["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]


def test_the_copy_the_student_wrote_in_is_the_one_graded(tmp_path):
    nb = released()
    memo = nb.cells[2]
    nb.cells.insert(3, copy.deepcopy(memo))  # pasted below; the student then writes in the first copy
    memo.source = "My own answer."
    step, resources = _step(tmp_path)
    nb, _ = step.preprocess(nb, resources)
    assert _graded_ids(nb) == ["setup", "test-x", "memo"]
    kept = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "memo")
    assert kept.source == "My own answer."
    assert [c.source for c in nb.cells].count("**✍️ Your answer:**") == 1, "the other copy is kept as a plain cell"
    flagged = notes.read(Layout(step.config).notes("a1", "ana"))
    assert [n["kind"] for n in flagged] == ["flag"] and "memo was in the notebook 2 times" in flagged[0]["text"]


def test_a_copied_check_cell_keeps_its_first_copy_and_nothing_else_changes(tmp_path):
    nb = released()
    nb.cells.append(copy.deepcopy(nb.cells[1]))
    step, resources = _step(tmp_path)
    nb, _ = step.preprocess(nb, resources)
    assert _graded_ids(nb) == ["setup", "test-x", "memo"]
    assert "nbgrader" in nb.cells[1].metadata and "nbgrader" not in nb.cells[-1].metadata


def test_a_notebook_without_copies_is_left_as_it_is(tmp_path):
    nb = released()
    before = copy.deepcopy(nb)
    step, resources = _step(tmp_path)
    nb, _ = step.preprocess(nb, resources)
    assert nb == before
    assert notes.read(Layout(step.config).notes("a1", "ana")) == []
