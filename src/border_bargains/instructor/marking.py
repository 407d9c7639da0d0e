"""The commands that grade and report: autograde, feedback, export, roster, report.

Each is ``cmd_<name>(api, root, names, args) -> exit status``, called by :mod:`.cli`.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

from border_bargains.instructor import course_root
from border_bargains.instructor.messages import say as _say


def cmd_autograde(api, root, names, args) -> int:
    from nbgrader.api import Gradebook

    from border_bargains.instructor import regrade
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
        marked = regrade.snapshot(api, name, students)
        outcomes = grade_class(api, root, name, students, workers=workers, overrides=args.overrides,
                               force=args.force, submission_timeout=submission_timeout)
        report = regrade.restore(api, name, marked)
        regrade.stale_feedback(api, root, term, name, marked, report,
                               regraded={o.student for o in outcomes if o.graded_now})
        for outcome in outcomes:
            _whole_score_line(api, term, name, outcome)
        counts = Counter(o.status for o in outcomes)
        failed += counts["failed"]
        rejected += counts["rejected"]
        blocks.append((name, outcomes, f"{name}: {counts['graded']} graded, {counts['rejected']} rejected, "
                       f"{counts['failed']} failed in {time.monotonic() - started:.0f} s; "
                       f"logs in grading-logs/{name}/", report))
    # The summary comes last, after anything a library printed while grading.
    for name, outcomes, closing, report in blocks:
        _say(f"-- {name}")
        for outcome in outcomes:
            _say(outcome.line())
        _say(closing)
        for line in report.lines(name):
            _say(line)
    if rejected:
        _say("Rejected submissions are untouched in submitted/; `border-bargains feedback` sends each of those "
             "students a note saying what was wrong and how to resubmit.")
    if failed:
        _say("Grading FAILED for some submissions (reason on their line); fix the cause and run autograde again: "
             "only those are graded again (--force regrades everyone).")
    return 1 if failed else 0


def _whole_score_line(api, term, name, outcome) -> None:
    """A graded line shows the whole score as it stands now (automatic + manual so far, late penalty taken
    off) and lateness in words, not the automatic part alone or the penalty of an earlier run."""
    from border_bargains.instructor import regrade

    if outcome.status != "graded":
        return
    whole = regrade.whole_score(api, term, name, outcome.student)
    if whole is None:
        return
    outcome.score, outcome.max_score, parts = whole
    outcome.detail = "; ".join(filter(None, [outcome.detail, parts]))
    from nbgrader.api import Gradebook

    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        submitted = gb.find_submission(name, outcome.student).timestamp
    gb.engine.dispose()
    after = term.seconds_after_due(outcome.student, name, submitted)
    outcome.warnings = [w for w in outcome.warnings if not w.startswith("late by ")]
    if after > 0:
        outcome.warnings.insert(0, f"{term.lateness(after)} ({term.late.describe()})")


def cmd_feedback(api, root, names, args) -> int:
    from border_bargains.instructor.export import HAS_FEEDBACK, MISSING, WAITING, standings
    from border_bargains.instructor.feedback import generate, send_rejected_note

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
            if cell.status == WAITING and not args.allow_unfinished:
                waiting.append(f"{student} ({cell.note})")
                continue
            if cell.status not in HAS_FEEDBACK:
                if cell.status != MISSING:
                    skipped.append(f"{student} ({cell.status})")
                continue
            failure = generate(api, name, student, cell.hours_late, term)
            if failure:
                skipped.append(f"{student} (feedback failed: {failure})")
                continue
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
    out = course_root.in_course(root, args.to or {"plain": "grades.csv", "canvas": "grades-canvas.csv",
                                                   "moodle": "grades-moodle.csv"}[args.format])
    warnings: list[str] = []
    count, waiting = export(api, root, args.term, names, out, args.format, allow_unfinished=args.allow_unfinished,
                            warnings=warnings)
    for warning in warnings:
        _say(f"warning: {warning}")
    _say(f"{args.format} grades for {', '.join(names)} ({count} students) written to {out}")
    if args.format == "moodle" and len(names) > 1:
        _say(f"   and one file per assignment ({', '.join(f'{out.stem}-{n}{out.suffix}' for n in names)}): the "
             "combined file lists only students with a number for every assignment, so no blank clears a grade "
             "in Moodle.")
    if args.format == "moodle":
        _say("   In Moodle: Grades > Import > CSV file; Map from 'Username' to 'Username', and choose the grade "
             "item for each assignment column (Moodle matches none by its name; a column left at 'Ignore' is "
             "not imported).")
    if waiting:
        _say(f"{len(waiting)} grade(s) are not final and have no number: " + "; ".join(waiting))
    return 0


def cmd_roster(api, root, _names, args) -> int:
    from border_bargains.instructor.roster import ROSTER, import_roster

    report = import_roster(api, root, Path(args.file) if args.file else Path(""), id_column=args.id_column)
    for warning in report.warnings:
        _say(f"warning: {warning}")
    students = report.students
    sections = sorted({s.section for s in students if s.section})
    _say(f"{len(students)} students imported into {ROSTER} and the gradebook"
         + (f" (sections: {', '.join(sections)})" if sections else "") + ".")
    if not report.first:
        _say(f"added: {', '.join(report.added) or 'none'}")
        _say(f"changed: {', '.join(report.changed) or 'none'}")
        _say(f"withdrawn: {', '.join(report.withdrawn) or 'none'}"
             + (" (their grades stay in the gradebook; they leave the exports)" if report.withdrawn else ""))
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
