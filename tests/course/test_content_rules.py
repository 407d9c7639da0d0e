"""Content rules that keep graded answers out of what students read, and lessons in step with the data.

Student material is everything a student can open before submitting: the lessons (sources and outputs), the
reading guides in source_texts/, the data dictionary the lessons link to (docs/datasets.md), the packaged
datasets, the practice files, and the released exercises/. None of it may contain

- a number a graded `number` exercise expects, written as a student would see it (839.89, 1,72, 25,622, "31 days");
- a choice answer next to the item it answers (a claim's text and its type in one dataset row, one guide line, one
  practice item), or a graded claim-type item that is a row of claims.csv;
- an order item of a practice file that repeats a graded order item at the same position;
- the `why` of a key entry, or a sentence of a model answer (the BEGIN SOLUTION region of a written cell);
- a graded item whose text is close to a practice item's or a dataset row's text with the same answer (fuzzy: a
  difflib ratio or a content-word overlap, not only the exact key strings), so a graded item is never a practice
  item or a table row again;
- an assignment whose own Markdown sorts its items under the categories it asks for (one paragraph or list item
  naming two or more items that share an answer, and none with another answer).

Every graded and practice item has a `why` and a `ref` whose links resolve, and whose dataset rows (`events: id`,
`figures: id`, `events 2024-06`, `context_timeline.md 2026-02-20`) exist.

The secrets (keys, whys) come from answer_key.toml and exercise_items.toml parsed here with tomllib, not through the
production loader the checks protect (border_bargains.specs), so a bug there cannot hide a leak.

Lessons state claim types and counts; where they do, a marker in the Markdown lets this file check the statement
against claims.csv: ``<!-- claim-type: filter-22-a normative -->`` and ``<!-- claim-count: wola causal 11 -->``.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from border_bargains.student.refs import RefRenderer, file_anchors

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "src" / "border_bargains" / "data"
SPEC_FILENAME, KEY_FILENAME = "exercise_items.toml", "answer_key.toml"
PRACTICE = REPO / "src" / "border_bargains" / "practice"
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


@dataclass(frozen=True)
class GradedItem:
    """One item of an exercise, read straight from the TOML: what a student reads and the answer in words."""
    source: str  # "drug_war" or "practice/02_drug_war.toml"
    exercise: str
    kind: str
    id: str
    text: str  # the item's text (for a grid: the row and the column)
    answer: object  # the key's raw value: a category, a target id, a position, a number
    label: str  # the answer as a student reads it (a target's text, a category)
    why: str
    ref: str
    unit: str = ""
    tolerance: float = 0
    case: str = ""  # grid only: the row's text
    cue: str = ""  # the answer's words where they differ from its label (a scale point's label)


def toml_of(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def exercise_items(source: str, exercise: dict, key: dict) -> list[GradedItem]:
    """The items of one exercise table with their key entries ({item_id: {answer, why, ref}})."""
    kind = exercise["kind"]
    out = []
    if kind == "grid":
        rows = {r["id"]: r["text"] for r in exercise["rows"]}
        for column in exercise["columns"]:
            for row_id, row_text in rows.items():
                item_id = f"{row_id}/{column['id']}"
                entry = key.get(item_id, {})
                out.append(GradedItem(source, exercise["id"], kind, item_id, f"{row_text} {column['text']}",
                                      entry.get("answer"), str(entry.get("answer")), entry.get("why", ""),
                                      entry.get("ref", ""), case=row_text, cue=str(entry.get("answer"))))
        return out
    targets = {t["id"]: t["text"] for t in exercise.get("targets", [])}
    for item in exercise["items"]:
        entry = key.get(item["id"], {})
        answer = entry.get("answer")
        label = targets.get(answer, str(answer)) if kind == "match" else str(answer)
        cue = str(exercise.get("scale", {}).get("labels", {}).get(str(answer), "")) if kind == "scale" else label
        out.append(GradedItem(source, exercise["id"], kind, item["id"], item.get("text", ""), answer, label,
                              entry.get("why", ""), entry.get("ref", "") or item.get("ref", ""),
                              item.get("unit", ""), float(entry.get("tolerance", exercise.get("tolerance", 0))),
                              cue=cue))
    return out


def assignment_items(folder: Path) -> list[GradedItem]:
    spec, key = toml_of(folder / SPEC_FILENAME), toml_of(folder / KEY_FILENAME)["items"]
    return [item for exercise in spec["exercise"]
            for item in exercise_items(folder.name, exercise, key[exercise["id"]])]


def practice_items(path: Path) -> list[GradedItem]:
    out = []
    for exercise in toml_of(path).get("exercise", []):
        key = exercise.get("key") or {item["id"]: item for item in exercise.get("items", [])}
        out += exercise_items(f"practice/{path.name}", exercise, key)
    return out


def graded_items() -> list[GradedItem]:
    return [item for name in ASSIGNMENTS for item in assignment_items(REPO / "solutions" / name)]


CHOICE_KINDS = ("classify", "match", "grid", "scale")


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
    for item in graded_items():
        if item.kind == "number":
            yield pytest.param(item.source, item.exercise, float(item.answer), item.tolerance, item.unit,
                               id=f"{item.source}/{item.exercise}")


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
    for item in graded_items():
        if item.kind in ("classify", "match", "grid"):
            text = item.case or item.text  # a grid's row names the case; its column's words are shared by every row
            yield pytest.param(item.source, item.exercise, item.id, text, item.label,
                               id=f"{item.source}/{item.exercise}/{item.id}")


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
    for item in graded_items():
        if item.kind != "classify" or item.answer not in types:
            continue
        if item.id in claims:
            bad.append(f"{item.source}/{item.exercise}/{item.id} is claim {item.id} ({claims[item.id]['claim_type']})")
        for claim in claims.values():
            if resembles(item.text, claim["paraphrase"], 0.6) and claim["claim_type"] == item.answer:
                bad.append(f"{item.source}/{item.exercise}/{item.id} restates {claim['claim_id']} ({item.answer})")
    assert not bad, "\n".join(bad)


def test_practice_order_items_do_not_repeat_a_graded_position():
    practice = []
    for path in sorted((REPO / "src" / "border_bargains" / "practice").glob("*.toml")):
        for exercise in tomllib.loads(path.read_text(encoding="utf-8")).get("exercise", []):
            if exercise["kind"] == "order":
                practice += [(path.name, item["text"], item["answer"]) for item in exercise["items"]]
    bad = []
    for item in graded_items():
        if item.kind == "order":
            bad += [f"{item.source}/{item.exercise}/{item.id} is {item.answer}, like {file}: {text!r}"
                    for file, text, answer in practice if answer == item.answer and resembles(item.text, text, 0.5)]
    assert not bad, "\n".join(bad)


# ---------------------------------------------------------------- explanations and model answers

def test_key_explanations_are_not_in_student_material():
    found = []
    for item in graded_items():
        why = normalise(item.why)
        if len(why) > 15:
            found += [f"{item.source}/{item.exercise}/{item.id} in {file}"
                      for file, text in WHOLE.items() if why in text]
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


# ---------------------------------------------------------------- near copies of practice items and data rows

def dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def similar(a: str, b: str, ratio: float = 0.6, overlap: float = 0.6) -> bool:
    """Two texts say the same thing: a difflib ratio on the normalised words, or a content-word overlap (Dice), or
    one short text wholly inside the other."""
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return False
    if difflib.SequenceMatcher(None, na, nb, autojunk=False).ratio() >= ratio:
        return True
    ta, tb = tokens(a), tokens(b)
    if dice(ta, tb) >= overlap:
        return True
    small, large = sorted((ta, tb), key=len)
    return len(small) >= 2 and small <= large and len(large) <= 2 * len(small)


def same_answer(item: GradedItem, other) -> bool:
    """Whether another text's answer is the item's answer (a scale point within the item's tolerance)."""
    if item.kind in ("scale", "order"):
        return isinstance(other, int | float) and not isinstance(other, bool) and \
            abs(other - item.answer) <= (item.tolerance if item.kind == "scale" else 0)
    if not isinstance(other, str) or isinstance(item.answer, int | float):
        return False
    a, b = normalise(item.label), normalise(other)
    if not a or not b:
        return False
    if a == b or (min(len(a), len(b)) >= 4 and (a in b or b in a)):
        return True
    ta, tb = tokens(a), tokens(b)  # descriptions worded differently ("between ports" / "between crossing points")
    return min(len(ta), len(tb)) >= 4 and dice(ta, tb) >= 0.5


@dataclass(frozen=True)
class Record:
    """Something a student holds before submitting: a practice item (public key) or a dataset row."""
    where: str
    text: str
    answers: tuple  # the answers the record shows beside its text
    case: str = ""  # a practice grid's row (its text is the row and the column)


def practice_records(folder: Path = PRACTICE) -> list[Record]:
    return [Record(f"{item.source}/{item.exercise}/{item.id}", item.text, (item.answer, item.label), item.case)
            for path in sorted(folder.glob("*.toml")) for item in practice_items(path)]


def data_records(folder: Path = DATA) -> list[Record]:
    """Dataset rows whose text sits beside a value an item could ask for (claims: type, speaker, article;
    events: actor)."""
    out = []
    with (folder / "claims.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            article = {"wola": "WOLA", "filter": "Filter"}.get(row["source"], row["source"])
            out.append(Record(f"claims.csv {row['claim_id']}", row["paraphrase"],
                              (row["claim_type"], row["speaker"], article, f"{article} only")))
    with (folder / "events.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.append(Record(f"events.csv {row['event_id']}", row["event"], (row["actor"],)))
    return out


def near_copies(items: list[GradedItem], records: list[Record]) -> list[str]:
    found = []
    for item in items:
        if item.kind not in (*CHOICE_KINDS, "order"):
            continue
        text = item.text
        for record in records:
            if item.case and record.case:  # two grids: the same case and the same question
                alike = similar(item.case, record.case) and \
                    similar(text[len(item.case):], record.text[len(record.case):])
            else:
                alike = similar(text, record.text)
            if alike and any(same_answer(item, answer) for answer in record.answers):
                found.append(f"{item.source}/{item.exercise}/{item.id} ({item.label!r}) is {record.where} again: "
                             f"{text[:70]!r} ~ {record.text[:70]!r}")
    return found


def test_no_graded_item_is_a_practice_item_or_a_data_row_again():
    """Fuzzy, not only exact: a graded item close in wording to a practice item or a dataset row with the same
    answer can be answered by looking it up."""
    found = near_copies(graded_items(), practice_records() + data_records())
    assert not found, "graded items a student can look up:\n" + "\n".join(found)


PLANT_SPEC = '''assignment = "planted"

[[exercise]]
id = "verdicts"
kind = "classify"
title = "Check the claim"
prompt = "Choose the verdict."
points = 2
categories = ["supported by the record", "contradicted by the record", "cannot be checked with the course's sources"]
items = [
  { id = "copied", text = "That would make fiscal year 2023 the fourth record year in a row.", ref = "Filter ¶16" },
  { id = "own", text = "Mexico moved its Guard under the defence ministry.", ref = "glossary: National Guard" },
]

[[exercise]]
id = "who"
kind = "scale"
title = "Stances"
prompt = "Place each actor."
points = 2
tolerance = 1
scale = { min = 1, max = 5, labels = { 1 = "calls for it", 5 = "formally rejects or condemns it" } }
items = [
  { id = "greene", text = "Rep. Marjorie Taylor Greene, as Filter reported in October 2023", ref = "Filter ¶26" },
  { id = "castro", text = "Rep. Joaquin Castro's House resolution H.Res. 763 (2023)", ref = "Filter ¶29" },
  { id = "steube", text = "Rep. Greg Steube's H.J.Res. 81 (2025)", ref = "positions.md §5" },
]
'''
PLANT_KEY = '''[items.verdicts]
copied = { answer = "contradicted by the record", why = "Planted copy.", ref = "Filter ¶16" }
own = { answer = "supported by the record", why = "Not a copy.", ref = "glossary: National Guard" }

[items.who]
greene = { answer = 1, why = "Planted copy.", ref = "Filter ¶26" }
castro = { answer = 5, why = "Planted copy.", ref = "Filter ¶29" }
steube = { answer = 1, why = "Not in any practice file.", ref = "positions.md §5" }
'''


def planted(tmp_path: Path, spec: str = PLANT_SPEC, key: str = PLANT_KEY) -> Path:
    folder = tmp_path / "planted"
    folder.mkdir(exist_ok=True)
    (folder / SPEC_FILENAME).write_text(spec, encoding="utf-8")
    (folder / KEY_FILENAME).write_text(key, encoding="utf-8")
    return folder


def test_the_copy_check_flags_a_planted_copy_of_a_practice_item(tmp_path):
    """Control: practice 03's "fourth record year" item and practice 04's Greene and Castro, reworded, in an
    assignment with their public answers, are flagged; the item that is not a copy is not, and neither is the copy
    once its answer differs."""
    found = near_copies(assignment_items(planted(tmp_path)), practice_records())
    assert any("verdicts/copied" in f and "03_migration.toml/claims-vs-record/f16-fourth" in f for f in found), found
    assert any("who/greene" in f and "04_sovereignty.toml/force-spectrum/greene" in f for f in found), found
    assert any("who/castro" in f and "force-spectrum/castro" in f for f in found), found
    assert not any("verdicts/own" in f for f in found), found
    moved = PLANT_KEY.replace('copied = { answer = "contradicted by the record"',
                              'copied = { answer = "supported by the record"')
    again = near_copies(assignment_items(planted(tmp_path, key=moved)), practice_records())
    assert not any("verdicts/copied" in f for f in again), again


def test_the_copy_check_flags_a_claims_row_beside_its_speaker(tmp_path):
    """Control: a "who said it" item that paraphrases a claims.csv row closely, keyed to the row's speaker."""
    claims = claims_rows()
    row = claims["wola-16-b"] if "wola-16-b" in claims else next(iter(claims.values()))
    spec = f'''assignment = "planted"

[[exercise]]
id = "who-said-it"
kind = "match"
title = "Who?"
prompt = "Match."
points = 1
items = [{{ id = "x", text = {json.dumps(row["paraphrase"].replace(", ", " , ", 1))} }}]
targets = [{{ id = "speaker", text = {json.dumps(row["speaker"])} }}, {{ id = "other", text = "Someone else" }}]
'''
    key = '[items.who-said-it]\nx = { answer = "speaker", why = "Planted.", ref = "WOLA ¶16" }\n'
    found = near_copies(assignment_items(planted(tmp_path, spec, key)), data_records())
    assert any(f"claims.csv {row['claim_id']}" in f for f in found), found


# ---------------------------------------------------------------- an assignment that sorts its own items

GENERIC_NAMES = {"The", "A", "B", "An", "In", "On", "Of", "US", "U.S.", "United", "States", "Mexico", "Mexican",
                 "American", "Americans", "Claim", "Evidence", "Rep.", "President", "Secretary", "House", "Congress",
                 "Part", "It", "Its", "This", "That", "What", "Whether", "Which", "How", "Who", "No"}


ABBREVIATIONS = {"Rep", "Sen", "Dr", "Mr", "Mrs", "Ms", "St", "No", "Gen", "Gov", "Res", "H.Res", "H.J.Res", "U.S",
                 "v", "vs", "Inc"}


def names_in(text: str) -> set[str]:
    """Proper names and years a text mentions: capitalised words not at the start of a sentence, and 4-digit years."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # Markdown links: keep the words
    found = set()
    for match in re.finditer(r"(?<![\w'’])([A-Z][\w’'.&-]*\w|\d{4})", text):
        before = text[:match.start()].rstrip(" *_\"'“(")
        last = before.split()[-1] if before.split() else ""
        if not before or before.endswith((":", "!", "?", "\n", "|", "-", "•")) or \
                (before.endswith(".") and last.rstrip(".") not in ABBREVIATIONS):
            continue  # a sentence or list item starts here: its first word is capitalised anyway
        word = re.sub(r"['’]s$", "", match.group(1))
        if word not in GENERIC_NAMES:
            found.add(word)
    return found


def sorting_problems(items: list[GradedItem], markdown: list[str], where: str) -> list[str]:
    """Pieces of an assignment's Markdown that sort its items: they name two or more items of one exercise (or one
    grid column) that share an answer, name no item with another answer, and carry a word of that answer."""
    groups: dict[tuple[str, str], list[GradedItem]] = {}
    for item in items:
        if item.kind in CHOICE_KINDS:
            column = item.id.split("/", 1)[1] if item.kind == "grid" else ""
            groups.setdefault((item.exercise, column), []).append(item)
    found = []
    for (exercise, column), group in groups.items():
        if len({i.label for i in group}) < 2:
            continue
        own = {i.id: names_in(" " + (i.case or i.text)) for i in group}
        distinct = {i.id: own[i.id] - set().union(*(own[j.id] for j in group if j.id != i.id)) for i in group}
        # a name counts before a year: "H.Res. 168 (2025)" does not name the 2025 bill of another member
        distinct = {k: ({n for n in v if not n.isdigit()} or v) for k, v in distinct.items()}
        cues = {i.id: tokens(i.cue or i.label) for i in group}
        for text in markdown:
            for piece in pieces(text):
                mentioned = names_in(" " + piece)
                named = [i for i in group if distinct[i.id] & mentioned]
                labels = {i.label for i in named}
                if len(named) >= 2 and len(labels) == 1 and cues[named[0].id] & tokens(piece):
                    found.append(f"{where}: the text sorts {exercise}{'/' + column if column else ''} items "
                                 f"{sorted(i.id for i in named)} under {named[0].cue or named[0].label!r}: "
                                 f"{piece[:100]!r}")
    return found


def assignment_markdown(path: Path) -> list[str]:
    """What a student reads in an assignment: its Markdown cells without the model answers."""
    return [SOLUTION.sub("", cell.source) for cell in nbformat.read(path, as_version=4).cells
            if cell.cell_type == "markdown"]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_no_assignment_sorts_its_items_under_the_categories_it_asks_for(name):
    folder = REPO / "solutions" / name
    problems = sorting_problems(assignment_items(folder), assignment_markdown(folder / f"{name}.ipynb"), name)
    assert not problems, "\n".join(problems)


def test_the_sorting_check_flags_an_introduction_that_sorts_the_actors(tmp_path):
    """Control: the shape of the first build's sovereignty Part 1, a bullet per side naming its actors."""
    items = assignment_items(planted(tmp_path))
    sorted_intro = ["The positions, as their holders state them:\n\n"
                    "- **Calls for it.** Filter reports that Rep. Greene promised a declaration of war, and in 2025 "
                    "Rep. Steube introduced a resolution that calls for force.\n"
                    "- **Rejects it.** Rep. Castro's resolution condemns the calls.\n"]
    found = sorting_problems(items, sorted_intro, "planted")
    assert len(found) == 1 and "['greene', 'steube']" in found[0] and "calls for it" in found[0], found
    mixed = ["Rep. Greene and Rep. Castro disagree: one calls for force, the other condemns the calls.\n"]
    assert not sorting_problems(items, mixed, "planted"), "a piece naming items with different answers sorts nothing"


# ---------------------------------------------------------------- every item explains itself and says where to read

def event_ids() -> set[str]:
    with (DATA / "events.csv").open(encoding="utf-8", newline="") as fh:
        return {row["event_id"] for row in csv.DictReader(fh)}


def figure_ids() -> set[str]:
    with (DATA / "figures.csv").open(encoding="utf-8", newline="") as fh:
        return {row["figure_id"] for row in csv.DictReader(fh)}


def timeline_dates() -> set[str]:
    text = (REPO / "source_texts" / "context_timeline.md").read_text(encoding="utf-8")
    return set(re.findall(r"\*\*(\d{4}(?:-\d{2}){0,2})\b", text))


def ref_problems(ref: str) -> list[str]:
    """What in a ref does not resolve: a link to a missing file or anchor, an event, figure or timeline date that
    is not there, a paragraph beyond the article's end."""
    problems = []
    renderer = RefRenderer("../source_texts", base=REPO / "lessons")
    links = renderer.links(ref)
    if not links:
        problems.append("no link")
    for link in links:
        target, _, fragment = link.partition("#")
        path = (REPO / "lessons" / target).resolve()
        if not path.exists():
            problems.append(f"{target} does not exist")
            continue
        explicit, headings = file_anchors(path)
        if fragment and fragment not in set(explicit) | {anchor for _words, anchor in headings}:
            problems.append(f"no #{fragment} in {target}")
    events, dates = event_ids(), timeline_dates() | {e[:10] for e in event_ids()}
    for segment in ref.split(";"):
        for event in re.findall(r"\b\d{4}-\d{2}-\d{2}-[a-z][\w-]*", segment):
            if event not in events:
                problems.append(f"no event {event}")
        for prefix in re.findall(r"\bevents:?\s+(\d{4}-\d{2}(?:-\d{2})?)(?![\w-])", segment):
            if not any(d.startswith(prefix) for d in dates):
                problems.append(f"no event dated {prefix}")
        for date in re.findall(r"context_timeline\.md\s+(\d{4}(?:-\d{2}){0,2})", segment):
            if not any(d.startswith(date) for d in dates):
                problems.append(f"the timeline has no entry {date}")
        for figure in re.findall(r"\bfigures:\s*([\w-]+)", segment):
            if figure not in figure_ids():
                problems.append(f"no figure {figure}")
    last = {"WOLA": 30, "Filter": 35}
    for article, numbers in re.findall(r"\b(WOLA|Filter)\s+((?:¶\d+[–-]?(?:,\s*)?)+)", ref):
        problems += [f"{article} has no ¶{n}" for n in re.findall(r"¶(\d+)", numbers) if int(n) > last[article]]
    return problems


def all_items() -> list[GradedItem]:
    return graded_items() + [item for path in sorted(PRACTICE.glob("*.toml")) for item in practice_items(path)]


def test_every_item_has_a_why_and_a_ref_that_resolves():
    items = all_items()
    assert len(items) > 150
    problems = []
    for item in items:
        where = f"{item.source}/{item.exercise}/{item.id}"
        if len(item.why.split()) < 5:
            problems.append(f"{where}: no why (a sentence that explains the answer)")
        if not item.ref.strip():
            problems.append(f"{where}: no ref")
        else:
            problems += [f"{where}: ref {item.ref!r}: {p}" for p in ref_problems(item.ref)]
    assert not problems, "\n".join(problems)


def test_the_ref_check_catches_refs_that_resolve_to_nothing():
    """Control: a missing event, a figure that is not a row, a paragraph beyond the article, an undated month."""
    assert ref_problems("events: 2025-02-20-cartel-fto-designations-published; WOLA ¶23") == []
    assert ref_problems("events: 2025-02-21-no-such-event")
    assert ref_problems("figures: no-such-row")
    assert ref_problems("WOLA ¶31")
    assert ref_problems("events 1999-01")
    assert ref_problems("a named document alone, with nothing to open") == ["no link"]
