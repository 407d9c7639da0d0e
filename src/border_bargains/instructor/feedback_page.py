"""Feedback a student learns from: nbgrader's ``generate_feedback`` step of the course (set in ``nbgrader_config.py``).

:class:`TeachingFeedback` runs after nbgrader's ``GetGrades`` and before the page is written:

* every check cell shows, item by item, the student's own answer and whether it is right, wrong or not answered,
  with the place to read (the item's own ¶ reference, which the student already saw beside the question);
* once the key may be shown (``reveal_keys``: ``"after_due"`` by default: after the latest due date of the
  assignment in ``course.toml``, every extension and the grace period included, so no one who may still submit on
  time sees it; ``"always"``; ``"never"``), each item also shows the key, its reason (``why``) and its reference;
* written answers not marked yet say so, and the total says it is provisional (the course's template,
  ``templates/feedback``, reads the marks this step sets);
* the check cells' stray ``Out[ ]: 5.0`` and every execution count are removed;
* every ¶ link (in the report and in the notebook's own text) points into the page itself: the paragraphs cited are
  copied, from the reading guides, into a "Where to read" section at the end. JupyterLab shows an HTML file in a
  sandboxed frame whose links resolve against the file's ``/files/`` address, so a link to the guide opens raw
  Markdown (or nothing) there; a link within the page works in JupyterLab, in a browser and offline. The text also
  names the student's own copy (``source_texts/`` in the assignment folder).

Scores are not changed here: the page shows the gradebook's scores; the item lines are recomputed from the answers
file as collected and the key, exactly as :class:`~border_bargains.nbgrader_plugins.ScoreAnswers` scored them.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Enum, Float

from border_bargains.core.answers import DEFAULT_FILENAME, Submitted
from border_bargains.core.scoring import answer_words, mark, score_items
from border_bargains.core.specs import KEY_FILENAME, SPEC_FILENAME, SpecError, load_exercises, load_key
from border_bargains.nbgrader_steps.settings import Layout
from border_bargains.student.refs import RefRenderer, header_id

GUIDES = "source_texts"
# A link to a guide, as the notebooks and the reports write it: "source_texts/wola.md#p14", "../source_texts/…".
GUIDE_LINK = re.compile(r"(?:\.\./)*" + GUIDES + r"/([\w.-]+\.md)(?:#([\w-]+))?")
CHECK_CALL = re.compile(r"""\.check(?:_started)?\(\s*["']([^"']+)["']\s*\)""")


def key_moment(term, assignment: str, delay_days: float = 0.0) -> dt.datetime | None:
    """When the key may be shown: after the latest due date of the assignment, extensions and grace included.

    None when the assignment has no due date (there is then no moment after which no one may still submit).
    """
    due = term.assignment(assignment).due
    if due is None:
        return None
    latest = max([due, *(when for (_s, a), when in term.extensions.items() if a == assignment)])
    return latest + dt.timedelta(minutes=term.late.grace_minutes, days=delay_days)


def anchor_for(guide: str, anchor: str | None) -> str:
    return f"bb-guide-{Path(guide).stem}-{anchor or 'top'}"


def guide_passage(folder: Path, guide: str, anchor: str | None, limit: int = 1800) -> str | None:
    """The Markdown of one place in a guide: the paragraph holding ``<a id=anchor>``, or the section under the
    heading with that id (the first paragraph of the file without an anchor). None if it is not there."""
    path = folder / guide
    if not path.is_file():
        return None
    lines = path.read_text(encoding="utf-8").splitlines()
    start = None
    for n, line in enumerate(lines):
        if anchor and f'<a id="{anchor}"></a>' in line:
            start = n
            break
        heading = re.match(r"(#{1,6})\s+(.*)$", line)
        if heading and (anchor is None or header_id(heading.group(2)) == anchor):
            start = n
            break
    if start is None:
        return None
    level = None
    out = []
    for n, line in enumerate(lines[start:]):
        heading = re.match(r"(#{1,6})\s+", line)
        if n and heading and (level is None or len(heading.group(1)) <= level):
            break
        if n == 0 and heading:
            level = len(heading.group(1))
        if n and level is None and not line.strip():
            break  # an anchored paragraph ends at the blank line
        out.append(line)
    text = "\n".join(out).strip()
    text = re.sub(r'<a id="[^"]+"></a>', "", text)
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _html_cell(text: str) -> NotebookNode:
    """A raw cell that nbconvert's HTML export writes into the page as it is."""
    return from_dict({"cell_type": "raw", "metadata": {"raw_mimetype": "text/html", "bb_feedback": True},
                      "source": text})


class TeachingFeedback(NbGraderPreprocessor):
    """Rewrite a graded notebook into the feedback page a student learns from (see the module's text)."""

    reveal_keys = Enum(
        ("after_due", "always", "never"), "after_due",
        help="When feedback shows the key with its reason and reference: 'after_due' (after the latest due date "
             "of the assignment in course.toml, every extension and the grace period included; never when the "
             "assignment has no due date), 'always' or 'never'.",
    ).tag(config=True)
    reveal_delay_days = Float(
        0.0, help="With 'after_due': days to wait after that moment (for instance while late work is accepted).",
    ).tag(config=True)

    def _now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def revealing(self, root: Path, assignment: str) -> tuple[bool, str]:
        """Whether the key is shown, and a sentence for the student saying when it is."""
        if self.reveal_keys == "always":
            return True, "The key and its reasons are shown for every item."
        if self.reveal_keys == "never":
            return False, "Your instructor does not show the key in feedback."
        from border_bargains.core.term import load_term

        moment = key_moment(load_term(root), assignment, self.reveal_delay_days)
        if moment is None:
            return False, "The key is not shown: this assignment has no due date."
        if self._now() >= moment:
            return True, "The deadline has passed for everyone, so the key and its reasons are shown."
        return False, ("The key and its reasons will be shown in feedback sent after "
                       f"{moment.astimezone(dt.UTC).strftime('%d %B %Y, %H:%M UTC')}, when no one can still hand in "
                       "on time. Until then, read again where each item points you.")

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        assignment, student, notebook = info["assignment"], info["student"], info["notebook"]
        layout = Layout(self.config)
        root = layout.root
        source = layout.source(assignment)
        submitted = layout.submitted(student, assignment)
        release = layout.release(assignment)
        self.max_bytes = layout.settings.max_answers_file_bytes
        guides = release / GUIDES if (release / GUIDES).is_dir() else root / GUIDES
        reveal, when = self.revealing(root, assignment)
        self.cited: dict[str, tuple[str, str | None]] = {}

        for cell in nb.cells:  # only this step's own cells are written into the page unfiltered
            cell.metadata.pop("bb_feedback", None)

        unmarked = 0
        with Gradebook(info["db_url"]) as gb:
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.execution_count = None
                    for output in cell.get("outputs", []):
                        if "execution_count" in output:
                            output["execution_count"] = None
                if not utils.is_grade(cell):
                    continue
                try:
                    grade = gb.find_grade(cell.metadata.nbgrader["grade_id"], notebook, assignment, student)
                except MissingEntry:
                    continue
                if grade.needs_manual_grade and cell.cell_type == "markdown":
                    cell.metadata.nbgrader["bb_unmarked"] = True
                    unmarked += 1
        info["bb_provisional"] = bool(unmarked)
        info["bb_unmarked"] = unmarked

        specs, key, store, problem = self._answers(source, submitted)
        renderer = RefRenderer(GUIDES, base=guides.parent)
        for cell in nb.cells:
            exercise = CHECK_CALL.findall(cell.source) if cell.cell_type == "code" and utils.is_grade(cell) else []
            if len(exercise) != 1 or specs is None or exercise[0] not in specs:
                continue
            spec = specs[exercise[0]]
            results = score_items(spec, key.items[spec.id], store.valid_answers(spec.id, spec.allowed))
            cell.outputs = [self._report_output(spec, results, cell, reveal, renderer, problem)]

        for cell in nb.cells:  # the notebook's own ¶ links point into the page too
            if cell.cell_type == "markdown":
                cell.source = GUIDE_LINK.sub(lambda m: self._cite(m.group(1), m.group(2)), cell.source)
        intro = [f"<p class='bb-when'><strong>About this feedback.</strong> {html.escape(when)}</p>"]
        if unmarked:
            intro.append(f"<p class='bb-provisional'><strong>Your score is provisional:</strong> {unmarked} written "
                         f"answer{'s are' if unmarked != 1 else ' is'} not marked yet and count 0 for now.</p>")
        nb.cells.insert(0, _html_cell("\n".join(intro)))
        if self.cited:
            nb.cells.append(_html_cell(self._where_to_read(guides)))
        return nb, resources

    # ------------------------------------------------------------------------------------------ pieces
    def _answers(self, source: Path, submitted: Path):
        try:
            _name, specs = load_exercises(source / SPEC_FILENAME)
            key = load_key(source / KEY_FILENAME, specs)
        except (FileNotFoundError, SpecError) as exc:
            self.log.warning("border-bargains: feedback shows no item lines: %s", exc)
            return None, None, None, None
        answers = Submitted(submitted / DEFAULT_FILENAME, max_bytes=self.max_bytes)  # the one reader, as scoring
        problem = None
        if answers.problem:
            problem = f"Your answers file could not be read ({answers.problem}), so these items count as not answered."
        elif answers.missing:
            problem = "No answers file reached the grader, so these items count as not answered."
        return specs, key, answers.store, problem

    def _cite(self, guide: str, anchor: str | None) -> str:
        target = anchor_for(guide, anchor)
        self.cited.setdefault(target, (guide, anchor))
        return f"#{target}"

    def _ref_html(self, renderer: RefRenderer, ref: str) -> str:
        return GUIDE_LINK.sub(lambda m: self._cite(m.group(1), m.group(2)), renderer.html(ref))

    def _report_output(self, spec, results, cell, reveal: bool, renderer: RefRenderer, problem: str | None):
        score = cell.metadata.nbgrader.get("score")
        points = cell.metadata.nbgrader.get("points", spec.points)
        right = sum(r.right for r in results)
        verb = "Your answer" if spec.kind in ("number", "text") else "Your choice"
        head = (f"<p><strong>{html.escape(spec.title)}</strong>: {right} of {len(results)} right"
                + (f", {float(score):g} of {float(points):g} points" if score is not None else "") + ".</p>")
        rows, plain = [], [f"{spec.title}: {right} of {len(results)} right."]
        for r in results:
            item = spec.item(r.item_id)
            given = html.escape(answer_words(spec, r.item_id, r.given)) if r.given is not None else "<em>none</em>"
            state = mark(r)  # the words of the autograded report: "✓ right", "✗ not right", "- not answered"
            where = self._ref_html(renderer, item.ref) if item.ref else ""
            detail = f"<div class='bb-read'>Where to read: {where}</div>" if where else ""
            if reveal:
                key_text = answer_words(spec, r.item_id, r.entry.answer)
                detail += f"<div class='bb-key'><strong>Key:</strong> {html.escape(key_text)}"
                if r.entry.why:
                    detail += f". <strong>Why:</strong> {html.escape(r.entry.why)}"
                if r.entry.ref:
                    detail += f" ({self._ref_html(renderer, r.entry.ref)})"
                detail += "</div>"
            rows.append(f"<tr class='{'bb-right' if r.right else 'bb-wrong'}'><td>{html.escape(item.label)}</td>"
                        f"<td>{given}</td><td>{state}</td></tr>"
                        + (f"<tr class='bb-detail'><td colspan='3'>{detail}</td></tr>" if detail else ""))
            plain.append(f"  {state}: {item.label} ({verb.lower()}: "
                         f"{answer_words(spec, r.item_id, r.given) if r.given is not None else 'none'})")
        table = (f"<table class='bb-items'><thead><tr><th>Item</th><th>{verb}</th><th>Result</th></tr></thead>"
                 f"<tbody>{''.join(rows)}</tbody></table>")
        note = f"<p class='bb-note'>{html.escape(problem)}</p>" if problem else ""
        return from_dict({"output_type": "display_data", "metadata": {},
                          "data": {"text/html": f"<div class='bb-feedback'>{head}{note}{table}</div>",
                                   "text/plain": "\n".join(plain)}})

    def _where_to_read(self, guides: Path) -> str:
        parts = ["<div class='bb-where'>", "<h2 id='bb-where-to-read'>Where to read</h2>",
                 "<p>The places this feedback points to, from the reading guides. Your own copy of the guides is "
                 f"in the <code>{GUIDES}/</code> folder of your assignment.</p>"]
        from nbconvert.filters import markdown2html

        for target, (guide, anchor) in self.cited.items():
            passage = guide_passage(guides, guide, anchor)
            label = f"{guide}" + (f", {anchor.replace('p', '¶', 1)}" if anchor and re.fullmatch(r"p\d+", anchor)
                                  else f" ({anchor})" if anchor else "")
            body = markdown2html(passage) if passage else "<p>(This place is in your copy of the guide.)</p>"
            parts.append(f"<section class='bb-passage' id='{target}'><h3>{html.escape(label)}</h3>{body}"
                         "<p><a href='#top'>Back to the top</a></p></section>")
        parts.append("</div>")
        return "\n".join(parts)
