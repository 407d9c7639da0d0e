"""References ("WOLA ¶14", "glossary: FTO", "events 2024-06", "sw_border_encounters") as words and links.

Exercise and key files point students somewhere with a short ``ref``. The formats in use are read here, so the
files stay as they are:

- ``WOLA ¶N``, ``Filter ¶N``, ranges ``WOLA ¶N–¶M`` and lists ``Filter ¶7, ¶33`` → the reading guide's paragraph
  (``wola.md#pN``); a speaker before it (``Brewer, WOLA ¶11``) is kept as words;
- ``glossary: term`` and ``glossary.md#id`` → the glossary entry;
- ``positions.md §N`` → that section of the positions note;
- ``events 2024-06``, ``events: 2019-05-30-some-event``, ``context_timeline.md 2019-05-30`` → the context timeline
  at that year, said as a date ("June 2024");
- a dataset name (``sw_border_encounters``, ``figures: some-row``) → its section of the data dictionary
  (``docs/datasets.md``);
- anything else stays as plain words.

Links are relative to the notebook, like the links in the lessons' Markdown (``guides`` is the path from the
notebook's folder to ``source_texts``; the data dictionary is ``docs/datasets.md`` beside it). Section anchors
are read from the guide files themselves when they are there; otherwise the link opens the file at the top.
"""

from __future__ import annotations

import html
import posixpath
import re
from functools import lru_cache
from pathlib import Path

from border_bargains.student.datasets import REGISTRY

ARTICLES = {"WOLA": "wola", "Filter": "filter"}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
DATE = r"\d{4}(?:-\d{2}){0,2}"
_TOKEN = re.compile(
    r"(?P<article>\b(?:WOLA|Filter))\s+¶(?P<p1>\d+)(?:\s*[–-]\s*¶(?P<p2>\d+))?"
    r"|(?<![\w¶])¶(?P<c1>\d+)(?:\s*[–-]\s*¶(?P<c2>\d+))?"
    r"|glossary(?:\.md)?#(?P<gid>[\w-]+)"
    r"|glossary:\s*(?P<term>[^;,(]+?)(?=\s*(?:[;,(]|$))"
    r"|positions\.md(?:\s*§\s*(?P<section>\d+))?"
    r"|context_timeline\.md(?:\s+(?P<tdate>" + DATE + r"))?"
    r"|\bevents:?\s+(?P<edate>" + DATE + r")(?:-[a-z][\w-]*)?"
    r"|(?<=, )(?P<more>" + DATE + r")(?:-[a-z][\w-]*)?"
    r"|\bfigures:\s*(?P<figure>[\w-]+)"
    r"|\b(?P<dsword>claims|events|figures) dataset\b"
    r"|\b(?P<dataset>" + "|".join(sorted((n for n in REGISTRY if "_" in n), key=len, reverse=True)) + r")\b"
    r"|\b(?P<guide>wola|filter)\.md\b"
)


def header_id(text: str) -> str:
    """The id JupyterLab gives a Markdown heading: its text with spaces as hyphens."""
    return re.sub(r"[`*]", "", text.strip()).replace(" ", "-")


@lru_cache(maxsize=32)
def _anchors(path: str, mtime: float) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Explicit ``<a id>`` anchors and (heading text, id) pairs of one Markdown file."""
    text = Path(path).read_text(encoding="utf-8")
    explicit: dict[str, str] = {}
    headings: list[tuple[str, str]] = []
    pending = None
    for line in text.splitlines():
        found = re.match(r'\s*<a id="([^"]+)"></a>\s*$', line)
        if found:
            pending = found.group(1)
            continue
        for inline in re.finditer(r'<a id="([^"]+)"></a>', line):  # "<a id="p14"></a>**¶14** · …"
            explicit[inline.group(1)] = re.sub(r"<[^>]+>", "", line).strip()
        heading = re.match(r"#{1,6}\s+(.*)$", line)
        if heading:
            words = heading.group(1).strip()
            headings.append((words, pending or header_id(words)))
            if pending:
                explicit[pending] = words
        if line.strip():
            pending = None
    return explicit, headings


def file_anchors(path: Path) -> tuple[dict[str, str], list[tuple[str, str]]]:
    try:
        return _anchors(str(path.resolve()), path.stat().st_mtime)
    except OSError:
        return {}, []


def _simplify(words: str) -> str:
    return re.sub(r"[^a-z0-9§]+", " ", words.lower().split("(")[0]).strip()


class RefRenderer:
    """Turns refs into HTML with links (``guides`` relative to the notebook) or into plain words."""

    def __init__(self, guides: str | None = "../source_texts", base: Path | None = None):
        self.guides = guides.rstrip("/") if guides else None
        self.base = base or Path.cwd()

    # ---------------------------------------------------------------- targets
    def _file(self, name: str) -> Path:
        return self.base / self.guides / name if self.guides else Path(name)

    def _href(self, name: str, fragment: str = "") -> str:
        return posixpath.normpath(f"{self.guides}/{name}") + (f"#{fragment}" if fragment else "")

    def _heading(self, name: str, match) -> str:
        """The id of the first heading of ``name`` whose words satisfy ``match`` ("" if none)."""
        for words, anchor in file_anchors(self._file(name))[1]:
            if match(words):
                return anchor
        return ""

    def _glossary(self, term: str) -> str:
        want = _simplify(term)
        return self._heading("glossary.md", lambda words: _simplify(words).startswith(want)) if want else ""

    def _dataset_href(self, dataset: str) -> str:
        # docs/datasets.md sits beside source_texts/: "## 6. `sw_border_encounters.csv`".
        name = "../docs/datasets.md"
        anchor = self._heading(name, lambda words: f"{dataset}.csv" in words.replace("`", ""))
        return self._href(name, anchor)

    # ---------------------------------------------------------------- words
    @staticmethod
    def date_words(date: str) -> str:
        parts = date.split("-")
        if len(parts) == 3:
            return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1][:3]} {parts[0]}"
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
        return parts[0]

    def pieces(self, ref: str) -> list[tuple[str, str | None]]:
        """The ref as (words, href or None) pieces, in order."""
        out: list[tuple[str, str | None]] = []
        for n, segment in enumerate(ref.split(";")):
            if n:
                out.append(("; ", None))
            segment = segment.strip()
            article = None
            events = False
            pos = 0
            for m in _TOKEN.finditer(segment):
                words, href = self._token(m, article, events)
                if words is None:
                    continue
                if m.group("article"):
                    article = m.group("article")
                if m.group("edate") or m.group("tdate"):
                    events = True
                out.append((segment[pos:m.start()], None))
                out.append((words, href))
                pos = m.end()
            out.append((segment[pos:], None))
        return [(words, href) for words, href in out if words]

    def _token(self, m, article: str | None, events: bool):
        g = m.group
        if g("article") or g("c1"):
            source = ARTICLES[g("article") or article] if (g("article") or article) else None
            if source is None:
                return None, None
            first, last = g("p1") or g("c1"), g("p2") or g("c2")
            words = ((g("article") + " ") if g("article") else "") + f"¶{first}" + (f"–¶{last}" if last else "")
            return words, self._href(f"{source}.md", f"p{first}")
        if g("gid"):
            words = file_anchors(self._file("glossary.md"))[0].get(g("gid"), g("gid").replace("-", " "))
            return f"glossary: {words}", self._href("glossary.md", g("gid"))
        if g("term"):
            term = g("term").strip()
            return f"glossary: {term}", self._href("glossary.md", self._glossary(term))
        if m.group(0).startswith("positions.md"):
            section = g("section")
            anchor = self._heading("positions.md", lambda words: words.startswith(f"{section}. ")) if section else ""
            return (f"positions.md §{section}" if section else "positions.md"), self._href("positions.md", anchor)
        if m.group(0).startswith("context_timeline.md"):
            date = g("tdate")
            words = f"timeline, {self.date_words(date)}" if date else "the context timeline"
            return words, self._href("context_timeline.md", date[:4] if date else "")
        if g("edate") or (g("more") and events):
            date = g("edate") or g("more")
            words = f"timeline, {self.date_words(date)}" if g("edate") else self.date_words(date)
            return words, self._href("context_timeline.md", date[:4])
        if g("more"):
            return None, None
        if g("figure"):
            return f"figures dataset, row {g('figure')}", self._dataset_href("figures")
        if g("dsword"):
            return f"{g('dsword')} dataset", self._dataset_href(g("dsword"))
        if g("dataset"):
            name = g("dataset")
            return f"the {REGISTRY[name].title} dataset ({name})", self._dataset_href(name)
        if g("guide"):
            return f"{g('guide')}.md", self._href(f"{g('guide')}.md")
        return None, None

    # ---------------------------------------------------------------- output
    def html(self, ref: str) -> str:
        parts = []
        for words, href in self.pieces(ref):
            text = html.escape(words)
            parts.append(f"<a href=\"{html.escape(href)}\">{text}</a>" if href and self.guides else text)
        return "".join(parts)

    def words(self, ref: str) -> str:
        return "".join(words for words, _href in self.pieces(ref))

    def links(self, ref: str) -> list[str]:
        return [href for _words, href in self.pieces(ref) if href]

    def pointers_html(self, text: str) -> str:
        """Links to what a sentence cites ("… (WOLA ¶5; events dataset)"), for an item that has no ``ref``."""
        seen, parts = set(), []
        for words, href in self.pieces(text):
            if href and href not in seen and self.guides:
                seen.add(href)
                parts.append(f"<a href=\"{html.escape(href)}\">{html.escape(words)}</a>")
        return "; ".join(parts)


ARTICLE_WORDS = re.compile(r"\b(WOLA|Filter)\b")


def articles_named(text: str) -> set[str]:
    """Which of the two articles a text names: {"WOLA"}, {"Filter"}, both or none ("filter.md" counts)."""
    names = set(ARTICLE_WORDS.findall(text))
    if re.search(r"\bwola\.md\b", text):
        names.add("WOLA")
    if re.search(r"\bfilter\.md\b", text):
        names.add("Filter")
    return names
