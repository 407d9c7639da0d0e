"""The main job, headless: the installed JupyterLab serves the course with nbgrader and widgets enabled."""

from pathlib import Path

import pytest
from lab_server import running_lab

REPO = Path(__file__).resolve().parents[2]
HOME = "lessons/00_orientation.ipynb"


@pytest.mark.slow
def test_lab_serves_the_course_with_nbgrader_and_widgets(tmp_path):
    with running_lab(REPO, tmp_path) as lab:
        status, page = lab.get("/lab", parse=False)
        assert status == 200 and "JupyterLab" in page

        status, model = lab.get(f"/api/contents/{HOME}?content=0")
        assert status == 200 and model["type"] == "notebook", "the course's home notebook is served"

        _status, extensions = lab.get("/lab/api/extensions")
        # The extension API reports normalised package names (@jupyter/nbgrader -> jupyter-nbgrader).
        enabled = {e["name"]: e["enabled"] for e in extensions}
        assert enabled.get("jupyter-widgets-jupyterlab-manager") is True, enabled
        assert enabled.get("jupyter-nbgrader") is True, enabled

        status, formgrader = lab.get("/formgrader", parse=False)
        assert status == 200 and "formgrader" in formgrader.lower(), "nbgrader's formgrader answers"
        status, courses = lab.get("/formgrader/api/assignments")
        assert status == 200 and isinstance(courses, list)

        _status, kernels = lab.get("/api/kernelspecs")
        assert "python3" in kernels["kernelspecs"]
        assert enabled.get("anywidget") is True, "the course's controls need anywidget's extension"


@pytest.mark.slow
def test_student_view_hides_the_instructor_tools(tmp_path):
    """`make lab` (config/student): no Formgrader, Create Assignment or Course List; the Assignment List stays."""
    import json
    import re
    import urllib.error

    with running_lab(REPO, tmp_path, env_extra={"JUPYTER_CONFIG_PATH": str(REPO / "config" / "student")}) as lab:
        _status, page = lab.get("/lab", parse=False)
        config = json.loads(re.search(r'id="jupyter-config-data"[^>]*>\s*(\{.*?\})\s*</script>', page, re.S).group(1))
        disabled = config["disabledExtensions"]
        for plugin in ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                       "@jupyter/nbgrader:course-list"):
            assert plugin in disabled, disabled
        assert "@jupyter/nbgrader:assignment-list" not in disabled
        assert "@jupyter/nbgrader:validate-assignment" not in disabled
        with pytest.raises(urllib.error.HTTPError) as info:
            lab.get("/formgrader", parse=False)
        assert info.value.code == 404
