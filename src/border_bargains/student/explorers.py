"""Interactive explorers for the lessons: pick an official series and a span of years."""

from __future__ import annotations

import html

from border_bargains.core.numbers import format_number
from border_bargains.student.datasets import REGISTRY, load, series

# (dataset, measure) pairs a student can pick, with the words shown in the menu.
SERIES_MENU = {
    f"{ds.title}: {measure.replace('_', ' ')}": (ds.name, measure)
    for ds in REGISTRY.values()
    if ds.measures
    for measure in ds.measures
}


def gaps(frame, measure: str, first: int, last: int) -> list[int]:
    """Years between the series' first and last row in ``first``–``last`` that have no row at all."""
    years = set(frame[(frame["measure"] == measure) & frame["year"].between(first, last)]["year"])
    return [y for y in range(min(years), max(years) + 1) if y not in years] if years else []


def series_table(frame, measure: str, first: int, last: int) -> str:
    """HTML table of one measure (every status kept apart, with coverage, confidence and source; gaps said)."""
    rows = frame[(frame["measure"] == measure) & frame["year"].between(first, last)].sort_values(["year", "status"])
    coverage = "coverage" in frame.columns
    lines = [(r.year, f"<tr><td class='bb-num'>{r.year}</td><td class='bb-num'>{format_number(r.value)}</td>"
                      f"<td>{r.status}</td>" + (f"<td>{html.escape(str(r.coverage))}</td>" if coverage else "")
                      + f"<td>{r.confidence}</td><td>{html.escape(str(r.publisher))}: {html.escape(str(r.document))}"
                      "</td></tr>") for r in rows.itertuples()]
    span = 6 if coverage else 5
    lines += [(year, f"<tr class='bb-gap'><td class='bb-num'>{year}</td><td colspan='{span - 1}'><em>no figure in "
                     "the course's data for this year (a gap, not a zero)</em></td></tr>")
              for year in gaps(frame, measure, first, last)]
    body = "".join(text for _year, text in sorted(lines, key=lambda pair: pair[0]))
    head = ("<tr><th class='bb-num'>Year</th><th class='bb-num'>Value</th><th>Status</th>"
            + ("<th>Coverage</th>" if coverage else "") + "<th>Confidence</th><th>Source</th></tr>")
    return f"<table class='bb-table'>{head}{body}</table>"


class SeriesExplorer:
    """Pick a series and years; see a chart of final figures and the table with every row's status."""

    def __init__(self, choice: str | None = None, years: tuple[int, int] = (2015, 2025)):
        import ipywidgets as w

        from border_bargains.student.controls import Choice, LinkedHTML, Styles

        # Native menus (not a slider): JupyterLab's shortcuts leave their arrow keys alone.
        self.menu = Choice([(name, name) for name in SERIES_MENU], choice or next(iter(SERIES_MENU)), text="Series",
                           placeholder="— choose a series —")
        span = [(str(y), y) for y in range(2014, 2026)]
        self.first = Choice(span, years[0], text="First year", placeholder="—")
        self.last = Choice(span, years[1], text="Last year", placeholder="—")
        self.view = LinkedHTML()
        for control in (self.menu, self.first, self.last):
            control.observe(lambda _change: self.refresh(), names="value")
        years_row = w.GridBox([self.first, self.last],
                              layout=w.Layout(grid_template_columns="auto auto", grid_gap="0 1em", max_width="32em"))
        self.box = w.VBox([Styles(), self.menu, years_row, self.view])
        self.box.add_class("bb-viewer")
        self.refresh()

    @property
    def years(self) -> tuple[int, int]:
        return (self.first.value or 2014, self.last.value or 2025)

    def refresh(self) -> None:
        from border_bargains.student.plots import bar_chart

        if self.menu.value is None:
            self.view.set_html("<p>Choose a series.</p>")
            return
        name, measure = SERIES_MENU[self.menu.value]
        first, last = sorted(self.years)
        frame = load(name)
        values = series(name, measure, status=("final", "partial"))
        values = values[(values.index >= first) & (values.index <= last)]
        missing = gaps(frame, measure, first, last)
        if not values.empty:  # a year with no row keeps its place on the axis, as a visible gap
            values = values.reindex(range(int(values.index.min()), int(values.index.max()) + 1))
        partial = frame[(frame["measure"] == measure) & (frame["status"] == "partial")]["year"].tolist()
        unit = frame["unit"].iloc[0].replace("_", " ")
        if values.empty:
            self.view.set_html("<p>No final figures in these years.</p>" + series_table(frame, measure, first, last))
            return
        fiscal = (frame["period_type"] == "fiscal_year").any()
        chart = bar_chart(values, title=self.menu.value, ylabel=unit,
                          xlabel="Fiscal year (October–September)" if fiscal else "Calendar year",
                          alt=f"Bar chart of {self.menu.value}, {first} to {last}; hatched bars are partial years"
                              + (f"; no data for {', '.join(map(str, missing))}" if missing else "") + ".",
                          source="; ".join(frame.attrs["publishers"]), hatched=partial,
                          gap_words={str(y): "no final figure" for y in values.index[values.isna()]
                                     if y not in missing})
        self.view.set_html(chart._repr_html_() + series_table(frame, measure, first, last))

    def __repr__(self) -> str:
        return "<series explorer: run this cell to show the explorer>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = dict(self.box._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/plain"] = repr(self)
        return bundle
