"""What a notebook calls: ``assignment(...)`` in graded work, ``practice(...)`` in lessons.

Where the key comes from is the security boundary of the course:

* Grading reads the key only from ``$BORDER_BARGAINS_KEYS/<assignment>/answer_key.toml``.
  ``nbgrader_config.py`` sets that variable to the course's ``solutions/``
  folder, so it is set whenever nbgrader runs from the course root. The
  student's own folder is never searched, so a key file a student brings is
  ignored.
* A folder that holds ``answer_key.toml`` is the instructor's source folder:
  there the widgets show the key and nothing is saved, so no answers file can
  be released with the assignment. nbgrader never copies ``answer_key.toml``
  (``CourseDirectory.ignore``), so a student's folder cannot become one at
  grading time.
"""

from __future__ import annotations

import os
from pathlib import Path

from .answers import DEFAULT_FILENAME, AnswerStore
from .specs import KEY_FILENAME, SPEC_FILENAME, AnswerKey, ExerciseSpec, load_exercises, load_key, load_practice

KEYS_ENV = "BORDER_BARGAINS_KEYS"


class NotGradable(RuntimeError):
    """Raised in a test cell when grading cannot happen; the message says why."""


class NotYet(AssertionError):
    """A check a student has not passed yet.

    It is still an error to nbgrader (the cell scores zero), but IPython shows only the plain
    message, not a traceback into the course's code, via ``_render_traceback_``.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"Not yet: {self}"]


def _banner(text: str) -> None:
    print(text)


class Assignment:
    """The exercises of one graded notebook, bound to its answers file."""

    def __init__(self, name: str, folder: str | Path | None = None):
        self.folder = Path(folder) if folder is not None else Path.cwd()
        spec_path = self.folder / SPEC_FILENAME
        if not spec_path.exists():
            raise FileNotFoundError(
                f"{SPEC_FILENAME} is missing from {self.folder}. It comes with the assignment: "
                "fetch the assignment again, or ask your instructor for a fresh copy."
            )
        spec_name, self.specs = load_exercises(spec_path)
        if spec_name != name:
            raise ValueError(f"{spec_path} describes assignment {spec_name!r}, not {name!r}")
        self.name = name
        local_key = self.folder / KEY_FILENAME
        self.instructor_copy = local_key.exists()
        self.shown_key = load_key(local_key, self.specs) if self.instructor_copy else None
        self.store = AnswerStore(self.folder / DEFAULT_FILENAME, persist=not self.instructor_copy,
                                 announce=_banner)
        self.store.report_unknown_exercises(set(self.specs))
        self._widgets: dict = {}
        self._grading_key: AnswerKey | None = None

    # ---------------------------------------------------------------- student side
    def exercise(self, exercise_id: str):
        """Build (or rebuild, after a re-run) the widget of one exercise."""
        from .widgets import ExerciseWidget

        spec = self._spec(exercise_id)
        widget = ExerciseWidget(spec, self.store, shown_key=self.shown_key)
        self._widgets[exercise_id] = widget
        return widget

    def answers(self, exercise_id: str) -> dict:
        """The usable saved answers of one exercise (what grading will see)."""
        spec = self._spec(exercise_id)
        if self.instructor_copy:
            return {i: e.answer for i, e in self.shown_key.items[exercise_id].items()}
        return self.store.valid_answers(exercise_id, spec.allowed)

    def check_started(self, exercise_id: str) -> None:
        """Visible test: fails on a blank exercise, says how far the student got."""
        spec = self._spec(exercise_id)
        done = len(self.answers(exercise_id))
        if done == 0:
            raise NotYet(
                f"'{spec.title}' has no answers yet: choose your answers with the widget above, "
                "then run this cell again."
            )
        print(f"'{spec.title}': {done} of {len(spec.items)} items answered and saved. "
              "Hidden tests will check the answers after you submit.")

    def check_filled(self, check_id: str, value) -> None:
        """Visible test of a data task: the blank was filled with a number or text."""
        if value is None or value is Ellipsis:
            raise NotYet(f"{check_id}: the answer is still blank. Replace None with your answer.")
        if not isinstance(value, int | float | str) or isinstance(value, bool):
            raise NotYet(f"{check_id}: expected a number or text, got {type(value).__name__}.")
        print(f"{check_id}: answer recorded ({value!r}). Hidden tests will check it after you submit.")

    # ---------------------------------------------------------------- grading side
    def _key(self) -> AnswerKey:
        if self._grading_key is None:
            root = os.environ.get(KEYS_ENV)
            if not root and self.instructor_copy:  # the source folder grades against its own key
                self._grading_key = self.shown_key
                return self._grading_key
            if not root:
                raise NotGradable(
                    f"No answer key is available: {KEYS_ENV} is not set. Run grading from the course root "
                    "(e.g. `make autograde`), where nbgrader_config.py sets it."
                )
            path = Path(root) / self.name / KEY_FILENAME
            if not path.exists():
                raise NotGradable(f"No answer key at {path}. Check {KEYS_ENV} (now {root!r}).")
            self._grading_key = load_key(path, self.specs)
        return self._grading_key

    def grade(self, exercise_id: str) -> float:
        """Hidden test: per-item partial credit; the returned number is the score."""
        from .grading import points_for, report, reveal_keys, score_items

        spec = self._spec(exercise_id)
        if spec.points is None:
            raise NotGradable(f"Exercise {exercise_id!r} has no points in {SPEC_FILENAME}.")
        results = score_items(spec, self._key().items[exercise_id], self.answers(exercise_id))
        score = points_for(results, spec.points)
        print(report(spec, results, score, reveal=reveal_keys()))
        return score

    def check_value(self, check_id: str, value) -> None:
        """Hidden test of a data task: right within the key's tolerance, or AssertionError."""
        from .grading import reveal_keys, value_matches

        entries = self._key().values
        if check_id not in entries:
            raise NotGradable(f"The answer key has no value check {check_id!r}.")
        entry = entries[check_id]
        if not value_matches(entry, value):
            hint = f" Key: {entry.answer!r}. {entry.why} [{entry.ref}]" if reveal_keys() else ""
            raise NotYet(f"{check_id}: {value!r} is not right yet.{hint}")
        print(f"{check_id}: ✓ right.")

    def _spec(self, exercise_id: str) -> ExerciseSpec:
        try:
            return self.specs[exercise_id]
        except KeyError:
            raise KeyError(f"No exercise {exercise_id!r} in {SPEC_FILENAME}; known: "
                           f"{', '.join(self.specs)}") from None


class Practice:
    """Ungraded practice items of a lesson, with a Check button and explanations."""

    def __init__(self, lesson: str, folder: str | Path | None = None, *, save: bool = True):
        from importlib.resources import files

        self.lesson = lesson
        source = files("border_bargains") / "practice" / f"{lesson}.toml"
        self.specs, self.key = load_practice(Path(str(source)))
        folder = Path(folder) if folder is not None else Path.cwd()
        self.store = AnswerStore(folder / ".widget_answers" / f"{lesson}.json", persist=save, announce=_banner)

    def exercise(self, exercise_id: str):
        from .widgets import ExerciseWidget

        return ExerciseWidget(self.specs[exercise_id], self.store, practice_key=self.key)


def assignment(name: str) -> Assignment:
    """Open the graded exercises of assignment ``name`` in the current folder."""
    return Assignment(name)


def practice(lesson: str, *, save: bool = True) -> Practice:
    """Open the practice items of a lesson (answers kept in ``.widget_answers/``)."""
    return Practice(lesson, save=save)
