"""What a student meets on the way through the course, checked without a browser.

- Practice feedback: every item is said in words, with right or not, why, and a working link (¶ or data).
- Every ``ref`` in the practice and key files becomes links whose files and anchors exist.
- No item gives its answer away: an item that asks *which article* must not show that article's name
  before the student answers (its ``ref`` is shown only after checking).
- A task marked as needing no code never asks the student to write or edit code.
- The course's widgets use no HTML headings (the notebook's Markdown has them at the right level), and theme
  menus show words, not ids.
"""

from __future__ import annotations

import html
import re
import tomllib
from pathlib import Path

import ipywidgets as w
import nbformat
import pytest

from border_bargains.core.answers import AnswerStore
from border_bargains.core.specs import load_exercises, load_key, load_practice
from border_bargains.student.controls import Choice, LinkedHTML, TypedInput
from border_bargains.student.refs import RefRenderer, articles_named, file_anchors
from border_bargains.student.widgets import ExerciseWidget

REPO = Path(__file__).resolve().parents[2]
PRACTICE = sorted((REPO / "src" / "border_bargains" / "practice").glob("*.toml"))
ASSIGNMENTS = sorted(p.name for p in (REPO / "solutions").iterdir() if (p / "answer_key.toml").exists())
LESSONS = REPO / "lessons"


# ---------------------------------------------------------------------------------------------- helpers
def visible_text(widget: w.Widget) -> str:
    """Everything a widget shows (and names) before the student does anything: labels, refs, HTML text."""
    parts: list[str] = []

    def walk(node):
        if isinstance(node, Choice | TypedInput):
            parts.extend([node.number, node.text, node.ref, node.name])
        elif isinstance(node, LinkedHTML):
            parts.append(html.unescape(re.sub(r"<[^>]+>", " ", node.html)))
        elif isinstance(node, w.HTML):
            parts.append(html.unescape(re.sub(r"<[^>]+>", " ", node.value)))
        for child in getattr(node, "children", ()):
            walk(child)

    walk(widget)
    return " ".join(p for p in parts if p)


def answer_articles(label: str) -> set[str]:
    """The article(s) an answer names: "WOLA only" → {WOLA}; "Both"/"both articles" → {WOLA, Filter}.

    An answer names an article when its words name WOLA or Filter (the two source articles), or when it is
    "both" in an item whose choices name the articles. "Neither" names none, so it cannot be given away.
    """
    named = articles_named(label)
    if re.match(r"\s*both\b", label, re.IGNORECASE):
        named = {"WOLA", "Filter"}
    return named


def giveaways(spec, widget, entries) -> list[str]:
    """Items of one exercise whose visible text names the article that is their answer."""
    found = []
    for item in spec.items:
        if not any(articles_named(o.label) for o in item.options):
            continue  # the item does not ask which article
        answer = entries[item.id].answer
        label = next(o.label for o in item.options if o.value == answer)
        wanted = answer_articles(label)
        control = widget.controls[item.id]
        shown = visible_text(control) if spec.kind != "grid" else visible_text(control) + " " + item.text
        if wanted and wanted <= articles_named(shown):
            found.append(f"{spec.id}/{item.id}: shows {shown!r}, answer {label!r}")
    return found


def practice_widgets(path: Path, tmp_path: Path):
    specs, key = load_practice(path)
    store = AnswerStore(tmp_path / f"{path.stem}.json", persist=False, announce=None)
    for spec in specs.values():
        yield spec, key, ExerciseWidget(spec, store, practice_key=key)


# ---------------------------------------------------------------------------------------------- feedback
@pytest.mark.parametrize("path", PRACTICE, ids=lambda p: p.stem)
def test_practice_feedback_says_each_item_why_and_where(path, tmp_path, monkeypatch):
    monkeypatch.chdir(LESSONS)
    for spec, key, widget in practice_widgets(path, tmp_path):
        for n, item in enumerate(spec.items):
            right = key.items[spec.id][item.id].answer
            wrong = next((o.value for o in item.options if o.value != right), right)
            widget.set_answers({item.id: right if n % 2 else wrong})
        feedback = widget.check()
        items = re.findall(r"<li>(.*?)</li>", feedback)
        assert len(items) == len(spec.items)
        for item, line in zip(spec.items, items, strict=True):
            words = html.escape(item.text.rstrip("."), quote=True)
            assert words in line, f"{spec.id}/{item.id}: the item is said in words"
            assert not re.search(r"\b(Place|Position of):", line)
            assert "✓ right" in line or "✗ not yet right" in line
            assert "Why: " in line, f"{spec.id}/{item.id}: right or wrong, the feedback says why"
            assert re.search(r'<a href="[^"]+">', line), f"{spec.id}/{item.id}: a link to read: {line}"
            assert not re.search(r"Read: [a-z_]+\.", line), "no bare dataset ids"
        assert "Checked:" in widget.check_button.announcement


def all_refs() -> set[str]:
    refs: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "ref" and isinstance(v, str):
                    refs.add(v)
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for path in [*PRACTICE, *(REPO / "solutions").glob("*/*.toml")]:
        walk(tomllib.loads(path.read_text(encoding="utf-8")))
    return refs


def test_every_ref_links_to_a_file_and_anchor_that_exist():
    renderer = RefRenderer("../source_texts", base=LESSONS)
    problems = []
    for ref in sorted(all_refs()):
        links = renderer.links(ref)
        if not links:
            problems.append(f"{ref!r}: no link")
        for link in links:
            target, _, fragment = link.partition("#")
            path = (LESSONS / target).resolve()
            if not path.exists():
                problems.append(f"{ref!r}: {target} does not exist")
                continue
            explicit, headings = file_anchors(path)
            anchors = set(explicit) | {anchor for _words, anchor in headings}
            if fragment and fragment not in anchors:
                problems.append(f"{ref!r}: no #{fragment} in {target}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("ref, words", [
    ("events 2024-06", "timeline, June 2024"),
    ("sw_border_encounters", "the Southwest border encounters dataset (sw_border_encounters)"),
    ("WOLA ¶24–¶25; Filter ¶27, ¶30", "WOLA ¶24–¶25; Filter ¶27, ¶30"),
    ("glossary.md#hlsd", "glossary: High-Level Security Dialogue"),
])
def test_refs_read_as_words(ref, words):
    assert RefRenderer("../source_texts", base=LESSONS).words(ref) == words


# ---------------------------------------------------------------------------------------------- giveaways
@pytest.mark.parametrize("path", PRACTICE, ids=lambda p: p.stem)
def test_no_practice_item_names_the_article_that_is_its_answer(path, tmp_path, monkeypatch):
    monkeypatch.chdir(LESSONS)
    problems = []
    for spec, key, widget in practice_widgets(path, tmp_path):
        problems += giveaways(spec, widget, key.items[spec.id])
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_graded_item_names_the_article_that_is_its_answer(assignment, tmp_path, monkeypatch):
    from border_bargains.student.course import Assignment

    folder = tmp_path / assignment
    folder.mkdir()
    (folder / "exercise_items.toml").write_bytes((REPO / "exercises" / assignment / "exercise_items.toml").read_bytes())
    monkeypatch.chdir(folder)
    course = Assignment(assignment)
    _name, specs = load_exercises(REPO / "solutions" / assignment / "exercise_items.toml")
    key = load_key(REPO / "solutions" / assignment / "answer_key.toml", specs)
    problems = []
    for spec in course.specs.values():
        problems += giveaways(spec, course.exercise(spec.id), key.items[spec.id])
    assert not problems, "\n".join(problems)


def test_the_giveaway_check_catches_a_ref_that_names_the_answer(tmp_path, monkeypatch):
    """Control: a "which article" item whose ref names its answer fails the check unless the widget hides it."""
    import border_bargains.student.widgets as widgets

    practice = tmp_path / "p.toml"
    practice.write_text('''
[[exercise]]
id = "which"
kind = "classify"
title = "Which article?"
prompt = "Choose."
categories = ["WOLA only", "Filter only", "Both", "Neither"]
items = [{ id = "x", text = "Warns against force.", answer = "WOLA only", why = "Brewer.", ref = "WOLA ¶24" }]
''', encoding="utf-8")
    [(spec, key, widget)] = list(practice_widgets(practice, tmp_path))
    assert giveaways(spec, widget, key.items["which"]) == [], "the widget hides the ref before checking"
    assert "WOLA ¶24" in widget.check(), "and shows it in the feedback"
    monkeypatch.setattr(widgets, "asks_for_an_article", lambda item: False)
    [(spec, key, widget)] = list(practice_widgets(practice, tmp_path))
    assert giveaways(spec, widget, key.items["which"]), "a shown 'WOLA ¶24' gives the answer away"


# ---------------------------------------------------------------------------------------------- no code
# A task is marked as needing no code by a Markdown cell tagged "no-code", or by one of these phrases. A mark in
# the notebook's opening cells (before the first exercise or task heading: the H1 cell, "How to answer", "How to
# use this lesson") covers the whole notebook; elsewhere it covers its section, up to the next heading of the
# same or a higher level.
NO_CODE_PHRASES = re.compile(r"no code (is )?needed|needs? no cod(e|ing)|do not need to write code|"
                             r"without (writing )?code", re.IGNORECASE)
# Asking the student to write or edit code (an optional "in code, if you like" is not asking).
ASKS_FOR_CODE_MD = re.compile(
    r"\b(edit|change|complete|fill in|modify|fix|replace)\b[^.\n]{0,40}\b(the|this|that|next|a) "
    r"(code|cell|line|python|variable|function)\b|\bwrite (some |a line of |your own )?(code|python)\b|"
    r"\btype (your |the )?code\b|YOUR CODE HERE", re.IGNORECASE)
ASKS_FOR_CODE_CODE = re.compile(r"YOUR CODE HERE|raise NotImplementedError|#\s*(TODO|edit|change|replace|fill)"
                                r"\b|=\s*\.\.\.\s*(#|$)|=\s*None\s*#\s*(your|replace|fill)", re.IGNORECASE | re.M)
# Not a request: "you do not need to write code", "if you want to experiment, change a code cell", "optional".
NEGATED = re.compile(r"\b(not|no|never|don't|do not|without|needn't|nothing to|if you (want|like|wish)|optional(ly)?"
                     r"|you (may|can|could))\b[^.]{0,40}$", re.IGNORECASE)
HEADING = re.compile(r"^(#{1,6})\s", re.M)


def _asks(pattern, text: str):
    """The first request for code in ``text`` ("you do not need to write code" is not one)."""
    for found in pattern.finditer(text):
        if not NEGATED.search(text[max(0, found.start() - 40):found.start()]):
            return found
    return None


def _level(cell) -> int | None:
    if cell.cell_type != "markdown":
        return None
    found = HEADING.search(cell.source)
    return len(found.group(1)) if found else None


def no_code_problems(nb) -> list[str]:
    """Cells that ask for code inside a task marked as needing none."""
    cells = nb.cells
    first_task = next((i for i, c in enumerate(cells) if (c.cell_type == "code" and "exercise(" in c.source)
                       or ((_level(c) or 9) <= 2 and i > 0 and not re.search(r"how to", c.source[:40], re.I))),
                      len(cells))
    scopes = []
    for i, cell in enumerate(cells):
        marked = cell.cell_type == "markdown" and ("no-code" in cell.metadata.get("tags", [])
                                                   or NO_CODE_PHRASES.search(cell.source))
        if not marked:
            continue
        if i < first_task:
            scopes.append((0, len(cells)))
            continue
        start = max(j for j in range(i + 1) if _level(cells[j]) is not None or j == 0)
        level = _level(cells[start]) or 1
        end = next((j for j in range(i + 1, len(cells)) if (_level(cells[j]) or 9) <= level), len(cells))
        scopes.append((start, end))
    problems = []
    for start, end in scopes:
        for j in range(start, end):
            cell = cells[j]
            pattern = ASKS_FOR_CODE_CODE if cell.cell_type == "code" else ASKS_FOR_CODE_MD
            found = _asks(pattern, cell.source)
            if found:
                problems.append(f"cell {j} asks for code ({found.group(0)!r}) in a no-code task (from cell {start})")
    return sorted(set(problems))


STUDENT_NOTEBOOKS = sorted([*LESSONS.glob("*.ipynb"), *(REPO / "exercises").glob("*/*.ipynb")])


@pytest.mark.parametrize("path", STUDENT_NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_code_tasks_never_ask_for_code(path):
    assert no_code_problems(nbformat.read(path, as_version=4)) == []


def test_the_no_code_check_catches_a_request_for_code():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Assignment\n\n**No code is needed.**"),
        nbformat.v4.new_markdown_cell("## Part 1\n\nEdit the code below to set your answer."),
        nbformat.v4.new_code_cell("answer = ...  # your answer"),
    ]
    assert len(no_code_problems(nb)) == 2
    tagged = nbformat.v4.new_notebook()
    tagged.cells = [
        nbformat.v4.new_markdown_cell("# Lesson"),
        nbformat.v4.new_markdown_cell("## A task\n\nChoose in the widget.", metadata={"tags": ["no-code"]}),
        nbformat.v4.new_code_cell("# YOUR CODE HERE\nraise NotImplementedError()"),
        nbformat.v4.new_markdown_cell("## Optional: in code\n\nWrite code to recompute it."),
    ]
    assert no_code_problems(tagged) == ["cell 2 asks for code ('YOUR CODE HERE') in a no-code task (from cell 1)"]


# ---------------------------------------------------------------------------------------------- looks
def test_widgets_use_no_headings_and_themes_have_names(tmp_path, monkeypatch):
    from border_bargains.student.side_by_side import SideBySide

    monkeypatch.chdir(LESSONS)
    viewer = SideBySide("gun_trafficking")
    assert not re.search(r"<h\d", viewer.view.html)
    assert ("Gun trafficking", "gun_trafficking") in viewer.picker.options
    assert all("_" not in label for label, _value in viewer.picker.options)
    assert '<a href=\'../source_texts/wola.md#p27\'>' in viewer.view.html
    for path in PRACTICE[:1]:
        for _spec, _key, widget in practice_widgets(path, tmp_path):
            assert not re.search(r"<h\d", " ".join(c.value for c in widget.box.children if isinstance(c, w.HTML)))


def test_tables_left_align_sentences_and_keep_numbers_right():
    import pandas as pd

    from border_bargains.student.tables import dataframe_html

    frame = pd.DataFrame({"year": [2019, 2024], "event": ["A long sentence.", "Another one."], "value": [1.5, 2.0]})
    html_text = dataframe_html(frame)
    assert ".bb-text-cols-3 td:nth-child(3)" in html_text and "text-align:left" in html_text
    assert "nth-child(2)" not in html_text and "nth-child(4)" not in html_text, "numbers stay right-aligned"
    assert html_text == dataframe_html(frame), "the same table gives the same output (nbval)"


# ---------------------------------------------------------------------------------------------- reading comfort
def test_tables_show_quantities_with_thousands_separators_and_years_as_they_are():
    import pandas as pd

    from border_bargains.student.tables import dataframe_html

    frame = pd.DataFrame({"year": [2023, 2024], "fiscal_year": [2019, 2020], "value": [2475669, 14699.88]})
    cells = re.findall(r"<td>(.*?)</td>", dataframe_html(frame))
    assert cells == ["2023", "2019", "2,475,669", "2024", "2020", "14,699.88"], cells


def test_long_table_text_is_cut_between_words_never_inside_one():
    import pandas as pd

    from border_bargains.student.tables import dataframe_html

    text = "Mexico deploys National Guard troops to its southern border after the June 2019 tariff threat"
    with pd.option_context("display.max_colwidth", 50):
        shown = re.findall(r"<td>(.*?)</td>", dataframe_html(pd.DataFrame({"event": [text]})))[0]
    assert len(shown) <= 50 and shown.endswith("…"), shown
    assert text.startswith(shown[:-1]) and text[len(shown) - 1] == " ", f"cut inside a word: {shown!r}"


def test_the_series_explorer_shows_a_missing_year_as_a_gap_and_each_rows_coverage(monkeypatch):
    """FY2020 has no USBP apprehensions row in the data: the chart keeps its place ("no data"), the table says so."""
    from border_bargains.student.datasets import load
    from border_bargains.student.explorers import SeriesExplorer, gaps

    frame = load("sw_border_encounters")
    assert 2020 in gaps(frame, "usbp_apprehensions", 2015, 2025), "the data still has the FY2020 gap this checks"
    explorer = SeriesExplorer("Southwest border encounters: usbp apprehensions", years=(2015, 2025))
    view = explorer.view.html
    assert "no data for 2020" in view, "the chart's text says the year is missing"
    assert re.search(r"<tr class='bb-gap'><td class='bb-num'>2020</td>", view), "the table lists the gap"
    assert "<th>Coverage</th>" in view and "Southwest land border" in view
    assert re.search(r"<td class='bb-num'>\d,\d{3},\d{3}</td>", view), "counts with thousands separators"


def test_the_chart_keeps_a_missing_year_on_its_axis():
    import pandas as pd

    from border_bargains.student.plots import bar_chart

    values = pd.Series([1.0, float("nan"), 3.0], index=[2019, 2020, 2021])
    chart = bar_chart(values, title="t", ylabel="y", xlabel="x", alt="a", source="s", gap_words={"2020": "gap here"})
    assert "<img" in chart._repr_html_(), "a missing value draws no bar and the chart still renders"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_graded_exercises_link_their_references_to_the_released_guides(assignment, monkeypatch):
    """In the released folder, each graded exercise's shown ¶ references are links to files (and anchors) that the
    release carries; every long menu repeats its chosen option in full under it."""
    from border_bargains.student.course import Assignment
    from border_bargains.student.widgets import LONG_OPTION

    release = REPO / "exercises" / assignment
    monkeypatch.chdir(release)
    course = Assignment(assignment)
    course.store.persist = False  # never write an answers file into exercises/
    linked = 0
    for spec in course.specs.values():
        widget = course.exercise(spec.id)
        for block in widget.reading:
            for href in re.findall(r'href="([^"]+)"', block.html):
                path, _, anchor = href.partition("#")
                target = (release / path).resolve()
                assert target.is_file(), f"{spec.id}: {href} leads nowhere in the release"
                if anchor:
                    explicit, headings = file_anchors(target)
                    assert anchor in explicit or anchor in {a for _w, a in headings}, f"{spec.id}: no #{anchor}"
                linked += 1
        for item in spec.items:
            control = widget.controls[item.id]
            if isinstance(control, Choice) and control.component == "select":
                if max(len(label) for label in control.labels) > LONG_OPTION:
                    assert control.show_choice, f"{spec.id}/{item.id}: a long option would be cut off when chosen"
    shown = sum(1 for spec in course.specs.values() for item in spec.items if item.ref)
    assert linked or not shown, f"{assignment}: items have references but none is a link"


def test_a_chart_legend_stays_clear_of_the_data():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from border_bargains.student.plots import place_legend

    fig, ax = plt.subplots(figsize=(7.5, 4))
    for n in range(3):  # lines that fill every corner of the plot, where matplotlib's "best" would still land
        ax.plot([2015, 2025], [0, 100 * (n + 1)], label=f"series {n}")
        ax.plot([2015, 2025], [100 * (n + 1), 0])
    ax.set_xlabel("Fiscal year")
    legend = place_legend(ax, 3)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box, plot, label = (legend.get_window_extent(renderer), ax.get_window_extent(renderer),
                        ax.xaxis.label.get_window_extent(renderer))
    plt.close(fig)
    assert not box.overlaps(plot), "the legend covers the plotting area"
    assert not box.overlaps(label), "the legend covers the axis label"



# ---------------------------------------------------------------------------------------------- text matches screen
CONTROL_WORDS = {"slider": r"\bsliders?\b", "select": r"\b(?:menus?|drop-?downs?)\b", "button": r"\bbuttons?\b",
                 "checkbox": r"\bcheck ?box(?:es)?\b", "typed": r"\btext box(?:es)?\b"}


def controls_of(widget) -> set[str]:
    """The kinds of control a widget shows: select, radio, typed, button, slider, checkbox."""
    found = set()

    def walk(node):
        if isinstance(node, Choice):
            found.add(node.component)
        elif isinstance(node, TypedInput):
            found.add("typed")
        elif type(node).__name__ == "ActionButton" or isinstance(node, w.Button):
            found.add("button")
        elif "Slider" in type(node).__name__:
            found.add("slider")
        elif isinstance(node, w.Checkbox):
            found.add("checkbox")
        for child in getattr(node, "children", ()):
            walk(child)

    walk(widget)
    return found


def explorer_instructions():
    """(lesson, instruction text, the explorer it describes) for every series explorer in the lessons."""
    from border_bargains.student.explorers import SeriesExplorer

    for path in sorted(LESSONS.glob("*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        for n, cell in enumerate(cells):
            call = re.search(r"bb\.SeriesExplorer\((.*)\)", cell.source) if cell.cell_type == "code" else None
            if call and n and cells[n - 1].cell_type == "markdown":
                explorer = eval(f"SeriesExplorer({call.group(1)})", {"SeriesExplorer": SeriesExplorer})  # its arguments
                yield path.name, cells[n - 1].source, explorer


def mismatches(text: str, explorer) -> list[str]:
    shown = controls_of(explorer.box)
    wrong = [f"names a {kind} the explorer does not have" for kind, pattern in CONTROL_WORDS.items()
             if re.search(pattern, text, re.IGNORECASE) and kind not in shown]
    if re.search(r"\bjoins\b.*\bline\b|\bone line\b", text):  # the explorer draws bars, gaps kept
        wrong.append("speaks of a line joining years; the explorer draws bars and shows a missing year as a gap")
    return wrong


def test_the_explorer_check_catches_a_control_that_is_not_there(monkeypatch):
    from border_bargains.student.explorers import SeriesExplorer

    monkeypatch.chdir(LESSONS)
    explorer = SeriesExplorer()
    assert mismatches("Use the slider to change the years.", explorer)
    assert not mismatches("Use the series menu and the two year menus.", explorer)


def test_lesson_instructions_name_only_controls_the_explorer_has(monkeypatch):
    monkeypatch.chdir(LESSONS)
    found = [(lesson, mismatches(text, explorer)) for lesson, text, explorer in explorer_instructions()]
    assert found, "no series explorer found in the lessons"
    problems = [f"{lesson}: {', '.join(wrong)}" for lesson, wrong in found if wrong]
    assert not problems, "\n".join(problems)
