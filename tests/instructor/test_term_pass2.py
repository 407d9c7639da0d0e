"""The instructor's term, pass 2 (issue 21), through the real nbgrader and the course's commands.

A Canvas export with every row Canvas adds (the "Manual Posting" row, the indented points row with its
"(read only)" cells, total columns, a custom column, the Test Student) and a roster id that differs from the
login in case; a misspelt extension and an unknown course.toml key (both refused, naming the line); two
assignments, one due tomorrow and one due 62 minutes ago with 60 minutes' grace; hand marks set through
nbgrader's Gradebook API (what Formgrader stores); feedback returned; a key changed and a written answer
resubmitted (unchanged marks kept, the changed one reset, stale feedback listed with the command); a
submission left uncollected in the exchange; a student who never submits (blank, then 0); a re-import where
one student withdrew; exports run from inside a student's submission folder. Every export is compared with
rows computed by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sample_course import CLI, HALF_ANSWERS, KEY_ANSWERS, answers_doc, cli, make_course, nbgrader_env
from test_term import add_second_assignment

from border_bargains.core.term import LatePolicy, Term, TermError, load_term
from border_bargains.instructor.feedback import for_the_student, rejected_note
from border_bargains.instructor.roster import parse_lms_csv

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow, pytest.mark.xdist_group("term_pass2")]

# Canvas' gradebook export as lib/gradebook_exporter.rb writes it: header; the "Manual Posting" row (no
# student, an assignment that posts manually); "    Points Possible" with "(read only)" cells; students
# ("N/A" where an assignment is not assigned to them); the Test Student last.
CANVAS = """\ufeffStudent,ID,SIS User ID,SIS Login ID,Integration ID,Section,Notes,Sample (1001),Sample B (1002),\
Current Score,Unposted Current Score,Final Score,Unposted Final Score
,,,,,,,,Manual Posting,,,,
    Points Possible,,,,,,(read only),20.00,20.00,(read only),(read only),(read only),(read only)
"Alvarez, Ana",501,S-1,ana,I-1,Mon 9am,,,,0.00,0.00,0.00,0.00
"Brown, Ben",502,S-2,ben,I-2,Mon 9am,needs a room,N/A,,0.00,0.00,0.00,0.00
"Chen, Chloe",503,S-3,chloe,I-3,Wed 2pm,,,,0.00,0.00,0.00,0.00
"Dube, Dev",504,S-4,dev,I-4,Wed 2pm,,,,0.00,0.00,0.00,0.00
"Evans, Eve",505,S-5,eve,I-5,Mon 9am,,,,0.00,0.00,0.00,0.00
"Gomez, Gus",506,S-6,gus,I-6,Mon 9am,,,,0.00,0.00,0.00,0.00
"Hale, Hal",507,S-7,hal,I-7,Wed 2pm,,,,0.00,0.00,0.00,0.00
"Park, Olivia",508,S-8,OPark,I-8,Wed 2pm,,EX,,0.00,0.00,0.00,0.00
"Student, Test",999,,3c5a0b9e1f,,Mon 9am,,,,0.00,0.00,0.00,0.00
"""
# The same class at the end of term: hal withdrew, ivy joined, ben changed section.
CANVAS_LATER = "\n".join(line.replace("ben,I-2,Mon 9am", "ben,I-2,Wed 2pm") for line in CANVAS.splitlines()
                         if not line.startswith('"Hale')) + '\n"Ito, Ivy",509,S-9,ivy,I-9,Mon 9am,,,,0,0,0,0\n'
# Moodle's grader report export (user fields firstname, lastname, idnumber, institution, department, email,
# plus username where the site shows it) and its participants list (teachers too).
MOODLE_GRADES = """First name,Last name,Username,ID number,Institution,Department,Email address,\
Assignment: Sample (Real),Course total (Real),Last downloaded from this course
Ana,Alvarez,ana,S-1,,,ana@x.edu,-,0.00,1767225600
Olivia,Park,OPark,S-8,,,opark@x.edu,-,0.00,1767225600
"""
MOODLE_PARTICIPANTS = """First name,Last name,Username,Email address,Roles,Groups,Last access to course,Status
Ana,Alvarez,ana,ana@x.edu,Student,Mon 9am,Never,Active
Terry,Teacher,tt,tt@x.edu,Teacher,,Now,Active
Olivia,Park,opark,opark@x.edu,Student,Wed 2pm,Never,Active
"""
WRITTEN = "The threat was a means to an end (WOLA ¶4)."
REWRITTEN = "Tariffs bought troops, but only for a while (WOLA ¶4)."
MARKS = {("sample", "ana"): 2, ("sample", "ben"): 1, ("sample", "chloe"): 1.5, ("sample", "dev"): 0,
         ("sample", "eve"): 0, ("sample", "hal"): 2, ("sample", "opark"): 2,
         ("sample_b", "ana"): 2, ("sample_b", "opark"): 1}


def test_canvas_export_with_every_row_canvas_adds():
    students = {s.student_id: s for s in parse_lms_csv(CANVAS)}
    assert sorted(students) == ["OPark", "ana", "ben", "chloe", "dev", "eve", "gus", "hal"]
    assert (students["ana"].first_name, students["ana"].last_name, students["ana"].lms_id,
            students["ana"].sis_id, students["ana"].section) == ("Ana", "Alvarez", "501", "S-1", "Mon 9am")
    semicolons = "Student;ID;SIS Login ID;Section\n;;;\n    Points Possible;;;\n\"Ng, Zoe\";7;zoe;A\n"
    assert [s.student_id for s in parse_lms_csv(semicolons)] == ["zoe"]
    first_last = 'LastName,FirstName,ID,SIS Login ID,Section\n    Points Possible,,,,\n"=""Eq""",Ed,8,ed,A\n'
    (ed,) = parse_lms_csv(first_last)
    assert (ed.student_id, ed.first_name) == ("ed", "Ed")
    with pytest.raises(Exception, match=r"row 3 of the class list has no student id \(Ng, Zoe\)"):
        parse_lms_csv('Student,ID,SIS Login ID,Section\n"Li, Al",8,al,A\n"Ng, Zoe",7,,A\n')


def test_moodle_grader_and_participants_exports():
    grades = {s.student_id: s for s in parse_lms_csv(MOODLE_GRADES)}
    assert sorted(grades) == ["OPark", "ana"] and grades["ana"].sis_id == "S-1"
    assert grades["ana"].email == "ana@x.edu" and grades["OPark"].last_name == "Park"
    people = parse_lms_csv(MOODLE_PARTICIPANTS)
    assert [s.student_id for s in people] == ["ana", "opark"], "teachers are left out"
    assert people[1].section == "Wed 2pm"


def test_course_toml_is_checked_against_its_schema(tmp_path):
    (tmp_path / "course.toml").write_text('[course]\ntimezone = "UTC"\n\n[assignments.a]\ntitle = "A"\n'
                                          'due_date = "2027-01-29 23:59"\n')
    with pytest.raises(TermError, match=r"course.toml line 6: unknown setting 'due_date' in \[assignments.a\] "
                                        r"\(did you mean 'due'\?\)"):
        load_term(tmp_path)
    (tmp_path / "course.toml").write_text('[late]\npolicy = "none"\ngrace = 15\n')
    with pytest.raises(TermError, match=r"line 3: unknown setting 'grace' in \[late\]"):
        load_term(tmp_path)
    (tmp_path / "course.toml").write_text('[grades]\nmissing = "nil"\n')
    with pytest.raises(TermError, match=r"line 2: missing must be \"blank\".*or \"zero\""):
        load_term(tmp_path)


def test_lateness_in_words_and_a_note_with_a_deadline_still_ahead():
    term = Term(timezone=dt.UTC, late=LatePolicy("percent", 10, 30, 60))
    assert term.lateness(3720) == "1 h 2 min late, past the 60-minute grace"
    assert term.lateness(1800) == "30 min after the due date, within the 60-minute grace: on time"
    assert term.lateness(26 * 3600) == "1 d 2 h late, past the 60-minute grace"
    due = dt.datetime(2027, 2, 1, 23, 59, tzinfo=dt.UTC)
    term.assignments["a"] = term.assignment("a").__class__("a", "A", due)
    reason = ("a.ipynb is not valid JSON (line 1, column 40); the file is kept as submitted; "
              "`border-bargains feedback` tells the student how to resubmit")
    assert for_the_student(reason) == "a.ipynb is not valid JSON (line 1, column 40); the file is kept as submitted."
    before = rejected_note("ana", "a", "a", reason, term, now=due - dt.timedelta(days=1))
    after = rejected_note("ana", "a", "a", reason, term, now=due + dt.timedelta(hours=1))
    assert "before Monday 01 February 2027, 23:59" in before and "border-bargains" not in before
    assert "2027" not in after.split("How to resubmit")[1], "no deadline that has already passed"
    assert "the due date has passed" in after and "10% of the score per day" in after


class Student:
    def __init__(self, course: Path, home: Path, name: str):
        self.course, self.home, self.name = course, home, name
        home.mkdir(parents=True, exist_ok=True)
        self.env = dict(nbgrader_env(course), HOME=str(home))

    def nbgrader(self, *args: str) -> None:
        proc = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), *args, "--course=border-bargains",
                               f"--Exchange.root={self.course / 'exchange'}",
                               f"--CourseDirectory.student_id={self.name}"],
                              cwd=self.home, env=self.env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr

    def work(self, assignment: str, answers: dict | None, text: str = WRITTEN) -> None:
        folder = self.home / assignment
        if not folder.exists():
            self.nbgrader("fetch_assignment", assignment)
        if answers is not None:
            (folder / "widget_answers.json").write_text(answers_doc(answers), encoding="utf-8")
        notebook = folder / f"{assignment}.ipynb"
        nb = json.loads(notebook.read_text(encoding="utf-8"))
        cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "written-memo")
        cell["source"] = text
        notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
        self.nbgrader("submit", assignment)


def mark(course: Path, marks: dict) -> None:
    """What marking in Formgrader stores."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for (assignment, student), score in marks.items():
            grade = gb.find_grade("written-memo", assignment, assignment, student)
            grade.manual_score, grade.needs_manual_grade = score, False
        gb.db.commit()


def comment(course: Path, assignment: str, student: str, text: str) -> None:
    """What writing a comment on a written answer in Formgrader stores."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.find_comment("written-memo", assignment, assignment, student).manual_comment = text
        gb.db.commit()


def toml(due_a: dt.datetime, due_b: dt.datetime, extensions: str, extra: str = "") -> str:
    return f"""[course]
title = "Border Bargains (pass 2)"
timezone = "America/Chicago"
[assignments.sample]
title = "Sample"
due = "{due_a.isoformat()}"
canvas_id = 1001
[assignments.sample_b]
title = "Sample B"
due = "{due_b.isoformat()}"
canvas_id = 1002
{extra}[late]
policy = "percent"
percent_per_day = 10
cap_percent = 30
grace_minutes = 60
[extensions]
{extensions}
"""


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    root = tmp_path_factory.mktemp("pass2")
    course = make_course(root)
    add_second_assignment(course)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    due_a, due_b = now + dt.timedelta(days=1), now - dt.timedelta(minutes=62)
    later = now + dt.timedelta(days=3)
    out: dict = {"course": course, "root": root}
    (root / "canvas.csv").write_text(CANVAS, encoding="utf-8")
    out["roster"] = cli(course, "roster", str(root / "canvas.csv"))
    # A misspelt student in [extensions], then an unknown key: refused, naming the line.
    (course / "course.toml").write_text(toml(due_a, due_b, f'chole = {{ sample = "{later.isoformat()}" }}'))
    out["misspelt"] = cli(course, "generate", check=False)
    (course / "course.toml").write_text(toml(due_a, due_b, "", extra="late_policy = \"none\"\n"))
    out["unknown_key"] = cli(course, "generate", check=False)
    (course / "course.toml").write_text(toml(due_a, due_b, ""))
    assert cli(course, "generate").returncode == 0
    out["release"] = cli(course, "release")
    out["rerelease"] = cli(course, "release", "sample", check=False)
    out["forced"] = cli(course, "release", "sample", "--force")
    people = {n: Student(course, root / "homes" / n, n) for n in ("ana", "ben", "chloe", "dev", "eve", "hal", "opark")}
    for name, answers in (("ana", KEY_ANSWERS), ("ben", HALF_ANSWERS), ("chloe", KEY_ANSWERS), ("dev", {}),
                          ("eve", None), ("hal", KEY_ANSWERS), ("opark", KEY_ANSWERS)):
        people[name].work("sample", answers)
    for name in ("ana", "opark"):
        people[name].work("sample_b", KEY_ANSWERS)
    for assignment in ("sample", "sample_b"):
        assert cli(course, "collect", assignment).returncode == 0
    people["ben"].work("sample_b", KEY_ANSWERS)  # handed in after the collect: waits in the exchange
    out["autograde"] = cli(course, "autograde")
    mark(course, MARKS)
    out["feedback"] = cli(course, "feedback", "sample")
    comment(course, "sample", "dev", "Start from the ¶ the question names.")  # after dev's feedback went out
    # The key changes (who-said m2) and chloe resubmits with a new written answer.
    key = course / "solutions" / "sample" / "answer_key.toml"
    key.write_text(key.read_text(encoding="utf-8").replace('m2 = { answer = "brewer" }', 'm2 = { answer = "castro" }'),
                   encoding="utf-8")
    people["chloe"].work("sample", KEY_ANSWERS, text=REWRITTEN)
    assert cli(course, "collect", "sample").returncode == 0
    out["regrade"] = cli(course, "autograde", "sample")
    out["rerun"] = cli(course, "autograde", "sample")  # nothing changed since: nothing graded, no pages made
    out["people"] = people
    return out


def rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def block(proc, assignment: str) -> str:
    return proc.stdout.split(f"-- {assignment}\n", 1)[1].split("\n-- ", 1)[0]


def test_refused_settings_name_their_line(term):
    misspelt, unknown = term["misspelt"], term["unknown_key"]
    assert misspelt.returncode == 2 and "Traceback" not in misspelt.stderr
    assert "course.toml line 18 [extensions]: 'chole' is not a student of the roster (did you mean 'chloe'?)" \
        in misspelt.stderr, misspelt.stderr
    assert unknown.returncode == 2 and len(unknown.stderr.strip().splitlines()) == 1
    assert "course.toml line 12: unknown setting 'late_policy' in [assignments.sample_b]; the settings there are: " \
        "title, due, canvas_id, moodle_name" in unknown.stderr, unknown.stderr


def test_release_by_default_and_again_only_with_force(term):
    assert "released sample" in term["release"].stdout and "released sample_b" in term["release"].stdout
    again = term["rerelease"]
    assert again.returncode == 2 and "Traceback" not in again.stderr + again.stdout
    assert again.stderr.strip() == ('border-bargains: release failed for sample: sample is already released; to '
                                    'release it again (students who fetched it keep their copy), run: make release '
                                    'A="sample --force"')
    assert "released sample" in term["forced"].stdout and "again" in term["forced"].stdout


def test_formgrader_knows_the_due_dates_before_the_first_autograde(tmp_path):
    course = make_course(tmp_path)
    due = "2030-05-01 17:00"
    (course / "course.toml").write_text(f'[course]\ntimezone = "UTC"\n[assignments.sample]\ndue = "{due}"\n')
    assert cli(course, "generate").returncode == 0
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert gb.find_assignment("sample").duedate == dt.datetime(2030, 5, 1, 17, 0)


def test_summary_lines_show_the_whole_score_and_lateness_in_words(term):
    proc = term["autograde"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = block(proc, "sample_b")
    ana = next(x for x in lines.splitlines() if " ana " in x)
    # 18 automatic, the written answer not marked yet; 10% off (one part-day late): 16.2 of 20.
    assert ana.startswith("GRADED") and "16.2/20" in ana and "automatic 18/18" in ana, lines
    assert "written 0/2 (still to mark: written-memo)" in ana and "1.8 off for lateness" in ana
    assert re.search(r"! \d+ h( \d+ min)? late, past the 60-minute grace \(10% of the score per day", lines), lines
    assert "late by" not in lines and "for now" not in lines
    eve = term["course"] / "autograded" / "eve" / "sample" / "sample.ipynb"
    assert "You answered none of the exercise items" in eve.read_text(encoding="utf-8")


def test_a_regrade_keeps_unchanged_marks_and_lists_stale_feedback(term):
    assert "feedback returned to 7 student(s)" in term["feedback"].stdout
    out = term["regrade"].stdout
    assert term["regrade"].returncode == 0, out + term["regrade"].stderr
    assert ("hand marks kept (answer unchanged since it was marked): ana (written-memo), ben (written-memo), "
            "dev (written-memo), eve (written-memo), hal (written-memo), opark (written-memo)") in out, out
    assert "hand marks to confirm again in Formgrader: chloe written-memo: the answer changed since it was marked" \
        in out
    # Scores changed for everyone with answers (KEY 18 -> 17, HALF 8 -> 9); dev and eve stay at 0, and dev's
    # pages now carry the comment written after they were sent; eve's read as they did.
    assert ("feedback already returned is out of date for: ana, ben, chloe, hal, opark (its scores changed); "
            "dev (same scores, different text). Send it again with: make feedback A=\"sample --student ana "
            '--student ben --student chloe --student dev --student hal --student opark"') in out, out
    assert not (term["course"] / ".feedback-check").exists(), "the scratch pages are removed"
    # A rerun that grades nothing makes no pages: only students graded again are compared (dev's pages, not
    # resent, would still differ; the regrade above said so once).
    rerun = term["rerun"].stdout
    assert "7 submission(s) already graded and unchanged; grading 0." in rerun, rerun
    assert "out of date" not in rerun, rerun
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{term['course'] / 'gradebook.db'}") as gb:
        ana = gb.find_grade("written-memo", "sample", "sample", "ana")
        assert (ana.manual_score, ana.needs_manual_grade) == (2, False)
        chloe = gb.find_grade("written-memo", "sample", "sample", "chloe")
        assert chloe.needs_manual_grade, "a changed answer waits for a new mark"
        assert gb.find_submission("sample", "ana").code_score == 17


@pytest.fixture(scope="module")
def end_of_term(term):
    """Chloe re-marked; the class list imported again (hal withdrew, ivy joined, ben moved section)."""
    course, root = term["course"], term["root"]
    mark(course, {("sample", "chloe"): 1})
    (root / "canvas-later.csv").write_text(CANVAS_LATER, encoding="utf-8")
    reimport = cli(course, "roster", str(root / "canvas-later.csv"))
    return {**term, "reimport": reimport}


def test_roster_reimport_reports_added_changed_withdrawn(end_of_term):
    first = end_of_term["roster"].stdout
    assert "8 students imported into roster.csv and the gradebook (sections: Mon 9am, Wed 2pm)." in first
    out = end_of_term["reimport"].stdout
    assert "warning: roster id 'OPark' taken as the login 'opark' (ids are matched without regard to case)" in out
    assert out.count("warning:") == 1, out
    assert "added: ivy" in out and "changed: ben (section), opark (student id)" in out, out
    assert "withdrawn: hal (their grades stay in the gradebook; they leave the exports)" in out
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{end_of_term['course'] / 'gradebook.db'}") as gb:
        assert gb.find_submission("sample", "hal").score == 19, "the withdrawn student's grade is kept"


def export_from(folder: Path, course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, "export", *args], cwd=folder, env=nbgrader_env(course), capture_output=True,
                          text=True, timeout=600)


def test_exports_from_a_subfolder_match_rows_by_hand(end_of_term):
    course = end_of_term["course"]
    inside = course / "submitted" / "ana" / "sample"
    proc = export_from(inside, course)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not (inside / "grades.csv").exists() and (course / "grades.csv").exists()
    got = {r["student_id"]: r for r in rows(course / "grades.csv")}
    assert sorted(got) == ["ana", "ben", "chloe", "dev", "eve", "gus", "ivy", "opark"], "hal withdrew"
    expected = {  # (status, score, raw, penalty); sample_b is 62 min late with 60 min grace: 10%
        ("ana", "sample"): ("graded", "19", "19", "0"),  # 17 (new key) + 2
        ("ben", "sample"): ("graded", "10", "10", "0"),  # 9 (new key) + 1
        ("chloe", "sample"): ("graded", "18", "18", "0"),  # 17 + 1 (re-marked)
        ("dev", "sample"): ("graded", "0", "0", "0"),
        ("eve", "sample"): ("graded", "0", "0", "0"),
        ("gus", "sample"): ("missing", "", "", ""),
        ("ivy", "sample"): ("missing", "", "", ""),
        ("opark", "sample"): ("graded", "19", "19", "0"),
        ("ana", "sample_b"): ("graded", "18", "20", "2"),
        ("ben", "sample_b"): ("submitted, not collected", "", "", ""),
        ("opark", "sample_b"): ("graded", "17.1", "19", "1.9"),
        ("gus", "sample_b"): ("missing", "", "", ""),
    }
    for (student, a), want in expected.items():
        row = got[student]
        assert (row[f"{a}: status"], row[f"{a}: score"], row[f"{a}: raw score"], row[f"{a}: late penalty"]) == \
            want, (student, a, row)
    assert got["opark"]["lms_id"] == "508" and got["opark"]["name"] == "Olivia Park"
    assert re.fullmatch(r"\d+ h( \d+ min)? late, past the 60-minute grace \(.*\)", got["ana"]["sample_b: note"])
    assert "run collect" in got["ben"]["sample_b: note"]


def test_lms_files_refused_while_work_is_uncollected_then_written(end_of_term):
    course = end_of_term["course"]
    refused = export_from(course / "solutions", course, "--format", "canvas")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "ben (sample_b: submitted, not collected" in refused.stderr and "Run collect" in refused.stderr
    assert not (course / "grades-canvas.csv").exists()
    assert export_from(course, course, "--format", "canvas", "--allow-unfinished").returncode == 0
    canvas = list(csv.reader((course / "grades-canvas.csv").open(newline="", encoding="utf-8")))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Sample (1001)",
                         "Sample B (1002)"]
    by_login = {r[3]: r for r in canvas[2:]}
    assert by_login["ana"] == ["Alvarez, Ana", "501", "S-1", "ana", "Mon 9am", "19", "18"]
    assert by_login["opark"] == ["Park, Olivia", "508", "S-8", "opark", "Wed 2pm", "19", "17.1"]
    assert by_login["ben"][5:] == ["10", ""] and by_login["gus"][5:] == ["", ""] and "hal" not in by_login
    assert export_from(course, course, "--format", "moodle", "--allow-unfinished").returncode == 0
    moodle = rows(course / "grades-moodle.csv")
    assert list(moodle[0])[:1] == ["Username"]
    assert {r["Username"]: (r["Sample"], r["Sample B"]) for r in moodle} == {"ana": ("19", "18"),
                                                                            "opark": ("19", "17.1")}
    per_item = {r["Username"]: r["Sample"] for r in rows(course / "grades-moodle-sample.csv")}
    assert per_item == {"ana": "19", "ben": "10", "chloe": "18", "dev": "0", "eve": "0", "opark": "19"}, \
        "no blank for gus or ivy: a blank never clears a grade in Moodle"


def test_missing_work_scores_zero_when_the_course_says_so(end_of_term):
    course = end_of_term["course"]
    saved = (course / "course.toml").read_text(encoding="utf-8")
    try:
        (course / "course.toml").write_text(saved + '[grades]\nmissing = "zero"\n', encoding="utf-8")
        assert export_from(course, course).returncode == 0
        got = {r["student_id"]: r for r in rows(course / "grades.csv")}
        assert (got["gus"]["sample: status"], got["gus"]["sample: score"]) == ("missing", "0")
        assert got["ben"]["sample_b: score"] == "", "uncollected work is not missing work"
        assert export_from(course, course, "--format", "canvas", "--allow-unfinished").returncode == 0
        canvas = {r[3]: r for r in list(csv.reader((course / "grades-canvas.csv").open(encoding="utf-8")))[2:]}
        assert canvas["gus"][5:] == ["0", "0"] and canvas["ivy"][5:] == ["0", "0"]
        assert export_from(course, course, "--format", "moodle", "--allow-unfinished").returncode == 0
        moodle = {r["Username"]: r for r in rows(course / "grades-moodle.csv")}
        assert (moodle["gus"]["Sample"], moodle["gus"]["Sample B"]) == ("0", "0")
    finally:
        (course / "course.toml").write_text(saved, encoding="utf-8")


def test_commands_fail_in_one_plain_line(tmp_path):
    course = make_course(tmp_path)
    no_file = cli(course, "roster", "", check=False)
    assert no_file.returncode == 2 and no_file.stderr.strip() == (
        "border-bargains: name the class list exported from the LMS: make roster FILE=export.csv "
        "(border-bargains roster export.csv)")
    nothing_dated = cli(course, "release", check=False)
    assert nothing_dated.returncode == 2 and "none is released by default" in nothing_dated.stderr
    key = course / "solutions" / "sample" / "answer_key.toml"
    good = key.read_text(encoding="utf-8")
    key.write_text(good + '\n[items.no-such-exercise]\nx = { answer = "y" }\n', encoding="utf-8")
    bad = cli(course, "generate", check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr + bad.stdout
    assert len(bad.stderr.strip().splitlines()) == 1 and bad.stderr.startswith("border-bargains: solutions/sample")
    key.write_text(good, encoding="utf-8")
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text(encoding="utf-8") + "\nc.ScoreAnswers.reveal_kyes = True\n")
    typo = cli(course, "generate", check=False)
    lines = config.read_text(encoding="utf-8").splitlines()
    assert typo.returncode == 2 and typo.stderr.strip() == (
        f"border-bargains: nbgrader_config.py line {len(lines)}: ScoreAnswers has no setting 'reveal_kyes' "
        "(did you mean 'reveal_keys'?)")
    shutil.rmtree(course / "exercises", ignore_errors=True)


def test_the_moodle_file_is_what_moodles_importer_reads(tmp_path):
    """moodle/moodle's importer (grade/import/csv/classes/load_data.php) looks a user up by the exact
    username and stops the whole import for one it cannot find; Moodle keeps usernames in lower case
    (PARAM_USERNAME). A blank or "-" sets the grade to none, so no row carries a blank."""
    from border_bargains.instructor.export import FINAL, MISSING, Cell, write_moodle
    from border_bargains.instructor.roster import Student as Person

    term = Term(timezone=dt.UTC, late=LatePolicy("none", 0, 0, 0))
    people = {"Ana.Lopez": Person("Ana.Lopez", first_name="Ana", last_name="Lopez", email="al@x.edu"),
              "ben": Person("ben", first_name="Ben")}
    table = {("Ana.Lopez", "a"): Cell(FINAL, score=18.5, max_score=20), ("ben", "a"): Cell(MISSING, max_score=20)}
    write_moodle(tmp_path / "m.csv", people, table, term, ["a"])
    lines = (tmp_path / "m.csv").read_text(encoding="utf-8").splitlines()
    assert lines == ["Username,ID number,Email address,First name,Last name,A", "ana.lopez,,al@x.edu,Ana,Lopez,18.5"]
