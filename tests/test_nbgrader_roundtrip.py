"""The real nbgrader pipeline on the sample assignment (every exercise kind).

generate -> validate both ways -> autograde key / blank / half / own-key
submissions -> feedback. One course is built per module and shared by the
assertions, since each nbgrader step starts real kernels.
"""

import pytest
from sample_course import (
    AUTOGRADED_TOTAL,
    DATA_SOLUTION,
    FIXTURE,
    HALF_ANSWERS,
    HALF_SCORE,
    KEY_ANSWERS,
    gradebook_integrity,
    make_course,
    run_nbgrader,
    scores,
    submit,
)

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]


# Every claim classified wrongly; the student's own key file agrees with these answers.
WRONG = {"claim-types": {"a": "causal", "b": "empirical", "c": "normative", "d": "prediction"}}


def own_key_text():
    text = (FIXTURE / "answer_key.toml").read_text(encoding="utf-8")
    for item, value in WRONG["claim-types"].items():
        text = "\n".join(
            line.split("=")[0] + f'= {{ answer = "{value}" }}' if line.startswith(f"{item} = ") else line
            for line in text.splitlines()
        )
    return text


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("roundtrip"))
    run_nbgrader(course, "generate_assignment", "sample")
    submit(course, "key", answers=KEY_ANSWERS, data_answer=DATA_SOLUTION)
    submit(course, "blank", answers=None)
    submit(course, "half", answers=HALF_ANSWERS)
    submit(course, "ownkey", answers=WRONG, extra_files={"answer_key.toml": own_key_text()})
    run_nbgrader(course, "autograde", "sample")
    run_nbgrader(course, "generate_feedback", "sample")
    return course


def test_solution_passes_validate(course):
    out = run_nbgrader(course, "validate", "solutions/sample/sample.ipynb").stdout
    assert "Success! Your notebook passes all the tests." in out


def test_release_fails_every_test_when_inverted(course):
    proc = run_nbgrader(course, "validate", "--invert", "exercises/sample/sample.ipynb", check=False)
    assert "Success! The notebook does not pass any tests." in proc.stdout, proc.stdout + proc.stderr


def test_release_holds_no_key_and_no_answers_file(course):
    released = {p.name for p in (course / "exercises" / "sample").iterdir()}
    assert released == {"sample.ipynb", "exercise_items.toml"}
    text = (course / "exercises" / "sample" / "sample.ipynb").read_text(encoding="utf-8")
    assert "BEGIN HIDDEN TESTS" not in text and "course.grade" not in text and DATA_SOLUTION not in text


def test_scores(course):
    got = scores(course)
    assert got["key"] == AUTOGRADED_TOTAL
    assert got["blank"] == 0
    assert got["half"] == HALF_SCORE
    assert got["ownkey"] == 0, "a key file brought by the student must not be used"
    assert gradebook_integrity(course) == "ok"


def test_feedback_is_produced_and_keeps_the_keys_hidden(course):
    key_text = (FIXTURE / "answer_key.toml").read_text(encoding="utf-8")
    explanations = [line.split('why = "')[1].split('"')[0] for line in key_text.splitlines() if 'why = "' in line]
    assert explanations
    for student in ("key", "blank", "half", "ownkey"):
        html = (course / "feedback" / student / "sample" / "sample.html").read_text(encoding="utf-8")
        assert "sample" in html
        for why in explanations:
            assert why not in html, f"feedback of {student} reveals the key ({why!r})"
        if student != "key":  # the key student printed their own (right) value
            assert "465.8" not in html, f"feedback of {student} reveals the expected value"


def test_half_feedback_says_which_items_were_right(course):
    html = (course / "feedback" / "half" / "sample" / "sample.html").read_text(encoding="utf-8")
    assert "2 of 4 right" in html and "✗ not right" in html
