"""``border-bargains``: one command per step of the instructor's nbgrader workflow.

Run from the course folder (``make generate`` etc. call these). With no
assignment names, a step applies to every assignment in ``solutions/``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from . import course_root
from .course_root import CourseError

FORBIDDEN_IN_RELEASE = ("answer_key.toml", "widget_answers.json")


def _say(text: str = "") -> None:
    print(text, flush=True)


def require_success(result: dict, step: str, name: str) -> None:
    """nbgrader's API reports failure in its result; turn that into one clear error."""
    if not result.get("success"):
        raise CourseError(f"{step} failed for {name}:\n{result.get('log', '')}{result.get('error', '')}")


def check_assignment_source(root: Path, name: str) -> None:
    """The key must match the items before anything is released."""
    from ..specs import KEY_FILENAME, SPEC_FILENAME, load_exercises, load_key

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

    from ..nbgrader_plugins import exercise_of

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
    from .grading import submitted_students

    for name in names:
        require_success(api.collect(name), "collect", name)
        _say(f"collected {name}: {len(submitted_students(root, name))} submission(s) in submitted/")
    return 0


def cmd_autograde(api, root, names, args) -> int:
    from .grading import submitted_students
    from .grading_pool import grade_class

    failures = 0
    if api.config.Execute.get("enabled", True):
        from ..sandbox import SandboxedKernelManager, sandbox_mode

        requested = SandboxedKernelManager(config=api.config).mode
        mode = sandbox_mode(requested)
        why = "SandboxedKernelManager.mode is 'guard'" if requested == "guard" else "bubblewrap cannot run here"
        _say("Notebooks are run while grading, each kernel " + (
            "in a bubblewrap sandbox." if mode == "bubblewrap" else
            f"under the audit-hook guard only ({why}), which is not an OS sandbox; scores never depend on "
            "the kernel."))
    else:
        _say("Scoring from the saved answers; students' notebooks are not run (c.Execute.enabled = False).")
    workers = args.workers or os.cpu_count() or 1
    for name in names:
        students = args.student or submitted_students(root, name)
        _say(f"== {name}: {len(students)} submission(s), {min(workers, max(1, len(students)))} worker(s)")
        started = time.monotonic()
        outcomes = grade_class(api, root, name, students, workers=workers, overrides=args.overrides,
                               force=args.force, submission_timeout=args.submission_timeout)
        for outcome in outcomes:
            _say(outcome.line())
        bad = [o for o in outcomes if o.status != "graded"]
        failures += len(bad)
        _say(f"{len(outcomes) - len(bad)} graded, {len(bad)} not graded in {time.monotonic() - started:.0f} s; "
             f"logs in grading-logs/{name}/")
    if failures:
        _say("Submissions that were not graded are untouched in submitted/; fix or re-collect them and run "
             "autograde again: only those are graded again (--force regrades everyone).")
    return 1 if failures else 0


def cmd_feedback(api, root, names, args) -> int:
    from .grading import submitted_students

    for name in names:
        made = 0
        for student in args.student or submitted_students(root, name):
            if not (root / "autograded" / student / name).exists():
                _say(f"skip {student}: not autograded yet")
                continue
            result = api.generate_feedback(name, student)
            if not result.get("success"):
                _say(f"feedback failed for {student}: {(result.get('error') or '').strip().splitlines()[-1:]}")
                continue
            api.release_feedback(name, student)
            made += 1
        _say(f"{name}: feedback made and returned for {made} student(s) (feedback/<student>/{name}/)")
    return 0


def cmd_export(api, root, _names, args) -> int:
    out = Path(args.to).resolve()
    proc = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "export", "--to", str(out)], cwd=root,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise CourseError(f"export failed:\n{proc.stdout}{proc.stderr}")
    _say(f"grades written to {out}")
    return 0


COMMANDS = {
    "generate": (cmd_generate, "make exercises/<a>/ from solutions/<a>/ (checks keys, refuses leaks)"),
    "release": (cmd_release, "copy exercises into the exchange for students to fetch"),
    "collect": (cmd_collect, "copy submissions from the exchange into submitted/"),
    "autograde": (cmd_autograde, "grade every submission; broken ones are reported, never stop the rest"),
    "feedback": (cmd_feedback, "make feedback HTML and return it through the exchange"),
    "export": (cmd_export, "write every grade to a CSV file"),
}


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="border-bargains", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    for name, (_fn, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("assignments", nargs="*", help="assignment names (default: all in solutions/)")
        if name in {"autograde", "feedback"}:
            p.add_argument("--student", action="append", help="only this student (repeatable)")
        if name == "autograde":
            p.add_argument("--timeout", type=int, help="seconds a cell may run (default: nbgrader_config.py)")
            p.add_argument("--reveal-keys", action="store_true",
                           help="print the key and its explanation for wrong items (shows up in feedback)")
            p.add_argument("--workers", type=int, default=0,
                           help="submissions graded at once, each in its own process (default: the number of cores)")
            p.add_argument("--force", action="store_true",
                           help="grade again submissions already graded and unchanged (default: skip them)")
            p.add_argument("--submission-timeout", type=float, default=900,
                           help="seconds one submission may take before it is stopped and reported (default: 900)")
        if name == "export":
            p.add_argument("--to", default="grades.csv", help="output file (default: grades.csv)")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        root = course_root.find_root()
        known = course_root.assignments(root)
        names = args.assignments or known
        unknown = sorted(set(names) - set(known))
        if unknown:
            raise CourseError(f"unknown assignment(s): {', '.join(unknown)}; known: {', '.join(known)}")
        overrides = {}
        if getattr(args, "timeout", None):
            overrides["Execute.timeout"] = args.timeout
        if getattr(args, "reveal_keys", False):
            overrides["ScoreAnswers.reveal_keys"] = True
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
