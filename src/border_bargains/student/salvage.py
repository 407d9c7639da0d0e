"""``python -m border_bargains.student.salvage <assignment>``: a student's way back from a notebook that will not open.

A notebook file cut short or edited by hand is not valid JSON: JupyterLab will
not open it, the grader rejects it, and ``nbgrader fetch_assignment`` refuses to
overwrite the folder. This command, run by the student in a terminal:

1. finds the assignment folder (the current folder, or a folder of that name in it);
2. sets every damaged notebook aside under a new name (nothing is deleted);
3. fetches a fresh copy of that notebook from the course's exchange (or, in a
   copy of the course repository, from ``exercises/``);
4. copies into it the written answers it can still read from the damaged file;
5. leaves ``widget_answers.json`` alone: the widget answers come back when the
   notebook runs.

Only the standard library and nbgrader (which students have) are used.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _broken(path: Path) -> str | None:
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return "it is not text"
    except json.JSONDecodeError as exc:
        return f"it is not valid JSON (line {exc.lineno}, column {exc.colno})"
    return None


def find_folder(assignment: str, start: Path) -> Path | None:
    for candidate in (start, start / assignment):
        if candidate.name == assignment and candidate.is_dir() and any(candidate.glob("*.ipynb")):
            return candidate
    return None


def fresh_copy(assignment: str, notebook: str, folder: Path) -> Path | None:
    """The released notebook: fetched again from the exchange, or found in a course repository's exercises/."""
    scratch = Path(tempfile.mkdtemp(prefix="salvage-"))
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "fetch_assignment", assignment,
                           f"--Exchange.assignment_dir={scratch}"], cwd=folder.parent, capture_output=True, text=True)
    fetched = scratch / assignment / f"{notebook}.ipynb"
    if proc.returncode == 0 and fetched.exists():
        return fetched
    for parent in [folder, *folder.parents]:
        released = parent / "exercises" / assignment / f"{notebook}.ipynb"
        if released.exists():
            return released
    return None


def readable_answers(text: str) -> dict[str, str]:
    """Written answers (by grade id) that can still be read from a damaged notebook's text."""
    decoder = json.JSONDecoder()
    found: dict[str, str] = {}
    for match in re.finditer(r'"grade_id"\s*:\s*"([^"]+)"', text):
        source = text.find('"source"', match.end())
        if source < 0:
            break
        start = text.find(":", source) + 1
        while start < len(text) and text[start].isspace():
            start += 1
        try:
            value, _end = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            continue
        found[match.group(1)] = "".join(value) if isinstance(value, list) else str(value)
    return found


def salvage(assignment: str, start: Path) -> int:
    import nbformat

    folder = find_folder(assignment, start)
    if folder is None:
        print(f"No folder named {assignment} with a notebook here ({start}). Run this in your home folder or in "
              "the assignment's folder.")
        return 2
    damaged = [(p, why) for p in sorted(folder.glob("*.ipynb")) if ".broken-" not in p.name and (why := _broken(p))]
    if not damaged:
        print(f"Every notebook in {folder} opens: nothing to salvage.")
        return 0
    for path, why in damaged:
        fresh = fresh_copy(assignment, path.stem, folder)
        if fresh is None:
            print(f"{path.name}: {why}, and no fresh copy could be fetched. Ask your instructor; nothing was changed.")
            return 1
        text = path.read_text(encoding="utf-8", errors="replace")
        kept = path.with_name(f"{path.stem}.broken-{time.strftime('%Y%m%d-%H%M%S')}.ipynb")
        path.rename(kept)
        nb = nbformat.read(fresh, as_version=4)
        answers = readable_answers(text)
        restored = []
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            grade_id = meta.get("grade_id")
            if meta.get("solution") and grade_id in answers and answers[grade_id].strip() != cell.source.strip():
                cell.source = answers[grade_id]
                restored.append(grade_id)
        nbformat.write(nb, path)
        print(f"{path.name}: {why}. It is kept as {kept.name}; a fresh {path.name} is in its place"
              + (f", with your answers to {', '.join(restored)} copied in." if restored else
                 "; no written answer could be read from the damaged file."))
    if (folder / "widget_answers.json").exists():
        print("Your widget answers (widget_answers.json) are untouched: run the notebook to see them.")
    print("Open the notebook, choose Kernel → Restart Kernel and Run All Cells, check your work, and submit again.")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        print("Usage: python -m border_bargains.student.salvage <assignment name>   (for example: tariff_bargain)")
        return 2
    return salvage(args[0], Path.cwd())


if __name__ == "__main__":
    sys.exit(main())
