"""Feedback a student learns from, made by the real nbgrader feedback step through `border-bargains feedback`.

One submission of the sample assignment (one item wrong, one not answered, the written answer not marked yet) gets
feedback four times, with the due date (course.toml) ahead, past, past but extended for another student, and with
the instructor's switch. Before the moment: the student's own answers, right or wrong, where to read, no key.
After it (or with the switch): the key with its reason and ¶ links that lead to the paragraph in the page itself.
Always: "not marked yet" for the written answer, a provisional total, no execution counts. A browser test opens the
page in JupyterLab as a student does, at a laptop's width, follows a ¶ link and finds the paragraph.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import uuid
from pathlib import Path

import pytest
from sample_course import KEY_ANSWERS, REPO, cli, make_course, submit

CHOSEN = json.loads(json.dumps(KEY_ANSWERS))
CHOSEN["claim-types"]["c"] = "causal"  # wrong: the key says prediction
del CHOSEN["claim-types"]["d"]  # not answered
WHY_C = "About the future."  # the key's reason for claim c (sample fixture)
STUDENT = "bbstu-fb"


def course_toml(due: dt.datetime, extensions: dict | None = None) -> str:
    text = (f'[course]\ntimezone = "UTC"\n\n[assignments.sample]\ntitle = "Sample"\n'
            f'due = "{due.strftime("%Y-%m-%d %H:%M")}"\n\n[late]\npolicy = "none"\ngrace_minutes = 15\n')
    if extensions:
        text += "\n[extensions]\n" + "".join(f'{s} = {{ sample = "{d.strftime("%Y-%m-%d %H:%M")}" }}\n'
                                             for s, d in extensions.items())
    return text


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The sample course with the guides, one submission autograded; the written answer left unmarked."""
    course = make_course(tmp_path_factory.mktemp("feedback"))
    shutil.copytree(REPO / "source_texts", course / "source_texts")
    now = dt.datetime.now(dt.UTC)
    (course / "course.toml").write_text(course_toml(now + dt.timedelta(days=2)))
    cli(course, "generate", "sample")
    folder = submit(course, STUDENT, answers=CHOSEN)
    nb = json.loads((folder / "sample.ipynb").read_text())
    for cell in nb["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "written-memo":
            cell["source"] = "My memo: the 2019 deal traded tariffs for troops."
    (folder / "sample.ipynb").write_text(json.dumps(nb))
    proc = cli(course, "autograde", "sample")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return course


def feedback_page(course: Path, *extra: str, toml: str | None = None) -> str:
    if toml is not None:
        (course / "course.toml").write_text(toml)
    proc = cli(course, "feedback", "sample", "--allow-unfinished", *extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "returned to 1 student" in proc.stdout, proc.stdout
    return (course / "feedback" / STUDENT / "sample" / "sample.html").read_text(encoding="utf-8")


def rows(page: str) -> dict[str, str]:
    """Each item row of the reports as text: label -> 'answer | result'."""
    found = {}
    for row in re.findall(r"<tr class=[\"']bb-(?:right|wrong)[\"']>(.*?)</tr>", page, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
        found[cells[0]] = " | ".join(cells[1:])
    return found


def assert_always(page: str) -> None:
    """What every feedback page shows, whatever the moment."""
    assert "not marked yet" in page, "the unmarked written answer says so"
    assert "provisional" in page, "the total says it is provisional"
    assert "Written response</a> (not marked yet" in page, page[page.find("toc"):][:1500]
    assert not re.search(r"Out\s*\[|In\s*\[\s*\d*\s*\]|In&nbsp;\[", page), "no execution counts or prompts"
    assert "My memo: the 2019 deal" in page, "the written answer is shown"
    items = rows(page)
    assert any("causal" in v and "not right" in v for v in items.values()), items
    assert any("empirical" in v and "✓ right" in v for v in items.values()), items
    assert any("none" in v and "not answered" in v for v in items.values()), items
    assert "CBP" not in page or "customs" in page.lower()


def test_before_the_due_date_feedback_shows_answers_and_results_but_no_key(graded):
    page = feedback_page(graded)
    assert_always(page)
    assert WHY_C not in page and "Key:" not in page, "no key before the due date"
    assert "will be shown in feedback sent after" in page
    # The item's own reference (shown beside the question already) is a link into the page's passages.
    assert re.search(r"Where to read: .*?<a href=\"#bb-guide-", page), "where to read, as a link"


def test_after_the_due_date_feedback_shows_the_key_its_reason_and_working_paragraph_links(graded):
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    page = feedback_page(graded, toml=course_toml(past))
    assert_always(page)
    assert "Key:" in page and WHY_C in page, "the key and its reason after the due date"
    links = set(re.findall(r'href="#(bb-guide-[\w-]+)"', page))
    assert "bb-guide-filter-p21" in links, links  # the key's ref for claim c: Filter ¶21
    for target in links:
        assert re.search(f"id=[\"']{target}[\"']", page), f"the link #{target} has its passage in the page"
    guide = (REPO / "source_texts" / "filter.md").read_text(encoding="utf-8")
    p21 = re.search(r'<a id="p21"></a>(.*)', guide)[1]
    words = re.sub(r"[*_`]", "", p21).split(" · ")[0].strip()
    passage = page[re.search(r"id=[\"']bb-guide-filter-p21", page).start():][:3000]
    assert words.replace("¶", "") in re.sub(r"<[^>]+>", "", passage).replace("¶", ""), passage[:500]
    assert "source_texts/" in page, "the page names the student's own copy of the guides"
    assert not re.search(r'href="(?:\.\./)*source_texts/', page), "no link that leaves the page for a raw file"


def test_an_extension_still_running_keeps_the_key_back_for_everyone(graded):
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    page = feedback_page(graded, toml=course_toml(past, {"bbstu-other": ahead}))
    assert WHY_C not in page and "Key:" not in page, "a student with an extension may still submit"


def test_the_instructors_switch_shows_the_key_before_the_due_date(graded):
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    page = feedback_page(graded, "--reveal-keys", toml=course_toml(ahead))
    assert "Key:" in page and WHY_C in page
    with (graded / "nbgrader_config.py").open("a") as cfg:
        cfg.write('\nc.TeachingFeedback.reveal_keys = "never"\n')
    try:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
        page = feedback_page(graded, toml=course_toml(past))
        assert WHY_C not in page and "Key:" not in page, "reveal_keys = never"
    finally:
        text = (graded / "nbgrader_config.py").read_text().replace('\nc.TeachingFeedback.reveal_keys = "never"\n', "")
        (graded / "nbgrader_config.py").write_text(text)


@pytest.mark.browser
def test_the_feedback_page_fits_a_laptop_and_its_paragraph_link_works_in_jupyterlab(graded, tmp_path, artifacts,
                                                                                   require):
    """The page as a student opens it in JupyterLab (after fetching: <assignment>/feedback/<time>/sample.html)."""
    from lab_server import CHROMIUM_ARGS, IN_VIEW, new_page, running_lab, wait_until
    from playwright.sync_api import sync_playwright

    chromium = Path("/usr/bin/chromium")
    require(chromium.exists(), "Debian's chromium", "sudo apt-get install chromium")
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    feedback_page(graded, toml=course_toml(past))
    home = tmp_path / "home"
    shutil.copytree(graded / "exercises" / "sample", home / "sample")
    fetched = home / "sample" / "feedback" / "2026-01-01 00:00:00.000000 UTC"
    fetched.mkdir(parents=True)
    shutil.copy(graded / "feedback" / STUDENT / "sample" / "sample.html", fetched / "sample.html")

    with running_lab(home, tmp_path) as lab, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = new_page(browser, viewport={"width": 1280, "height": 800})
            path = f"sample/feedback/{fetched.name}/sample.html"
            page.goto(f"{lab.url}/lab/workspaces/{uuid.uuid4().hex}/tree/{path}?token={lab.token}")
            frame_el = page.locator("iframe").first
            frame_el.wait_for(timeout=120_000)
            frame = frame_el.content_frame
            frame.locator(".bb-feedback").first.wait_for(timeout=120_000)
            widths = frame.locator("html").evaluate(
                "h => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert widths[0] <= widths[1] + 1, f"sideways scrolling in JupyterLab's panel: {widths}"
            responses = []
            page.on("response", lambda r: responses.append((r.status, r.url, r.request.resource_type)))
            link = frame.locator("a[href='#bb-guide-filter-p21']").first
            link.scroll_into_view_if_needed()
            page.screenshot(path=str(artifacts / "feedback-page.png"))
            link.click()
            target = frame.locator("#bb-guide-filter-p21")
            wait_until(lambda: target.evaluate(IN_VIEW), timeout=90, what="the link to bring ¶21's passage into view")
            assert "¶21" in target.inner_text()
            # JupyterLab's viewer resolves the link against the file's own address: at most the page itself is
            # loaded again, and it must load (no 403, no other file).
            served = [r for r in responses if r[1].startswith(lab.url)]
            assert all(status < 400 for status, _url, _kind in served), served  # no 403, not even JupyterLab's
            # Only documents count as what the link opened: JupyterLab saves its workspace (PUT /lab/api/...) and
            # may fetch a script or a font of its own whenever it likes, and neither is something the link loaded.
            opened = [(status, url) for status, url, kind in served if kind == "document"]
            assert all(status == 200 and "/sample.html" in url for status, url in opened), opened
            page.screenshot(path=str(artifacts / "feedback-page-paragraph.png"))
            # A laptop's own browser, opening the file directly.
            laptop = new_page(browser, viewport={"width": 1024, "height": 700})
            laptop.goto((fetched / "sample.html").as_uri())
            widths = laptop.evaluate("() => [document.documentElement.scrollWidth, "
                                     "document.documentElement.clientWidth]")
            assert widths[0] <= widths[1] + 1, f"sideways scrolling at 1024 px: {widths}"
        finally:
            browser.close()
