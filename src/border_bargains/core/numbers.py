"""Numbers as a reader expects them, wherever the course shows one: a box, a report, a table, a chart."""

from __future__ import annotations


def format_number(value: float) -> str:
    """Thousands separated, counts as integers (``70,630``), real decimals kept (``14,699.88``), no float
    noise (at most six decimals) and no exponent."""
    text = f"{float(value):,.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
