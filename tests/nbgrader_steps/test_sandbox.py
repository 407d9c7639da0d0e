"""A grading kernel, started the way autograde starts one, cannot reach a key.

The course's nbgrader_config.py is loaded as nbgrader loads it, and the kernel is started with the same
kernel manager and arguments as nbgrader's Execute step (``SandboxedExecute``), in a submission's
``autograded/<student>/<assignment>/`` folder inside a course that holds a key. The same probe first runs in
a plain kernel (nbgrader's usual way) as a control: there it *does* read the key, so the probe is able to
find one. Each test says which protection ran.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import threading
from pathlib import Path

import pytest
from jupyter_client.manager import AsyncKernelManager
from sample_course import FIXTURE, REPO
from traitlets.config.loader import PyFileConfigLoader

from border_bargains.nbgrader_steps.sandbox import SandboxedKernelManager, bubblewrap

pytestmark = [pytest.mark.slow]

PROBE = """
import json, os, socket, sys
report = {}
key = os.path.join("..", "..", "..", "solutions", "sample", "answer_key.toml")
try:
    report["key"] = open(key, encoding="utf-8").read()[:40]
except OSError as exc:
    report["key"] = type(exc).__name__
try:
    report["course"] = sorted(os.listdir(os.path.join("..", "..", "..")))
except OSError as exc:
    report["course"] = type(exc).__name__
report["env"] = sorted(k for k in os.environ if k.startswith("BORDER_BARGAINS"))
try:
    socket.create_connection(("127.0.0.1", PORT), timeout=2).close()
    report["network"] = "reached the host"
except OSError as exc:
    report["network"] = type(exc).__name__
try:
    open(os.path.join("..", "..", "..", "escaped.txt"), "w").write("x")
    report["write_outside"] = "written"
except OSError as exc:
    report["write_outside"] = type(exc).__name__
import border_bargains
report["helper"] = border_bargains.__file__
print(json.dumps(report))
"""


@pytest.fixture
def course(tmp_path):
    """A course holding a key, and one student's graded folder with a fake helper package beside the notebook."""
    root = tmp_path / "course"
    (root / "solutions" / "sample").mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copy(FIXTURE / "answer_key.toml", root / "solutions" / "sample")
    folder = root / "autograded" / "mallory" / "sample"
    (folder / "border_bargains").mkdir(parents=True)
    (folder / "border_bargains" / "__init__.py").write_text("FAKE = True\n")
    return root, folder


@pytest.fixture
def listener():
    """A TCP server on the host's loopback: a kernel with network access could connect to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    thread = threading.Thread(target=lambda: [server.accept()[0].close() for _ in range(2)], daemon=True)
    thread.start()
    yield server.getsockname()[1]
    server.close()


def probe(manager_class, root: Path, folder: Path, port: int, **config_changes) -> dict:
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    for dotted, value in config_changes.items():
        section, name = dotted.split(".")
        config[section][name] = value

    return json.loads(run_in_kernel(manager_class, config, folder, PROBE.replace("PORT", str(port))).strip()
                      .splitlines()[-1])


def run_in_kernel(manager_class, config, folder: Path, code: str) -> str:
    """What ``code`` prints in a kernel started by ``manager_class`` in ``folder``, as nbgrader starts one."""
    async def run() -> str:
        km = manager_class(config=config)
        await km.start_kernel(cwd=str(folder), extra_arguments=list(config.Execute.extra_arguments))
        kc = km.client()
        kc.start_channels()
        out: list[str] = []
        try:
            await kc.wait_for_ready(timeout=180)
            reply = await kc.execute_interactive(code, timeout=180,
                                                 output_hook=lambda m: out.append(m["content"].get("text", "")))
            assert reply["content"]["status"] == "ok", reply["content"]
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
        return "".join(out)

    return asyncio.run(run())


def test_control_a_plain_kernel_reads_the_key(course, listener):
    root, folder = course
    seen = probe(AsyncKernelManager, root, folder, listener)
    assert seen["key"].startswith("# Key of the sample assignment"), "the probe can find a key where one is visible"
    assert "solutions" in seen["course"]


def test_a_sandboxed_grading_kernel_cannot_reach_a_key(course, listener, require):
    require(bubblewrap() is not None, "bubblewrap (the OS sandbox for grading kernels)", "apt-get install bubblewrap")
    root, folder = course
    # Without the audit-hook guard, to show what the sandbox alone does.
    seen = probe(SandboxedKernelManager, root, folder, listener, **{"Execute.extra_arguments": []},
                 **{"SandboxProvisioner.mode": "bubblewrap"})
    print("mode: bubblewrap sandbox;", seen)
    assert seen["key"] == "FileNotFoundError"
    assert seen["course"] == ["autograded"], "only the submission's own folder is there"
    assert seen["env"] == []
    assert seen["network"] != "reached the host"
    # Outside its folder the kernel sees only empty, throw-away folders: a write lands there and vanishes.
    assert not (root / "escaped.txt").exists()
    assert seen["helper"].startswith(str(REPO / "src")), "the installed helper, not the submission's package"


def test_without_a_sandbox_the_guard_still_refuses_the_key(course, listener):
    root, folder = course
    seen = probe(SandboxedKernelManager, root, folder, listener, **{"SandboxProvisioner.mode": "guard"})
    print("mode: audit-hook guard;", seen)
    assert seen["key"] == "PermissionError"
    assert seen["course"] == "PermissionError"
    assert seen["env"] == [], "the guard's settings are read once and removed"
    assert seen["write_outside"] == "PermissionError" and not (root / "escaped.txt").exists()
    # The guard is not a network sandbox (seen["network"]); scores never depend on the kernel anyway.
    assert seen["helper"].startswith(str(REPO / "src")), "the installed helper, not the submission's package"


def test_the_guard_judges_a_link_by_where_it_points(tmp_path):
    """The symlink hole of the first build: a link inside the folder that points outside it."""
    import subprocess
    import sys

    folder = tmp_path / "submission"
    folder.mkdir()
    outside = tmp_path / "outside.txt"
    (folder / "link.txt").symlink_to(outside)
    code = ("from border_bargains.nbgrader_steps.guard import confine_writes; confine_writes()\n"
            "try:\n    open('link.txt', 'w').write('x'); print('written')\n"
            "except PermissionError as exc:\n    print('refused')\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "refused", out.stdout + out.stderr
    assert not outside.exists()


@pytest.mark.parametrize("mode", ["bubblewrap", "guard"])
def test_a_grading_kernel_gets_the_configured_memory_and_no_more(course, mode, require):
    """CourseSettings.kernel_memory_limit caps the kernel before it starts, in either mode."""
    if mode == "bubblewrap":
        require(bubblewrap() is not None, "bubblewrap (the OS sandbox for grading kernels)",
                "apt-get install bubblewrap")
    root, folder = course
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.SandboxProvisioner.mode = mode
    config.CourseSettings.kernel_memory_limit = 1 << 30
    code = ("try:\n    block = bytearray(1536 << 20)\n    print('allocated')\n"
            "except MemoryError:\n    print('MemoryError')\n"
            "small = bytearray(64 << 20)\nprint('small allocated')\n")

    printed = run_in_kernel(SandboxedKernelManager, config, folder, code).split()
    assert printed == ["MemoryError", "small", "allocated"], printed
