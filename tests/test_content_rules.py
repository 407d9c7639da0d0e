"""Content rules that keep graded answers out of what students read, and lessons in step with the data.

Student material is everything a student can open before submitting: the lessons (sources and outputs), the
reading guides in source_texts/, the data dictionary the lessons link to (docs/datasets.md), the packaged
datasets, the practice files, and the released exercises/. None of it may contain

- a number a graded `number` exercise expects, written as a student would see it (839.89, 1,72, 25,622, "31 days");
- a choice answer next to the item it answers (a claim's text and its type in one dataset row, one guide line, one
  practice item), or a graded claim-type item that is a row of claims.csv;
- an order item of a practice file that repeats a graded order item at the same position;
- the `why` of a key entry, or a sentence of a model answer (the BEGIN SOLUTION region of a written cell).

Lessons state claim types and counts; where they do, a marker in the Markdown lets this file check the statement
against claims.csv: ``<!-- claim-type: filter-22-a normative -->`` and ``<!-- claim-count: wola causal 11 -->``.
"""

from __future__ import annotations

import csv
import json
import re
import tomllib
from pathlib import Path

import nbformat
import pytest

from border_bargains.core.specs import KEY_FILENAME, SPEC_FILENAME, load_exercises, load_key

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "src" / "border_bargains" / "data"
ASSIGNMENTS = sorted(p.name for p in (REPO / "solutions").iterdir() if (p / SPEC_FILENAME).exists())
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
CLAIM_TYPE_MARK = re.compile(r"<!--\s*claim-type:\s*([a-z]+-\d+-[a-z])\s+([a-z]+)\s*-->")
CLAIM_COUNT_MARK = re.compile(r"<!--\s*claim-count:\s*([a-z]+)\s+([a-z]+)\s+(\d+)\s*-->")
STOPWORDS = set("""about above after again against also among because been before being between both could does
during each from have having here into more most much only other over same should since some such than that their
them then there these they this those through under until very what when where which while will with would your
said says people""".split())
WORDS = {1: ("one", "first"), 2: ("two", "second"), 3: ("three", "third"), 4: ("four", "fourth"),
         5: ("five", "fifth"), 6: ("six", "sixth"), 7: ("seven", "seventh"), 8: ("eight", "eighth"),
         9: ("nine", "ninth"), 10: ("ten", "tenth")}


# ---------------------------------------------------------------- reading student material

def normalise(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = re.sub(r"[*_`]", "", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def pieces(text: str) -> list[str]:
    """Small records of Markdown or plain text: paragraphs, list items and table rows, one per piece."""
    out = []
    for block in re.split(r"\n\s*\n", text):
        current: list[str] = []
        for line in block.splitlines():
            if re.match(r"\s*([-*]|\d+\.|\|)\s", line) and current:
                out.append("\n".join(current))
                current = []
            current.append(line)
        if current:
            out.append("\n".join(current))
    return [p for p in out if p.strip()]


def notebook_texts(path: Path) -> list[str]:
    texts = []
    for cell in nbformat.read(path, as_version=4).cells:
        texts.append(cell.source)
        for output in cell.get("outputs", []):
            if "text" in output:
                texts.append("".join(output["text"]))
            for mime in ("text/plain", "text/markdown", "text/html"):
                value = output.get("data", {}).get(mime)
                if value:
                    texts.append("".join(value) if isinstance(value, list) else value)
    return texts


def toml_records(data, out: list[str]) -> list[str]:
    """Every table of a TOML file as one record (its values joined), so an item and its answer stay together."""
    if isinstance(data, dict):
        values = [str(v) for v in data.values() if not isinstance(v, dict | list)]
        if values:
            out.append(" | ".join(values))
        for value in data.values():
            toml_records(value, out)
    elif isinstance(data, list):
        for value in data:
            toml_records(value, out)
    return out


def student_material() -> dict[str, list[str]]:
    """{file: [records]}; each record is a piece small enough that two things in it belong together."""
    files: dict[str, list[str]] = {}
    for path in sorted((REPO / "lessons").glob("*.ipynb")) + sorted((REPO / "exercises").glob("*/*.ipynb")):
        files[str(path.relative_to(REPO))] = [p for text in notebook_texts(path) for p in pieces(text)]
    for path in [*sorted((REPO / "source_texts").glob("*.md")), REPO / "docs" / "datasets.md"]:
        files[str(path.relative_to(REPO))] = pieces(path.read_text(encoding="utf-8"))
    for path in sorted(DATA.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            files[str(path.relative_to(REPO))] = [" | ".join(row) for row in csv.reader(fh)]
    for path in sorted((REPO / "src" / "border_bargains" / "practice").glob("*.toml")) + \
            sorted((REPO / "exercises").glob("*/*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        files[str(path.relative_to(REPO))] = toml_records(data, [])
    return files


MATERIAL = student_material()
WHOLE = {name: normalise("\n".join(records)) for name, records in MATERIAL.items()}


def graded():
    for name in ASSIGNMENTS:
        folder = REPO / "solutions" / name
        _assignment, specs = load_exercises(folder / SPEC_FILENAME)
        yield name, specs, load_key(folder / KEY_FILENAME, specs)


def tokens(text: str) -> set[str]:
    return {w[:6] for w in re.findall(r"[a-záéíóúñ]{4,}", normalise(text)) if w not in STOPWORDS}


def resembles(item_text: str, record: str, threshold: float = 0.75) -> bool:
    """True when the record says what the item says: its text, or most of its content words."""
    if normalise(item_text) in normalise(record):
        return True
    wanted = tokens(item_text)
    return len(wanted) >= 4 and len(wanted & tokens(record)) / len(wanted) >= threshold


def mentions(record: str, answer: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(normalise(answer))}(?![\w-])", normalise(record)) is not None


# ---------------------------------------------------------------- numbers

def number_forms(answer: float, tolerance: float) -> list[str]:
    """How a student would see the expected number written: 839.89, 1,72, 25,622, 25 622."""
    asked = 0  # decimals the task asks for, read from the tolerance (0.01 means two)
    if tolerance and tolerance < 1:
        asked = max(0, -int(f"{tolerance:e}".split("e")[1]))
    text = repr(float(answer))
    own = len(text.split(".")[1]) if "." in text and not text.endswith(".0") else 0
    magnitude = abs(answer)
    forms = set()
    for decimals in {asked, own}:
        plain = f"{magnitude:.{decimals}f}"
        forms |= {plain, plain.replace(".", ",")}
        if magnitude >= 1000:
            whole = f"{magnitude:,.{decimals}f}"
            forms |= {whole, whole.replace(",", " "), whole.replace(",", "\u202f")}
    return sorted(forms)


def number_cases():
    for name, specs, key in graded():
        for ex_id, spec in specs.items():
            if spec.kind != "number":
                continue
            for item_id, entry in key.items[ex_id].items():
                unit = spec.item(item_id).unit
                yield pytest.param(name, ex_id, float(entry.answer), entry.tolerance, unit, id=f"{name}/{ex_id}")


@pytest.mark.parametrize(("name", "ex_id", "answer", "tolerance", "unit"), list(number_cases()))
def test_expected_numbers_are_not_printed_in_student_material(name, ex_id, answer, tolerance, unit):
    distinctive = answer != int(answer) or abs(answer) >= 100
    found = []
    for form in number_forms(answer, tolerance):
        if distinctive:
            pattern = rf"(?<![\d.,]){re.escape(form)}(?![\d])(?![.,]\d)"
        else:  # a small whole number is only a giveaway next to its unit: "31 days", "the third record year"
            if not unit.strip():
                continue
            stem = re.escape(normalise(unit).split()[0][:4])
            spelled = "|".join(WORDS.get(int(abs(answer)), ()))
            number = rf"(?<![\d.,]){re.escape(form)}" + (rf"|\b(?:{spelled})\b" if spelled else "")
            pattern = rf"(?:{number})(?:[\s-]+[a-z]+){{0,2}}?[\s-]*{stem}"
        for file, text in WHOLE.items():
            for match in re.finditer(pattern, text):
                found.append(f"{file}: …{text[max(0, match.start() - 60):match.end() + 40]}…")
    assert not found, f"{name}/{ex_id} expects {answer}, which student material already shows:\n" + "\n".join(found)


# ---------------------------------------------------------------- choices

def choice_cases():
    for name, specs, key in graded():
        for ex_id, spec in specs.items():
            if spec.kind not in ("classify", "match", "grid"):
                continue
            rows = dict(spec.rows)
            for item in spec.items:
                entry = key.items[ex_id][item.id]
                answer = next(o.label for o in item.options if o.value == entry.answer)
                text = rows[item.row] if spec.kind == "grid" else item.text
                yield pytest.param(name, ex_id, item.id, text, str(answer), id=f"{name}/{ex_id}/{item.id}")


@pytest.mark.parametrize(("name", "ex_id", "item_id", "text", "answer"), list(choice_cases()))
def test_no_record_pairs_an_item_with_its_answer(name, ex_id, item_id, text, answer):
    paired = []
    for file, records in MATERIAL.items():
        for record in records:
            if resembles(text, record) and mentions(record, answer):
                paired.append(f"{file}: {record[:160]!r}")
    assert not paired, f"{name}/{ex_id}/{item_id} ({answer!r}) can be read off student material:\n" + "\n".join(paired)


def claims_rows() -> dict[str, dict]:
    with (DATA / "claims.csv").open(encoding="utf-8", newline="") as fh:
        return {row["claim_id"]: row for row in csv.DictReader(fh)}


def test_graded_claim_type_items_are_not_rows_of_the_claims_dataset():
    """The side-by-side viewer and bb.load("claims") show every row's type, so no graded item may be a row."""
    claims = claims_rows()
    types = {"empirical", "causal", "normative", "prediction"}
    bad = []
    for name, specs, key in graded():
        for ex_id, spec in specs.items():
            if spec.kind != "classify" or not {o.value for o in spec.items[0].options} & types:
                continue
            for item in spec.items:
                answer = key.items[ex_id][item.id].answer
                if item.id in claims:
                    bad.append(f"{name}/{ex_id}/{item.id} is claim {item.id} ({claims[item.id]['claim_type']})")
                for claim in claims.values():
                    if resembles(item.text, claim["paraphrase"], 0.6) and claim["claim_type"] == answer:
                        bad.append(f"{name}/{ex_id}/{item.id} restates {claim['claim_id']} ({answer})")
    assert not bad, "\n".join(bad)


def test_practice_order_items_do_not_repeat_a_graded_position():
    practice = []
    for path in sorted((REPO / "src" / "border_bargains" / "practice").glob("*.toml")):
        for exercise in tomllib.loads(path.read_text(encoding="utf-8")).get("exercise", []):
            if exercise["kind"] == "order":
                practice += [(path.name, item["text"], item["answer"]) for item in exercise["items"]]
    bad = []
    for name, specs, key in graded():
        for ex_id, spec in specs.items():
            if spec.kind != "order":
                continue
            for item in spec.items:
                position = key.items[ex_id][item.id].answer
                bad += [f"{name}/{ex_id}/{item.id} is {position}, like {file}: {text!r}"
                        for file, text, answer in practice if answer == position and resembles(item.text, text, 0.5)]
    assert not bad, "\n".join(bad)


# ---------------------------------------------------------------- explanations and model answers

def test_key_explanations_are_not_in_student_material():
    found = []
    for name, _specs, key in graded():
        for ex_id, entries in key.items.items():
            for item_id, entry in entries.items():
                why = normalise(entry.why)
                if len(why) > 15:
                    found += [f"{name}/{ex_id}/{item_id} in {file}" for file, text in WHOLE.items() if why in text]
    assert not found, "key explanations shown to students:\n" + "\n".join(found)


def model_answer_sentences():
    for name in ASSIGNMENTS:
        nb = nbformat.read(REPO / "solutions" / name / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            for region in SOLUTION.findall(cell.source):
                for sentence in re.split(r"(?<=[.!?])\s+", region.replace("\n", " ")):
                    if len(sentence.split()) >= 8:
                        yield name, cell.metadata.get("nbgrader", {}).get("grade_id", cell.id), sentence


def test_model_answers_are_not_in_student_material():
    sentences = list(model_answer_sentences())
    assert len(sentences) > 20, "every assignment has written tasks with model answers"
    found = []
    for name, cell_id, sentence in sentences:
        target = normalise(sentence)
        found += [f"{name}/{cell_id} in {file}: {sentence[:80]!r}" for file, text in WHOLE.items() if target in text]
    assert not found, "model-answer sentences shown to students:\n" + "\n".join(found)


# ---------------------------------------------------------------- lessons against claims.csv

def lesson_markdown():
    for path in sorted((REPO / "lessons").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown":
                yield path.name, cell.source


def test_claim_types_stated_in_lessons_match_the_claims_dataset():
    claims = claims_rows()
    marks = [(lesson, cid, ctype) for lesson, text in lesson_markdown() for cid, ctype in CLAIM_TYPE_MARK.findall(text)]
    assert len(marks) >= 8, "lessons 02, 03 and 05 mark the claim types they state"
    wrong = [f"{lesson}: {cid} is stated as {ctype}, claims.csv says "
             f"{claims[cid]['claim_type'] if cid in claims else 'nothing (no such claim)'}"
             for lesson, cid, ctype in marks if cid not in claims or claims[cid]["claim_type"] != ctype]
    assert not wrong, "\n".join(wrong)


def test_claim_counts_stated_in_lessons_match_the_claims_dataset():
    counts: dict[tuple[str, str], int] = {}
    for row in claims_rows().values():
        counts[row["source"], row["claim_type"]] = counts.get((row["source"], row["claim_type"]), 0) + 1
    marks = [(lesson, source, ctype, int(n)) for lesson, text in lesson_markdown()
             for source, ctype, n in CLAIM_COUNT_MARK.findall(text)]
    assert {(s, t) for _lesson, s, t, _n in marks} == set(counts), "lesson 05 states every count by article and type"
    wrong = [f"{lesson}: {source} {ctype} stated as {n}, claims.csv has {counts.get((source, ctype), 0)}"
             for lesson, source, ctype, n in marks if counts.get((source, ctype), 0) != n]
    assert not wrong, "\n".join(wrong)


def test_markers_are_not_left_in_a_form_the_checks_would_miss():
    """A typo in a marker would silently drop a check: every claim marker must parse."""
    loose = re.compile(r"<!--\s*claim-(type|count)\b[^>]*-->")
    for lesson, text in lesson_markdown():
        for match in loose.finditer(text):
            assert CLAIM_TYPE_MARK.fullmatch(match.group()) or CLAIM_COUNT_MARK.fullmatch(match.group()), \
                f"{lesson}: malformed marker {match.group()!r}"


def test_the_rules_see_every_kind_of_student_material():
    kinds = {name.split("/")[0] for name in MATERIAL}
    assert {"lessons", "exercises", "source_texts", "docs", "src"} <= kinds
    assert any(name.endswith(".csv") for name in MATERIAL) and any(name.endswith(".toml") for name in MATERIAL)
    assert json.dumps(sorted(ASSIGNMENTS)) == json.dumps(["drug_war", "migration", "sovereignty", "tariff_bargain"])
