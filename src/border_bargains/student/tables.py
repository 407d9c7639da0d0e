"""Tables in the lessons: sentences read left to right.

JupyterLab right-aligns every table cell, which suits numbers but makes long sentences (event descriptions,
notes, sources) hard to read. When the course is imported in IPython, DataFrames are shown with their text
columns left-aligned and their number columns right-aligned as before. The rule is a ``<style>`` scoped by a
class that names the columns, so the output is the same on every run (nbval compares lesson outputs).
"""

from __future__ import annotations

import sys
import textwrap

# Printed text is wrapped at this many characters, on spaces between words.
NOTE_WIDTH = 88


def dataframe_html(frame) -> str | None:
    """pandas' own HTML for ``frame``, with its text columns left-aligned."""
    import pandas as pd

    html = frame._repr_html_()
    if html is None:
        return None
    shown = pd.get_option("display.max_columns")
    if isinstance(frame.columns, pd.MultiIndex) or (shown and frame.shape[1] > shown):
        return html  # columns are cut or stacked: positions would not match
    levels = frame.index.nlevels
    text = [levels + n + 1 for n, dtype in enumerate(frame.dtypes)
            if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))]
    if not text:
        return html
    name = "bb-text-cols-" + "-".join(map(str, text))
    rules = ",".join(f".{name} td:nth-child({n}),.{name} thead th:nth-child({n})" for n in text)
    return f"<div class='{name}'><style>{rules}{{text-align:left}}</style>{html}</div>"


def wrap_words(text: str, width: int = NOTE_WIDTH) -> str:
    """``text`` with each paragraph wrapped on spaces between words (never inside a word or a number)."""
    paragraphs = str(text).split("\n")
    return "\n".join(textwrap.fill(p, width=width, break_long_words=False, break_on_hyphens=False) if p else ""
                     for p in paragraphs)


def print_wrapped(*parts, width: int = NOTE_WIDTH) -> None:
    """Print a note or a sentence wrapped on words.

    JupyterLab breaks a printed line that is wider than the window anywhere, even mid-word ("enforce-/ment"
    with no hyphen); lines of at most ``width`` characters, broken between words, fit a normal notebook.
    ``parts`` are joined with spaces, as ``print`` does.
    """
    print(wrap_words(" ".join(str(p) for p in parts), width=width))


def register() -> None:
    """Show DataFrames through :func:`dataframe_html` in the running IPython, if any (pandas is not imported)."""
    ipython_module = sys.modules.get("IPython")
    shell = ipython_module.get_ipython() if ipython_module is not None else None
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["text/html"]
    formatter.for_type_by_name("pandas.core.frame", "DataFrame", dataframe_html)
