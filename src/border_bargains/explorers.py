"""Interactive explorers for the lessons: pick an official series and a span of years."""

from __future__ import annotations

import html

from .datasets import REGISTRY, load, series

# (dataset, measure) pairs a student can pick, with the words shown in the menu.
SERIES_MENU = {
    f"{ds.title}: {measure.replace('_', ' ')}": (ds.name, measure)
    for ds in REGISTRY.values()
    if ds.measures
    for measure in ds.measures
}


def series_table(frame, measure: str, first: int, last: int) -> str:
    """HTML table of one measure (every status kept apart, with confidence and source)."""
    rows = frame[(frame["measure"] == measure) & frame["year"].between(first, last)].sort_values(["year", "status"])
    body = "".join(
        f"<tr><td>{r.year}</td><td style='text-align:right'>{r.value:,.2f}</td><td>{r.status}</td>"
        f"<td>{r.confidence}</td><td>{html.escape(str(r.publisher))}: {html.escape(str(r.document))}</td></tr>"
        for r in rows.itertuples()
    )
    head = "<tr><th>Year</th><th>Value</th><th>Status</th><th>Confidence</th><th>Source</th></tr>"
    return f"<table>{head}{body}</table>"


class SeriesExplorer:
    """Pick a series and years; see a chart of final figures and the table with every row's status."""

    def __init__(self, choice: str | None = None, years: tuple[int, int] = (2015, 2025)):
        import ipywidgets as w

        self.menu = w.Dropdown(options=list(SERIES_MENU), value=choice or next(iter(SERIES_MENU)),
                               description="Series", tooltip="Series to show", layout=w.Layout(width="auto"))
        self.years = w.IntRangeSlider(value=years, min=2014, max=2025, description="Years",
                                      tooltip="First and last year", continuous_update=False,
                                      layout=w.Layout(width="32em"), style={"description_width": "initial"})
        self.view = w.HTML()
        for control in (self.menu, self.years):
            control.observe(lambda _change: self.refresh(), names="value")
        self.box = w.VBox([self.menu, self.years, self.view])
        self.refresh()

    def refresh(self) -> None:
        from .plots import bar_chart

        name, measure = SERIES_MENU[self.menu.value]
        first, last = self.years.value
        frame = load(name)
        values = series(name, measure, status=("final", "partial"))
        values = values[(values.index >= first) & (values.index <= last)]
        partial = frame[(frame["measure"] == measure) & (frame["status"] == "partial")]["year"].tolist()
        unit = frame["unit"].iloc[0].replace("_", " ")
        if values.empty:
            self.view.value = "<p>No final figures in these years.</p>" + series_table(frame, measure, first, last)
            return
        fiscal = (frame["period_type"] == "fiscal_year").any()
        chart = bar_chart(values, title=self.menu.value, ylabel=unit,
                          xlabel="Fiscal year (October–September)" if fiscal else "Calendar year",
                          alt=f"Bar chart of {self.menu.value}, {first} to {last}; hatched bars are partial years.",
                          source="; ".join(frame.attrs["publishers"]), hatched=partial)
        self.view.value = chart._repr_html_() + series_table(frame, measure, first, last)

    def __repr__(self) -> str:
        return "<series explorer: pick a series and years in JupyterLab>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = dict(self.box._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/plain"] = repr(self)
        return bundle
