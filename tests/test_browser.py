"""A student's session in a real browser, graded by the real nbgrader.

JupyterLab serves the released sample assignment; Debian's Chromium (driven by
Playwright) runs it, answers every exercise kind by clicking and typing
(`abc` gets a plain sentence, `$839.89` is saved as 839.89), and saves. That
very folder is then submitted and autograded, and the score must be exactly
what was chosen. A second test answers one exercise in two tabs and finds both
answers on disk. Screenshots are kept in test-artifacts/.
"""

import json
import shutil
import time
import uuid
from pathlib import Path

import pytest
from lab_server import running_lab
from sample_course import AUTOGRADED_TOTAL, KEY_ANSWERS, cli, make_course, scores

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

CHOSEN["agency"]["name"] = "Customs and Border Protection"
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]


@pytest.fixture
def chromium(require):
    require(CHROMIUM.exists(), "Debian's chromium", "`make test` installs it with apt-get as root; else "
            "sudo apt-get install chromium")
    return CHROMIUM


def answered(folder: Path) -> dict:
    path = folder / "widget_answers.json"
    return json.loads(path.read_text())["answers"] if path.exists() else {}


def wait_until(predicate, timeout=60, what="condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def open_notebook(browser, lab, path: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{lab.url}/lab/workspaces/{uuid.uuid4().hex}/tree/{path}?token={lab.token}")
    page.get_by_text("(ipykernel) | Idle").wait_for(timeout=120_000)
    return page


def run_all(page, count: int):
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.locator('li[data-command="runmenu:run-all"]').click()
    exercises = page.locator(".bb-exercise")
    exercises.nth(count - 1).wait_for(timeout=120_000)
    return exercises


def type_into(box, text: str):
    box.fill(text)
    box.press("Enter")


def test_student_answers_in_chromium_and_nbgrader_grades_it(tmp_path, artifacts, chromium):
    from playwright.sync_api import sync_playwright

    course = make_course(tmp_path)
    cli(course, "generate", "sample")
    student = course / "student" / "sample"
    shutil.copytree(course / "exercises" / "sample", student)

    with running_lab(course, tmp_path) as lab, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=ARGS)
        try:
            page = open_notebook(browser, lab, "student/sample/sample.ipynb")
            exercises = run_all(page, 7)
            classify, grid, match, order, scale, number, text = (exercises.nth(i) for i in range(7))
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

            # Type numbers as people do: a word first, then a dollar amount.
            box = number.get_by_label("Answer 1", exact=True)
            type_into(box, "abc")
            number.get_by_text("has no number in it").wait_for(timeout=30_000)
            assert "Not saved" in number.inner_text() and "Traceback" not in page.content()
            type_into(box, "$839.89")
            number.get_by_text("Saved as 839.89 billion US$").wait_for(timeout=30_000)
            type_into(text.get_by_label("Answer 1", exact=True), "  Customs and Border Protection ")
            try:
                wait_until(lambda: answered(student) == CHOSEN, what="every choice to be saved by the kernel")
            except AssertionError:
                page.screenshot(path=str(artifacts / "browser-failure.png"), full_page=True)
                raise AssertionError(f"saved {answered(student)}, expected {CHOSEN}") from None
            assert "Answered 4 of 4" in classify.inner_text()
            assert answered(student)["trade"] == {"value": 839.89}
            before = (student / "sample.ipynb").stat().st_mtime_ns
            page.get_by_role("menuitem", name="File", exact=True).click()
            page.locator('li[data-command="docmanager:save"]').click()
            wait_until(lambda: (student / "sample.ipynb").stat().st_mtime_ns != before, what="the notebook save")
            number.scroll_into_view_if_needed()
            page.screenshot(path=str(artifacts / "browser-student-session.png"), full_page=True)
        finally:
            browser.close()

    shutil.copytree(student, course / "submitted" / "browser-student" / "sample")
    proc = cli(course, "autograde", "sample")
    assert proc.returncode == 0, proc.stdout
    assert scores(course)["browser-student"] == EXPECTED


def test_the_same_exercise_answered_in_two_tabs_keeps_both_answers(tmp_path, artifacts, chromium):
    """Two JupyterLab tabs on one notebook share its kernel but each builds its own widgets and answer store:
    a choice in one tab must not erase a choice made in the other."""
    from playwright.sync_api import sync_playwright

    course = make_course(tmp_path)
    cli(course, "generate", "sample")
    student = course / "student" / "sample"
    shutil.copytree(course / "exercises" / "sample", student)
    with running_lab(course, tmp_path) as lab, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=ARGS)
        try:
            first = open_notebook(browser, lab, "student/sample/sample.ipynb")
            first_classify = run_all(first, 7).nth(0)
            second = open_notebook(browser, lab, "student/sample/sample.ipynb")
            second_classify = run_all(second, 7).nth(0)
            first_classify.get_by_label("Answer 1", exact=True).select_option("empirical")
            wait_until(lambda: answered(student).get("claim-types") == {"a": "empirical"}, what="the first tab's save")
            second_classify.get_by_label("Answer 2", exact=True).select_option("normative")
            first_classify.get_by_label("Answer 3", exact=True).select_option("prediction")
            expected = {"a": "empirical", "b": "normative", "c": "prediction"}
            try:
                wait_until(lambda: answered(student).get("claim-types") == expected, what="both tabs' answers")
            except AssertionError:
                second.screenshot(path=str(artifacts / "browser-two-tabs-failure.png"), full_page=True)
                raise AssertionError(f"on disk: {answered(student)}; expected claim-types {expected}") from None
        finally:
            browser.close()
