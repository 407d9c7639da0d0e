"""``border-bargains``: one command per step of the instructor's nbgrader workflow.

Run from the course folder (``make generate`` etc. call these). With no
assignment names, a step applies to every assignment in ``solutions/``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

from border_bargains.instructor import course_root
from border_bargains.instructor.course_root import CourseError

FORBIDDEN_IN_RELEASE = ("answer_key.toml", "widget_answers.json")


def _say(text: str = "") -> None:
    print(text, flush=True)


def require_success(result: dict, step: str, name: str) -> None:
    """nbgrader's API reports failure in its result; turn that into one clear error."""
    if not result.get("success"):
        raise CourseError(f"{step} failed for {name}:\n{result.get('log', '')}{result.get('error', '')}")


def check_assignment_source(root: Path, name: str) -> None:
    """The key must match the items before anything is released."""
    from border_bargains.core.specs import KEY_FILENAME, SPEC_FILENAME, load_exercises, load_key

    folder = root / "solutions" / name
    if (folder / SPEC_FILENAME).exists():
        _assignment, specs = load_exercises(folder / SPEC_FILENAME)
        if not (folder / KEY_FILENAME).exists():
            raise CourseError(f"solutions/{name}/{KEY_FILENAME} is missing: widget exercises cannot be graded")
        load_key(folder / KEY_FILENAME, specs)
        check_cells_match(folder, name, specs)
    stray = [p.name for p in folder.iterdir() if p.name.startswith("widget_answers")]
    if stray:
        raise CourseError(f"solutions/{name}/ holds {', '.join(stray)}: delete it; an answers file there "
                          "would be released to every student")


def check_cells_match(folder: Path, name: str, specs: dict) -> None:
    """Every exercise is scored by exactly one check cell with its points, and every check cell names one."""
    import nbformat

    from border_bargains.nbgrader_steps.score import exercise_of

    checked: dict[str, str] = {}
    for path in sorted(folder.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if not (meta.get("grade") and cell.cell_type == "code"):
                continue
            ex_id = exercise_of(cell.source)
            where = f"solutions/{name}/{path.name} cell {meta.get('grade_id')!r}"
            if ex_id is None:
                raise CourseError(f"{where} is a test cell with no course.check(\"exercise-id\") call")
            if ex_id not in specs:
                raise CourseError(f"{where} checks {ex_id!r}, which exercise_items.toml does not define")
            if ex_id in checked:
                raise CourseError(f"{where} checks {ex_id!r} a second time (also {checked[ex_id]})")
            if specs[ex_id].points is not None and float(meta.get("points", 0)) != float(specs[ex_id].points):
                raise CourseError(f"{where} gives {meta.get('points')} points; exercise_items.toml gives "
                                  f"{specs[ex_id].points:g}")
            checked[ex_id] = where
    missing = sorted(set(specs) - set(checked))
    if missing:
        raise CourseError(f"solutions/{name}/: no check cell scores {', '.join(missing)}")


def cmd_generate(api, root, names, _args) -> int:
    for name in names:
        check_assignment_source(root, name)
        require_success(api.generate_assignment(name, force=True, create=True), "generate", name)
        released = root / "exercises" / name
        leaked = [p.name for p in released.iterdir() if p.name in FORBIDDEN_IN_RELEASE]
        if leaked:
            raise CourseError(f"exercises/{name}/ contains {', '.join(leaked)}; check CourseDirectory.ignore")
        _say(f"generated exercises/{name}/ ({', '.join(sorted(p.name for p in released.iterdir()))})")
    return 0


def cmd_release(api, root, names, _args) -> int:
    exchange = Path(api.config.Exchange.root) if "root" in api.config.Exchange else root / "exchange"
    exchange.mkdir(parents=True, exist_ok=True)
    os.chmod(exchange, 0o777)
    for name in names:
        require_success(api.release_assignment(name), "release", name)
        _say(f"released {name} to {exchange}")
    return 0


def cmd_collect(api, root, names, _args) -> int:
    from border_bargains.instructor.autograde import submitted_students

    for name in names:
        require_success(api.collect(name), "collect", name)
        _say(f"collected {name}: {len(submitted_students(root, name))} submission(s) in submitted/")
    return 0


def cmd_autograde(api, root, names, args) -> int:
    from nbgrader.api import Gradebook

    from border_bargains.instructor.autograde import submitted_students
    from border_bargains.instructor.pool import grade_class
    from border_bargains.nbgrader_steps.settings import CourseSettings
    from border_bargains.nbgrader_steps.term_sync import sync_due_dates

    if api.config.Execute.get("enabled", True):
        from border_bargains.nbgrader_steps.sandbox import SandboxProvisioner, sandbox_mode

        requested = SandboxProvisioner.configured_mode(api.config)
        mode = sandbox_mode(requested)
        why = "SandboxProvisioner.mode is 'guard'" if requested == "guard" else "bubblewrap cannot run here"
        _say("Notebooks are run while grading, each kernel " + (
            "in a bubblewrap sandbox." if mode == "bubblewrap" else
            f"under the audit-hook guard only ({why}), which is not an OS sandbox; scores never depend on "
            "the kernel."))
    else:
        _say("Scoring from the saved answers; students' notebooks are not run (c.Execute.enabled = False).")
    term = args.term
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        sync_due_dates(gb, term, names)
        gb.engine.dispose()
    settings = CourseSettings(config=api.config)
    workers = args.workers or settings.workers or os.cpu_count() or 1
    submission_timeout = args.submission_timeout or settings.submission_timeout
    failed = rejected = 0
    blocks = []
    for name in names:
        students = args.student or submitted_students(root, name)
        _say(f"== {name}: {len(students)} submission(s), {min(workers, max(1, len(students)))} worker(s) "
             f"({term.late.describe()})")
        started = time.monotonic()
        outcomes = grade_class(api, root, name, students, workers=workers, overrides=args.overrides,
                               force=args.force, submission_timeout=submission_timeout)
        counts = Counter(o.status for o in outcomes)
        failed += counts["failed"]
        rejected += counts["rejected"]
        blocks.append((name, outcomes, f"{name}: {counts['graded']} graded, {counts['rejected']} rejected, "
                       f"{counts['failed']} failed in {time.monotonic() - started:.0f} s; "
                       f"logs in grading-logs/{name}/"))
    # The summary comes last, after anything a library printed while grading.
    for name, outcomes, closing in blocks:
        _say(f"-- {name}")
        for outcome in outcomes:
            _say(outcome.line())
        _say(closing)
    if rejected:
        _say("Rejected submissions are untouched in submitted/; `border-bargains feedback` sends each of those "
             "students a note saying what was wrong and how to resubmit.")
    if failed:
        _say("Grading FAILED for some submissions (reason on their line); fix the cause and run autograde again: "
             "only those are graded again (--force regrades everyone).")
    return 1 if failed else 0


def cmd_feedback(api, root, names, args) -> int:
    from border_bargains.instructor.export import standings
    from border_bargains.instructor.feedback import mark_lateness, send_rejected_note

    term = args.term
    for name in names:
        students, table = standings(api, root, term, [name])
        wanted = set(args.student) if args.student else None
        sent, notes, waiting, skipped = [], [], [], []
        for student in sorted(students):
            if wanted is not None and student not in wanted:
                continue
            cell = table[(student, name)]
            if cell.status == "rejected":
                released = send_rejected_note(api, root, name, student, cell.note, term)
                notes.append(student if released else f"{student} (note in feedback/{student}/{name}/ only: "
                             "not collected through the exchange)")
                continue
            if cell.status == "awaiting manual grading" and not args.allow_unfinished:
                waiting.append(f"{student} ({cell.note})")
                continue
            if cell.status not in ("graded", "awaiting manual grading"):
                if cell.status != "missing":
                    skipped.append(f"{student} ({cell.status})")
                continue
            result = api.generate_feedback(name, student)
            if not result.get("success"):
                lines = (result.get("error") or result.get("log") or "").strip().splitlines()
                skipped.append(f"{student} (feedback failed: {lines[-1] if lines else 'see nbgrader log'})")
                continue
            if cell.hours_late:
                for page in (root / "feedback" / student / name).glob("*.html"):
                    mark_lateness(page, cell.hours_late, term)
            api.release_feedback(name, student)
            sent.append(student)
        _say(f"-- {name}: feedback returned to {len(sent)} student(s) (feedback/<student>/{name}/)")
        if notes:
            _say(f"   resubmission notes sent to: {', '.join(notes)}")
        if waiting:
            _say(f"   held back, written answers not marked yet: {', '.join(waiting)}. Mark them in Formgrader, "
                 "or add --allow-unfinished to send the feedback now.")
        if skipped:
            _say(f"   not sent: {', '.join(skipped)}")
    return 0


def cmd_export(api, root, names, args) -> int:
    from border_bargains.instructor.export import export, released_assignments

    if not args.assignments:
        exchange = Path(api.config.Exchange.root) if "root" in api.config.Exchange else root / "exchange"
        names = released_assignments(root, api.coursedir.course_id, exchange, names)
    out = Path(args.to or {"plain": "grades.csv", "canvas": "grades-canvas.csv",
                           "moodle": "grades-moodle.csv"}[args.format]).resolve()
    count, waiting = export(api, root, args.term, names, out, args.format, allow_unfinished=args.allow_unfinished)
    _say(f"{args.format} grades for {', '.join(names)} ({count} students) written to {out}")
    if waiting:
        _say(f"{len(waiting)} grade(s) are not final and have no number: " + "; ".join(waiting))
    return 0


def cmd_roster(api, root, _names, args) -> int:
    from border_bargains.instructor.roster import ROSTER, import_roster

    students = import_roster(api, root, Path(args.file), id_column=args.id_column)
    sections = sorted({s.section for s in students if s.section})
    _say(f"{len(students)} students imported into {ROSTER} and the gradebook"
         + (f" (sections: {', '.join(sections)})" if sections else "") + ".")
    return 0


def cmd_report(api, root, names, args) -> int:
    from border_bargains.instructor.autograde import submitted_students
    from border_bargains.instructor.item_analysis import write_report
    from border_bargains.nbgrader_steps.settings import Layout

    for name in names:
        students = [s for s in submitted_students(root, name) if (root / "autograded" / s / name).is_dir()]
        if not students:
            _say(f"{name}: nothing autograded yet, no report")
            continue
        out, lines = write_report(Layout(api.config), name, students, api.coursedir.db_url, api.coursedir.course_id,
                                  f"Item analysis: {args.term.assignment(name).title}")
        _say(f"-- {name}: report written to {out.relative_to(root)}")
        for line in lines:
            _say("   " + line)
    return 0


COMMANDS = {
    "roster": (cmd_roster, "import the class list exported from Canvas or Moodle (CSV) into roster.csv and the "
                           "gradebook"),
    "generate": (cmd_generate, "make exercises/<a>/ from solutions/<a>/ (checks keys, refuses leaks)"),
    "release": (cmd_release, "copy exercises into the exchange for students to fetch"),
    "collect": (cmd_collect, "copy submissions from the exchange into submitted/"),
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
            p.add_argument("file", help="the CSV exported from the LMS (Canvas gradebook or Moodle participants)")
            p.add_argument("--id-column", help="the column holding each student's login (default: found by name)")
            continue
        p.add_argument("assignments", nargs="*", help="assignment names (default: all in solutions/; "
                                                      "export: all released)")
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
        except TermError as exc:
            raise CourseError(str(exc)) from None
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


if __name__ == "__main__":
    sys.exit(main())
