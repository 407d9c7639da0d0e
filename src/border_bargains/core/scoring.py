"""Scoring saved answers against an answer key: pure functions, no I/O.

They run in the instructor's process only, called by the course's nbgrader
preprocessor (:mod:`border_bargains.nbgrader_steps`); practice Check buttons
use them too, with the lessons' public practice keys. The report says which
items are right, never what the right answer is, unless the instructor opts
in (``reveal`` below), because nbgrader's feedback shows the report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from border_bargains.core.specs import ExerciseSpec, KeyEntry
from border_bargains.core.typed_answers import format_number, normalise_text

# Two floats that print the same are the same answer: 1.72 typed vs 1.72 in the key.
FLOAT_SLACK = 1e-9


@dataclass(frozen=True)
class ItemResult:
    item_id: str
    label: str
    given: object  # None when not answered
    right: bool
    entry: KeyEntry


def score_items(spec: ExerciseSpec, key_entries: dict[str, KeyEntry], answers: dict) -> list[ItemResult]:
    """One result per item of the exercise, in the exercise's order."""
    results = []
    for item in spec.items:
        entry = key_entries[item.id]
        given = answers.get(item.id)
        right = given is not None and is_right(spec, entry, given)
        results.append(ItemResult(item.id, item.label, given, right, entry))
    return results


def is_right(spec: ExerciseSpec, entry: KeyEntry, given) -> bool:
    """One saved answer against its key entry (the value was checked against the item when loaded)."""
    if spec.kind == "scale":
        return abs(given - entry.answer) <= spec.tolerance
    if spec.kind == "number":
        return math.isfinite(given) and abs(given - float(entry.answer)) <= entry.tolerance + FLOAT_SLACK
    if spec.kind == "text":
        return normalise_text(given) in {normalise_text(a) for a in (entry.answer, *entry.accept)}
    return given == entry.answer


def points_for(results: list[ItemResult], points: float) -> float:
    """Equal weight per item; exact, not rounded (nbgrader stores floats)."""
    if not results:
        return 0.0
    return points * sum(r.right for r in results) / len(results)


def answer_words(spec: ExerciseSpec, item_id: str, value) -> str:
    """An answer as reports show it: a typed text in quotation marks, anything else as the student chose it."""
    return f"“{value}”" if spec.kind == "text" else spec.words(item_id, value)


def mark(result: ItemResult, *, wrong: str = "✗ not right", blank: str = "- not answered") -> str:
    """Words for an item's state, each with a symbol (meaning never rests on colour alone)."""
    if result.given is None:
        return blank
    return "✓ right" if result.right else wrong


def report(spec: ExerciseSpec, results: list[ItemResult], score: float, *, reveal: bool) -> str:
    """Plain-text report; symbols are always paired with words (no colour needed)."""
    right = sum(r.right for r in results)
    lines = [f"{spec.title}: {right} of {len(results)} right, {score:g} of {spec.points:g} points."]
    for r in results:
        line = f"  {mark(r)}: {r.label}"
        verb = "you gave" if spec.kind in ("number", "text") else "you chose"
        if r.given is not None and not r.right:
            line += f" ({verb}: {answer_words(spec, r.item_id, r.given)})"
        if reveal and not r.right:
            line += f"\n      key: {answer_words(spec, r.item_id, r.entry.answer)}"
            if spec.kind == "number" and r.entry.tolerance:
                line += f" (± {format_number(r.entry.tolerance)})"
            if r.entry.why:
                line += f" — {r.entry.why}"
            if r.entry.ref:
                line += f" [{r.entry.ref}]"
        lines.append(line)
    return "\n".join(lines)
