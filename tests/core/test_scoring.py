"""Scoring against the key (pure functions, run in the instructor's process) and what a student's kernel may do:
show how many answers are saved, save typed answers, and nothing else."""

import pytest
from sample_course import FIXTURE, HALF_ANSWERS, HALF_SCORE, KEY_ANSWERS, POINTS, answers_doc

import border_bargains as bb
from border_bargains.core.scoring import points_for, report, score_items
from border_bargains.core.specs import SpecError, load_exercises, load_key
from border_bargains.student.course import NotYet


def write_answers(folder, answers):
    (folder / "widget_answers.json").write_text(answers_doc(answers), encoding="utf-8")


@pytest.fixture(scope="module")
def sample():
    _name, specs = load_exercises(FIXTURE / "exercise_items.toml")
    return specs, load_key(FIXTURE / "answer_key.toml", specs)


def scores_for(sample, answers):
    specs, key = sample
    return {ex: points_for(score_items(specs[ex], key.items[ex], answers.get(ex, {})), specs[ex].points)
            for ex in specs}


def test_scores_per_item(sample):
    assert scores_for(sample, KEY_ANSWERS) == POINTS
    half = scores_for(sample, HALF_ANSWERS)
    assert sum(half.values()) == HALF_SCORE
    assert half == {"claim-types": 2.0, "bargains": 2.0, "who-said": 1.0, "timeline": 1.0, "stances": 1.0,
                    "trade": 0.0, "agency": 1.0}
    assert set(scores_for(sample, {}).values()) == {0.0}


@pytest.mark.parametrize(("given", "right"), [(839.89, True), (839.895, True), (839.9, True), (839.87, False),
                                              (840.0, False), (-839.89, False)])
def test_number_answers_within_the_keys_tolerance(sample, given, right):
    specs, key = sample
    (result,) = score_items(specs["trade"], key.items["trade"], {"value": given})
    assert result.right is right


@pytest.mark.parametrize(("given", "right"), [("CBP", True), ("cbp", True), ("  C.B.P.", False),
                                              ("Customs and Border Protection.", True),
                                              ("U.S. Customs  and Border Protection", True), ("DEA", False)])
def test_text_answers_match_the_key_or_an_accepted_spelling(sample, given, right):
    specs, key = sample
    (result,) = score_items(specs["agency"], key.items["agency"], {"name": given})
    assert result.right is right


def test_report_never_names_the_key_unless_revealed(sample):
    specs, key = sample
    spec = specs["claim-types"]
    results = score_items(spec, key.items["claim-types"], HALF_ANSWERS["claim-types"])
    hidden = report(spec, results, 2.0, reveal=False)
    assert "✗ not right" in hidden and "you chose: causal" in hidden
    assert "key:" not in hidden and "X leads to Y" not in hidden
    shown = report(spec, results, 2.0, reveal=True)
    assert "key: causal — X leads to Y. [WOLA ¶29]" in shown
    number = report(specs["trade"], score_items(specs["trade"], key.items["trade"], {"value": 840.5}), 0,
                    reveal=True)
    assert "you gave: 840.5 billion US$" in number and "key: 839.89 billion US$ (± 0.01)" in number


def test_a_students_kernel_loads_no_key_even_where_one_lies(student_folder, monkeypatch):
    """No key is loaded in a student's kernel: not from beside the notebook, not from an old key location."""
    import shutil

    shutil.copy(FIXTURE / "answer_key.toml", student_folder)  # a key a student found and put beside the notebook
    monkeypatch.chdir(student_folder)
    monkeypatch.setenv("BORDER_BARGAINS_KEYS", str(FIXTURE.parent))
    course = bb.assignment("sample")
    assert course.shown_key is None
    assert course.exercise("claim-types").practice_key is None, "a graded exercise has no key to check against"


def test_check_fails_blank_and_reports_what_is_on_disk(student_folder, monkeypatch, capsys):
    monkeypatch.chdir(student_folder)
    course = bb.assignment("sample")
    with pytest.raises(NotYet, match="no answers yet: choose your answers"):
        course.check("bargains")
    with pytest.raises(NotYet, match="type your answer in the box above"):
        course.check("trade")
    # Another tab (another store of the same file) saves meanwhile: the check reads the file again.
    bb.assignment("sample").exercise("bargains").set_answers({"y2019/threat": "tariffs"})
    course.check("bargains")
    assert "1 of 4 answered and saved" in capsys.readouterr().out


def test_record_saves_a_computed_value_with_plain_messages(student_folder, monkeypatch, capsys):
    monkeypatch.chdir(student_folder)
    course = bb.assignment("sample")
    course.record("trade", 334.04 + 505.85)
    assert "Saved 839.89 as your answer" in capsys.readouterr().out
    course.record("trade", "$839.89 billion")
    course.record("agency", "  Customs and Border Protection ")
    assert bb.assignment("sample").answers("trade") == {"value": 839.89}
    assert bb.assignment("sample").answers("agency") == {"name": "Customs and Border Protection"}
    for bad, message in (("abc", "no number"), (float("nan"), "not a finite number"), ((1, 2), "you gave tuple"),
                         (True, "not True or False")):
        with pytest.raises(NotYet, match=message) as info:
            course.record("trade", bad)
        assert info.value._render_traceback_()[0].startswith("Not yet: Not saved:")
    with pytest.raises(NotYet, match="answered with the widget"):
        course.record("bargains", 1)
    assert bb.assignment("sample").answers("trade") == {"value": 839.89}, "a bad value leaves the saved one"


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
        (lambda k: k.replace("answer = 839.89", 'answer = "839.89"'), "is not a number"),
        (lambda k: k.replace("tolerance = 0.01", "tolerance = -1"), "at least 0"),
        (lambda k: k + '\n[values.old]\nanswer = 1\n', "no longer used"),
    ],
    ids=["bad-choice", "missing-item", "order-positions", "unknown-exercise", "bad-toml", "number-as-text",
         "negative-tolerance", "old-value-check"],
)
def test_broken_keys_are_rejected_with_the_file_named(tmp_path, edit, message):
    _name, specs = load_exercises(FIXTURE / "exercise_items.toml")
    path = tmp_path / "answer_key.toml"
    path.write_text(edit((FIXTURE / "answer_key.toml").read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(SpecError, match=message) as info:
        load_key(path, specs)
    assert "answer_key.toml" in str(info.value)
