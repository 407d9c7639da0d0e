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
    make_course,
    nbgrader_env,
    scores,
    submit,
)

# Both modules share the session-scoped sample_class: keep them on one xdist worker.
pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]


def summary_line(proc, student):
    return next(line for line in proc.stdout.splitlines() if f" {student} " in f" {line} ")


def test_a_rejected_submission_is_handled_so_the_command_succeeds(sample_class):
    """Exit status 0: every submission was graded or rejected with a reason (the run itself did not fail)."""
    proc = sample_class["autograde"]
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.rstrip().splitlines()[-1].startswith("Rejected submissions are untouched"), \
        "the summary is the last thing printed"
    assert "SAWarning" not in proc.stdout + proc.stderr, "library warnings go to the log"


def test_invalid_json_is_rejected_with_a_clear_line_and_kept(sample_class):
    line = summary_line(sample_class["autograde"], "not-json")
    assert line.startswith("REJECTED") and "not valid JSON" in line and "kept as submitted" in line
    assert "not-json" not in scores(sample_class["course"])


def test_logs_are_written_per_student(sample_class):
    logs = {p.stem for p in (sample_class["course"] / "grading-logs" / "sample").glob("*.log")}
    assert {"key", "not-json", "infinite-loop"} <= logs


def test_a_missing_key_fails_the_submission_with_its_reason(tmp_path):
    course = make_course(tmp_path)
    assert cli(course, "generate", "sample").returncode == 0
    submit(course, "alice", answers=KEY_ANSWERS)
    (course / "solutions" / "sample" / "answer_key.toml").rename(course / "answer_key.toml.away")
    proc = cli(course, "autograde", "sample")
    line = summary_line(proc, "alice")
    assert line.startswith("FAILED") and "the key or the exercise file of sample is missing" in line, proc.stdout
    assert proc.returncode == 1


def test_generate_refuses_a_check_cell_without_an_exercise(tmp_path):
    course = make_course(tmp_path)
    path = course / "solutions" / "sample" / "sample.ipynb"
    path.write_text(path.read_text(encoding="utf-8").replace('course.check(\\"trade\\")', "1 + 1"),
                    encoding="utf-8")
    proc = cli(course, "generate", "sample", check=False)
    assert proc.returncode == 2 and "no course.check" in proc.stderr, proc.stdout + proc.stderr


def test_feedback_and_export(sample_class):
    course = sample_class["course"]
    assert sample_class["feedback"].returncode == 0, sample_class["feedback"].stdout
    assert (course / "feedback" / "key" / "sample" / "sample.html").exists()
    assert cli(course, "export", "--to", "grades.csv").returncode == 0
    rows = {r["student_id"]: r for r in csv.DictReader((course / "grades.csv").open())}
    assert rows["key"]["sample: status"] == "graded" and float(rows["key"]["sample: score"]) == AUTOGRADED_TOTAL
    assert rows["not-json"]["sample: status"] == "rejected" and rows["not-json"]["sample: score"] == ""
    assert "not valid JSON" in rows["not-json"]["sample: note"]


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
    assert scores(course)["alice"] == AUTOGRADED_TOTAL
    assert cli(course, "feedback", "sample").returncode == 0
    student("fetch_feedback", "sample")
    assert list((fetched / "feedback").rglob("sample.html"))


def test_unknown_assignment_and_wrong_folder_give_clear_errors(tmp_path):
    course = make_course(tmp_path)
    proc = cli(course, "generate", "nope", check=False)
    assert proc.returncode == 2 and "unknown assignment(s): nope; known: sample" in proc.stderr
    assert "Exit status: 0 when" in cli(course, "--help").stdout
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
