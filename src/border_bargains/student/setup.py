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
"""

from __future__ import annotations

import argparse
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m border_bargains.student.setup", description=__doc__.split("\n\n")[0])
    ap.add_argument("--exchange", required=True, help="the course's exchange folder (your instructor gives it)")
    ap.add_argument("--course", default="border-bargains", help="the course id (default: border-bargains)")
    ap.add_argument("--student-id", help="your student id, if it is not your login name (students who share an "
                                         "OS account: give it, with --folder)")
    ap.add_argument("--folder", help="write the settings into this folder instead of ~/.jupyter")
    args = ap.parse_args(argv)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
