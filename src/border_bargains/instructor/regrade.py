"""What a regrade may and may not undo: hand marks, sent feedback, and the summary line's score.

nbgrader's ``SaveAutoGrades`` sends every grade that has a manual score back to
"needs manual grading" when a submission is autograded again, so changing one
key would undo every mark made in Formgrader. A regrade cannot change the mark
of a written answer whose text is the same as when it was marked, so here:

* before grading, :func:`snapshot` records each grade (manual score, whether it
  was still waiting, automatic score) and a checksum of the cell's source in the
  autograded notebook the instructor marked;
* after grading, :func:`restore` confirms again every mark whose cell source is
  unchanged and whose automatic score (if it has one) is unchanged, and lists
  the marks it left to be confirmed, with the reason;
* a student who had been sent feedback is listed as holding stale feedback, with
  the command that sends it again, when a grade changed or, with the same grades,
  when the pages ``make feedback`` would send now differ from those sent (a
  comment added in Formgrader, a key's reason rewritten): :func:`stale_feedback`
  makes them in a scratch folder and compares.

:func:`whole_score` gives the summary line the whole score as it stands:
automatic plus manual so far, late penalty taken off.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from border_bargains.nbgrader_steps.settings import Layout

SCORES_CHANGED = "its scores changed"
TEXT_CHANGED = "same scores, different text"
CHECK_FOLDER = ".feedback-check"  # scratch pages for the comparison, removed afterwards


@dataclass
class Mark:
    manual: float | None
    waiting: bool
    auto: float | None
    source: str | None  # checksum of the cell's source as it was marked


@dataclass
class RegradeReport:
    kept: list[str] = field(default_factory=list)  # "student (cell)"
    reset: list[str] = field(default_factory=list)  # "student cell: why"
    stale: dict[str, str] = field(default_factory=dict)  # student -> why the returned feedback is out of date

    def lines(self, assignment: str) -> list[str]:
        out = []
        if self.kept:
            out.append(f"   hand marks kept (answer unchanged since it was marked): {', '.join(self.kept)}")
        if self.reset:
            out.append("   hand marks to confirm again in Formgrader: " + "; ".join(self.reset))
        if self.stale:
            by_reason: dict[str, list[str]] = {}
            for student, why in sorted(self.stale.items()):
                by_reason.setdefault(why, []).append(student)
            who = "; ".join(f"{', '.join(names)} ({why})" for why, names in by_reason.items())
            students = " ".join(f"--student {s}" for s in sorted(self.stale))
            out.append(f"   feedback already returned is out of date for: {who}. Send it again "
                       f"with: make feedback A=\"{assignment} {students}\"")
        return out


def _cell_sources(folder: Path) -> dict[tuple[str, str], str]:
    """(notebook, grade id) -> checksum of the cell's source in the autograded copy."""
    sources: dict[tuple[str, str], str] = {}
    for path in sorted(folder.glob("*.ipynb")) if folder.is_dir() else []:
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for cell in nb.get("cells", []):
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id:
                source = cell.get("source", "")
                text = "".join(source) if isinstance(source, list) else source
                sources[(path.stem, grade_id)] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return sources


def snapshot(api, assignment: str, students: list[str]) -> dict[str, dict]:
    """Each student's grades and marked sources before a regrade, and whether feedback was returned."""
    from nbgrader.api import Gradebook, MissingEntry

    layout = Layout(api.config)
    state: dict[str, dict] = {}
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        for student in students:
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                continue
            sources = _cell_sources(layout.autograded(student, assignment))
            marks = {(nb.name, g.name): Mark(g.manual_score, bool(g.needs_manual_grade), g.auto_score,
                                             sources.get((nb.name, g.name)))
                     for nb in submission.notebooks for g in nb.grades}
            state[student] = {"marks": marks,
                              "feedback": layout.feedback(student, assignment).is_dir()}
    gb.engine.dispose()
    return state


def restore(api, assignment: str, before: dict[str, dict]) -> RegradeReport:
    """Confirm again the marks the regrade cannot have changed; report the others and stale feedback."""
    from nbgrader.api import Gradebook, MissingEntry

    layout = Layout(api.config)
    report = RegradeReport()
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        for student, old in sorted(before.items()):
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                continue
            sources = _cell_sources(layout.autograded(student, assignment))
            changed = False
            for nb in submission.notebooks:
                for grade in nb.grades:
                    mark = old["marks"].get((nb.name, grade.name))
                    if mark is None:
                        changed = True
                        continue
                    if grade.auto_score != mark.auto:
                        changed = True
                    was_marked = mark.manual is not None and not mark.waiting
                    if not (was_marked and grade.needs_manual_grade):
                        continue
                    source_now = sources.get((nb.name, grade.name))
                    if mark.source is None or source_now != mark.source:
                        why = "the answer changed since it was marked"
                        changed = True
                    elif grade.auto_score != mark.auto:
                        why = f"its automatic score changed ({mark.auto:g} to {grade.auto_score:g})"
                    else:
                        grade.needs_manual_grade = False  # the same text, the same mark
                        report.kept.append(f"{student} ({grade.name})")
                        continue
                    report.reset.append(f"{student} {grade.name}: {why}")
            if changed and old["feedback"]:
                report.stale[student] = SCORES_CHANGED
        gb.db.commit()
    gb.engine.dispose()
    return report


def stale_feedback(api, root: Path, term, assignment: str, before: dict[str, dict], report: RegradeReport,
                   regraded: set[str]) -> None:
    """Add to ``report.stale`` each student graded again in this run whose grades did not change but whose
    feedback would now read differently: the pages are made again, as ``make feedback`` makes them, in a
    scratch folder and compared with the pages sent (scores changing is caught without this; a key's reason or
    a comment written since is not).

    Only ``regraded`` students are checked: a rerun that grades one late submission must not make pages for
    the whole class (one nbconvert export per notebook each).
    """
    from border_bargains.instructor.export import HAS_FEEDBACK, standings
    from border_bargains.instructor.feedback import generate, pages

    holders = [s for s, old in sorted(before.items())
               if old["feedback"] and s in regraded and s not in report.stale]
    if not holders:
        return
    _students, table = standings(api, root, term, [assignment])
    layout = Layout(api.config)
    try:
        for student in holders:
            cell = table.get((student, assignment))
            sent = pages(layout.feedback(student, assignment))
            if cell is None or cell.status not in HAS_FEEDBACK or not sent:
                continue
            if generate(api, assignment, student, cell.hours_late, term, folder=CHECK_FOLDER):
                continue  # it cannot be made now: `make feedback` will say why
            if pages(Path(api.coursedir.format_path(CHECK_FOLDER, student, assignment))) != sent:
                report.stale[student] = TEXT_CHANGED
    finally:
        shutil.rmtree(Path(api.coursedir.root) / CHECK_FOLDER, ignore_errors=True)


def whole_score(api, term, assignment: str, student: str) -> tuple[float, float, str] | None:
    """(score so far with the late penalty taken off, max score, how it is made up) from the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    from border_bargains.nbgrader_steps.term_sync import late_penalty

    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return None
        late, penalties = late_penalty(term, submission)
        penalty = sum(penalties.values())
        auto, auto_max = submission.code_score, submission.max_code_score
        written_max = submission.max_written_score
        waiting = sorted({g.name for nb in submission.notebooks for g in nb.grades if g.needs_manual_grade})
        parts = [f"automatic {auto:g}/{auto_max:g}"]
        if written_max:
            parts.append(f"written {submission.written_score:g}/{written_max:g}"
                         + (" (still to mark: " + ", ".join(waiting) + ")" if waiting else ""))
        if penalty:
            parts.append(f"{term.rounded(penalty):g} off for lateness")
        elif late == 0 and term.seconds_after_due(student, assignment, submission.timestamp) > 0:
            parts.append("within the grace period")
        score = term.rounded(max(0.0, submission.score - penalty))
        result = (score, submission.max_score, "; ".join(parts))
    gb.engine.dispose()
    return result
