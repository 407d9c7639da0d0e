"""The instructor's commands on the sample course: a class with broken submissions, the exchange loop,
and clear errors. Everything goes through `border-bargains` (what `make autograde` runs), so the tests see
exactly what an instructor sees: the summary lines, the logs, the gradebook, grades.csv."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sample_course import (
    AUTOGRADED_TOTAL,
    CLI,
    KEY_ANSWERS,
    answers_doc,
    cli,
    gradebook_integrity,
    make_course,
    nbgrader_env,
    scores,
    tree_digest,
)

# Both modules share the session-scoped sample_class: keep them on one xdist worker.
pytestmark = [pytest.mark.nbgrader, pytest.mark.slow, pytest.mark.xdist_group("sample_class")]


def summary_line(proc, student):
    return next(line for line in proc.stdout.splitlines() if f" {student} " in f" {line} ")


def test_the_good_and_the_blank_are_graded_alongside_broken_ones(sample_class):
    got = scores(sample_class["course"])
    assert got["key"] == AUTOGRADED_TOTAL
    assert got["blank"] == 0
    assert sample_class["autograde"].returncode == 1, "a rejected submission makes the command exit non-zero"


def test_invalid_json_is_rejected_with_a_clear_line_and_kept(sample_class):
    line = summary_line(sample_class["autograde"], "not-json")
    assert line.startswith("REJECTED") and "not valid JSON" in line and "kept as submitted" in line
    assert "not-json" not in scores(sample_class["course"])


def test_deleted_test_cell_is_graded_without_its_points(sample_class):
    line = summary_line(sample_class["autograde"], "deleted-test-cell")
    assert line.startswith("GRADED")
    assert scores(sample_class["course"])["deleted-test-cell"] <= AUTOGRADED_TOTAL - 4 - 2


def test_edited_locked_cell_is_restored_before_grading(sample_class):
    assert scores(sample_class["course"])["edited-locked-cell"] == 0, "the edited test cell must not award points"


def test_infinite_loop_is_stopped_and_the_rest_is_graded(sample_class):
    line = summary_line(sample_class["autograde"], "infinite-loop")
    assert line.startswith("GRADED")
    assert scores(sample_class["course"])["infinite-loop"] == AUTOGRADED_TOTAL - 2, "only the looping task loses"


def test_hand_edited_answers_file_is_set_aside_and_reported(sample_class):
    course = sample_class["course"]
    assert scores(course)["hand-edited-answers"] == 0
    kept = list((course / "autograded" / "hand-edited-answers" / "sample").glob("widget_answers.json.unreadable-*"))
    assert len(kept) == 1
    html = (course / "autograded" / "hand-edited-answers" / "sample" / "sample.ipynb").read_text(encoding="utf-8")
    assert "could not be read" in html and "nothing was deleted" in html


def test_writing_outside_the_folder_is_blocked(sample_class):
    course = sample_class["course"]
    assert not (course / "escaped.txt").exists()
    assert (course / "submitted" / "key" / "sample" / "sample.ipynb").exists()
    nb = (course / "autograded" / "writes-outside" / "sample" / "sample.ipynb").read_text(encoding="utf-8")
    assert "may write files only inside the assignment folder" in nb
    # The blocked write stops only that cell; its value was already set, so nothing is lost.
    assert scores(course)["writes-outside"] == AUTOGRADED_TOTAL


def test_no_students_files_are_changed_and_the_gradebook_is_sound(sample_class):
    course = sample_class["course"]
    assert tree_digest(course / "submitted") == sample_class["before"]
    assert gradebook_integrity(course) == "ok"
    logs = {p.stem for p in (course / "grading-logs" / "sample").glob("*.log")}
    assert {"key", "not-json", "infinite-loop"} <= logs


def test_feedback_and_export(sample_class):
    course = sample_class["course"]
    assert sample_class["feedback"].returncode == 0, sample_class["feedback"].stdout
    assert (course / "feedback" / "key" / "sample" / "sample.html").exists()
    assert cli(course, "export", "--to", "grades.csv").returncode == 0
    rows = {r["student_id"]: r for r in csv.DictReader((course / "grades.csv").open())}
    assert float(rows["key"]["raw_score"]) == AUTOGRADED_TOTAL
    assert "not-json" in rows and rows["not-json"]["raw_score"] in ("", "0.0")


def test_exchange_loop_release_fetch_submit_collect_autograde(tmp_path):
    course = make_course(tmp_path)
    assert cli(course, "generate").returncode == 0
    assert cli(course, "release", "sample").returncode == 0
    student_home = tmp_path / "alice"
    student_home.mkdir()
    common = ["--course=border-bargains", f"--Exchange.root={course / 'exchange'}"]
    env = nbgrader_env(course)
    env["HOME"] = str(student_home)

    def student(*args):
        proc = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), *args, *common,
                               "--CourseDirectory.student_id=alice"], cwd=student_home, env=env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr

    student("fetch_assignment", "sample")
    fetched = student_home / "sample"
    assert sorted(p.name for p in fetched.iterdir()) == ["exercise_items.toml", "sample.ipynb"]
    (fetched / "widget_answers.json").write_text(answers_doc(KEY_ANSWERS), encoding="utf-8")
    student("submit", "sample")
    assert cli(course, "collect", "sample").returncode == 0
    assert (course / "submitted" / "alice" / "sample" / "widget_answers.json").exists()
    proc = cli(course, "autograde", "sample")
    assert proc.returncode == 0, proc.stdout
    assert scores(course)["alice"] == AUTOGRADED_TOTAL - 2  # alice left the data task blank
    assert cli(course, "feedback", "sample").returncode == 0
    student("fetch_feedback", "sample")
    assert list((fetched / "feedback").rglob("sample.html"))


def test_unknown_assignment_and_wrong_folder_give_clear_errors(tmp_path):
    course = make_course(tmp_path)
    proc = cli(course, "generate", "nope", check=False)
    assert proc.returncode == 2 and "unknown assignment(s): nope; known: sample" in proc.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.run([CLI, "generate"], cwd=elsewhere, env=nbgrader_env(course), capture_output=True, text=True)
    assert proc.returncode == 2 and "run this from the course folder" in proc.stderr


def test_a_stray_answers_file_in_solutions_stops_generate(tmp_path):
    course = make_course(tmp_path)
    (course / "solutions" / "sample" / "widget_answers.json").write_text("{}")
    proc = cli(course, "generate", check=False)
    assert proc.returncode == 2 and "would be released to every student" in proc.stderr
    assert not (course / "exercises").exists() or not any((course / "exercises").iterdir())
    os.remove(course / "solutions" / "sample" / "widget_answers.json")
