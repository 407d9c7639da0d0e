"""Read-only viewer: what each article says on a theme, with ¶ links to the reading guides."""

from __future__ import annotations

import html

SOURCE_NAMES = {"wola": "WOLA Q&A (Feb 2025)", "filter": "Filter article (Oct 2023)"}


def guide_link(source: str, paragraph: int, guides: str = "../source_texts") -> str:
    """Relative link to a paragraph of a reading guide, e.g. ``../source_texts/wola.md#p14``."""
    return f"{guides}/{source}.md#p{paragraph}"


def cite(source: str, paragraph: int) -> str:
    return f"{'WOLA' if source == 'wola' else 'Filter'} ¶{paragraph}"


def _column_html(claims, source: str, guides: str) -> str:
    rows = claims[claims["source"] == source]
    if rows.empty:
        return f"<h5>{SOURCE_NAMES[source]}</h5><p><i>Nothing on this theme.</i></p>"
    items = []
    for row in rows.itertuples():
        link = guide_link(source, row.paragraph, guides)
        items.append(
            f"<li><a href='{link}'>{cite(source, row.paragraph)}</a> · {html.escape(str(row.speaker))} "
            f"<small>[{row.claim_type}]</small><br>{html.escape(str(row.paraphrase))}</li>"
        )
    return f"<h5>{SOURCE_NAMES[source]}</h5><ul>{''.join(items)}</ul>"


def render(theme: str, guides: str = "../source_texts") -> str:
    """HTML for one theme: two columns, one per article."""
    from .datasets import load

    claims = load("claims")
    picked = claims[claims["theme"] == theme]
    if picked.empty:
        themes = ", ".join(sorted(claims["theme"].unique()))
        raise ValueError(f"No claims with theme {theme!r}. Themes: {themes}")
    cols = "".join(
        f"<div style='flex:1;min-width:16em;padding:0 0.5em'>{_column_html(picked, s, guides)}</div>"
        for s in SOURCE_NAMES
    )
    return (f"<div role='region' aria-label='Side by side: {html.escape(theme)}' "
            f"style='display:flex;flex-wrap:wrap'>{cols}</div>")


class SideBySide:
    """A theme picker over :func:`render`; paraphrases only (the articles are not republished)."""

    def __init__(self, theme: str | None = None, guides: str = "../source_texts"):
        import ipywidgets as w

        from .datasets import load

        themes = sorted(load("claims")["theme"].unique())
        self.guides = guides
        self.picker = w.Dropdown(options=themes, value=theme or themes[0], description="Theme",
                                 tooltip="Theme to compare")
        self.view = w.HTML(render(self.picker.value, guides))
        self.picker.observe(lambda change: setattr(self.view, "value", render(change["new"], self.guides)),
                            names="value")
        self.box = w.VBox([self.picker, self.view])

    def __repr__(self) -> str:
        return f"<side-by-side viewer: theme {self.picker.value!r}; pick a theme in JupyterLab>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = dict(self.box._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/plain"] = repr(self)
        return bundle
