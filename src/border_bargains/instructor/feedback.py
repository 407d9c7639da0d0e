"""Feedback that goes out when grading is done, and a note that tells a rejected student how to resubmit.

nbgrader's ``generate_feedback`` will happily send "Written response 0.0/2.0"
before the written answers are marked. Here feedback is made and returned only
for submissions whose grading is complete (the others are listed, and
``--allow-unfinished`` sends them anyway). A student whose submission was
rejected gets a short page instead, through the same exchange, saying what was
wrong and exactly how to resubmit with ``python -m border_bargains.student.salvage``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
from pathlib import Path

from border_bargains.core.term import Term

NOTE_STYLE = ("body{font-family:system-ui,sans-serif;max-width:44em;margin:2em auto;line-height:1.5;padding:0 1em}"
              "code,pre{background:#f2f2f2;padding:0.1em 0.3em}pre{padding:0.6em}")


def for_the_student(reason: str) -> str:
    """The reason as a student needs it: the instructor's own hints (commands, "ask the student") left out."""
    parts = [p.strip().replace("ask the student to ", "") for p in reason.split(";")]
    kept = [p for p in parts if p and "border-bargains" not in p and "the student" not in p
            and "--" not in p and "(log:" not in p]
    text = "; ".join(kept) or "the notebook could not be opened for grading"
    return text + ("" if text.endswith(".") else ".")


def resubmit_by(due: dt.datetime | None, term: Term, now: dt.datetime | None = None) -> str:
    """A deadline only while it is still ahead; once it has passed, what the late policy means instead."""
    now = now or dt.datetime.now(dt.UTC)
    if due is None:
        return ""
    if due > now:
        return f" before {due.astimezone(term.timezone).strftime('%A %d %B %Y, %H:%M %Z')}"
    if term.late.policy == "none":
        return " as soon as you can (the due date has passed; late work is accepted)"
    return f" as soon as you can (the due date has passed; late work: {term.late.describe()})"


def rejected_note(student: str, assignment: str, notebook: str, reason: str, term: Term,
                  now: dt.datetime | None = None) -> str:
    """The page a rejected student fetches as feedback: what went wrong, what to do, by when."""
    deadline = resubmit_by(term.due_for(student, assignment), term, now)
    reason = for_the_student(reason)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(assignment)}: please resubmit</title>
<style>{NOTE_STYLE}</style></head><body>
<h1>{html.escape(assignment)}: your submission could not be graded</h1>
<p><strong>What was wrong:</strong> {html.escape(reason)}</p>
<p>Nothing you submitted was deleted. Your widget answers are kept in <code>widget_answers.json</code>, in your
assignment folder, and they are safe.</p>
<h2>How to resubmit</h2>
<ol>
<li>In JupyterLab, open a terminal (<em>File → New → Terminal</em>).</li>
<li>Type this line and press Enter (it works from your home folder and from the assignment folder):
<pre>python -m border_bargains.student.salvage {html.escape(assignment)}</pre>
It sets the damaged notebook aside (renamed, not deleted), makes a fresh copy of
<code>{html.escape(notebook)}.ipynb</code> that opens, and copies your written answers into it where they
can still be read. Your widget answers appear again when you run the notebook.</li>
<li>Open the new notebook, choose <em>Kernel → Restart Kernel and Run All Cells</em>, and check your answers and
written work.</li>
<li>Submit again from the <em>Assignments</em> tab{html.escape(deadline)}.</li>
</ol>
<p>If the command says it cannot find the assignment, or anything else goes wrong, write to your instructor and
quote this page.</p>
</body></html>
"""


def send_rejected_note(api, root: Path, assignment: str, student: str, reason: str, term: Term) -> bool:
    """Write the note as this student's feedback for every notebook and release it through the exchange."""
    from border_bargains.instructor.autograde import notebooks_of
    from border_bargains.nbgrader_steps.settings import Layout

    layout = Layout(api.config)
    submitted = layout.submitted(student, assignment)
    target = layout.feedback(student, assignment)
    target.mkdir(parents=True, exist_ok=True)
    for name in ("timestamp.txt", "submission_secret.txt"):
        if (submitted / name).exists():
            shutil.copy(submitted / name, target / name)
    for notebook in notebooks_of(root, assignment):
        (target / f"{notebook}.html").write_text(rejected_note(student, assignment, notebook, reason, term),
                                                 encoding="utf-8")
    if not (target / "submission_secret.txt").exists():
        return False  # not collected through the exchange: the note is in feedback/ for the instructor to pass on
    return bool(api.release_feedback(assignment, student).get("success"))


def generate(api, assignment: str, student: str, hours_late: float, term: Term,
             folder: str | None = None) -> str | None:
    """Make one student's feedback pages as ``make feedback`` sends them, in nbgrader's feedback folder or in
    ``folder`` (a course-relative scratch folder) instead; None if it worked, else nbgrader's last line.

    The regrade check makes the same pages in a scratch folder and compares them with those sent, so the
    two must come from this one function.
    """
    from nbgrader.utils import temp_attrs

    folder = folder or api.coursedir.feedback_directory
    with temp_attrs(api.coursedir, feedback_directory=folder):
        result = api.generate_feedback(assignment, student)
    if not result.get("success"):
        lines = (result.get("error") or result.get("log") or "").strip().splitlines()
        return lines[-1] if lines else "see nbgrader log"
    if hours_late:
        for page in Path(api.coursedir.format_path(folder, student, assignment)).glob("*.html"):
            mark_lateness(page, hours_late, term)
    return None


def pages(folder: Path) -> dict[str, str]:
    """The feedback pages in one student's folder, by name (what a student reads, nothing else)."""
    return {p.name: p.read_text(encoding="utf-8", errors="replace") for p in sorted(folder.glob("*.html"))}


def mark_lateness(page: Path, hours_late: float, term: Term) -> None:
    """Say in the feedback how late the submission was and under which policy the penalty was taken."""
    text = page.read_text(encoding="utf-8")
    sentence = (f"Submitted {hours_late:g} hours after the due date; late policy: {html.escape(term.late.describe())}.")
    new, count = re.subn(r'(<li class="late-penalty">[^<]*)(</li>)', rf"\1 {sentence}\2", text, count=1)
    if not count:
        new = text.replace("<body>", f"<body><p class='bb-late'>{sentence}</p>", 1)
    page.write_text(new, encoding="utf-8")
