"""``python -m border_bargains.student.setup --exchange PATH``: point a student's nbgrader at the course's exchange.

On a shared machine the instructor's exchange folder is not nbgrader's default
(``/srv/nbgrader/exchange``), so "Fetch" fails with "Unwritable directory". This
writes the three settings a student needs into an ``nbgrader_config.py``:
the exchange folder, the course id, and (for students who share one OS
account) the student id, which keeps each student's submissions and feedback
apart. By default the file goes to ``~/.jupyter``; with ``--folder DIR`` it
goes into that folder, for a student who runs JupyterLab (or nbgrader) from
there: students who share one OS account each use a folder of their own, and
each folder also gets its own copy of nbgrader's submission cache. (nbgrader
finds a student's feedback through that cache, and a shared cache would hand
each student the others' feedback too.)
On a JupyterHub the deployment sets these for everyone and this is not needed.

``--lab`` then starts JupyterLab for the student in that folder (``--folder``, or the home folder), in the
student view: it first puts the student's own copy of the lessons, the reading guides and the data dictionary
there (``lessons/``, ``source_texts/``, ``docs/``; never over a copy that is already there), so the lessons,
their ¶ links and the assignments fetched into the same folder are all reachable from one JupyterLab, and
running a lesson never changes the course's copy. Options it does not know go to JupyterLab
(``--port=8899 --no-browser``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

MARK = "# written by border_bargains.student.setup"


def config_text(exchange: str, course: str, student_id: str | None, cache: str | None = None) -> str:
    lines = [MARK, "c = get_config()  # noqa: F821", f"c.Exchange.root = {exchange!r}",
             f"c.CourseDirectory.course_id = {course!r}"]
    if student_id:
        lines.append(f"c.CourseDirectory.student_id = {student_id!r}")
    if cache:
        lines.append(f"c.Exchange.cache = {cache!r}")
    return "\n".join(lines) + "\n"


COURSE_MATERIAL = ("lessons", "source_texts", "docs")
FIRST_LESSON = "lessons/00_orientation.ipynb"


def course_folder() -> Path | None:
    """The course repository this package was installed from (``make install`` installs it in place)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "lessons").is_dir() and (parent / "config" / "student").is_dir():
            return parent
    return None


def copy_course_material(course: Path, folder: Path) -> list[str]:
    """The student's own copy of the lessons, guides and data dictionary; an existing copy is kept as it is."""
    copied = []
    for name in COURSE_MATERIAL:
        if (course / name).is_dir() and not (folder / name).exists():
            shutil.copytree(course / name, folder / name,
                            ignore=shutil.ignore_patterns(".widget_answers", ".ipynb_checkpoints", "__pycache__"))
            copied.append(name)
    return copied


def start_lab(course: Path, folder: Path, lab_args: list[str]) -> int:
    """JupyterLab in the student view, rooted at the student's folder, opening lesson 00 (replaces this process)."""
    env = dict(os.environ)
    student_view = str(course / "config" / "student")
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(p for p in (student_view, env.get("JUPYTER_CONFIG_PATH")) if p)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join((bin_dir, env.get("PATH", "")))
    args = [str(Path(bin_dir) / "jupyter"), "lab", f"--ServerApp.root_dir={folder}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    args += [*lab_args, FIRST_LESSON]
    os.chdir(folder)  # nbgrader reads the folder's nbgrader_config.py from the current folder
    sys.stdout.flush()
    os.execve(args[0], args, env)
    return 0  # not reached


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m border_bargains.student.setup", description=__doc__.split("\n\n")[0])
    ap.add_argument("--exchange", required=True, help="the course's exchange folder (your instructor gives it)")
    ap.add_argument("--course", default="border-bargains", help="the course id (default: border-bargains)")
    ap.add_argument("--student-id", help="your student id, if it is not your login name (students who share an "
                                         "OS account: give it, with --folder)")
    ap.add_argument("--folder", help="write the settings into this folder instead of ~/.jupyter")
    ap.add_argument("--lab", action="store_true",
                    help="then start JupyterLab in that folder (or your home folder) with your own copy of the "
                         "lessons and guides beside your assignments; other options go to JupyterLab")
    args, lab_args = ap.parse_known_args(argv)
    if lab_args and not args.lab:
        ap.error(f"unrecognized arguments: {' '.join(lab_args)}")
    exchange = Path(args.exchange).expanduser()
    if not exchange.is_dir():
        print(f"There is no folder {exchange}: check the path your instructor gave you.")
        return 2
    target = Path(args.folder).expanduser().resolve() if args.folder else Path.home() / ".jupyter"
    target.mkdir(parents=True, exist_ok=True)
    path = target / "nbgrader_config.py"
    cache = str(target / ".nbgrader-cache") if args.folder else None
    text = config_text(str(exchange.resolve()), args.course, args.student_id, cache)
    if path.exists() and MARK not in path.read_text(encoding="utf-8"):
        print(f"{path} exists and was not written by this command; not changing it. Add these lines to it:\n")
        print(text)
        return 1
    path.write_text(text, encoding="utf-8")
    print(f"Wrote {path}: the Assignments tab now uses {exchange.resolve()} for course {args.course!r}"
          + (f", as student {args.student_id!r}." if args.student_id else "."))
    if not args.lab:
        return 0
    course = course_folder()
    if course is None:
        print("Cannot find the course folder (with lessons/ and config/student/) this package was installed from; "
              "start JupyterLab yourself in your folder.")
        return 2
    folder = Path(args.folder).expanduser().resolve() if args.folder else Path.home()
    copied = copy_course_material(course, folder)
    if copied:
        print(f"Copied your own {', '.join(n + '/' for n in copied)} into {folder}.")
    print(f"Starting JupyterLab in {folder}: lessons in lessons/, assignments you fetch in their own folders.")
    return start_lab(course, folder, lab_args)


if __name__ == "__main__":
    sys.exit(main())
