"""Grades no student code can forge, through the real nbgrader pipeline, in each way grading can run.

One class of the sample assignment (tests/sample_course.build_class) holds honest, broken and crafted
submissions: one reads the key by every path and variable it can find, one rewrites the answers file while
grading, one replaces the helper's functions, one ships its own package named like the helper, one carries
a symbolic link to the key, one writes outside its folder (plainly and through a link it makes). The class
is graded three ways:

* ``static``: the default. No student code runs; scores come from the collected answers file.
* ``bubblewrap``: notebooks are executed, each kernel in the OS sandbox.
* ``guard``: notebooks are executed under the audit-hook guard only (what macOS gets).

Every crafted submission must score nothing it did not answer, and no key text may reach any autograded
notebook, graded file or feedback file.
"""

from __future__ import annotations

import pytest
from sample_course import (
    AUTOGRADED_TOTAL,
    ESCAPES,
    HALF_SCORE,
    build_class,
    free_cell,
    gradebook_integrity,
    key_secrets_of_fixture,
    scores,
    summary_block,
    tree_digest,
)

from border_bargains.nbgrader_steps.sandbox import bubblewrap

# Shares the session-scoped sample_class (the static run): keep it on that xdist worker.
pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]
MODES = ["static", "bubblewrap", "guard"]


@pytest.fixture(scope="module", params=MODES)
def graded(request, tmp_path_factory, sample_class, require):
    if request.param == "static":
        return sample_class
    if request.param == "bubblewrap":
        require(bubblewrap() is not None, "bubblewrap (the OS sandbox for grading kernels)",
                "apt-get install bubblewrap")
    return build_class(tmp_path_factory.mktemp(request.param), execute=True, mode=request.param)


def summary(graded, student) -> list[str]:
    return summary_block(graded["autograde"].stdout, student)


def notebook_text(graded, student, folder="autograded") -> str:
    return (graded["course"] / folder / student / "sample" / "sample.ipynb").read_text(encoding="utf-8")


def crafted_output(graded, student) -> tuple[str, str]:
    """(what the student's own cell printed, the grading summary and log lines that say why it may not have):
    the assertions read only the first; a failure shows both, not the notebook's top."""
    import nbformat

    nb = nbformat.reads(notebook_text(graded, student), as_version=4)
    outputs = free_cell(nb).get("outputs", [])
    printed = "".join(o.get("text", "") if o.get("output_type") == "stream"
                      else f"[{o.get('ename', o.output_type)}: {o.get('evalue', '')}]\n" for o in outputs)
    log = graded["course"] / "grading-logs" / "sample" / f"{student}.log"
    hints = [ln for ln in log.read_text(encoding="utf-8").splitlines()
             if "Timeout" in ln or "timeout" in ln or "ERROR" in ln] if log.exists() else ["(no grading log)"]
    return printed, f"{printed}\n-- summary: {summary(graded, student)}\n-- log: {hints[-5:]}"


def test_the_mode_is_said_once(graded):
    out = graded["autograde"].stdout
    if not graded["execute"]:
        assert "students' notebooks are not run" in out
    elif "bubblewrap sandbox" in out:
        assert "guard only" not in out
    else:
        assert "audit-hook guard only" in out and "not an OS sandbox" in out


def test_honest_submissions_score_exactly_as_before(graded):
    got = scores(graded["course"])
    assert got["key"] == AUTOGRADED_TOTAL
    assert got["blank"] == 0
    assert got["half"] == HALF_SCORE
    assert got["ownkey"] == 0, "a key file brought by the student is never used"
    assert gradebook_integrity(graded["course"]) == "ok"


@pytest.mark.parametrize("student", ["reads-key", "rewrites-answers", "replaces-helper", "links-to-key"])
def test_gaming_the_grader_earns_nothing_beyond_the_answers_saved(graded, student):
    """Each of these saved half-right answers beside its attack: a working attack would score more."""
    assert scores(graded["course"])[student] == HALF_SCORE, summary(graded, student)
    assert summary(graded, student)[0].startswith("GRADED")


@pytest.mark.parametrize("student", ["own-package", "writes-outside"])
def test_honest_answers_beside_crafted_code_still_count(graded, student):
    assert scores(graded["course"])[student] == AUTOGRADED_TOTAL


def test_no_key_text_reaches_any_graded_or_feedback_file(graded):
    secrets = key_secrets_of_fixture()
    assert len(secrets) >= 5
    course = graded["course"]
    checked = 0
    for folder in ("autograded", "feedback"):
        for path in (course / folder).rglob("*"):
            if path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace")
                for secret in secrets:
                    assert secret not in text, f"{path.relative_to(course)} holds key text {secret[:50]!r}"
                checked += 1
    assert checked > 20


def test_a_package_named_like_the_helper_is_flagged_and_never_imported(graded):
    assert any("carries Python code (border_bargains/__init__.py)" in line for line in summary(graded, "own-package"))
    assert "FAKE HELPER IMPORTED" not in notebook_text(graded, "own-package")


def test_a_link_to_the_key_is_flagged_and_not_returned(graded):
    assert any("notes.txt is a symbolic link" in line for line in summary(graded, "links-to-key"))
    course = graded["course"]
    assert not (course / "autograded" / "links-to-key" / "sample" / "notes.txt").exists()
    assert not list((course / "feedback" / "links-to-key").rglob("notes.txt"))
    assert (course / "submitted" / "links-to-key" / "sample" / "notes.txt").is_symlink(), "the submission is kept"


def test_nothing_is_written_outside_the_submission(graded):
    course = graded["course"]
    for name in ESCAPES:
        assert not (course / name).exists(), f"{name} escaped the grading kernel"
    assert (course / "autograded" / "key" / "sample" / "sample.ipynb").exists(), "another student's work survives"
    assert tree_digest(course / "submitted") == graded["before"], "collected submissions are never modified"


def test_what_the_crafted_code_saw(graded):
    """Where code ran, it ran blind: no key found, the collected answers file out of reach, no write outside."""
    if not graded["execute"]:
        import nbformat

        for student in ("reads-key", "rewrites-answers", "writes-outside"):
            nb = nbformat.reads(notebook_text(graded, student), as_version=4)
            assert not free_cell(nb).get("outputs"), "static grading runs no student code"
        return
    reads, why = crafted_output(graded, "reads-key")
    assert "found 0 key files" in reads or "code may not look into the course" in reads, why
    rewrites, why = crafted_output(graded, "rewrites-answers")
    assert "could not rewrite" in rewrites and "submitted" in rewrites, why
    outside, why = crafted_output(graded, "writes-outside")
    assert "plain write stopped" in outside and "symlink write stopped" in outside, why
    assert any("made a symbolic link link.txt" in line for line in summary(graded, "writes-outside"))


def test_deleted_and_edited_graded_cells_are_restored_and_graded(graded):
    course = graded["course"]
    assert scores(course)["deleted-test-cell"] == AUTOGRADED_TOTAL
    assert any("restored deleted cell test-claim-types" in line for line in summary(graded, "deleted-test-cell"))
    assert any("restored deleted cell written-memo" in line for line in summary(graded, "deleted-answer-cell"))
    assert "test-claim-types" in notebook_text(graded, "deleted-test-cell")
    assert scores(course)["edited-locked-cell"] == 0, "an edited check cell awards nothing"
    assert any("restored edited locked cell test-bargains" in line for line in summary(graded, "edited-locked-cell"))
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        restored = gb.find_grade("written-memo", "sample", "sample", "deleted-answer-cell")
        assert restored.needs_manual_grade, "a restored written answer waits for the instructor, never silently 0"
        untouched = gb.find_grade("written-memo", "sample", "sample", "blank")
        assert (untouched.auto_score, untouched.needs_manual_grade) == (0, False), \
            "an answer left as the released stub is 'no response', whatever the stub's wording"


def test_an_unreadable_answers_file_scores_zero_with_a_note_and_is_kept(graded):
    course = graded["course"]
    assert scores(course)["hand-edited-answers"] == 0
    assert any("could not be read" in line for line in summary(graded, "hand-edited-answers"))
    text = notebook_text(graded, "hand-edited-answers")
    assert "could not be read" in text and "kept exactly as you submitted it" in text
    kept = course / "submitted" / "hand-edited-answers" / "sample" / "widget_answers.json"
    assert kept.read_text(encoding="utf-8").endswith('"claim-ty')


def test_a_runaway_cell_costs_nothing_when_scores_come_from_answers(graded):
    assert scores(graded["course"])["infinite-loop"] == AUTOGRADED_TOTAL
    if graded["execute"]:
        assert any("ran past the time limit" in line for line in summary(graded, "infinite-loop"))
