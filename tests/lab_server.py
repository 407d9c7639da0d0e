"""Start the real JupyterLab server from the installed environment on a free loopback port."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

# How every browser test starts Debian's Chromium: headless as root, and with no background connections (on this
# closed network they would be refused, many at a time).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def quiet_settings(folder: Path) -> Path:
    """A JupyterLab settings folder: no news prompt (no network here), every cell rendered."""
    target = folder / "@jupyterlab" / "apputils-extension"
    target.mkdir(parents=True, exist_ok=True)
    (target / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    # Render every cell (JupyterLab 4 otherwise leaves off-screen cells out of the page).
    notebook = folder / "@jupyterlab" / "notebook-extension"
    notebook.mkdir(parents=True, exist_ok=True)
    (notebook / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    return folder


# Playwright waits 30 s by default for a click, a fill or a page load; a JupyterLab or hub page on a loaded
# 2-core machine (the suite runs two workers, each with kernels and servers) can take longer. Every browser
# test opens its pages here, so a page waits long enough for a slow machine and still fails on a real fault.
PAGE_TIMEOUT_MS = 120_000


def new_page(browser, **options):
    """A Playwright page with the suite's timeouts (see PAGE_TIMEOUT_MS)."""
    page = browser.new_page(**options)
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.set_default_navigation_timeout(PAGE_TIMEOUT_MS)
    return page

class Lab:
    def __init__(self, url: str, token: str, process: subprocess.Popen, log: Path):
        self.url, self.token, self.process, self.log = url, token, process, log

    def get(self, path: str, *, parse: bool = True):
        req = urllib.request.Request(f"{self.url}{path}", headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            body = resp.read().decode("utf-8")
            return (resp.status, json.loads(body) if parse else body)


IN_VIEW = "e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight; }"
"""A Playwright predicate: the element's top edge is inside the window (a link brought it into view)."""


def wait_until(predicate, timeout: float = 180, what: str = "condition") -> None:
    """Poll ``predicate`` until it holds; the bound is for a loaded machine, the loop ends as soon as it holds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@contextmanager
def running_lab(root: Path, scratch: Path, env_extra: dict | None = None, timeout: float = 180):
    """Run `jupyter lab` on `root`; yields a Lab; always stops the server."""
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["JUPYTERLAB_SETTINGS_DIR"] = str(quiet_settings(scratch / "settings"))
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(scratch / "workspaces")
    env["JUPYTER_RUNTIME_DIR"] = str(scratch / "runtime")
    env.update(env_extra or {})
    log = scratch / "jupyter-lab.log"
    args = [str(VENV_BIN / "jupyter"), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
            f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.allow_root=True",
            "--ServerApp.disable_check_xsrf=True", "--ServerApp.port_retries=0",
            "--LabApp.news_url=None", "--ServerApp.open_browser=False"]
    with log.open("w") as out:
        process = subprocess.Popen(args, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    lab = Lab(f"http://127.0.0.1:{port}", token, process, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited early:\n{log.read_text()[-3000:]}")
            try:
                lab.get("/api/status")
                break
            except (OSError, http.client.HTTPException):
                if time.monotonic() > deadline:
                    tail = log.read_text()[-3000:]
                    raise RuntimeError(f"jupyter lab did not answer in {timeout} s:\n{tail}") from None
                time.sleep(0.3)
        yield lab
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ---- the README's own commands (`make lab`, the shared-machine `student_setup --lab`) run as they are ----
BROWSER_RECORDER = """#!/bin/sh
# Stands in for the web browser JupyterLab opens: writes down what it was asked to open.
printf '%s\\n' "$1" >> "{record}"
"""


class LaunchedLab(Lab):
    """A JupyterLab started by a course command; ``opened`` is the address it asked the browser to open."""

    opened: str = ""


def lab_options(port: int, token: str) -> list[str]:
    """The JupyterLab options a test passes through a command (make lab ARGS=..., student_setup --lab ...)."""
    return [f"--port={port}", "--ip=127.0.0.1", f"--ServerApp.token={token}", "--ServerApp.port_retries=0",
            "--ServerApp.disable_check_xsrf=True", "--LabApp.news_url=None"]


@contextmanager
def launched_lab(command: list[str], cwd: Path, scratch: Path, port: int, token: str, env_extra: dict | None = None,
                 timeout: float = 120):
    """Run a course command that starts JupyterLab (as a user would type it); yield a LaunchedLab.

    JupyterLab opens its start page with the program named by $BROWSER: here a script that records the address
    (JupyterLab hands it a redirect page holding the real address, which is read back). The command runs in its
    own process group, stopped at the end.
    """
    import re
    import signal

    scratch.mkdir(parents=True, exist_ok=True)
    record = scratch / "opened.txt"
    browser = scratch / "record-browser"
    browser.write_text(BROWSER_RECORDER.format(record=record))
    browser.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["BROWSER"] = f"{browser} %s"
    env["JUPYTERLAB_SETTINGS_DIR"] = str(quiet_settings(scratch / "settings"))
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(scratch / "workspaces")
    env["JUPYTER_RUNTIME_DIR"] = str(scratch / "runtime")
    env.update(env_extra or {})
    log = scratch / "launched-lab.log"
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    lab = LaunchedLab(f"http://127.0.0.1:{port}", token, process, log)
    try:
        deadline = time.monotonic() + timeout
        while not (record.exists() and record.read_text().strip()):
            if process.poll() is not None:
                raise RuntimeError(f"{' '.join(command)} exited early:\n{log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{' '.join(command)} opened no page in {timeout} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        opened = record.read_text().split()[0]
        if opened.startswith("file://"):  # JupyterLab's redirect page: the address is in its link
            page = Path(urllib.request.url2pathname(opened[len("file://"):])).read_text()
            opened = re.search(r'href="([^"]+)"', page)[1].replace("&amp;", "&")
        lab.opened = opened
        # jupyter_server 2 opens the browser before it listens: start_app() logs "running at" and launches the
        # browser, and the port is bound by a callback that runs once the event loop starts
        # (ServerApp.init_httpserver; jupyter-server/jupyter_server#1126). A real browser takes longer than that
        # to start; the recording script does not, so on a loaded machine the first request can come first.
        while True:
            try:
                lab.get("/api/status")
                break
            except urllib.error.URLError as error:  # only a refused connection is waited out
                if not isinstance(error.reason, ConnectionRefusedError):
                    raise
                if process.poll() is not None:
                    raise RuntimeError(f"{' '.join(command)} exited after opening {opened}:\n"
                                       f"{log.read_text()[-3000:]}") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{' '.join(command)} opened {opened} but did not listen on port {port} "
                                       f"in {timeout} s:\n{log.read_text()[-3000:]}") from None
                time.sleep(0.1)
        yield lab
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
