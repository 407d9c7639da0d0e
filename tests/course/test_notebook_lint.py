"""House rules for every notebook in lessons/, solutions/ and exercises/."""

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LESSONS = sorted((REPO / "lessons").glob("*.ipynb"))
SOLUTIONS = sorted((REPO / "solutions").glob("*/*.ipynb"))
EXERCISES = sorted((REPO / "exercises").glob("*/*.ipynb"))
ALL = LESSONS + SOLUTIONS + EXERCISES
NETWORK_READ = re.compile(r"""(read_\w+|open|urlopen|get|load)\s*\(\s*[rbf]?["']https?://""")


def rel(path):
    return str(path.relative_to(REPO))


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_there_is_something_to_lint():
    assert LESSONS, "lessons/ has no notebooks"


@pytest.mark.parametrize("path", ALL, ids=rel)
def test_kernel_and_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3", f"{rel(path)}: use the python3 kernel"
    for n, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"{rel(path)} cell {n}: stored error output"
            if out["output_type"] == "stream":
                assert out["name"] != "stderr", f"{rel(path)} cell {n}: stored stderr output (a warning?)"


@pytest.mark.parametrize("path", ALL, ids=rel)
def test_exactly_one_h1(path):
    h1 = [line for c in cells(path) if c["cell_type"] == "markdown"
          for line in source(c).splitlines() if re.match(r"#\s", line)]
    assert len(h1) == 1, f"{rel(path)}: {len(h1)} H1 headings, expected exactly one"


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=rel)
def test_objectives_and_time_at_the_top(path):
    top = "\n".join(source(c) for c in cells(path)[:3] if c["cell_type"] == "markdown").lower()
    assert "learning objectives" in top or "you will be able to" in top, f"{rel(path)}: objectives missing at top"
    assert re.search(r"estimated time\W+\d+", top), f"{rel(path)}: 'Estimated time: N minutes' missing at top"


@pytest.mark.parametrize("path", LESSONS, ids=rel)
def test_lesson_ends_with_key_points(path):
    tail = "\n".join(source(c) for c in cells(path)[-3:] if c["cell_type"] == "markdown").lower()
    assert "key points" in tail, f"{rel(path)}: end with a 'Key points' section"


@pytest.mark.parametrize("path", ALL, ids=rel)
def test_no_installs_or_network_reads(path):
    for n, cell in enumerate(cells(path)):
        if cell["cell_type"] != "code":
            continue
        text = source(cell)
        assert not re.search(r"^\s*[!%]\s*(pip|conda)\b", text, re.M), f"{rel(path)} cell {n}: no installs"
        assert not NETWORK_READ.search(text), f"{rel(path)} cell {n}: no reads from the web at run time"


@pytest.mark.parametrize("path", SOLUTIONS + EXERCISES, ids=rel)
def test_grade_ids_unique_and_points_positive(path):
    seen = set()
    for cell in cells(path):
        meta = cell.get("metadata", {}).get("nbgrader")
        if not meta:
            continue
        gid = meta.get("grade_id")
        assert gid not in seen, f"{rel(path)}: grade_id {gid!r} appears twice"
        seen.add(gid)
        if meta.get("grade"):
            assert meta.get("points", 0) > 0, f"{rel(path)}: {gid} has no points"


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=rel)
def test_every_chart_has_alt_text_and_a_source(path):
    for n, cell in enumerate(cells(path)):
        text = source(cell)
        if cell["cell_type"] == "code" and re.search(r"\b(line_chart|bar_chart)\(", text):
            assert "alt=" in text and "source=" in text, f"{rel(path)} cell {n}: chart without alt text or source"
        if cell["cell_type"] == "code" and "plt.show(" in text:
            pytest.fail(f"{rel(path)} cell {n}: use bb.line_chart/bar_chart (alt text, source) instead of plt.show")


# Long code sits out of a student's way: a lesson code cell longer than LONG_CODE_LINES lines, with a line wider
# than WIDE_LINE characters (a sideways scrollbar), or drawing a chart is collapsed (JupyterLab shows a grey bar
# marked ···), and the Markdown cell before it says what the hidden code does and how to show it.
LONG_CODE_LINES = 8
WIDE_LINE = 100
CHART_CALL = re.compile(r"\b(line_chart|bar_chart)\(")


def hidden(cell) -> bool:
    return bool(cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"))


@pytest.mark.parametrize("path", LESSONS, ids=rel)
def test_long_code_is_collapsed_and_announced(path):
    all_cells = cells(path)
    for n, cell in enumerate(all_cells):
        if cell["cell_type"] != "code":
            continue
        text = source(cell)
        lines = text.splitlines()
        if len(lines) > LONG_CODE_LINES or any(len(line) > WIDE_LINE for line in lines) or CHART_CALL.search(text):
            assert hidden(cell), (f"{rel(path)} cell {n}: a chart, or code over {LONG_CODE_LINES} lines or "
                                  f"{WIDE_LINE} characters wide: collapse it (metadata jupyter.source_hidden)")
        if hidden(cell):
            before = source(all_cells[n - 1]).lower() if n and all_cells[n - 1]["cell_type"] == "markdown" else ""
            assert "hidden" in before and "···" in before, (
                f"{rel(path)} cell {n}: say in the Markdown cell before it that the code is hidden and is shown "
                "by clicking the bar marked ···")


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=rel)
def test_chart_sources_name_data_in_words(path):
    """A chart's source line is read by students: it names a dataset in words, never as code to run."""
    for n, cell in enumerate(cells(path)):
        if cell["cell_type"] != "code":
            continue
        for out in cell.get("outputs", []):
            shown = "".join(out.get("data", {}).get("text/plain", "")) + "".join(out.get("text", ""))
            for line in shown.splitlines():
                assert not (line.startswith("Source:") and "load(" in line), (
                    f"{rel(path)} cell {n}: the chart's source line cites code ({line[:80]}…); name the dataset "
                    "in words, e.g. \"the course's overdose_deaths dataset (see docs/datasets.md)\"")
        match = re.search(r"\bsource=(.*?)(\balt=|\)\s*$)", source(cell), re.S)
        if CHART_CALL.search(source(cell)) and match:
            assert "load(" not in match.group(1), f"{rel(path)} cell {n}: the chart's source= cites code"
