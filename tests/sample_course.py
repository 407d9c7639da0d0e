"""A tiny nbgrader course built in a temporary folder: the real nbgrader_config.py,
a sample assignment using every exercise kind, and helpers to make submissions.

Used by the unit tests (widgets against a real spec and key) and by the nbgrader
round trips (generate, autograde, feedback) so that both exercise the same files.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbformat

from border_bargains.core.answers import FORMAT
from border_bargains.instructor import authoring as a

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "sample" / "source" / "sample"
VENV_BIN = Path(sys.executable).parent

# Answers a student who gets everything right saves (what the widgets write).
KEY_ANSWERS = {
    "claim-types": {"a": "empirical", "b": "normative", "c": "prediction", "d": "causal"},
    "bargains": {"y2019/threat": "tariffs", "y2019/concession": "troops",
                 "y2025/threat": "tariffs", "y2025/concession": "troops"},
    "who-said": {"m1": "walsh", "m2": "brewer"},
    "timeline": {"t2019": 1, "t2023": 2, "t2025": 3},
    "stances": {"wola": 5, "greene": 1},
    "trade": {"value": 839.89},
    "agency": {"name": "customs and border protection."},
}
# Half right, item by item: 2/4, 2/4, 1/2, 1/3, 1/2 (wola=4 is within the tolerance of 1).
HALF_ANSWERS = {
    "claim-types": {"a": "empirical", "b": "normative", "c": "causal", "d": "prediction"},
    "bargains": {"y2019/threat": "tariffs", "y2019/concession": "money",
                 "y2025/threat": "sanctions", "y2025/concession": "troops"},
    "who-said": {"m1": "walsh", "m2": "castro"},
    "timeline": {"t2019": 1, "t2023": 3, "t2025": 2},
    "stances": {"wola": 4, "greene": 4},
    "trade": {"value": 840.5},
    "agency": {"name": "CBP"},
}
POINTS = {"claim-types": 4, "bargains": 4, "who-said": 2, "timeline": 3, "stances": 2, "trade": 2,
          "agency": 1}
AUTOGRADED_TOTAL = sum(POINTS.values())  # 18
HALF_SCORE = 2 + 2 + 1 + 1 + 1 + 0 + 1  # the number is outside the tolerance, the text is right
WRITTEN_POINTS = 2


def sample_notebook() -> nbformat.NotebookNode:
    cells = [
        a.readonly("# Sample assignment\n\nOne exercise of every kind.", "intro", markdown=True),
        a.readonly('import border_bargains as bb\n\ncourse = bb.assignment("sample")', "setup"),
    ]
    for ex_id in KEY_ANSWERS:
        cells.append(a.readonly(f'course.exercise("{ex_id}")', f"show-{ex_id}"))
        cells.append(a.tests(f'course.check("{ex_id}")', f"test-{ex_id}", POINTS[ex_id]))
    cells += [
        a.md("Optional: work it out in code (nothing here is graded)."),
        a.code("# your working"),
        a.written("### BEGIN SOLUTION\nA model answer the grader can compare with.\n### END SOLUTION",
                  "written-memo", WRITTEN_POINTS),
    ]
    return a.notebook(cells)


def answers_doc(answers: dict) -> str:
    return json.dumps({"format": FORMAT, "answers": answers}, indent=1)


def nbgrader_env(course: Path) -> dict:
    """Environment for nbgrader subprocesses: venv on PATH, no inherited key location."""
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("BORDER_BARGAINS_KEYS", None)
    env.pop("BORDER_BARGAINS_REVEAL_KEYS", None)
    env.pop("BORDER_BARGAINS_DB_URL", None)  # tests never touch a gradebook the developer points at
    return env


def run_nbgrader(course: Path, *args: str, check: bool = True, env_extra: dict | None = None):
    env = nbgrader_env(course)
    env.update(env_extra or {})
    proc = subprocess.run([str(VENV_BIN / "nbgrader"), *args], cwd=course, env=env, capture_output=True,
                          text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def make_course(root: Path) -> Path:
    """A course folder with the real nbgrader_config.py and the sample assignment in solutions/."""
    course = root / "course"
    src = course / "solutions" / "sample"
    src.mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", course / "nbgrader_config.py")
    for name in ("exercise_items.toml", "answer_key.toml"):
        shutil.copy(FIXTURE / name, src / name)
    a.write(sample_notebook(), src / "sample.ipynb")
    return course


def submit(course: Path, student: str, *, answers: dict | None, code: str | None = None,
           extra_files: dict[str, str] | None = None) -> Path:
    """Place a submission in submitted/<student>/sample/ from the released notebook.

    ``code`` goes into the notebook's free code cell (what a student may type there).
    """
    release = course / "exercises" / "sample"
    dest = course / "submitted" / student / "sample"
    shutil.copytree(release, dest)
    if code is not None:
        edit_notebook(dest, lambda nb: setattr(free_cell(nb), "source", code))
    if answers is not None:
        (dest / "widget_answers.json").write_text(answers_doc(answers), encoding="utf-8")
    for name, text in (extra_files or {}).items():
        (dest / name).write_text(text, encoding="utf-8")
    return dest


def scores(course: Path, assignment: str = "sample", db_url: str | None = None) -> dict[str, float]:
    """Autograded score per student, read straight from the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url or f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s.student.id: s.code_score for s in gb.assignment_submissions(assignment)}


def gradebook_dump(course: Path, assignment: str = "sample", db_url: str | None = None) -> dict:
    """Every grade and comment of every submission: what two gradings of one class must agree on."""
    from nbgrader.api import Gradebook

    dump = {}
    with Gradebook(db_url or f"sqlite:///{course / 'gradebook.db'}") as gb:
        for sub in gb.assignment_submissions(assignment):
            for nb in sub.notebooks:
                for grade in nb.grades:
                    dump[(sub.student.id, nb.name, grade.name)] = (
                        grade.auto_score, grade.manual_score, grade.extra_credit, grade.needs_manual_grade)
                for comment in nb.comments:
                    dump[(sub.student.id, nb.name, "comment", comment.name)] = (
                        comment.auto_comment, comment.manual_comment)
    return dump


def gradebook_integrity(course: Path) -> str:
    with sqlite3.connect(course / "gradebook.db") as con:
        return con.execute("PRAGMA integrity_check").fetchone()[0]


CLI = str(VENV_BIN / "border-bargains")


def cli(course: Path, *args: str, check: bool = True, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    """Run the instructor command as `make` would, from the course folder."""
    env = nbgrader_env(course)
    env.update(env_extra or {})
    proc = subprocess.run([CLI, *args], cwd=course, env=env, capture_output=True, text=True, timeout=900)
    if check and proc.returncode not in (0, 1):
        raise AssertionError(f"border-bargains {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
    return proc


def edit_notebook(folder: Path, change) -> None:
    path = folder / "sample.ipynb"
    nb = nbformat.read(path, as_version=4)
    change(nb)
    nbformat.write(nb, path)


def summary_block(stdout: str, student: str) -> list[str]:
    """A student's line in the autograde summary and the flag lines (``!``) under it."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if f" {student} " in f" {line} ")
    block = [lines[start]]
    for line in lines[start + 1:]:
        if not line.startswith("         !"):
            break
        block.append(line)
    return block


def cell(nb, grade_id: str):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def free_cell(nb):
    """The sample notebook's unlocked code cell, where a student may type anything."""
    return next(c for c in nb.cells if c.cell_type == "code" and "nbgrader" not in c.metadata)


def tree_digest(folder: Path) -> dict[str, str]:
    import hashlib

    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# Every claim classified wrongly; the student's own key file agrees with these answers.
WRONG = {"claim-types": {"a": "causal", "b": "empirical", "c": "normative", "d": "prediction"}}


def own_key_text() -> str:
    lines = (FIXTURE / "answer_key.toml").read_text(encoding="utf-8").splitlines()
    for item, value in WRONG["claim-types"].items():
        lines = [f'{item} = {{ answer = "{value}" }}' if ln.startswith(f"{item} = ") else ln for ln in lines]
    return "\n".join(lines)


# ---- What a student who knows a little Python might try. Each is one cell of code in the free code cell;
# each prints what it got, so a test can see both that it was stopped and that its output holds no key.
READS_KEY = """
import glob, json, os, pathlib, tomllib
here = pathlib.Path.cwd()
places = [v for k, v in os.environ.items() if any(w in k.upper() for w in ("KEY", "SOLUTION", "COURSE"))]
places += [str(p) for p in list(here.parents)[:4]]
stolen = {}
for base in places:
    for path in glob.glob(os.path.join(base, "**", "answer_key.toml"), recursive=True)[:3]:
        try:
            stolen[path] = open(path, encoding="utf-8").read()
        except OSError as exc:
            print("could not read", path, type(exc).__name__)
print("found", len(stolen), "key files")
for text in stolen.values():
    print(text)
    key = tomllib.loads(text)
    answers = {ex: {i: e["answer"] for i, e in items.items()} for ex, items in key.get("items", {}).items()}
    json.dump({"format": "border-bargains-answers/1", "answers": answers}, open("widget_answers.json", "w"))
"""
REWRITES_ANSWERS = """
import json, pathlib
doc = json.dumps({"format": "border-bargains-answers/1", "answers": %s})
here = pathlib.Path.cwd()
collected = here.parents[2] / "submitted" / here.parent.name / here.name
targets = [here / "widget_answers.json", collected / "widget_answers.json"]
for target in targets:
    try:
        target.write_text(doc)
        print("rewrote", target)
    except OSError as exc:
        print("could not rewrite", target, type(exc).__name__)
"""
REPLACES_HELPER = """
import border_bargains as bb
import border_bargains.student.course, border_bargains.core.scoring
border_bargains.core.scoring.points_for = lambda results, points: points
border_bargains.core.scoring.is_right = lambda *args: True
border_bargains.student.course.Assignment.check = lambda self, exercise_id: print("all right!")
bb.Assignment.answers = lambda self, exercise_id: {}
print("helper replaced")
"""
FAKE_PACKAGE = 'print("FAKE HELPER IMPORTED")\nraise SystemExit("the fake helper ran")\n'
WRITES_OUTSIDE = """
import os, pathlib, shutil
here = pathlib.Path.cwd()
course = here.parents[2]
for attempt in ("plain", "symlink"):
    try:
        if attempt == "plain":
            open(course / "escaped.txt", "w").write("gotcha")
        else:
            os.symlink(course / "escaped-through-link.txt", "link.txt")
            open("link.txt", "w").write("gotcha")
        print(attempt, "write went through")
    except OSError as exc:
        print(attempt, "write stopped:", type(exc).__name__)
shutil.rmtree(here.parents[1] / "key", ignore_errors=True)  # another student's graded copy
"""
ESCAPES = ("escaped.txt", "escaped-through-link.txt")


def key_secrets_of_fixture() -> list[str]:
    """The fixture key's texts that must never reach a student, read here and not with the grader's own code:
    every explanation, and every answer long enough not to be an ordinary option label of the notebook."""
    import tomllib

    key = tomllib.loads((FIXTURE / "answer_key.toml").read_text(encoding="utf-8"))
    found = set()
    for items in key["items"].values():
        for entry in items.values():
            if isinstance(entry.get("why"), str):
                found.add(entry["why"])
            if isinstance(entry.get("answer"), str) and len(entry["answer"]) >= 16:
                found.add(entry["answer"])
    return sorted(found)


def build_class(root: Path, *, execute: bool = False, mode: str = "auto", timeout: int = 15) -> dict:
    """One class of the sample assignment, generated, autograded and given feedback through the
    `border-bargains` command: good, blank and half-right submissions, broken ones, and every way of
    gaming the grader the tests know. ``execute`` turns notebook execution on (sandbox ``mode``); ``timeout``
    is each cell's limit: long enough for a cell's imports on a loaded machine (5 s was not), short enough
    that the runaway cell costs little."""
    course = make_course(root)
    if execute:
        with (course / "nbgrader_config.py").open("a") as cfg:
            cfg.write(f"\nc.Execute.enabled = True\nc.SandboxProvisioner.mode = {mode!r}\n")
    cli(course, "generate", "sample")
    submit(course, "key", answers=KEY_ANSWERS)
    submit(course, "blank", answers=None)
    submit(course, "half", answers=HALF_ANSWERS)
    submit(course, "ownkey", answers=WRONG, extra_files={"answer_key.toml": own_key_text()})

    deleted = submit(course, "deleted-test-cell", answers=KEY_ANSWERS)
    edit_notebook(deleted, lambda nb: nb.cells.remove(cell(nb, "test-claim-types")))
    deleted_answer = submit(course, "deleted-answer-cell", answers=KEY_ANSWERS)
    edit_notebook(deleted_answer, lambda nb: nb.cells.remove(cell(nb, "written-memo")))
    edited = submit(course, "edited-locked-cell", answers={})
    edit_notebook(edited, lambda nb: setattr(cell(nb, "test-bargains"), "source", "4  # full marks, please"))
    submit(course, "infinite-loop", answers=KEY_ANSWERS, code="while True:\n    pass")
    not_json = submit(course, "not-json", answers=KEY_ANSWERS)
    (not_json / "sample.ipynb").write_text('{"cells": [ {"cell_type": "code", "sour', encoding="utf-8")
    hand = submit(course, "hand-edited-answers", answers=None)
    (hand / "widget_answers.json").write_text('{"format": "border-bargains-answers/1", "answers": {"claim-ty',
                                              encoding="utf-8")

    # Each crafted student also saves half-right answers: an attack that raised the score would show as more
    # than HALF_SCORE (with no answers at all they would be the blank case again).
    submit(course, "reads-key", answers=HALF_ANSWERS, code=READS_KEY)
    submit(course, "rewrites-answers", answers=HALF_ANSWERS, code=REWRITES_ANSWERS % json.dumps(KEY_ANSWERS))
    submit(course, "replaces-helper", answers=HALF_ANSWERS, code=REPLACES_HELPER)
    fake = submit(course, "own-package", answers=KEY_ANSWERS)
    (fake / "border_bargains").mkdir()
    (fake / "border_bargains" / "__init__.py").write_text(FAKE_PACKAGE, encoding="utf-8")
    linked = submit(course, "links-to-key", answers=HALF_ANSWERS)
    os.symlink(course / "solutions" / "sample" / "answer_key.toml", linked / "notes.txt")
    submit(course, "writes-outside", answers=KEY_ANSWERS, code=WRITES_OUTSIDE)

    before = tree_digest(course / "submitted")
    graded = cli(course, "autograde", "sample", "--timeout", str(timeout))
    feedback = cli(course, "feedback", "sample")
    return {"course": course, "autograde": graded, "feedback": feedback, "before": before, "execute": execute}
