"""A student's session in a real browser, graded by the real nbgrader.

JupyterLab serves the released sample assignment; Debian's Chromium (driven by
Playwright) runs it, answers every exercise kind by clicking,
types a data answer into a code cell and saves. That very folder is then
submitted and autograded, and the score must be exactly what was chosen.
A screenshot is kept in test-artifacts/.
"""

import json
import shutil
import time
import uuid
from pathlib import Path

import pytest
from lab_server import running_lab
from sample_course import AUTOGRADED_TOTAL, DATA_SOLUTION, KEY_ANSWERS, cli, make_course, scores

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROWS = {"y2019": "2019 threat", "y2025": "2025 threat"}
COLUMNS = {"threat": "What the US threatened", "concession": "What Mexico offered"}
LABELS = {"walsh": "John Walsh", "brewer": "Stephanie Brewer", "castro": "Joaquin Castro"}
ORDINALS = {1: "1st", 2: "2nd", 3: "3rd"}
SCALE = {5: "5 opposes it", 1: "1 favours militarised enforcement"}
# One deliberate mistake: claim c is classified as "causal" (the key says "prediction").
CHOSEN = json.loads(json.dumps(KEY_ANSWERS))
CHOSEN["claim-types"]["c"] = "causal"
EXPECTED = AUTOGRADED_TOTAL - 1  # 3 of 4 claims right costs one of claim-types' 4 points

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed here "
                       "(`make test` installs it with apt-get when run as root; else: sudo apt-get install chromium)"),
]


def answered(folder: Path) -> dict:
    path = folder / "widget_answers.json"
    return json.loads(path.read_text())["answers"] if path.exists() else {}


def wait_until(predicate, timeout=60, what="condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_student_answers_in_chromium_and_nbgrader_grades_it(tmp_path, artifacts):
    from playwright.sync_api import sync_playwright

    course = make_course(tmp_path)
    cli(course, "generate", "sample")
    student = course / "student" / "sample"
    shutil.copytree(course / "exercises" / "sample", student)

    with running_lab(course, tmp_path) as lab, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            page.goto(f"{lab.url}/lab/workspaces/{uuid.uuid4().hex}/tree/student/sample/sample.ipynb?token={lab.token}")
            page.get_by_text("(ipykernel) | Idle").wait_for(timeout=120_000)
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.locator('li[data-command="runmenu:run-all"]').click()
            exercises = page.locator(".bb-exercise")
            exercises.nth(4).wait_for(timeout=120_000)

            classify, grid, match, order, scale = (exercises.nth(i) for i in range(5))
            for n, item in enumerate("abcd", 1):
                classify.get_by_label(f"Answer {n}", exact=True).select_option(CHOSEN["claim-types"][item])
            for key, value in CHOSEN["bargains"].items():
                row, col = key.split("/")
                grid.get_by_label(f"{ROWS[row]}: {COLUMNS[col]}", exact=True).select_option(value)
            for n, item in enumerate(["m1", "m2"], 1):
                match.get_by_label(f"Answer {n}", exact=True).select_option(label=LABELS[CHOSEN["who-said"][item]])
            for n, item in enumerate(["t2023", "t2019", "t2025"], 1):
                order.get_by_label(f"Position of {n}", exact=True).select_option(
                    label=ORDINALS[CHOSEN["timeline"][item]])
            for n, item in enumerate(["wola", "greene"]):
                scale.locator(".widget-toggle-buttons").nth(n).get_by_role(
                    "button", name=SCALE[CHOSEN["stances"][item]]).click()

            # Type the data answer into its code cell and run it.
            answer_cell = page.locator(".jp-CodeCell").filter(has_text="seizure_growth = None")
            answer_cell.locator(".cm-content").click()
            page.keyboard.press("Control+A")
            page.keyboard.type(DATA_SOLUTION)
            page.keyboard.press("Shift+Enter")
            try:
                wait_until(lambda: answered(student) == CHOSEN, what="every choice to be saved by the kernel")
            except AssertionError:
                page.screenshot(path=str(artifacts / "browser-failure.png"), full_page=True)
                raise AssertionError(f"saved {answered(student)}, expected {CHOSEN}") from None
            assert "Answered 4 of 4" in classify.inner_text()
            page.keyboard.press("Control+S")
            wait_until(lambda: DATA_SOLUTION in (student / "sample.ipynb").read_text(), what="the notebook save")
            scale.scroll_into_view_if_needed()
            page.screenshot(path=str(artifacts / "browser-student-session.png"), full_page=True)
        finally:
            browser.close()

    shutil.copytree(student, course / "submitted" / "browser-student" / "sample")
    proc = cli(course, "autograde", "sample")
    assert proc.returncode == 0, proc.stdout
    assert scores(course)["browser-student"] == EXPECTED
