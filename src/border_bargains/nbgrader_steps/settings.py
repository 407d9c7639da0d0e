"""Every setting of the course's own steps and commands, in one place (see docs/settings.md)."""

from __future__ import annotations

from nbgrader.coursedir import CourseDirectory


def course_directory(config) -> CourseDirectory:
    """nbgrader's CourseDirectory for this configuration: the course's folder layout always comes from it."""
    return CourseDirectory(config=config)
