"""Grading kernels that cannot see the course: an OS sandbox where there is one, a guard where there is not.

Scoring never needs a student's code to run (see ``nbgrader_plugins``), so by
default autograde runs no kernel at all. An instructor who wants students'
notebooks executed while grading (``c.Execute.enabled = True``) gets each
kernel from :class:`SandboxProvisioner`, a jupyter_client kernel provisioner:

* **Linux with bubblewrap** (Debian's ``bubblewrap``): the kernel runs in its
  own mount, PID, IPC and network namespaces. The whole file system is
  read-only; the course folder, the instructor's home, the exchange and
  ``/tmp`` are replaced by empty folders, except the installed Python, the
  course's helper package and the submission's own folder (the only writable
  place). So ``solutions/``, the keys, the gradebook and other students'
  work are not there to be read, and there is no network. The kernel talks
  to nbgrader over Unix sockets in a private folder made for it (ZeroMQ's
  ``ipc`` transport), since TCP on the host's loopback is outside its network
  namespace.
* **Elsewhere** (macOS, or Linux without bubblewrap): the kernel runs as
  before under :mod:`border_bargains.nbgrader_steps.guard`, an audit hook that
  refuses writes outside the submission and reads of the hidden paths. This
  is said once in the autograde output; it is a guard, not a sandbox.

Either way the kernel starts with ``PYTHONSAFEPATH=1`` and IPython's
``ignore_cwd``, so a package a student ships beside the notebook (say, a
folder named ``border_bargains``) is never imported in place of the real one.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Enum, List, Unicode, default

from border_bargains.nbgrader_steps.guard import GUARD_ALLOW_ENV, GUARD_HIDE_ENV
from border_bargains.nbgrader_steps.settings import CourseSettings

DROPPED_ENV_PREFIXES = ("BORDER_BARGAINS_", "JPY_", "JUPYTERHUB_", "NBGRADER_DB", "PGPASSWORD", "DATABASE_URL")


@functools.cache
def bubblewrap() -> str | None:
    """The bwrap program if it exists *and* can make a sandbox here (containers may forbid namespaces)."""
    path = shutil.which("bwrap")
    if path is None:
        return None
    try:
        probe = subprocess.run([path, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"],
                               capture_output=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return path if probe.returncode == 0 else None


def sandbox_mode(requested: str = "auto") -> str:
    """Which protection a grading kernel gets: "bubblewrap" or "guard"."""
    if requested == "guard":
        return "guard"
    if bubblewrap():
        return "bubblewrap"
    if requested == "bubblewrap":
        raise RuntimeError("bubblewrap was required for grading kernels (SandboxProvisioner.mode) but cannot "
                           "run here: install it (Debian/Ubuntu: apt-get install bubblewrap)")
    return "guard"


def _package_root() -> Path:
    """The whole helper package (a kernel imports ``border_bargains`` from it)."""
    return Path(__file__).resolve().parent.parent


def readable_roots() -> list[Path]:
    """What a grading kernel must read to run: the interpreter, its libraries and the helper package."""
    roots = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), _package_root()}
    return sorted(roots)


class SandboxProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, starting each grading kernel in bubblewrap (or under the guard).

    Registered as the ``border-bargains-sandbox`` kernel provisioner (``pyproject.toml``), and chosen for
    every grading kernel by :class:`GradingKernelSpecManager`. One private folder per kernel holds its
    connection file and its Unix sockets.
    """

    mode = Enum(["auto", "bubblewrap", "guard"], "auto",
                help="auto: bubblewrap when it works here, else the audit-hook guard; bubblewrap: refuse to "
                     "grade without it; guard: never use bubblewrap.").tag(config=True)
    hidden_paths = List(Unicode(), help="Extra folders a grading kernel must not see (besides the course folder, "
                                        "home, the exchange and the gradebook's folder).").tag(config=True)

    _private: str | None = None
    used_mode: str = ""

    @classmethod
    def configured_mode(cls, config) -> str:
        """The mode this configuration asks for (``c.SandboxProvisioner.mode``), without starting anything."""
        return cls.class_traits()["mode"].validate(None, config[cls.__name__].get("mode", "auto"))

    def hidden(self) -> list[Path]:
        """Folders hidden from the kernel: the course, the home folder, the exchange, temp folders, and more."""
        config = self.config
        paths = [Path.home()]
        root = config.CourseDirectory.get("root") if "CourseDirectory" in config else None
        paths.append(Path(root) if root else Path.cwd())
        if "Exchange" in config and config.Exchange.get("root"):
            paths.append(Path(config.Exchange.root))
        db_url = config.CourseDirectory.get("db_url", "") if "CourseDirectory" in config else ""
        if db_url.startswith("sqlite:///"):
            paths.append(Path(db_url[len("sqlite:///"):].split("?")[0]).parent)
        paths += [Path(p) for p in self.hidden_paths]
        paths += [Path(tempfile.gettempdir()), Path("/var/tmp"), Path("/tmp")]
        found = []
        for path in paths:
            resolved = path.expanduser().resolve()
            if resolved != Path("/") and resolved not in found:
                found.append(resolved)
        return found

    async def pre_launch(self, **kwargs):
        km = self.parent
        if self._private is None:  # a restart keeps its folder and connection file
            self._private = tempfile.mkdtemp(prefix="bb-kernel-")
            km.transport = "ipc"
            km.connection_file = os.path.join(self._private, "kernel.json")
            km.ip = os.path.join(self._private, "ipc")
        cwd = Path(kwargs.get("cwd") or os.getcwd()).resolve()
        kwargs = await super().pre_launch(**kwargs)
        cmd = kwargs.pop("cmd")
        # What the kernel prints outside the notebook (its banner, its warnings) stays out of the summary.
        kwargs.setdefault("stdout", subprocess.DEVNULL)
        kwargs.setdefault("stderr", subprocess.DEVNULL)
        env = dict(kwargs.get("env") or os.environ)
        for name in list(env):
            if name.startswith(DROPPED_ENV_PREFIXES):
                del env[name]
        env["PYTHONSAFEPATH"] = "1"
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        cmd = [*cmd, "--InteractiveShellApp.ignore_cwd=True"] if "ipykernel" in " ".join(cmd) else cmd
        self.used_mode = sandbox_mode(self.mode)
        hidden = self.hidden()
        if self.used_mode == "bubblewrap":
            cmd = self._bubblewrap(cmd, cwd, hidden, env)
        else:
            allow = [str(p) for p in readable_roots()] + [str(cwd), self._private]
            env[GUARD_HIDE_ENV] = os.pathsep.join(str(p) for p in hidden)
            env[GUARD_ALLOW_ENV] = os.pathsep.join(allow)
        kwargs["env"] = env
        limit = CourseSettings(config=self.config).kernel_memory_limit
        kwargs["preexec_fn"] = functools.partial(_cap_memory, limit)
        return {"cmd": cmd, **kwargs}

    def _bubblewrap(self, cmd: list[str], cwd: Path, hidden: list[Path], env: dict) -> list[str]:
        home = Path.home().resolve()
        args = [bubblewrap(), "--die-with-parent", "--new-session", "--unshare-all",
                "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        # Hide, outermost first, so that a folder inside another stays hidden as well.
        for path in sorted(hidden, key=lambda p: len(p.parts)):
            if path.exists():
                args += ["--tmpfs", str(path)]
        # Put back, read-only, what the kernel needs that lives inside a hidden folder.
        for root in readable_roots():
            if any(root == h or h in root.parents for h in hidden):
                args += ["--ro-bind", str(root), str(root)]
        args += ["--bind", str(cwd), str(cwd), "--bind", self._private, self._private, "--chdir", str(cwd)]
        # The kernel's parent is bwrap's own init in the new PID namespace: ipykernel's parent check would
        # shut it down at once. --die-with-parent already ends the kernel with nbgrader.
        args += ["--unsetenv", "JPY_PARENT_PID"]
        env["HOME"] = str(home)  # an empty, writable tmpfs inside the sandbox
        env["MPLCONFIGDIR"] = str(Path(tempfile.gettempdir()) / "matplotlib")
        env["TMPDIR"] = tempfile.gettempdir()
        return [*args, "--", *cmd]

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart=restart)
        if not restart and self._private:
            shutil.rmtree(self._private, ignore_errors=True)
            self._private = None


def _cap_memory(limit: int) -> None:
    """In the new process, before bwrap or the kernel starts: at most ``limit`` bytes of address space."""
    import resource

    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):  # a lower hard limit is already in force: keep it
        pass


PROVISIONER = "border-bargains-sandbox"


class GradingKernelSpecManager(KernelSpecManager):
    """The usual kernel specs, each naming the sandbox provisioner and interrupted by message.

    A signal to bwrap does not reach the kernel inside; ipykernel interrupts itself on a message.
    """

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        spec = super().get_kernel_spec(kernel_name)
        spec.metadata = {**spec.metadata, "kernel_provisioner": {"provisioner_name": PROVISIONER, "config": {}}}
        spec.interrupt_mode = "message"
        return spec


class SandboxedKernelManager(AsyncKernelManager):
    """jupyter_client's kernel manager whose kernels all come from :class:`SandboxProvisioner`."""

    @default("kernel_spec_manager")
    def _sandboxed_specs(self) -> KernelSpecManager:
        return GradingKernelSpecManager(parent=self)
