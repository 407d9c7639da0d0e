"""``border-bargains``: one command per step of the instructor's nbgrader workflow.

Run from the course folder (``make generate`` etc. call these). With no
assignment names, a step applies to every assignment in ``solutions/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from border_bargains.instructor import course_root
from border_bargains.instructor.course_root import CourseError
from border_bargains.instructor.marking import cmd_autograde, cmd_export, cmd_feedback, cmd_report, cmd_roster
from border_bargains.instructor.publishing import cmd_collect, cmd_exchange_setup, cmd_generate, cmd_release

COMMANDS = {
    "roster": (cmd_roster, "import the class list exported from Canvas or Moodle (CSV) into roster.csv and the "
                           "gradebook"),
    "generate": (cmd_generate, "make exercises/<a>/ from solutions/<a>/ (checks keys, refuses leaks)"),
    "release": (cmd_release, "copy exercises into the exchange for students to fetch"),
    "collect": (cmd_collect, "copy submissions from the exchange into submitted/ (sender and time as the server "
                             "records them; anything set aside, refused or flagged gets a line)"),
    "exchange-setup": (cmd_exchange_setup, "create the course's exchange folders with nbgrader's modes, owned by the "
                                           "instructor (once, at set-up; as root on a shared server)"),
    "autograde": (cmd_autograde, "grade every submission; broken ones are reported, never stop the rest"),
    "feedback": (cmd_feedback, "return feedback for finished grading; rejected students get a note on resubmitting"),
    "export": (cmd_export, "write grades with their status: plain CSV, Canvas or Moodle import"),
    "report": (cmd_report, "item analysis: which items the class got wrong, discrimination, score distributions"),
}


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="border-bargains", description=__doc__.split("\n\n")[0],
        epilog="Exit status: 0 when the command did its work (every submission graded or rejected with a reason); "
               "1 when grading failed for a submission; 2 when the command could not run (the message says why); "
               "130 when stopped with Ctrl-C (finished work is kept).")
    sub = ap.add_subparsers(dest="command", required=True)
    for name, (_fn, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == "roster":
            p.add_argument("file", nargs="?", default="",
                           help="the CSV exported from the LMS (Canvas gradebook or Moodle participants)")
            p.add_argument("--id-column", help="the column holding each student's login (default: found by name)")
            continue
        p.add_argument("assignments", nargs="*", help="assignment names (default: all in solutions/; "
                                                      "export: all released)")
        if name == "exchange-setup":
            p.add_argument("--owner", help="the instructor's login (default: the course folder's owner)")
            p.add_argument("--group", help="the instructors' group, given to submissions (default: the owner's)")
            continue
        if name in {"autograde", "feedback"}:
            p.add_argument("--student", action="append", help="only this student (repeatable)")
        if name in {"feedback", "export"}:
            p.add_argument("--allow-unfinished", action="store_true",
                           help="send feedback / write an LMS file although some grading is unfinished")
        if name in {"autograde", "feedback"}:
            p.add_argument("--reveal-keys", action="store_true",
                           help="autograde: add the key to the graded notebooks' reports (the instructor's copy); "
                                "feedback: show the key, its reason and its ¶ now, whatever the due date")
        if name == "autograde":
            p.add_argument("--timeout", type=int, help="seconds a cell may run (default: nbgrader_config.py)")
            p.add_argument("--workers", type=int, default=None,
                           help="submissions graded at once, each in its own process (default: CourseSettings.workers, "
                                "0 meaning the number of cores)")
            p.add_argument("--force", action="store_true",
                           help="grade again submissions already graded and unchanged (default: skip them)")
            p.add_argument("--submission-timeout", type=float, default=None,
                           help="seconds one submission may take before it is stopped and reported "
                                "(default: CourseSettings.submission_timeout, 900)")
        if name == "release":
            p.add_argument("--force", action="store_true",
                           help="release again an assignment already in the exchange (replaces that release)")
        if name == "export":
            p.add_argument("--format", choices=("plain", "canvas", "moodle"), default="plain",
                           help="plain CSV with a status per assignment (default), or an LMS import file")
            p.add_argument("--to", help="output file (default: grades.csv, grades-canvas.csv or grades-moodle.csv)")
    return ap


def _warnings_to_log(root: Path) -> None:
    """Library warnings (SQLAlchemy, nbformat) go to a log file, not between the summary lines."""
    import warnings

    log = root / "grading-logs" / "border-bargains.log"

    def show(message, category, filename, lineno, file=None, line=None):
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as handle:
            handle.write(warnings.formatwarning(message, category, filename, lineno, line))

    warnings.showwarning = show


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        from border_bargains.core.term import TermError, load_term

        root = course_root.find_root()
        _warnings_to_log(root)
        known = course_root.assignments(root)
        names = getattr(args, "assignments", None) or known
        unknown = sorted(set(names) - set(known))
        if unknown:
            raise CourseError(f"unknown assignment(s): {', '.join(unknown)}; known: {', '.join(known)}")
        try:
            args.term = load_term(root)
            args.term_warnings = _check_extensions(root, args.term)
        except TermError as exc:
            raise CourseError(str(exc)) from None
        for warning in args.term_warnings:
            print(f"border-bargains: warning: {warning}", file=sys.stderr)
        overrides = {}
        if getattr(args, "timeout", None):
            overrides["Execute.timeout"] = args.timeout
        if getattr(args, "reveal_keys", False):
            overrides["ScoreAnswers.reveal_keys" if args.command == "autograde" else "TeachingFeedback.reveal_keys"] = (
                True if args.command == "autograde" else "always")
        api = course_root.load_api(root, **overrides)
        args.overrides = overrides
        return COMMANDS[args.command][0](api, root, names, args)
    except CourseError as exc:
        print(f"border-bargains: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130  # what was finished is kept; the message was printed where the run stopped
    except Exception as exc:  # never a traceback for the instructor: one line, the details in the log
        import traceback

        log = _log_path()
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            with log.open("a", encoding="utf-8") as handle:
                handle.write(traceback.format_exc())
            where = f" (details in {log})"
        except OSError:
            where = ""
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        print(f"border-bargains: {args.command} could not finish: {type(exc).__name__}: {first}{where}",
              file=sys.stderr)
        return 2


def _log_path() -> Path:
    try:
        return course_root.find_root() / "grading-logs" / "border-bargains.log"
    except CourseError:
        return Path.cwd() / "border-bargains.log"


def _check_extensions(root: Path, term) -> list[str]:
    """Extensions must name students of the roster (when there is one)."""
    from border_bargains.core.term import check_students
    from border_bargains.instructor.roster import read_roster

    roster = read_roster(root)
    if not roster:
        return []
    return check_students(term, set(roster))  # withdrawn students are real students too


if __name__ == "__main__":
    sys.exit(main())
