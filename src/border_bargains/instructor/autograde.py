"""Autograding a class so that one broken submission never stops the others.

Each submission is checked first (is there a notebook? is it valid JSON?),
then graded on its own with nbgrader's API, and the files outside it are
compared before and after, so a submission that writes elsewhere is caught.
Every outcome gets one line in the summary and a log file in
``grading-logs/<assignment>/<student>.log``; the student's files in
``submitted/`` are never modified.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from border_bargains.nbgrader_steps import notes
from border_bargains.nbgrader_steps.settings import Layout

WATCHED = ("submitted", "solutions", "exercises", "src", "lessons", "source_texts")


@dataclass
class Outcome:
    student: str
    status: str  # graded | failed | rejected
    detail: str = ""
    score: float | None = None
    max_score: float | None = None
    warnings: list[str] = field(default_factory=list)
    graded_now: bool = True  # False when an earlier run's outcome is reused (the submission is unchanged)

    def line(self) -> str:
        score = f"{self.score:g}/{self.max_score:g}" if self.score is not None else "-"
        text = f"{self.status.upper():8} {self.student:24} {score:>9}  {self.detail}"
        return text + "".join(f"\n         ! {w}" for w in self.warnings)


def preflight(folder: Path, notebooks: list[str]) -> str | None:
    """Why this submission cannot be graded as it is, or None when it can."""
    import nbformat

    if not folder.is_dir():
        return f"no submission folder {folder}"
    for name in notebooks:
        path = folder / f"{name}.ipynb"
        if not path.exists():
            found = ", ".join(sorted(p.name for p in folder.glob("*.ipynb"))) or "no notebook"
            return f"{path.name} is missing (found: {found}); ask the student to submit the notebook under its name"
        try:
            raw = path.read_text(encoding="utf-8")
            json.loads(raw)
            nb = nbformat.reads(raw, as_version=4)
            nbformat.validate(nb)
        except UnicodeDecodeError:
            return (f"{path.name} is not text (UTF-8); the file is kept as submitted; `border-bargains feedback` "
                    "tells the student how to resubmit")
        except json.JSONDecodeError as exc:
            return (f"{path.name} is not valid JSON (line {exc.lineno}, column {exc.colno}); the file is kept "
                    "as submitted; `border-bargains feedback` tells the student how to resubmit")
        except Exception as exc:  # nbformat's validation errors come in several classes
            first = str(exc).strip().splitlines()[0][:200]
            return f"{path.name} is not a valid notebook ({first}); the file is kept as submitted"
    return None


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file the grading must not touch."""
    state = {}
    for top in WATCHED:
        base = root / top
        if base.exists():
            for path in base.rglob("*"):
                if path.is_file() and "__pycache__" not in path.parts:
                    stat = path.stat()
                    state[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    for path in root.iterdir():
        if path.is_file() and not path.name.startswith(("gradebook.db", ".nbgrader")):
            stat = path.stat()
            state[path.name] = (stat.st_size, stat.st_mtime_ns)
    return state


def changes(before: dict, after: dict) -> tuple[list[str], list[str], list[str]]:
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    modified = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    return added, removed, modified


def quarantine(root: Path, assignment: str, student: str, paths: list[str]) -> Path:
    """Move files a submission created outside its folder to grading-logs/, keeping them for review."""
    target = root / "grading-logs" / assignment / f"{student}-files-written-outside"
    for rel in paths:
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(root / rel), dest)
    return target


def notebooks_of(root: Path, assignment: str) -> list[str]:
    return sorted(p.stem for p in (root / "solutions" / assignment).glob("*.ipynb"))


def submitted_students(root: Path, assignment: str) -> list[str]:
    base = root / "submitted"
    if not base.exists():
        return []
    return sorted(p.name for p in base.iterdir() if (p / assignment).is_dir())


def register_student(api, student: str) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        gb.update_or_create_student(student)


def read_score(api, assignment: str, student: str) -> tuple[float | None, float | None]:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            return None, None
        return sub.code_score, sub.max_code_score


def autograde_one(api, root: Path, assignment: str, student: str, log_dir: Path) -> Outcome:
    folder = root / "submitted" / student / assignment
    problem = preflight(folder, notebooks_of(root, assignment))
    log_path = log_dir / f"{student}.log"
    if problem:
        log_path.write_text(f"rejected before grading: {problem}\n", encoding="utf-8")
        register_student(api, student)  # so the export lists them, with no score
        return Outcome(student, "rejected", problem)
    # Only code that runs can write outside the submission: with notebooks not run, the two walks over the
    # course (on every submission, and racing other workers) would find nothing.
    runs_code = api.config.Execute.get("enabled", True)
    notes_path = Layout(api.config).notes(assignment, student)
    notes_path.unlink(missing_ok=True)  # what the steps note now is about this grading only
    before = snapshot(root) if runs_code else {}
    result = api.autograde(assignment, student, force=True, create=True)
    after = snapshot(root) if runs_code else {}
    log = (result.get("log") or "") + "\n" + (result.get("error") or "")
    log_path.write_text(log, encoding="utf-8")
    noted = notes.read(notes_path)
    outcome = Outcome(student, "graded" if result.get("success") else "failed")
    if not result.get("success"):
        failures = [n["text"] for n in noted if n["kind"] == "failure"]
        outcome.detail = (failures[-1][:300] if failures else failure_reason(log)) + f" (log: {log_path.name})"
    added, removed, modified = changes(before, after)
    if added:
        kept = quarantine(root, assignment, student, added)
        outcome.warnings.append(f"created {len(added)} file(s) outside its folder; moved to {kept.relative_to(root)}")
    if removed or modified:
        outcome.warnings.append(f"changed files outside its folder: {', '.join((removed + modified)[:5])}")
    if outcome.status == "graded":
        outcome.score, outcome.max_score = read_score(api, assignment, student)
    outcome.warnings += [n["text"] for n in noted if n["kind"] != "failure"]
    return outcome


def failure_reason(log: str) -> str:
    """Why nbgrader failed a submission when no course step said why: the last error line of its log."""
    lines = [ln.strip() for ln in log.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith(("[AutogradeApp | ERROR]", "ERROR"))
              or "Error" in ln.split(":")[0]]
    chosen = errors[-1] if errors else (lines[-1] if lines else "nbgrader reported an error")
    return chosen[:240]
