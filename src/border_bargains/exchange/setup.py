"""Create the course's exchange folders at set-up, with the modes nbgrader expects, owned by the instructor.

nbgrader's release creates ``<exchange>/<course>/`` and its folders the first time it runs, and refuses to run
if they exist and someone else owns them. On a shared exchange (mode 1777) a student who makes
``<exchange>/<course>/`` first would own it: release then fails and only root can clean up. Run this once at
set-up (as root on a server: ``deploy/README.md``; or as the instructor on one laptop)::

    python -m border_bargains.exchange.setup --exchange /srv/nbgrader/exchange --course-id border-bargains \
        --owner instructor --group instructors

(``border-bargains exchange-setup`` does the same from the course folder, with the course's settings.)
It is safe to run again: it only makes the modes right. A course folder someone else made is moved aside
(as root) and named, never deleted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import grp
import os
import pwd
import stat
import sys
from pathlib import Path

ROOT_MODE = 0o1777  # everyone may create their own course folder, nobody may rename or remove another's
# What nbgrader's release (ExchangeReleaseAssignment.init_dest / ExchangeReleaseFeedback) makes, not groupshared:
FOLDERS = {
    "": 0o755,           # <exchange>/<course>
    "outbound": 0o755,   # released assignments, read by everyone
    "inbound": 0o2733,   # submissions: students may write, not list; set-gid gives them the course's group
    "feedback": 0o711,   # feedback pages under secret names: students may read their own, not list
}


class SetupError(RuntimeError):
    """Set-up cannot go on; the message says what to do."""


def _ids(owner: str, group: str | None) -> tuple[int, int]:
    try:
        user = pwd.getpwnam(owner)
    except KeyError:
        raise SetupError(f"there is no account {owner!r} to own the exchange's course folder") from None
    if group is None:
        return user.pw_uid, user.pw_gid
    try:
        return user.pw_uid, grp.getgrnam(group).gr_gid
    except KeyError:
        raise SetupError(f"there is no group {group!r} (create it with `groupadd {group}`)") from None


def setup_exchange(exchange: Path, course_id: str, owner: str, group: str | None = None) -> list[str]:
    """Make the exchange root and the course's folders; returns what was done, one line each."""
    if not course_id or "/" in course_id or course_id.startswith("."):
        raise SetupError(f"the course id {course_id!r} cannot be a folder name")
    uid, gid = _ids(owner, group)
    am_root = os.geteuid() == 0
    if not am_root and os.geteuid() != uid:
        raise SetupError(f"run this as root or as {owner}")
    done = []
    exchange = Path(exchange)
    if not exchange.is_dir():
        try:
            exchange.mkdir(parents=True)
        except PermissionError:
            raise SetupError(f"cannot create {exchange}: run this as root") from None
        exchange.chmod(ROOT_MODE)
        done.append(f"created {exchange} (mode 1777)")
    else:
        st = exchange.stat()
        if stat.S_IMODE(st.st_mode) != ROOT_MODE:
            try:
                exchange.chmod(ROOT_MODE)
            except PermissionError:
                raise SetupError(f"{exchange} has mode {stat.S_IMODE(st.st_mode):o}, not 1777, and is not yours: "
                                 "ask root to run `chmod 1777` on it") from None
            done.append(f"{exchange}: mode {stat.S_IMODE(st.st_mode):o} made 1777 (sticky: no one removes another's "
                        "folder)")
    course = exchange / course_id
    if course.is_symlink() or (course.exists() and course.lstat().st_uid != uid):
        made_by = _login(course.lstat().st_uid)
        if not am_root:
            raise SetupError(f"{course} was made by {made_by}, not {owner}: ask root to run this set-up (it moves "
                             "the folder aside)")
        aside = exchange / f".{course_id}.made-by-{made_by}.{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}"
        course.rename(aside)
        os.chown(aside, 0, 0, follow_symlinks=False)
        if not aside.is_symlink():
            aside.chmod(0o700)
        done.append(f"{course} had been made by {made_by}: moved aside to {aside.name} (root only)")
    for sub, mode in FOLDERS.items():
        path = course / sub if sub else course
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            raise SetupError(f"{path} is not a folder: remove it first")
        if not path.exists():
            path.mkdir()
            done.append(f"created {path}")
        if am_root:
            os.chown(path, uid, gid if sub == "inbound" else uid_gid(uid))
        if stat.S_IMODE(path.stat().st_mode) != mode:
            path.chmod(mode)
            done.append(f"{path}: mode {mode:o}")
    return done


def uid_gid(uid: int) -> int:
    return pwd.getpwuid(uid).pw_gid


def _login(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m border_bargains.exchange.setup", description=__doc__.split("\n\n")[0])
    ap.add_argument("--exchange", required=True, help="the exchange root (nbgrader's Exchange.root)")
    ap.add_argument("--course-id", default="border-bargains", help="nbgrader's course id (default: border-bargains)")
    ap.add_argument("--owner", required=True, help="the instructor's login: owns the course's exchange folders")
    ap.add_argument("--group", help="the instructors' group: submissions in inbound/ get it (default: the owner's)")
    args = ap.parse_args(argv)
    try:
        lines = setup_exchange(Path(args.exchange), args.course_id, args.owner, args.group)
    except (SetupError, OSError) as exc:
        print(f"exchange set-up: {exc}", file=sys.stderr)
        return 2
    for line in lines or [f"{args.exchange}/{args.course_id}: already set up"]:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
