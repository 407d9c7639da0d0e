"""Repository-wide checks: the linter, the source-overlap rule, and nothing private committed."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OVERLAP = REPO.parent / "shared" / "tools" / "check_source_overlap.py"


def test_ruff_passes_on_package_tests_and_notebooks():
    proc = subprocess.run([str(Path(sys.executable).parent / "ruff"), "check", "."], cwd=REPO,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_course_prose_is_its_own(require):
    require(OVERLAP.exists(), "../shared/tools/check_source_overlap.py", "clone the course beside the shared/ folder")
    proc = subprocess.run([sys.executable, str(OVERLAP), str(REPO)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


def test_no_answers_or_gradebook_files_are_tracked():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True).stdout.splitlines()
    if not tracked:
        raise AssertionError("not a git checkout: these checks read what git tracks (clone the repository)")
    bad = [f for f in tracked if Path(f).name.startswith(("widget_answers", "gradebook.db"))
           or f.startswith(("submitted/", "autograded/", "feedback/", "exchange/"))]
    assert not bad, f"private or generated files are committed: {bad}"
    assert not [f for f in tracked if f.startswith("exercises/") and f.endswith("answer_key.toml")]
