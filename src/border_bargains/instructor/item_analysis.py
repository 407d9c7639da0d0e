"""Which items most of the class got wrong, and which items do not tell strong students from weak ones.

``border-bargains report <assignment>`` works from what grading already has:
the collected answers files (``submitted/<student>/<assignment>/widget_answers.json``),
the key in ``solutions/`` and the gradebook (for written tasks). No notebook is run.

Per autograded item:

* **share right** among the students analysed (a blank counts as not right);
* the **most common wrong choice** (with how many chose it): a distractor that
  draws many students may be ambiguous, or a misconception worth teaching;
* the **discrimination index** D = p(upper) - p(lower): the share right among the
  27% of students with the highest autograded totals minus that among the 27%
  with the lowest (Kelley's groups; at least one student each). D below 0 means
  weaker students did better on the item than stronger ones: check the key.

Items with D < 0, or answered right by at most 5% or at least 95%, are flagged
for review. Per exercise and per written task, the score distribution; blank
exercises are counted as such. The HTML has no scripts; each chart has a
title, labelled axes and alt text.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from border_bargains.core.answers import DEFAULT_FILENAME as ANSWERS_FILENAME
from border_bargains.core.answers import AnswerStore, Submitted
from border_bargains.core.scoring import points_for, score_items
from border_bargains.core.specs import KEY_FILENAME, SPEC_FILENAME, ExerciseSpec, load_exercises, load_key
from border_bargains.nbgrader_steps.settings import Layout

UPPER_LOWER = 0.27
FLAG_LOW, FLAG_HIGH = 0.05, 0.95


@dataclass
class ItemStats:
    exercise: str
    item: str
    label: str
    answered: int = 0
    right: int = 0
    blank: int = 0
    share_right: float = 0.0
    wrong_choices: Counter = field(default_factory=Counter)
    discrimination: float | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def most_common_wrong(self) -> tuple[str, int] | None:
        return self.wrong_choices.most_common(1)[0] if self.wrong_choices else None


@dataclass
class Analysis:
    assignment: str
    students: list[str]
    excluded: dict[str, str]
    items: list[ItemStats]
    exercise_scores: dict[str, list[float]]  # exercise id -> each student's points
    exercise_points: dict[str, float]
    blank_exercises: dict[str, int]
    written: dict[str, tuple[float, list[float], int]]  # grade id -> (max, scores, not graded yet)
    totals: dict[str, float]


def _shown(spec: ExerciseSpec, item_id: str, value) -> str:
    """A wrong answer as the report counts it: typed texts that differ only in case count as one."""
    return str(value).strip().lower() if spec.kind == "text" else spec.words(item_id, value)


def groups(totals: dict[str, float]) -> tuple[list[str], list[str]]:
    """Kelley's upper and lower 27% by total (ties broken by student id, so the split is reproducible)."""
    ranked = sorted(totals, key=lambda s: (-totals[s], s))
    size = max(1, round(UPPER_LOWER * len(ranked)))
    return ranked[:size], ranked[-size:]


def analyse(layout: Layout, assignment: str, students: list[str], db_url: str | None = None,
            course_id: str = "default_course") -> Analysis:
    """Per item and exercise, what the class answered: read and scored as grading reads and scores them."""
    source = layout.source(assignment)
    _name, specs = load_exercises(source / SPEC_FILENAME)
    key = load_key(source / KEY_FILENAME, specs)
    stores: dict[str, AnswerStore] = {}
    excluded: dict[str, str] = {}
    for student in students:
        found = Submitted(layout.submitted(student, assignment) / ANSWERS_FILENAME,
                          max_bytes=layout.settings.max_answers_file_bytes)
        if found.problem:
            excluded[student] = f"answers file unreadable ({found.problem})"
        else:
            stores[student] = found.store
    analysed = [s for s in students if s not in excluded]
    marks: dict[tuple[str, str, str], object] = {}  # (student, exercise, item) -> True/False/None(blank)
    chosen: dict[tuple[str, str, str], object] = {}
    totals = {s: 0.0 for s in analysed}
    exercise_scores: dict[str, list[float]] = {ex: [] for ex in specs}
    blank_exercises = dict.fromkeys(specs, 0)
    for student in analysed:
        for ex_id, spec in specs.items():
            given = stores[student].valid_answers(ex_id, spec.allowed)
            results = score_items(spec, key.items[ex_id], given)
            for r in results:
                marks[(student, ex_id, r.item_id)] = None if r.given is None else r.right
                chosen[(student, ex_id, r.item_id)] = r.given
            points = points_for(results, float(spec.points or 0))  # the rule grading applies
            if not given:
                blank_exercises[ex_id] += 1
            exercise_scores[ex_id].append(points)
            totals[student] += points
    upper, lower = groups(totals) if analysed else ([], [])
    items: list[ItemStats] = []
    for ex_id, spec in specs.items():
        for item in spec.items:
            stats = ItemStats(ex_id, item.id, item.text if spec.kind not in ("grid",) else item.label)
            for student in analysed:
                right = marks[(student, ex_id, item.id)]
                if right is None:
                    stats.blank += 1
                    continue
                stats.answered += 1
                if right:
                    stats.right += 1
                else:
                    stats.wrong_choices[_shown(spec, item.id, chosen[(student, ex_id, item.id)])] += 1
            if analysed:
                stats.share_right = stats.right / len(analysed)
                p_upper = sum(bool(marks[(s, ex_id, item.id)]) for s in upper) / len(upper)
                p_lower = sum(bool(marks[(s, ex_id, item.id)]) for s in lower) / len(lower)
                stats.discrimination = round(p_upper - p_lower, 6)
                if stats.discrimination < 0:
                    stats.flags.append("negative discrimination: check the key and the wording")
                if stats.share_right <= FLAG_LOW:
                    stats.flags.append("almost nobody right")
                elif stats.share_right >= FLAG_HIGH:
                    stats.flags.append("almost everybody right")
            items.append(stats)
    written = _written_scores(db_url, course_id, assignment, analysed) if db_url else {}
    return Analysis(assignment, analysed, excluded, items, exercise_scores,
                    {ex: float(s.points or 0) for ex, s in specs.items()}, blank_exercises, written, totals)


def _written_scores(db_url: str, course_id: str, assignment: str, students: list[str]) -> dict:
    from nbgrader.api import Gradebook, MissingEntry

    found: dict[str, tuple[float, list[float], int]] = {}
    with Gradebook(db_url, course_id) as gb:
        for student in students:
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                continue
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.cell_type != "markdown":
                        continue
                    entry = found.setdefault(grade.name, (grade.max_score, [], 0))
                    if grade.needs_manual_grade:
                        found[grade.name] = (entry[0], entry[1], entry[2] + 1)
                    else:
                        entry[1].append(grade.score)
    return found


# ---------------------------------------------------------------------------- output
def _histogram(values: list[float], title: str, xlabel: str, alt: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from border_bargains.student.plots import OKABE_ITO

    fig, ax = plt.subplots(figsize=(5.2, 2.6), dpi=100)
    bins = sorted(set(values)) or [0.0]
    counts = [values.count(b) for b in bins]
    ax.bar([f"{b:g}" for b in bins], counts, color=OKABE_ITO[0], edgecolor="black", linewidth=0.6)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("students")
    ax.yaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"<figure><img src='data:image/png;base64,{data}' alt='{html.escape(alt)}'></figure>"


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def render_html(analysis: Analysis, title: str) -> str:
    a = analysis
    rows = []
    for s in a.items:
        wrong = s.most_common_wrong
        a_wrong = f"{html.escape(str(wrong[0]))} ({wrong[1]})" if wrong else "–"
        d = "–" if s.discrimination is None else f"{s.discrimination:+.2f}"
        flags = "; ".join(s.flags)
        rows.append(f"<tr{' class=flag' if s.flags else ''}><td>{html.escape(s.exercise)}</td>"
                    f"<td>{html.escape(s.label)}</td><td>{_pct(s.share_right)}</td><td>{s.blank}</td>"
                    f"<td>{a_wrong}</td><td>{d}</td><td>{html.escape(flags) or '–'}</td></tr>")
    charts = []
    for ex_id, scores in a.exercise_scores.items():
        if not scores:
            continue
        mean = sum(scores) / len(scores)
        charts.append(f"<h3>{html.escape(ex_id)}</h3><p>{a.blank_exercises[ex_id]} of {len(scores)} left it "
                      f"blank; mean {mean:.2f} of {a.exercise_points[ex_id]:g} points.</p>" + _histogram(
                          [round(x, 2) for x in scores],
                          f"{ex_id}: points per student", f"points (of {a.exercise_points[ex_id]:g})",
                          f"Bar chart of how many students scored each number of points on {ex_id}, out of "
                          f"{a.exercise_points[ex_id]:g}; {a.blank_exercises[ex_id]} left it blank."))
    for grade_id, (maximum, scores, waiting) in a.written.items():
        text = (f"<h3>{html.escape(grade_id)} (written)</h3><p>{len(scores)} marked, {waiting} not marked yet.</p>")
        if scores:
            text += _histogram(scores, f"{grade_id}: points per student", f"points (of {maximum:g})",
                               f"Bar chart of the marks given for the written task {grade_id}, out of {maximum:g}; "
                               f"{waiting} answers are not marked yet.")
        charts.append(text)
    excluded = "".join(f"<li>{html.escape(s)}: {html.escape(r)}</li>" for s, r in a.excluded.items())
    flagged = sum(bool(s.flags) for s in a.items)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:70em;margin:1.5em auto;padding:0 1em;line-height:1.45}}
table{{border-collapse:collapse;width:100%}}th,td{{border:1px solid #999;padding:0.3em 0.5em;text-align:left;
vertical-align:top}}th{{background:#eee}}tr.flag td{{background:#fff3cd}}figure{{margin:0.4em 0}}
img{{max-width:100%}}</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{len(a.students)} students analysed from their collected answers files; {len(a.excluded)} left out.
{flagged} of {len(a.items)} items are flagged for review (highlighted). D is the discrimination index:
share right in the top 27% by autograded total minus share right in the bottom 27%.</p>
{f"<h2>Left out</h2><ul>{excluded}</ul>" if excluded else ""}
<h2>Items</h2>
<table><caption>Per-item results, in the order of the assignment</caption>
<thead><tr><th scope="col">Exercise</th><th scope="col">Item</th><th scope="col">Right</th>
<th scope="col">Blank</th><th scope="col">Most common wrong answer (students)</th><th scope="col">D</th>
<th scope="col">Review</th></tr></thead><tbody>{''.join(rows)}</tbody></table>
<h2>Score distributions</h2>
{''.join(charts)}
</body></html>
"""


def summary_lines(analysis: Analysis, limit: int = 5) -> list[str]:
    a = analysis
    lines = [f"{len(a.students)} students analysed ({len(a.excluded)} left out); "
             f"{sum(bool(s.flags) for s in a.items)} of {len(a.items)} items flagged for review."]
    hardest = sorted(a.items, key=lambda s: (s.share_right, s.exercise, s.item))[:limit]
    for s in hardest:
        wrong = s.most_common_wrong
        lines.append(f"  {_pct(s.share_right):>4} right  {s.exercise}/{s.item}"
                     + (f"  most common wrong: {wrong[0]} ({wrong[1]})" if wrong else "")
                     + (f"  D={s.discrimination:+.2f}" if s.discrimination is not None else "")
                     + (f"  [{'; '.join(s.flags)}]" if s.flags else ""))
    return lines


def write_report(layout: Layout, assignment: str, students: list[str], db_url: str, course_id: str,
                 title: str) -> tuple[Path, list[str]]:
    analysis = analyse(layout, assignment, students, db_url, course_id)
    out = layout.root / "reports" / f"{assignment}-items.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(analysis, title), encoding="utf-8")
    data = {"assignment": assignment, "students": analysis.students, "items": [
        {"exercise": s.exercise, "item": s.item, "share_right": s.share_right, "blank": s.blank,
         "most_common_wrong": list(s.most_common_wrong) if s.most_common_wrong else None,
         "discrimination": s.discrimination, "flags": s.flags} for s in analysis.items]}
    out.with_suffix(".json").write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    return out, summary_lines(analysis)

