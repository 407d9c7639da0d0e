"""Grading the sample class gives exactly the recorded gradebook, feedback, summary lines and exports.

The record (tests/fixtures/grading_snapshot.json) was taken before the package was split into layers, so
this test is what shows that the restructure changed no grade, no feedback line and no export cell. A change
that means to alter what grading produces rewrites it with ``BB_UPDATE_SNAPSHOT=1`` and says so in its commit.
"""

from __future__ import annotations

import json
import os

import pytest
from grading_snapshot import SNAPSHOT, snapshot
from sample_course import cli

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]


def test_grading_the_sample_class_gives_the_recorded_results(sample_class):
    course = sample_class["course"]
    found = snapshot(sample_class, lambda *args: cli(course, *args))
    if os.environ.get("BB_UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.write_text(json.dumps(found, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                            encoding="utf-8")
    recorded = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    for part in ("autograde", "gradebook", "feedback", "exports"):
        assert found[part] == recorded[part], f"grading's {part} differs from the recorded snapshot"
