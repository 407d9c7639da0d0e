"""Item analysis on a synthetic class whose answers were chosen so every figure can be worked out by hand.

Eight students answer two exercises of the sample assignment (claim-types: items a–d; who-said: m1, m2) and
leave the other five blank. Each item is worth one point towards the autograded total, so the totals are
s1 5, s2 3, s3 3, s5 3, s4 2, s6 2, s8 2, s7 0. Kelley's 27% groups of eight students hold round(2.16) = 2:
the upper group is s1, s2 and the lower s8, s7 (ties ranked by id). The expected figures below follow.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lab_server import CHROMIUM_ARGS, new_page
from sample_course import cli, make_course, submit

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]

E, N, P, C = "empirical", "normative", "prediction", "causal"
ANSWERS = {
    "s1": ({"a": E, "b": E, "c": P, "d": C}, {"m1": "walsh", "m2": "brewer"}),
    "s2": ({"a": E, "b": E, "c": P, "d": P}, {"m1": "walsh", "m2": "castro"}),
    "s3": ({"a": E, "b": N, "c": C, "d": P}, {"m1": "walsh", "m2": "castro"}),
    "s4": ({"a": E, "b": E, "c": C}, {"m1": "walsh"}),
    "s5": ({"a": C, "b": N, "c": C, "d": C}, {"m1": "brewer", "m2": "brewer"}),
    "s6": ({"a": E, "b": N}, {}),
    "s7": ({}, {}),
    "s8": ({"a": E, "b": N, "c": C, "d": P}, {"m1": "brewer", "m2": "castro"}),
}
# item -> (share right, most common wrong answer and how many chose it, blanks, discrimination D)
EXPECTED = {
    ("claim-types", "a"): (6 / 8, ["causal", 1], 1, 1.0 - 0.5),
    ("claim-types", "b"): (4 / 8, ["empirical", 3], 1, 0.0 - 0.5),  # the weaker group did better: flagged
    ("claim-types", "c"): (2 / 8, ["causal", 4], 2, 1.0 - 0.0),
    ("claim-types", "d"): (2 / 8, ["prediction", 3], 3, 0.5 - 0.0),
    ("who-said", "m1"): (4 / 8, ["Stephanie Brewer", 2], 2, 1.0 - 0.0),
    ("who-said", "m2"): (2 / 8, ["Joaquin Castro", 3], 3, 0.5 - 0.0),
}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("items"))
    assert cli(course, "generate", "sample").returncode == 0
    for student, (claims, who) in ANSWERS.items():
        answers = {k: v for k, v in (("claim-types", claims), ("who-said", who)) if v}
        submit(course, student, answers=answers)
    assert cli(course, "autograde", "sample").returncode == 0
    proc = cli(course, "report", "sample")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads((course / "reports" / "sample-items.json").read_text(encoding="utf-8"))
    return {"course": course, "stdout": proc.stdout, "items": {(i["exercise"], i["item"]): i for i in data["items"]},
            "html": course / "reports" / "sample-items.html"}


@pytest.mark.parametrize("key", list(EXPECTED), ids=lambda k: "/".join(k))
def test_share_right_wrong_choice_and_discrimination_match_hand_computation(report, key):
    share, wrong, blank, discrimination = EXPECTED[key]
    item = report["items"][key]
    assert item["share_right"] == pytest.approx(share)
    assert item["most_common_wrong"] == wrong
    assert item["blank"] == blank
    assert item["discrimination"] == pytest.approx(discrimination)


def test_items_worth_a_look_are_flagged(report):
    assert any("negative discrimination" in f for f in report["items"][("claim-types", "b")]["flags"])
    assert not report["items"][("claim-types", "a")]["flags"]
    assert "almost nobody right" in report["items"][("bargains", "y2019/threat")]["flags"], "a blank exercise"
    assert "8 students analysed (0 left out); " in report["stdout"]


def test_the_html_report_is_accessible_and_counts_blank_exercises(report):
    page = report["html"].read_text(encoding="utf-8")
    assert page.count("<h1>") == 1 and "<script" not in page
    assert "1 of 8 left it blank" in page  # claim-types: only s7
    assert "2 of 8 left it blank" in page  # who-said: s6 and s7
    assert "8 of 8 left it blank" in page  # the five exercises nobody answered
    images = page.count("<img ")
    assert images >= 7 and page.count(" alt='") == images, "every chart has alt text"


def test_the_report_opens_in_chromium_without_console_errors(report, require):
    chromium = Path("/usr/bin/chromium")
    require(chromium.exists(), "Debian's chromium", "sudo apt-get install chromium")
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = new_page(browser)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(report["html"].as_uri())
            assert page.title() == "Item analysis: Sample"
            assert page.locator("table tbody tr").count() == 17  # every item of the sample assignment
            assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
        finally:
            browser.close()
    assert errors == []
