"""Feedback that goes out when grading is done, and a note that tells a rejected student how to resubmit.

nbgrader's ``generate_feedback`` will happily send "Written response 0.0/2.0"
before the written answers are marked. Here feedback is made and returned only
for submissions whose grading is complete (the others are listed, and
``--allow-unfinished`` sends them anyway). A student whose submission was
rejected gets a short page instead, through the same exchange, saying what was
wrong and exactly how to resubmit with ``python -m border_bargains.student.salvage``.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from border_bargains.core.term import Term

NOTE_STYLE = ("body{font-family:system-ui,sans-serif;max-width:44em;margin:2em auto;line-height:1.5;padding:0 1em}"
              "code,pre{background:#f2f2f2;padding:0.1em 0.3em}pre{padding:0.6em}")


def rejected_note(student: str, assignment: str, notebook: str, reason: str, term: Term) -> str:
    """The page a rejected student fetches as feedback."""
    due = term.due_for(student, assignment)
    deadline = f" before {due.astimezone(term.timezone).strftime('%A %d %B %Y, %H:%M %Z')}" if due else ""
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

    submitted = root / "submitted" / student / assignment
    target = root / "feedback" / student / assignment
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


def mark_lateness(page: Path, hours_late: float, term: Term) -> None:
    """Say in the feedback how late the submission was and under which policy the penalty was taken."""
    text = page.read_text(encoding="utf-8")
    sentence = (f"Submitted {hours_late:g} hours after the due date; late policy: {html.escape(term.late.describe())}.")
    new, count = re.subn(r'(<li class="late-penalty">[^<]*)(</li>)', rf"\1 {sentence}\2", text, count=1)
    if not count:
        new = text.replace("<body>", f"<body><p class='bb-late'>{sentence}</p>", 1)
    page.write_text(new, encoding="utf-8")
