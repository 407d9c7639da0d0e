"""Finding the course and loading its nbgrader configuration, the same way nbgrader does.

Every instructor command works on the course folder (the one holding
``nbgrader_config.py`` and ``solutions/``) found at or above the current folder,
and writes its files there (:func:`in_course`), never into the current folder:
run from inside ``submitted/<student>/<a>/``, an export would otherwise land in
that student's submission and be handed back to her with her feedback.
"""

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
    check_config(root, config)
    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir=coursedir, config=config)


def assignments(root: Path) -> list[str]:
    """Assignments are the folders of solutions/ that hold a notebook of the same name."""
    return sorted(p.name for p in (root / "solutions").iterdir() if (p / f"{p.name}.ipynb").exists())


def course_classes() -> dict:
    """The configurable classes the course itself defines (its settings in nbgrader_config.py)."""
    import importlib
    import inspect
    import pkgutil

    from traitlets.config import Configurable

    import border_bargains.exchange
    import border_bargains.instructor
    import border_bargains.nbgrader_steps

    classes = {}
    for package in (border_bargains.nbgrader_steps, border_bargains.exchange, border_bargains.instructor):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name.endswith(".guard"):
                continue  # imported only inside grading kernels, defines no setting
            module = importlib.import_module(info.name)
            for obj in vars(module).values():
                if inspect.isclass(obj) and issubclass(obj, Configurable) and obj.__module__ == module.__name__:
                    classes[obj.__name__] = obj
    return classes


def check_config(root: Path, config) -> None:
    """A misspelt course setting in nbgrader_config.py is an error naming its line (traitlets ignores it)."""
    import difflib
    import re

    classes = course_classes()
    text = (root / CONFIG).read_text(encoding="utf-8") if (root / CONFIG).exists() else ""

    def where(section: str, key: str) -> str:
        pattern = re.compile(rf"\bc\.{re.escape(section)}\.{re.escape(key)}\b" if key else
                             rf"\bc\.{re.escape(section)}\b")
        for number, line in enumerate(text.splitlines(), start=1):
            if pattern.search(line) and not line.lstrip().startswith("#"):
                return f"{CONFIG} line {number}"
        return CONFIG

    for section in list(config.keys()):
        if not section[:1].isupper():
            continue
        if section in classes:
            known = set(classes[section].class_trait_names(config=True))
            for key in config[section]:
                if key not in known:
                    close = difflib.get_close_matches(key, sorted(known), n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    raise CourseError(f"{where(section, key)}: {section} has no setting {key!r}{hint}")
            continue
        close = difflib.get_close_matches(section, sorted(classes), n=1, cutoff=0.85)
        if close and section not in _NBGRADER_SECTIONS:
            raise CourseError(f"{where(section, '')}: no course setting c.{section} (did you mean c.{close[0]}?)")


# nbgrader's and Jupyter's own sections that look like the course's (not to be mistaken for misspellings).
_NBGRADER_SECTIONS = {"Execute", "OverwriteCells", "CheckCellMetadata"}


def in_course(root: Path, name: str | Path) -> Path:
    """Where an instructor command writes ``name``: a relative path is taken from the course folder."""
    path = Path(name).expanduser()
    return (path if path.is_absolute() else root / path).resolve()
