"""Scoring against the key: partial credit, no key leaks, no student-supplied keys."""

import pytest
from sample_course import FIXTURE, HALF_ANSWERS, HALF_SCORE, KEY_ANSWERS, POINTS, answers_doc

import border_bargains as bb
from border_bargains.course import NotGradable
from border_bargains.specs import SpecError, load_exercises, load_key


def write_answers(folder, answers):
    (folder / "widget_answers.json").write_text(answers_doc(answers), encoding="utf-8")


@pytest.mark.parametrize(("answers", "expected"), [(KEY_ANSWERS, POINTS), (HALF_ANSWERS, None), ({}, None)],
                         ids=["key", "half", "blank"])
def test_scores_per_item(student_folder, keys_dir, monkeypatch, capsys, answers, expected):
    monkeypatch.chdir(student_folder)
    write_answers(student_folder, answers)
    course = bb.assignment("sample")
    got = {ex: course.grade(ex) for ex in KEY_ANSWERS}
    if answers is KEY_ANSWERS:
        assert got == {ex: POINTS[ex] for ex in KEY_ANSWERS}
    elif answers is HALF_ANSWERS:
        assert sum(got.values()) == HALF_SCORE  # the data task (blank) adds 0
        assert got == {"claim-types": 2.0, "bargains": 2.0, "who-said": 1.0, "timeline": 1.0, "stances": 1.0}
    else:
        assert set(got.values()) == {0.0}
    capsys.readouterr()


def test_report_never_names_the_key_unless_revealed(student_folder, keys_dir, monkeypatch, capsys):
    monkeypatch.chdir(student_folder)
    write_answers(student_folder, HALF_ANSWERS)
    course = bb.assignment("sample")
    course.grade("claim-types")
    hidden = capsys.readouterr().out
    assert "✗ not right" in hidden and "you chose: causal" in hidden
    assert "key:" not in hidden and "X leads to Y" not in hidden
    monkeypatch.setenv("BORDER_BARGAINS_REVEAL_KEYS", "1")
    course.grade("claim-types")
    shown = capsys.readouterr().out
    assert "key: causal — X leads to Y. [WOLA ¶29]" in shown


def test_grading_writes_nothing_to_stderr(student_folder, keys_dir, monkeypatch, capfd):
    """nbgrader gives zero to a test cell with any stderr output."""
    monkeypatch.chdir(student_folder)
    write_answers(student_folder, KEY_ANSWERS)
    course = bb.assignment("sample")
    for ex in KEY_ANSWERS:
        course.grade(ex)
    assert capfd.readouterr().err == ""


def test_a_key_in_the_students_folder_is_ignored(student_folder, keys_dir, monkeypatch, capsys):
    """A student who brings answer_key.toml matching their own answers still scores against the real key."""
    monkeypatch.chdir(student_folder)
    fake_key = (FIXTURE / "answer_key.toml").read_text().replace('answer = "empirical"', 'answer = "normative"')
    write_answers(student_folder, {"claim-types": {"a": "normative"}})
    (student_folder / "my_key.toml").write_text(fake_key)
    course = bb.assignment("sample")
    assert course.grade("claim-types") == 0.0
    capsys.readouterr()


def test_no_key_location_is_a_clear_error(student_folder, monkeypatch):
    monkeypatch.chdir(student_folder)
    monkeypatch.delenv("BORDER_BARGAINS_KEYS", raising=False)
    write_answers(student_folder, KEY_ANSWERS)
    with pytest.raises(NotGradable, match="make autograde"):
        bb.assignment("sample").grade("claim-types")


def test_check_started_fails_blank_and_passes_once_begun(student_folder, monkeypatch, capsys):
    monkeypatch.chdir(student_folder)
    course = bb.assignment("sample")
    with pytest.raises(AssertionError, match="no answers yet"):
        course.check_started("bargains")
    write_answers(student_folder, {"bargains": {"y2019/threat": "tariffs"}})
    bb.assignment("sample").check_started("bargains")
    assert "1 of 4 items answered" in capsys.readouterr().out


def test_value_checks(student_folder, keys_dir, monkeypatch, capsys):
    monkeypatch.chdir(student_folder)
    course = bb.assignment("sample")
    course.check_value("seizure-growth", (27023 - 4776) / 4776 * 100)
    for wrong in (433, None, "465.8%", float("nan")):
        with pytest.raises(AssertionError, match="not right yet"):
            course.check_value("seizure-growth", wrong)
    with pytest.raises(AssertionError, match="still blank"):
        course.check_filled("seizure-growth", None)
    assert "465.8" not in capsys.readouterr().out, "the expected value is not printed"


def test_sample_key_matches_its_spec():
    _name, specs = load_exercises(FIXTURE / "exercise_items.toml")
    load_key(FIXTURE / "answer_key.toml", specs)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda k: k.replace('a = { answer = "empirical"', 'a = { answer = "opinion"'), "not one of its choices"),
        (lambda k: k.replace('d = { answer = "causal", why = "X leads to Y.", ref = "WOLA ¶29" }', ""), "has no key"),
        (lambda k: k.replace("t2025 = { answer = 3 }", "t2025 = { answer = 2 }"), "each position once"),
        (lambda k: k + '\n[items.ghost]\nx = { answer = "y" }\n', "unknown exercises"),
        (lambda k: k.replace("[items.stances]", "[items.stances"), "cannot be read as TOML"),
    ],
    ids=["bad-choice", "missing-item", "order-positions", "unknown-exercise", "bad-toml"],
)
def test_broken_keys_are_rejected_with_the_file_named(tmp_path, edit, message):
    _name, specs = load_exercises(FIXTURE / "exercise_items.toml")
    path = tmp_path / "answer_key.toml"
    path.write_text(edit((FIXTURE / "answer_key.toml").read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(SpecError, match=message) as info:
        load_key(path, specs)
    assert "answer_key.toml" in str(info.value)
