"""A student's session in a real browser, graded by the real nbgrader.

JupyterLab serves the released sample assignment; Debian's Chromium (driven by Playwright) runs it and answers
one exercise of every kind **with the keyboard alone**: Tab to a control, arrows or Space to choose, typing
into the boxes (`abc` gets a plain sentence, `$839.89` is saved as 839.89). No cell may be inserted, moved or
turned into Markdown on the way (JupyterLab's command-mode shortcuts must leave the controls' keys alone), and
every focused control must show a focus ring with at least 3:1 contrast. That very folder is then submitted and
autograded, and the score must be exactly what was chosen.

axe-core checks the widgets of the sample assignment and of lesson 00: violations inside the course's widgets
fail the test; JupyterLab's own are printed, not counted. axe-core comes from the npm registry: the test
installs the pinned version with `npm install axe-core@AXE_VERSION` into a cache folder the first time
(~/.cache/border-bargains/axe-core-<version>, or $BORDER_BARGAINS_CACHE).

A lesson test clicks a ¶ link inside a widget and finds the reading guide open at that paragraph in the same
JupyterLab page (no reload). A second assignment test answers one exercise in two tabs and finds both answers on
disk. Screenshots are kept in test-artifacts/.
"""

import json
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from lab_server import CHROMIUM_ARGS, IN_VIEW, new_page, running_lab, wait_until
from sample_course import AUTOGRADED_TOTAL, KEY_ANSWERS, cli, make_course, scores

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_VERSION = "4.14.1"
LABELS = {"walsh": "John Walsh", "brewer": "Stephanie Brewer", "castro": "Joaquin Castro"}
ORDINALS = {1: "1st", 2: "2nd", 3: "3rd"}
# One deliberate mistake: claim c is classified as "causal" (the key says "prediction").
CHOSEN = json.loads(json.dumps(KEY_ANSWERS))
CHOSEN["claim-types"]["c"] = "causal"
CHOSEN["agency"]["name"] = "Customs and Border Protection"
EXPECTED = AUTOGRADED_TOTAL - 1  # 3 of 4 claims right costs one of claim-types' 4 points
# The course's widget roots: what axe must find clean.
COURSE_WIDGETS = [".bb-exercise", ".bb-viewer", ".bb-check-status"]
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def chromium(require):
    require(CHROMIUM.exists(), "Debian's chromium", "`make test` installs it with apt-get as root; else "
            "sudo apt-get install chromium")
    return CHROMIUM


@pytest.fixture(scope="session")
def axe_script(require):
    """axe-core's script, installed from npm once (pinned) into a cache folder."""
    cache = Path(os.environ.get("BORDER_BARGAINS_CACHE", Path.home() / ".cache" / "border-bargains"))
    folder = cache / f"axe-core-{AXE_VERSION}"
    script = folder / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        require(npm is not None, "npm (to install axe-core)", "install Node.js and npm")
        folder.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run([npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(folder),
                               f"axe-core@{AXE_VERSION}"], capture_output=True, text=True, timeout=300)
        require(script.exists(), f"axe-core {AXE_VERSION} from npm",
                f"check that npm can reach its registry ({proc.stderr.strip()[-300:]})")
    return script


def answered(folder: Path) -> dict:
    path = folder / "widget_answers.json"
    return json.loads(path.read_text())["answers"] if path.exists() else {}


def open_notebook(browser, lab, path: str):
    page = new_page(browser, viewport={"width": 1280, "height": 900})
    page.goto(f"{lab.url}/lab/workspaces/{uuid.uuid4().hex}/tree/{path}?token={lab.token}")
    page.get_by_text("(ipykernel) | Idle").wait_for(timeout=120_000)
    return page


def run_all(page, count: int):
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.locator('li[data-command="runmenu:run-all"]').click()
    exercises = page.locator(".bb-exercise")
    exercises.nth(count - 1).wait_for(timeout=120_000)
    page.get_by_text("(ipykernel) | Idle").wait_for(timeout=120_000)
    return exercises


def notebook_shape(page) -> list[str]:
    """Each cell's type, in order: the keyboard must insert, move or convert none."""
    return page.locator(".jp-Notebook .jp-Cell").evaluate_all(
        "cells => cells.map(c => c.classList.contains('jp-CodeCell') ? 'code' : 'markdown')")


# ------------------------------------------------------------------------------------------ keyboard
def focused(page) -> dict:
    return page.evaluate("""() => {
        const e = document.activeElement;
        return {tag: e.tagName.toLowerCase(), type: e.type || '', inCourse: !!e.closest('.bb-exercise, .bb-viewer'),
                checked: !!e.checked, value: e.value ?? ''};
    }""")


def tab_into(page, exercise, most: int = 10):
    """Put the keyboard at the start of an exercise (click its title), then Tab until its first control has focus.

    JupyterLab may put its cell toolbar's buttons first; a few Tabs pass them (at most ``most``).
    """
    exercise.locator(".bb-title").click()
    for _ in range(most):
        page.keyboard.press("Tab")
        if exercise.evaluate("(ex) => ex.contains(document.activeElement)"):
            return focused(page)
    raise AssertionError(f"{most} Tabs from the exercise's title never reached it: focus is on {focused(page)}")


def choose_in_select(page, label: str):
    """With a <select> focused: arrows until its option ``label`` is chosen (the menu stays closed)."""
    options = page.evaluate("() => Array.from(document.activeElement.options).map(o => o.textContent)")
    target = options.index(label)
    current = page.evaluate("() => document.activeElement.selectedIndex")
    key = "ArrowDown" if target >= current else "ArrowUp"
    for _ in range(abs(target - current)):
        page.keyboard.press(key)
    assert page.evaluate("() => document.activeElement.selectedOptions[0].textContent") == label


def choose_radio(page, position: int):
    """With the first radio of a group focused (nothing chosen yet): Space picks it, arrows move the choice."""
    if position == 0:
        page.keyboard.press("Space")
    for _ in range(position):
        page.keyboard.press("ArrowRight")
    assert focused(page)["checked"]


def relative_luminance(rgb) -> float:
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def rgb(css: str) -> tuple[int, int, int]:
    return tuple(int(float(v)) for v in re.findall(r"[\d.]+", css)[:3])


FOCUS_STYLE = """() => {
    const el = document.activeElement;
    // A radio's ring is drawn on its label (the whole pill), other controls' on themselves.
    const ringed = [el, el.closest('label')].filter(Boolean);
    let ring = null;
    for (const node of ringed) {
        const cs = getComputedStyle(node);
        if (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) {
            ring = {color: cs.outlineColor, width: parseFloat(cs.outlineWidth), kind: 'outline'}; break;
        }
        if (cs.boxShadow && cs.boxShadow !== 'none') {
            ring = {color: cs.boxShadow, width: 0, kind: 'box-shadow'}; break;
        }
    }
    let bg = 'rgb(255, 255, 255)';
    for (let node = (ring ? el.closest('label') || el : el).parentElement; node; node = node.parentElement) {
        const c = getComputedStyle(node).backgroundColor;
        if (c && c !== 'transparent' && !c.startsWith('rgba(0, 0, 0, 0)')) { bg = c; break; }
    }
    return {ring, bg, tag: el.tagName.toLowerCase()};
}"""


def assert_focus_visible(page, what: str) -> float:
    style = page.evaluate(FOCUS_STYLE)
    assert style["ring"], f"{what}: the focused {style['tag']} shows no outline or box-shadow"
    ratio = contrast(rgb(style["ring"]["color"]), rgb(style["bg"]))
    assert ratio >= 3, f"{what}: focus ring {style['ring']} on {style['bg']} has contrast {ratio:.2f} (< 3:1)"
    if style["ring"]["kind"] == "outline":
        assert style["ring"]["width"] >= 2, f"{what}: a {style['ring']['width']}px ring is too thin"
    return ratio


# ------------------------------------------------------------------------------------------ axe
def run_axe(page, script: Path, label: str) -> tuple[list, list]:
    """axe over the course's widgets (counted) and over the rest of the page (reported only)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(script))
    roots = [sel for sel in COURSE_WIDGETS if page.locator(sel).count()]
    result = page.evaluate("async (roots) => { const r = await axe.run({include: roots.map(r => [r])}, "
                           "{resultTypes: ['violations']}); return {violations: r.violations, "
                           "passes: r.passes.map(p => p.id)}; }", roots)
    ours = result["violations"]
    assert "label" in result["passes"] or "select-name" in result["passes"], \
        f"axe checked no form control in the course's widgets ({roots}): {result['passes']}"
    theirs = page.evaluate("async (roots) => (await axe.run({exclude: roots.map(r => [r])}, "
                           "{resultTypes: ['violations']})).violations", roots)
    print(f"\naxe on {label} ({len(result['passes'])} rules passed on {', '.join(roots)}): "
          f"{sum(len(v['nodes']) for v in ours)} violations in the course's widgets "
          f"({', '.join(v['id'] for v in ours) or 'none'}); JupyterLab's own (not counted): "
          f"{sum(len(v['nodes']) for v in theirs)} in {len(theirs)} rules "
          f"({', '.join(v['id'] + ' x' + str(len(v['nodes'])) for v in theirs) or 'none'})")
    return ours, theirs


def describe(violations) -> str:
    return "\n".join(f"{v['id']}: {v['help']} -> {[n['target'] for n in v['nodes']][:5]}" for v in violations)


def released_copy(tmp_path: Path) -> tuple[Path, Path]:
    """A course with the sample assignment generated, and a student's copy of the release in student/sample/."""
    course = make_course(tmp_path)
    cli(course, "generate", "sample")
    student = course / "student" / "sample"
    shutil.copytree(course / "exercises" / "sample", student)
    return course, student


# ------------------------------------------------------------------------------------------ tests
def test_student_answers_with_the_keyboard_alone_and_nbgrader_grades_it(tmp_path, artifacts, chromium, axe_script):
    from playwright.sync_api import sync_playwright

    course, student = released_copy(tmp_path)

    with running_lab(course, tmp_path) as lab, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = open_notebook(browser, lab, "student/sample/sample.ipynb")
            exercises = run_all(page, 7)
            classify, grid, match, order, scale, number, text = (exercises.nth(i) for i in range(7))
            shape = notebook_shape(page)
            ratios = {}

            tab_into(page, classify)
            ratios["select"] = assert_focus_visible(page, "a classify menu")
            for n, item in enumerate("abcd"):
                if n:
                    page.keyboard.press("Tab")
                choose_in_select(page, CHOSEN["claim-types"][item])
            # The grid's menus come column by column: each dimension for the 2019 case, then for 2025.
            tab_into(page, grid)
            for n, key in enumerate(["y2019/threat", "y2025/threat", "y2019/concession", "y2025/concession"]):
                if n:
                    page.keyboard.press("Tab")
                choose_in_select(page, CHOSEN["bargains"][key])
            tab_into(page, match)
            for n, item in enumerate(["m1", "m2"]):
                if n:
                    page.keyboard.press("Tab")
                choose_in_select(page, LABELS[CHOSEN["who-said"][item]])
            tab_into(page, order)
            for n, item in enumerate(["t2023", "t2019", "t2025"]):
                if n:
                    page.keyboard.press("Tab")
                choose_in_select(page, ORDINALS[CHOSEN["timeline"][item]])
            # Scale: one tab stop per item (a radio group); Space or arrows choose.
            assert tab_into(page, scale)["type"] == "radio"
            ratios["radio"] = assert_focus_visible(page, "a scale point")
            choose_radio(page, CHOSEN["stances"]["wola"] - 1)
            page.keyboard.press("Tab")
            assert focused(page)["type"] == "radio", "Tab leaves a radio group for the next group, in one stop"
            choose_radio(page, CHOSEN["stances"]["greene"] - 1)
            chosen = scale.locator(".bb-radio.bb-checked")
            wait_until(lambda: chosen.count() == 2, what="both scale choices shown as chosen")
            assert scale.locator("input[type=radio]:checked").count() == 2

            # Type numbers as people do: a word first, then a dollar amount.
            assert tab_into(page, number)["tag"] == "input"
            ratios["text box"] = assert_focus_visible(page, "a number box")
            page.keyboard.type("abc")
            page.keyboard.press("Enter")
            number.get_by_text("has no number in it").wait_for(timeout=120_000)
            assert "Not saved" in number.inner_text() and "Traceback" not in page.content()
            page.keyboard.press("Control+A")
            page.keyboard.type("$839.89")
            page.keyboard.press("Enter")
            number.get_by_text("Saved as 839.89 billion US$").wait_for(timeout=120_000)
            tab_into(page, text)
            page.keyboard.type("  Customs and Border Protection ")
            page.keyboard.press("Enter")
            try:
                wait_until(lambda: answered(student) == CHOSEN, what="every choice to be saved by the kernel")
            except AssertionError:
                page.screenshot(path=str(artifacts / "browser-failure.png"), full_page=True)
                raise AssertionError(f"saved {answered(student)}, expected {CHOSEN}") from None
            assert notebook_shape(page) == shape, "the keyboard inserted, moved or converted a cell"
            assert "Answered 4 of 4" in classify.inner_text()
            assert answered(student)["trade"] == {"value": 839.89}
            print("\nfocus ring contrast: " + ", ".join(f"{k} {v:.1f}:1" for k, v in ratios.items()))

            ours, _theirs = run_axe(page, axe_script, "the sample assignment")
            assert not ours, describe(ours)

            before = (student / "sample.ipynb").stat().st_mtime_ns
            page.get_by_role("menuitem", name="File", exact=True).click()
            page.locator('li[data-command="docmanager:save"]').click()
            wait_until(lambda: (student / "sample.ipynb").stat().st_mtime_ns != before, what="the notebook save")
            scale.scroll_into_view_if_needed()
            page.screenshot(path=str(artifacts / "browser-student-session.png"), full_page=True)
        finally:
            browser.close()

    shutil.copytree(student, course / "submitted" / "browser-student" / "sample")
    proc = cli(course, "autograde", "sample")
    assert proc.returncode == 0, proc.stdout
    assert scores(course)["browser-student"] == EXPECTED


def lesson_copy(tmp_path: Path) -> Path:
    """A course folder with the lessons, the reading guides and the data dictionary, as a student has it."""
    root = tmp_path / "course"
    root.mkdir()
    for name in ("lessons", "source_texts", "docs"):
        shutil.copytree(REPO / name, root / name)
    return root


def test_lesson_widgets_pass_axe_and_a_paragraph_link_opens_the_guide_in_place(tmp_path, artifacts, chromium,
                                                                                axe_script):
    from playwright.sync_api import sync_playwright

    root = lesson_copy(tmp_path)
    with running_lab(root, tmp_path) as lab, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = open_notebook(browser, lab, "lessons/00_orientation.ipynb")
            exercises = run_all(page, 3)
            page.locator(".bb-viewer a").first.wait_for(timeout=120_000)
            first = exercises.nth(0)
            # Check my answers, from the keyboard: the result is read out (live region) and listed with links.
            tab_into(page, first)
            choose_in_select(page, "Filter article (Oct 2023)")
            # The choice reaches the kernel before the Check button's click does (ipywidgets sends each model's
            # updates in turn, not across models: a click a few milliseconds later could overtake it).
            saved = root / "lessons" / ".widget_answers" / "00_orientation.json"
            wait_until(lambda: saved.exists() and "Filter article" in saved.read_text(), what="the choice saved")
            for _ in range(5):
                page.keyboard.press("Tab")
            assert focused(page)["tag"] == "button"
            ratio = assert_focus_visible(page, "the Check button")
            page.keyboard.press("Enter")
            live = first.locator(".bb-announce[role=status][aria-live=polite]")
            try:
                wait_until(lambda: "Checked: 1 of 5 right" in live.inner_text(), what="the announced result")
            except AssertionError:
                page.screenshot(path=str(artifacts / "browser-lesson-check-failure.png"), full_page=True)
                raise AssertionError(f"announced {live.all_inner_texts()!r}; exercise shows "
                                     f"{first.inner_text()[:1500]!r}") from None
            feedback = first.locator(".bb-links li")
            wait_until(lambda: feedback.count() == 5, what="the feedback list")
            assert "Why:" in feedback.first.inner_text()
            print(f"\nCheck button focus ring contrast {ratio:.1f}:1")
            first.scroll_into_view_if_needed()
            page.screenshot(path=str(artifacts / "browser-lesson-check.png"))

            ours, _theirs = run_axe(page, axe_script, "lesson 00")
            assert not ours, describe(ours)

            # A ¶ link inside the side-by-side viewer opens the guide at that paragraph, in this page.
            page.evaluate("() => { window.__bbNoReload = 'still here'; }")
            link = page.locator(".bb-viewer a[href*='.md']").first
            link.scroll_into_view_if_needed()
            style = link.evaluate("a => [getComputedStyle(a).textDecorationLine, getComputedStyle(a).color]")
            assert "underline" in style[0], f"a link looks like a link: {style}"
            name = link.inner_text()  # e.g. "WOLA ¶5"
            source, paragraph = re.match(r"(WOLA|Filter) ¶(\d+)", name).groups()
            link.click()
            guide = f"{source.lower()}.md"
            tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel")
            wait_until(lambda: tab.inner_text() == guide, what=f"{guide} to open in a JupyterLab tab")
            assert page.evaluate("() => window.__bbNoReload") == "still here", "the page was not reloaded"
            # JupyterLab's sanitizer keeps a guide's <a id="p9"> as data-jupyter-id="p9" (no DOM clobbering).
            anchor = page.locator(f".jp-MarkdownViewer :is([data-jupyter-id='p{paragraph}'], #p{paragraph})")
            anchor.wait_for(state="attached", timeout=120_000)
            wait_until(lambda: anchor.evaluate(IN_VIEW),
                what=f"the guide to scroll to ¶{paragraph}")
            assert page.locator(".jp-MarkdownViewer").is_visible(), "the guide is rendered, not raw Markdown"
            page.screenshot(path=str(artifacts / "browser-lesson-guide-link.png"))
        finally:
            browser.close()


def test_the_same_exercise_answered_in_two_tabs_keeps_both_answers(tmp_path, artifacts, chromium):
    """Two JupyterLab tabs on one notebook share its kernel but each builds its own widgets and answer store:
    a choice in one tab must not erase a choice made in the other."""
    from playwright.sync_api import sync_playwright

    course, student = released_copy(tmp_path)
    with running_lab(course, tmp_path) as lab, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            first = open_notebook(browser, lab, "student/sample/sample.ipynb")
            first_classify = run_all(first, 7).nth(0)
            second = open_notebook(browser, lab, "student/sample/sample.ipynb")
            second_classify = run_all(second, 7).nth(0)
            first_classify.locator("select").nth(0).select_option(label="empirical")
            wait_until(lambda: answered(student).get("claim-types") == {"a": "empirical"}, what="the first tab's save")
            second_classify.locator("select").nth(1).select_option(label="normative")
            first_classify.locator("select").nth(2).select_option(label="prediction")
            expected = {"a": "empirical", "b": "normative", "c": "prediction"}
            try:
                wait_until(lambda: answered(student).get("claim-types") == expected, what="both tabs' answers")
            except AssertionError:
                second.screenshot(path=str(artifacts / "browser-two-tabs-failure.png"), full_page=True)
                raise AssertionError(f"on disk: {answered(student)}; expected claim-types {expected}") from None
        finally:
            browser.close()


# ------------------------------------------------------------------------------------------ the README's commands
def follow_paragraph_link(page, artifacts: Path, scope: str, shot: str) -> str:
    """Click the first ¶ link of the rendered Markdown in ``scope``; the guide must open at that paragraph."""
    links = page.locator(f"{scope} .jp-RenderedMarkdown a[href*='source_texts/'][href*='.md'][href*='#p']")
    try:
        links.first.wait_for(state="attached", timeout=120_000)
    except Exception:
        hrefs = page.locator(f"{scope} .jp-RenderedMarkdown a").evaluate_all("as => as.map(a => a.href)")
        page.screenshot(path=str(artifacts / f"{shot}-failure.png"))
        raise AssertionError(f"no ¶ link in the rendered Markdown; links: {hrefs[:20]}") from None
    link = links.first
    link.scroll_into_view_if_needed()
    name = link.inner_text()
    source, paragraph = re.search(r"(WOLA|Filter) ¶(\d+)", name).groups()
    link.click()
    guide = f"{source.lower()}.md"
    tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel")
    try:
        wait_until(lambda: tab.inner_text() == guide, what=f"{guide} to open in a JupyterLab tab")
        anchor = page.locator(f".jp-MarkdownViewer :is([data-jupyter-id='p{paragraph}'], #p{paragraph})")
        anchor.wait_for(state="attached", timeout=120_000)
        wait_until(lambda: anchor.evaluate(IN_VIEW),
            what=f"the guide to scroll to ¶{paragraph}")
    except AssertionError:
        page.screenshot(path=str(artifacts / f"{shot}-failure.png"))
        raise
    page.screenshot(path=str(artifacts / f"{shot}.png"))
    return name


def test_make_lab_as_the_readme_says_opens_lesson_00_and_its_paragraph_links_work(tmp_path, artifacts, chromium):
    """`make lab` itself (ARGS only fixes the port and token), in this repository: lesson 00 opens, a ¶ link of
    its text opens the reading guide at that paragraph, and opening the lesson leaves its file as it was."""
    from lab_server import free_port, lab_options, launched_lab
    from playwright.sync_api import sync_playwright

    port, token = free_port(), uuid.uuid4().hex
    lesson = REPO / "lessons" / "00_orientation.ipynb"
    before = lesson.read_bytes()
    command = ["make", "--no-print-directory", "lab", "ARGS=" + " ".join(lab_options(port, token))]
    with launched_lab(command, REPO, tmp_path / "lab", port, token) as lab, sync_playwright() as pw:
        assert lab.opened.split("?")[0].endswith("/lab/tree/lessons/00_orientation.ipynb"), lab.opened
        _status, root = lab.get("/api/contents")
        assert {"lessons", "source_texts", "docs"} <= {item["name"] for item in root["content"]}, \
            "make lab serves the course folder"
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = new_page(browser, viewport={"width": 1280, "height": 900})
            page.goto(lab.opened)
            page.get_by_text("(ipykernel) | Idle").wait_for(timeout=120_000)
            name = follow_paragraph_link(page, artifacts, ".jp-Notebook", "make-lab-paragraph-link")
            print(f"\nmake lab: lesson 00's link {name} opened the guide at that paragraph")
        finally:
            browser.close()
    assert lesson.read_bytes() == before, "opening lesson 00 changed the file on disk"


def test_shared_machine_command_serves_lessons_and_a_fetched_assignment_with_working_links(tmp_path, artifacts,
                                                                                          chromium):
    """The README's shared-machine command (`student_setup --exchange … --student-id … --folder … --lab`) starts one
    JupyterLab in the student's own folder: the lessons are there with working ¶ links, and an assignment fetched
    into the same folder opens and its ¶ link opens the released guide at that paragraph."""
    import sys

    from lab_server import free_port, lab_options, launched_lab
    from playwright.sync_api import sync_playwright
    from sample_course import run_nbgrader

    course = make_course(tmp_path)
    shutil.copytree(REPO / "solutions" / "migration", course / "solutions" / "migration")
    shutil.copytree(REPO / "source_texts", course / "source_texts")
    (course / "exchange").mkdir()
    cli(course, "generate", "migration")
    released = cli(course, "release", "migration", env_extra={"BORDER_BARGAINS_EXCHANGE": str(course / "exchange")})
    assert released.returncode == 0, released.stdout + released.stderr
    folder = tmp_path / "bbstu-ana"
    port, token = free_port(), uuid.uuid4().hex
    command = [sys.executable, "-m", "border_bargains.student.setup", "--exchange", str(course / "exchange"),
               "--student-id", "bbstu-ana", "--folder", str(folder), "--lab", *lab_options(port, token)]
    with launched_lab(command, tmp_path, tmp_path / "lab", port, token) as lab, sync_playwright() as pw:
        assert lab.opened.split("?")[0].endswith("/lab/tree/lessons/00_orientation.ipynb"), lab.opened
        fetched = run_nbgrader(folder, "fetch_assignment", "migration")
        assert (folder / "migration" / "migration.ipynb").exists(), fetched.stdout + fetched.stderr
        _status, listing = lab.get("/api/contents")
        assert {"lessons", "source_texts", "migration", "nbgrader_config.py"} <= {i["name"] for i in listing["content"]}
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = new_page(browser, viewport={"width": 1280, "height": 900})
            page.goto(lab.opened)
            page.get_by_text("(ipykernel) | Idle").wait_for(timeout=120_000)
            lesson_link = follow_paragraph_link(page, artifacts, ".jp-Notebook", "shared-machine-lesson-link")
            page = open_notebook(browser, lab, "migration/migration.ipynb")
            assignment_link = follow_paragraph_link(page, artifacts, ".jp-Notebook", "shared-machine-assignment-link")
            print(f"\nshared machine: lesson link {lesson_link}, assignment link {assignment_link}: guide opened")
        finally:
            browser.close()
    assert (REPO / "lessons" / "00_orientation.ipynb").read_bytes() == (folder / "lessons" /
                                                                         "00_orientation.ipynb").read_bytes()
