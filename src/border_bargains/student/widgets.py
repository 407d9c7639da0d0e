"""Front ends for the exercise kinds.

Every control is a native, labelled element from :mod:`.controls` (a ``<select>`` for choices, one
radio group per scale item, a text box for numbers and short texts) that JupyterLab's command-mode shortcuts
leave alone, so an exercise can be answered with the keyboard alone. Every change is written to the
:class:`~border_bargains.core.answers.AnswerStore` at once, and a status line says in words how many items are
answered, so nothing depends on colour.

Building a widget never waits for a front end: in nbgrader, nbval or papermill the widget is created, its saved
answers are loaded, and the cell moves on.
"""

from __future__ import annotations

import html

import ipywidgets as w

from border_bargains.core.answers import AnswerStore
from border_bargains.core.scoring import mark, score_items
from border_bargains.core.specs import TYPED_KINDS, AnswerKey, ExerciseSpec, Item
from border_bargains.core.typed_answers import TypedAnswerProblem, clean_text, format_number, parse_number
from border_bargains.student.controls import ActionButton, Choice, LinkedHTML, Styles, TypedInput
from border_bargains.student.refs import RefRenderer, articles_named

# A menu option longer than this is repeated in full under the closed menu (the menu cuts it off).
LONG_OPTION = 40


def item_words(spec: ExerciseSpec, item: Item) -> str:
    """An item in words, as the student reads it (a grid cell: "case — dimension")."""
    return item.text


def short_name(item: Item) -> str:
    """The item's short label from the exercise file (its text when it has none)."""
    return item.name or item.label


def asks_for_an_article(item: Item) -> bool:
    """True when the item's choices name the articles (WOLA, Filter): "which article says it?" items.

    For such an item a reference such as "WOLA ¶16" would give the answer away, so it is shown only in the
    feedback after checking.
    """
    return any(articles_named(option.label) for option in item.options)


def _shown(spec: ExerciseSpec, item: Item, value) -> str:
    """A saved typed answer as the box shows it."""
    if value is None:
        return ""
    return format_number(value) if spec.kind == "number" else str(value)


class TypedBox:
    """A text box for a number or a short text: what is typed is read, saved, and confirmed in words.

    The value is saved when the student presses Enter or leaves the box, never half-typed. Anything that
    cannot be read gets one plain sentence beside the box (read out by screen readers) and leaves the saved
    answer as it was; nothing raises into the notebook.
    """

    def __init__(self, spec: ExerciseSpec, item: Item, saved, number: str, on_saved, *, ref: str = ""):
        self.spec, self.item, self.saved = spec, item, saved
        self._on_saved = on_saved
        placeholder = item.placeholder or ("e.g. 1234.5" if spec.kind == "number" else "a few words")
        name = short_name(item)
        self.control = TypedInput(value=_shown(spec, item, saved), placeholder=placeholder, number=number,
                                  text=item.text, ref=ref, unit=item.unit if spec.kind == "number" else "",
                                  name="" if name == item.text else name)
        self.control.observe(self._changed, names="value")
        self.box = self.control

    @property
    def message(self) -> str:
        return self.control.message

    def _changed(self, change) -> None:
        typed = change["new"]
        if not typed.strip():
            self.saved = None
            self._on_saved(self.item.id, None)
            self._say("Cleared: no answer is saved for this box.")
            return
        try:
            value = parse_number(typed, self.item.unit) if self.spec.kind == "number" else clean_text(typed)
        except TypedAnswerProblem as problem:
            still = (f" Your saved answer is still {_shown(self.spec, self.item, self.saved)}."
                     if self.saved is not None else " Nothing is saved for this box yet.")
            self._say(f"✗ Not saved. {problem}{still}", error=True)
            return
        self.saved = value
        self._on_saved(self.item.id, value)
        unit = f" {self.item.unit}" if self.item.unit and self.spec.kind == "number" else ""
        self._say(f"✓ Saved as {_shown(self.spec, self.item, value)}{unit}.")

    def _say(self, text: str, *, error: bool = False) -> None:
        self.control.message_kind = "error" if error else "ok"
        self.control.message = text


class ExerciseWidget:
    """One exercise on screen, bound to a store.

    ``shown_key`` pre-fills the controls with the key (instructor's copy only; the store then does not
    persist). ``practice_key`` enables a Check button with per-item explanations and links (lessons only:
    those keys are public); ``guides`` is the path from the notebook to the reading guides, for those links.
    """

    def __init__(self, spec: ExerciseSpec, store: AnswerStore, *, shown_key: AnswerKey | None = None,
                 practice_key: AnswerKey | None = None, guides: str | None = "../source_texts"):
        self.spec = spec
        self.store = store
        self.practice_key = practice_key
        self.refs = RefRenderer(guides)
        if shown_key is not None:
            saved = {i: e.answer for i, e in shown_key.items[spec.id].items()}
        else:
            saved = store.valid_answers(spec.id, spec.allowed)
        self.controls: dict[str, Choice | TypedInput] = {}
        self.typed: dict[str, TypedBox] = {}
        for n, item in enumerate(spec.items, 1):
            ref = self.shown_ref(item)
            if spec.kind in TYPED_KINDS:
                number = f"{n}." if len(spec.items) > 1 else ""
                box = TypedBox(spec, item, saved.get(item.id), number, self._on_typed, ref=ref)
                self.typed[item.id] = box
                self.controls[item.id] = box.control
                continue
            control = self._choice(item, n, saved.get(item.id), ref)
            control.observe(self._on_change(item.id), names="value")
            self.controls[item.id] = control
        self.status = w.HTML()
        self.status.add_class("bb-status")
        self.feedback = LinkedHTML()
        self.reading = self._reading_links()
        self.box = w.VBox([Styles(), self._header(), self._body(), *self.reading, *self._check_row(), self.status],
                          layout=w.Layout(border="1px solid #767676", padding="0.6em", margin="0.4em 0"))
        self.box.add_class("bb-exercise")
        self.instructor_copy = shown_key is not None
        self._update_status()

    # ---------------------------------------------------------------- layout
    def shown_ref(self, item: Item) -> str:
        """The reference shown beside an item before checking ("" when it would give the answer away)."""
        if not item.ref or asks_for_an_article(item):
            return ""
        return f"({self.refs.words(item.ref)})"

    def _reading_links(self) -> list[LinkedHTML]:
        """Graded exercises: the items' references as links (after the controls, so Tab goes from item to item).

        Practice exercises link them in their Check feedback instead."""
        if self.practice_key is not None or not self.refs.guides:
            return []
        links = []
        for n, item in enumerate(self.spec.items, 1):
            if self.shown_ref(item) and self.refs.links(item.ref):
                link = self.refs.html(item.ref)
                links.append(f"{n}. {link}" if len(self.spec.items) > 1 else link)
        if not links:
            return []
        return [LinkedHTML(f"<p class='bb-read'>Where to read: {' · '.join(links)}</p>")]

    def _choice(self, item: Item, n: int, value, ref: str) -> Choice:
        options = [(o.label, o.value) for o in item.options]
        if self.spec.kind == "grid":
            return Choice(options, value, text=item.label, hide_label=True, show_choice=True)
        name = short_name(item)
        # A closed menu cuts a long option off: the whole chosen text is repeated under it.
        long_options = max((len(o.label) for o in item.options), default=0) > LONG_OPTION
        return Choice(options, value, style="radio" if self.spec.kind == "scale" else "select", number=f"{n}.",
                      text=item.text, ref=ref, name="" if name == item.text else f"{n}. {name}",
                      show_choice=long_options and self.spec.kind != "scale")

    def _header(self) -> w.HTML:
        # Not a heading: the notebook's Markdown above the cell already has the heading at the right level.
        return w.HTML(f"<p class='bb-title' style='margin:0.2em 0'><strong>{html.escape(self.spec.title)}</strong></p>"
                      f"<p style='margin:0.2em 0'>{html.escape(self.spec.prompt)}</p>")

    def _body(self) -> w.Widget:
        if self.spec.kind == "grid":
            return self._grid_body()
        return w.VBox(list(self.controls.values()))

    def _grid_body(self) -> w.Widget:
        rows, cols = self.spec.rows, self.spec.columns
        cells: list[w.Widget] = [w.HTML("<span class='bb-grid-head'>Dimension</span>")]
        cells += [w.HTML(f"<span class='bb-grid-head'>{html.escape(text)}</span>") for _, text in rows]
        for col_id, col_text in cols:
            cells.append(w.HTML(f"<span>{html.escape(col_text)}</span>"))
            cells += [self.controls[f"{row_id}/{col_id}"] for row_id, _ in rows]
        template = "minmax(9em, 1fr) " + " ".join(["minmax(10em, 1.3fr)"] * len(rows))
        grid = w.GridBox(cells, layout=w.Layout(grid_template_columns=template, grid_gap="0.4em 0.6em"))
        grid.add_class("bb-grid")
        return grid

    def _check_row(self) -> list[w.Widget]:
        if self.practice_key is None:
            return []
        self.check_button = ActionButton("Check my answers", on_click=lambda _b: self.check())
        return [self.check_button, self.feedback]

    # ---------------------------------------------------------------- state
    def _on_change(self, item_id: str):
        def handler(change):
            self.store.set(self.spec.id, item_id, change["new"])
            self._update_status()
        return handler

    def _on_typed(self, item_id: str, value) -> None:
        self.store.set(self.spec.id, item_id, value)
        self._update_status()

    def answers(self) -> dict:
        if self.typed:
            return {i: b.saved for i, b in self.typed.items() if b.saved is not None}
        return {i: c.value for i, c in self.controls.items() if c.value is not None}

    def set_answers(self, answers: dict) -> None:
        """Answer in code (an alternative to clicking or typing); unknown ids raise KeyError."""
        for item_id, value in answers.items():
            control = self.controls[item_id]
            control.value = ("" if value is None else str(value)) if item_id in self.typed else value

    def _update_status(self) -> None:
        done, total = len(self.answers()), len(self.spec.items)
        if self.instructor_copy:
            where = "instructor's copy: showing the answer key; nothing is saved here"
        elif self.store.persist and self.practice_key is not None:
            # Practice answers live in lessons/.widget_answers/<lesson>.json: a hidden folder students never
            # open, so name the folder in words rather than a file they cannot see.
            where = ("practice answers are kept automatically in a hidden folder, .widget_answers/, "
                     "and are never graded")
        elif self.store.persist:
            where = f"answers are saved to {html.escape(self.store.path.name)} as you choose"
        else:
            where = "answers are not saved"
        self.status.value = f"<small>Answered {done} of {total} · {where}</small>"

    def check(self) -> str:
        """Formative feedback for practice items: each item in words, right or not, why, and where to read."""
        results = score_items(self.spec, self.practice_key.items[self.spec.id], self.answers())
        lines = []
        for item, r in zip(self.spec.items, results, strict=True):
            state = mark(r, wrong="✗ not yet right", blank="– not answered yet")
            parts = [f"<strong>{state}</strong> — {html.escape(item_words(self.spec, item).rstrip('.'))}."]
            if r.given is not None and not r.right:
                parts.append(f"You chose: {html.escape(self._option_words(item, r.given))}.")
            if r.given is not None and r.entry.why:
                parts.append(f"Why: {self.refs.html(r.entry.why)}")
            elif r.given is None:
                parts.append("Choose an answer, then check again.")
            ref = r.entry.ref or item.ref
            if ref:
                parts.append(f"Read: {self.refs.html(ref)}.")
            elif r.entry.why and self.refs.pointers_html(r.entry.why):
                parts.append(f"Read: {self.refs.pointers_html(r.entry.why)}.")
            lines.append(f"<li>{' '.join(parts)}</li>")
        right = sum(r.right for r in results)
        wrong = sum(r.given is not None and not r.right for r in results)
        blank = sum(r.given is None for r in results)
        summary = f"Checked: {right} of {len(results)} right"
        if wrong:
            summary += f", {wrong} not yet right"
        if blank:
            summary += f", {blank} not answered"
        summary += "."
        self.feedback.set_html(f"<div class='bb-feedback'><p><strong>{summary}</strong></p>"
                               f"<ol>{''.join(lines)}</ol></div>")
        # Read out at once (a live region); the list below it has each item with its reason and link.
        self.check_button.announcement = f"{summary} Each item, with why and where to read, is listed below."
        return self.feedback.html

    def _option_words(self, item: Item, value) -> str:
        return self.spec.words(item.id, value)

    # ---------------------------------------------------------------- display
    def __repr__(self) -> str:
        count = len(self.spec.items)
        return (f"<{self.spec.kind} exercise {self.spec.id!r}: {count} item{'s' if count != 1 else ''}; "
                "run this cell to show the exercise>")

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.box._repr_mimebundle_(include=include, exclude=exclude) or {}
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle)
        bundle["text/plain"] = repr(self)
        return bundle
