"""The one reader of a submission's answers file: whatever the file is, one plain line and no exception."""

from __future__ import annotations

import json

import pytest

from border_bargains.core.answers import FORMAT, Submitted

LIMIT = 1_000_000


def _doc(answers) -> str:
    return json.dumps({"format": FORMAT, "answers": answers})


def test_a_good_file_is_read(tmp_path):
    path = tmp_path / "widget_answers.json"
    path.write_text(_doc({"ex": {"a": "empirical"}}), encoding="utf-8")
    found = Submitted(path, max_bytes=LIMIT)
    assert (found.problem, found.missing) == (None, False)
    assert found.store.exercise("ex") == {"a": "empirical"}


def test_no_file_is_missing_not_a_problem(tmp_path):
    found = Submitted(tmp_path / "widget_answers.json", max_bytes=LIMIT)
    assert (found.problem, found.missing) == (None, True)


def _deep(path):
    path.write_text(f'{{"format": "{FORMAT}", "answers": ' + "[" * 100_000 + "]" * 100_000 + "}")


CASES = {
    "a folder": (lambda p: p.mkdir(), "it is a folder, not a file"),
    "a symbolic link": (lambda p: p.symlink_to(p.parent / "elsewhere.json"), "symbolic link"),
    "too large": (lambda p: p.open("wb").truncate(150 << 20), "more than the 1,000,000"),
    "nested too deep": (_deep, "nested far too deeply"),
    "not JSON": (lambda p: p.write_text('{"answers": {"ex'), "not valid JSON"),
    "not UTF-8": (lambda p: p.write_bytes(b"\xff\xfe\x00"), "not UTF-8"),
    "the wrong shape": (lambda p: p.write_text('["a", "b"]'), "expected shape"),
    "answers that are not a mapping": (lambda p: p.write_text(_doc({"ex": ["a"]})), "not a mapping"),
    "empty": (lambda p: p.write_text(""), "it is empty"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_bad_file_gives_one_plain_line(tmp_path, case):
    make, words = CASES[case]
    path = tmp_path / "widget_answers.json"
    make(path)
    found = Submitted(path, max_bytes=LIMIT)
    assert found.problem and words in found.problem, found.problem
    assert "\n" not in found.problem
    assert found.store.exercise("ex") == {}


def test_values_of_the_wrong_kind_are_counted_as_dropped(tmp_path):
    path = tmp_path / "widget_answers.json"
    path.write_text(_doc({"ex": {"a": {"nested": 1}, "b": [1, 2], "c": True, "d": "empirical"}}))
    found = Submitted(path, max_bytes=LIMIT)
    assert found.problem is None
    good = found.store.valid_answers("ex", {"a": ("empirical",), "b": ("empirical",), "c": ("empirical",),
                                            "d": ("empirical",)})
    assert good == {"d": "empirical"}
    assert found.store.dropped() == 3
