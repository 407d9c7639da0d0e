"""nbgrader settings for the Border Bargains course (run nbgrader from this folder).

Layout: ``solutions/<assignment>/`` holds the instructor's source notebooks,
``exercises/<assignment>/`` the generated student versions (committed).
Instructor working folders (submitted/, autograded/, feedback/, exchange/,
gradebook.db) are created here and kept out of git.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent

# One thread per kernel: predictable memory and time when grading a class.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

c = get_config()  # provided by traitlets when nbgrader loads this file

c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.course_id = "border-bargains"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
# The gradebook: SQLite beside this file for one laptop (a 60 s busy timeout lets parallel grading workers
# take turns). For several graders at once (TAs on separate machines, a shared server), set the environment
# variable BORDER_BARGAINS_DB_URL to a PostgreSQL database, e.g.
#   export BORDER_BARGAINS_DB_URL=postgresql+psycopg://grader:secret@db.example.edu/border_bargains
# Grading kernels never see this variable.
c.CourseDirectory.db_url = os.environ.get("BORDER_BARGAINS_DB_URL") or f"sqlite:///{ROOT / 'gradebook.db'}?timeout=60"
# Never release or copy answer keys or an instructor's practice answers. Students'
# widget_answers.json must NOT be listed here: this list also filters what students submit.
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "answer_key.toml", ".widget_answers",
    ".widget_answers.json.lock",
]

# The exchange: a folder beside this file, so release/fetch/submit/collect work on one laptop; on a shared
# server or a JupyterHub, the deployment sets BORDER_BARGAINS_EXCHANGE to the shared folder (deploy/README.md).
c.Exchange.root = os.environ.get("BORDER_BARGAINS_EXCHANGE") or str(ROOT / "exchange")
# Collect trusts only what the server records (border_bargains/exchange/collect.py): a submission's sender is the
# account that owns it (on a hub, the login is the student id) and its time the newest change time of its files.
# One under another student's name is set aside, a backdated one is flagged and its lateness uses the server's
# time, one over the size limit is refused, a bad entry is skipped: each with one line from `border-bargains
# collect`. Folders owned by the collecting account itself (one laptop) are taken by their names. nbgrader's own
# owner check only warns, so it stays off. Feedback pages are released readable by their student.
c.ExchangeFactory.collect = "border_bargains.exchange.collect.CheckedCollect"
c.ExchangeFactory.release_feedback = "border_bargains.exchange.release_feedback.ReadableReleaseFeedback"
c.ExchangeFactory.release_assignment = "border_bargains.exchange.release.KeepModesReleaseAssignment"  # modes: set-up's
c.CollectApp.check_owner = False
c.CheckedCollect.max_submission_mib = 50
c.CheckedCollect.clock_tolerance = 300  # seconds a claimed time may precede the server's before it is disbelieved

# Nothing a student submits runs in a grader's browser: Formgrader's views and the feedback pages are made by
# nbconvert's HTMLExporter, and nbconvert's SanitizeHTML (bleach) cleans Markdown cells and HTML outputs first.
from nbconvert.preprocessors.sanitize import SanitizeHTML  # noqa: E402

c.HTMLExporter.preprocessors = [SanitizeHTML]

# Friendly stubs: a blank answer runs without error and scores zero. A written answer's stub says plainly where to
# write and how to finish, so a filled answer never looks like the instructions around it. nbgrader recognises an
# unchanged answer ("No response") by the released cell's checksum, so the wording can change freely.
c.ClearSolutions.code_stub = {"python": "# YOUR ANSWER HERE"}
c.ClearSolutions.text_stub = (
    "**✍️ Your answer:**\n\n"
    "*(Double-click here, or click once and press Enter, to write, replacing this line. No text cursor? Press Enter "
    "first: until then your keys act on the notebook. Press Shift-Enter when you are done, then Ctrl-S to save.)*"
)

# ---- Autograde: how scores are made -------------------------------------------------------------
# Scores are computed in this (the instructor's) process, not in a student's kernel: the course's
# ScoreAnswers step reads each submission's widget_answers.json as collected in submitted/ and the key
# in solutions/<assignment>/answer_key.toml, and writes each check cell's score and report into the
# autograded notebook. RestoreCells puts back graded cells a student deleted (nbgrader's
# add_missing_cells, made to work on this course's notebooks). QuarantineFiles keeps symbolic links and
# files holding key text out of the graded copy and the feedback. ApplyLatePolicy takes due dates,
# extensions and the late policy from course.toml. See border_bargains/nbgrader_steps/.
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbgrader.converters import GenerateAssignment, GenerateFeedback  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    ClearOutput,
    IgnorePattern,
    LimitOutput,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from border_bargains.nbgrader_steps.check_metadata import CheckCellMetadataOnce  # noqa: E402
from border_bargains.nbgrader_steps.deduplicate import DeduplicateCells  # noqa: E402
from border_bargains.nbgrader_steps.execute import SandboxedExecute  # noqa: E402
from border_bargains.nbgrader_steps.late import ApplyLatePolicy  # noqa: E402
from border_bargains.nbgrader_steps.quarantine import QuarantineFiles  # noqa: E402
from border_bargains.nbgrader_steps.release_guides import ReleaseGuides  # noqa: E402
from border_bargains.nbgrader_steps.restore import RestoreCells  # noqa: E402
from border_bargains.nbgrader_steps.score import ScoreAnswers  # noqa: E402
from border_bargains.nbgrader_steps.scrub import ScrubKeyText  # noqa: E402

# Released assignments carry the reading guides (source_texts/) and link to that copy, so every ¶ link works
# wherever a student fetches the assignment (ReleaseGuides, before nbgrader's own generate steps).
c.GenerateAssignment.preprocessors = [ReleaseGuides, *GenerateAssignment.class_traits()["preprocessors"].default()]

c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateCells, OverwriteKernelspec, RestoreCells,
                                      QuarantineFiles, CheckCellMetadataOnce]
c.RestoreCells.add_missing_cells = True
# Feedback: the late penalty is stored again from the final score (after manual grading), before nbgrader's
# GetGrades reads it into the feedback page.
c.GenerateFeedback.preprocessors = [ApplyLatePolicy, *GenerateFeedback.class_traits()["preprocessors"].default()]
c.Autograde.autograde_preprocessors = [SandboxedExecute, QuarantineFiles, ScrubKeyText, ScoreAnswers, IgnorePattern,
                                       ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
                                       ApplyLatePolicy, CheckCellMetadataOnce]

# The autograded notebook's check-cell reports (the instructor's copy) name no key; `border-bargains autograde
# --reveal-keys` adds it there for one run.
c.ScoreAnswers.reveal_keys = False

# ---- Feedback: what students see (border_bargains/instructor/feedback_page.py, templates/feedback) ----------------
# Each item with the student's own answer and right / not right / not answered, and where to read; written answers
# not marked yet say so and the total says it is provisional; the ¶ passages cited are copied into the page.
# When the key, its reason and its reference are shown: "after_due" (feedback generated after the latest due date
# in course.toml, every extension and the grace period included; never for an assignment without a due date),
# "always" or "never". `border-bargains feedback --reveal-keys` shows them for one run.
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import GetGrades  # noqa: E402

from border_bargains.instructor.feedback_page import TeachingFeedback  # noqa: E402

c.TeachingFeedback.reveal_keys = "after_due"
# With "after_due": days to wait after that moment (say, while late work is still accepted).
c.TeachingFeedback.reveal_delay_days = 0
c.GenerateFeedback.preprocessors = [ApplyLatePolicy, GetGrades, TeachingFeedback, CSSHTMLHeaderPreprocessor]
# The course's feedback page (border_bargains/templates/feedback, nbgrader's own template with the marks above, no
# In/Out prompts, fitting a laptop screen) is found first; nbgrader's folder stays for Formgrader's templates.
import nbgrader as _nbgrader  # noqa: E402

import border_bargains as _bb  # noqa: E402

c.HTMLExporter.extra_template_basedirs = [
    str(Path(_bb.__file__).parent / "templates"),
    str(Path(_nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"),
]

# Run students' notebooks while grading? Scores never depend on it, so by default no student code runs
# at all (faster, and nothing to exploit); the autograded notebook and the feedback then show each
# check cell's report, and the rest of the notebook without outputs. Set True to re-run every notebook,
# as nbgrader normally does, for instance to show students' own outputs in the feedback.
c.Execute.enabled = False

# When notebooks do run: each kernel runs in bubblewrap on Linux (no view of solutions/, the gradebook,
# the exchange or other students; read-only file system except the submission's folder; no network),
# or, where bubblewrap is missing (macOS), under the audit-hook guard in border_bargains/nbgrader_steps/guard.py.
# "bubblewrap" refuses to run without the sandbox; "guard" never uses it.
c.SandboxProvisioner.mode = "auto"
# A runaway cell is interrupted after 60 s and the notebook goes on; each kernel has 3 GiB at most.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
# After a cell finishes, how long to wait for the rest of its output: nbclient's 4 s default drops a cell's
# printed output (without an error) when a busy grading server is slow to deliver it. Waiting ends as soon
# as the kernel reports idle, so a longer bound costs nothing on an idle machine.
c.Execute.iopub_timeout = 30
c.Execute.extra_arguments = [
    "--HistoryManager.hist_file=:memory:",
    "--IPKernelApp.exec_lines="
    "from border_bargains.nbgrader_steps.guard import start_grading_kernel; start_grading_kernel()",
]
