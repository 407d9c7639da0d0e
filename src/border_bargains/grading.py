"""Scoring widget answers and data-task values against an answer key.

Scores feed nbgrader: a test cell whose last value is a number gets that many
points (partial credit), a cell that raises gets zero. Two rules follow:

* nothing here writes to stderr (nbgrader gives zero to a cell with stderr);
* the printed report says which items are right, never what the right answer
  is, unless the instructor opts in (``BORDER_BARGAINS_REVEAL_KEYS=1`` at
  autograde time), because nbgrader's feedback shows test-cell output.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from .specs import AnswerKey, ExerciseSpec, KeyEntry

REVEAL_ENV = "BORDER_BARGAINS_REVEAL_KEYS"


def reveal_keys() -> bool:
    return os.environ.get(REVEAL_ENV, "").strip().lower() in {"1", "true", "yes"}


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
        if given is None:
            right = False
        elif spec.kind == "scale":
            right = abs(given - entry.answer) <= spec.tolerance
        else:
            right = given == entry.answer
        results.append(ItemResult(item.id, item.label, given, right, entry))
    return results


def points_for(results: list[ItemResult], points: float) -> float:
    """Equal weight per item; exact, not rounded (nbgrader stores floats)."""
    if not results:
        return 0.0
    return points * sum(r.right for r in results) / len(results)


def _option_label(spec: ExerciseSpec, item_id: str, value) -> str:
    for option in spec.item(item_id).options:
        if option.value == value:
            return option.label
    return repr(value)


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
        if r.given is not None and not r.right:
            line += f" (you chose: {_option_label(spec, r.item_id, r.given)})"
        if reveal and not r.right:
            line += f"\n      key: {_option_label(spec, r.item_id, r.entry.answer)}"
            if r.entry.why:
                line += f" — {r.entry.why}"
            if r.entry.ref:
                line += f" [{r.entry.ref}]"
        lines.append(line)
    return "\n".join(lines)


def value_matches(entry: KeyEntry, value) -> bool:
    """Compare a data-task answer with its key (numbers within the tolerance)."""
    if isinstance(entry.answer, str):
        return isinstance(value, str) and value.strip().lower() == entry.answer.strip().lower()
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    return math.isfinite(number) and abs(number - float(entry.answer)) <= entry.tolerance


def key_answers(spec: ExerciseSpec, key: AnswerKey) -> dict:
    return {item_id: entry.answer for item_id, entry in key.items[spec.id].items()}
