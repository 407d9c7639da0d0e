"""Exercise definitions (public) and answer keys (instructor-only), read from TOML.

An assignment folder holds ``exercise_items.toml``: what students see (items,
choices, points). The key lives in ``answer_key.toml``, which nbgrader is told
never to release or copy (see ``nbgrader_config.py``). Lesson practice items
keep spec and key together in the package, since nothing there is graded.

Every exercise kind is reduced to the same shape: a list of items, each with
the values it may take. Choice kinds (classify, grid, match, order, scale) list
their options; the typed kinds (number, text) take what a student types, which
:mod:`border_bargains.core.typed_answers` turns into a number or a short text before
it is saved, so grading only ever compares saved values.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from border_bargains.core.numbers import format_number

SPEC_FILENAME = "exercise_items.toml"
KEY_FILENAME = "answer_key.toml"
KINDS = ("classify", "grid", "match", "order", "scale", "number", "text")
TYPED_KINDS = ("number", "text")
TEXT_MAX = 200  # characters a short text answer may have
NOT_CHOSEN = "— choose —"


class SpecError(ValueError):
    """An exercise or key file is malformed; the message names file and entry."""


@dataclass(frozen=True)
class Option:
    label: str
    value: str | int


@dataclass(frozen=True)
class Item:
    id: str
    label: str  # the accessible name of the item's control
    text: str  # what the student reads
    options: tuple[Option, ...]
    ref: str = ""  # e.g. "WOLA ¶16": where to look
    row: str = ""  # grid only
    column: str = ""  # grid only
    entry: str = "choice"  # how it is answered: "choice", "number" or "text"
    unit: str = ""  # number only: shown beside the box, e.g. "billion US$"
    placeholder: str = ""  # typed kinds: an example of the expected form, e.g. "e.g. 1.50"
    name: str = ""  # the item's short label from the exercise file (``label`` adds its number or role)

    def allows(self, value) -> bool:
        if self.entry == "number":
            return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if self.entry == "text":
            return isinstance(value, str) and 0 < len(value.strip()) <= TEXT_MAX
        return any(value == o.value and type(value) is type(o.value) for o in self.options)


@dataclass(frozen=True)
class ExerciseSpec:
    id: str
    kind: str
    title: str
    prompt: str
    items: tuple[Item, ...]
    points: float | None = None
    tolerance: int = 0  # scale only: how far from the key still counts as right
    rows: tuple[tuple[str, str], ...] = ()  # grid: (id, text)
    columns: tuple[tuple[str, str], ...] = ()  # grid: (id, text)
    scale_labels: dict = field(default_factory=dict)  # scale: value -> words

    def words(self, item_id: str, value) -> str:
        """A saved answer in words, as the student chose or typed it (a number with its unit)."""
        item = self.item(item_id)
        if self.kind == "number":
            unit = item.unit
            return format_number(value) + ("" if not unit else unit if unit.startswith("%") else f" {unit}")
        if self.kind == "text":
            return str(value)
        for option in item.options:
            if option.value == value:
                return option.label
        return str(value)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    @property
    def allowed(self) -> dict[str, object]:
        return {item.id: item.allows for item in self.items}


@dataclass(frozen=True)
class KeyEntry:
    answer: str | int | float
    why: str = ""
    ref: str = ""
    tolerance: float = 0.0  # number items: how far from the answer still counts as right
    accept: tuple[str, ...] = ()  # text items: other spellings that also count as right


def _need(table: dict, name: str, where: str, kind=str):
    if name not in table:
        raise SpecError(f"{where}: missing '{name}'")
    value = table[name]
    if not isinstance(value, kind):
        raise SpecError(f"{where}: '{name}' should be {getattr(kind, '__name__', kind)}, not {type(value).__name__}")
    return value


def _entries(table: dict, name: str, where: str) -> list[dict]:
    rows = _need(table, name, where, list)
    if not rows:
        raise SpecError(f"{where}: '{name}' is empty")
    for i, row in enumerate(rows, 1):
        if not isinstance(row, dict) or "id" not in row or "text" not in row:
            raise SpecError(f"{where}: {name}[{i}] needs an 'id' and a 'text'")
    ids = [row["id"] for row in rows]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise SpecError(f"{where}: duplicate ids in '{name}': {', '.join(map(str, dupes))}")
    return rows


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def parse_exercise(table: dict, where: str) -> ExerciseSpec:
    """Turn one ``[[exercise]]`` table into an :class:`ExerciseSpec`."""
    ex_id = _need(table, "id", where)
    where = f"{where} exercise {ex_id!r}"
    kind = _need(table, "kind", where)
    if kind not in KINDS:
        raise SpecError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    title = _need(table, "title", where)
    prompt = _need(table, "prompt", where)
    points = table.get("points")
    if points is not None and (not isinstance(points, int | float) or points <= 0):
        raise SpecError(f"{where}: 'points' must be a positive number")
    extra: dict = {}
    items: list[Item] = []
    if kind == "classify":
        cats = _need(table, "categories", where, list)
        options = tuple(Option(c, c) for c in cats)
        for row in _entries(table, "items", where):
            items.append(Item(row["id"], f"{len(items) + 1}. {row.get('label', row['text'])}",
                              row["text"], options, row.get("ref", ""), name=row.get("label", row["text"])))
    elif kind == "match":
        targets = _entries(table, "targets", where)
        options = tuple(Option(t["text"], t["id"]) for t in targets)
        for row in _entries(table, "items", where):
            items.append(Item(row["id"], f"{len(items) + 1}. {row.get('label', row['text'])}",
                              row["text"], options, row.get("ref", ""), name=row.get("label", row["text"])))
    elif kind == "order":
        rows = _entries(table, "items", where)
        options = tuple(Option(_ordinal(n), n) for n in range(1, len(rows) + 1))
        for row in rows:
            items.append(Item(row["id"], f"Position of: {row.get('label', row['text'])}",
                              row["text"], options, row.get("ref", ""), name=row.get("label", row["text"])))
    elif kind == "scale":
        scale = _need(table, "scale", where, dict)
        low, high = _need(scale, "min", where + " scale", int), _need(scale, "max", where + " scale", int)
        if high <= low:
            raise SpecError(f"{where}: scale max must be above min")
        labels = {int(k): v for k, v in scale.get("labels", {}).items()}
        options = tuple(Option(f"{n}" + (f" {labels[n]}" if n in labels else ""), n) for n in range(low, high + 1))
        for row in _entries(table, "items", where):
            items.append(Item(row["id"], f"Place: {row.get('label', row['text'])}",
                              row["text"], options, row.get("ref", ""), name=row.get("label", row["text"])))
        extra["tolerance"] = int(table.get("tolerance", 0))
        extra["scale_labels"] = labels
    elif kind in TYPED_KINDS:
        for row in _entries(table, "items", where):
            items.append(Item(row["id"], row.get("label", row["text"]), row["text"], (), row.get("ref", ""),
                              entry=kind, unit=str(row.get("unit", "")) if kind == "number" else "",
                              placeholder=str(row.get("placeholder", "")), name=row.get("label", row["text"])))
    elif kind == "grid":
        rows = _entries(table, "rows", where)
        cols = _entries(table, "columns", where)
        for col in cols:
            if not isinstance(col.get("choices"), list) or not col["choices"]:
                raise SpecError(f"{where}: column {col['id']!r} needs a non-empty 'choices' list")
        for row in rows:
            for col in cols:
                options = tuple(Option(c, c) for c in col["choices"])
                name = f"{row.get('label', row['text'])}: {col['text']}"
                items.append(Item(f"{row['id']}/{col['id']}", name, f"{row['text']} — {col['text']}", options,
                                  row.get("ref", ""), row["id"], col["id"], name=name))
        extra["rows"] = tuple((r["id"], r["text"]) for r in rows)
        extra["columns"] = tuple((c["id"], c["text"]) for c in cols)
    return ExerciseSpec(ex_id, kind, title, prompt, tuple(items), points, **extra)


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: cannot be read as TOML: {exc}") from exc


def load_exercises(path: str | Path) -> tuple[str, dict[str, ExerciseSpec]]:
    """Read an ``exercise_items.toml``: returns (assignment name, specs by id)."""
    path = Path(path)
    doc = _read_toml(path)
    name = _need(doc, "assignment", str(path))
    specs: dict[str, ExerciseSpec] = {}
    for i, table in enumerate(_need(doc, "exercise", str(path), list), 1):
        spec = parse_exercise(table, f"{path} [[exercise]] #{i}")
        if spec.id in specs:
            raise SpecError(f"{path}: exercise id {spec.id!r} appears twice")
        specs[spec.id] = spec
    return name, specs


def _key_entry(table, where: str) -> KeyEntry:
    if not isinstance(table, dict) or "answer" not in table:
        raise SpecError(f"{where}: needs an 'answer'")
    answer = table["answer"]
    if isinstance(answer, bool) or not isinstance(answer, str | int | float):
        raise SpecError(f"{where}: 'answer' must be text or a number")
    accept = table.get("accept", [])
    if not isinstance(accept, list) or not all(isinstance(a, str) for a in accept):
        raise SpecError(f"{where}: 'accept' must be a list of texts")
    tolerance = table.get("tolerance", 0.0)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or tolerance < 0:
        raise SpecError(f"{where}: 'tolerance' must be a number of at least 0")
    return KeyEntry(answer, table.get("why", ""), table.get("ref", ""), float(tolerance), tuple(accept))


@dataclass
class AnswerKey:
    items: dict[str, dict[str, KeyEntry]]  # exercise id -> item id -> entry


def load_key(path: str | Path, specs: dict[str, ExerciseSpec] | None = None) -> AnswerKey:
    """Read an ``answer_key.toml`` and, given the specs, check it covers them exactly."""
    path = Path(path)
    doc = _read_toml(path)
    items = {
        ex_id: {item_id: _key_entry(t, f"{path} [items.{ex_id}.{item_id}]") for item_id, t in table.items()}
        for ex_id, table in doc.get("items", {}).items()
    }
    if "values" in doc:
        raise SpecError(f"{path}: [values.*] checks ran student code at grading time and are no longer used; "
                        "make each one a kind = \"number\" exercise (see docs/authoring.md)")
    key = AnswerKey(items)
    if specs is not None:
        check_key_matches(key, specs, str(path))
    return key


def check_key_matches(key: AnswerKey, specs: dict[str, ExerciseSpec], where: str) -> None:
    """Every item has exactly one allowed key answer; nothing extra."""
    for ex_id, spec in specs.items():
        entries = key.items.get(ex_id)
        if entries is None:
            raise SpecError(f"{where}: no key for exercise {ex_id!r}")
        for item in spec.items:
            if item.id not in entries:
                raise SpecError(f"{where}: exercise {ex_id!r} item {item.id!r} has no key")
            if not item.allows(entries[item.id].answer):
                wanted = {"number": "a number", "text": "a short text"}.get(item.entry, "one of its choices")
                raise SpecError(f"{where}: key for {ex_id!r} item {item.id!r} ({entries[item.id].answer!r}) "
                                f"is not {wanted}")
        extra = set(entries) - {i.id for i in spec.items}
        if extra:
            raise SpecError(f"{where}: key for {ex_id!r} names unknown items: {', '.join(sorted(extra))}")
        if spec.kind == "order":
            positions = sorted(e.answer for e in entries.values())
            if positions != list(range(1, len(spec.items) + 1)):
                raise SpecError(f"{where}: key for {ex_id!r} must use each position once")
    extra = set(key.items) - set(specs)
    if extra:
        raise SpecError(f"{where}: key names unknown exercises: {', '.join(sorted(extra))}")


def load_practice(path: str | Path) -> tuple[dict[str, ExerciseSpec], AnswerKey]:
    """Lesson practice file: specs and key side by side in one TOML file.

    Each ``[[exercise]]`` item carries its own ``answer``, ``why`` and
    optional ``ref``; for grids the key is a ``[exercise.key]`` table of
    ``"row/column" = {answer=..., why=...}``.
    """
    path = Path(path)
    doc = _read_toml(path)
    specs: dict[str, ExerciseSpec] = {}
    key_items: dict[str, dict[str, KeyEntry]] = {}
    for i, table in enumerate(_need(doc, "exercise", str(path), list), 1):
        spec = parse_exercise(table, f"{path} [[exercise]] #{i}")
        where = f"{path} exercise {spec.id!r}"
        entries: dict[str, KeyEntry] = {}
        if spec.kind == "grid":
            for item_id, t in _need(table, "key", where, dict).items():
                entries[item_id] = _key_entry(t, f"{where} key {item_id!r}")
        else:
            for row in table["items"]:
                entries[row["id"]] = _key_entry(row, f"{where} item {row['id']!r}")
        specs[spec.id] = spec
        key_items[spec.id] = entries
    key = AnswerKey(key_items)
    check_key_matches(key, specs, str(path))
    return specs, key
