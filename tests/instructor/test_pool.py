"""Grading a class on several workers: the same gradebook as one worker, a killed worker costs one submission,
a stopped run resumes, and a real PostgreSQL gradebook (a server this test starts) takes parallel writers.

Everything goes through `border-bargains autograde` as an instructor runs it.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from sample_course import (
    AUTOGRADED_TOTAL,
    HALF_ANSWERS,
    HALF_SCORE,
    KEY_ANSWERS,
    WRONG,
    cell,
    cli,
    edit_notebook,
    gradebook_dump,
    make_course,
    nbgrader_env,
    scores,
    submit,
    summary_block,
)

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]


def class_of(root: Path, size: int, *, env_extra: dict | None = None) -> tuple[Path, dict[str, float]]:
    """A generated course with ``size`` submissions (key, half, blank, wrong in turn) and the expected scores."""
    course = make_course(root)
    assert cli(course, "generate", "sample", env_extra=env_extra).returncode == 0
    kinds = [(KEY_ANSWERS, AUTOGRADED_TOTAL), (HALF_ANSWERS, HALF_SCORE), (None, 0.0), (WRONG, 0.0)]
    expected = {}
    for n in range(size):
        answers, score = kinds[n % len(kinds)]
        submit(course, f"s{n:03d}", answers=answers)
        expected[f"s{n:03d}"] = score
    return course, expected


def summary(proc, student):
    return next(line for line in proc.stdout.splitlines() if f" {student} " in f" {line} ")


def test_parallel_and_serial_grading_give_the_same_gradebook(tmp_path):
    course, expected = class_of(tmp_path / "one", 10)
    broken = submit(course, "zz-deleted-cell", answers=KEY_ANSWERS)
    edit_notebook(broken, lambda nb: nb.cells.remove(cell(nb, "test-claim-types")))
    expected["zz-deleted-cell"] = AUTOGRADED_TOTAL
    other = tmp_path / "three" / "course"
    shutil.copytree(course, other)
    serial = cli(course, "autograde", "sample", "--workers", "1")
    parallel = cli(other, "autograde", "sample", "--workers", "3")
    assert "1 worker(s)" in serial.stdout and "3 worker(s)" in parallel.stdout
    assert scores(course) == expected == scores(other)
    assert gradebook_dump(course) == gradebook_dump(other)
    assert serial.stdout.split("== sample")[1].splitlines()[1:-1] == \
        parallel.stdout.split("== sample")[1].splitlines()[1:-1], "the same summary lines, in the same order"

    # Manual grades and comments survive a forced regrade, serial or parallel.
    from nbgrader.api import Gradebook

    for folder in (course, other):
        with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gb:
            grade = gb.find_grade("written-memo", "sample", "sample", "s000")
            grade.manual_score = 1.5
            comment = gb.find_comment("written-memo", "sample", "sample", "s000")
            comment.manual_comment = "Good use of ¶16."
            gb.db.commit()
    cli(course, "autograde", "sample", "--workers", "1", "--force")
    cli(other, "autograde", "sample", "--workers", "2", "--force")
    for folder in (course, other):
        with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gb:
            assert gb.find_grade("written-memo", "sample", "sample", "s000").manual_score == 1.5
            assert gb.find_comment("written-memo", "sample", "sample", "s000").manual_comment == "Good use of ¶16."
    assert gradebook_dump(course) == gradebook_dump(other)


def kernel_of(folder: Path) -> int | None:
    """The pid of a process whose working folder is ``folder`` (a grading kernel), via /proc."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "cwd")) == folder:
                    return int(entry.name)
            except OSError:
                continue
    return None


def interruptible() -> None:
    """In the child before it runs: Ctrl-C does what it does at a terminal.

    A suite started in the background (``make test &``, nohup, a CI runner without job control) inherits
    SIGINT ignored, and Python then never turns SIGINT into KeyboardInterrupt: the interrupt would be lost
    and the test would wait on a run that cannot stop (found running the suite ten times from a script).
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def parent_of(pid: int) -> int:
    return int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[1])


def test_a_killed_worker_costs_its_submission_only_and_the_run_resumes(tmp_path):
    course, expected = class_of(tmp_path, 6)
    with (course / "nbgrader_config.py").open("a") as cfg:  # notebooks run, so a worker stays busy on one
        cfg.write("\nc.Execute.enabled = True\nc.SandboxProvisioner.mode = 'guard'\nc.Execute.timeout = 300\n")
    slow = submit(course, "sleeper", answers=KEY_ANSWERS, code="import time\ntime.sleep(120)")
    graded_copy = (course / "autograded" / "sleeper" / "sample").resolve()
    run = subprocess.Popen([str(Path(nbgrader_env(course)["PATH"].split(os.pathsep)[0]) / "border-bargains"),
                            "autograde", "sample", "--workers", "2"], cwd=course, env=nbgrader_env(course),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 600  # six notebooks run first on two workers: generous on a loaded machine
        kernel = None
        while kernel is None:
            assert time.monotonic() < deadline and run.poll() is None, "the sleeper's kernel never started"
            time.sleep(0.3)
            kernel = kernel_of(graded_copy) if graded_copy.exists() else None
        worker = parent_of(kernel)
        assert worker != run.pid, "the kernel belongs to a worker, not to the command itself"
        os.kill(worker, signal.SIGKILL)
        out, err = run.communicate(timeout=300)
    finally:
        if run.poll() is None:
            run.kill()
    line = next(x for x in out.splitlines() if " sleeper " in f" {x} ")
    assert line.startswith("FAILED") and "grading process stopped unexpectedly" in line, out + err
    got = scores(course)
    for student, score in expected.items():
        assert got[student] == score, f"{student} was graded despite the killed worker"
    assert run.returncode == 1

    # The student resubmits without the sleep; a second run grades that one only.
    edit_notebook(slow, lambda nb: setattr(next(c for c in nb.cells if "time.sleep" in c.source), "source", "1"))
    again = cli(course, "autograde", "sample")
    assert "6 submission(s) already graded and unchanged; grading 1." in again.stdout, again.stdout
    assert summary(again, "sleeper").startswith("GRADED")
    assert scores(course)["sleeper"] == AUTOGRADED_TOTAL
    assert "unchanged since it was graded" in "\n".join(summary_block(again.stdout, "s000"))


def test_a_stopped_run_grades_only_the_rest_when_run_again(tmp_path):
    """Ctrl-C while one submission is being graded; the next run grades only the rest.

    Deterministic whatever the machine's load: the fourth submission's notebook sleeps when it is run, so the
    one worker is held on it until the test has seen its kernel start, and only then is the run stopped.
    Exactly three submissions are finished by then, never more (no race against the grading speed).
    """
    course, expected = class_of(tmp_path, 12)
    config = course / "nbgrader_config.py"
    plain = config.read_text(encoding="utf-8")
    config.write_text(plain + "\nc.Execute.enabled = True\nc.SandboxProvisioner.mode = 'guard'\n"
                      "c.Execute.timeout = 600\n", encoding="utf-8")
    shutil.rmtree(course / "submitted" / "s003")
    submit(course, "s003", answers=KEY_ANSWERS, code="import time\ntime.sleep(600)")
    expected["s003"] = AUTOGRADED_TOTAL
    held = (course / "autograded" / "s003" / "sample").resolve()
    run = subprocess.Popen([str(Path(nbgrader_env(course)["PATH"].split(os.pathsep)[0]) / "border-bargains"),
                            "autograde", "sample", "--workers", "1"], cwd=course, env=nbgrader_env(course),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                           preexec_fn=interruptible)
    status = course / "grading-logs" / "sample"
    kernel = None
    try:
        deadline = time.monotonic() + 600  # a generous bound on a loaded machine, not a timing assumption
        while kernel is None:
            assert time.monotonic() < deadline and run.poll() is None, "the held submission's kernel never started"
            time.sleep(0.2)
            kernel = kernel_of(held) if held.exists() else None
        os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C at the terminal does
        out, err = run.communicate(timeout=300)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
        if kernel is not None and Path(f"/proc/{kernel}").exists():
            os.kill(kernel, signal.SIGKILL)
    assert run.returncode == 130, out + err
    assert "Stopped: 3 of 12 submission(s) graded in this run" in err, err
    assert "Run the same command again to grade the rest" in err
    finished = sorted(p.name for p in status.glob("s*.json") if not p.name.endswith(".notes.json"))
    assert finished == ["s000.json", "s001.json", "s002.json"], finished
    # The rest are graded from their saved answers (notebooks not run: the held one no longer sleeps).
    config.write_text(plain, encoding="utf-8")
    again = cli(course, "autograde", "sample", "--workers", "2")
    assert "3 submission(s) already graded and unchanged; grading 9." in again.stdout, again.stdout
    assert again.returncode == 0
    assert scores(course) == expected
    forced = cli(course, "autograde", "sample", "--force")
    assert "already graded" not in forced.stdout and forced.stdout.count("GRADED") == 12


# ---------------------------------------------------------------------------- a real PostgreSQL server
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def postgres(require):
    """A PostgreSQL server of its own: Debian's initdb and pg_ctl in a temporary folder, on a loopback port."""
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    require(bool(binaries), "PostgreSQL (Debian's postgresql package)", "`make test` installs it with apt-get "
            "as root; else sudo apt-get install postgresql")
    bindir = Path(binaries[-1]).parent
    import tempfile

    # Not under pytest's temporary folder: it is private to root, and the server runs as another user.
    data = Path(tempfile.mkdtemp(prefix="border-bargains-postgres-"))
    port = free_port()
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: use the account the package made
        shutil.chown(data, "postgres")
        data.chmod(0o700)
        as_user = ["runuser", "-u", "postgres", "--"]
    socket_dir = data / "sock"

    def run(*args):
        proc = subprocess.run([*as_user, *map(str, args)], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"{args[0]} failed:\n{proc.stdout}{proc.stderr}"

    run(bindir / "initdb", "-D", data / "db", "-A", "trust", "-U", "grader", "--no-sync")
    run("mkdir", socket_dir)
    run(bindir / "pg_ctl", "-D", data / "db", "-l", data / "server.log", "-w", "-o",
        f"-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    try:
        run(bindir / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "grader", "border_bargains")
        print(f"PostgreSQL {bindir.parent.name} started for the test on 127.0.0.1:{port}")
        yield f"postgresql+psycopg://grader@127.0.0.1:{port}/border_bargains"
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data / "db"), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(data, ignore_errors=True)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_several_workers_grade_a_class_into_the_gradebook(tmp_path, request, database):
    env_extra, db_url = {}, None
    if database == "postgresql":
        db_url = request.getfixturevalue("postgres")
        env_extra = {"BORDER_BARGAINS_DB_URL": db_url}
    course, expected = class_of(tmp_path, 16, env_extra=env_extra)
    proc = cli(course, "autograde", "sample", "--workers", "4", env_extra=env_extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 worker(s)" in proc.stdout and proc.stdout.count("GRADED") == 16
    assert scores(course, db_url=db_url) == expected
    dump = gradebook_dump(course, db_url=db_url)
    assert len({key[0] for key in dump}) == 16, "every student's grades are in the gradebook"
    if database == "postgresql":
        assert not (course / "gradebook.db").exists(), "nothing went to SQLite"
        # A second grader (another machine, here another process) reads the same gradebook.
        assert cli(course, "export", "--to", "grades.csv", env_extra=env_extra).returncode == 0
        assert (course / "grades.csv").read_text().count("\n") >= 17
