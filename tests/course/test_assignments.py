"""The course's real assignments, end to end with the real nbgrader.

One temporary course holds a copy of solutions/ and nbgrader_config.py. The
instructor command generates every assignment there; the result must equal the
committed exercises/. Then, per assignment, a key, a blank and a half-right
submission are autograded and fed back, item analysis runs on the three, and the
releases and feedback are scanned for anything from the keys or the solutions (the
secrets read from answer_key.toml with tomllib here, not through the loader under test).
"""

from __future__ import annotations

import json
import math
import re
import shutil
import tomllib
from pathlib import Path

import nbformat
import pytest
from sample_course import answers_doc, cli, run_nbgrader, scores

from border_bargains.core.specs import KEY_FILENAME, SPEC_FILENAME, TYPED_KINDS, load_exercises, load_key
from border_bargains.nbgrader_steps.score import exercise_of

REPO = Path(__file__).resolve().parents[2]
NAMES = sorted(p.name for p in (REPO / "solutions").iterdir() if (p / f"{p.name}.ipynb").exists())
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]


def test_four_assignments_exist():
    assert NAMES == ["drug_war", "migration", "sovereignty", "tariff_bargain"]


def specs_and_key(name):
    folder = REPO / "solutions" / name
    _assignment, specs = load_exercises(folder / SPEC_FILENAME)
    return specs, load_key(folder / KEY_FILENAME, specs)


def grade_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


@pytest.mark.parametrize("name", NAMES)
def test_spec_key_and_notebook_agree(name):
    specs, key = specs_and_key(name)
    nb = nbformat.read(REPO / "solutions" / name / f"{name}.ipynb", as_version=4)
    graded = {}
    for cell in grade_cells(nb):
        if cell.cell_type != "code":
            continue
        ex_id = exercise_of(cell.source)
        assert ex_id is not None and ex_id not in graded, f"{name}: {cell.metadata['nbgrader']['grade_id']}"
        graded[ex_id] = cell.metadata["nbgrader"]["points"]
        assert "HIDDEN TESTS" not in cell.source, f"{name}: scoring happens outside the kernel"
    assert set(graded) == set(specs), f"{name}: every exercise is graded exactly once"
    assert set(key.items) == set(specs)
    for ex_id, points in graded.items():
        spec_points = specs[ex_id].points
        assert points == spec_points, f"{name}/{ex_id}: test cell has {points} points, the spec {spec_points}"
    for cell in nb.cells:
        assert not cell.get("outputs"), f"{name}: solutions are stored without outputs"
        if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            assert "raises-exception" in cell.metadata.get("tags", []), f"{name}: test cell without raises-exception"
    kinds = {s.kind for s in specs.values()}
    assert len(kinds) >= 3, f"{name}: use at least three exercise kinds"
    total = sum(c.metadata["nbgrader"]["points"] for c in grade_cells(nb))
    manual = sum(c.metadata["nbgrader"]["points"] for c in grade_cells(nb) if c.cell_type == "markdown")
    assert 20 <= total <= 30 and (total - manual) / total >= 0.6, f"{name}: {total} points, {manual} manual"


def test_every_exercise_kind_is_used_somewhere():
    kinds = {s.kind for name in NAMES for s in specs_and_key(name)[0].values()}
    assert kinds == {"classify", "grid", "match", "order", "scale", "number"}, "text is used by the sample only"


@pytest.mark.parametrize("name", NAMES)
def test_every_number_a_student_types_is_a_saved_answer(name):
    """No task asks a student to edit Python: no answer cell with code, every data task a number exercise."""
    nb = nbformat.read(REPO / "exercises" / name / f"{name}.ipynb", as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        assert not (meta.get("solution") and cell.cell_type == "code"), f"{name}: {meta.get('grade_id')} asks for code"
        assert "replace `None`" not in cell.source and "= None  # replace" not in cell.source, name
    specs, _key = specs_and_key(name)
    assert any(s.kind == "number" for s in specs.values()), f"{name} has data tasks, answered as numbers"


def key_answers(specs, key):
    return {ex_id: {i: e.answer for i, e in key.items[ex_id].items()} for ex_id in specs}


def half_answers(specs, key):
    """Every other item of each widget exercise answered with the key, the rest and the data tasks left blank
    (as the half-right student of the first build did, so the scores compare)."""
    return {ex_id: {i: e.answer for n, (i, e) in enumerate(key.items[ex_id].items()) if n % 2 == 0}
            for ex_id, spec in specs.items() if spec.kind not in TYPED_KINDS}


def half_score(specs):
    return sum(spec.points * math.ceil(len(spec.items) / 2) / len(spec.items) for spec in specs.values()
               if spec.kind not in TYPED_KINDS)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("assignments") / "course"
    course.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", course)
    shutil.copytree(REPO / "solutions", course / "solutions",
                    ignore=shutil.ignore_patterns("widget_answers*", ".ipynb_checkpoints", "__pycache__"))
    shutil.copytree(REPO / "source_texts", course / "source_texts")  # released with every assignment
    (course / "docs").mkdir()
    shutil.copy(REPO / "docs" / "datasets.md", course / "docs")  # the data dictionary, released too
    proc = cli(course, "generate")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in NAMES:
        specs, key = specs_and_key(name)
        for student, answers in (("key", key_answers(specs, key)), ("blank", None), ("half", half_answers(specs, key))):
            dest = course / "submitted" / student / name
            shutil.copytree(course / "exercises" / name, dest)
            if answers is not None:
                (dest / "widget_answers.json").write_text(answers_doc(answers), encoding="utf-8")
    graded = cli(course, "autograde")  # every assignment in one command, as an instructor would
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert cli(course, "feedback").returncode == 0
    return course


def test_solutions_pass_validate_and_releases_fail_it_inverted(course):
    """nbgrader's own two-way check, on every assignment (one nbgrader start-up per direction)."""
    out = run_nbgrader(course, "validate", *(f"solutions/{n}/{n}.ipynb" for n in NAMES)).stdout
    assert out.count("Success! Your notebook passes all the tests.") == len(NAMES), out
    proc = run_nbgrader(course, "validate", "--invert", *(f"exercises/{n}/{n}.ipynb" for n in NAMES), check=False)
    assert proc.stdout.count("Success! The notebook does not pass any tests.") == len(NAMES), proc.stdout


def normalised(path: Path) -> dict:
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["metadata"].pop("widgets", None)
    return nb


@pytest.mark.parametrize("name", NAMES)
def test_committed_exercises_equal_a_fresh_generation(course, name):
    committed, fresh = REPO / "exercises" / name, course / "exercises" / name
    assert committed.exists(), f"exercises/{name}/ is missing: run `make generate`"
    def files(folder):
        return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())

    assert files(committed) == files(fresh), \
        f"exercises/{name}/ holds other files than a fresh generation: run `make generate`"
    for path in (p for p in fresh.rglob("*") if p.is_file()):
        theirs = committed / path.relative_to(fresh)
        same = (normalised(theirs) == normalised(path)) if path.suffix == ".ipynb" else \
            theirs.read_bytes() == path.read_bytes()
        assert same, f"exercises/{name}/{path.name} is stale or edited by hand: run `make generate` and commit"


@pytest.mark.parametrize("name", NAMES)
def test_key_full_blank_zero_half_partial(course, name):
    specs, _key = specs_and_key(name)
    nb = nbformat.read(REPO / "solutions" / name / f"{name}.ipynb", as_version=4)
    autograded_total = sum(c.metadata["nbgrader"]["points"] for c in grade_cells(nb) if c.cell_type == "code")
    got = scores(course, name)
    assert got["key"] == pytest.approx(autograded_total)
    assert got["blank"] == 0
    assert got["half"] == pytest.approx(half_score(specs))


def secrets_of(name: str) -> tuple[list[str], list[str]]:
    """What must never reach a student: key explanations, and solution code lines (parsed here, independently)."""
    key = tomllib.loads((REPO / "solutions" / name / KEY_FILENAME).read_text(encoding="utf-8"))["items"]
    whys = []
    for entries in key.values():
        for entry in entries.values():
            if len(entry.get("why", "")) > 15:
                whys.append(entry["why"])
    code = []
    for cell in nbformat.read(REPO / "solutions" / name / f"{name}.ipynb", as_version=4).cells:
        for region in SOLUTION.findall(cell.source):
            code += [line.strip() for line in region.splitlines() if len(line.strip()) > 25]
    return whys, code


def readable(path: Path) -> str:
    return path.read_text(encoding="utf-8").replace("\\n", "\n").replace('\\"', '"')


@pytest.mark.parametrize("name", NAMES)
def test_releases_reveal_no_key_or_solution(name):
    whys, code = secrets_of(name)
    _specs, key = specs_and_key(name)
    assert len(whys) == sum(len(entries) for entries in key.items.values()), "every key entry has a why"
    for path in (p for p in (REPO / "exercises" / name).rglob("*") if p.is_file()):
        text = readable(path)
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, f"{path.name} keeps hidden parts"
        for secret in whys + code:
            assert secret not in text, f"exercises/{name}/{path.name} reveals {secret[:60]!r}"


@pytest.mark.parametrize("name", NAMES)
def test_feedback_reveals_no_key(course, name):
    whys, code = secrets_of(name)
    pages = list((course / "feedback").glob(f"*/{name}/*.html"))
    assert len(pages) == 3, "feedback for key, blank and half"
    for page in pages:
        text = readable(page)
        student = page.parent.parent.name
        # Nobody sees explanations or the solutions' code (students' notebooks are not run, so not even their own).
        for secret in whys + code:
            assert secret not in text, f"feedback of {student} for {name} reveals {secret[:60]!r}"


LINK = re.compile(r"\]\(([^)#\s]+)(?:#([\w-]+))?\)")


@pytest.mark.parametrize("name", NAMES)
def test_every_link_in_a_release_works_where_the_student_fetches_it(name, tmp_path):
    """A fetched assignment is a folder on its own (~/tariff_bargain/): every relative link in the released
    notebook must lead to a file inside that folder, and every ¶ anchor must exist in its guide."""
    fetched = tmp_path / name
    shutil.copytree(REPO / "exercises" / name, fetched)
    nb = nbformat.read(fetched / f"{name}.ipynb", as_version=4)
    checked = 0
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for target, anchor in LINK.findall(cell.source):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path = (fetched / target).resolve()
            assert fetched.resolve() in path.parents and path.is_file(), f"{name}: link to {target} goes nowhere"
            if anchor:
                assert f'id="{anchor}"' in path.read_text(encoding="utf-8"), f"{name}: {target}#{anchor} has no anchor"
            checked += 1
    assert checked >= 10, f"{name}: expected the ¶ links of the assignment, found {checked}"


@pytest.fixture(scope="module")
def reports(course):
    proc = cli(course, "report")  # every assignment, as an instructor would run `make report`
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {name: json.loads((course / "reports" / f"{name}-items.json").read_text(encoding="utf-8"))
            for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_item_analysis_runs_on_the_key_blank_and_half_right_submissions(reports, name):
    """Per item: the key student right, the blank one blank, the half-right one right on every other widget item
    (as half_answers chose); so the share right is 2/3 or 1/3, the blanks 1 or 2, and the key student (upper group)
    against the blank one (lower group) gives a discrimination of 1 on every item."""
    specs, key = specs_and_key(name)
    data = reports[name]
    assert sorted(data["students"]) == ["blank", "half", "key"]
    got = {(i["exercise"], i["item"]): i for i in data["items"]}
    half = half_answers(specs, key)
    expected = {(ex_id, item.id) for ex_id, spec in specs.items() for item in spec.items}
    assert set(got) == expected, f"{name}: the report covers every item of the new keys"
    for (ex_id, item_id), row in got.items():
        right_in_half = item_id in half.get(ex_id, {})
        assert row["share_right"] == pytest.approx((1 + right_in_half) / 3), (name, ex_id, item_id)
        assert row["blank"] == 2 - right_in_half, (name, ex_id, item_id)
        assert row["most_common_wrong"] is None, "nobody chose a wrong answer"
        assert row["discrimination"] == pytest.approx(1.0), (name, ex_id, item_id)
