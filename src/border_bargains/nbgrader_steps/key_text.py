"""The texts of an answer key that must never reach a student (used to keep them out of graded files)."""

from __future__ import annotations

import re
from pathlib import Path


def key_secrets(key_path: Path, min_length: int = 16) -> list[str]:
    """Texts of a key file that must never reach a student: its longer lines and every explanation.

    Shorter texts ("empirical", "WOLA ¶4") are ordinary course words, found in every released notebook.
    """
    if not key_path.exists():
        return []
    raw = key_path.read_text(encoding="utf-8")
    found = {line.strip() for line in raw.splitlines() if len(line.strip()) >= min_length}
    found |= {m for m in re.findall(r'why\s*=\s*"([^"]+)"', raw) if len(m) >= min_length}
    return sorted(found)
