"""Read-only viewer: what each article says on a theme, with ¶ links to the reading guides."""

from __future__ import annotations

import html

SOURCE_NAMES = {"wola": "WOLA Q&A (Feb 2025)", "filter": "Filter article (Oct 2023)"}
# The claims dataset's themes in words (docs/datasets.md, "Themes"); an unknown theme is shown from its id.
THEME_NAMES = {
    "tariffs_as_leverage": "Tariffs as leverage",
    "trade_relationship": "The trade relationship",
    "measuring_success": "Measuring success",
    "bilateral_cooperation": "Bilateral cooperation",
    "militarization": "Militarization",
    "fentanyl_supply": "Fentanyl supply",
    "overdose_trends": "Overdose trends",
    "prohibition_critique": "The prohibition critique",
    "demand_and_blame": "Demand and blame",
    "gun_trafficking": "Gun trafficking",
    "migration_crackdown": "Migration crackdown",
    "migration_flows": "Migration flows",
    "domestic_politics": "Domestic politics",
    "terrorist_designation": "Terrorist designation of cartels",
    "military_action": "US military action in Mexico",
    "human_rights_risks": "Human rights risks",
}
CLAIM_TYPES = {"empirical": "empirical claim", "causal": "causal claim", "normative": "normative claim",
               "prediction": "prediction"}


def theme_name(theme: str) -> str:
    return THEME_NAMES.get(theme) or theme.replace("_", " ").capitalize()


def guide_link(source: str, paragraph: int, guides: str = "../source_texts") -> str:
    """Relative link to a paragraph of a reading guide, e.g. ``../source_texts/wola.md#p14``."""
    return f"{guides}/{source}.md#p{paragraph}"


def cite(source: str, paragraph: int) -> str:
    return f"{'WOLA' if source == 'wola' else 'Filter'} ¶{paragraph}"


def _column_html(claims, source: str, guides: str, theme: str) -> str:
    # The column's name is not a heading (the lesson's Markdown has the heading): a labelled list instead.
    rows = claims[claims["source"] == source]
    title_id = f"bb-sbs-{source}-{theme}"
    title = f"<p class='bb-title' id='{title_id}'><strong>{SOURCE_NAMES[source]}</strong></p>"
    if rows.empty:
        return f"{title}<p><i>Nothing on this theme.</i></p>"
    items = []
    for row in rows.itertuples():
        link = guide_link(source, row.paragraph, guides)
        kind = CLAIM_TYPES.get(str(row.claim_type), str(row.claim_type))
        items.append(
            f"<li><a href='{link}'>{cite(source, row.paragraph)}</a> · {html.escape(str(row.speaker))} "
            f"<small>({html.escape(kind)})</small><br>{html.escape(str(row.paraphrase))}</li>"
        )
    return f"{title}<ul aria-labelledby='{title_id}'>{''.join(items)}</ul>"


def render(theme: str, guides: str = "../source_texts") -> str:
    """HTML for one theme: two columns, one per article."""
    from border_bargains.student.datasets import load

    claims = load("claims")
    picked = claims[claims["theme"] == theme]
    if picked.empty:
        themes = ", ".join(sorted(claims["theme"].unique()))
        raise ValueError(f"No claims with theme {theme!r}. Themes: {themes}")
    cols = "".join(
        f"<div style='flex:1;min-width:16em;padding:0 0.5em'>{_column_html(picked, s, guides, theme)}</div>"
        for s in SOURCE_NAMES
    )
    return (f"<div class='bb-side-by-side' role='region' aria-label='Side by side: {html.escape(theme_name(theme))}' "
            f"style='display:flex;flex-wrap:wrap'>{cols}</div>")


class SideBySide:
    """A theme picker over :func:`render`; paraphrases only (the articles are not republished).

    The ¶ links open the reading guide at that paragraph inside JupyterLab (the HTML is rendered by JupyterLab
    itself, like a Markdown cell's links); the picker is a native menu the keyboard can use.
    """

    def __init__(self, theme: str | None = None, guides: str = "../source_texts"):
        import ipywidgets as w

        from border_bargains.student.controls import Choice, LinkedHTML, Styles
        from border_bargains.student.datasets import load

        themes = sorted(load("claims")["theme"].unique())
        self.guides = guides
        self.picker = Choice([(theme_name(t), t) for t in themes], theme or themes[0], text="Theme",
                             placeholder="— choose a theme —")
        self.view = LinkedHTML(render(self.picker.value, guides))
        self.picker.observe(self._picked, names="value")
        self.box = w.VBox([Styles(), self.picker, self.view])
        self.box.add_class("bb-viewer")

    def _picked(self, change) -> None:
        if change["new"] is not None:
            self.view.set_html(render(change["new"], self.guides))

    def __repr__(self) -> str:
        return (f"<side-by-side viewer: {theme_name(self.picker.value or '')!r}; "
                "run this cell to show the viewer>")

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = dict(self.box._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/plain"] = repr(self)
        return bundle
