"""Durable widget answers: one small JSON file beside the notebook.

Widget state lives in the browser and is lost when nbgrader re-executes a
notebook, so every change a student makes is written here at once. The file
is what "Restart & Run All" and nbgrader's autograde read back.

Rules this module keeps:

* writes are atomic (temporary file + ``os.replace``): a crash never leaves a
  half-written file;
* a save changes one answer, never the whole file: under a lock it re-reads
  what is on disk, applies the one change and writes the result. Two tabs, or
  a re-run setup cell beside an older widget, each hold their own copy in
  memory; without this the last one to save would erase the other's answers;
* a file that cannot be read (not JSON, truncated, wrong shape) is *set
  aside* under a new name, never deleted, and the student is told in plain
  words; the exercise then starts clean;
* entries the course does not know (another exercise's answers, an unknown
  item, a value of the wrong type) are reported and kept in the file, so a
  hand edit loses nothing.

Only the standard library and ``filelock`` (a small, cross-platform lock) are
imported: this module must stay fast to import.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from border_bargains.core.files import atomic_write_text

FORMAT = "border-bargains-answers/1"
DEFAULT_FILENAME = "widget_answers.json"
LOCK_TIMEOUT = 10  # seconds a save waits for another save of the same file

# JSON value types an answer may have (a choice label, a position, a scale point).
ANSWER_TYPES = (str, int, float)


class AnswerFileProblem(Exception):
    """The answers file could not be read as it is; carries a plain message."""


def _is_answer(value) -> bool:
    return isinstance(value, ANSWER_TYPES) and not isinstance(value, bool)


class AnswerStore:
    """Answers of one notebook, keyed ``exercise id -> item id -> value``.

    ``persist=False`` keeps answers in memory only: used in the instructor's
    source folder so that no answers file can be released with an assignment.
    """

    def __init__(self, path: str | os.PathLike, *, persist: bool = True, announce=print):
        self.path = Path(path)
        self.persist = persist
        self._announce = announce
        self._data: dict[str, dict[str, object]] = {}
        self.notices: list[str] = []
        self.set_aside_path: Path | None = None
        if persist:
            self.reload()

    @classmethod
    def holding(cls, data: dict[str, dict[str, object]]) -> AnswerStore:
        """A store that only holds ``data`` (already parsed), for reading answers the way grading does."""
        store = cls(Path("-"), persist=False, announce=None)
        store._data = data
        return store

    # ------------------------------------------------------------------ reading
    def reload(self) -> None:
        """Read the file again (a re-run cell or a restarted kernel calls this)."""
        self._data = {}
        self.notices = []
        if not self.path.exists():
            return
        try:
            self._data = self.parse(self.path.read_bytes())
        except AnswerFileProblem as problem:
            self._set_aside(str(problem))

    @staticmethod
    def parse(raw: bytes) -> dict[str, dict[str, object]]:
        """The answers an answers file's bytes hold, or :class:`AnswerFileProblem` saying plainly why not."""
        try:
            doc = json.loads(raw.decode("utf-8"))
        except RecursionError as exc:
            raise AnswerFileProblem("it is nested far too deeply to be an answers file") from exc
        except UnicodeDecodeError as exc:
            raise AnswerFileProblem(f"it is not UTF-8 text ({exc.reason})") from exc
        except json.JSONDecodeError as exc:
            if not raw.strip():
                raise AnswerFileProblem("it is empty") from exc
            raise AnswerFileProblem(
                f"it is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg});"
                " it may have been cut short or edited by hand"
            ) from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("answers"), dict):
            raise AnswerFileProblem('it does not have the expected shape ({"answers": {...}})')
        if doc.get("format") != FORMAT:
            raise AnswerFileProblem(f"its format is {doc.get('format')!r}, expected {FORMAT!r}")
        data: dict[str, dict[str, object]] = {}
        for exercise_id, items in doc["answers"].items():
            if not isinstance(items, dict):
                raise AnswerFileProblem(f"the answers of exercise {exercise_id!r} are not a mapping")
            data[exercise_id] = dict(items)
        return data

    def _set_aside(self, reason: str) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.unreadable-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.unreadable-{stamp}-{n}")
        os.replace(self.path, target)
        self.set_aside_path = target
        self._tell(
            f"Your saved answers file {self.path.name} could not be read: {reason}. "
            f"It has been kept as {target.name} (nothing was deleted) and the exercises start clean. "
            "If you edited it by hand, ask your instructor before copying anything back."
        )

    def _tell(self, message: str) -> None:
        self.notices.append(message)
        if self._announce is not None:
            self._announce(message)

    # ------------------------------------------------------------------ access
    def exercise(self, exercise_id: str) -> dict[str, object]:
        """All raw entries saved for one exercise (a copy)."""
        return dict(self._data.get(exercise_id, {}))

    def valid_answers(self, exercise_id: str, allowed: dict[str, object]) -> dict[str, object]:
        """Answers for known items whose value is allowed; report the rest.

        ``allowed`` maps each item id to a container of allowed values (or a
        callable that says whether a value is allowed). Unknown items and
        values are reported once and left in the file untouched.
        """
        good: dict[str, object] = {}
        for item_id, value in self._data.get(exercise_id, {}).items():
            if value is None:
                continue
            if item_id not in allowed:
                self._tell(
                    f"Exercise {exercise_id!r}: the saved answer for {item_id!r} does not match any item "
                    "of this exercise; it is kept in the file but not used."
                )
                continue
            check = allowed[item_id]
            ok = _is_answer(value) and (check(value) if callable(check) else value in check)
            if not ok:
                self._tell(
                    f"Exercise {exercise_id!r}: the saved answer {value!r} for {item_id!r} is not one of the "
                    "choices; it is kept in the file but not used. Choose again with the widget."
                )
                continue
            good[item_id] = value
        return good

    def dropped(self) -> int:
        """How many saved entries :meth:`valid_answers` has refused so far (wrong kind, unknown item)."""
        return len(self.notices)

    def unknown_exercises(self, known: set[str]) -> list[str]:
        return sorted(set(self._data) - set(known))

    def report_unknown_exercises(self, known: set[str]) -> None:
        for exercise_id in self.unknown_exercises(known):
            self._tell(
                f"The answers file holds answers for {exercise_id!r}, which is not an exercise of this "
                "notebook; they are kept in the file but not used."
            )

    # ------------------------------------------------------------------ writing
    def set(self, exercise_id: str, item_id: str, value) -> None:
        """Record one answer (``None`` clears it) and save at once, merged with what is on disk.

        Under a lock, the file is read again, only this one answer is changed,
        and the result is written atomically; the in-memory copy then becomes
        what is on disk. An answer saved meanwhile by another tab survives.
        """
        if value is not None and not _is_answer(value):
            raise TypeError(f"an answer must be text or a number, not {type(value).__name__}")
        if not self.persist:
            self._apply(self._data, exercise_id, item_id, value)
            return
        with self._lock():
            current = self._read_for_update()
            self._apply(current, exercise_id, item_id, value)
            self._write(current)
            self._data = current

    @staticmethod
    def _apply(data: dict, exercise_id: str, item_id: str, value) -> None:
        items = data.setdefault(exercise_id, {})
        if value is None:
            items.pop(item_id, None)
        else:
            items[item_id] = value

    def _lock(self):
        from filelock import FileLock

        self.path.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.path.with_name(f".{self.path.name}.lock")), timeout=LOCK_TIMEOUT)

    def _read_for_update(self) -> dict[str, dict[str, object]]:
        """What is on disk now; if it became unreadable, it is set aside and the last good copy is used."""
        if not self.path.exists():
            return {ex: dict(items) for ex, items in self._data.items()}  # deleted meanwhile: keep what is shown
        try:
            return self.parse(self.path.read_bytes())
        except AnswerFileProblem as problem:
            self._set_aside(str(problem))
            return {ex: dict(items) for ex, items in self._data.items()}

    def save(self) -> None:
        """Write the in-memory answers as they are (no-op when not persisting)."""
        if not self.persist:
            return
        with self._lock():
            self._write(self._data)

    def _write(self, data: dict) -> None:
        doc = {"format": FORMAT, "answers": data}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.path, json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


class Submitted:
    """A submission's answers file as grading and item analysis read it: the one reader of that file.

    Whatever the file is (missing, a folder, a symbolic link, too large, unreadable, not JSON, nested too
    deeply, of the wrong shape) this never raises: ``problem`` then says in one plain line what was wrong,
    the answers are empty and the exercises score 0. ``missing`` tells a student who saved no answer at all
    from one whose file could not be read.
    """

    def __init__(self, path: Path, *, max_bytes: int) -> None:
        self.path = Path(path)
        self.store = AnswerStore.holding({})
        self.problem: str | None = None
        self.missing = False
        try:
            if self.path.is_symlink():
                self.problem = "it is a symbolic link, not a file"
            elif not self.path.exists():
                self.missing = True
            elif not self.path.is_file():
                self.problem = "it is a folder, not a file"
            elif self.path.stat().st_size > max_bytes:
                self.problem = (f"it is {self.path.stat().st_size:,} bytes, more than the {max_bytes:,} an answers "
                                "file may have")
            else:
                self.store = AnswerStore.holding(AnswerStore.parse(self.path.read_bytes()))
        except AnswerFileProblem as problem:
            self.problem = str(problem)
        except OSError as exc:
            self.problem = f"it cannot be opened ({exc.strerror or type(exc).__name__})"
