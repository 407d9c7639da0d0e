"""Every setting of the course's own steps and commands, in one place, and the course's folder layout.

An instructor sets them in ``nbgrader_config.py`` as ``c.CourseSettings.<name> = …``, beside nbgrader's own
settings; ``docs/settings.md`` lists them all with their help (a test keeps the two in step). The term's
settings (due dates, extensions, late policy, LMS ids) are in ``course.toml`` (:mod:`border_bargains.core.term`).

Every folder comes from nbgrader's ``CourseDirectory`` (``source_directory``, ``submitted_directory``…), so a
course that renames one still works everywhere: :class:`Layout` is the only place that builds such a path.
"""

from __future__ import annotations

from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from traitlets import Float, Int, Unicode
from traitlets.config import Configurable


class CourseSettings(Configurable):
    """The course's own settings (``c.CourseSettings.<name>`` in nbgrader_config.py)."""

    logs_directory = Unicode(
        "grading-logs",
        help="Folder of the course (beside submitted/) for grading logs, each submission's status and notes.",
    ).tag(config=True)
    max_answers_file_bytes = Int(
        2_000_000,
        help="An answers file larger than this is not read: the submission is flagged and its exercises score "
             "0 (a whole class's answers take a few kilobytes each).").tag(config=True)
    kernel_memory_limit = Int(
        3 * 1024**3,
        help="Bytes of memory a grading kernel may use when notebooks are run (c.Execute.enabled = True); "
             "a cell that needs more fails with MemoryError and the notebook goes on.").tag(config=True)
    submission_timeout = Float(
        900.0,
        help="Seconds one submission may take to grade before it is stopped and reported FAILED "
             "(`border-bargains autograde --submission-timeout` overrides it for one run).").tag(config=True)
    workers = Int(
        0, help="Submissions graded at once by `border-bargains autograde` (0: one per core; --workers "
                "overrides it for one run).").tag(config=True)


def course_directory(config) -> CourseDirectory:
    """nbgrader's CourseDirectory for this configuration: the course's folder layout always comes from it."""
    return CourseDirectory(config=config)


class Layout:
    """Where the course keeps each thing, built from nbgrader's CourseDirectory and :class:`CourseSettings`."""

    def __init__(self, config) -> None:
        self.coursedir = course_directory(config)
        self.settings = CourseSettings(config=config)
        self.root = Path(self.coursedir.root)

    def _path(self, directory: str, student: str, assignment: str) -> Path:
        return Path(self.coursedir.format_path(directory, student, assignment))

    def source(self, assignment: str) -> Path:
        return self._path(self.coursedir.source_directory, ".", assignment)

    def release(self, assignment: str) -> Path:
        return self._path(self.coursedir.release_directory, ".", assignment)

    def submitted(self, student: str, assignment: str) -> Path:
        return self._path(self.coursedir.submitted_directory, student, assignment)

    def autograded(self, student: str, assignment: str) -> Path:
        return self._path(self.coursedir.autograded_directory, student, assignment)

    def feedback(self, student: str, assignment: str) -> Path:
        return self._path(self.coursedir.feedback_directory, student, assignment)

    def submitted_root(self) -> Path:
        return self.root / self.coursedir.submitted_directory

    def logs(self, assignment: str) -> Path:
        return self.root / self.settings.logs_directory / assignment

    def status(self, assignment: str, student: str) -> Path:
        """The outcome of a student's last grading (written by the instructor's pool)."""
        return self.logs(assignment) / f"{student}.json"

    def notes(self, assignment: str, student: str) -> Path:
        """What the grading steps noted for a submission (:mod:`.notes`)."""
        return self.logs(assignment) / f"{student}.notes.json"
