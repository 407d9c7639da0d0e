"""Benchmarks that print figures (no pass/fail): `make bench` and `make bench-class`.

  python tools/bench.py import      import time of the helper package (median of 7 fresh interpreters)
  python tools/bench.py widgets     time to build each exercise kind (median of 20 builds)
  python tools/bench.py lessons     "Restart & Run All" execution time of every lesson
  python tools/bench.py class [N] [W]   grade N synthetic submissions every way (W workers; default: cores)
  python tools/bench.py setup       first `make install` on a fresh clone, empty caches: pip alone vs uv
  python tools/bench.py             import, widgets and lessons
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))


def bench_import() -> None:
    def run(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start

    bare = statistics.median(run("pass") for _ in range(7))
    lazy = statistics.median(run("import border_bargains") for _ in range(7))
    full = statistics.median(run("import border_bargains as bb; bb.assignment") for _ in range(7))
    print(f"import border_bargains: {1000 * (lazy - bare):.0f} ms beyond interpreter start "
          f"(course facade: {1000 * (full - bare):.0f} ms; pandas, ipywidgets load on first use)")


def bench_widgets() -> None:
    import os

    from sample_course import FIXTURE, KEY_ANSWERS

    import border_bargains as bb

    folder = Path(tempfile.mkdtemp()) / "sample"
    folder.mkdir()
    shutil.copy(FIXTURE / "exercise_items.toml", folder)
    os.chdir(folder)
    course = bb.assignment("sample")
    course.exercise("claim-types")  # first build pays for importing ipywidgets
    for exercise_id in KEY_ANSWERS:
        kind = course.specs[exercise_id].kind
        times = []
        for _ in range(20):
            start = time.perf_counter()
            course.exercise(exercise_id)
            times.append(time.perf_counter() - start)
        n = len(course.specs[exercise_id].items)
        print(f"build {kind:9} ({n} items): {1000 * statistics.median(times):.1f} ms")
    start = time.perf_counter()
    bb.SideBySide("military_action")
    print(f"build side-by-side viewer: {1000 * (time.perf_counter() - start):.1f} ms")


def bench_lessons() -> None:
    import nbformat
    from nbclient import NotebookClient

    for path in sorted((REPO / "lessons").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
        with client.setup_kernel():
            start = time.perf_counter()
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            elapsed = time.perf_counter() - start
        print(f"{path.name}: {elapsed:.1f} s to run all cells (kernel start excluded; budget 15 s)")


# The first build's last commit: it scored inside each student's kernel (course.grade() in hidden tests).
BEFORE_REV = "b614e38"
RUN_NOTEBOOKS = ("c.Execute.enabled = True", "c.SandboxProvisioner.mode = 'guard'")
IN_BUBBLEWRAP = ("c.Execute.enabled = True", "c.SandboxProvisioner.mode = 'bubblewrap'")


def _course_from(base: Path, name: str, config: Path, solutions: Path, assignment: str) -> Path:
    course = base / name
    course.mkdir()
    shutil.copy(config, course / "nbgrader_config.py")
    shutil.copytree(solutions / assignment, course / "solutions" / assignment,
                    ignore=shutil.ignore_patterns("widget_answers*"))
    return course


def _grade(course: Path, assignment: str, answers: dict[str, dict], generate: list[str], autograde: list[str],
           env: dict):
    from sample_course import answers_doc, scores

    def run(command):
        proc = subprocess.run(command, cwd=course, env=env, capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"{' '.join(command)} failed:\n{proc.stdout}{proc.stderr}")
        return proc

    run(generate)
    for student, chosen in answers.items():
        dest = course / "submitted" / student / assignment
        shutil.copytree(course / "exercises" / assignment, dest)
        (dest / "widget_answers.json").write_text(answers_doc(chosen))
    start = time.perf_counter()
    run(autograde)
    elapsed = time.perf_counter() - start
    got = scores(course, assignment)
    return len(got), elapsed, got


def bench_class(students: int = 40, assignment: str = "tariff_bargain", workers: int = 0) -> None:
    """One class graded every way, in one run on one machine: throughput, ratios, and whether scores agree.

    Every student answers the same widget items in every run (a different third left blank each); the data
    tasks are left blank, since the first build took them as Python and this one as typed numbers. So the
    scores must agree exactly.
    """
    import os

    from sample_course import VENV_BIN, nbgrader_env

    from border_bargains.core.specs import TYPED_KINDS, load_exercises
    from border_bargains.nbgrader_steps.sandbox import bubblewrap

    workers = workers or os.cpu_count() or 1
    def class_answers(solutions: Path) -> dict[str, dict]:
        """Each student answers two thirds of the widget items with the key (a different third left blank)."""
        import tomllib

        folder = solutions / assignment
        _name, specs = load_exercises(folder / "exercise_items.toml")
        # Read as plain TOML: the first build's key also holds [values.*] checks, which load_key now refuses.
        key = tomllib.loads((folder / "answer_key.toml").read_text(encoding="utf-8"))["items"]
        return {f"student{n:02d}": {ex: {i: e["answer"] for k, (i, e) in enumerate(key[ex].items()) if (k + n) % 3}
                                    for ex, spec in specs.items() if spec.kind not in TYPED_KINDS}
                for n in range(students)}

    answers = class_answers(REPO / "solutions")
    base = Path(tempfile.mkdtemp())
    env = nbgrader_env(base)
    course_cli = [str(VENV_BIN / "border-bargains")]
    nbgrader = [str(VENV_BIN / "nbgrader")]
    rows = []  # (label, course, generate, autograde, env)

    old = base / "first-build"
    old.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", BEFORE_REV, "nbgrader_config.py", "solutions", "src"],
                             capture_output=True, check=False)
    if archive.returncode == 0:
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
        old_cli = [str(VENV_BIN / "python"), "-m", "border_bargains.instructor.cli"]
        old_env = dict(env, PYTHONPATH=str(old / "src") + os.pathsep + env.get("PYTHONPATH", ""))
        rows.append((f"first build ({BEFORE_REV}): scored in each student's kernel, serial",
                     _course_from(base, "before", old / "nbgrader_config.py", old / "solutions", assignment), (),
                     [*old_cli, "generate", assignment], [*old_cli, "autograde", assignment], old_env,
                     class_answers(old / "solutions")))
    else:
        print(f"(no first-build row: commit {BEFORE_REV} is not in this clone's history)")
    plan = [
        ("plain `nbgrader autograde`, notebooks run (nbgrader's usual way), serial", RUN_NOTEBOOKS,
         [*nbgrader, "autograde", assignment]),
        ("plain `nbgrader autograde`, the course's config (no kernel), serial", (),
         [*nbgrader, "autograde", assignment]),
        ("border-bargains autograde --workers 1", (), [*course_cli, "autograde", assignment, "--workers", "1"]),
        (f"border-bargains autograde --workers {workers}", (),
         [*course_cli, "autograde", assignment, "--workers", str(workers)]),
    ]
    if bubblewrap() is not None:
        plan.append((f"border-bargains autograde --workers {workers}, notebooks also run in bubblewrap",
                     IN_BUBBLEWRAP, [*course_cli, "autograde", assignment, "--workers", str(workers)]))
    else:
        print("(no bubblewrap row: bubblewrap cannot run here)")
    for n, (label, lines, autograde) in enumerate(plan):
        course = _course_from(base, f"run{n}", REPO / "nbgrader_config.py", REPO / "solutions", assignment)
        with (course / "nbgrader_config.py").open("a") as cfg:
            cfg.write("\n" + "\n".join(lines) + "\n")
        rows.append((label, course, lines, [*course_cli, "generate", assignment], autograde, env, answers))

    print(f"{students} submissions of {assignment} on {os.cpu_count()} cores, graded each way:")
    results = {}
    for label, course, _lines, generate, autograde, row_env, row_answers in rows:
        results[label] = _grade(course, assignment, row_answers, generate, autograde, row_env)
    plain = next(label for label in results if label.startswith("plain `nbgrader autograde`, notebooks run"))
    plain_static = next(label for label in results if label.startswith("plain `nbgrader autograde`, the course"))
    rate = {label: 60 * graded / elapsed for label, (graded, elapsed, _got) in results.items()}
    print(f"  {'submissions/min':>15}  {'vs plain':>8}  {'vs plain, no kernel':>19}")
    for label, (graded, elapsed, _got) in results.items():
        print(f"  {rate[label]:15.1f}  {rate[label] / rate[plain]:7.1f}x  {rate[label] / rate[plain_static]:18.1f}x  "
              f"{label} ({graded} graded in {elapsed:.1f} s)")
    # The first build's items have changed since (a content pass), so its scores are not comparable: only its speed.
    current = {label: got for label, (_g, _e, got) in results.items() if not label.startswith("first build")}
    reference_label, reference = next(iter(current.items()))
    agree = all(got == reference for got in current.values())
    print(f"scores of the current assignment agree with '{reference_label}' in every run: {'yes' if agree else 'NO'}"
          + (" (the first build's items differ from today's, so its scores are not compared)"
             if len(current) < len(results) else ""))
    shutil.rmtree(base, ignore_errors=True)


def bench_setup() -> None:
    """The README's first step on a fresh clone with empty download caches: the old pip recipe, then uv."""
    import os

    base = Path(tempfile.mkdtemp(prefix="bench-setup-"))
    env = dict(os.environ, PIP_NO_CACHE_DIR="1", UV_NO_CACHE="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    python = sys.executable if "venv" not in sys.prefix else str(Path(sys.base_prefix) / "bin" / "python3")
    recipes = {
        "pip (the first build's recipe)": [
            [python, "-m", "venv", ".venv"],
            [".venv/bin/python", "-m", "pip", "install", "--quiet", "-r", "requirements.txt"],
            [".venv/bin/python", "-m", "pip", "install", "--quiet", "--no-deps", "-e", "."]],
        "uv (make install now)": [["make", "install", f"PYTHON={python}"]],
    }
    times = {}
    for label, steps in recipes.items():
        clone = base / label.split()[0]
        subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
        start = time.perf_counter()
        for step in steps:
            subprocess.run(step, cwd=clone, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times[label] = time.perf_counter() - start
        print(f"  {times[label]:6.0f} s  {label}", flush=True)
    first = next(iter(times.values()))
    for label, seconds in times.items():
        print(f"  {first / seconds:5.1f}x faster than pip: {label}")
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    if what in ("import", "all"):
        bench_import()
    if what in ("widgets", "all"):
        bench_widgets()
    if what in ("lessons", "all"):
        bench_lessons()
    if what == "setup":
        bench_setup()
    if what == "class":
        bench_class(int(sys.argv[2]) if len(sys.argv) > 2 else 40, workers=int(sys.argv[3]) if len(sys.argv) > 3 else 0)
