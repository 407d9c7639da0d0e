"""One student cannot sink the class: the hub's limits and idle culler, on the real hub of deploy/jupyterhub/.

The hub runs as deployed (deploy/jupyterhub/jupyterhub_config.py with limits.py) on loopback ports, with a small
memory limit (BB_MEM_LIMIT=400M per user) and a short idle timeout (BB_CULL_TIMEOUT=30 s) so the test is
quick, and two students as real Unix users (bbload01, bbload02; removed after). Each has the released
assignment in their home folder and answers through the course's answer store in a real kernel.

- bbload01's kernel allocates past the limit: it is stopped (killed in its own cgroup and restarted by
  Jupyter) or refused (MemoryError where only RLIMIT_AS is available); at the same time bbload02's cell runs to
  the end and saves; both students' answers files are intact, and bbload01's server is still up;
- then both go idle, jupyterhub-idle-culler stops their servers, and their work is still on disk.

Run it under `flock /tmp/bb-hub.lock` when other hub runs may share the machine.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from sample_course import REPO
from test_hub import stop_hub

sys.path.insert(0, str(REPO / "tools"))
import bench_hub  # the benchmark's hub client, users and /proc readers

# One hub at a time on the machine (hub_machine): a module may wait for another, hence the longer timeout.
pytestmark = [pytest.mark.slow, pytest.mark.nbgrader, pytest.mark.timeout(3600)]

VENV_BIN = Path(sys.executable).parent
DEPLOY = REPO / "deploy" / "jupyterhub"
PROXY = DEPLOY / "node_modules" / ".bin" / "configurable-http-proxy"
ASSIGNMENT = "tariff_bargain"
STUDENTS = ("bbload01", "bbload02")
LIMIT = 400 * 2**20
CULL_TIMEOUT = 30



def key_items() -> list[tuple[str, object]]:
    """Two (item, right answer) pairs of the 'three-cases' exercise, from the key."""
    from border_bargains.core.specs import load_exercises, load_key

    _name, specs = load_exercises(REPO / "solutions" / ASSIGNMENT / "exercise_items.toml")
    key = load_key(REPO / "solutions" / ASSIGNMENT / "answer_key.toml", specs)
    return [(item, entry.answer) for item, entry in key.items["three-cases"].items()][:2]


def save(item: str, value) -> str:
    """A cell that answers one item as a click does: the widget's value changes, AnswerStore.set saves it."""
    return (f"import border_bargains as bb\ncourse = bb.assignment({ASSIGNMENT!r})\n"
            f"course.exercise('three-cases').set_answers({{{item!r}: {value!r}}})\nprint('saved')")


def answers_file(homes: Path, user: str) -> Path:
    return homes / user / ASSIGNMENT / "widget_answers.json"


@pytest.fixture(scope="module")
def limited_hub(require, hub_machine):
    require(os.geteuid() == 0, "root (to create the students' Unix users)", "run the tests as root, as CI does")
    require(PROXY.exists(), "configurable-http-proxy", "make hub-proxy (npm ci in deploy/jupyterhub)")
    base = Path(tempfile.mkdtemp(prefix="bb-hub-limits-"))
    base.chmod(0o755)
    root_mode = stat.S_IMODE(os.stat("/root").st_mode)
    opened_root = "/root" in os.path.realpath(sys.executable) and not root_mode & stat.S_IXOTH
    if opened_root:
        os.chmod("/root", root_mode | stat.S_IXOTH)
    homes = base / "home"
    homes.mkdir()
    homes.chmod(0o755)
    for user in STUDENTS:
        bench_hub.useradd(user, homes / user)
        shutil.copytree(REPO / "exercises" / ASSIGNMENT, homes / user / ASSIGNMENT)  # as fetched
        subprocess.run(["chown", "-R", f"{user}:{user}", str(homes / user / ASSIGNMENT)], check=True)
    course = base / "course"
    course.mkdir()
    token = secrets.token_hex(16)
    port = bench_hub.free_port()
    env = dict(os.environ, PATH=f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}", BB_COURSE_ROOT=str(course),
               BB_EXCHANGE=str(base / "exchange"), BB_INSTRUCTORS="bbloadinst", BB_STUDENTS=",".join(STUDENTS),
               BB_HUB_STATE=str(base / "hub"), BB_HUB_URL=f"http://127.0.0.1:{port}",
               BB_HUB_PORT=str(bench_hub.free_port()), BB_PROXY_API_URL=f"http://127.0.0.1:{bench_hub.free_port()}",
               BB_AUTHENTICATOR="dummy", BB_DUMMY_PASSWORD=secrets.token_hex(8), BB_HUB_API_TOKEN=token,
               BB_MEM_LIMIT="400M", BB_CPU_LIMIT="0.5", BB_CULL_TIMEOUT=str(CULL_TIMEOUT), BB_CULL_EVERY="5",
               BB_LIMITS_CGROUP=f"bb-test-{uuid.uuid4().hex[:8]}")
    log_path = base / "jupyterhub.log"
    log = log_path.open("w")
    process = subprocess.Popen([str(VENV_BIN / "jupyterhub"), "-f", str(DEPLOY / "jupyterhub_config.py")],
                               cwd=base, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    loop = asyncio.new_event_loop()
    client = bench_hub.Client(f"http://127.0.0.1:{port}", token)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                loop.run_until_complete(client.call("GET", "/hub/api/"))
                break
            except Exception:
                assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()[-4000:]
                time.sleep(0.5)
        yield {"client": client, "loop": loop, "homes": homes, "log": log_path, "cgroup": env["BB_LIMITS_CGROUP"]}
    finally:
        for user in STUDENTS:
            try:
                loop.run_until_complete(client.call("DELETE", f"/hub/api/users/{user}/server",
                                                    expect=(202, 204, 400, 404)))
            except Exception:
                pass
        stop_hub(process)
        log.close()
        loop.close()
        for user in STUDENTS:
            bench_hub.userdel(user)
        for layout_dir in (bench_hub_layout(env["BB_LIMITS_CGROUP"]) or {}).values():
            for child in sorted(layout_dir.glob("*/"), reverse=True):
                try:
                    child.rmdir()
                except OSError:
                    pass
            try:
                layout_dir.rmdir()
            except OSError:
                pass
        if opened_root:
            os.chmod("/root", root_mode)
        shutil.rmtree(base, ignore_errors=True)


def bench_hub_layout(name: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location("bb_hub_limits_for_test", DEPLOY / "limits.py")
    limits = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(limits)
    try:
        return limits.cgroup_layout(name)
    except OSError:
        return None


async def run_until_stopped(kernel: bench_hub.Kernel, code: str, timeout: float = 120) -> str:
    """Run code that should hit the limit: 'killed' (the kernel died and is restarting), 'refused' or 'ran'."""
    msg_id = uuid.uuid4().hex
    await kernel.ws.write_message(json.dumps({
        "header": {"msg_id": msg_id, "username": kernel.user, "session": kernel.session,
                   "msg_type": "execute_request", "version": "5.3", "date": dt.datetime.now(dt.UTC).isoformat()},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True}}))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        raw = await asyncio.wait_for(kernel.ws.read_message(), timeout=deadline - time.monotonic())
        if raw is None:
            return "killed"
        msg = json.loads(raw)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] in ("restarting", "dead"):
            return "killed"
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "error":
            return "refused" if msg["content"]["ename"] == "MemoryError" else f"error {msg['content']['ename']}"
        if msg["msg_type"] == "execute_reply" and msg["content"]["status"] == "ok":
            return "ran"
    return "no answer"


@pytest.fixture(scope="module")
def past_the_limit(limited_hub):
    client, loop, homes = limited_hub["client"], limited_hub["loop"], limited_hub["homes"]

    async def scenario():
        await asyncio.gather(*(bench_hub.start_server(client, u) for u in STUDENTS))
        (item1, value1), (item2, value2) = key_items()
        kernels = {}
        for user in STUDENTS:
            kernel = bench_hub.Kernel(client, user)
            await kernel.open(ASSIGNMENT)
            await kernel.run(save(item1, value1))
            kernels[user] = kernel
        before = {u: answers_file(homes, u).read_text() for u in STUDENTS}
        hog, other = kernels[STUDENTS[0]], kernels[STUDENTS[1]]
        grow = f"block = b'\\x01' * {2 * LIMIT}\nprint('allocated', len(block))"
        keep_working = ("import time\nt, n = time.monotonic(), 0\n"
                        "while time.monotonic() - t < 8:\n    n += sum(range(10000))\n"
                        f"course.exercise('three-cases').set_answers({{{item2!r}: {value2!r}}})\n"
                        "print('still running', n > 0)")
        outcome, (_elapsed, out) = await asyncio.gather(run_until_stopped(hog, grow), other.run(keep_working))
        status = await client.call("GET", f"/user/{STUDENTS[0]}/api/status")
        after = {u: answers_file(homes, u).read_text() for u in STUDENTS}
        # the stopped student's kernel comes back and finds the answers on disk
        await asyncio.sleep(2)
        await hog.close()
        fresh = bench_hub.Kernel(client, STUDENTS[0])
        await fresh.open(ASSIGNMENT)
        _t, reread = await fresh.run(f"import border_bargains as bb\nc = bb.assignment({ASSIGNMENT!r})\n"
                                     "print(sorted(c.store.exercise('three-cases')))")
        await fresh.close()
        await other.close()
        return {"outcome": outcome, "other_out": out, "before": before, "after": after, "status": status,
                "reread": reread, "items": (item1, item2)}

    return loop.run_until_complete(scenario())


def test_a_kernel_past_its_memory_limit_is_stopped_and_others_go_on(limited_hub, past_the_limit):
    r = past_the_limit
    assert r["outcome"] in ("killed", "refused"), f"a kernel allocated {2 * LIMIT} bytes past a {LIMIT} limit: " \
                                                  f"{r['outcome']}"
    assert "still running True" in r["other_out"], r["other_out"]
    assert "started" in r["status"], f"the stopped student's server still answers: {r['status']}"
    for user in STUDENTS:
        assert json.loads(r["after"][user])["answers"]["three-cases"], f"{user}'s answer is on disk"
    assert r["after"][STUDENTS[0]] == r["before"][STUDENTS[0]], "the stopped student's answers are untouched"
    assert r["items"][0] in r["reread"], r["reread"]
    assert r["items"][1] in json.loads(r["after"][STUDENTS[1]])["answers"]["three-cases"], "saved meanwhile"
    log = limited_hub["log"].read_text()
    if bench_hub_layout(limited_hub["cgroup"]):
        assert f"Limits for {STUDENTS[0]}: memory {LIMIT} bytes, CPU 0.5 cores" in log, log[-3000:]
        assert r["outcome"] == "killed", "with a cgroup the kernel is stopped by the cgroup's OOM killer"
    else:
        assert "RLIMIT_AS" in log


def test_idle_servers_are_culled_and_the_work_stays_on_disk(limited_hub, past_the_limit):
    client, loop, homes = limited_hub["client"], limited_hub["loop"], limited_hub["homes"]

    async def servers():
        return {u: (await client.call("GET", f"/hub/api/users/{u}")).get("servers", {}) for u in STUDENTS}

    deadline = time.monotonic() + CULL_TIMEOUT + 90
    running = loop.run_until_complete(servers())
    while any(running.values()):
        assert time.monotonic() < deadline, f"still running after {CULL_TIMEOUT + 90} s idle: {running}\n" + \
            limited_hub["log"].read_text()[-3000:]
        time.sleep(3)
        running = loop.run_until_complete(servers())
    assert "idle-culler" in limited_hub["log"].read_text()
    for user in STUDENTS:
        saved = json.loads(answers_file(homes, user).read_text())["answers"]
        assert saved["three-cases"], f"{user}'s answers survive the cull"
        assert not bench_hub.processes_of(int(subprocess.run(["id", "-u", user], capture_output=True,
                                                             text=True).stdout)), f"{user} has processes left"
