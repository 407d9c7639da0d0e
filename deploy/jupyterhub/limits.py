"""Limits for a class on one server: each user's memory and CPU, and idle servers stopped.

jupyterhub_config.py calls `apply(c)` at its end. Every setting is an environment variable (deploy/README.md,
"Limits"); the defaults suit the sizing table there:

BB_MEM_LIMIT      memory of one user's server and kernels together (default 1G; 0 = no limit)
BB_CPU_LIMIT      cores one user may use at most (default 1.0; 0 = no cap)
BB_CPU_WEIGHT     the user's share when the CPU is contended (default 100: every user the same)
BB_CULL_TIMEOUT   seconds idle before a server is stopped by jupyterhub-idle-culler (default 3600; 0 = never)
BB_CULL_EVERY     how often the culler looks (default: a tenth of the timeout, at most 300 s)
BB_LIMITS_CGROUP  name of the cgroup folder made for the class (default border-bargains)

How the limits are enforced: JupyterHub's `mem_limit` / `cpu_limit` are only requests; the spawner must apply
them. On a server run by systemd, systemdspawner does (deploy/README.md). Here `CgroupSpawner` (the default
spawner class) is the plain LocalProcessSpawner, the same system users and commands, that first puts each user's
single-user server into a cgroup of its own (cgroup v2, or the v1 `memory` and `cpu` controllers), with
the memory limit and the CPU cap and weight; every kernel the server starts inherits it. A kernel that
allocates past the limit is the biggest process of its own cgroup, so the kernel OOM-killer stops that kernel
and nothing of any other user; Jupyter restarts the kernel and JupyterLab says "The kernel ... appears to have
died. It will restart automatically." The student's answers are on disk already (every choice is saved at
once). Where no cgroup can be written (not root, a read-only /sys/fs/cgroup), each process of the user gets
RLIMIT_AS = the memory limit instead (an allocation past it fails with MemoryError) and the hub log says that
the CPU is not capped.
"""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner
from jupyterhub.traitlets import ByteSpecification
from traitlets import Integer, Unicode

CGROUP_ROOT = Path("/sys/fs/cgroup")


def _own_cgroup(controller: str) -> str:
    """This process's cgroup path for a v1 controller ('' = v2's unified line)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _num, names, path = line.split(":", 2)
        if (controller == "" and names == "") or controller in names.split(","):
            return path.lstrip("/")
    return ""


def _write(path: Path, value) -> None:
    path.write_text(f"{value}\n")


def cgroup_layout(name: str) -> dict[str, Path] | None:
    """Where the class's cgroups go on this machine: {'v2': dir} or {'memory': dir, 'cpu': dir}; None if none can."""
    if (CGROUP_ROOT / "cgroup.controllers").exists():  # pure cgroup v2
        # v2 keeps processes only in leaves: the class's folder hangs off the root, which may hold processes
        root = CGROUP_ROOT
        wanted = {"memory", "cpu"}
        if not wanted <= set((root / "cgroup.controllers").read_text().split()):
            return None
        try:
            _write(root / "cgroup.subtree_control", "+memory +cpu")
            (root / name).mkdir(exist_ok=True)
            _write(root / name / "cgroup.subtree_control", "+memory +cpu")
        except OSError:
            return None
        return {"v2": root / name}
    layout = {}
    for controller in ("memory", "cpu"):
        mount = CGROUP_ROOT / controller
        if not (mount / "cgroup.procs").exists():
            return None
        base = mount / _own_cgroup(controller) / name  # below the hub's own cgroup (a container's, here)
        try:
            base.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        layout[controller] = base
    return layout


def _share_of_class(parent: Path, name: str, one: int, most: int) -> None:
    """The class's folder weighs as much as its users together, not as one process.

    Without this, the whole class would share the weight of a single process against everything else on
    the machine (measured: on a busy machine the class's servers then start slower, not faster).
    """
    users = sum(1 for child in parent.iterdir() if child.is_dir())
    _write(parent / name, min(most, one * max(1, users)))


class CgroupSpawner(LocalProcessSpawner):
    """LocalProcessSpawner that enforces mem_limit, cpu_limit and a CPU weight with one cgroup per user."""

    cgroup_name = Unicode("border-bargains", config=True, help="folder of the class's cgroups")
    cpu_weight = Integer(100, config=True, help="cgroup v2 cpu.weight (v1: cpu.shares = weight * 1024 / 100)")

    def _user_cgroups(self) -> list[Path]:
        layout = cgroup_layout(self.cgroup_name) if os.geteuid() == 0 else None
        if layout is None:
            return []
        user = self.user.name
        made = []
        if "v2" in layout:
            group = layout["v2"] / user
            group.mkdir(exist_ok=True)
            _write(group / "memory.max", self.mem_limit or "max")
            if (group / "memory.swap.max").exists():
                _write(group / "memory.swap.max", 0 if self.mem_limit else "max")
            _write(group / "cpu.weight", self.cpu_weight)
            _write(group / "cpu.max", f"{int(self.cpu_limit * 100000)} 100000" if self.cpu_limit else "max 100000")
            _share_of_class(layout["v2"], "cpu.weight", 100, 10000)
            return [group]
        memory, cpu = layout["memory"] / user, layout["cpu"] / user
        for group in (memory, cpu):
            group.mkdir(exist_ok=True)
            made.append(group)
        limit = self.mem_limit or -1
        _write(memory / "memory.limit_in_bytes", limit)
        if (memory / "memory.memsw.limit_in_bytes").exists():  # memory + swap: no escape into swap
            try:
                _write(memory / "memory.memsw.limit_in_bytes", limit)
            except OSError:
                pass
        _write(cpu / "cpu.shares", max(2, self.cpu_weight * 1024 // 100))
        period = int((cpu / "cpu.cfs_period_us").read_text())
        _write(cpu / "cpu.cfs_quota_us", int(self.cpu_limit * period) if self.cpu_limit else -1)
        _share_of_class(layout["cpu"], "cpu.shares", 1024, 262144)
        return made

    def make_preexec_fn(self, name):
        become_user = super().make_preexec_fn(name)
        try:
            groups = self._user_cgroups()
        except OSError as exc:
            self.log.warning("Limits for %s: cgroups not writable (%s); RLIMIT_AS only, CPU not capped", name, exc)
            groups = []
        self.limits_mechanism = "cgroup" if groups else "rlimit"
        if groups:
            self.log.info("Limits for %s: memory %s bytes, CPU %s cores, weight %s, in %s", name,
                          self.mem_limit or "unlimited", self.cpu_limit or "uncapped", self.cpu_weight,
                          ", ".join(map(str, groups)))
        else:
            self.log.warning("Limits for %s: no writable cgroup; each process limited to %s bytes (RLIMIT_AS), "
                             "CPU not capped", name, self.mem_limit or "unlimited")
        procs = [str(g / "cgroup.procs") for g in groups]
        mem_limit = self.mem_limit

        def preexec():
            # runs in the child, still as root: join the user's cgroups, then become the user
            for path in procs:
                with open(path, "w") as handle:
                    handle.write(str(os.getpid()))
            if not procs and mem_limit:
                resource.setrlimit(resource.RLIMIT_AS, (mem_limit, mem_limit))
            become_user()

        return preexec

    async def stop(self, now=False):
        await super().stop(now=now)
        try:
            layout = cgroup_layout(self.cgroup_name) if os.geteuid() == 0 else None
        except OSError:
            layout = None
        for base in (layout or {}).values():
            try:
                (base / self.user.name).rmdir()  # empty once the server and its kernels are gone
            except OSError:
                pass


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not a number (deploy/README.md, Limits)") from None


def _env_bytes(name: str, default: str) -> int:
    raw = os.environ.get(name, default).strip() or default
    if raw.isdigit():  # plain bytes
        return int(raw)
    try:
        return ByteSpecification().validate(None, raw)
    except Exception:
        raise SystemExit(f"{name}={raw!r} is not a size such as 1G or 512M (deploy/README.md, Limits)") from None


def apply(c) -> None:
    """Set the spawner's limits and the idle culler on the hub's config `c` (call it at the end of the file)."""
    c.JupyterHub.spawner_class = CgroupSpawner
    c.Spawner.mem_limit = _env_bytes("BB_MEM_LIMIT", "1G") or None
    c.Spawner.cpu_limit = _env_number("BB_CPU_LIMIT", 1.0) or None
    c.CgroupSpawner.cpu_weight = int(_env_number("BB_CPU_WEIGHT", 100))
    c.CgroupSpawner.cgroup_name = os.environ.get("BB_LIMITS_CGROUP", "border-bargains")

    timeout = int(_env_number("BB_CULL_TIMEOUT", 3600))
    if timeout <= 0:
        return
    every = int(_env_number("BB_CULL_EVERY", min(300, max(5, timeout // 10))))
    # The culler reads each server's last activity from the hub: report it often enough for the timeout.
    interval = max(5, min(300, timeout // 3))
    c.JupyterHub.last_activity_interval = interval
    c.Spawner.environment.update({"JUPYTERHUB_ACTIVITY_INTERVAL": str(interval)})
    c.JupyterHub.services.append({
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={timeout}",
                    f"--cull-every={every}"],
    })
    c.JupyterHub.load_roles.append({
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    })
