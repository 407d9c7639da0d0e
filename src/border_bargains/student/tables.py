"""Tables in the lessons: sentences read left to right.

JupyterLab right-aligns every table cell, which suits numbers but makes long sentences (event descriptions,
notes, sources) hard to read. When the course is imported in IPython, DataFrames are shown with their text
columns left-aligned and their number columns right-aligned as before. The rule is a ``<style>`` scoped by a
class that names the columns, so the output is the same on every run (nbval compares lesson outputs).
"""

from __future__ import annotations

import sys
import textwrap

from border_bargains.core.numbers import format_number

# Printed text is wrapped at this many characters, on spaces between words.
NOTE_WIDTH = 88


# Number columns that are labels, not quantities: shown as they are (2024, not 2,024).
LABEL_COLUMNS = ("year", "fy", "paragraph", "para", "id", "rank", "month", "day")


def _is_label_column(name) -> bool:
    words = str(name).lower().replace("-", "_").split("_")
    return any(word in LABEL_COLUMNS for word in words)


def number_formatters(frame) -> dict:
    """A thousands-separated formatter for each number column that holds quantities (not years or ids)."""
    import pandas as pd

    out = {}
    width = pd.get_option("display.max_colwidth")
    for column, dtype in frame.dtypes.items():
        if pd.api.types.is_bool_dtype(dtype):
            continue
        if not pd.api.types.is_numeric_dtype(dtype):
            texts = frame[column].dropna()
            if width and texts.map(lambda v: isinstance(v, str) and len(v) > width).any():
                # pandas cuts long text at max_colwidth, mid-word ("enforce..."): cut between words instead.
                out[column] = lambda v, width=width: shorten_words(v, width) if isinstance(v, str) else str(v)
            continue
        if not _is_label_column(column):
            out[column] = lambda v: "" if pd.isna(v) else format_number(v)
    return out


def shorten_words(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` characters between words, with "…" when cut."""
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


def _html_with_separators(frame) -> str | None:
    """pandas' notebook HTML for ``frame`` (same truncation and options), quantities with thousands separators."""
    import pandas as pd
    from pandas.io.formats import format as fmt

    formatters = number_formatters(frame)
    if not formatters or frame.columns.duplicated().any() or frame._info_repr() \
            or not pd.get_option("display.notebook_repr_html"):
        return frame._repr_html_()
    formatter = fmt.DataFrameFormatter(
        frame, na_rep="NaN", formatters=formatters, float_format=pd.get_option("display.float_format"),
        index_names=True, header=True, index=True, bold_rows=True, escape=True,
        max_rows=pd.get_option("display.max_rows"), min_rows=pd.get_option("display.min_rows"),
        max_cols=pd.get_option("display.max_columns"), show_dimensions=pd.get_option("display.show_dimensions"),
        decimal=".")
    return fmt.DataFrameRenderer(formatter).to_html(notebook=True)


def dataframe_html(frame) -> str | None:
    """pandas' own HTML for ``frame``, with its text columns left-aligned and thousands separators in quantities."""
    import pandas as pd

    html = _html_with_separators(frame)
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
