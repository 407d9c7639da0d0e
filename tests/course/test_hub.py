"""A whole class on a real JupyterHub: an instructor and three students as separate Unix users.

The hub is deploy/jupyterhub/jupyterhub_config.py as a deployment runs it (JupyterHub from PyPI, its proxy
`configurable-http-proxy` from npm, both pinned and installed by `make test`), on loopback ports, spawning a
real single-user server for each user as that user. Everything goes through HTTP: the hub's REST API, the
instructor's formgrader API, the students' Assignments API and the Jupyter kernel API (websocket). Then a
student's released notebook is opened in Chromium and a ¶ link followed to the reading guide.

What the test changes on the machine, and undoes: it creates four Unix users (removed after) and, where the
course's Python lives under /root (as on these machines), lets other users traverse /root (o+x, no listing)
for the test's duration so that their servers can run it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from lab_server import CHROMIUM_ARGS, new_page
from sample_course import REPO

# One hub at a time on the machine (hub_machine): a module may wait for another, hence the longer timeout.
pytestmark = [pytest.mark.slow, pytest.mark.nbgrader, pytest.mark.timeout(3600)]

VENV_BIN = Path(sys.executable).parent
DEPLOY = REPO / "deploy" / "jupyterhub"
PROXY = DEPLOY / "node_modules" / ".bin" / "configurable-http-proxy"
ASSIGNMENT = "tariff_bargain"
INSTRUCTOR = "bbinstructor"
STUDENTS = ("bbstudent1", "bbstudent2", "bbstudent3")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def key_and_half():
    from border_bargains.core.specs import TYPED_KINDS, load_exercises, load_key

    _name, specs = load_exercises(REPO / "solutions" / ASSIGNMENT / "exercise_items.toml")
    key = load_key(REPO / "solutions" / ASSIGNMENT / "answer_key.toml", specs)
    full = {ex: {i: e.answer for i, e in key.items[ex].items()} for ex in specs}
    half = {ex: {i: e.answer for n, (i, e) in enumerate(key.items[ex].items()) if n % 2 == 0}
            for ex, spec in specs.items() if spec.kind not in TYPED_KINDS}
    total = sum(s.points for s in specs.values())
    half_score = sum(s.points * -(-len(s.items) // 2) / len(s.items)  # every other item, the first included
                     for s in specs.values() if s.kind not in TYPED_KINDS)
    return full, half, total, half_score


class Hub:
    def __init__(self, url: str, token: str):
        self.url, self.token = url, token

    def call(self, method: str, path: str, expect=(200, 201, 202, 204), **kw):
        import requests

        resp = requests.request(method, f"{self.url}{path}", headers={"Authorization": f"token {self.token}"},
                                timeout=180, **kw)
        assert resp.status_code in expect, f"{method} {path}: {resp.status_code} {resp.text[:500]}"
        try:
            return resp.json()
        except ValueError:
            return resp

    def start(self, user: str) -> None:
        self.call("POST", f"/hub/api/users/{user}", expect=(201, 409))
        self.call("POST", f"/hub/api/users/{user}/server", expect=(201, 202, 400))
        deadline = time.monotonic() + 180
        while not self.call("GET", f"/hub/api/users/{user}").get("servers", {}).get("", {}).get("ready"):
            assert time.monotonic() < deadline, f"{user}'s server did not start"
            time.sleep(0.5)

    async def run_code(self, user: str, code: str, path: str = "") -> str:
        """Run code in a new kernel on the user's server through the kernel websocket; returns its stdout."""
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        kernel = self.call("POST", f"/user/{user}/api/kernels", json={"name": "python3", "path": path})
        ws_url = self.url.replace("http", "ws", 1) + f"/user/{user}/api/kernels/{kernel['id']}/channels"
        ws = await websocket_connect(HTTPRequest(ws_url, headers={"Authorization": f"token {self.token}"}))
        msg_id = uuid.uuid4().hex
        await ws.write_message(json.dumps({
            "header": {"msg_id": msg_id, "username": user, "session": uuid.uuid4().hex, "msg_type": "execute_request",
                       "version": "5.3", "date": dt.datetime.now(dt.UTC).isoformat()},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        out, reply, idle = [], None, False
        deadline = time.monotonic() + 180
        while reply is None or not idle:  # the reply (shell) may come before the output (iopub)
            assert time.monotonic() < deadline, "no reply from the kernel"
            msg = json.loads(await asyncio.wait_for(ws.read_message(), timeout=180))
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                out.append("\n".join(msg["content"]["traceback"]))
            elif msg["msg_type"] == "execute_reply":
                reply = msg["content"]
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
        ws.close()
        self.call("DELETE", f"/user/{user}/api/kernels/{kernel['id']}")
        assert reply["status"] == "ok", "".join(out)
        return "".join(out)


def userdel(name: str) -> None:
    subprocess.run(["pkill", "-9", "-u", name], capture_output=True)
    for _ in range(20):  # processes just killed may hold the account for a moment
        if subprocess.run(["id", name], capture_output=True).returncode != 0:
            return
        subprocess.run(["userdel", "-r", "-f", name], capture_output=True)
        time.sleep(0.2)
    raise AssertionError(f"could not remove the test user {name}")


def useradd(name: str, home: Path, *options: str) -> None:
    userdel(name)  # left over from an interrupted run
    proc = subprocess.run(["useradd", "-m", "-d", str(home), "-s", "/bin/bash", *options, name], capture_output=True,
                          text=True)
    assert proc.returncode == 0, f"useradd {name}: {proc.stderr}"


@contextlib.contextmanager
def python_reachable():
    """Where the course's Python lives under /root (as on these machines), let other users traverse /root (o+x, no
    listing) while the block runs, so that their servers can run it; restored after."""
    root_mode = os.stat("/root").st_mode
    python_home = Path(os.path.realpath(sys.executable))
    opened_root = "/root" in str(python_home) and not root_mode & stat.S_IXOTH
    if opened_root:
        os.chmod("/root", stat.S_IMODE(root_mode) | stat.S_IXOTH)
        print("test_hub: /root made traversable (o+x) for the test, restored after")
    try:
        yield
    finally:
        if opened_root:
            os.chmod("/root", stat.S_IMODE(root_mode))


def stop_hub(process: subprocess.Popen) -> None:
    """Stop the hub and everything it started.

    JupyterHub starts configurable-http-proxy and its managed services (the idle culler) in sessions of their
    own, and stops them only when its own shutdown completes: a hub killed after the 30 s grace (a loaded
    machine) left both running, one pair per test module. What the hub started is listed (psutil) before
    the hub is stopped, and whatever outlives it is stopped too.
    """
    import psutil

    try:
        started = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        started = []
    try:
        os.killpg(process.pid, 15)
        process.wait(30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait(30)
    for child in started:
        with contextlib.suppress(psutil.Error):
            child.terminate()
    _gone, alive = psutil.wait_procs(started, timeout=10)
    for child in alive:
        with contextlib.suppress(psutil.Error):
            child.kill()


@contextlib.contextmanager
def running_hub(base: Path, jupyterhub: Path, config: Path, settings: dict, users: list[str]):
    """The hub of `config` started as a deployment starts it (settings as environment variables), on free loopback
    ports, with the test-only dummy login and an API token; every user's server started. Yields (Hub, password)."""
    token, password = secrets.token_hex(16), secrets.token_hex(8)
    port = free_port()
    env = dict(os.environ, PATH=f"{jupyterhub.parent}{os.pathsep}{os.environ['PATH']}",
               BB_HUB_URL=f"http://127.0.0.1:{port}", BB_HUB_PORT=str(free_port()),
               BB_PROXY_API_URL=f"http://127.0.0.1:{free_port()}", BB_AUTHENTICATOR="dummy",
               BB_DUMMY_PASSWORD=password, BB_HUB_API_TOKEN=token, **settings)
    log_path = base / "jupyterhub.log"
    log = log_path.open("w")
    process = subprocess.Popen([str(jupyterhub), "-f", str(config)], cwd=base, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    hub = Hub(f"http://127.0.0.1:{port}", token)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                hub.call("GET", "/hub/api/")
                break
            except Exception:
                assert process.poll() is None, log_path.read_text()[-4000:]
                assert time.monotonic() < deadline, log_path.read_text()[-4000:]
                time.sleep(0.5)
        try:
            for user in users:
                hub.start(user)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- jupyterhub.log (end) ---\n{log_path.read_text()[-6000:]}") from None
        yield hub, password
    finally:
        for user in users:
            try:
                hub.call("DELETE", f"/hub/api/users/{user}/server", expect=(202, 204, 400, 404))
            except Exception:
                pass
        stop_hub(process)
        log.close()


@pytest.fixture(scope="module")
def hub(require, hub_machine):
    require(os.geteuid() == 0, "root (to create the class's Unix users)", "run the tests as root, as CI does")
    require(PROXY.exists(), "configurable-http-proxy", "make hub-proxy (npm ci in deploy/jupyterhub)")
    base = Path(tempfile.mkdtemp(prefix="bb-hub-"))
    base.chmod(0o755)
    homes = base / "home"
    users = [INSTRUCTOR, *STUDENTS]
    try:
        with python_reachable():
            homes.mkdir()
            homes.chmod(0o755)
            for user in users:
                useradd(user, homes / user)
            exchange = base / "exchange"
            exchange.mkdir()
            exchange.chmod(0o1777)
            course = homes / INSTRUCTOR / "course"
            course.mkdir()
            for name in ("nbgrader_config.py", "course.toml"):
                shutil.copy(REPO / name, course / name)
            shutil.copytree(REPO / "solutions" / ASSIGNMENT, course / "solutions" / ASSIGNMENT)
            shutil.copytree(REPO / "source_texts", course / "source_texts")
            subprocess.run(["chown", "-R", f"{INSTRUCTOR}:{INSTRUCTOR}", str(course)], check=True)
            settings = dict(BB_COURSE_ROOT=str(course), BB_EXCHANGE=str(exchange), BB_INSTRUCTORS=INSTRUCTOR,
                            BB_STUDENTS=",".join(STUDENTS), BB_HUB_STATE=str(base / "hub"))
            with running_hub(base, VENV_BIN / "jupyterhub", DEPLOY / "jupyterhub_config.py", settings,
                             users) as (h, password):
                yield {"hub": h, "course": course, "exchange": exchange, "homes": homes, "password": password,
                       "log": base / "jupyterhub.log"}
    finally:
        for user in users:
            userdel(user)
        shutil.rmtree(base, ignore_errors=True)


def fetch_and_answer(h: Hub, student: str, answers: dict) -> None:
    """Through the student's server: fetch in the Assignments tab, then choose `answers` as the widgets do."""
    listed = h.call("GET", f"/user/{student}/assignments", params={"course_id": "border-bargains"})
    assert listed["success"] and any(a["assignment_id"] == ASSIGNMENT for a in listed["value"]), listed
    fetched = h.call("POST", f"/user/{student}/assignments/fetch",
                     data={"course_id": "border-bargains", "assignment_id": ASSIGNMENT})
    assert fetched["success"], fetched
    code = f"""
import json
import border_bargains as bb
course = bb.assignment({ASSIGNMENT!r})
for ex_id, items in json.loads({json.dumps(json.dumps(answers))}).items():
    if course.specs[ex_id].kind in ("number", "text"):
        for item_id, value in items.items():
            course.record(ex_id, value, item=item_id)
    else:
        course.exercise(ex_id).set_answers(items)
print("answered", len(json.loads(open("widget_answers.json").read())["answers"]) if {bool(answers)} else 0)
"""
    out = asyncio.run(h.run_code(student, code, path=ASSIGNMENT))
    assert "answered" in out, out


def answer_and_submit(h: Hub, student: str, answers: dict) -> None:
    fetch_and_answer(h, student, answers)
    submitted = h.call("POST", f"/user/{student}/assignments/submit",
                       data={"course_id": "border-bargains", "assignment_id": ASSIGNMENT})
    assert submitted["success"], submitted


@pytest.fixture(scope="module")
def graded_class(hub):
    """The whole cycle through HTTP: generate, release, fetch, answer, submit, collect, autograde, feedback."""
    h = hub["hub"]
    full, half, total, half_score = key_and_half()
    formgrader = f"/user/{INSTRUCTOR}/formgrader/api"
    h.call("POST", f"{formgrader}/assignment/{ASSIGNMENT}/assign")
    released = h.call("POST", f"{formgrader}/assignment/{ASSIGNMENT}/release")
    assert released.get("success"), released
    plan = {STUDENTS[0]: full, STUDENTS[1]: half, STUDENTS[2]: {}}
    for student, answers in plan.items():
        answer_and_submit(h, student, answers)
    collected = h.call("POST", f"{formgrader}/assignment/{ASSIGNMENT}/collect")
    assert collected.get("success"), collected
    for student in STUDENTS:
        graded = h.call("POST", f"{formgrader}/submission/{ASSIGNMENT}/{student}/autograde")
        assert graded.get("success"), graded
    for action in ("generate_feedback", "release_feedback"):
        done = h.call("POST", f"{formgrader}/assignment/{ASSIGNMENT}/{action}")
        assert done.get("success"), done
    for student in STUDENTS:
        got = h.call("POST", f"/user/{student}/assignments/fetch_feedback",
                     data={"course_id": "border-bargains", "assignment_id": ASSIGNMENT})
        assert got["success"], got
    return {"expected": {STUDENTS[0]: total, STUDENTS[1]: half_score, STUDENTS[2]: 0.0}}


def test_the_class_is_graded_through_the_hub(hub, graded_class):
    submissions = hub["hub"].call("GET", f"/user/{INSTRUCTOR}/formgrader/api/submissions/{ASSIGNMENT}")
    scores = {s["student"]: s["code_score"] for s in submissions}
    for student, expected in graded_class["expected"].items():
        assert scores[student] == pytest.approx(expected), (student, scores)


def test_each_student_sees_only_their_own_feedback(hub, graded_class):
    h = hub["hub"]
    pages = {}
    for student in STUDENTS:
        listing = h.call("GET", f"/user/{student}/api/contents/{ASSIGNMENT}/feedback")
        stamps = [item["path"] for item in listing["content"] if item["type"] == "directory"]
        assert len(stamps) == 1, f"{student} has {len(stamps)} feedback folders"
        page = h.call("GET", f"/user/{student}/api/contents/{stamps[0]}/{ASSIGNMENT}.html")
        pages[student] = page["content"]
    assert "✗ not right" not in pages[STUDENTS[0]], "the key student got everything right"
    assert "- not answered" in pages[STUDENTS[2]] and "- not answered" not in pages[STUDENTS[0]]
    assert len(set(pages.values())) == 3, "three different pages: each student's own"


def test_files_are_readable_by_the_instructor_and_not_by_other_students(hub, graded_class):
    answers = hub["homes"] / STUDENTS[0] / ASSIGNMENT / "widget_answers.json"
    owner = pwd.getpwuid(answers.stat().st_uid).pw_name
    assert owner == STUDENTS[0]
    collected = hub["course"] / "submitted" / STUDENTS[0] / ASSIGNMENT / "widget_answers.json"
    assert collected.exists(), "collected by the instructor's own account"
    inbound = hub["exchange"] / "border-bargains" / "inbound"
    assert not os.stat(inbound).st_mode & stat.S_IROTH, "students cannot list each other's submissions"


def test_students_see_no_instructor_tools(hub):
    h = hub["hub"]
    student = h.call("GET", f"/user/{STUDENTS[0]}/formgrader/api/status", expect=(403, 404))
    assert getattr(student, "status_code", 404) in (403, 404)
    instructor = h.call("GET", f"/user/{INSTRUCTOR}/formgrader/api/status")
    assert instructor.get("status") is True or instructor, instructor


def test_a_student_follows_a_paragraph_link_in_chromium(hub, graded_class, require, artifacts):
    chromium = Path("/usr/bin/chromium")
    require(chromium.exists(), "Debian's chromium", "sudo apt-get install chromium")
    from playwright.sync_api import sync_playwright

    student = STUDENTS[1]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = new_page(browser, viewport={"width": 1280, "height": 900})
            page.goto(f"{hub['hub'].url}/hub/login")
            page.fill("input#username_input", student)
            page.fill("input#password_input", hub["password"])
            page.click("input#login_submit")
            page.wait_for_url("**/user/**", timeout=120_000)
            page.goto(f"{hub['hub'].url}/user/{student}/lab/tree/{ASSIGNMENT}/{ASSIGNMENT}.ipynb")
            page.get_by_text("(ipykernel)").first.wait_for(timeout=120_000)
            page.evaluate("window.__stillHere = true")
            page.locator(".jp-MarkdownCell a", has_text="WOLA ¶4").first.click()
            page.locator(".lm-TabBar-tab", has_text="wola.md").first.wait_for(timeout=120_000)
            assert page.evaluate("window.__stillHere === true"), "the link reloaded JupyterLab"
            assert "Formgrader" not in page.locator("#jp-top-panel").inner_text(), "no instructor menu"
            page.screenshot(path=str(artifacts / "hub-student-guide-link.png"))
        finally:
            browser.close()
