"""nbgrader's collect, trusting only what a student cannot write.

nbgrader's file-system exchange takes a submission's student id and time from its folder name
(``<student>+<assignment>+<timestamp>+<random>``) and ``timestamp.txt``, both written by the student. On a shared
server that lets one student submit under another's name, backdate a late submission, or stop collect for the
whole class with one badly named folder. :class:`CheckedCollect` (``c.ExchangeFactory.collect`` in
``nbgrader_config.py``) keeps nbgrader's protocol and its collect, and decides from what the server records:

* **Who sent it**: the Unix account that owns the submission folder (``lstat``: a symbolic link is never
  followed). On a JupyterHub the login is the student id. A folder whose name claims another student is set
  aside (left in ``inbound/``, not collected) and the instructor gets one line naming the real sender. A
  folder owned by the collecting account itself is taken by its name (``trust_own_account``): on one laptop,
  or where students share the instructor's account, every submission is the instructor's own.
* **When**: the newest change time (``st_ctime``) of the folder and everything in it. No user can set a
  change time back, and editing an on-time submission after the deadline moves it forward. A claimed time more
  than ``clock_tolerance`` seconds before that is not believed: the collected copy's ``timestamp.txt`` gets the
  server's time (nbgrader's lateness then uses it) and the instructor gets a line flagging it.
* **What**: entries that are not folders, or whose names cannot be read, are skipped with a line; a folder over
  ``max_submission_mib`` is refused with a line; symbolic links inside a submission are not copied (one could
  point at another student's collected work). Nothing here stops the rest of the class being collected.

Every report line also goes to ``grading-logs/<assignment>/collect.log`` in the course folder.
"""

from __future__ import annotations

import datetime as dt
import os
import pwd
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect, groupby
from nbgrader.utils import ignore_patterns, parse_utc
from traitlets import Bool, Float

from border_bargains.exchange import REPORT_MARK

MIB = 1024 * 1024


@dataclass
class Evidence:
    """What the server knows about one folder in inbound/."""

    size: int = 0
    newest_ctime: float = 0.0
    links: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


def inspect(folder: str) -> Evidence:
    """Size, newest change time and symbolic links of a folder, never following a link."""
    ev = Evidence(newest_ctime=os.lstat(folder).st_ctime)
    for dirpath, dirnames, filenames in os.walk(folder):  # os.walk does not descend into linked folders
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            ev.newest_ctime = max(ev.newest_ctime, st.st_ctime)
            if stat.S_ISLNK(st.st_mode):
                ev.links.append(os.path.relpath(path, folder))
                continue
            if stat.S_ISREG(st.st_mode):
                ev.size += st.st_size
            if not os.access(path, os.R_OK | (os.X_OK if stat.S_ISDIR(st.st_mode) else 0)):
                ev.unreadable.append(os.path.relpath(path, folder))
    return ev


def login_of(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid} (no such account)"


def sent_by(path: str, student: str, *, trust_own_account: bool = True) -> bool:
    """Whether the inbound folder ``path`` may be ``student``'s: a real folder owned by that student's account
    (or by the collecting account itself, when that is trusted). The one rule collect and the statuses share."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode):
        return False
    own = st.st_uid == os.getuid() and trust_own_account
    return own or login_of(st.st_uid) == student


def would_collect(path: str, student: str, *, max_mib: float, trust_own_account: bool = True) -> bool:
    """Whether collect would take ``path`` as ``student``'s submission: sent by them, within the size limit,
    all of it readable. What the export's "submitted, not collected" status counts."""
    if not sent_by(path, student, trust_own_account=trust_own_account):
        return False
    try:
        ev = inspect(path)
    except OSError:
        return False
    return ev.size <= max_mib * MIB and not ev.unreadable


def utc_text(when: dt.datetime) -> str:
    """A naive UTC datetime as nbgrader writes timestamps ("%Y-%m-%d %H:%M:%S.%f UTC")."""
    return when.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


class CheckedCollect(ExchangeCollect):
    """nbgrader's collect, with the sender and time taken from the server (see the module's docstring)."""

    max_submission_mib = Float(
        50.0, help="Largest submission collected, in MiB (files in the folder added up); larger ones are refused "
                   "with a line naming the student.").tag(config=True)
    clock_tolerance = Float(
        300.0, help="Seconds a submission's claimed time may precede the server's evidence (copying takes time) "
                    "before the claim is disbelieved and the server's time used.").tag(config=True)
    trust_own_account = Bool(
        True, help="Take a folder owned by the collecting account by its name (one laptop, or students sharing "
                   "the instructor's account). Folders owned by any other account are always checked.").tag(config=True)

    def report(self, text: str) -> None:
        """One line for the instructor: into nbgrader's log (printed by `border-bargains collect`) and collect.log."""
        self.log.warning("%s %s", REPORT_MARK, text)
        try:
            log = Path(self.coursedir.root) / "grading-logs" / self.coursedir.assignment_id / "collect.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            with log.open("a", encoding="utf-8") as handle:
                handle.write(f"{dt.datetime.now(dt.UTC).isoformat(timespec='seconds')} {text}\n")
        except OSError:
            pass  # the line is in nbgrader's log all the same

    def _path_to_record(self, path):
        """nbgrader's record of one inbound folder, or None (reported) when the server cannot vouch for it."""
        name = os.path.basename(path)
        where = f"inbound/{name}"
        try:
            st = os.lstat(path)
        except OSError as exc:
            self.report(f"{where}: skipped, cannot be read ({exc.strerror})")
            return None
        sender = login_of(st.st_uid)
        if not stat.S_ISDIR(st.st_mode):
            kind = "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a folder"
            self.report(f"{where}: skipped, {kind} (placed by {sender})")
            return None
        parts = name.rsplit("+", 3)
        try:
            if len(parts) < 3:
                raise ValueError("no timestamp")
            claimed = parse_utc(parts[2])
        except (ValueError, OverflowError, TypeError) as exc:
            self.report(f"{where}: skipped, the name is not <student>+<assignment>+<time>+<code> ({exc}; "
                        f"placed by {sender})")
            return None
        student = parts[0]
        if not sent_by(path, student, trust_own_account=self.trust_own_account):
            self.report(f"{where}: SET ASIDE, not collected: it claims to be from {student} but was sent by "
                        f"{sender}")
            return None
        try:
            ev = inspect(path)
        except OSError as exc:
            self.report(f"{where}: skipped, cannot be read ({exc.strerror}; sent by {sender})")
            return None
        if ev.size > self.max_submission_mib * MIB:
            self.report(f"{where}: REFUSED, {ev.size / MIB:.1f} MiB is over the course's limit of "
                        f"{self.max_submission_mib:g} MiB (CheckedCollect.max_submission_mib; sent by {sender})")
            return None
        if ev.unreadable:
            shown = ", ".join(sorted(ev.unreadable)[:3]) + (" …" if len(ev.unreadable) > 3 else "")
            self.report(f"{where}: skipped, the collecting account cannot read {shown} (made private by {sender}; "
                        "a submission made with the Assignments tab or `nbgrader submit` is readable)")
            return None
        received = parse_utc(dt.datetime.fromtimestamp(ev.newest_ctime, dt.UTC))
        record = {"username": student, "filename": name, "timestamp": claimed, "links": ev.links,
                  "server_time": None}
        if claimed < received - dt.timedelta(seconds=self.clock_tolerance):
            record["timestamp"] = record["server_time"] = received
            self.report(f"{student}: FLAGGED, the submission claims {utc_text(claimed)} but the server received "
                        f"it at {utc_text(received)}; the server's time is used for lateness ({where})")
        return record

    def init_src(self):
        # nbgrader's own init_src, except that a folder it cannot vouch for is skipped instead of failing for all.
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail(f"Course not found: {self.inbound_path}")
        if not os.access(self.inbound_path, os.R_OK | os.X_OK):
            self.fail(f"You don't have read permissions for the directory: {self.inbound_path}")
        wanted = self.coursedir.student_id or "*"
        assignment = self.coursedir.assignment_id
        records = []
        for name in sorted(os.listdir(self.inbound_path)):
            parts = name.rsplit("+", 3)
            if len(parts) >= 3 and (parts[1] != assignment or wanted not in ("*", parts[0])):
                continue  # another assignment's or another student's: not this run's business
            record = self._path_to_record(os.path.join(self.inbound_path, name))  # reports what it skips
            if record is not None:
                records.append(record)
        self._records = {r["filename"]: r for r in records}
        usergroups = groupby(records, lambda item: item["username"])

        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                self.duedate = gb.find_assignment(assignment).duedate
            except MissingEntry:
                self.duedate = None
        self.src_records = []
        for group in usergroups.values():
            ordered = self._sort_by_timestamp(group)
            if self.duedate is not None and self.before_duedate:
                on_time = [r for r in ordered if r["timestamp"] <= self.duedate]
                ordered = on_time or ordered
            self.src_records.append(ordered[0])

    def do_copy(self, src, dest, log=None):
        """Copy one vouched-for submission (size checked in init_src); links are left out, the time is the server's."""
        record = self._records.get(os.path.basename(src), {})
        nbgrader_ignore = ignore_patterns(exclude=self.coursedir.ignore, include=self.coursedir.include,
                                          max_file_size=self.coursedir.max_file_size, log=self.log)

        def ignore(directory, names):
            links = [n for n in names if os.path.islink(os.path.join(directory, n))]
            return set(nbgrader_ignore(directory, [n for n in names if n not in links])) | set(links)

        try:
            shutil.copytree(src, dest, symlinks=True, ignore=ignore)
        except (OSError, shutil.Error) as exc:  # changed since it was checked: this one is not collected, the rest are
            shutil.rmtree(dest, ignore_errors=True)
            self.report(f"{record.get('username', os.path.basename(src))}: not collected, copying failed "
                        f"({str(exc)[:200]})")
            return
        if record.get("links"):
            self.report(f"{record['username']}: symbolic link(s) in the submission not collected: "
                        f"{', '.join(sorted(record['links']))}")
        if record.get("server_time") is not None:
            (Path(dest) / "timestamp.txt").write_text(utc_text(record["server_time"]), encoding="utf-8")
            (Path(dest) / "claimed_timestamp.txt").write_text(
                utc_text(parse_utc(record["filename"].rsplit("+", 3)[2])), encoding="utf-8")
