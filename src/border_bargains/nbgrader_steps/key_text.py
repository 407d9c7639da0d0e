"""The texts of an answer key that must never reach a student (kept out of graded files and feedback)."""

from __future__ import annotations

import tomllib
from pathlib import Path


def key_secrets(key_path: Path, min_length: int = 16) -> list[str]:
    """Every text of the key file at least ``min_length`` long: long answers, explanations, references.

    The key is read as TOML, so every kind of string counts (basic, literal ``'…'``, multi-line ``\"\"\"…\"\"\"``).
    Shorter texts ("empirical", "WOLA ¶4") are ordinary course words, found in every released notebook. A key
    that is not valid TOML (it cannot grade anything then) falls back to its longer lines.
    """
    if not key_path.exists():
        return []
    raw = key_path.read_text(encoding="utf-8")
    try:
        doc = tomllib.loads(raw)
    except tomllib.TOMLDecodeError:
        return sorted({line.strip() for line in raw.splitlines() if len(line.strip()) >= min_length})
    found: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, str):
            if len(value.strip()) >= min_length:
                found.add(value.strip())
        elif isinstance(value, dict):
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(doc)
    return sorted(found)
