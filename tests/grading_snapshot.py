"""What grading a whole class produces, as plain data: the check that a refactoring changed nothing.

``snapshot(course)`` reads a class graded by :func:`sample_course.build_class` (the honest, broken and
gaming submissions, then feedback) after the plain, Canvas and Moodle exports: every grade and comment
in the gradebook, every feedback page reduced to its visible text, the summary lines of the instructor
commands, and the three export files. Times, temporary paths and durations are normalised away, nothing
else. ``tests/fixtures/grading_snapshot.json`` holds the snapshot taken with the code before the package
was split into layers; ``BB_UPDATE_SNAPSHOT=1`` rewrites it when a change *means* to alter what grading
produces (say so in the commit).
"""

from __future__ import annotations

import csv
import html
import io
import re
from html.parser import HTMLParser
from pathlib import Path

SNAPSHOT = Path(__file__).resolve().parent / "fixtures" / "grading_snapshot.json"
ROSTER = """Student,ID,SIS User ID,SIS Login ID,Section
"Key, Kim",101,k001,key,A
"Half, Hal",102,h002,half,A
"Blank, Bo",103,b003,blank,A
"Never, Ned",104,n004,never,A
"""


class _Text(HTMLParser):
    """The text a reader sees in an HTML page (script and style bodies left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(page: str) -> list[str]:
    parser = _Text()
    parser.feed(page)
    return parser.parts


_TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:?\d\d| ?UTC)?")
_DURATION = re.compile(r"\b\d+(?:\.\d+)? ?(?:s|seconds?)\b")


def normalise(text: str, course: Path) -> str:
    text = text.replace(str(course), "<course>")
    text = _TIME.sub("<time>", text)
    return _DURATION.sub("<duration>", text)


def summary_lines(stdout: str, course: Path) -> list[str]:
    """The per-student lines (and their flags) of an instructor command, in a stable order."""
    keep = [normalise(line.rstrip(), course) for line in stdout.splitlines()
            if re.match(r"^(GRADED|FAILED|REJECTED|SKIPPED|SENT|HELD|NOTE)\b|^\s+!", line)]
    return keep


def exports(course: Path, run) -> dict[str, list[list[str]]]:
    (course / "canvas.csv").write_text(ROSTER, encoding="utf-8")
    run("roster", "canvas.csv")
    found = {}
    for fmt, name in (("plain", "grades.csv"), ("canvas", "grades-canvas.csv"), ("moodle", "grades-moodle.csv")):
        run("export", "--format", fmt, "--allow-unfinished", "sample")
        path = course / name
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")))) if path.exists() else []
        found[fmt] = [[normalise(v, course) for v in row] for row in rows]
    return found


def snapshot(built: dict, run) -> dict:
    """The class ``built`` by build_class, exported with ``run`` (the `border-bargains` command)."""
    from sample_course import gradebook_dump

    course = built["course"]
    grades = {" / ".join(map(str, key)): list(value) for key, value in sorted(gradebook_dump(course).items())}
    feedback = {}
    for page in sorted((course / "feedback").rglob("*.html")):
        feedback[str(page.relative_to(course / "feedback"))] = [
            normalise(html.unescape(t), course) for t in visible_text(page.read_text(encoding="utf-8"))]
    return {
        "autograde": summary_lines(built["autograde"].stdout, course),
        "gradebook": grades,
        "feedback": feedback,
        "exports": exports(course, run),
    }
