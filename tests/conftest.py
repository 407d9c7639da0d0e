"""Shared fixtures. The sample assignment lives in tests/fixtures/sample (see sample_course.py)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sample_course import FIXTURE, build_class

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture
def student_folder(tmp_path):
    """A student's copy of the sample assignment: public spec only, no key."""
    folder = tmp_path / "sample"
    folder.mkdir()
    shutil.copy(FIXTURE / "exercise_items.toml", folder)
    return folder


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def require():
    """``require(ok, what, how)``: skip with a reason on a developer's machine, fail under CI=true.

    CI must never pass by skipping what matters (a browser, the sandbox, a database server).
    """
    def need(ok: bool, what: str, how: str) -> None:
        if ok:
            return
        message = f"{what} is not available here. To run this test: {how}"
        if in_ci():
            pytest.fail(f"CI=true and {message}", pytrace=False)
        pytest.skip(message)
    return need


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def sample_class(tmp_path_factory):
    """The sample assignment generated, submitted by a whole (partly broken) class, autograded, fed back."""
    return build_class(tmp_path_factory.mktemp("class"))


@pytest.fixture(scope="module")
def hub_machine():
    """Hold the machine's hub lock for a whole hub test module: one real hub at a time.

    The hub tests create Unix users, open /root to them while they run and start a hub and its proxy; two
    modules on two pytest workers must not overlap. The same lock (/tmp/bb-hub.lock, fcntl) is what
    `make bench-hub` takes, so a benchmark and a test never run together either.
    """
    from filelock import FileLock

    # Waiting here counts towards the module's first test: the hub modules allow 3600 s (pytest.mark.timeout).
    with FileLock("/tmp/bb-hub.lock", timeout=3000):
        yield
