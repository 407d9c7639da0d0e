"""Benchmarks that print figures (no pass/fail): `make bench` and `make bench-class`.

  python tools/bench.py import      import time of the helper package (median of 7 fresh interpreters)
  python tools/bench.py widgets     time to build each exercise kind (median of 20 builds)
  python tools/bench.py lessons     "Restart & Run All" execution time of every lesson
  python tools/bench.py class [N]   autograde N synthetic submissions of one assignment; submissions/minute
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


def bench_class(students: int = 40, assignment: str = "tariff_bargain") -> None:
    from sample_course import answers_doc, cli

    from border_bargains.specs import load_exercises, load_key

    course = Path(tempfile.mkdtemp()) / "course"
    course.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", course)
    shutil.copytree(REPO / "solutions" / assignment, course / "solutions" / assignment,
                    ignore=shutil.ignore_patterns("widget_answers*"))
    cli(course, "generate", assignment)
    _name, specs = load_exercises(course / "solutions" / assignment / "exercise_items.toml")
    key = load_key(course / "solutions" / assignment / "answer_key.toml", specs)
    for n in range(students):
        dest = course / "submitted" / f"student{n:02d}" / assignment
        shutil.copytree(course / "exercises" / assignment, dest)
        answers = {ex: {i: e.answer for k, (i, e) in enumerate(key.items[ex].items()) if (k + n) % 3}
                   for ex in specs}
        (dest / "widget_answers.json").write_text(answers_doc(answers))
    start = time.perf_counter()
    proc = cli(course, "autograde", assignment)
    elapsed = time.perf_counter() - start
    graded = proc.stdout.count("GRADED")
    print(proc.stdout.splitlines()[-1] if proc.stdout else proc.stderr)
    print(f"autograded {graded} of {students} submissions of {assignment} in {elapsed:.0f} s: "
          f"{60 * graded / elapsed:.1f} submissions per minute")
    shutil.rmtree(course.parent, ignore_errors=True)


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    if what in ("import", "all"):
        bench_import()
    if what in ("widgets", "all"):
        bench_widgets()
    if what in ("lessons", "all"):
        bench_lessons()
    if what == "class":
        bench_class(int(sys.argv[2]) if len(sys.argv) > 2 else 40)
