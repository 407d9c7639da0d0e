"""The course's exchange steps on one machine: the real nbgrader collect/release/feedback with the course's classes
(border_bargains/exchange/), the course CLI, and submissions placed as a classmate would place them.

A submission "from another account" is a folder chowned (as root) to a uid no one on this machine has, which is
what collect sees when a classmate's account made it. The whole class on a JupyterHub, with real accounts, is
tests/course/test_hub_security.py.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sample_course import KEY_ANSWERS, answers_doc, cli, make_course, nbgrader_env, scores

pytestmark = [pytest.mark.nbgrader]

STRANGER = 424242  # a uid no account has


def released_course(tmp_path: Path) -> Path:
    course = make_course(tmp_path)
    assert cli(course, "generate").returncode == 0
    assert cli(course, "release", "sample").returncode == 0
    return course


def nbgrader_submit(course: Path, home: Path, student: str) -> Path:
    """`nbgrader submit` of a fetched copy with every answer right, as `student`; returns the inbound folder."""
    home.mkdir(exist_ok=True)
    env = dict(nbgrader_env(course), HOME=str(home))
    common = ["--course=border-bargains", f"--Exchange.root={course / 'exchange'}",
              f"--CourseDirectory.student_id={student}"]
    nbgrader = str(Path(sys.executable).parent / "nbgrader")
    inbound = course / "exchange" / "border-bargains" / "inbound"
    before = set(os.listdir(inbound)) if inbound.exists() else set()
    for step in ("fetch_assignment", "submit"):
        if step == "submit":
            (home / "sample" / "widget_answers.json").write_text(answers_doc(KEY_ANSWERS), encoding="utf-8")
        proc = subprocess.run([nbgrader, step, "sample", *common], cwd=home, env=env, capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    (new,) = set(os.listdir(inbound)) - before
    return inbound / new


def planted(course: Path, name: str, template: Path, uid: int | None = None) -> Path:
    """A folder put into inbound/ by hand (a copy of a real submission), owned by `uid` if given."""
    dest = course / "exchange" / "border-bargains" / "inbound" / name
    shutil.copytree(template, dest)
    if uid is not None:
        for path in [dest, *dest.rglob("*")]:
            os.lchown(path, uid, uid)
    return dest


def stamp(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def test_honest_cycle_on_one_laptop_keeps_the_claimed_time(tmp_path):
    course = released_course(tmp_path)
    folder = nbgrader_submit(course, tmp_path / "alice", "alice")
    claimed = (folder / "timestamp.txt").read_text()
    proc = cli(course, "collect", "sample")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "collected sample: 1 submission(s) in submitted/", proc.stdout
    collected = course / "submitted" / "alice" / "sample"
    assert (collected / "timestamp.txt").read_text() == claimed
    assert not (collected / "claimed_timestamp.txt").exists()
    assert cli(course, "autograde", "sample").returncode == 0
    assert scores(course)["alice"] == 18


def test_collect_sets_aside_forgeries_skips_bad_entries_refuses_big_ones_and_flags_backdating(tmp_path, require):
    require(os.geteuid() == 0, "root (to place folders owned by another account)", "run the tests as root, as CI does")
    course = released_course(tmp_path)
    honest = nbgrader_submit(course, tmp_path / "alice", "alice")
    template = tmp_path / "template"
    shutil.copytree(honest, template)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    # A classmate's account puts a later, blank submission under alice's name.
    forged = planted(course, f"alice+sample+{stamp(now + dt.timedelta(hours=1))}+Zm9yZ2Vk", template, STRANGER)
    (forged / "widget_answers.json").unlink()
    # Entries collect cannot read, which used to stop it for everyone.
    planted(course, "bob+sample+not-a-time+x", template)
    (course / "exchange" / "border-bargains" / "inbound" / "carol+sample+garbage").write_text("x")
    # Too large (the limit is lowered for the test), and backdated by two days.
    big = planted(course, f"dave+sample+{stamp(now)}+YmlnYmln", template)
    with (big / "filler.bin").open("wb") as handle:
        handle.truncate(3 * 1024 * 1024)
    planted(course, f"erin+sample+{stamp(now - dt.timedelta(days=2))}+YmFja2Rh", template)
    (course / "nbgrader_config.py").write_text((course / "nbgrader_config.py").read_text()
                                               + "\nc.CheckedCollect.max_submission_mib = 2\n")

    proc = cli(course, "collect", "sample")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "collected sample: 2 submission(s) in submitted/", proc.stdout
    said = "\n".join(lines[1:])
    assert f"SET ASIDE, not collected: it claims to be from alice but was sent by uid {STRANGER}" in said
    assert "inbound/bob+sample+not-a-time+x: skipped, the name is not" in said
    assert "inbound/carol+sample+garbage: skipped, not a folder" in said
    assert "inbound/dave+sample+" in said and "REFUSED, 3.0 MiB is over the course's limit of 2 MiB" in said
    assert "erin: FLAGGED, the submission claims" in said and "the server's time is used for lateness" in said
    assert len(lines) == 6, proc.stdout  # one line each, nothing else
    assert sorted(p.name for p in (course / "submitted").iterdir()) == ["alice", "erin"]
    assert (course / "submitted" / "alice" / "sample" / "widget_answers.json").exists(), "alice's own work"
    erin = course / "submitted" / "erin" / "sample"
    server_time = dt.datetime.strptime((erin / "timestamp.txt").read_text(), "%Y-%m-%d %H:%M:%S.%f UTC")
    assert abs(server_time - now) < dt.timedelta(minutes=5), "lateness is counted from when the server got it"
    assert (erin / "claimed_timestamp.txt").read_text().startswith(stamp(now - dt.timedelta(days=2))[:16])
    assert "SET ASIDE" in (course / "grading-logs" / "sample" / "collect.log").read_text()
    assert forged.exists(), "set aside, not deleted: the instructor can look at it"
    assert cli(course, "autograde", "sample").returncode == 0
    assert scores(course)["alice"] == 18, "the forgery did not replace alice's work"


def test_a_symbolic_link_in_a_submission_is_not_collected(tmp_path):
    course = released_course(tmp_path)
    folder = nbgrader_submit(course, tmp_path / "mallory", "mallory")
    secret = tmp_path / "someone-elses-answers.json"
    secret.write_text(answers_doc(KEY_ANSWERS))
    (folder / "widget_answers.json").unlink()
    (folder / "widget_answers.json").symlink_to(secret)
    proc = cli(course, "collect", "sample")
    assert "mallory: symbolic link(s) in the submission not collected: widget_answers.json" in proc.stdout
    assert not (course / "submitted" / "mallory" / "sample" / "widget_answers.json").exists()


def test_release_keeps_the_exchange_modes_and_setup_moves_a_squatter_aside(tmp_path, require):
    course = make_course(tmp_path)
    exchange = course / "exchange"
    exchange.mkdir()
    exchange.chmod(0o1777)
    assert cli(course, "generate").returncode == 0
    setup = cli(course, "exchange-setup")
    assert setup.returncode == 0, setup.stdout + setup.stderr
    folder = exchange / "border-bargains"
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.iterdir()]}
    assert modes == {"border-bargains": 0o755, "outbound": 0o755, "inbound": 0o2733, "feedback": 0o711}, modes
    assert cli(course, "release", "sample").returncode == 0
    assert stat.S_IMODE(exchange.stat().st_mode) == 0o1777, "release never loosens the exchange"
    exchange.chmod(0o755)  # whatever mode the administrator chose, release leaves it
    shutil.rmtree(folder / "outbound" / "sample")
    assert cli(course, "release", "sample").returncode == 0
    assert stat.S_IMODE(exchange.stat().st_mode) == 0o755, "nbgrader's own release would make it 0777"
    exchange.chmod(0o1777)
    again = cli(course, "exchange-setup")
    assert again.stdout.strip().endswith("already set up, owned by " + again.stdout.split()[-1]), again.stdout
    require(os.geteuid() == 0, "root (to make a folder as another account)", "run the tests as root, as CI does")
    shutil.rmtree(folder)
    folder.mkdir()
    os.chown(folder, STRANGER, STRANGER)
    proc = cli(course, "exchange-setup")
    assert proc.returncode == 0, proc.stderr
    assert f"had been made by uid {STRANGER}: moved aside" in proc.stdout
    assert folder.stat().st_uid == os.getuid() and stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert cli(course, "release", "sample").returncode == 0


def test_submitted_markup_is_sanitised_in_feedback(tmp_path):
    import nbformat

    course = released_course(tmp_path)
    folder = nbgrader_submit(course, tmp_path / "mallory", "mallory")
    nb_path = folder / "sample.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    written = next(c for c in nb.cells if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution"))
    written.source = 'My answer <img src=x onerror="document.title=\'pwned\'"> <script>alert(1)</script> **bold**'
    nbformat.write(nb, nb_path)
    assert cli(course, "collect", "sample").returncode == 0
    assert cli(course, "autograde", "sample").returncode == 0
    assert cli(course, "feedback", "sample", "--allow-unfinished").returncode == 0
    page = (course / "feedback" / "mallory" / "sample" / "sample.html").read_text()
    assert "My answer" in page and "<strong>bold</strong>" in page
    assert "onerror=" not in page.replace("&lt;img src=x onerror=", ""), "no live event handler"
    assert "<img src=\"x\"" not in page and "<script>alert(1)" not in page
