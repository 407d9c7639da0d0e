"""Schema tests for every dataset, and the loader's errors."""

import itertools
import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

import border_bargains as bb
from border_bargains.student.datasets import PARAGRAPHS, REGISTRY, DatasetError, read_rows

REPO = Path(__file__).resolve().parents[2]
GUIDES = {"wola": REPO / "source_texts" / "wola.md", "filter": REPO / "source_texts" / "filter.md"}
OFFICIAL = [name for name, ds in REGISTRY.items() if ds.measures]


def guide_paragraphs(source):
    text = GUIDES[source].read_text(encoding="utf-8")
    return {int(n) for n in re.findall(r'<a id="p(\d+)"></a>\*\*¶\1\*\*', text)}


@pytest.mark.parametrize("name", list(REGISTRY))
def test_loads_with_schema_dtypes_and_provenance(name):
    frame = bb.load(name)
    ds = REGISTRY[name]
    assert list(frame.columns) == [c.name for c in ds.columns]
    assert len(frame) > 0
    for col in ds.columns:
        series = frame[col.name]
        if col.kind == "int":
            assert series.dtype == "int64"
        elif col.kind == "float":
            assert series.dtype == "float64"
        elif col.kind == "date":
            assert pd.api.types.is_datetime64_any_dtype(series)
        elif col.kind == "category":
            assert isinstance(series.dtype, pd.CategoricalDtype)
            assert not series.isna().any(), f"{name}.{col.name} has a value outside its categories"
        if col.required and col.kind != "list":
            assert not series.isna().any(), f"{name}.{col.name} has empty required cells"
    assert frame.attrs["name"] == name and frame.attrs["file"].endswith(ds.filename)


def test_listing_describes_every_dataset():
    listing = bb.list_datasets()
    assert set(listing.index) == set(REGISTRY)
    assert listing["description"].str.len().min() > 20


def test_claims_cover_both_articles_and_all_debates():
    claims = bb.load("claims")
    assert len(claims) >= 60
    assert claims["source"].value_counts().min() >= 25
    assert set(claims["debate"]) == {"tariff_bargain", "drug_war", "migration", "sovereignty"}
    assert claims["debate"].value_counts().min() >= 10
    for row in claims.itertuples():
        assert re.fullmatch(rf"{row.source}-{row.paragraph}-[a-z]", row.claim_id), row.claim_id
        assert len(row.paraphrase.split()) <= 40, row.claim_id
        assert row.actors, f"{row.claim_id} names no actor"


@pytest.mark.parametrize("source", list(GUIDES))
def test_every_paragraph_has_an_anchor_in_its_reading_guide(source):
    assert guide_paragraphs(source) == set(range(1, PARAGRAPHS[source] + 1))


@pytest.mark.parametrize("name", ["claims", "figures"])
def test_every_claim_and_figure_points_to_a_guide_paragraph(name):
    anchors = {s: guide_paragraphs(s) for s in GUIDES}
    for row in bb.load(name).itertuples():
        assert row.paragraph in anchors[row.source], f"{name}: {row[1]} cites ¶{row.paragraph}"


def coverage_through():
    return tomllib.loads((REPO / "course.toml").read_text(encoding="utf-8"))["course"]["coverage_through"]


def test_events_are_dated_sourced_and_refer_to_real_paragraphs():
    events = bb.load("events")
    assert events["date"].between("2019-01-01", coverage_through()).all(), "no event after the coverage date"
    assert events["date"].is_monotonic_increasing, "keep the timeline in date order"
    for row in events.itertuples():
        assert row.source_publisher.strip() and row.source_document.strip(), f"{row.event_id}: name the publisher"
        assert row.confidence in ("high", "medium"), f"{row.event_id}: mark the confidence"
        assert row.event_id.startswith(row.date.strftime("%Y-%m-%d")), f"{row.event_id}: id and date disagree"
        if row.confidence == "medium":
            assert re.search(r"as (reported|summarised|quoted|cited|posted|distributed)|press|report|copy|via|"
                             r"seen|reposted|distributed", row.source_document, re.I), \
                f"{row.event_id}: a medium row says how the document was seen"
        for ref in row.article_refs:
            source, para = ref.split(":")
            assert 1 <= int(para) <= PARAGRAPHS[source], f"{row.event_id}: bad reference {ref}"


def test_context_timeline_is_in_date_order_and_marks_confidence():
    text = (REPO / "source_texts" / "context_timeline.md").read_text(encoding="utf-8")
    entries = re.findall(r"^- \*\*(\d{4}(?:-\d{2}){0,2})", text, re.M)
    assert len(entries) >= 40
    months = [date[:7] for date in entries if len(date) >= 7]  # a year-only entry ("2020 (year)") fits anywhere
    out_of_order = [(a, b) for a, b in itertools.pairwise(months) if b < a]
    assert not out_of_order, f"keep context_timeline.md in date order: {out_of_order}"
    after_seeds = [line for line in re.findall(r"^- \*\*(?:2025-0[3-9]|2025-1|2026)[^\n]*", text, re.M)]
    for line in after_seeds:
        assert re.search(r"\*\*(H|M|H/M|UNV)\*\*|not confirmed|unverified", line), f"no confidence mark: {line[:80]}"
        assert "*Source:*" in line, f"no source: {line[:80]}"


def test_figures_carry_their_source_paragraph_and_speaker():
    for row in bb.load("figures").itertuples():
        assert row.speaker.strip() and row.period.strip() and row.measures.strip(), row.figure_id


def test_figures_name_a_real_official_dataset():
    for row in bb.load("figures").itertuples():
        assert pd.isna(row.official_dataset) or row.official_dataset in OFFICIAL, row.figure_id


@pytest.mark.parametrize("name", OFFICIAL)
def test_official_series_are_sourced_and_flag_uncertainty(name):
    frame = bb.load(name)
    assert not frame.duplicated(["year", "measure", "status"]).any(), "one value per year, measure and status"
    assert set(frame["measure"]) <= set(REGISTRY[name].measures)
    medium = frame[frame["confidence"] == "medium"]
    assert medium["note"].notna().all(), "medium-confidence rows must say where the figure was reported"
    assert (frame["url"].isna() | frame["url"].str.startswith("https://")).all()
    assert (frame["value"] >= 0).all()
    partial = frame[frame["status"] == "partial"]
    assert not partial["coverage"].str.fullmatch(r"\s*").any(), "partial rows say what they cover"


def test_final_and_provisional_overdose_rows_are_kept_apart():
    final = bb.series("overdose_deaths", "all_drug_overdose_deaths")
    provisional = bb.series("overdose_deaths", "all_drug_overdose_deaths", status="provisional")
    assert final.attrs["status"] == ("final",) and len(provisional) >= 1
    assert final.index.is_unique and final.index.is_monotonic_increasing


def test_unknown_dataset_names_the_choices():
    with pytest.raises(DatasetError, match=r"No dataset named 'overdoses'\. Available: claims"):
        bb.load("overdoses")


def test_unknown_measure_is_an_error():
    with pytest.raises(DatasetError, match="no measure 'deaths'"):
        bb.series("overdose_deaths", "deaths")


HEADER = "year,period_type,measure,value,unit,status,coverage,publisher,document,url,confidence,note\n"
GOOD = "2020,calendar_year,all_drug_overdose_deaths,91799,deaths,final,US residents,CDC,Brief,,high,\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEADER + GOOD.replace("91799", ""), r"line 2, column 'value': required value is empty"),
        (HEADER + GOOD.replace("91799", "91,799"), r"line 2: 13 fields, expected 12"),
        (HEADER + GOOD.replace("91799", "about 92k"), r"line 2, column 'value': 'about 92k' is not a valid float"),
        (HEADER + GOOD + GOOD.replace(",final,", ",estimated,"), r"line 3, column 'status': 'estimated' is not one"),
        (HEADER.replace("note", "notes") + GOOD, r"line 1: columns are"),
        (HEADER + GOOD.replace("2020,", " 2020,"), r"leading or trailing spaces"),
        (HEADER, "no data rows"),
        ("", "the file is empty"),
    ],
    ids=["empty-cell", "extra-field", "not-a-number", "bad-category", "bad-header", "spaces", "no-rows", "empty"],
)
def test_malformed_files_name_file_row_and_column(text, message):
    with pytest.raises(DatasetError, match=message) as info:
        read_rows("overdose_deaths", text)
    assert str(info.value).startswith("overdose_deaths.csv")


def test_duplicate_ids_are_caught():
    ds = REGISTRY["claims"]
    header = ",".join(c.name for c in ds.columns) + "\n"
    row = 'wola-3-a,wola,3,Stephanie Brewer (WOLA),tariff_bargain,tariffs_as_leverage,empirical,"Text.",Canada\n'
    with pytest.raises(DatasetError, match="'wola-3-a' repeats line 2"):
        read_rows("claims", header + row + row)


def test_paragraph_out_of_range_is_caught():
    ds = REGISTRY["claims"]
    header = ",".join(c.name for c in ds.columns) + "\n"
    row = 'wola-31-a,wola,31,Stephanie Brewer (WOLA),tariff_bargain,t,empirical,"Text.",Canada\n'
    with pytest.raises(DatasetError, match="wola has no ¶31"):
        read_rows("claims", header + row)
