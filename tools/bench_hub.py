"""A class arriving at once on the real hub of deploy/jupyterhub/: today's deployment against this one, in one run.

    make bench-hub STUDENTS=20          (as root; holds /tmp/bb-hub.lock while it runs)
    python tools/bench_hub.py 20 [--only improved] [--baseline-ref REF]

For each deployment (the *baseline* is the repository at BASELINE_REF, built with its own `make install` in
/tmp and run with its own deploy/jupyterhub/; the *improved* one is this checkout, with its limits and its
bytecode compiled once by `make hub-bytecode`), the benchmark:

1. creates N students bbload01..N and an instructor bbloadinst as Unix users, starts the hub on loopback ports,
   starts the instructor's server, and generates and releases tariff_bargain with `border-bargains` as the
   instructor (what a terminal on the instructor's server runs);
2. starts every student's server at the same moment through the hub's REST API and waits for each to be ready;
3. for every student at once: fetches the assignment (the Assignments tab's API), opens a kernel in it (the
   kernel websocket, as JupyterLab does), runs the notebook's set-up and exercise cells, then records the key's
   answers one by one through the course's answer store (a widget's value changes -> AnswerStore.set, the
   path a click takes; number boxes through course.record), submitting once half-way;
4. while the students record the second half, the instructor collects and autogrades the first submissions
   (`border-bargains collect` / `autograde`); then everybody submits again and the instructor collects and
   grades the class (the grading time printed);
5. checks every collected answers file against what was recorded (lost answers), and removes the users.

It prints one table, the baseline and the improved deployment side by side with their ratio. Everything runs
on this machine (loopback only), including the client, so the figures include its load; on a shared machine
read the ratios. Memory is PSS (/proc/<pid>/smaps_rollup) summed over each user's processes.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import secrets
import shutil
import socket
import stat
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "tariff_bargain"
PREFIX = "bbload"
INSTRUCTOR = f"{PREFIX}inst"
# The deployment as it was before issue 19 (no limits, no culler, bytecode compiled by nobody).
BASELINE_REF = "bfa59fb"
READY_TIMEOUT = 300  # seconds the benchmark waits for a server (the hub's own start_timeout is shorter)
STEP_TIMEOUT = 300  # any one HTTP call or cell
MAX_EXTRA_SAVES = 40  # per student, while the instructor is still grading the first round
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentiles(values: list[float]) -> tuple[float, float, float] | None:
    if not values:
        return None
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return statistics.median(ordered), p95, ordered[-1]


# ------------------------------------------------------------------ users and processes
def userdel(name: str) -> None:
    subprocess.run(["pkill", "-9", "-u", name], capture_output=True)
    for _ in range(30):
        if subprocess.run(["id", name], capture_output=True).returncode != 0:
            return
        subprocess.run(["userdel", "-r", "-f", name], capture_output=True)
        time.sleep(0.2)
    print(f"warning: could not remove the user {name}", file=sys.stderr)


def useradd(name: str, home: Path) -> None:
    userdel(name)
    proc = subprocess.run(["useradd", "-m", "-d", str(home), "-s", "/bin/bash", name], capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"useradd {name}: {proc.stderr.strip()}")


def processes_of(uid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def pss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime
    except (OSError, IndexError, ValueError):
        return 0.0


def user_pss(uid: int) -> int:
    return sum(pss_bytes(pid) for pid in processes_of(uid))


def user_cpu(uid: int) -> float:
    return sum(cpu_seconds(pid) for pid in processes_of(uid))


# ------------------------------------------------------------------ the two deployments
def run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return proc


def base_python() -> str:
    cfg = Path(sys.prefix) / "pyvenv.cfg"
    for line in cfg.read_text().splitlines() if cfg.exists() else []:
        key, _, value = line.partition("=")
        if key.strip() == "executable":
            return value.strip()
    return sys.executable


def baseline_tree(ref: str) -> Path:
    """The repository at `ref`, installed with its own `make install` (cached in /tmp between runs)."""
    sha = run(["git", "-C", str(REPO), "rev-parse", "--short", f"{ref}^{{commit}}"]).stdout.strip()
    tree = Path(tempfile.gettempdir()) / f"bb-bench-baseline-{sha}"
    if not (tree / ".venv" / ".installed").exists():
        print(f"building the baseline ({ref} = {sha}) in {tree} with its own make install ...", flush=True)
        shutil.rmtree(tree, ignore_errors=True)
        tree.mkdir(parents=True)
        archive = subprocess.Popen(["git", "-C", str(REPO), "archive", sha], stdout=subprocess.PIPE)
        run(["tar", "-x", "-C", str(tree)], stdin=archive.stdout)
        archive.wait()
        run(["make", "install", f"PYTHON={base_python()}"], cwd=tree)
    proxy = tree / "deploy" / "jupyterhub" / "node_modules"
    if not proxy.exists():
        proxy.symlink_to(REPO / "deploy" / "jupyterhub" / "node_modules")
    tree.chmod(0o755)
    return tree


def improved_tree() -> Path:
    run(["make", "hub-bytecode"], cwd=REPO)
    return REPO


# ------------------------------------------------------------------ talking to the hub and the servers
class Client:
    def __init__(self, url: str, token: str):
        from tornado.httpclient import AsyncHTTPClient

        AsyncHTTPClient.configure(None, max_clients=400)
        self.http = AsyncHTTPClient()
        self.url, self.token = url, token

    async def call(self, method: str, path: str, body=None, form=None, expect=(200, 201, 202, 204)):
        from urllib.parse import urlencode

        from tornado.httpclient import HTTPClientError

        headers = {"Authorization": f"token {self.token}"}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body), "application/json"
        elif form is not None:
            data, headers["Content-Type"] = urlencode(form), "application/x-www-form-urlencoded"
        elif method in ("POST", "PUT", "PATCH"):
            data = ""
        try:
            resp = await self.http.fetch(f"{self.url}{path}", method=method, headers=headers, body=data,
                                         request_timeout=STEP_TIMEOUT, connect_timeout=STEP_TIMEOUT,
                                         allow_nonstandard_methods=True)
            code, text = resp.code, resp.body.decode()
        except HTTPClientError as exc:
            code = exc.code
            text = exc.response.body.decode() if exc.response is not None and exc.response.body else str(exc)
        if code not in expect:
            raise RuntimeError(f"{method} {path}: {code} {text[:300]}")
        try:
            return json.loads(text) if text else {}
        except ValueError:
            return {}


class Kernel:
    """One kernel on a user's server, driven over its websocket like JupyterLab drives it."""

    def __init__(self, client: Client, user: str):
        self.client, self.user = client, user

    async def open(self, path: str) -> None:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        kernel = await self.client.call("POST", f"/user/{self.user}/api/kernels", body={"name": "python3",
                                                                                         "path": path})
        self.id = kernel["id"]
        url = self.client.url.replace("http", "ws", 1) + f"/user/{self.user}/api/kernels/{self.id}/channels"
        self.ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {self.client.token}"},
                                                      connect_timeout=STEP_TIMEOUT, request_timeout=STEP_TIMEOUT))
        self.session = uuid.uuid4().hex

    async def run(self, code: str) -> tuple[float, str]:
        msg_id = uuid.uuid4().hex
        start = time.perf_counter()
        await self.ws.write_message(json.dumps({
            "header": {"msg_id": msg_id, "username": self.user, "session": self.session,
                       "msg_type": "execute_request", "version": "5.3", "date": dt.datetime.now(dt.UTC).isoformat()},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        out, reply, idle = [], None, False
        deadline = time.monotonic() + STEP_TIMEOUT
        while reply is None or not idle:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"{self.user}: no reply from the kernel in {STEP_TIMEOUT} s")
            raw = await asyncio.wait_for(self.ws.read_message(), timeout=left)
            if raw is None:
                raise RuntimeError(f"{self.user}: the kernel's websocket closed")
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "stream":
                out.append(msg["content"]["text"])
            elif kind == "error":
                out.append("\n".join(msg["content"]["traceback"]))
            elif kind == "execute_reply":
                reply = msg["content"]
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
        elapsed = time.perf_counter() - start
        if reply["status"] != "ok":
            raise RuntimeError(f"{self.user}: cell failed: {''.join(out)[-500:]}")
        return elapsed, "".join(out)

    async def close(self) -> None:
        self.ws.close()
        await self.client.call("DELETE", f"/user/{self.user}/api/kernels/{self.id}", expect=(204, 404))


async def start_server(client: Client, user: str) -> float:
    """Start a user's server through the hub's API; seconds until the hub calls it ready."""
    start = time.perf_counter()
    await client.call("POST", f"/hub/api/users/{user}/server", expect=(201, 202))
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        model = await client.call("GET", f"/hub/api/users/{user}")
        server = model.get("servers", {}).get("")
        if server and server.get("ready"):
            return time.perf_counter() - start
        if not model.get("pending") and not server:
            raise RuntimeError(f"{user}'s server failed to start (the hub gave up)")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{user}'s server was not ready after {READY_TIMEOUT} s")
        await asyncio.sleep(0.5)


def notebook_cells(tree: Path) -> list[str]:
    """The released notebook's code cells a student runs before answering (check cells need answers first)."""
    nb = json.loads((tree / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    return [c for c in cells if c.strip() and not c.lstrip().startswith("course.check")]


def planned_answers(tree: Path) -> list[tuple[str, str, object, bool]]:
    """(exercise, item, value, typed) for every item of the key: what each student records."""
    sys.path.insert(0, str(tree / "src"))
    from border_bargains.core.specs import TYPED_KINDS, load_exercises, load_key

    _name, specs = load_exercises(tree / "solutions" / ASSIGNMENT / "exercise_items.toml")
    key = load_key(tree / "solutions" / ASSIGNMENT / "answer_key.toml", specs)
    sys.path.pop(0)
    return [(ex, item, entry.answer, specs[ex].kind in TYPED_KINDS)
            for ex in specs for item, entry in key.items[ex].items()]


SAVER = """
_bb_widgets = {}
def _bb_save(exercise, item, value, typed):
    if typed:
        course.record(exercise, value, item=item)
    else:  # the widget's value changes: its observer saves through AnswerStore.set, as a click does
        if exercise not in _bb_widgets:
            _bb_widgets[exercise] = course.exercise(exercise)
        _bb_widgets[exercise].set_answers({item: value})
"""


# ------------------------------------------------------------------ one deployment under load
class Scenario:
    def __init__(self, label: str, tree: Path, students: int, extra_env: dict[str, str]):
        self.label, self.tree, self.n, self.extra_env = label, tree, students, extra_env
        self.students = [f"{PREFIX}{i:02d}" for i in range(1, students + 1)]
        self.r: dict[str, object] = {"ready": [], "cells": [], "setup": [], "saves": [], "saves_grading": [],
                                     "failures": [], "cpu_server": [], "cpu_kernel": []}

    # -- set-up and tear-down
    def prepare(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix=f"bb-bench-hub-{self.label}-"))
        self.base.chmod(0o755)
        self.homes = self.base / "home"
        self.homes.mkdir()
        self.homes.chmod(0o755)
        for user in (INSTRUCTOR, *self.students):
            useradd(user, self.homes / user)
        self.exchange = self.base / "exchange"
        self.exchange.mkdir()
        self.exchange.chmod(0o1777)
        self.course = self.homes / INSTRUCTOR / "course"
        self.course.mkdir()
        for name in ("nbgrader_config.py", "course.toml"):
            shutil.copy(self.tree / name, self.course / name)
        shutil.copytree(self.tree / "solutions" / ASSIGNMENT, self.course / "solutions" / ASSIGNMENT)
        shutil.copytree(self.tree / "source_texts", self.course / "source_texts")
        run(["chown", "-R", f"{INSTRUCTOR}:{INSTRUCTOR}", str(self.course)])
        venv = self.tree / ".venv" / "bin"
        self.token = secrets.token_hex(16)
        port = free_port()
        env = dict(os.environ, PATH=f"{venv}{os.pathsep}{os.environ['PATH']}", VIRTUAL_ENV=str(venv.parent),
                   BB_COURSE_ROOT=str(self.course), BB_EXCHANGE=str(self.exchange), BB_INSTRUCTORS=INSTRUCTOR,
                   BB_STUDENTS=",".join(self.students), BB_HUB_STATE=str(self.base / "hub"),
                   BB_HUB_URL=f"http://127.0.0.1:{port}", BB_HUB_PORT=str(free_port()),
                   BB_PROXY_API_URL=f"http://127.0.0.1:{free_port()}", BB_AUTHENTICATOR="dummy",
                   BB_DUMMY_PASSWORD=secrets.token_hex(8), BB_HUB_API_TOKEN=self.token, **self.extra_env)
        self.log = (self.base / "jupyterhub.log").open("w")
        self.hub = subprocess.Popen([str(venv / "jupyterhub"), "-f",
                                     str(self.tree / "deploy" / "jupyterhub" / "jupyterhub_config.py")],
                                    cwd=self.base, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        self.client = Client(f"http://127.0.0.1:{port}", self.token)

    def cleanup(self) -> None:
        try:
            os.killpg(self.hub.pid, 15)
            self.hub.wait(30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.hub.pid, 9)
            except ProcessLookupError:
                pass
        self.log.close()
        for user in (INSTRUCTOR, *self.students):
            userdel(user)
        shutil.copy(self.base / "jupyterhub.log", Path(tempfile.gettempdir()) / f"bb-bench-hub-{self.label}.log")
        shutil.rmtree(self.base, ignore_errors=True)

    def instructor(self, *args: str) -> tuple[float, str]:
        env = {"PATH": f"{self.tree / '.venv' / 'bin'}:/usr/sbin:/usr/bin:/bin", "HOME": str(self.homes / INSTRUCTOR),
               "BORDER_BARGAINS_EXCHANGE": str(self.exchange), "LANG": "C.UTF-8"}
        start = time.perf_counter()
        proc = subprocess.run(["runuser", "-u", INSTRUCTOR, "--", "env", *[f"{k}={v}" for k, v in env.items()],
                               str(self.tree / ".venv" / "bin" / "border-bargains"), *args],
                              cwd=self.course, capture_output=True, text=True, timeout=1800)
        if proc.returncode:
            raise RuntimeError(f"border-bargains {' '.join(args)}: {proc.stdout[-1500:]}{proc.stderr[-1500:]}")
        return time.perf_counter() - start, proc.stdout

    async def wait_hub(self) -> None:
        deadline = time.monotonic() + 120
        while True:
            try:
                await self.client.call("GET", "/hub/api/")
                return
            except Exception as exc:
                if self.hub.poll() is not None or time.monotonic() > deadline:
                    tail = (self.base / "jupyterhub.log").read_text()[-3000:]
                    raise SystemExit(f"the hub did not start:\n{tail}") from exc
                await asyncio.sleep(0.5)

    async def start_server(self, user: str) -> float:
        return await start_server(self.client, user)

    # -- the run
    async def student(self, user: str, answers, cells, half_done: asyncio.Event, grading: asyncio.Event,
                      graded: asyncio.Event, count_half) -> dict | None:
        import pwd

        uid = pwd.getpwnam(user).pw_uid
        counted = False
        try:
            ready = await self.start_server(user)
            self.r["ready"].append(ready)
            self.r["cpu_server"].append(user_cpu(uid))
            fetched = await self.client.call("POST", f"/user/{user}/assignments/fetch",
                                             form={"course_id": "border-bargains", "assignment_id": ASSIGNMENT})
            if not fetched.get("success"):
                raise RuntimeError(f"{user}: fetch failed: {str(fetched)[:300]}")
            kernel = Kernel(self.client, user)
            await kernel.open(ASSIGNMENT)
            setup_start = time.perf_counter()
            for code in cells:
                elapsed, _out = await kernel.run(code)
                self.r["cells"].append(elapsed)
            self.r["setup"].append(time.perf_counter() - setup_start)
            await kernel.run(SAVER)
            self.r["cpu_kernel"].append(user_cpu(uid) - self.r["cpu_server"][-1])
            half = len(answers) // 2
            for exercise, item, value, typed in answers[:half]:
                elapsed, _ = await kernel.run(f"_bb_save({exercise!r}, {item!r}, {value!r}, {typed!r})")
                self.r["saves"].append(elapsed)
            await self.submit(user)
            counted = True
            count_half()
            await half_done.wait()
            await grading.wait()
            for exercise, item, value, typed in answers[half:]:
                elapsed, _ = await kernel.run(f"_bb_save({exercise!r}, {item!r}, {value!r}, {typed!r})")
                self.r["saves"].append(elapsed)
                if not graded.is_set():
                    self.r["saves_grading"].append(elapsed)
            extra = 0
            while not graded.is_set() and extra < MAX_EXTRA_SAVES:  # keep saving while the grading runs
                exercise, item, value, typed = answers[extra % len(answers)]
                elapsed, _ = await kernel.run(f"_bb_save({exercise!r}, {item!r}, {value!r}, {typed!r})")
                self.r["saves"].append(elapsed)
                if not graded.is_set():
                    self.r["saves_grading"].append(elapsed)
                extra += 1
            await kernel.close()
            await self.submit(user)
            return {"uid": uid}
        except Exception as exc:  # one student's failure is counted, the rest go on
            self.r["failures"].append(f"{user}: {exc or type(exc).__name__}")
            if not counted:
                count_half()
            return None

    async def submit(self, user: str) -> None:
        done = await self.client.call("POST", f"/user/{user}/assignments/submit",
                                      form={"course_id": "border-bargains", "assignment_id": ASSIGNMENT})
        if not done.get("success"):
            raise RuntimeError(f"{user}: submit failed: {str(done)[:300]}")

    async def run(self) -> dict:
        await self.wait_hub()
        answers = planned_answers(self.tree)
        cells = notebook_cells(self.tree)
        await self.client.call("POST", "/hub/api/users", body={"usernames": self.students}, expect=(201, 409))
        await self.start_server(INSTRUCTOR)
        # release through Formgrader's API, as the hub test does (`border-bargains release` chmods the exchange,
        # which a shared root-owned exchange refuses)
        formgrader = f"/user/{INSTRUCTOR}/formgrader/api/assignment/{ASSIGNMENT}"
        await self.client.call("POST", f"{formgrader}/assign")
        released = await self.client.call("POST", f"{formgrader}/release")
        if not released.get("success"):
            raise SystemExit(f"release failed: {str(released)[:500]}")

        half_done, grading, graded = asyncio.Event(), asyncio.Event(), asyncio.Event()
        counted = [0]

        def count_half():
            counted[0] += 1
            if counted[0] >= self.n:
                half_done.set()

        arrival = time.perf_counter()
        tasks = [asyncio.create_task(self.student(u, answers, cells, half_done, grading, graded, count_half))
                 for u in self.students]
        await half_done.wait()
        self.r["all_ready"] = max(self.r["ready"]) if self.r["ready"] else None
        self.r["to_half"] = time.perf_counter() - arrival
        self.measure_memory()
        # the instructor grades the first submissions while the students go on answering
        grading.set()
        t_collect, _ = await asyncio.to_thread(self.instructor, "collect", ASSIGNMENT)
        t_grade, out = await asyncio.to_thread(self.instructor, "autograde", ASSIGNMENT)
        graded.set()
        self.r["grade_first"] = t_collect + t_grade
        results = await asyncio.gather(*tasks)
        t_collect, _ = await asyncio.to_thread(self.instructor, "collect", ASSIGNMENT)
        t_grade, out = await asyncio.to_thread(self.instructor, "autograde", ASSIGNMENT)
        self.r["grade_final"] = t_collect + t_grade
        self.r["graded_lines"] = sum(1 for line in out.splitlines() if "GRADED" in line)
        self.check_lost(answers, [u for u, res in zip(self.students, results, strict=True) if res])
        return self.r

    def measure_memory(self) -> None:
        import pwd

        per = [user_pss(pwd.getpwnam(u).pw_uid) for u in self.students]
        per = [p for p in per if p]
        self.r["pss_students"] = per
        self.r["pss_instructor"] = user_pss(pwd.getpwnam(INSTRUCTOR).pw_uid)
        hub_pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
                    and _pgid(int(p.name)) == self.hub.pid]
        self.r["pss_hub"] = sum(pss_bytes(p) for p in hub_pids)

    def check_lost(self, answers, finished: list[str]) -> None:
        lost = 0
        for user in finished:
            path = self.course / "submitted" / user / ASSIGNMENT / "widget_answers.json"
            try:
                saved = json.loads(path.read_text())["answers"]
            except (OSError, ValueError, KeyError):
                lost += len(answers)
                continue
            for exercise, item, value, typed in answers:
                got = saved.get(exercise, {}).get(item)
                if got is None or (not typed and got != value):
                    lost += 1
        self.r["lost"] = lost
        self.r["answers_total"] = len(answers) * len(finished)


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except OSError:
        return None


async def run_scenario(label: str, tree: Path, students: int, extra_env: dict[str, str]) -> dict:
    scenario = Scenario(label, tree, students, extra_env)
    scenario.prepare()
    try:
        return await scenario.run()
    finally:
        for user in (INSTRUCTOR, *scenario.students):
            try:
                await scenario.client.call("DELETE", f"/hub/api/users/{user}/server", expect=(202, 204, 400, 404))
            except Exception:
                pass
        scenario.cleanup()


# ------------------------------------------------------------------ the table
def fmt_triple(values, unit: str) -> str:
    stats = percentiles(values)
    if stats is None:
        return "-"
    scale = 1000 if unit == "ms" else 1
    return " / ".join(f"{v * scale:.0f}" if unit == "ms" else f"{v:.1f}" for v in stats)


def table(results: dict[str, dict], students: int) -> str:
    mib = 1024 * 1024
    rows = []

    def row(name, getter, unit="", ratio_of=None):
        cells = [getter(results[k]) if k in results else "-" for k in ("baseline", "improved")]
        ratio = ""
        if ratio_of and all(k in results for k in ("baseline", "improved")):
            a, b = ratio_of(results["baseline"]), ratio_of(results["improved"])
            if a and b:
                ratio = f"{a / b:.2f}x"
        rows.append((name + (f" ({unit})" if unit else ""), *cells, ratio))

    def p95(key):
        return lambda r: (percentiles(r[key]) or (0, 0, 0))[1]

    def mean(key):
        return lambda r: statistics.mean(r[key]) if r[key] else 0

    row("servers ready p50 / p95 / max", lambda r: fmt_triple(r["ready"], "s"), "s", p95("ready"))
    row("last server ready after", lambda r: f"{r['all_ready']:.1f}" if r.get("all_ready") else "-", "s",
        lambda r: r.get("all_ready"))
    row("CPU per server start", lambda r: f"{statistics.mean(r['cpu_server']):.2f}" if r["cpu_server"] else "-",
        "CPU-s", mean("cpu_server"))
    row("CPU per kernel + cells", lambda r: f"{statistics.mean(r['cpu_kernel']):.2f}" if r["cpu_kernel"] else "-",
        "CPU-s", mean("cpu_kernel"))
    row("notebook cells p50 / p95 / max", lambda r: fmt_triple(r["cells"], "ms"), "ms", p95("cells"))
    row("all set-up cells per student p50/p95/max", lambda r: fmt_triple(r["setup"], "s"), "s", p95("setup"))
    row("answer save p50 / p95 / max", lambda r: fmt_triple(r["saves"], "ms"), "ms", p95("saves"))
    row("  while the instructor grades", lambda r: fmt_triple(r["saves_grading"], "ms"), "ms", p95("saves_grading"))
    row("arrival to all half-way submitted", lambda r: f"{r['to_half']:.1f}", "s", lambda r: r["to_half"])
    row("memory per student server+kernel", lambda r: (f"{statistics.mean(r['pss_students']) / mib:.0f}"
                                                       if r["pss_students"] else "-"), "MiB PSS",
        lambda r: statistics.mean(r["pss_students"]) if r["pss_students"] else 0)
    row("memory, all students", lambda r: f"{sum(r['pss_students']) / mib:.0f}", "MiB",
        lambda r: sum(r["pss_students"]))
    row("memory, hub+proxy / instructor", lambda r: f"{r['pss_hub'] / mib:.0f} / {r['pss_instructor'] / mib:.0f}",
        "MiB")
    row("grading, first submissions (collect+autograde)", lambda r: f"{r['grade_first']:.1f}", "s",
        lambda r: r["grade_first"])
    row("grading, the class (collect+autograde)", lambda r: f"{r['grade_final']:.1f}", "s",
        lambda r: r["grade_final"])
    row("graded", lambda r: f"{r['graded_lines']} of {students}")
    row("failures", lambda r: str(len(r["failures"])))
    row("lost answers", lambda r: f"{r['lost']} of {r['answers_total']}")
    head = ("", "baseline", "improved", "ratio")
    widths = [max(len(str(line[i])) for line in [head, *rows]) for i in range(4)]
    lines = ["  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                       for i, (c, w) in enumerate(zip(line, widths, strict=True)))
             for line in [head, *rows]]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("students", nargs="?", type=int, default=20)
    parser.add_argument("--only", choices=("baseline", "improved"))
    parser.add_argument("--baseline-ref", default=BASELINE_REF)
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("bench-hub creates Unix users: run it as root (make bench-hub STUDENTS=20).", file=sys.stderr)
        return 2
    if not 1 <= args.students <= 99:
        print("STUDENTS must be between 1 and 99.", file=sys.stderr)
        return 2
    if not (REPO / "deploy" / "jupyterhub" / "node_modules" / ".bin" / "configurable-http-proxy").exists():
        print("JupyterHub's proxy is missing: run make hub-proxy first.", file=sys.stderr)
        return 2
    root_mode = stat.S_IMODE(os.stat("/root").st_mode)
    opened_root = "/root" in os.path.realpath(sys.executable) and not root_mode & stat.S_IXOTH
    if opened_root:  # the course's Python lives under /root here: let the users' servers run it
        os.chmod("/root", root_mode | stat.S_IXOTH)
    results = {}
    try:
        plan = [("baseline", lambda: baseline_tree(args.baseline_ref), {}),
                ("improved", improved_tree, {})]
        for label, tree, env in plan:
            if args.only and label != args.only:
                continue
            print(f"{label}: {args.students} students arrive at once ...", flush=True)
            started = time.perf_counter()
            results[label] = asyncio.run(run_scenario(label, tree(), args.students, env))
            print(f"{label}: done in {time.perf_counter() - started:.0f} s", flush=True)
            for failure in results[label]["failures"][:5]:
                print(f"  failure: {failure}", flush=True)
    finally:
        if opened_root:
            os.chmod("/root", root_mode)
    print()
    print(f"{args.students} students on {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; "
          f"baseline = {args.baseline_ref} as deployed then, improved = this checkout "
          f"(ratio = baseline / improved; > 1 is better)")
    print(table(results, args.students))
    bad = sum(len(r["failures"]) + r.get("lost", 0) for r in results.values())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
