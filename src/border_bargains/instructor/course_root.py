"""Finding the course and loading its nbgrader configuration, the same way nbgrader does."""

from __future__ import annotations

import os
import sys
from pathlib import Path

CONFIG = "nbgrader_config.py"


class CourseError(RuntimeError):
    """The command cannot run here; the message says what to do instead."""


def find_root(start: Path | None = None) -> Path:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG).exists() and (folder / "solutions").is_dir():
            return folder
    raise CourseError(f"No course found at or above {here}: run this from the course folder "
                      f"(the one with {CONFIG} and solutions/).")


def prepare_environment() -> None:
    """nbgrader starts `alembic` and kernels as subprocesses: put this Python's bin/ first on PATH."""
    bin_dir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def load_api(root: Path, **overrides):
    """An NbGraderAPI configured from the course's nbgrader_config.py (which also sets the key location)."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    prepare_environment()
    config = PyFileConfigLoader(CONFIG, path=str(root)).load_config()
    extra = Config()
    for dotted, value in overrides.items():
        section, _, name = dotted.rpartition(".")
        extra[section][name] = value
    config.merge(extra)
    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir=coursedir, config=config)


def assignments(root: Path) -> list[str]:
    """Assignments are the folders of solutions/ that hold a notebook of the same name."""
    return sorted(p.name for p in (root / "solutions").iterdir() if (p / f"{p.name}.ipynb").exists())
