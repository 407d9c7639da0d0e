"""The course datasets: a registry of CSV files with schemas, and a strict loader.

``load("overdose_deaths")`` returns a pandas DataFrame with proper dtypes and
the provenance in ``DataFrame.attrs``. A malformed file fails loudly with the
file, row and column named; an empty required cell is an error, never a
silent NaN. The schemas are documented for readers in ``docs/datasets.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from dataclasses import dataclass
from importlib.resources import files

DEBATES = ("tariff_bargain", "drug_war", "migration", "sovereignty")
SOURCES = ("wola", "filter")
PARAGRAPHS = {"wola": 30, "filter": 35}  # ¶ count of each numbered article
CONFIDENCE = ("high", "medium")


class DatasetError(ValueError):
    """A dataset is unknown or its file breaks its schema."""


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # str | int | float | date | category | list
    required: bool = True
    allowed: tuple[str, ...] = ()
    doc: str = ""


@dataclass(frozen=True)
class Dataset:
    name: str
    filename: str
    title: str
    description: str
    columns: tuple[Column, ...]
    id_column: str | None = None
    measures: tuple[str, ...] = ()  # official series only


def _stat_columns(measures: tuple[str, ...], units: tuple[str, ...]) -> tuple[Column, ...]:
    return (
        Column("year", "int", doc="calendar year, or the fiscal year number"),
        Column("period_type", "category", allowed=("calendar_year", "fiscal_year")),
        Column("measure", "category", allowed=measures),
        Column("value", "float", doc="as published; never rounded by the course"),
        Column("unit", "category", allowed=units),
        Column("status", "category", allowed=("final", "provisional", "partial")),
        Column("coverage", "str"),
        Column("publisher", "str", doc="the original publisher"),
        Column("document", "str"),
        Column("url", "str", required=False),
        Column("confidence", "category", allowed=CONFIDENCE),
        Column("note", "str", required=False),
    )


def _official(name, title, description, measures, units) -> Dataset:
    return Dataset(name, f"{name}.csv", title, description, _stat_columns(measures, units), measures=measures)


REGISTRY: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "claims", "claims.csv", "Claims made in the two articles",
            "One row per claim in the WOLA Q&A (Feb 2025) and the Filter article (Oct 2023), paraphrased, "
            "typed and tagged by debate and theme.",
            (
                Column("claim_id", "str"),
                Column("source", "category", allowed=SOURCES),
                Column("paragraph", "int"),
                Column("speaker", "str"),
                Column("debate", "category", allowed=DEBATES),
                Column("theme", "str"),
                Column("claim_type", "category", allowed=("empirical", "causal", "normative", "prediction")),
                Column("paraphrase", "str"),
                Column("actors", "list"),
            ),
            id_column="claim_id",
        ),
        Dataset(
            "events", "events.csv", "Timeline of events, 2019–2026",
            "Dated events the articles refer to, with the original publisher of each.",
            (
                Column("event_id", "str"),
                Column("date", "date"),
                Column("date_precision", "category", allowed=("day", "month")),
                Column("actor", "str"),
                Column("event", "str"),
                Column("debate", "category", allowed=DEBATES),
                Column("source_publisher", "str"),
                Column("source_document", "str"),
                Column("source_url", "str", required=False),
                Column("confidence", "category", allowed=CONFIDENCE),
                Column("article_refs", "list", required=False),
            ),
            id_column="event_id",
        ),
        Dataset(
            "figures", "figures.csv", "Numbers stated in the articles",
            "Every figure the two articles state, with its paragraph and the official series that can check it.",
            (
                Column("figure_id", "str"),
                Column("source", "category", allowed=SOURCES),
                Column("paragraph", "int"),
                Column("speaker", "str"),
                Column("value", "float"),
                Column("unit", "str"),
                Column("qualifier", "category", allowed=("exact", "over", "about", "nearly", "at_least")),
                Column("period", "str"),
                Column("measures", "str"),
                Column("official_dataset", "str", required=False),
                Column("note", "str", required=False),
            ),
            id_column="figure_id",
        ),
        _official("overdose_deaths", "US drug overdose deaths",
                  "CDC/NCHS counts by calendar year; final (US residents) and provisional rows kept apart.",
                  ("all_drug_overdose_deaths", "synthetic_opioid_deaths"), ("deaths",)),
        _official("cbp_fentanyl_seizures", "CBP fentanyl seizures",
                  "Pounds of fentanyl seized by US Customs and Border Protection, by federal fiscal year.",
                  ("fentanyl_seized_nationwide", "fentanyl_seized_southwest_border"), ("pounds",)),
        _official("sw_border_encounters", "Southwest border encounters",
                  "CBP encounters at the US–Mexico land border by fiscal year: total, Border Patrol, ports.",
                  ("total_encounters", "usbp_apprehensions", "ofo_inadmissibles"), ("encounters",)),
        _official("mexico_migrant_detentions", "Mexico: migrant detention events",
                  "Mexico's UPM/SEGOB counts of detention 'events' (not people) by calendar year.",
                  ("detention_events",), ("events",)),
        _official("us_mexico_trade", "US–Mexico goods trade",
                  "US goods exports to and imports from Mexico, billions of current dollars (Census basis).",
                  ("us_goods_exports_to_mexico", "us_goods_imports_from_mexico"), ("usd_billions",)),
    )
}


def list_datasets():
    """A table of what can be loaded, with one-line descriptions."""
    import pandas as pd

    rows = [{"name": d.name, "title": d.title, "description": d.description} for d in REGISTRY.values()]
    return pd.DataFrame(rows).set_index("name")


def _convert(ds: Dataset, col: Column, raw: str, line: int):
    where = f"{ds.filename}, line {line}, column '{col.name}'"
    text = raw.strip()
    if text != raw:
        raise DatasetError(f"{where}: value {raw!r} has leading or trailing spaces")
    if text == "":
        if col.required:
            raise DatasetError(f"{where}: required value is empty")
        return [] if col.kind == "list" else None
    try:
        if col.kind == "int":
            return int(text)
        if col.kind == "float":
            return float(text)
        if col.kind == "date":
            return dt.date.fromisoformat(text)
    except ValueError:
        raise DatasetError(f"{where}: {text!r} is not a valid {col.kind}") from None
    if col.kind == "category" and text not in col.allowed:
        raise DatasetError(f"{where}: {text!r} is not one of {', '.join(col.allowed)}")
    if col.kind == "list":
        return [part.strip() for part in text.split(";") if part.strip()]
    return text


@functools.cache
def _packaged_text(filename: str) -> str:
    """The shipped CSV files never change while a kernel runs: read each once (explorers re-load often)."""
    return (files("border_bargains") / "data" / filename).read_text(encoding="utf-8")


def read_rows(name: str, text: str | None = None) -> list[dict]:
    """Parse and validate a dataset's CSV into Python values (no pandas)."""
    ds = dataset(name)
    if text is None:
        text = _packaged_text(ds.filename)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise DatasetError(f"{ds.filename}: the file is empty") from None
    expected = [c.name for c in ds.columns]
    if header != expected:
        raise DatasetError(f"{ds.filename}, line 1: columns are {header}, expected {expected}")
    rows, seen = [], {}
    for line, record in enumerate(reader, start=2):
        if not record:
            continue
        if len(record) != len(expected):
            raise DatasetError(f"{ds.filename}, line {line}: {len(record)} fields, expected {len(expected)}")
        row = {col.name: _convert(ds, col, raw, line) for col, raw in zip(ds.columns, record, strict=True)}
        if ds.id_column:
            key = row[ds.id_column]
            if key in seen:
                raise DatasetError(f"{ds.filename}, line {line}, column '{ds.id_column}': "
                                   f"{key!r} repeats line {seen[key]}")
            seen[key] = line
        if "paragraph" in row and not 1 <= row["paragraph"] <= PARAGRAPHS[row["source"]]:
            raise DatasetError(f"{ds.filename}, line {line}, column 'paragraph': {row['source']} has "
                               f"no ¶{row['paragraph']}")
        rows.append(row)
    if not rows:
        raise DatasetError(f"{ds.filename}: no data rows")
    return rows


def dataset(name: str) -> Dataset:
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(REGISTRY)
        raise DatasetError(f"No dataset named {name!r}. Available: {known}.") from None


def load(name: str):
    """Load a dataset as a typed DataFrame with its provenance in ``.attrs``."""
    import pandas as pd

    ds = dataset(name)
    rows = read_rows(name)
    frame = pd.DataFrame(rows, columns=[c.name for c in ds.columns])
    for col in ds.columns:
        if col.kind == "int":
            frame[col.name] = frame[col.name].astype("int64")
        elif col.kind == "float":
            frame[col.name] = frame[col.name].astype("float64")
        elif col.kind == "date":
            frame[col.name] = pd.to_datetime(frame[col.name])
        elif col.kind == "category":
            frame[col.name] = pd.Categorical(frame[col.name], categories=list(col.allowed))
    frame.attrs = {
        "name": ds.name,
        "title": ds.title,
        "description": ds.description,
        "file": f"border_bargains/data/{ds.filename}",
        "documentation": "docs/datasets.md",
    }
    if ds.measures:
        frame.attrs["publishers"] = sorted(set(frame["publisher"].astype(str)))
        frame.attrs["documents"] = sorted(set(frame["document"].astype(str)))
    return frame


def series(name: str, measure: str, *, status: str | tuple[str, ...] = "final"):
    """One official measure as a year-indexed Series (``status`` picks final/provisional/partial rows).

    Rows of another status are left out rather than mixed in; the returned
    Series keeps the dataset's provenance in ``.attrs``.
    """
    frame = load(name)
    ds = dataset(name)
    if measure not in ds.measures:
        raise DatasetError(f"{name} has no measure {measure!r}; measures: {', '.join(ds.measures)}")
    statuses = (status,) if isinstance(status, str) else tuple(status)
    picked = frame[(frame["measure"] == measure) & (frame["status"].isin(statuses))]
    if picked["year"].duplicated().any():
        raise DatasetError(f"{name}: more than one {measure} row for a year with status {statuses}")
    out = picked.set_index("year")["value"].sort_index()
    out.name = measure
    out.attrs = dict(frame.attrs, measure=measure, status=statuses)
    return out
