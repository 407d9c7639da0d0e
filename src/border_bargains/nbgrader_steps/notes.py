"""What the grading steps tell the instructor about one submission, kept as data.

Each step that flags something (a deleted cell restored, an answers file that cannot be read, a late
submission, a cell stopped at the time limit) or cannot grade at all records a note here, in
``<logs>/<assignment>/<student>.notes.json`` (:meth:`.settings.Layout.notes`), and also says it in nbgrader's
log for those who run plain ``nbgrader autograde``. ``border-bargains autograde`` clears the file before it
grades a submission and reads it afterwards for the lines under the student's summary line: nothing is
scraped back out of log text.

A note is ``{"kind": ..., "text": ...}``. Kinds: ``flag`` (look at this submission), ``late`` (lateness and
penalty), ``timeout`` (a cell ran past the limit), ``failure`` (the submission could not be graded).
"""

from __future__ import annotations

import json
from pathlib import Path

from border_bargains.core.files import atomic_write_text

KINDS = ("flag", "late", "timeout", "failure")


class GradingFailed(RuntimeError):
    """This submission cannot be scored as configured; nbgrader reports the student as failed, with this text."""


def _path(config, resources: dict) -> Path:
    from border_bargains.nbgrader_steps.settings import Layout

    info = resources["nbgrader"]
    return Layout(config).notes(info["assignment"], info["student"])


def read(path: Path) -> list[dict]:
    """The notes in ``path`` (none when it is missing or unreadable)."""
    try:
        notes = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [n for n in notes if isinstance(n, dict) and n.get("kind") in KINDS and isinstance(n.get("text"), str)]


def record(step, resources: dict, kind: str, text: str) -> None:
    """Keep one note for this submission (once), and say it in nbgrader's log."""
    assert kind in KINDS, kind
    (step.log.error if kind == "failure" else step.log.warning)("%s", text)
    if "nbgrader" not in resources or "student" not in resources["nbgrader"]:
        return  # a step run outside autograde (a test, nbgrader's other apps): the log is enough
    path = _path(step.config, resources)
    notes = read(path)
    note = {"kind": kind, "text": text}
    if note not in notes:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps([*notes, note], indent=1, ensure_ascii=False))


def fail(step, resources: dict, text: str) -> GradingFailed:
    """Record why this submission cannot be graded; the caller raises what this returns."""
    record(step, resources, "failure", text)
    return GradingFailed(text)
