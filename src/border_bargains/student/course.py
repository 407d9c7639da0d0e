"""What a notebook calls: ``assignment(...)`` in graded work, ``practice(...)`` in lessons.

Nothing here grades. A student's kernel only shows the exercises, saves each
answer to ``widget_answers.json`` and says how many are saved; scoring happens
after submission, in the instructor's process, from the answers file as
collected (:mod:`border_bargains.nbgrader_steps`). So no code a student runs,
or replaces, can change a score, and no key is ever loaded in a student's
kernel: the grading kernel does not even know where the keys are.

A folder that holds ``answer_key.toml`` is the instructor's source folder:
there the widgets show the key and nothing is saved, so no answers file can be
released with the assignment. nbgrader never copies ``answer_key.toml``
(``CourseDirectory.ignore``).
"""

from __future__ import annotations

from pathlib import Path

from border_bargains.core.answers import DEFAULT_FILENAME, AnswerStore
from border_bargains.core.specs import (
    KEY_FILENAME,
    SPEC_FILENAME,
    TYPED_KINDS,
    ExerciseSpec,
    load_exercises,
    load_key,
    load_practice,
)


class NotYet(AssertionError):
    """A check a student has not passed yet.

    It is still an error to nbgrader (the cell scores zero), but IPython shows only the plain
    message, not a traceback into the course's code, via ``_render_traceback_``.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"Not yet: {self}"]


# A blank check cell still raises NotYet (nbgrader's Validate must not call a blank notebook finished), but
# what the student sees first is a neutral status. In JupyterLab the error box under it is hidden (:has), so
# the cell reads "0 of 6 answered", not a pink error; nbgrader, nbconvert and the feedback still see the error.
_NEUTRAL_STYLE = ("<style>.jp-OutputArea:has(.bb-check-status) "
                  ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']{display:none}</style>")


def _show_status(text: str, how: str) -> None:
    import html

    from IPython.display import display
    body = (f"<div class='bb-check-status' role='status' style='border-left:4px solid #6b6b6b;padding:0.3em 0.7em;"
            f"margin:0.2em 0'><strong>{html.escape(text)}</strong> {html.escape(how)}</div>")
    display({"text/html": _NEUTRAL_STYLE + body, "text/plain": f"{text} {how}"}, raw=True)


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
        # The instructor's source copy (solutions/<a>/ of a course): the key is shown and nothing is saved. A key
        # file anywhere else (one a student put beside the notebook) is ignored, and answers are saved as usual.
        self.instructor_copy = (local_key.exists() and self.folder.parent.name == "solutions"
                                and (self.folder.parent.parent / "nbgrader_config.py").exists())
        self.shown_key = load_key(local_key, self.specs) if self.instructor_copy else None
        self.store = AnswerStore(self.folder / DEFAULT_FILENAME, persist=not self.instructor_copy,
                                 announce=_banner)
        self.store.report_unknown_exercises(set(self.specs))
        self._widgets: dict = {}

    # ---------------------------------------------------------------- student side
    def exercise(self, exercise_id: str):
        """Build (or rebuild, after a re-run) the widget of one exercise."""
        from border_bargains.student.widgets import ExerciseWidget

        spec = self._spec(exercise_id)
        if not self.instructor_copy:
            self.store.reload()  # a rebuilt widget shows what is on disk, not an older copy in memory
        # The released copy of the guides beside the notebook (ReleaseGuides), or the course's from solutions/.
        guides = next((g for g in ("source_texts", "../../source_texts") if (self.folder / g).is_dir()), None)
        widget = ExerciseWidget(spec, self.store, shown_key=self.shown_key, guides=guides)
        self._widgets[exercise_id] = widget
        return widget

    def answers(self, exercise_id: str) -> dict:
        """The usable saved answers of one exercise (what grading will see)."""
        spec = self._spec(exercise_id)
        if self.instructor_copy:
            return {i: e.answer for i, e in self.shown_key.items[exercise_id].items()}
        return self.store.valid_answers(exercise_id, spec.allowed)

    def check(self, exercise_id: str) -> None:
        """The check cell under an exercise: how many answers are saved on disk (what will be graded).

        It reads the file again, so it reports what another tab or an older widget saved too. A blank
        exercise raises :class:`NotYet` (one plain line, no traceback), so that nbgrader's Validate
        button does not call a blank notebook finished.
        """
        spec = self._spec(exercise_id)
        if not self.instructor_copy:
            self.store.reload()
        done = len(self.answers(exercise_id))
        if done == 0:
            how = "type your answer in the box above and press Enter" if spec.kind in TYPED_KINDS else \
                "choose your answers with the widget above"
            _show_status(f"'{spec.title}': 0 of {len(spec.items)} answered.", f"To answer, {how}, then run this "
                         "cell again.")
            raise NotYet(f"'{spec.title}' has no answers yet: {how}, then run this cell again.")
        print(f"'{spec.title}': {done} of {len(spec.items)} answered and saved. "
              "Your answers are checked after you submit.")

    def record(self, exercise_id: str, value, item: str | None = None) -> None:
        """Save a value computed in code as the answer of a number or text exercise.

        ``course.record("two-way-trade", exports + imports)`` does what typing into the box does,
        with the same plain messages; ``item`` names the item when an exercise has several.
        """
        from border_bargains.core.typed_answers import TypedAnswerProblem, clean_text, format_number, parse_number

        spec = self._spec(exercise_id)
        if spec.kind not in TYPED_KINDS:
            raise NotYet(f"'{spec.title}' is answered with the widget, not with record().")
        if item is None:
            if len(spec.items) != 1:
                raise NotYet(f"'{spec.title}' has {len(spec.items)} boxes: name one, e.g. "
                             f"record({exercise_id!r}, value, item={spec.items[0].id!r}).")
            item = spec.items[0].id
        target = next((i for i in spec.items if i.id == item), None)
        if target is None:
            raise NotYet(f"'{spec.title}' has no box {item!r}; its boxes are {', '.join(i.id for i in spec.items)}.")
        try:
            saved = parse_number(value, target.unit) if spec.kind == "number" else clean_text(value)
        except TypedAnswerProblem as problem:
            raise NotYet(f"Not saved: {problem}") from None
        if self.instructor_copy:
            print("Instructor's copy: nothing is saved here.")
            return
        self.store.set(exercise_id, item, saved)
        shown = format_number(saved) if spec.kind == "number" else f"“{saved}”"
        print(f"Saved {shown} as your answer to '{spec.title}'. Run the widget cell again to see it in the box.")

    def _spec(self, exercise_id: str) -> ExerciseSpec:
        try:
            return self.specs[exercise_id]
        except KeyError:
            raise KeyError(f"No exercise {exercise_id!r} in {SPEC_FILENAME}; known: "
                           f"{', '.join(self.specs)}") from None


class Practice:
    """Ungraded practice items of a lesson, with a Check button and explanations."""

    def __init__(self, lesson: str, folder: str | Path | None = None, *, save: bool = True,
                 guides: str = "../source_texts"):
        from importlib.resources import files

        self.lesson = lesson
        self.guides = guides  # from the lesson's folder to the reading guides, for the feedback's links
        source = files("border_bargains") / "practice" / f"{lesson}.toml"
        self.specs, self.key = load_practice(Path(str(source)))
        folder = Path(folder) if folder is not None else Path.cwd()
        self.store = AnswerStore(folder / ".widget_answers" / f"{lesson}.json", persist=save, announce=_banner)

    def exercise(self, exercise_id: str):
        from border_bargains.student.widgets import ExerciseWidget

        return ExerciseWidget(self.specs[exercise_id], self.store, practice_key=self.key,
                              guides=getattr(self, "guides", "../source_texts"))


def assignment(name: str) -> Assignment:
    """Open the graded exercises of assignment ``name`` in the current folder."""
    return Assignment(name)


def practice(lesson: str, *, save: bool = True) -> Practice:
    """Open the practice items of a lesson (answers kept in ``.widget_answers/``)."""
    return Practice(lesson, save=save)
