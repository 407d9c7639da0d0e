"""A class on one shared server where no classmate can read, forge or break another's work (issue 17).

The hub of deploy/jupyterhub/ is set up the way deploy/README.md says: the accounts made with `useradd -m -K
HOME_MODE=0700`, then `setup-server.sh` (the shared environment in its own prefix, as /opt/border-bargains is,
the course folder given to an instructors group, the exchange and its course folders made by root), then the hub
started from that environment with the README's settings. An instructor and three students log in; two students
work honestly through the Assignments tab, and the third (mallory) tries every attack of the issue through her own
account: as her Unix user in a shell (`runuser`) and through her own server (kernel and Assignments API). The
instructor then runs the README's commands in her own server (collect, autograde, feedback, export) and opens
mallory's submission in Formgrader in Chromium.

Test-only differences from a real server: logins use the hub's dummy authenticator, users, group and folders carry
the test's prefix (bbsec) under one temporary folder, and /root is made traversable while the test runs because
this machine's Python lives there (see tests/course/test_hub.py). Run it as `flock /tmp/bb-hub.lock pytest ...` on a
machine shared with other hub runs.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from lab_server import CHROMIUM_ARGS, new_page
from sample_course import REPO
from test_hub import (
    ASSIGNMENT,
    answer_and_submit,
    fetch_and_answer,
    key_and_half,
    python_reachable,
    running_hub,
    useradd,
    userdel,
)

# One hub at a time on the machine (hub_machine): a module may wait for another, hence the longer timeout.
pytestmark = [pytest.mark.slow, pytest.mark.nbgrader, pytest.mark.timeout(3600)]

INSTRUCTOR, ALICE, BOB, MALLORY = "bbsecinst", "bbsecs1", "bbsecs2", "bbsecs3"
STUDENTS = (ALICE, BOB, MALLORY)
GROUP = "bbsecinstructors"
COURSE_ID = "border-bargains"
PAYLOAD = ("My answer. <img src=x onerror=\"window.__pwned = 1; fetch('/user/bbsecinst/api/contents/pwned.txt', "
           "{method: 'PUT', headers: {'Content-Type': 'application/json', 'X-XSRFToken': "
           "((document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || '')}, body: JSON.stringify({type: 'file', "
           "format: 'text', content: 'pwned'})})\">")


def utc(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def shell(user: str, script: str) -> subprocess.CompletedProcess:
    """A shell as `user` (a student who knows a little Linux), from her home folder."""
    return subprocess.run(["runuser", "-u", user, "--", "sh", "-c", f"cd ~ && {script}"], capture_output=True,
                          text=True, timeout=120)


def denied(user: str, script: str) -> str:
    proc = shell(user, script)
    assert proc.returncode != 0, f"{user} could: {script}\n{proc.stdout}"
    return proc.stderr


def instructor_runs(h, *args: str) -> tuple[int, str]:
    """A README command run in the instructor's own server (a terminal there is the same: same env, same umask)."""
    code = ("import subprocess\n"
            f"p = subprocess.run(['border-bargains', *{list(args)!r}], capture_output=True, text=True)\n"
            "print(p.returncode)\nprint(p.stdout + p.stderr)")
    out = asyncio.run(h.run_code(INSTRUCTOR, code))
    rc, _, text = out.partition("\n")
    return int(rc), text


@pytest.fixture(scope="module")
def secure_hub(require, hub_machine):
    require(os.geteuid() == 0, "root (to create the class's Unix users)", "run the tests as root, as CI does")
    require(shutil.which("npm") is not None, "npm (for the hub's proxy)", "apt-get install npm")
    base = Path(tempfile.mkdtemp(prefix="bbsec-hub-"))
    base.chmod(0o755)
    homes, prefix = base / "home", base / "opt" / "border-bargains"
    exchange, state = base / "srv" / "nbgrader" / "exchange", base / "srv" / "jupyterhub"
    users = [INSTRUCTOR, *STUDENTS]
    try:
        with python_reachable():
            homes.mkdir()
            homes.chmod(0o755)
            for user in users:  # deploy/README.md: accounts with private homes
                useradd(user, homes / user, "-K", "HOME_MODE=0700")
            course = homes / INSTRUCTOR / "border-bargains"  # the instructor's copy of the course
            course.mkdir()
            for name in ("nbgrader_config.py", "course.toml"):
                shutil.copy(REPO / name, course / name)
            now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0, tzinfo=None)
            due, extended = now - dt.timedelta(days=1), now + dt.timedelta(days=2)
            toml = (course / "course.toml").read_text()
            toml = toml.replace('timezone = "America/New_York"', 'timezone = "UTC"')
            toml = toml.replace('# due = "2027-01-29 23:59"', f'due = "{due:%Y-%m-%d %H:%M}"', 1)
            toml += (f'\n[extensions]\n{ALICE} = {{ {ASSIGNMENT} = "{extended:%Y-%m-%d %H:%M}" }}\n'
                     f'{BOB} = {{ {ASSIGNMENT} = "{extended:%Y-%m-%d %H:%M}" }}\n')
            (course / "course.toml").write_text(toml)
            shutil.copytree(REPO / "solutions" / ASSIGNMENT, course / "solutions" / ASSIGNMENT)
            shutil.copytree(REPO / "source_texts", course / "source_texts")
            subprocess.run(["chown", "-R", f"{INSTRUCTOR}:{INSTRUCTOR}", str(course)], check=True)
            settings = dict(BB_COURSE_ROOT=str(course), BB_INSTRUCTORS=INSTRUCTOR, BB_EXCHANGE=str(exchange),
                            BB_HUB_STATE=str(state))
            setup = subprocess.run(
                ["sh", str(REPO / "deploy" / "jupyterhub" / "setup-server.sh")], capture_output=True, text=True,
                timeout=900, env=dict(os.environ, **settings, BB_PREFIX=str(prefix), BB_INSTRUCTORS_GROUP=GROUP,
                                      PYTHON=sys._base_executable))
            assert setup.returncode == 0, setup.stdout + setup.stderr
            with running_hub(base, prefix / "venv" / "bin" / "jupyterhub",
                             prefix / "deploy" / "jupyterhub" / "jupyterhub_config.py",
                             dict(settings, BB_STUDENTS=",".join(STUDENTS)), users) as (h, password):
                yield {"hub": h, "password": password, "course": course, "exchange": exchange, "homes": homes,
                       "state": state, "prefix": prefix, "due": due, "setup": setup.stdout}
    finally:
        for user in users:
            userdel(user)
        subprocess.run(["groupdel", GROUP], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def attacked_class(secure_hub):
    """Release; alice and bob work honestly; mallory attacks; the instructor collects, grades and returns feedback."""
    h, course, exchange = secure_hub["hub"], secure_hub["course"], secure_hub["exchange"]
    inbound = exchange / COURSE_ID / "inbound"
    full, half, total, half_score = key_and_half()
    ran = {}
    for step in (("generate", ASSIGNMENT), ("release", ASSIGNMENT)):
        rc, out = instructor_runs(h, *step)
        assert rc == 0, out
        ran[step[0]] = out
    # The class list (names, e-mails), imported from an LMS export with `make roster` (border-bargains roster).
    lms = f"Student,SIS Login ID,Email\nAlice A,{ALICE},alice@example.edu\nBob B,{BOB},bob@example.edu\n"
    asyncio.run(h.run_code(INSTRUCTOR, f"open('lms-export.csv', 'w').write({lms!r})"))
    rc, out = instructor_runs(h, "roster", "lms-export.csv")
    assert rc == 0, out
    answer_and_submit(h, ALICE, full)
    answer_and_submit(h, BOB, half)
    fetch_and_answer(h, MALLORY, half)

    # Mallory, through her own server: submits her work under alice's name (nbgrader lets her name anyone) ...
    forged = asyncio.run(h.run_code(MALLORY, (
        "import subprocess\n"
        f"p = subprocess.run(['nbgrader', 'submit', '{ASSIGNMENT}', '--student={ALICE}'], capture_output=True, "
        "text=True)\nprint(p.returncode, p.stderr[-300:])")))
    assert forged.startswith("0"), forged
    # ... and hands in late, naming her submission and its timestamp.txt a day before the due date, mtimes too,
    # with a script in her written answer for the instructor's browser.
    claimed, on_time = utc(secure_hub["due"] - dt.timedelta(days=1)), utc(secure_hub["due"])
    backdate = f"""
import os, shutil, nbformat, datetime as dt
dest = os.path.join({str(inbound)!r}, "{MALLORY}+{ASSIGNMENT}+{claimed}+bWFsbG9yeQ")
shutil.copytree(os.path.expanduser("~/{ASSIGNMENT}"), dest)
nb = nbformat.read(os.path.join(dest, "{ASSIGNMENT}.ipynb"), as_version=4)
cell = next(c for c in nb.cells if c.cell_type == "markdown" and c.metadata.get("nbgrader", {{}}).get("solution"))
cell.source = {PAYLOAD!r}
nbformat.write(nb, os.path.join(dest, "{ASSIGNMENT}.ipynb"))
open(os.path.join(dest, "timestamp.txt"), "w").write({claimed!r})
past = (dt.datetime.now() - dt.timedelta(days=2)).timestamp()
for folder, _dirs, files in os.walk(dest):
    os.chmod(folder, 0o755)  # readable, as nbgrader submit leaves a submission
    for name in files:
        os.chmod(os.path.join(folder, name), 0o644)
        os.utime(os.path.join(folder, name), (past, past))
os.chmod(dest, 0o777)
private = dest.replace("bWFsbG9yeQ", "cHJpdmF0ZQ").replace({claimed!r}, {on_time!r})
shutil.copytree(os.path.expanduser("~/{ASSIGNMENT}"), private)  # her umask 077: the instructor cannot read it
open(os.path.expanduser("~/umask-probe"), "w").write("x")
print("placed")
"""
    assert "placed" in asyncio.run(h.run_code(MALLORY, backdate))
    # In a shell: entries collect cannot read, and 60 MiB (sparse: no disk is used).
    for script in (f"mkdir '{inbound}/{MALLORY}+{ASSIGNMENT}+not-a-time+x'",
                   f"echo junk > '{inbound}/{MALLORY}+{ASSIGNMENT}+{utc(dt.datetime.now(dt.UTC))}+file'",
                   f"d='{inbound}/{MALLORY}+{ASSIGNMENT}+{utc(dt.datetime.now(dt.UTC))}+YmlnYmln' && "
                   f"cp -r ~/{ASSIGNMENT} \"$d\" && truncate -s 60M \"$d/filler.bin\""):
        proc = shell(MALLORY, script)
        assert proc.returncode == 0, proc.stderr  # inbound/ takes anything: collect must cope
    # The exchange's folders: taken, swapped or overwritten?
    course_dir = exchange / COURSE_ID
    ran["exchange attacks"] = {
        "squat the course folder": denied(MALLORY, f"mkdir '{course_dir}'"),
        "swap the course folder": denied(MALLORY, f"mv '{course_dir}' '{exchange}/mine'"),
        "swap outbound": denied(MALLORY, f"mv '{course_dir}/outbound' '{course_dir}/old'"),
        "remove the release": denied(MALLORY, f"rm -rf '{course_dir}/outbound/{ASSIGNMENT}'"),
        "overwrite the released notebook": denied(
            MALLORY, f"echo '{{}}' > '{course_dir}/outbound/{ASSIGNMENT}/{ASSIGNMENT}.ipynb'"),
        "add to the release": denied(MALLORY, f"echo x > '{course_dir}/outbound/{ASSIGNMENT}/extra.py'"),
        "open up the exchange": denied(MALLORY, f"chmod 0777 '{exchange}'"),
        "list submissions": denied(MALLORY, f"ls '{inbound}'"),
        "list feedback": denied(MALLORY, f"ls '{course_dir}/feedback'"),
    }

    rc, ran["collect"] = instructor_runs(h, "collect", ASSIGNMENT)
    assert rc == 0, ran["collect"]
    rc, ran["autograde"] = instructor_runs(h, "autograde", ASSIGNMENT)
    assert rc == 0, ran["autograde"]
    rc, ran["feedback"] = instructor_runs(h, "feedback", ASSIGNMENT, "--allow-unfinished")
    assert rc == 0, ran["feedback"]
    rc, ran["export"] = instructor_runs(h, "export", ASSIGNMENT)
    assert rc == 0, ran["export"]
    pages = {}
    for student in (ALICE, BOB):  # mallory's hand-made submission has no secret from nbgrader submit to fetch by
        got = h.call("POST", f"/user/{student}/assignments/fetch_feedback",
                     data={"course_id": COURSE_ID, "assignment_id": ASSIGNMENT})
        assert got["success"], got
        listing = h.call("GET", f"/user/{student}/api/contents/{ASSIGNMENT}/feedback")
        (stamp,) = [item["path"] for item in listing["content"] if item["type"] == "directory"]
        pages[student] = h.call("GET", f"/user/{student}/api/contents/{stamp}/{ASSIGNMENT}.html")["content"]
    ran["pages"] = pages
    for student, page in pages.items():  # kept for a look after a failure
        (REPO / "test-artifacts").mkdir(exist_ok=True)
        (REPO / "test-artifacts" / f"hub-security-feedback-{student}.html").write_text(page, encoding="utf-8")
    ran["expected"] = {ALICE: total, BOB: half_score, MALLORY: half_score}
    ran["grades"] = {r["student_id"]: r for r in csv.DictReader((course / "grades.csv").open(encoding="utf-8"))}
    return ran


def test_collect_names_every_attack_in_one_line_each(attacked_class):
    lines = attacked_class["collect"].strip().splitlines()
    assert lines[0] == f"collected {ASSIGNMENT}: 3 submission(s) in submitted/", lines
    said = "\n".join(lines[1:])
    assert f"SET ASIDE, not collected: it claims to be from {ALICE} but was sent by {MALLORY}" in said
    assert f"{MALLORY}+{ASSIGNMENT}+not-a-time+x: skipped, the name is not" in said and f"placed by {MALLORY}" in said
    assert "+file: skipped, not a folder" in said
    assert re.search(r"REFUSED, 60\.\d MiB is over the course's limit of 50 MiB", said), said
    assert "cHJpdmF0ZQ: skipped, the collecting account cannot read" in said
    assert f"{MALLORY}: FLAGGED, the submission claims" in said and "the server's time is used for lateness" in said
    assert len(lines) == 7, lines  # one line each, nothing about the honest students


def test_honest_students_get_exactly_what_they_submitted(secure_hub, attacked_class):
    h = secure_hub["hub"]
    submissions = h.call("GET", f"/user/{INSTRUCTOR}/formgrader/api/submissions/{ASSIGNMENT}")
    scores = {s["student"]: s["code_score"] for s in submissions if s["submitted"]}
    assert scores == pytest.approx(attacked_class["expected"]), scores
    grades = attacked_class["grades"]
    for student in (ALICE, BOB):
        assert grades[student][f"{ASSIGNMENT}: hours late"] == "0", grades[student]
        assert "late" not in grades[student][f"{ASSIGNMENT}: note"], grades[student]
    pages = attacked_class["pages"]
    assert "✗ not right" not in pages[ALICE] and "- not answered" not in pages[ALICE], "alice answered all, rightly"
    assert "- not answered" in pages[BOB], "bob answered every other item"
    assert len(set(pages.values())) == 2, "each student fetched her own feedback"


def test_a_backdated_submission_is_late_by_the_servers_clock(attacked_class):
    row = attacked_class["grades"][MALLORY]
    assert 20 < float(row[f"{ASSIGNMENT}: hours late"]) < 30, row  # due a day ago; claimed two days ago
    assert " late, past the " in row[f"{ASSIGNMENT}: note"], row  # lateness in words (issue 21)


def test_classmates_and_the_course_folder_are_out_of_reach(secure_hub, attacked_class):
    course, homes = secure_hub["course"], secure_hub["homes"]
    targets = {
        "alice's home": homes / ALICE,
        "alice's answers": homes / ALICE / ASSIGNMENT / "widget_answers.json",
        "alice's notebook": homes / ALICE / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
        "alice's submission cache (its secret names her feedback)": homes / ALICE / ".local" / "share" / "jupyter",
        "the answer key": course / "solutions" / ASSIGNMENT / "answer_key.toml",
        "the gradebook": course / "gradebook.db",
        "the course's settings": course / "course.toml",
        "the roster": course / "roster.csv",
        "the grades export": course / "grades.csv",
        "collected submissions": course / "submitted" / ALICE / ASSIGNMENT / "widget_answers.json",
        "graded notebooks": course / "autograded" / ALICE / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
        "feedback": course / "feedback" / ALICE / ASSIGNMENT / f"{ASSIGNMENT}.html",
        "the course folder": course,
        "the hub's database": secure_hub["state"] / "jupyterhub.sqlite",
        "the hub's cookie secret": secure_hub["state"] / "jupyterhub_cookie_secret",
    }
    for what, path in targets.items():
        assert path.exists(), f"the test's target {what} ({path}) does not exist"
        command = "ls" if path.is_dir() else "cat"
        assert "Permission denied" in denied(MALLORY, f"{command} '{path}'"), what
    probe = "\n".join(f"""
try:
    (os.listdir if os.path.isdir({str(p)!r}) else (lambda q: open(q).read()))({str(p)!r})
    print("READ", {what!r})
except PermissionError:
    pass""" for what, p in targets.items())
    out = asyncio.run(secure_hub["hub"].run_code(MALLORY, "import os\n" + probe + "\nprint('probed')"))
    assert out.strip() == "probed", out  # through her server too
    for what, error in attacked_class["exchange attacks"].items():
        assert "denied" in error or "File exists" in error or "not permitted" in error, (what, error)


def test_modes_are_private_by_default(secure_hub, attacked_class):
    homes, state, course = secure_hub["homes"], secure_hub["state"], secure_hub["course"]
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    for student in STUDENTS:
        assert mode(homes / student) == 0o700, student
        assert mode(homes / student / ASSIGNMENT / "widget_answers.json") == 0o600, student
    assert mode(homes / MALLORY / "umask-probe") == 0o600, "students' servers write with umask 077"
    assert mode(state) == 0o700
    for name in ("jupyterhub.sqlite", "jupyterhub_cookie_secret"):
        assert mode(state / name) == 0o600 and (state / name).stat().st_uid == 0, name
    assert mode(course) & 0o007 == 0 and course.stat().st_gid == __import__("grp").getgrnam(GROUP).gr_gid
    assert mode(course / "gradebook.db") & 0o007 == 0, "files the instructor's server writes stay in the group"
    assert mode(secure_hub["exchange"]) == 0o1777, "release left the root-owned exchange as set up"
    assert secure_hub["exchange"].stat().st_uid == 0
    assert shell(MALLORY, f"'{secure_hub['prefix']}/venv/bin/python' -c 'import border_bargains'").returncode == 0, \
        "students run the shared environment"


def test_a_script_in_a_submission_does_not_run_in_formgrader(secure_hub, attacked_class, require, artifacts):
    chromium = Path("/usr/bin/chromium")
    require(chromium.exists(), "Debian's chromium", "sudo apt-get install chromium")
    from playwright.sync_api import sync_playwright

    h, course = secure_hub["hub"], secure_hub["course"]
    notebooks = h.call("GET", f"/user/{INSTRUCTOR}/formgrader/api/submitted_notebooks/{ASSIGNMENT}/{ASSIGNMENT}")
    (target,) = [n["id"] for n in notebooks if n["student"] == MALLORY]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = new_page(browser, viewport={"width": 1280, "height": 900})
            page.set_content('<img src=x onerror="window.__pwned = 1">')  # the payload works where not sanitised
            page.wait_for_function("window.__pwned === 1", timeout=60_000)
            page.goto(f"{h.url}/hub/login")
            page.fill("input#username_input", INSTRUCTOR)
            page.fill("input#password_input", secure_hub["password"])
            page.click("input#login_submit")
            page.wait_for_url("**/user/**", timeout=120_000)
            response = page.goto(f"{h.url}/user/{INSTRUCTOR}/formgrader/submissions/{target}/")
            assert response.ok, response.status
            csp = response.headers.get("content-security-policy", "")
            assert "object-src 'none'" in csp and "default-src 'self'" in csp, csp
            page.get_by_text("My answer.").first.wait_for(timeout=120_000)
            page.wait_for_timeout(3000)  # time for an image error and a fetch, had they been live
            assert page.evaluate("window.__pwned === undefined"), "the script ran in the instructor's browser"
            assert page.locator("img[src='x']").count() == 0
            assert "onerror" in page.get_by_text("My answer.").first.inner_text(), "shown as text, not markup"
            page.screenshot(path=str(artifacts / "hub-formgrader-sanitised.png"))
        finally:
            browser.close()
    assert not (course / "pwned.txt").exists(), "the script wrote into the course folder"
