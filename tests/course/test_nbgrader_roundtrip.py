"""The real nbgrader pipeline on the sample assignment (every exercise kind): nbgrader's own validate in both
directions, a release with no key, and feedback that says right or wrong without naming the key. Scores of
the whole class, honest and crafted, are in test_grading_integrity.py. The class is built once per session
(conftest.sample_class) through the instructor command."""

import pytest
from sample_course import (
    FIXTURE,
    run_nbgrader,
)

# Both modules share the session-scoped sample_class: keep them on one xdist worker.
pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]


def test_solution_passes_validate(sample_class):
    out = run_nbgrader(sample_class["course"], "validate", "solutions/sample/sample.ipynb").stdout
    assert "Success! Your notebook passes all the tests." in out


def test_release_fails_every_test_when_inverted(sample_class):
    proc = run_nbgrader(sample_class["course"], "validate", "--invert", "exercises/sample/sample.ipynb", check=False)
    assert "Success! The notebook does not pass any tests." in proc.stdout, proc.stdout + proc.stderr


def test_release_holds_no_key_and_no_answers_file(sample_class):
    release = sample_class["course"] / "exercises" / "sample"
    assert {p.name for p in release.iterdir()} == {"sample.ipynb", "exercise_items.toml"}
    text = (release / "sample.ipynb").read_text(encoding="utf-8")
    assert "BEGIN HIDDEN TESTS" not in text and "course.grade" not in text and "839.89" not in text


def test_feedback_is_produced_and_keeps_the_keys_hidden(sample_class):
    course = sample_class["course"]
    assert sample_class["feedback"].returncode == 0, sample_class["feedback"].stdout
    key_text = (FIXTURE / "answer_key.toml").read_text(encoding="utf-8")
    explanations = [line.split('why = "')[1].split('"')[0] for line in key_text.splitlines() if 'why = "' in line]
    assert explanations
    for student in ("key", "blank", "half", "ownkey"):
        html = (course / "feedback" / student / "sample" / "sample.html").read_text(encoding="utf-8")
        for why in explanations:
            assert why not in html, f"feedback of {student} reveals the key ({why!r})"
        if student != "key":  # the key student gave the right value and sees it as theirs
            assert "839.89" not in html, f"feedback of {student} reveals the expected value"


def test_half_feedback_says_which_items_were_right(sample_class):
    html = (sample_class["course"] / "feedback" / "half" / "sample" / "sample.html").read_text(encoding="utf-8")
    assert "2 of 4 right" in html and "✗ not right" in html
    assert "840.5 billion US$" in html and "839.89" not in html  # the student's own answer, in its row
