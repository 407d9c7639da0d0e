"""The steps that work on a submission's files, each on its own: QuarantineFiles, ScrubKeyText, ReleaseGuides."""

from __future__ import annotations

import os

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from sample_course import FIXTURE
from traitlets.config import Config

from border_bargains.nbgrader_steps import notes
from border_bargains.nbgrader_steps.quarantine import QuarantineFiles
from border_bargains.nbgrader_steps.release_guides import ReleaseGuides
from border_bargains.nbgrader_steps.scrub import ScrubKeyText
from border_bargains.nbgrader_steps.settings import Layout

WHY = "Says what should not be done."  # an explanation in the fixture key


def course(tmp_path):
    """A course folder: the sample key in solutions/, one submission and its graded copy."""
    config = Config()
    config.CourseDirectory.root = str(tmp_path)
    layout = Layout(config)
    layout.source("sample").mkdir(parents=True)
    (layout.source("sample") / "answer_key.toml").write_bytes((FIXTURE / "answer_key.toml").read_bytes())
    for folder in (layout.submitted("ana", "sample"), layout.autograded("ana", "sample")):
        folder.mkdir(parents=True)
        (folder / "notes.md").write_text("my own notes")
    return config, layout, {"nbgrader": {"assignment": "sample", "student": "ana", "notebook": "sample"}}


def flagged(layout) -> list[str]:
    return [n["text"] for n in notes.read(layout.notes("sample", "ana"))]


def test_a_link_in_a_submission_is_not_graded_or_returned(tmp_path):
    config, layout, resources = course(tmp_path)
    key = layout.source("sample") / "answer_key.toml"
    os.symlink(key, layout.submitted("ana", "sample") / "stolen.txt")
    (layout.autograded("ana", "sample") / "stolen.txt").write_text(key.read_text())  # nbgrader's copy of it
    QuarantineFiles(config=config).preprocess(new_notebook(), resources)
    assert not (layout.autograded("ana", "sample") / "stolen.txt").exists()
    assert (layout.submitted("ana", "sample") / "stolen.txt").is_symlink(), "the submission is kept as it came"
    assert (layout.autograded("ana", "sample") / "notes.md").exists(), "the student's other files stay"
    assert any("stolen.txt is a symbolic link" in t for t in flagged(layout))


def test_a_file_holding_key_text_is_not_returned(tmp_path):
    config, layout, resources = course(tmp_path)
    (layout.autograded("ana", "sample") / "printed.txt").write_text(f"the kernel wrote: {WHY}")
    QuarantineFiles(config=config).preprocess(new_notebook(), resources)
    assert not (layout.autograded("ana", "sample") / "printed.txt").exists()
    assert flagged(layout) == ["flagged: printed.txt holds text of the answer key; it was not graded or returned"]


def test_outputs_quoting_the_key_are_removed_and_others_kept(tmp_path):
    config, layout, resources = course(tmp_path)
    leak = new_code_cell("print(key)", outputs=[new_output("stream", name="stdout", text=f"found: {WHY}\n")])
    fine = new_code_cell("print(1)", outputs=[new_output("stream", name="stdout", text="1\n")])
    nb, _ = ScrubKeyText(config=config).preprocess(new_notebook(cells=[leak, fine]), resources)
    assert WHY not in str(nb) and "removed while grading" in nb.cells[0].outputs[0].text
    assert nb.cells[1].outputs[0].text == "1\n"
    assert len(flagged(layout)) == 1


def test_released_assignments_carry_the_guides_and_link_to_them(tmp_path):
    config, layout, resources = course(tmp_path)
    (tmp_path / "source_texts").mkdir()
    (tmp_path / "source_texts" / "wola.md").write_text("# WOLA\n")
    nb = new_notebook(cells=[new_markdown_cell("Read [WOLA ¶14](../../source_texts/wola.md#p14).")])
    nb, _ = ReleaseGuides(config=config).preprocess(nb, resources)
    assert nb.cells[0].source == "Read [WOLA ¶14](source_texts/wola.md#p14)."
    assert (layout.release("sample") / "source_texts" / "wola.md").read_text() == "# WOLA\n"


def test_a_renamed_folder_in_course_directory_is_followed(tmp_path):
    config, _layout, resources = course(tmp_path)
    config.CourseDirectory.autograded_directory = "graded-here"
    moved = Layout(config).autograded("ana", "sample")
    moved.mkdir(parents=True)
    (moved / "printed.txt").write_text(WHY)
    QuarantineFiles(config=config).preprocess(new_notebook(), resources)
    assert not (moved / "printed.txt").exists()
