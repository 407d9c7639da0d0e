"""nbgrader settings for the Border Bargains course (run nbgrader from this folder).

Layout: ``solutions/<assignment>/`` holds the instructor's source notebooks,
``exercises/<assignment>/`` the generated student versions (committed).
Instructor working folders (submitted/, autograded/, feedback/, exchange/,
gradebook.db) are created here and kept out of git.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent

# Where grading finds answer keys: solutions/<assignment>/answer_key.toml.
# Kernels that nbgrader starts inherit this; a student's folder is never searched.
os.environ.setdefault("BORDER_BARGAINS_KEYS", str(ROOT / "solutions"))
# One thread per kernel: predictable memory and time when grading a class.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

c = get_config()  # provided by traitlets when nbgrader loads this file

c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.course_id = "border-bargains"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.db_url = f"sqlite:///{ROOT / 'gradebook.db'}"
# Never release or copy answer keys or an instructor's practice answers. Students'
# widget_answers.json must NOT be listed here: this list also filters what students submit.
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "answer_key.toml", ".widget_answers",
]

# A local exchange folder, so release/fetch/submit/collect work on one laptop.
c.Exchange.root = str(ROOT / "exchange")
c.CollectApp.check_owner = False

# Friendly stubs: a blank answer runs without error and scores zero.
c.ClearSolutions.code_stub = {"python": "# YOUR ANSWER HERE"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Grading safety: a runaway cell is interrupted after 60 s and the notebook goes on.
# Each grading kernel starts with border_bargains.grading_guard: 3 GiB of address space at most,
# writes only inside the submission's folder, no other programs (see that module's docstring).
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
c.Execute.extra_arguments = [
    "--HistoryManager.hist_file=:memory:",
    "--IPKernelApp.exec_lines=from border_bargains.grading_guard import start_grading_kernel; start_grading_kernel()",
]
