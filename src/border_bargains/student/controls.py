"""The course's own controls: a small front end (anywidget) that JupyterLab's shortcuts leave alone.

Plain ipywidgets cannot set HTML attributes, and JupyterLab's command-mode shortcuts take the keys of a focused
widget: ArrowDown moves to another cell, ``a``/``b`` insert cells, ``m`` turns the widget's cell into Markdown,
Shift-Enter re-runs it. Each control here is a native element (``<select>``, a radio group, a text box, a
button) that carries ``data-lm-suppress-shortcuts``, so every exercise can be answered with the keyboard alone.

The JavaScript and CSS are in ``static/`` and travel with each widget's state (anywidget), so nothing is
installed in JupyterLab beyond the ``anywidget`` extension. Building a control never waits for a front end:
its state lives in the kernel, and a front end only ever sets ``index`` (choices), ``value`` (typed boxes) or
``clicks`` (buttons).

HTML that holds links (reading-guide paragraphs, dataset documentation) is shown through :class:`LinkedHTML`,
an Output widget whose HTML JupyterLab renders itself, so a relative link such as ``../source_texts/wola.md#p14``
opens the guide at that paragraph inside JupyterLab, exactly as a link in a Markdown cell does.
"""

from __future__ import annotations

import html as _html
import re
from importlib.resources import files

import anywidget
import ipywidgets as w
import traitlets as t

from border_bargains.core.specs import NOT_CHOSEN

_STATIC = files("border_bargains.student") / "static"


def _compact(source: str, comment: str) -> str:
    """The source without comment lines and indentation: it travels in every widget's saved state."""
    lines = (line.strip() for line in source.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith(comment))


ESM = _compact((_STATIC / "controls.js").read_text(encoding="utf-8"), "//")
CSS = re.sub(r"/\*.*?\*/", "", (_STATIC / "controls.css").read_text(encoding="utf-8"), flags=re.S)
CSS = _compact(CSS, "/*")


class Styles(anywidget.AnyWidget):
    """The controls' CSS, sent once per exercise or viewer (not with every control); shows nothing itself."""

    _esm = "export default { render({ el }) { el.hidden = true; } };"
    _css = CSS


class _Control(anywidget.AnyWidget):
    _esm = ESM
    component = t.Unicode("select").tag(sync=True)
    number = t.Unicode("").tag(sync=True)  # "1." before the text
    text = t.Unicode("").tag(sync=True)  # the visible label: the item's words
    ref = t.Unicode("").tag(sync=True)  # a reference in small print after the label (not part of the name)
    name = t.Unicode("").tag(sync=True)  # an accessible name when it must differ from the visible text
    hide_label = t.Bool(False).tag(sync=True)  # grid cells: row and column headers show the label

    @property
    def accessible_name(self) -> str:
        """The control's accessible name (what a screen reader says for it)."""
        return self.name or f"{self.number} {self.text}".strip()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.accessible_name!r}>"


class Choice(_Control):
    """A choice among labelled options: a ``<select>`` (``style="select"``) or a radio group (``"radio"``).

    ``value`` is the chosen option's value (``None``: nothing chosen); the front end sets ``index``.
    """

    labels = t.List(t.Unicode()).tag(sync=True)
    index = t.Int(None, allow_none=True).tag(sync=True)
    placeholder = t.Unicode(NOT_CHOSEN).tag(sync=True)
    show_choice = t.Bool(False).tag(sync=True)  # repeat the chosen option's whole text under the menu
    value = t.Any(None, allow_none=True)

    def __init__(self, options, value=None, *, style: str = "select", **kwargs):
        options = list(options)
        self.values = [v for _label, v in options]
        super().__init__(component=style, labels=[str(label) for label, _v in options], **kwargs)
        self.value = value

    @property
    def options(self) -> list[tuple[str, object]]:
        return list(zip(self.labels, self.values, strict=True))

    @t.validate("index")
    def _valid_index(self, proposal):
        index = proposal["value"]
        if index is not None and not 0 <= index < len(self.labels):
            raise t.TraitError(f"no option {index}")
        return index

    @t.validate("value")
    def _valid_value(self, proposal):
        value = proposal["value"]
        if value is not None and not any(value == v and type(value) is type(v) for v in self.values):
            raise t.TraitError(f"{value!r} is not one of the options")
        return value

    @t.observe("index")
    def _index_changed(self, change):
        self.value = None if change["new"] is None else self.values[change["new"]]

    @t.observe("value")
    def _value_changed(self, change):
        value = change["new"]
        self.index = None if value is None else next(
            i for i, v in enumerate(self.values) if v == value and type(v) is type(value))


class TypedInput(_Control):
    """A text box; ``value`` is the text as typed when the student pressed Enter or left the box."""

    component = t.Unicode("typed").tag(sync=True)
    value = t.Unicode("").tag(sync=True)
    placeholder = t.Unicode("").tag(sync=True)
    unit = t.Unicode("").tag(sync=True)
    message = t.Unicode("").tag(sync=True)  # read out (a live region) after each entry
    message_kind = t.Unicode("ok").tag(sync=True)  # "ok" or "error"


class ActionButton(_Control):
    """A button; ``announcement`` is read out by a live region under it after a click."""

    component = t.Unicode("button").tag(sync=True)
    label = t.Unicode("").tag(sync=True)
    clicks = t.Int(0).tag(sync=True)
    announcement = t.Unicode("").tag(sync=True)

    def __init__(self, label: str, on_click=None, **kwargs):
        super().__init__(label=label, **kwargs)
        self._on_click = on_click
        self.observe(self._clicked, names="clicks")

    @property
    def accessible_name(self) -> str:
        return self.label

    def _clicked(self, _change) -> None:
        if self._on_click is not None:
            self._on_click(self)

    def click(self) -> None:
        """Click as a front end does."""
        self.set_state({"clicks": self.clicks + 1})


def _plain(html_text: str) -> str:
    """Readable plain text of a snippet of HTML (for text/plain beside text/html)."""
    text = re.sub(r"<(br|/p|/li|/tr|/h\d)[^>]*>", "\n", html_text)
    text = re.sub(r"<li[^>]*>", "• ", text)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\n\s*\n+", "\n", _html.unescape(text)).strip()


class LinkedHTML(w.Output):
    """HTML that JupyterLab renders itself (links open documents inside JupyterLab)."""

    def __init__(self, html_text: str = "", **kwargs):
        super().__init__(**kwargs)
        self.add_class("bb-links")
        self.html = ""
        if html_text:
            self.set_html(html_text)

    def set_html(self, html_text: str) -> None:
        self.html = html_text
        if not html_text:
            self.outputs = ()
            return
        self.outputs = ({"output_type": "display_data", "metadata": {},
                         "data": {"text/html": html_text, "text/plain": _plain(html_text)}},)

    @property
    def value(self) -> str:
        return self.html
