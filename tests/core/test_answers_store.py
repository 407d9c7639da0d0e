"""The answers file: atomic saves, reload, and bad files set aside with nothing lost."""

import json
import os

import pytest

from border_bargains.core.answers import FORMAT, AnswerStore


def read(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_set_saves_at_once_and_reloads(tmp_path):
    path = tmp_path / "widget_answers.json"
    store = AnswerStore(path, announce=None)
    store.set("ex", "a", "empirical")
    assert read(path) == {"format": FORMAT, "answers": {"ex": {"a": "empirical"}}}
    again = AnswerStore(path, announce=None)
    assert again.exercise("ex") == {"a": "empirical"}


def test_clearing_an_answer_removes_it(tmp_path):
    store = AnswerStore(tmp_path / "w.json", announce=None)
    store.set("ex", "a", 3)
    store.set("ex", "a", None)
    assert read(tmp_path / "w.json")["answers"] == {"ex": {}}


def test_write_is_atomic_when_replace_fails(tmp_path, monkeypatch):
    path = tmp_path / "w.json"
    store = AnswerStore(path, announce=None)
    store.set("ex", "a", "x")
    before = path.read_bytes()

    def boom(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        store.set("ex", "b", "y")
    assert path.read_bytes() == before, "a failed save must leave the old file whole"
    left = sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock"))
    assert left == ["w.json"], "no temporary file is left behind"


def test_memory_only_store_never_writes(tmp_path):
    store = AnswerStore(tmp_path / "w.json", persist=False, announce=None)
    store.set("ex", "a", "x")
    assert not (tmp_path / "w.json").exists()


def test_rejects_non_answer_values(tmp_path):
    store = AnswerStore(tmp_path / "w.json", announce=None)
    with pytest.raises(TypeError):
        store.set("ex", "a", ["a", "list"])
    with pytest.raises(TypeError):
        store.set("ex", "a", True)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"format": "border-bargains-answers/1", "answers": {"ex": {"a": "empi', "not valid JSON"),
        (b"", "it is empty"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b'["a", "list"]', "expected shape"),
        (b'{"format": "something-else", "answers": {}}', "its format is"),
        (b'{"format": "border-bargains-answers/1", "answers": {"ex": ["a"]}}', "not a mapping"),
    ],
    ids=["truncated", "empty", "binary", "wrong-shape", "wrong-format", "wrong-type"],
)
def test_unreadable_file_is_set_aside_not_deleted(tmp_path, content, reason):
    path = tmp_path / "widget_answers.json"
    path.write_bytes(content)
    told = []
    store = AnswerStore(path, announce=told.append)
    assert store.exercise("ex") == {}
    assert not path.exists()
    assert store.set_aside_path.read_bytes() == content, "the student's file is kept byte for byte"
    assert len(told) == 1 and reason in told[0] and store.set_aside_path.name in told[0]
    store.set("ex", "a", "causal")  # the exercise starts clean and saves again
    assert read(path)["answers"] == {"ex": {"a": "causal"}}


def test_two_bad_files_in_a_row_keep_both(tmp_path):
    path = tmp_path / "widget_answers.json"
    for content in (b"{", b"[}"):
        path.write_bytes(content)
        AnswerStore(path, announce=None)
    kept = sorted(p.read_bytes() for p in tmp_path.glob("widget_answers.json.unreadable-*"))
    assert kept == [b"[}", b"{"]


def test_unknown_items_and_values_are_reported_and_kept(tmp_path):
    path = tmp_path / "w.json"
    doc = {"format": FORMAT, "answers": {"ex": {"a": "empirical", "zz": "causal", "b": "nonsense", "c": 7.5},
                                         "other-exercise": {"q": "x"}}}
    path.write_text(json.dumps(doc), encoding="utf-8")
    told = []
    store = AnswerStore(path, announce=told.append)
    allowed = {"a": {"empirical", "causal"}, "b": {"empirical", "causal"}, "c": {"empirical"}}
    assert store.valid_answers("ex", allowed) == {"a": "empirical"}
    store.report_unknown_exercises({"ex"})
    text = "\n".join(told)
    assert "'zz'" in text and "'nonsense'" in text and "7.5" in text and "'other-exercise'" in text
    store.set("ex", "a", "causal")  # a later save keeps what it did not understand
    saved = read(path)["answers"]
    assert saved["ex"]["zz"] == "causal" and saved["ex"]["b"] == "nonsense" and saved["other-exercise"] == {"q": "x"}


def test_two_stores_of_one_file_merge_instead_of_overwriting(tmp_path):
    """Two tabs (or an old widget beside a re-run cell) each hold a copy in memory; each save changes one answer."""
    path = tmp_path / "w.json"
    first, second = AnswerStore(path, announce=None), AnswerStore(path, announce=None)
    first.set("ex", "a", "x")
    second.set("ex", "b", "y")
    first.set("other", "c", 3)
    second.set("ex", "a", None)  # clearing one answer clears only that one
    assert AnswerStore(path, announce=None).exercise("ex") == {"b": "y"}
    assert AnswerStore(path, announce=None).exercise("other") == {"c": 3}


def _save_many(path, worker, count):
    store = AnswerStore(path, announce=None)
    for n in range(count):
        store.set("ex", f"{worker}-{n}", n)


def test_concurrent_processes_lose_no_answer(tmp_path):
    import multiprocessing

    path = tmp_path / "w.json"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_save_many, args=(path, w, 40)) for w in range(3)]
    for proc in workers:
        proc.start()
    for proc in workers:
        proc.join()  # no bound of its own: a loaded machine only makes this slower (pytest-timeout catches a hang)
        assert proc.exitcode == 0
    assert len(AnswerStore(path, announce=None).exercise("ex")) == 120


def test_a_file_damaged_between_saves_is_set_aside_and_the_shown_answers_kept(tmp_path):
    path = tmp_path / "w.json"
    store = AnswerStore(path, announce=None)
    store.set("ex", "a", "x")
    path.write_text('{"format": "border-bargains-answers/1", "answers": {"ex"', encoding="utf-8")
    store.set("ex", "b", "y")
    assert AnswerStore(path, announce=None).exercise("ex") == {"a": "x", "b": "y"}
    assert len(list(tmp_path.glob("w.json.unreadable-*"))) == 1, "the damaged file is kept"


def test_the_answers_file_is_private_to_its_owner(tmp_path):
    path = tmp_path / "w.json"
    AnswerStore(path, announce=None).set("ex", "a", "x")
    mode = path.stat().st_mode & 0o777
    assert mode == 0o600, f"mode {oct(mode)}: classmates on a shared server could read it"
