"""Accessible, deterministic charts for the lessons.

Charts are shown as an HTML ``<figure>`` whose ``<img>`` carries alt text and
whose caption names the source, with the alt text again as the plain-text
output (what nbval compares and what a screen reader or a text export gets).
Colours come from the Okabe–Ito palette, which stays distinct for the common
forms of colour blindness; lines also differ by marker, so colour is never the
only cue.
"""

from __future__ import annotations

import base64
import html
import io

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


class Chart:
    """A rendered figure plus its alt text and source line."""

    def __init__(self, png: bytes, alt: str, source: str, title: str):
        self.png, self.alt, self.source, self.title = png, alt, source, title

    def __repr__(self) -> str:
        return f"Chart: {self.title}\nAlt text: {self.alt}\nSource: {self.source}"

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        return (f"<figure style='margin:0'><img src='data:image/png;base64,{data}' alt='{html.escape(self.alt)}' "
                f"style='max-width:100%'><figcaption><small>Source: {html.escape(self.source)}</small>"
                "</figcaption></figure>")


def render(fig, *, alt: str, source: str) -> Chart:
    """Turn a matplotlib figure into a :class:`Chart` and close it (no stray inline copy)."""
    import matplotlib.pyplot as plt

    if not alt.strip() or not source.strip():
        raise ValueError("every chart needs alt text and a source line")
    title = fig.axes[0].get_title() if fig.axes else ""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return Chart(buffer.getvalue(), alt, source, title)


def line_chart(series: dict, *, title: str, ylabel: str, xlabel: str, alt: str, source: str,
               dashed: tuple[str, ...] = ()) -> Chart:
    """Several year-indexed Series on one axis; names in ``dashed`` are drawn dashed (e.g. provisional)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4))
    for i, (label, values) in enumerate(series.items()):
        ax.plot(values.index, values.values, label=label, color=OKABE_ITO[i % len(OKABE_ITO)],
                marker=MARKERS[i % len(MARKERS)], linestyle="--" if label in dashed else "-")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    if len(series) > 1:
        place_legend(ax, len(series))
    return render(fig, alt=alt, source=source)


def place_legend(ax, entries: int):
    """The legend under the plot, below the axis label: it can never cover a line or a point."""
    return ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=min(entries, 3))


def bar_chart(values, *, title: str, ylabel: str, xlabel: str, alt: str, source: str, hatched=(),
              gap_words: dict | None = None) -> Chart:
    """One Series as bars; labels in ``hatched`` get a hatch pattern (e.g. a partial year).

    A missing value (NaN) keeps its place on the axis, with no bar and the words "no data" there: a gap in a
    series is shown as a gap, never closed up (``gap_words`` may say more for a label, e.g. "not final").
    """
    import math

    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4))
    labels = [str(i) for i in values.index]
    heights = [0.0 if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in values.values]
    bars = ax.bar(labels, heights, color=OKABE_ITO[0])
    for bar, label, value in zip(bars, labels, values.values, strict=True):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            ax.annotate((gap_words or {}).get(label, "no data"), (bar.get_x() + bar.get_width() / 2, 0), xytext=(0, 4),
                        textcoords="offset points", ha="center", va="bottom", rotation=90, fontsize=9,
                        color="#333333")
    for bar, label in zip(bars, labels, strict=True):
        if label in {str(h) for h in hatched}:
            bar.set_hatch("//")
            bar.set_facecolor("white")
            bar.set_edgecolor(OKABE_ITO[0])
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.grid(axis="y", alpha=0.3)
    return render(fig, alt=alt, source=source)
