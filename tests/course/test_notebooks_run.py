"""Every notebook runs: lessons under nbval's strict output comparison, solutions under nbval-lax.

nbval's strict and lax modes cannot share one pytest run, so each notebook is checked in a
pytest subprocess; a failure shows nbval's own report, which names the notebook and the cell.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LESSONS = sorted((REPO / "lessons").glob("*.ipynb"))
SOLUTIONS = sorted((REPO / "solutions").glob("*/*.ipynb"))
SANITIZE = REPO / "tests" / "nbval_sanitize.cfg"


def nbval(path: Path, *flags: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("BORDER_BARGAINS_KEYS", None)
    env.update(env_extra or {})
    return subprocess.run(
        # nbval waits 60 s for a kernel by default: too little when the suite loads both cores.
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
         "--nbval-kernel-startup-timeout=180", *flags, str(path)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
    )


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_outputs_match_what_is_committed(path):
    proc = nbval(path, "--nbval", "--nbval-sanitize-with", str(SANITIZE), "--nbval-cell-timeout=120")
    assert proc.returncode == 0, f"{path.relative_to(REPO)} differs from its committed outputs " \
        f"(re-execute it: see docs/authoring.md):\n{proc.stdout[-6000:]}"


@pytest.mark.slow
@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_solution_notebook_runs_without_error(path):
    proc = nbval(path, "--nbval-lax", "--nbval-cell-timeout=120")
    assert proc.returncode == 0, f"{path.relative_to(REPO)} fails to run:\n{proc.stdout[-6000:]}"
    leftovers = list(path.parent.glob("widget_answers*"))
    assert not leftovers, f"running the instructor copy wrote {leftovers}: it would be released"
