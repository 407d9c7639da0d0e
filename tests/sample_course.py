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

from border_bargains import authoring as a
from border_bargains.answers import FORMAT

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
}
# Half right, item by item: 2/4, 2/4, 1/2, 1/3, 1/2 (wola=4 is within the tolerance of 1).
HALF_ANSWERS = {
    "claim-types": {"a": "empirical", "b": "normative", "c": "causal", "d": "prediction"},
    "bargains": {"y2019/threat": "tariffs", "y2019/concession": "money",
                 "y2025/threat": "sanctions", "y2025/concession": "troops"},
    "who-said": {"m1": "walsh", "m2": "castro"},
    "timeline": {"t2019": 1, "t2023": 3, "t2025": 2},
    "stances": {"wola": 4, "greene": 4},
}
POINTS = {"claim-types": 4, "bargains": 4, "who-said": 2, "timeline": 3, "stances": 2, "seizure-growth": 2}
AUTOGRADED_TOTAL = sum(POINTS.values())  # 17
HALF_SCORE = 2 + 2 + 1 + 1 + 1 + 0  # data task left blank
WRITTEN_POINTS = 2
DATA_SOLUTION = "seizure_growth = (27023 - 4776) / 4776 * 100"


def sample_notebook() -> nbformat.NotebookNode:
    cells = [
        a.readonly("# Sample assignment\n\nOne exercise of every kind.", "intro", markdown=True),
        a.readonly('import border_bargains as bb\n\ncourse = bb.assignment("sample")', "setup"),
    ]
    for ex_id in KEY_ANSWERS:
        cells.append(a.readonly(f'course.exercise("{ex_id}")', f"show-{ex_id}"))
        cells.append(a.tests(
            f'course.check_started("{ex_id}")\n### BEGIN HIDDEN TESTS\ncourse.grade("{ex_id}")\n'
            "### END HIDDEN TESTS", f"test-{ex_id}", POINTS[ex_id]))
    cells += [
        a.answer(f"seizure_growth = None  # replace None with your answer\n### BEGIN SOLUTION\n{DATA_SOLUTION}\n"
                 "### END SOLUTION", "answer-seizure-growth"),
        a.tests('course.check_filled("seizure-growth", seizure_growth)\n### BEGIN HIDDEN TESTS\n'
                'course.check_value("seizure-growth", seizure_growth)\n### END HIDDEN TESTS',
                "test-seizure-growth", POINTS["seizure-growth"]),
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


def submit(course: Path, student: str, *, answers: dict | None, data_answer: str | None = None,
           extra_files: dict[str, str] | None = None) -> Path:
    """Place a submission in submitted/<student>/sample/ from the released notebook."""
    release = course / "exercises" / "sample"
    dest = course / "submitted" / student / "sample"
    shutil.copytree(release, dest)
    nb = nbformat.read(dest / "sample.ipynb", as_version=4)
    if data_answer is not None:
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "answer-seizure-growth":
                cell.source = cell.source.replace("# YOUR ANSWER HERE", data_answer)
        nbformat.write(nb, dest / "sample.ipynb")
    if answers is not None:
        (dest / "widget_answers.json").write_text(answers_doc(answers), encoding="utf-8")
    for name, text in (extra_files or {}).items():
        (dest / name).write_text(text, encoding="utf-8")
    return dest


def scores(course: Path, assignment: str = "sample") -> dict[str, float]:
    """Autograded score per student, read straight from the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s.student.id: s.code_score for s in gb.assignment_submissions(assignment)}


def gradebook_integrity(course: Path) -> str:
    with sqlite3.connect(course / "gradebook.db") as con:
        return con.execute("PRAGMA integrity_check").fetchone()[0]


CLI = str(VENV_BIN / "border-bargains")


def cli(course: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the instructor command as `make` would, from the course folder."""
    proc = subprocess.run([CLI, *args], cwd=course, env=nbgrader_env(course), capture_output=True, text=True,
                          timeout=900)
    if check and proc.returncode not in (0, 1):
        raise AssertionError(f"border-bargains {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
    return proc


def edit_notebook(folder: Path, change) -> None:
    path = folder / "sample.ipynb"
    nb = nbformat.read(path, as_version=4)
    change(nb)
    nbformat.write(nb, path)


def cell(nb, grade_id: str):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


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


def build_class(root: Path) -> dict:
    """One class of the sample assignment: good, blank, half-right, own-key and six broken submissions,
    generated, autograded and given feedback through the `border-bargains` command."""
    course = make_course(root)
    cli(course, "generate", "sample")
    submit(course, "key", answers=KEY_ANSWERS, data_answer=DATA_SOLUTION)
    submit(course, "blank", answers=None)
    submit(course, "half", answers=HALF_ANSWERS)
    submit(course, "ownkey", answers=WRONG, extra_files={"answer_key.toml": own_key_text()})

    deleted = submit(course, "deleted-test-cell", answers=KEY_ANSWERS)
    edit_notebook(deleted, lambda nb: nb.cells.remove(cell(nb, "test-claim-types")))
    edited = submit(course, "edited-locked-cell", answers={})
    edit_notebook(edited, lambda nb: setattr(cell(nb, "test-bargains"), "source", "4  # full marks, please"))
    looping = submit(course, "infinite-loop", answers=KEY_ANSWERS)
    edit_notebook(looping, lambda nb: setattr(cell(nb, "answer-seizure-growth"), "source", "while True:\n    pass"))
    not_json = submit(course, "not-json", answers=KEY_ANSWERS)
    (not_json / "sample.ipynb").write_text('{"cells": [ {"cell_type": "code", "sour', encoding="utf-8")
    hand = submit(course, "hand-edited-answers", answers=None)
    (hand / "widget_answers.json").write_text('{"format": "border-bargains-answers/1", "answers": {"claim-ty',
                                              encoding="utf-8")
    escaping = submit(course, "writes-outside", answers=KEY_ANSWERS, data_answer=DATA_SOLUTION)
    edit_notebook(escaping, lambda nb: setattr(
        cell(nb, "answer-seizure-growth"), "source",
        DATA_SOLUTION + "\nopen('../../../escaped.txt', 'w').write('gotcha')\n"
        "import shutil\nshutil.rmtree('../../key', ignore_errors=True)"))

    before = tree_digest(course / "submitted")
    graded = cli(course, "autograde", "sample", "--timeout", "5")
    feedback = cli(course, "feedback", "sample")
    return {"course": course, "autograde": graded, "feedback": feedback, "before": before}
