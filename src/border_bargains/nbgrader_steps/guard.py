"""Keep a grading kernel's hands inside the submission it is grading.

Grading kernels run only when an instructor turns notebook execution on, and
then inside bubblewrap where it exists (:mod:`border_bargains.nbgrader_steps.sandbox`). This
module is the second line, and the only one where there is no sandbox (macOS):
a Python audit hook (``sys.addaudithook``, which cannot be removed once added)
installed in every grading kernel through ``Execute.extra_arguments`` in
``nbgrader_config.py``. From then on the kernel may write only inside the
folder it started in (the student's ``autograded/<student>/<assignment>/``)
and Matplotlib's cache, may not start programs, and may not open anything in
the folders the kernel manager names as hidden (the course folder, home, the
exchange), except the Python installation and the helper package. Paths are
resolved through every symbolic link, so a link inside the submission that
points elsewhere is judged by where it points.
A blocked action raises ``PermissionError`` in the student's cell, so that cell
scores zero and its output says why; every other submission is untouched.

This is a guard against accidents and casual tampering, not a sandbox: code
that reaches the operating system through ``ctypes`` is not stopped. Scores
do not depend on it (they are computed outside the kernel), and the
instructor CLI also checks after grading that no file outside the submission
changed (``border_bargains.instructor.autograde``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
PATH_EVENTS = {  # event -> indexes of the path arguments that get changed
    "os.remove": (0,), "os.rmdir": (0,), "os.mkdir": (0,), "os.rename": (0, 1), "os.truncate": (0,),
    "os.chmod": (0,), "os.chown": (0,), "os.link": (0, 1), "os.symlink": (1,), "os.utime": (0,),
    "shutil.rmtree": (0,), "shutil.move": (0, 1), "shutil.copyfile": (1,), "shutil.copytree": (1,),
}
READ_EVENTS = {"os.listdir", "os.scandir", "os.chdir", "glob.glob", "os.walk"}
PROGRAM_EVENTS = {"os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "pty.spawn"}

# Set by the kernel manager (border_bargains.nbgrader_steps.sandbox) for the guard; read once and removed at start-up.
GUARD_HIDE_ENV = "BORDER_BARGAINS_GUARD_HIDE"  # folders the kernel may not open (os.pathsep-separated)
GUARD_ALLOW_ENV = "BORDER_BARGAINS_GUARD_ALLOW"  # folders inside those that stay readable (Python, the package)

_installed = False


def _allowed_roots(root: Path) -> list[Path]:
    roots = [root]
    mpl = os.environ.get("MPLCONFIGDIR")
    roots += [Path(mpl)] if mpl else [Path.home() / ".cache" / "matplotlib", Path.home() / ".config" / "matplotlib"]
    return [r.resolve() for r in roots]


def _paths_from_env(name: str) -> list[Path]:
    value = os.environ.pop(name, "")  # read once, then gone: student code learns nothing from it
    return [Path(p).resolve() for p in value.split(os.pathsep) if p]


def _within(path: Path, roots: list[Path]) -> bool:
    return any(path == r or r in path.parents for r in roots)


def confine_writes(root: str | os.PathLike | None = None, *, hidden: list[Path] | None = None,
                   readable: list[Path] | None = None) -> Path:
    """Install the guard for this process; returns the folder writes are confined to.

    ``hidden`` folders may not be opened at all, except inside ``readable`` ones (and the
    submission's own folder).
    """
    global _installed
    base = Path(root if root is not None else os.getcwd()).resolve()
    if _installed:
        return base
    allowed = _allowed_roots(base)
    hidden = list(hidden or [])
    readable = [*(readable or []), *allowed]
    start = Path(os.getcwd())

    def where(target) -> Path | None:
        if isinstance(target, int) or target is None:
            return None  # an already-open descriptor
        path = Path(os.fsdecode(target))
        if not path.is_absolute():
            path = Path(os.getcwd() if os.getcwd() else start) / path
        return Path(os.path.realpath(path))  # through every link, the last one included

    def inside(target) -> bool:
        path = where(target)
        return path is None or _within(path, allowed)

    def visible(target) -> bool:
        path = where(target)
        return path is None or not _within(path, hidden) or _within(path, readable)

    def refuse(what: str, target=None):
        where = f" ({os.fsdecode(target)})" if target is not None and not isinstance(target, int) else ""
        raise PermissionError(
            f"While grading, {what}{where}. This cell was stopped; the rest of the notebook is still graded."
        )

    def hook(event: str, args: tuple) -> None:
        if event == "open":
            target, mode, flags = ([*list(args), None, None, 0])[:3]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool((flags or 0) & WRITE_FLAGS)
            if writing and not inside(target):
                refuse("code may write files only inside the assignment folder", target)
            if not visible(target):
                refuse("code may not open the course's or other students' files", target)
        elif event in READ_EVENTS:
            if args and not visible(args[0]):
                refuse("code may not look into the course's or other students' folders", args[0])
        elif event in PATH_EVENTS:
            for i in PATH_EVENTS[event]:
                if i < len(args) and not inside(args[i]):
                    refuse("code may change files only inside the assignment folder", args[i])
        elif event in PROGRAM_EVENTS:
            refuse("code may not start other programs")

    sys.addaudithook(hook)
    _installed = True
    return base


def start_grading_kernel() -> None:
    """Run once at kernel start-up (nbgrader_config.py): confine writes and reads.

    The kernel's memory is capped before it starts, by the provisioner (:mod:`.sandbox`).
    """
    confine_writes(hidden=_paths_from_env(GUARD_HIDE_ENV), readable=_paths_from_env(GUARD_ALLOW_ENV))
