"""Grading a class on every core, in a way that survives a crash, a kill or a Ctrl-C.

nbgrader grades one submission at a time. Here a supervisor hands submissions,
one at a time, to N worker processes (``--workers``, default: the number of
cores). Each worker loads nbgrader and the course once, then grades submission
after submission with nbgrader's own API (:func:`grading.autograde_one`):
nbgrader makes a fresh converter, and, when notebooks are run, a fresh kernel,
for every submission, so nothing a student's work leaves behind reaches the
next one. What a worker keeps is only the imported libraries.

* A worker that dies (a crash, a kill, memory) costs the submission it was
  grading, which is reported FAILED with the reason; a new worker takes its
  place and the rest of the class is graded.
* A submission that takes longer than ``--submission-timeout`` seconds is
  stopped the same way.
* Every finished submission gets a status file,
  ``grading-logs/<assignment>/<student>.json``, written atomically by the
  supervisor, with a digest of the submission and of the key. A later run
  skips what is already graded and unchanged, so a run that was stopped
  (Ctrl-C, a crash, a restart) is simply run again; ``--force`` regrades all.
* Progress shows on the terminal (tqdm), or as a line every few seconds when
  the output is a log file; library warnings go to ``workers.log``, not to the
  summary.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import queue
import sys
import time
from dataclasses import asdict
from pathlib import Path

from border_bargains.core.files import atomic_write_text
from border_bargains.instructor.autograde import Outcome
from border_bargains.nbgrader_steps.settings import Layout

STATUS_VERSION = 1
FINISHED = ("graded", "rejected")


# ---------------------------------------------------------------------------- status files (resumability)
def status_path(root: Path, assignment: str, student: str) -> Path:
    return root / "grading-logs" / assignment / f"{student}.json"


def submission_digest(root: Path, assignment: str, student: str) -> str:
    """What the grade depends on: every file of the submission, and the assignment's key and exercises."""
    digest = hashlib.sha256()
    folders = [(root / "submitted" / student / assignment, "submission"), (root / "solutions" / assignment, "source")]
    for folder, tag in folders:
        if not folder.is_dir():
            digest.update(f"{tag}: missing".encode())
            continue
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if tag == "source" and not path.name.endswith((".toml", ".ipynb")):
                continue
            if path.is_symlink():
                digest.update(f"{tag}/{rel} -> {os.readlink(path)}".encode())
            elif path.is_file():
                digest.update(f"{tag}/{rel}:".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def write_status(root: Path, assignment: str, outcome: Outcome, digest: str) -> None:
    path = status_path(root, assignment, outcome.student)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"version": STATUS_VERSION, "digest": digest, "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
           **asdict(outcome)}
    atomic_write_text(path, json.dumps(doc, indent=1))


def finished_before(root: Path, assignment: str, student: str, digest: str, in_gradebook: set[str]) -> Outcome | None:
    """The outcome of an earlier run, if this submission was finished then and has not changed since."""
    try:
        doc = json.loads(status_path(root, assignment, student).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if doc.get("version") != STATUS_VERSION or doc.get("digest") != digest or doc.get("status") not in FINISHED:
        return None
    if doc["status"] == "graded" and student not in in_gradebook:
        return None  # the gradebook was reset since: grade again
    fields = {k: doc[k] for k in ("student", "status", "detail", "score", "max_score", "warnings") if k in doc}
    return Outcome(**fields)


def graded_in_gradebook(api, assignment: str) -> set[str]:
    from nbgrader.api import Gradebook, MissingEntry

    gb = Gradebook(api.coursedir.db_url, api.coursedir.course_id)
    try:
        return {s.student.id for s in gb.assignment_submissions(assignment)}
    except MissingEntry:
        return set()
    finally:
        gb.close()
        gb.engine.dispose()  # no open connection is carried into the forked workers


# ---------------------------------------------------------------------------- the worker process
def _worker(root: str, overrides: dict, tasks, results, log_file: str) -> None:
    """One worker: load nbgrader and the course once, then grade what the supervisor sends."""
    with open(log_file, "a", encoding="utf-8", buffering=1) as log:
        sys.stdout = sys.stderr = log  # nbgrader's and SQLAlchemy's warnings, never the summary
        import warnings

        warnings.simplefilter("default")
        from border_bargains.instructor import course_root
        from border_bargains.instructor.autograde import autograde_one

        os.chdir(root)
        api = course_root.load_api(Path(root), **overrides)
        while True:
            task = tasks.get()
            if task is None:
                return
            assignment, student = task
            results.put(("start", os.getpid(), student))
            try:
                outcome = autograde_one(api, Path(root), assignment, student, Layout(api.config).logs(assignment))
            except Exception as exc:  # nbgrader raised past its own error handling: that student only
                outcome = Outcome(student, "failed", f"grading raised {type(exc).__name__}: {exc}"[:300])
            results.put(("done", os.getpid(), asdict(outcome)))


class _Worker:
    def __init__(self, context, root: Path, overrides: dict, results, log_file: Path):
        self.tasks = context.Queue()
        self.process = context.Process(target=_worker, args=(str(root), overrides, self.tasks, results,
                                                             str(log_file)), daemon=True)
        self.process.start()
        self.student: str | None = None
        self.started = 0.0

    def give(self, assignment: str, student: str) -> None:
        self.student, self.started = student, time.monotonic()
        self.tasks.put((assignment, student))

    def stop(self) -> None:
        self.tasks.put(None)

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)


# ---------------------------------------------------------------------------- progress
class _Progress:
    """tqdm on a terminal; elsewhere (make's output in a log, CI) a plain line every few seconds."""

    def __init__(self, total: int, label: str):
        self.total, self.done, self.start, self.last = total, 0, time.monotonic(), 0.0
        self.bar = None
        if sys.stderr.isatty() and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=label, unit="submission", file=sys.stderr, leave=False)
        self.label = label

    def step(self) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
            return
        now = time.monotonic()
        if now - self.last >= 5 or self.done == self.total:
            self.last = now
            elapsed = now - self.start
            left = elapsed / self.done * (self.total - self.done)
            print(f"  {self.label}: {self.done} of {self.total} done, {elapsed:.0f} s elapsed, "
                  f"about {left:.0f} s left", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# ---------------------------------------------------------------------------- the supervisor
def grade_class(api, root: Path, assignment: str, students: list[str], *, workers: int, overrides: dict,
                force: bool = False, submission_timeout: float) -> list[Outcome]:
    """Grade ``students``' submissions of ``assignment`` on ``workers`` processes; one outcome each, by name."""
    log_dir = root / "grading-logs" / assignment
    log_dir.mkdir(parents=True, exist_ok=True)
    digests = {s: submission_digest(root, assignment, s) for s in students}
    outcomes: dict[str, Outcome] = {}
    if not force:
        in_gradebook = graded_in_gradebook(api, assignment)
        for student in students:
            earlier = finished_before(root, assignment, student, digests[student], in_gradebook)
            if earlier is not None:
                earlier.warnings = [*earlier.warnings, "unchanged since it was graded: not graded again "
                                    "(--force regrades)"]
                earlier.graded_now = False
                outcomes[student] = earlier
    todo = [s for s in students if s not in outcomes]
    if outcomes:
        print(f"{len(outcomes)} submission(s) already graded and unchanged; grading {len(todo)}.", flush=True)
    if todo:
        _run(root, assignment, todo, digests, outcomes, workers=workers, overrides=overrides,
             submission_timeout=submission_timeout)
    return [outcomes[s] for s in students if s in outcomes]


def _run(root, assignment, todo, digests, outcomes, *, workers, overrides, submission_timeout) -> None:
    # fork on Linux: a worker starts at once with nbgrader already imported (the parent holds no open
    # gradebook connection then); spawn elsewhere (macOS), where fork is unsafe.
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    results = context.Queue()
    log_file = root / "grading-logs" / assignment / "workers.log"
    pending = list(todo)
    pool: list[_Worker] = []
    progress = _Progress(len(todo), assignment)

    def finish(outcome: Outcome) -> None:
        outcomes[outcome.student] = outcome
        write_status(root, assignment, outcome, digests[outcome.student])
        progress.step()

    def feed(worker: _Worker) -> None:
        if pending:
            worker.give(assignment, pending.pop(0))
        else:
            worker.student = None
            worker.stop()

    try:
        for _ in range(max(1, min(workers, len(todo)))):
            worker = _Worker(context, root, overrides, results, log_file)
            pool.append(worker)
            feed(worker)
        while any(w.student for w in pool):
            try:
                kind, pid, payload = results.get(timeout=0.5)
            except queue.Empty:
                kind = None
            if kind == "done":
                outcome = Outcome(**payload)
                worker = next((w for w in pool if w.process.pid == pid), None)
                if worker is not None and worker.student == outcome.student:
                    finish(outcome)
                    feed(worker)
            for worker in list(pool):
                if worker.student is None:
                    continue
                dead = not worker.process.is_alive()
                late = time.monotonic() - worker.started > submission_timeout
                if not (dead or late):
                    continue
                if late:
                    worker.kill()
                    reason = (f"grading took longer than {submission_timeout:g} s and was stopped "
                              "(--submission-timeout); the other submissions were not affected")
                else:
                    reason = (f"the grading process stopped unexpectedly (exit code {worker.process.exitcode}); "
                              "the other submissions were not affected; run autograde again to retry")
                finish(Outcome(worker.student, "failed", reason))
                pool.remove(worker)
                if pending:
                    replacement = _Worker(context, root, overrides, results, log_file)
                    pool.append(replacement)
                    feed(replacement)
    except KeyboardInterrupt:
        for worker in pool:
            worker.kill()
        progress.close()
        done = len([s for s in todo if s in outcomes])
        print(f"\nStopped: {done} of {len(todo)} submission(s) graded in this run. Run the same command again "
              "to grade the rest (finished ones are kept).", file=sys.stderr, flush=True)
        raise
    progress.close()
    for worker in pool:
        worker.process.join(10)
        if worker.process.is_alive():
            worker.kill()
