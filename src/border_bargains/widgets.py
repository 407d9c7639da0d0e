"""ipywidgets front ends for the exercise kinds.

Every control is a labelled, keyboard-operable element (a ``<select>`` for
choices, toggle buttons for a scale), every change is written to the
:class:`~border_bargains.answers.AnswerStore` at once, and a status line says
in words how many items are answered, so nothing depends on colour.

Building a widget never waits for a front end: in nbgrader, nbval or papermill
the widget is created, its saved answers are loaded, and the cell moves on.
"""

from __future__ import annotations

import html

import ipywidgets as w

from .answers import AnswerStore
from .grading import mark, score_items
from .specs import NOT_CHOSEN, TYPED_KINDS, AnswerKey, ExerciseSpec, Item
from .typed_answers import TypedAnswerProblem, clean_text, format_number, parse_number

WIDE = w.Layout(width="auto", max_width="46em")
# Grid cells are labelled for screen readers and keyboard users; the visible row and column
# headers already show the label, so it is hidden visually (the standard "visually hidden" pattern).
GRID_STYLE = ("<style>.bb-grid .widget-label{position:absolute!important;width:1px;height:1px;"
              "overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}</style>")
DESCRIPTIONS = {"classify": "Answer {n}", "match": "Answer {n}", "order": "Position of {n}", "scale": "Place {n}",
                "number": "Answer {n}", "text": "Answer {n}"}


def _shown(spec: ExerciseSpec, item: Item, value) -> str:
    """A saved typed answer as the box shows it."""
    if value is None:
        return ""
    return format_number(value) if spec.kind == "number" else str(value)


class TypedBox:
    """A text box for a number or a short text: what is typed is read, saved, and confirmed in words.

    The value is saved when the student presses Enter or leaves the box (``continuous_update=False``),
    never half-typed. Anything that cannot be read gets one plain sentence beside the box and leaves
    the saved answer as it was; nothing raises into the notebook.
    """

    def __init__(self, spec: ExerciseSpec, item: Item, saved, description: str, on_saved):
        self.spec, self.item, self.saved = spec, item, saved
        self._on_saved = on_saved
        placeholder = item.placeholder or ("e.g. 1234.5" if spec.kind == "number" else "a few words")
        self.control = w.Text(value=_shown(spec, item, saved), placeholder=placeholder, description=description,
                              tooltip=item.label, continuous_update=False, style={"description_width": "initial"},
                              layout=w.Layout(width="22em"))
        self.unit = w.HTML(f"<span class='bb-unit'>{html.escape(item.unit)}</span>" if item.unit else "")
        self.message = w.HTML()
        self.message.add_class("bb-message")
        self.control.observe(self._changed, names="value")
        self.box = w.VBox([w.HBox([self.control, self.unit]), self.message])

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
        self._say(f"✓ Saved as {html.escape(_shown(self.spec, self.item, value))}{html.escape(unit)}.")

    def _say(self, text: str, *, error: bool = False) -> None:
        colour = "#8a1c1c" if error else "#1b5e20"
        self.message.value = f"<span role='status' aria-live='polite' style='color:{colour}'>{text}</span>"


def _choice_control(item: Item, value, *, description: str, scale: bool = False) -> w.ValueWidget:
    options = [(o.label, o.value) for o in item.options]
    if scale:
        control = w.ToggleButtons(
            options=options, value=value, description=description, tooltip=item.label,
            tooltips=[o.label for o in item.options], style={"button_width": "auto", "description_width": "initial"},
        )
    else:
        control = w.Dropdown(
            options=[(NOT_CHOSEN, None), *options], value=value, description=description,
            tooltip=item.label, style={"description_width": "initial"}, layout=WIDE,
        )
        if value is None:
            control.index = 0  # show "— choose —" rather than an empty box (the value stays None)
    return control


class ExerciseWidget:
    """One exercise on screen, bound to a store.

    ``shown_key`` pre-fills the controls with the key (instructor's copy only;
    the store then does not persist). ``practice_key`` enables a Check button
    with per-item explanations (lessons only: those keys are public).
    """

    def __init__(self, spec: ExerciseSpec, store: AnswerStore, *, shown_key: AnswerKey | None = None,
                 practice_key: AnswerKey | None = None):
        self.spec = spec
        self.store = store
        self.practice_key = practice_key
        if shown_key is not None:
            saved = {i: e.answer for i, e in shown_key.items[spec.id].items()}
        else:
            saved = store.valid_answers(spec.id, spec.allowed)
        self.controls: dict[str, w.ValueWidget] = {}
        self.typed: dict[str, TypedBox] = {}
        for n, item in enumerate(spec.items, 1):
            if spec.kind == "grid":
                description = item.label
            else:
                description = DESCRIPTIONS[spec.kind].format(n=n)
            if spec.kind in TYPED_KINDS:
                box = TypedBox(spec, item, saved.get(item.id), description, self._on_typed)
                self.typed[item.id] = box
                self.controls[item.id] = box.control
                continue
            control = _choice_control(item, saved.get(item.id), description=description, scale=spec.kind == "scale")
            control.observe(self._on_change(item.id), names="value")
            self.controls[item.id] = control
        self.status = w.HTML()
        self.feedback = w.HTML()
        self.box = w.VBox([self._header(), self._body(), *self._check_row(), self.status],
                          layout=w.Layout(border="1px solid #999", padding="0.6em", margin="0.4em 0"))
        self.box.add_class("bb-exercise")
        self.instructor_copy = shown_key is not None
        self._update_status()

    # ---------------------------------------------------------------- layout
    def _header(self) -> w.HTML:
        return w.HTML(f"<h4 style='margin:0.2em 0'>{html.escape(self.spec.title)}</h4>"
                      f"<p style='margin:0.2em 0'>{html.escape(self.spec.prompt)}</p>")

    def _item_text(self, item: Item, number: int) -> w.HTML:
        ref = f" <small>({html.escape(item.ref)})</small>" if item.ref else ""
        return w.HTML(f"<p style='margin:0.5em 0 0.1em'><b>{number}.</b> {html.escape(item.text)}{ref}</p>",
                      layout=WIDE)

    def _body(self) -> w.Widget:
        if self.spec.kind == "grid":
            return self._grid_body()
        rows = []
        for n, item in enumerate(self.spec.items, 1):
            control = self.typed[item.id].box if item.id in self.typed else self.controls[item.id]
            rows.append(w.VBox([self._item_text(item, n), control]))
        return w.VBox(rows)

    def _grid_body(self) -> w.Widget:
        rows, cols = self.spec.rows, self.spec.columns
        cells: list[w.Widget] = [w.HTML(f"{GRID_STYLE}<b>Dimension</b>")]
        cells += [w.HTML(f"<b>{html.escape(text)}</b>") for _, text in rows]
        for col_id, col_text in cols:
            cells.append(w.HTML(f"<span>{html.escape(col_text)}</span>"))
            cells += [self.controls[f"{row_id}/{col_id}"] for row_id, _ in rows]
        template = "minmax(9em, 1fr) " + " ".join(["minmax(10em, 1.3fr)"] * len(rows))
        for control in self.controls.values():
            control.layout = w.Layout(width="auto")
        grid = w.GridBox(cells, layout=w.Layout(grid_template_columns=template, grid_gap="0.4em 0.6em"))
        grid.add_class("bb-grid")
        return grid

    def _check_row(self) -> list[w.Widget]:
        if self.practice_key is None:
            return []
        button = w.Button(description="Check my answers", tooltip="Check my answers (not graded)",
                          icon="check", layout=w.Layout(width="auto"))
        button.on_click(lambda _b: self.check())
        return [w.HBox([button]), self.feedback]

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
        elif self.store.persist:
            where = f"answers are saved to {html.escape(self.store.path.name)} as you choose"
        else:
            where = "answers are not saved"
        self.status.value = f"<small>Answered {done} of {total} · {where}</small>"

    def check(self) -> str:
        """Formative feedback for practice items: right/not yet, why, and where to read."""
        results = score_items(self.spec, self.practice_key.items[self.spec.id], self.answers())
        lines = []
        for r in results:
            state = mark(r, wrong="✗ not yet", blank="– not answered yet")
            why = f" {html.escape(r.entry.why)}" if (r.right and r.entry.why) else ""
            ref = f" Read: {html.escape(r.entry.ref)}." if r.entry.ref else ""
            label = html.escape(r.label.rstrip("."))
            lines.append(f"<li><b>{state}</b> — {label}.{why}{ref}</li>")
        right = sum(r.right for r in results)
        self.feedback.value = f"<p>{right} of {len(results)} right.</p><ul>{''.join(lines)}</ul>"
        return self.feedback.value

    # ---------------------------------------------------------------- display
    def __repr__(self) -> str:
        return (f"<{self.spec.kind} exercise {self.spec.id!r}: {len(self.spec.items)} items; "
                "answer with the widget in JupyterLab>")

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.box._repr_mimebundle_(include=include, exclude=exclude) or {}
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle)
        bundle["text/plain"] = repr(self)
        return bundle
