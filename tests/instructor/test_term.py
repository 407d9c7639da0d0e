"""A whole term for a class of seven on the local exchange, with the real nbgrader and the course's commands.

Roster imported from a Canvas export; two assignments, one due tomorrow and one due 26 hours ago; an
extension; on-time and late submissions; a rejected one; a student who never submits; manual grades for
all but one. The test checks the summary lines, the feedback that is held back or sent, the rejected
student's note (and the salvage command it points to), the late-penalty arithmetic and the three export
formats against rows computed by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sample_course import (
    HALF_ANSWERS,
    KEY_ANSWERS,
    REPO,
    answers_doc,
    cli,
    make_course,
    nbgrader_env,
)

from border_bargains.core.term import LatePolicy, Term, load_term

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]

CANVAS_EXPORT = """\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,Sample (1001)
Points Possible,,,,,20
"Alvarez, Ana",501,S-1,ana,Mon 9am,
"Brown, Ben",502,S-2,ben,Mon 9am,
"Chen, Chloe",503,S-3,chloe,Wed 2pm,
"Dube, Dev",504,S-4,dev,Wed 2pm,
"Evans, Emma",505,S-5,emma,Mon 9am,
"Farah, Farid",506,S-6,farid,Wed 2pm,
"Gomez, Gus",507,S-7,gus,Mon 9am,
"Student, Test",999,,test_student,Mon 9am,
"""
WRITTEN = "The threat was a means to an end (WOLA ¶4)."
# Manual marks for the written answer (out of 2); emma's sample answer is left unmarked.
MARKS = {("sample", "ana"): 2, ("sample", "ben"): 1, ("sample", "chloe"): 1.5, ("sample", "dev"): 0,
         ("sample", "farid"): 2, ("sample_b", "ana"): 2, ("sample_b", "dev"): 1, ("sample_b", "emma"): 2,
         ("sample_b", "farid"): 0.5}


@pytest.mark.parametrize(("hours_late", "percent"), [(0.2, 0), (0.26, 10), (23.9, 10), (24.0, 10), (24.01, 20),
                                                     (26, 20), (100, 50), (1000, 50)])
def test_percent_per_day_or_part_of_a_day_with_grace_and_cap(hours_late, percent):
    due = dt.datetime(2027, 2, 1, 23, 59, tzinfo=dt.UTC)
    term = Term(timezone=dt.UTC, late=LatePolicy("percent", 10, 50, 15))
    term.assignments["a"] = term.assignment("a").__class__("a", "A", due)
    late = term.seconds_late("s", "a", due + dt.timedelta(hours=hours_late))
    assert term.penalty(20.0, late) == pytest.approx(20.0 * percent / 100)


def test_zero_policy_and_none_policy():
    term = Term(timezone=dt.UTC, late=LatePolicy("zero"))
    assert term.penalty(17.5, 3600) == 17.5 and term.penalty(17.5, 0) == 0
    assert Term(timezone=dt.UTC).penalty(17.5, 86400 * 9) == 0


def test_course_toml_errors_name_the_entry(tmp_path):
    (tmp_path / "course.toml").write_text('[late]\npolicy = "half"\n')
    with pytest.raises(ValueError, match=r"\[late\]: policy must be one of none, zero, percent"):
        load_term(tmp_path)
    (tmp_path / "course.toml").write_text('[assignments.a]\ndue = "next friday"\n')
    with pytest.raises(ValueError, match="is not a date and time"):
        load_term(tmp_path)
    (tmp_path / "course.toml").write_text('[extensions]\nana = { b = "2027-01-01 10:00" }\n')
    with pytest.raises(ValueError, match=r"no \[assignments.b\]"):
        load_term(tmp_path)
    assert load_term(REPO).late.policy in ("none", "zero", "percent"), "the repository's own course.toml loads"


def add_second_assignment(course: Path) -> None:
    """sample_b: the sample assignment under another name."""
    src, dest = course / "solutions" / "sample", course / "solutions" / "sample_b"
    shutil.copytree(src, dest)
    (dest / "sample.ipynb").rename(dest / "sample_b.ipynb")
    for path in (dest / "sample_b.ipynb", dest / "exercise_items.toml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('bb.assignment(\\"sample\\")', 'bb.assignment(\\"sample_b\\")')
                        .replace('assignment = "sample"', 'assignment = "sample_b"'), encoding="utf-8")


class Student:
    def __init__(self, course: Path, home: Path, name: str):
        self.course, self.home, self.name = course, home, name
        home.mkdir(parents=True)
        self.env = dict(nbgrader_env(course), HOME=str(home))

    def nbgrader(self, *args: str) -> subprocess.CompletedProcess:
        proc = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), *args, "--course=border-bargains",
                               f"--Exchange.root={self.course / 'exchange'}",
                               f"--CourseDirectory.student_id={self.name}"],
                              cwd=self.home, env=self.env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc

    def work(self, assignment: str, answers: dict | None, *, written: bool = True, corrupt: bool = False) -> None:
        self.nbgrader("fetch_assignment", assignment)
        folder = self.home / assignment
        if answers is not None:
            (folder / "widget_answers.json").write_text(answers_doc(answers), encoding="utf-8")
        notebook = folder / f"{assignment}.ipynb"
        nb = json.loads(notebook.read_text(encoding="utf-8"))
        if written:
            cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "written-memo")
            cell["source"] = WRITTEN
        text = json.dumps(nb, indent=1, ensure_ascii=False)
        if corrupt:  # cut short after the written answer, as a crashed save might leave it
            text = text[: text.index(WRITTEN) + len(WRITTEN) + 40]
        notebook.write_text(text, encoding="utf-8")
        self.nbgrader("submit", assignment)


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    root = tmp_path_factory.mktemp("term")
    course = make_course(root)
    add_second_assignment(course)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    due_a, due_b = now + dt.timedelta(days=1), now - dt.timedelta(hours=26)
    extended = now + dt.timedelta(days=1)
    (course / "course.toml").write_text(f"""
[course]
title = "Border Bargains (test term)"
timezone = "America/Chicago"
[assignments.sample]
title = "Sample"
due = "{due_a.isoformat()}"
canvas_id = 1001
[assignments.sample_b]
title = "Sample B"
due = "{due_b.isoformat()}"
moodle_name = "Sample B (essay)"
[late]
policy = "percent"
percent_per_day = 10
cap_percent = 50
grace_minutes = 15
[extensions]
dev = {{ sample_b = "{extended.isoformat()}" }}
""", encoding="utf-8")
    (root / "canvas.csv").write_text(CANVAS_EXPORT, encoding="utf-8")
    out = {"course": course, "roster": cli(course, "roster", str(root / "canvas.csv"))}
    assert cli(course, "generate").returncode == 0
    for name in ("sample", "sample_b"):
        assert cli(course, "release", name).returncode == 0
    people = {name: Student(course, root / "homes" / name, name)
              for name in ("ana", "ben", "chloe", "dev", "emma", "farid")}
    plan = {  # assignment -> student -> (answers, corrupt)
        "sample": {"ana": KEY_ANSWERS, "ben": HALF_ANSWERS, "chloe": KEY_ANSWERS, "dev": {}, "emma": KEY_ANSWERS,
                   "farid": KEY_ANSWERS},
        "sample_b": {"ana": KEY_ANSWERS, "chloe": KEY_ANSWERS, "dev": KEY_ANSWERS, "emma": KEY_ANSWERS,
                     "farid": HALF_ANSWERS},
    }
    for assignment, students in plan.items():
        for student, answers in students.items():
            people[student].work(assignment, answers, corrupt=(assignment, student) == ("sample_b", "chloe"))
        assert cli(course, "collect", assignment).returncode == 0
    out["autograde"] = cli(course, "autograde")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for (assignment, student), mark in MARKS.items():  # what marking in Formgrader stores
            grade = gb.find_grade("written-memo", assignment, assignment, student)
            grade.manual_score, grade.needs_manual_grade = mark, False
        gb.db.commit()
    out["feedback"] = cli(course, "feedback")
    out.update(people=people, root=root)
    return out


def line_of(proc, student: str, assignment: str) -> str:
    block = proc.stdout.split(f"-- {assignment}\n", 1)[1]
    return next(x for x in block.splitlines() if f" {student} " in f" {x} ")


def test_roster_import_names_every_student(term):
    assert "7 students imported into roster.csv and the gradebook (sections: Mon 9am, Wed 2pm)" in \
        term["roster"].stdout
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{term['course'] / 'gradebook.db'}") as gb:
        ana = gb.find_student("ana")
        assert (ana.first_name, ana.last_name, ana.lms_user_id) == ("Ana", "Alvarez", "501")
        assert "test_student" not in {s.id for s in gb.students}, "Canvas' test student is left out"


def test_summary_lines_say_what_happened(term):
    proc = term["autograde"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert line_of(proc, "chloe", "sample_b").startswith("REJECTED") and "not valid JSON" in \
        line_of(proc, "chloe", "sample_b")
    assert "1 d 2 h late, past the 15-minute grace (10% of the score per day" in proc.stdout.split("-- sample_b\n")[1]
    assert "sample_b: 4 graded, 1 rejected, 0 failed" in proc.stdout
    assert "SAWarning" not in proc.stdout


def test_feedback_is_held_back_until_grading_is_done(term):
    out = term["feedback"].stdout
    first = out.split("-- sample:")[1].split("-- sample_b")[0]
    assert "feedback returned to 5 student(s)" in first
    assert "held back, written answers not marked yet: emma (written-memo)" in first
    assert not (term["course"] / "feedback" / "emma" / "sample").exists()
    assert (term["course"] / "feedback" / "ana" / "sample" / "sample.html").exists()
    page = (term["course"] / "feedback" / "ana" / "sample_b" / "sample_b.html").read_text(encoding="utf-8")
    assert "Late submission penalty (Score: -4.0)" in page and "Submitted 26" in page and "per day" in page


def test_the_rejected_student_gets_a_note_and_a_way_back(term):
    assert "resubmission notes sent to: chloe" in term["feedback"].stdout
    chloe = term["people"]["chloe"]
    chloe.nbgrader("fetch_feedback", "sample_b")
    notes = list((chloe.home / "sample_b" / "feedback").rglob("sample_b.html"))
    assert notes, "the note reaches the student through the exchange"
    note = notes[0].read_text(encoding="utf-8")
    assert "could not be graded" in note and "not valid JSON" in note
    assert "python -m border_bargains.student.salvage sample_b" in note
    # Chloe's nbgrader knows the exchange from her settings, as the README tells students to set it up.
    setup = subprocess.run([sys.executable, "-m", "border_bargains.student.setup", "--exchange",
                            str(term["course"] / "exchange"), "--student-id", "chloe"], cwd=chloe.home,
                           env=chloe.env, capture_output=True, text=True, timeout=60)
    assert setup.returncode == 0 and "Wrote" in setup.stdout, setup.stdout + setup.stderr
    proc = subprocess.run([sys.executable, "-m", "border_bargains.student.salvage", "sample_b"], cwd=chloe.home,
                          env=chloe.env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    folder = chloe.home / "sample_b"
    assert list(folder.glob("sample_b.broken-*.ipynb")), "the damaged notebook is kept"
    fresh = json.loads((folder / "sample_b.ipynb").read_text(encoding="utf-8"))
    assert any(WRITTEN in "".join(c["source"]) for c in fresh["cells"]), "the written answer was salvaged"
    assert "copied in" in proc.stdout and (folder / "widget_answers.json").exists()


def rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_plain_export_is_honest_about_what_is_unfinished(term):
    course = term["course"]
    assert cli(course, "export").returncode == 0
    got = {r["student_id"]: r for r in rows(course / "grades.csv")}
    assert set(got) == {"ana", "ben", "chloe", "dev", "emma", "farid", "gus"}
    expected = {  # (status, score, raw, penalty) by hand; sample is due tomorrow, sample_b 26 h ago
        ("ana", "sample"): ("graded", "20", "20", "0"),
        ("ben", "sample"): ("graded", "9", "9", "0"),          # 8 autograded (half) + 1 manual
        ("chloe", "sample"): ("graded", "19.5", "19.5", "0"),
        ("dev", "sample"): ("graded", "0", "0", "0"),
        ("emma", "sample"): ("awaiting manual grading", "", "", ""),
        ("farid", "sample"): ("graded", "20", "20", "0"),
        ("gus", "sample"): ("missing", "", "", ""),
        ("ana", "sample_b"): ("graded", "16", "20", "4"),      # 26 h late: 2 days part -> 20% of 20
        ("ben", "sample_b"): ("missing", "", "", ""),
        ("chloe", "sample_b"): ("rejected", "", "", ""),
        ("dev", "sample_b"): ("graded", "19", "19", "0"),      # extension: on time
        ("emma", "sample_b"): ("graded", "16", "20", "4"),
        ("farid", "sample_b"): ("graded", "6.8", "8.5", "1.7"),  # 20% of 8.5
        ("gus", "sample_b"): ("missing", "", "", ""),
    }
    for (student, a), (status, score, raw, penalty) in expected.items():
        row = got[student]
        assert (row[f"{a}: status"], row[f"{a}: score"], row[f"{a}: raw score"], row[f"{a}: late penalty"]) == \
            (status, score, raw, penalty), (student, a, row)
    assert got["ana"]["name"] == "Ana Alvarez" and got["ana"]["section"] == "Mon 9am"
    assert float(got["ana"]["sample_b: hours late"]) == pytest.approx(26, abs=0.5)
    assert got["dev"]["sample_b: hours late"] == "0"
    assert "not valid JSON" in got["chloe"]["sample_b: note"]


def test_lms_files_wait_for_final_grades_unless_told(term):
    course = term["course"]
    refused = cli(course, "export", "--format", "canvas", check=False)
    assert refused.returncode == 2
    assert "emma (sample: awaiting manual grading" in refused.stderr and "chloe (sample_b: rejected" in refused.stderr
    assert not (course / "grades-canvas.csv").exists()
    assert cli(course, "export", "--format", "canvas", "--allow-unfinished").returncode == 0
    canvas = list(csv.reader((course / "grades-canvas.csv").open(newline="", encoding="utf-8")))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Sample (1001)", "Sample B"]
    assert canvas[1][:1] == ["Points Possible"] and canvas[1][5:] == ["20", "20"]
    by_login = {r[3]: r for r in canvas[2:]}
    assert by_login["ana"] == ["Alvarez, Ana", "501", "S-1", "ana", "Mon 9am", "20", "16"]
    assert by_login["emma"][5:] == ["", "16"] and by_login["chloe"][5:] == ["19.5", ""]
    assert by_login["gus"][5:] == ["", ""]
    assert cli(course, "export", "--format", "moodle", "--allow-unfinished").returncode == 0
    moodle = {r["Username"]: r for r in rows(course / "grades-moodle.csv")}
    assert list(moodle["farid"]) == ["Username", "ID number", "Email address", "First name", "Last name", "Sample",
                                     "Sample B (essay)"]
    assert (moodle["farid"]["ID number"], moodle["farid"]["Sample"], moodle["farid"]["Sample B (essay)"]) == \
        ("S-6", "20", "6.8")
    assert moodle["dev"]["Sample B (essay)"] == "19"


def test_export_covers_released_assignments_only(term, tmp_path):
    course = make_course(tmp_path)
    (course / "solutions" / "unreleased").mkdir()
    shutil.copy(course / "solutions" / "sample" / "sample.ipynb",
                course / "solutions" / "unreleased" / "unreleased.ipynb")
    assert cli(course, "generate", "sample").returncode == 0
    assert cli(course, "release", "sample").returncode == 0
    (tmp_path / "list.csv").write_text("Username,First name,Surname,Email address\nzoe,Zoe,Ng,zoe@x.edu\n")
    assert cli(course, "roster", str(tmp_path / "list.csv")).returncode == 0
    assert cli(course, "export").returncode == 0
    header = rows(course / "grades.csv")[0]
    assert "sample: status" in header and not any(k.startswith("unreleased") for k in header)
    assert rows(course / "grades.csv")[0]["sample: status"] == "missing"


def test_students_on_a_shared_account_keep_their_feedback_apart(term):
    """Two students share one OS account (one HOME). Each sets up a folder of their own with student_setup,
    fetches, submits and fetches feedback from it, and finds only their own feedback."""
    course = term["course"]
    shared = term["root"] / "shared-account"
    env = dict(nbgrader_env(course), HOME=str(shared))
    nbgrader = str(Path(sys.executable).parent / "nbgrader")

    def run(folder, *args):
        proc = subprocess.run(args, cwd=folder, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr

    for student, answers in (("hana", KEY_ANSWERS), ("ivan", HALF_ANSWERS)):
        folder = shared / student
        folder.mkdir(parents=True)
        run(folder, sys.executable, "-m", "border_bargains.student.setup", "--exchange", str(course / "exchange"),
            "--student-id", student, "--folder", str(folder))
        run(folder, nbgrader, "fetch_assignment", "sample")
        (folder / "sample" / "widget_answers.json").write_text(answers_doc(answers), encoding="utf-8")
        run(folder, nbgrader, "submit", "sample")
    assert cli(course, "collect", "sample").returncode == 0
    assert cli(course, "autograde", "sample", "--student", "hana", "--student", "ivan").returncode == 0
    assert cli(course, "feedback", "sample", "--student", "hana", "--student", "ivan").returncode == 0
    for student in ("hana", "ivan"):
        run(shared / student, nbgrader, "fetch_feedback", "sample")
    hana = list((shared / "hana").rglob("feedback/*/sample.html"))
    ivan = list((shared / "ivan").rglob("feedback/*/sample.html"))
    assert len(hana) == 1 and len(ivan) == 1, "one page each: their own"
    assert "2 of 4 right" not in hana[0].read_text(encoding="utf-8"), "hana answered everything right"
    assert "2 of 4 right" in ivan[0].read_text(encoding="utf-8"), "ivan's own half-right page"
