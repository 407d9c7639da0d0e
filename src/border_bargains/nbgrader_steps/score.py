"""Scoring: every check cell's score and report, from the collected answers file and the instructor's key.

Scoring happens here, in the instructor's process, never in a student's kernel. :class:`ScoreAnswers` reads
the answers file *as collected* (in ``submitted/``, which no grading kernel can reach) and the key from the
instructor's ``solutions/``, and writes each check cell's score and per-item report into the autograded
notebook, where nbgrader's ``SaveAutoGrades`` stores the score in the gradebook. A check cell is found by its
grade id in the gradebook's copy of the released notebook, so a student who edits or deletes one cannot
change what is scored.
"""

from __future__ import annotations

import re
from pathlib import Path

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool

from border_bargains.core.answers import DEFAULT_FILENAME as ANSWERS_FILENAME
from border_bargains.core.answers import Submitted
from border_bargains.core.scoring import points_for, report, score_items
from border_bargains.core.specs import KEY_FILENAME, SPEC_FILENAME, SpecError, load_exercises, load_key
from border_bargains.nbgrader_steps.notes import fail, record
from border_bargains.nbgrader_steps.settings import Layout

# The call a check cell makes; its argument names the exercise the cell scores.
CHECK_CALL = re.compile(r"""\.check\(\s*["']([^"']+)["']\s*\)""")
# What a submission may carry that Python could import.
CODE_PATTERNS = ("*.py", "*.pth", "*.so", "*.pyc", "*.pyd")


def exercise_of(source: str) -> str | None:
    """The exercise a check cell's source scores, or None for any other cell."""
    found = CHECK_CALL.findall(source)
    return found[0] if len(found) == 1 else None


def text_output(text: str) -> NotebookNode:
    """A cell output that prints ``text``."""
    return from_dict({"output_type": "stream", "name": "stdout", "text": text.rstrip("\n") + "\n"})


def code_files(folder: Path) -> list[str]:
    """Files in a submission that Python could import (never imported while grading; flagged for a look)."""
    found: set[str] = set()
    for pattern in CODE_PATTERNS:
        for path in folder.rglob(pattern):
            if ".ipynb_checkpoints" not in path.parts:
                found.add(str(path.relative_to(folder)))
    return sorted(found)


class ScoreAnswers(NbGraderPreprocessor):
    """Score every check cell from the collected answers file and the instructor's key."""

    reveal_keys = Bool(
        False, help="Show the key, its explanation and its ¶ reference for wrong items in the autograded "
                    "notebook's report, the instructor's copy. What students see is TeachingFeedback.reveal_keys.",
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        assignment, student, notebook = info["assignment"], info["student"], info["notebook"]
        layout = Layout(self.config)
        executing = self.config.Execute.get("enabled", True)

        with Gradebook(info["db_url"]) as gb:
            targets = {}
            for cell in nb.cells:
                if not (utils.is_grade(cell) and cell.cell_type == "code"):
                    continue
                grade_id = cell.metadata.nbgrader["grade_id"]
                try:
                    original = gb.find_source_cell(grade_id, notebook, assignment).source
                except MissingEntry:
                    continue  # nbgrader's own steps already reported it
                exercise_id = exercise_of(original)
                if exercise_id is None and not executing:
                    raise fail(self, resources,
                               f"cell {grade_id!r} of {notebook}.ipynb is a test cell with no exercise to score, "
                               "and notebooks are not run while grading (c.Execute.enabled = False in "
                               "nbgrader_config.py): make it an exercise check, or turn execution on")
                if exercise_id is not None:
                    targets[grade_id] = (cell, exercise_id)
        if not targets:
            return nb, resources

        source = layout.source(assignment)
        try:
            _name, specs = load_exercises(source / SPEC_FILENAME)
            key = load_key(source / KEY_FILENAME, specs)
        except FileNotFoundError as exc:
            raise fail(self, resources, f"the key or the exercise file of {assignment} is missing "
                                        f"({exc.filename}); nothing was scored") from None
        except SpecError as exc:
            raise fail(self, resources, f"the key of {assignment} cannot be used: {exc}") from None

        submitted = layout.submitted(student, assignment)
        answers = Submitted(submitted / ANSWERS_FILENAME, max_bytes=layout.settings.max_answers_file_bytes)
        store = answers.store
        file_problem = None
        if answers.problem:
            file_problem = (f"Your answers file {ANSWERS_FILENAME} could not be read: {answers.problem}. "
                            "It is kept exactly as you submitted it; the exercises below score 0. "
                            "Ask your instructor, who can see what it holds.")
            record(self, resources, "flag",
                   f"flagged: {ANSWERS_FILENAME} could not be read ({answers.problem}); exercises score 0")
        elif answers.missing:
            file_problem = ("You answered none of the exercise items: your submission has no answers file "
                            f"({ANSWERS_FILENAME} is made at your first choice), so the exercises below "
                            "score 0. If you did choose answers, tell your instructor.")
            record(self, resources, "flag", f"flagged: no {ANSWERS_FILENAME} was submitted: exercises score 0")

        for grade_id, (cell, exercise_id) in targets.items():
            if exercise_id not in specs:
                raise fail(self, resources, f"cell {grade_id!r} checks exercise {exercise_id!r}, which "
                                            f"{SPEC_FILENAME} of {assignment} does not define")
            spec = specs[exercise_id]
            if spec.points is None:
                raise fail(self, resources, f"exercise {exercise_id!r} of {assignment} has no points in "
                                            f"{SPEC_FILENAME}")
            store.notices.clear()
            given = store.valid_answers(exercise_id, spec.allowed)
            results = score_items(spec, key.items[exercise_id], given)
            score = points_for(results, float(cell.metadata.nbgrader["points"]))
            lines = [report(spec, results, score, reveal=self.reveal_keys)]
            lines += [f"  note: {n}" for n in store.notices]
            if store.notices:
                record(self, resources, "flag",
                       f"flagged: {len(store.notices)} saved answer(s) of {exercise_id} are not among its items "
                       "or choices (a hand edit?); they were not counted")
            if file_problem:
                lines.append(f"  note: {file_problem}")
            cell.outputs = [text_output("\n".join(lines)),
                            from_dict({"output_type": "execute_result", "execution_count": None, "metadata": {},
                                       "data": {"text/plain": repr(float(score))}})]
        unknown = store.unknown_exercises(set(specs))
        if unknown:
            record(self, resources, "flag", f"the answers file also holds {', '.join(unknown)}, not exercises of "
                                            f"{assignment} (kept, not scored)")
        carried = code_files(submitted)
        if carried:
            record(self, resources, "flag",
                   "flagged: the submission carries Python code ("
                   + ", ".join(carried[:5]) + (" …" if len(carried) > 5 else "") + "); grading never imports it")
        return nb, resources
