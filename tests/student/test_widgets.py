"""Exercise widgets driven the way a front end drives them, then 'restarted'.

A front end changes a widget by sending a comm message that ends in
``widget.set_state(...)``; that is what these tests call. A "restart" is a new
Assignment over the same folder, as a re-run cell or a new kernel makes.
"""

import json

import pytest
from sample_course import FIXTURE, HALF_ANSWERS, KEY_ANSWERS, answers_doc

import border_bargains as bb
from border_bargains.core.specs import NOT_CHOSEN
from border_bargains.student.controls import Choice, TypedInput


def choose(control, value):
    """Select ``value`` as the browser does: by index over the comm (typed boxes: the text, on Enter)."""
    if isinstance(control, TypedInput):
        control.set_state({"value": "" if value is None else str(value)})
        return
    index = next((i for i, v in enumerate(control.values) if v == value and type(v) is type(value)), None)
    control.set_state({"index": index})


def saved(folder):
    return json.loads((folder / "widget_answers.json").read_text(encoding="utf-8"))["answers"]


@pytest.mark.parametrize("exercise_id", list(KEY_ANSWERS))
def test_every_kind_saves_each_change_and_survives_a_restart(student_folder, monkeypatch, exercise_id):
    monkeypatch.chdir(student_folder)
    course = bb.assignment("sample")
    widget = course.exercise(exercise_id)
    for item_id, value in KEY_ANSWERS[exercise_id].items():
        choose(widget.controls[item_id], value)
        assert saved(student_folder)[exercise_id][item_id] == value, "saved at once, before any other action"
    restarted = bb.assignment("sample").exercise(exercise_id)
    expected = KEY_ANSWERS[exercise_id]
    if exercise_id == "agency":
        expected = {"name": "customs and border protection."}  # saved as typed, trimmed
    assert restarted.answers() == expected
    assert "Answered" in restarted.status.value


def test_controls_are_labelled_and_start_blank(student_folder, monkeypatch):
    monkeypatch.chdir(student_folder)
    course = bb.assignment("sample")
    for exercise_id in KEY_ANSWERS:
        widget = course.exercise(exercise_id)
        for item_id, control in widget.controls.items():
            blank = "" if isinstance(control, TypedInput) else None
            assert control.value == blank, f"{exercise_id}/{item_id} must start unanswered"
            name = control.accessible_name
            assert name and not name.startswith(("Answer ", "Place", "Position of")), \
                f"{exercise_id}/{item_id}: the control is named by the item's words, not {name!r}"
            if isinstance(control, Choice):
                assert control.index is None and control.placeholder == NOT_CHOSEN
                assert control.component == ("radio" if widget.spec.kind == "scale" else "select")


def test_controls_keep_jupyterlab_shortcuts_off_their_keys():
    """The front end marks every control so that JupyterLab's command-mode keys stay with it."""
    from border_bargains.student.controls import ESM

    for element in ("select", "fieldset", "input", "button"):
        assert f'make("{element}"' in ESM
    assert ESM.count("suppress(make(") >= 5 and "data-lm-suppress-shortcuts" in ESM


def test_clearing_a_choice_clears_the_saved_answer(student_folder, monkeypatch):
    monkeypatch.chdir(student_folder)
    widget = bb.assignment("sample").exercise("claim-types")
    choose(widget.controls["a"], "causal")
    choose(widget.controls["a"], None)
    assert saved(student_folder)["claim-types"] == {}


def test_corrupted_file_gives_plain_message_and_clean_start(student_folder, monkeypatch, capsys):
    monkeypatch.chdir(student_folder)
    (student_folder / "widget_answers.json").write_text('{"format": "border-bargains-answers/1", "answ')
    course = bb.assignment("sample")
    out = capsys.readouterr().out
    assert "could not be read" in out and "nothing was deleted" in out
    assert course.exercise("claim-types").answers() == {}
    assert len(list(student_folder.glob("widget_answers.json.unreadable-*"))) == 1


def test_hand_edited_file_uses_what_it_can(student_folder, monkeypatch, capsys):
    monkeypatch.chdir(student_folder)
    edited = {"claim-types": {"a": "empirical", "b": "opinion", "zz": "causal"}, "timeline": {"t2019": "first"}}
    (student_folder / "widget_answers.json").write_text(answers_doc(edited))
    course = bb.assignment("sample")
    assert course.exercise("claim-types").answers() == {"a": "empirical"}
    assert course.exercise("timeline").answers() == {}
    out = capsys.readouterr().out
    assert "'opinion'" in out and "'zz'" in out and "'first'" in out


def test_headless_build_returns_at_once_with_a_plain_text_view(student_folder, monkeypatch):
    monkeypatch.chdir(student_folder)
    widget = bb.assignment("sample").exercise("bargains")
    bundle = widget._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == "<grid exercise 'bargains': 4 items; run this cell to show the exercise>"


def test_answers_can_also_be_set_in_code(student_folder, monkeypatch):
    monkeypatch.chdir(student_folder)
    widget = bb.assignment("sample").exercise("who-said")
    widget.set_answers(HALF_ANSWERS["who-said"])
    assert saved(student_folder)["who-said"] == HALF_ANSWERS["who-said"]


def test_instructor_folder_shows_key_and_writes_nothing(tmp_path, monkeypatch):
    folder = tmp_path / "solutions" / "sample"  # a course's source folder, beside its nbgrader_config.py
    folder.mkdir(parents=True)
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    for name in ("exercise_items.toml", "answer_key.toml"):
        (folder / name).write_bytes((FIXTURE / name).read_bytes())
    monkeypatch.chdir(folder)
    course = bb.assignment("sample")
    widget = course.exercise("timeline")
    assert widget.answers() == KEY_ANSWERS["timeline"]
    assert "instructor" in widget.status.value
    choose(widget.controls["t2019"], 2)
    assert not (folder / "widget_answers.json").exists(), "nothing in a source folder may be released"


def test_missing_spec_file_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="fetch the assignment again"):
        bb.assignment("sample")


def test_practice_check_explains_and_points_to_the_paragraph(tmp_path):
    from border_bargains.student.course import Practice

    practice_file = tmp_path / "lesson.toml"
    practice_file.write_text('''
[[exercise]]
id = "types"
kind = "classify"
title = "Types"
prompt = "Classify."
categories = ["empirical", "normative"]
items = [
  { id = "x", text = "Deaths fell in 2024.", answer = "empirical", why = "Checkable.", ref = "WOLA ¶17" },
  { id = "y", text = "Tariffs are the wrong tool.", answer = "normative", why = "A judgment.", ref = "WOLA ¶11" },
]
''', encoding="utf-8")
    from border_bargains.core.specs import load_practice

    specs, key = load_practice(practice_file)
    from border_bargains.core.answers import AnswerStore

    practice = Practice.__new__(Practice)
    practice.specs, practice.key = specs, key
    practice.store = AnswerStore(tmp_path / "p.json", announce=None)
    widget = practice.exercise("types")
    choose(widget.controls["x"], "empirical")
    choose(widget.controls["y"], "empirical")
    html = widget.check()
    assert "1 of 2 right" in html
    assert "✓ right" in html and "Deaths fell in 2024. Why: Checkable." in html
    assert "✗ not yet right" in html and "Tariffs are the wrong tool." in html, "each item is said in words"
    assert "You chose: empirical." in html and "A judgment." in html, "a wrong item says why too (a public key)"
    assert '<a href="../source_texts/wola.md#p11">WOLA ¶11</a>' in html, "the paragraph is a link"
    assert "Checked: 1 of 2 right, 1 not yet right." in widget.check_button.announcement, "read out at once"


def test_a_number_box_reads_what_people_type(student_folder, monkeypatch):
    monkeypatch.chdir(student_folder)
    widget = bb.assignment("sample").exercise("trade")
    box = widget.controls["value"]
    assert box.unit == "billion US$", "the unit is shown beside the box"
    choose(box, "$839.89")
    assert saved(student_folder)["trade"]["value"] == 839.89
    assert box.message == "✓ Saved as 839.89 billion US$." and box.message_kind == "ok"
    choose(box, "abc")
    assert "Not saved" in box.message and "has no number in it" in box.message and box.message_kind == "error"
    assert "still 839.89" in box.message
    assert saved(student_folder)["trade"]["value"] == 839.89, "a bad entry keeps the saved answer"
    choose(box, "5 million")
    assert "This answer is in billions" in box.message
    choose(box, "")
    assert "trade" not in saved(student_folder) or not saved(student_folder)["trade"]
    assert "Cleared" in box.message
    assert "Answered 0 of 1" in widget.status.value


def test_a_rebuilt_widget_shows_what_is_on_disk_and_old_widgets_merge(student_folder, monkeypatch):
    """A re-run setup cell beside an older widget (or a second tab): neither erases the other's answers."""
    monkeypatch.chdir(student_folder)
    old = bb.assignment("sample").exercise("claim-types")
    new = bb.assignment("sample").exercise("claim-types")
    choose(old.controls["a"], "empirical")
    choose(new.controls["b"], "normative")
    choose(old.controls["c"], "prediction")
    assert saved(student_folder)["claim-types"] == {"a": "empirical", "b": "normative", "c": "prediction"}
    rebuilt = bb.assignment("sample").exercise("claim-types")
    assert rebuilt.answers() == {"a": "empirical", "b": "normative", "c": "prediction"}
