"""Through the real pipeline: a submission whose answers file is broken in any way is graded 0 and flagged in
one plain line, never FAILED; a copied graded cell keeps every point the student earned."""

from __future__ import annotations

import copy
import json

import pytest
from sample_course import KEY_ANSWERS, answers_doc, cell, cli, edit_notebook, make_course, submit, summary_block

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]


def _wrong_types(folder):
    (folder / "widget_answers.json").write_text(answers_doc(
        {ex: {item: {"not": "an answer"} for item in items} for ex, items in KEY_ANSWERS.items()}))


def _folder(folder):
    (folder / "widget_answers.json").mkdir()


def _deep(folder):
    (folder / "widget_answers.json").write_text('{"answers": ' + "[" * 100_000 + "]" * 100_000 + "}")


def _huge(folder):
    with (folder / "widget_answers.json").open("wb") as handle:
        handle.truncate(150 << 20)  # sparse: 150 MB on paper, nothing on disk


def _copied_cells(folder):
    def change(nb):
        check = cell(nb, "test-claim-types")
        nb.cells.insert(nb.cells.index(check) + 1, copy.deepcopy(check))
        memo = cell(nb, "written-memo")
        nb.cells.insert(nb.cells.index(memo) + 1, copy.deepcopy(memo))
        memo.source = "My own answer, in the first copy."
    edit_notebook(folder, change)


BAD = {"wrong-types": (_wrong_types, "not among its items or choices"),
       "answers-folder": (_folder, "it is a folder, not a file"),
       "answers-deep": (_deep, "nested far too deeply"),
       "answers-huge": (_huge, "more than the 2,000,000")}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("bad"))
    cli(course, "generate", "sample")
    for student, (spoil, _words) in BAD.items():
        spoil(submit(course, student, answers=KEY_ANSWERS if student == "wrong-types" else None))
    _copied_cells(submit(course, "copied-cells", answers=KEY_ANSWERS))
    return course, cli(course, "autograde", "sample")


@pytest.mark.parametrize("student", sorted(BAD))
def test_a_broken_answers_file_is_a_flagged_zero(graded, student):
    _course, proc = graded
    block = summary_block(proc.stdout, student)
    assert block[0].startswith("GRADED") and " 0/18" in block[0], block
    assert any(BAD[student][1] in line for line in block[1:]), block


def test_a_copied_graded_cell_keeps_every_point(graded):
    course, proc = graded
    block = summary_block(proc.stdout, "copied-cells")
    assert block[0].startswith("GRADED") and "18/18" in block[0], block
    assert any("was in the notebook 2 times" in line for line in block[1:])
    graded_nb = json.loads((course / "autograded" / "copied-cells" / "sample" / "sample.ipynb").read_text())
    memo = [c for c in graded_nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "written-memo"]
    assert len(memo) == 1 and "".join(memo[0]["source"]) == "My own answer, in the first copy."
