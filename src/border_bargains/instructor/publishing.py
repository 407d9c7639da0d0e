"""The commands that make and hand out an assignment: generate, release, collect, exchange-setup.

Each is ``cmd_<name>(api, root, names, args) -> exit status``, called by :mod:`.cli`.
"""

from __future__ import annotations

from pathlib import Path

from border_bargains.instructor.course_root import CourseError
from border_bargains.instructor.messages import require_success
from border_bargains.instructor.messages import say as _say

FORBIDDEN_IN_RELEASE = ("answer_key.toml", "widget_answers.json")


def check_assignment_source(root: Path, name: str) -> None:
    """The key must match the items before anything is released."""
    from border_bargains.core.specs import KEY_FILENAME, SPEC_FILENAME, SpecError, load_exercises, load_key

    folder = root / "solutions" / name
    if (folder / SPEC_FILENAME).exists():
        try:
            _assignment, specs = load_exercises(folder / SPEC_FILENAME)
            if not (folder / KEY_FILENAME).exists():
                raise CourseError(f"solutions/{name}/{KEY_FILENAME} is missing: widget exercises cannot be graded")
            load_key(folder / KEY_FILENAME, specs)
        except SpecError as exc:  # a bad key or item file: one line naming it, exit status 2
            first = " ".join(str(exc).split())
            raise CourseError(f"solutions/{name}: {first}") from None
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


def _sync_due_dates(api, term, names) -> None:
    """Formgrader shows the due dates of course.toml from the start (not "None" until the first autograde)."""
    from nbgrader.api import Gradebook

    from border_bargains.nbgrader_steps.term_sync import sync_due_dates

    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        sync_due_dates(gb, term, names)
    gb.engine.dispose()


def cmd_generate(api, root, names, args) -> int:
    for name in names:
        check_assignment_source(root, name)
        require_success(api.generate_assignment(name, force=True, create=True), "generate", name)
        released = root / "exercises" / name
        leaked = [p.name for p in released.iterdir() if p.name in FORBIDDEN_IN_RELEASE]
        if leaked:
            raise CourseError(f"exercises/{name}/ contains {', '.join(leaked)}; check CourseDirectory.ignore")
        _say(f"generated exercises/{name}/ ({', '.join(sorted(p.name for p in released.iterdir()))})")
    _sync_due_dates(api, args.term, names)
    return 0


def cmd_release(api, root, names, args) -> int:
    """Release the named assignments; with none named, those with a due date in course.toml."""
    from nbgrader.utils import capture_log, temp_attrs

    if not args.assignments:
        dated = [n for n in names if args.term.assignment(n).due is not None]
        if not dated:
            raise CourseError("no assignment has a due date in course.toml, so none is released by default; name "
                              f"the ones to release, e.g. make release A=\"{names[0] if names else 'name'}\" "
                              f"(assignments: {', '.join(names)})")
        left = [n for n in names if n not in dated]
        if left:
            _say(f"releasing the assignments with a due date in course.toml; not released: {', '.join(left)} "
                 "(name them to release them)")
        names = dated
    exchange = Path(api.config.Exchange.root) if "root" in api.config.Exchange else root / "exchange"
    if not exchange.is_dir():  # one laptop: make it as nbgrader expects; never change the modes of one that exists
        from border_bargains.exchange.setup import ROOT_MODE

        exchange.mkdir(parents=True)
        exchange.chmod(ROOT_MODE)
    for name in names:
        with temp_attrs(api.coursedir, assignment_id=name):
            app = api.exchange.ReleaseAssignment(coursedir=api.coursedir, authenticator=api.authenticator,
                                                 parent=api, force=args.force)
            require_success(capture_log(app), "release", name)
        _say(f"released {name} to {exchange}" + (" (again, replacing the earlier release)" if args.force else ""))
    _sync_due_dates(api, args.term, names)
    return 0


def cmd_collect(api, root, names, _args) -> int:
    from border_bargains.exchange import REPORT_MARK
    from border_bargains.instructor.autograde import submitted_students

    for name in names:
        result = api.collect(name)
        require_success(result, "collect", name)
        # What the course's collect set aside, refused, skipped or flagged (nbgrader's log is not printed).
        notes = [line.split(REPORT_MARK, 1)[1].strip() for line in (result.get("log") or "").splitlines()
                 if REPORT_MARK in line]
        _say(f"collected {name}: {len(submitted_students(root, name))} submission(s) in submitted/")
        for note in notes:
            _say(f"   {note}")
    return 0


def cmd_exchange_setup(api, root, _names, args) -> int:
    from border_bargains.exchange.setup import SetupError, setup_exchange

    exchange = Path(api.config.Exchange.root) if "root" in api.config.Exchange else root / "exchange"
    owner = args.owner or _owner_of(root)
    try:
        lines = setup_exchange(exchange, api.coursedir.course_id, owner, args.group)
    except SetupError as exc:
        raise CourseError(f"exchange set-up: {exc}") from None
    for line in lines or [f"{exchange}/{api.coursedir.course_id}: already set up, owned by {owner}"]:
        _say(line)
    return 0


def _owner_of(path: Path) -> str:
    import pwd

    return pwd.getpwuid(path.stat().st_uid).pw_name
