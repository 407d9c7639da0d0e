"""The course's one "coverage through" date (course.toml [course] coverage_through) and every place that states it.

Lesson 00, each lesson's header, the README and the context timeline must state the same date, written as
"Coverage through: D Month YYYY"; no event, timeline entry or official figure may postdate it.
"""

import datetime as dt
import re
import tomllib
from pathlib import Path

import nbformat
import pytest

import border_bargains as bb

REPO = Path(__file__).resolve().parents[2]
LESSONS = sorted((REPO / "lessons").glob("*.ipynb"))
TIMELINE = REPO / "source_texts" / "context_timeline.md"
STATED = re.compile(r"Coverage through:?\**:?\s*(\d{1,2} [A-Z][a-z]+ \d{4})")


def coverage_date() -> dt.date:
    course = tomllib.loads((REPO / "course.toml").read_text(encoding="utf-8"))["course"]
    return dt.date.fromisoformat(course["coverage_through"])


def stated_dates(text: str) -> list[dt.date]:
    return [dt.datetime.strptime(found, "%d %B %Y").date() for found in STATED.findall(text)]


def lesson_header(path: Path) -> str:
    """The markdown of a lesson's first three cells: where the objectives and time are."""
    cells = nbformat.read(path, as_version=4).cells[:3]
    return "\n".join(c.source for c in cells if c.cell_type == "markdown")


def test_the_date_is_set_once_and_is_a_real_date():
    assert coverage_date() <= dt.date(2027, 1, 31), "the course is taught in spring 2027"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_lesson_header_states_the_coverage_date(path):
    dates = stated_dates(lesson_header(path))
    assert dates, f"{path.name}: the header (first three cells) has no 'Coverage through: D Month YYYY'"
    assert set(dates) == {coverage_date()}, f"{path.name}: states {dates}, course.toml says {coverage_date()}"


@pytest.mark.parametrize("place", ["README.md", "source_texts/context_timeline.md"])
def test_readme_and_timeline_state_the_coverage_date(place):
    dates = stated_dates((REPO / place).read_text(encoding="utf-8"))
    assert dates, f"{place} has no 'Coverage through: D Month YYYY'"
    assert set(dates) == {coverage_date()}, f"{place}: states {dates}, course.toml says {coverage_date()}"


def test_lesson_00_explains_the_coverage_date_beyond_its_header():
    path = REPO / "lessons" / "00_orientation.ipynb"
    body = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells[3:] if c.cell_type == "markdown")
    assert coverage_date() in stated_dates(body), "lesson 00 explains what the coverage date means"


def test_a_wrong_date_in_any_place_is_caught():
    """The check itself: a planted stale date is read, and differs from course.toml."""
    planted = "**Coverage through:** 28 February 2026"
    assert stated_dates(planted) == [dt.date(2026, 2, 28)] != [coverage_date()]
    assert stated_dates("Coverage through 1 July 2026") == [dt.date(2026, 7, 1)]
    assert stated_dates("no date here") == []


def test_nothing_in_the_data_or_timeline_postdates_the_coverage_date():
    limit = coverage_date()
    events = bb.load("events")
    late = events[events["date"].dt.date > limit]
    assert late.empty, f"events after the coverage date: {list(late['event_id'])}"
    entry_dates = re.findall(r"^- \*\*(\d{4}-\d{2}(?:-\d{2})?)", TIMELINE.read_text(encoding="utf-8"), re.M)
    assert entry_dates, "the timeline has dated entries"
    assert max(entry_dates) <= limit.isoformat(), f"timeline entry {max(entry_dates)} is after {limit}"
