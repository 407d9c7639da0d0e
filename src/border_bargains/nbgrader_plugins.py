"""The course's steps in nbgrader's autograde pipeline (set in ``nbgrader_config.py``).

Scoring happens here, in the instructor's process, never in a student's kernel:

* :class:`ScoreAnswers` reads the answers file *as collected* (in
  ``submitted/``, which no grading kernel can reach) and the key from the
  instructor's ``solutions/``, and writes each check cell's score and per-item
  report into the autograded notebook, where nbgrader's ``SaveAutoGrades``
  stores the score in the gradebook. A check cell is found by its grade id in
  the gradebook's copy of the released notebook, so a student who edits or
  deletes one cannot change what is scored.
* :class:`RestoreCells` is nbgrader's ``OverwriteCells`` with
  ``add_missing_cells`` made to work on notebooks whose graded cells follow
  ordinary locked cells (nbgrader's own version raises ``KeyError`` there):
  a deleted check cell or answer cell is put back and graded.
* :class:`ScrubKeyText` runs only when notebooks are executed: any output
  that contains text of the answer key is removed and the submission flagged.
* :class:`ReleaseGuides` runs in ``generate_assignment``: it ships the reading
  guides inside each released assignment (``source_texts/``) and points the
  notebook's ¶ links at that copy, so they work wherever a student fetches it.
* :class:`CheckCellMetadataOnce` is nbgrader's ``CheckCellMetadata`` with its
  JSON schema compiled once per process instead of once per cell; nbgrader
  spends about a quarter of its autograde time re-checking that schema.

Every message meant for the instructor's summary is logged with the prefix
``border-bargains:``; ``border-bargains autograde`` turns those lines into the
warnings under each student's summary line, and plain ``nbgrader autograde``
shows them in its log.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.nbgraderformat import MetadataValidator, SchemaTooNewError, SchemaTooOldError, ValidationError
from nbgrader.preprocessors import CheckCellMetadata, Execute, NbGraderPreprocessor, OverwriteCells
from traitlets import Bool, Unicode

from .answers import DEFAULT_FILENAME, AnswerFileProblem, AnswerStore
from .grading import points_for, report, score_items
from .specs import KEY_FILENAME, SPEC_FILENAME, SpecError, load_exercises, load_key

PREFIX = "border-bargains:"
# The call a check cell makes; its argument names the exercise the cell scores.
CHECK_CALL = re.compile(r"""\.check(?:_started)?\(\s*["']([^"']+)["']\s*\)""")
# What a submission may carry that Python could import.
CODE_PATTERNS = ("*.py", "*.pth", "*.so", "*.pyc", "*.pyd")


class GradingFailed(RuntimeError):
    """This submission cannot be scored as configured; nbgrader reports the student as failed, with this text."""


def exercise_of(source: str) -> str | None:
    """The exercise a check cell's source scores, or None for any other cell."""
    found = CHECK_CALL.findall(source)
    return found[0] if len(found) == 1 else None


def _course(config) -> CourseDirectory:
    return CourseDirectory(config=config)


def _stream(text: str) -> NotebookNode:
    return from_dict({"output_type": "stream", "name": "stdout", "text": text.rstrip("\n") + "\n"})


def code_files(folder: Path) -> list[str]:
    """Files in a submission that Python could import (never imported while grading; flagged for a look)."""
    found: set[str] = set()
    for pattern in CODE_PATTERNS:
        for path in folder.rglob(pattern):
            if ".ipynb_checkpoints" not in path.parts:
                found.add(str(path.relative_to(folder)))
    return sorted(found)


class ScoreAnswers(NbGraderPreprocessor):
    """Score every check cell from the collected answers file and the instructor's key."""

    reveal_keys = Bool(
        False, help="Show the key, its explanation and its ¶ reference for wrong items in the report "
                    "(and so in the feedback students receive).",
    ).tag(config=True)
    answers_filename = Unicode(DEFAULT_FILENAME, help="The answers file each submission carries.").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        assignment, student, notebook = info["assignment"], info["student"], info["notebook"]
        coursedir = _course(self.config)
        source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
        submitted = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
        executing = self.config.Execute.get("enabled", True)

        with Gradebook(info["db_url"]) as gb:
            targets = {}
            for cell in nb.cells:
                if not (utils.is_grade(cell) and cell.cell_type == "code"):
                    continue
                grade_id = cell.metadata.nbgrader["grade_id"]
                try:
                    original = gb.find_source_cell(grade_id, notebook, assignment).source
                except MissingEntry:
                    continue  # nbgrader's own steps already reported it
                exercise_id = exercise_of(original)
                if exercise_id is None and not executing:
                    raise GradingFailed(
                        f"cell {grade_id!r} of {notebook}.ipynb is a test cell with no exercise to score, and "
                        "notebooks are not run while grading (c.Execute.enabled = False in nbgrader_config.py): "
                        "make it an exercise check, or turn execution on")
                if exercise_id is not None:
                    targets[grade_id] = (cell, exercise_id)
        if not targets:
            return nb, resources

        try:
            _name, specs = load_exercises(source / SPEC_FILENAME)
            key = load_key(source / KEY_FILENAME, specs)
        except FileNotFoundError as exc:
            raise GradingFailed(f"the key or the exercise file of {assignment} is missing ({exc.filename}); "
                                "nothing was scored") from None
        except SpecError as exc:
            raise GradingFailed(f"the key of {assignment} cannot be used: {exc}") from None

        answers_path = submitted / self.answers_filename
        store = AnswerStore.holding({})
        file_problem = None
        if answers_path.exists():
            try:
                store = AnswerStore.holding(AnswerStore._parse(answers_path.read_bytes()))
            except AnswerFileProblem as problem:
                file_problem = (f"Your answers file {self.answers_filename} could not be read: {problem}. "
                                "It is kept exactly as you submitted it; the exercises below score 0. "
                                "Ask your instructor, who can see what it holds.")
                self.log.warning("%s flagged: %s could not be read (%s); exercises score 0",
                                 PREFIX, self.answers_filename, problem)
        else:
            file_problem = (f"No {self.answers_filename} was submitted, so no exercise answers reached the grader. "
                            "Submit the whole assignment folder next time.")
            self.log.warning("%s flagged: no %s was submitted: exercises score 0", PREFIX, self.answers_filename)

        for grade_id, (cell, exercise_id) in targets.items():
            if exercise_id not in specs:
                raise GradingFailed(f"cell {grade_id!r} checks exercise {exercise_id!r}, which "
                                    f"{SPEC_FILENAME} of {assignment} does not define")
            spec = specs[exercise_id]
            if spec.points is None:
                raise GradingFailed(f"exercise {exercise_id!r} of {assignment} has no points in {SPEC_FILENAME}")
            store.notices.clear()
            given = store.valid_answers(exercise_id, spec.allowed)
            results = score_items(spec, key.items[exercise_id], given)
            score = points_for(results, float(cell.metadata.nbgrader["points"]))
            lines = [report(spec, results, score, reveal=self.reveal_keys)]
            lines += [f"  note: {n}" for n in store.notices]
            if file_problem:
                lines.append(f"  note: {file_problem}")
            cell.outputs = [_stream("\n".join(lines)),
                            from_dict({"output_type": "execute_result", "execution_count": None, "metadata": {},
                                       "data": {"text/plain": repr(float(score))}})]
        unknown = store.unknown_exercises(set(specs))
        if unknown:
            self.log.warning("%s the answers file also holds %s, not exercises of %s (kept, not scored)",
                             PREFIX, ", ".join(unknown), assignment)
        carried = code_files(submitted)
        if carried:
            self.log.warning("%s flagged: the submission carries Python code (%s); grading never imports it",
                             PREFIX, ", ".join(carried[:5]) + (" …" if len(carried) > 5 else ""))
        return nb, resources


class SandboxedExecute(Execute):
    """nbgrader's Execute, with each kernel started by :class:`~border_bargains.sandbox.SandboxedKernelManager`.

    nbgrader's Execute fixes its kernel manager class in ``__init__``, over any configuration, so the
    course names its own here. Off unless ``c.Execute.enabled = True``: scoring never needs it.
    """

    def __init__(self, *args, **kwargs):
        from .sandbox import SandboxedKernelManager

        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources, km=None):
        from .sandbox import SandboxedKernelManager, sandbox_mode

        mode = sandbox_mode(SandboxedKernelManager(config=self.config).mode)
        self.log.info("%s running the notebook in a grading kernel (%s)", PREFIX,
                      "bubblewrap sandbox" if mode == "bubblewrap" else "audit-hook guard, no OS sandbox here")
        return super().preprocess(nb, resources, km=km)


class ReleaseGuides(NbGraderPreprocessor):
    """Ship the reading guides with each assignment and point its ¶ links at them.

    In the repository an assignment links to ``../../source_texts/wola.md#p14``; a student who fetches the
    assignment into ``~/tariff_bargain/`` has no such folder, so every link would go nowhere. This step copies
    the guides into the release (``exercises/<a>/source_texts/``, which nbgrader then releases with the
    notebook) and rewrites the links to ``source_texts/wola.md#p14``. It runs before nbgrader computes the
    cells' checksums, so the gradebook's copy of each locked cell has the same links as the student's.
    """

    repository_prefix = Unicode("../../source_texts/", help="How solutions/ notebooks link to the guides.").tag(
        config=True)
    release_folder = Unicode("source_texts", help="Where the guides go inside a released assignment.").tag(
        config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        import shutil

        coursedir = _course(self.config)
        guides = Path(coursedir.root) / "source_texts"
        if not guides.is_dir():
            return nb, resources
        release = Path(coursedir.format_path(coursedir.release_directory, ".", resources["nbgrader"]["assignment"]))
        target = release / self.release_folder
        target.mkdir(parents=True, exist_ok=True)
        for guide in sorted(guides.glob("*.md")):
            shutil.copyfile(guide, target / guide.name)
        # The data dictionary travels too (docs/datasets.md beside the guides, as in the repository), so the
        # assignment's "see docs/datasets.md" and the widgets' dataset links lead somewhere in the release.
        dictionary = Path(coursedir.root) / "docs" / "datasets.md"
        if dictionary.is_file():
            (release / "docs").mkdir(exist_ok=True)
            shutil.copyfile(dictionary, release / "docs" / "datasets.md")
        for cell in nb.cells:
            if cell.cell_type == "markdown" and self.repository_prefix in cell.source:
                cell.source = cell.source.replace(self.repository_prefix, f"{self.release_folder}/")
            if cell.cell_type == "markdown" and "../../docs/datasets.md" in cell.source:
                cell.source = cell.source.replace("../../docs/datasets.md", "docs/datasets.md")
        return nb, resources


class ApplyLatePolicy(NbGraderPreprocessor):
    """nbgrader's AssignLatePenalties step, with the due dates, extensions and late policy of ``course.toml``.

    nbgrader's own plugin knows neither extensions from a course file nor a percentage per day; this step
    computes the penalty from the notebook's score as it stands, and the course's feedback and export commands
    compute it again after manual grading (``instructor/term_sync.py``).
    """

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        from .instructor.term_sync import apply_late_penalty
        from .term import TermError, hours, load_term

        info = resources["nbgrader"]
        try:
            term = load_term(_course(self.config).root)
        except TermError as exc:
            raise GradingFailed(str(exc)) from None
        with Gradebook(info["db_url"]) as gb:
            late, penalty = apply_late_penalty(gb, term, info["assignment"], info["student"])
        if late:
            self.log.warning("%s late by %.1f hours (%s): %g point(s) off for now", PREFIX, hours(late),
                             term.late.describe(), penalty)
        return nb, resources


class RestoreCells(OverwriteCells):
    """nbgrader's OverwriteCells, whose ``add_missing_cells`` also works after ordinary locked cells."""

    def add_missing_grade_cells(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        order = [cell.name for cell in source_nb.source_cells]
        source = {cell.name: cell for cell in source_nb.source_cells}
        solution_ids = {cell.name for cell in source_nb.solution_cells}
        for grade_cell in source_nb.grade_cells:
            present = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
            if grade_cell.name in present:
                continue
            new = self.missing_cell_transform(source[grade_cell.name], grade_cell.max_score,
                                              is_solution=grade_cell.name in solution_ids)
            new["id"] = re.sub(r"[^A-Za-z0-9_-]", "-", f"restored-{grade_cell.name}")[:64]
            # After the nearest earlier cell of the released notebook that is still there; else first.
            position = 0
            for earlier in reversed(order[:order.index(grade_cell.name)]):
                if earlier in present:
                    position = present.index(earlier) + 1
                    break
            nb.cells.insert(position, new)
            self.log.warning("%s restored deleted cell %s from the gradebook; it is graded as released",
                             PREFIX, grade_cell.name)
        return nb, resources

    def report_change(self, name: str, attr: str, old, new) -> None:
        super().report_change(name, attr, old, new)
        if attr == "checksum":
            self.log.warning("%s restored edited locked cell %s from the gradebook", PREFIX, name)


def key_secrets(key_path: Path, min_length: int = 16) -> list[str]:
    """Texts of a key file that must never reach a student: its longer lines and every explanation.

    Shorter texts ("empirical", "WOLA ¶4") are ordinary course words, found in every released notebook.
    """
    if not key_path.exists():
        return []
    raw = key_path.read_text(encoding="utf-8")
    found = {line.strip() for line in raw.splitlines() if len(line.strip()) >= min_length}
    found |= {m for m in re.findall(r'why\s*=\s*"([^"]+)"', raw) if len(m) >= min_length}
    return sorted(found)


class QuarantineFiles(NbGraderPreprocessor):
    """Keep links and key text out of the graded copy (and so out of the feedback a student gets back).

    nbgrader copies a submission's other files with the instructor's rights, following symbolic links,
    and returns them with the feedback. A link in a submission (to the key, the gradebook…) would copy
    the target into ``autograded/`` and back to the student. Such files, and any file that holds text of
    the answer key, are removed from the graded copy and flagged; ``submitted/`` keeps them as they came.
    """

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        coursedir = _course(self.config)
        submitted = Path(coursedir.format_path(coursedir.submitted_directory, info["student"], info["assignment"]))
        graded = Path(coursedir.format_path(coursedir.autograded_directory, info["student"], info["assignment"]))
        source = Path(coursedir.format_path(coursedir.source_directory, ".", info["assignment"]))
        secrets = key_secrets(source / KEY_FILENAME)
        for path in sorted(submitted.rglob("*")):  # links as collected: their copies hold the targets
            if path.is_symlink():
                rel = path.relative_to(submitted)
                self.log.warning("%s flagged: %s is a symbolic link (to %s); it was not graded or returned",
                                 PREFIX, rel, os.readlink(path))
                _remove(graded / rel)
        for path in sorted(graded.rglob("*")):  # links or key text made while the notebook ran
            rel = path.relative_to(graded)
            if path.is_symlink():
                self.log.warning("%s flagged: the notebook made a symbolic link %s while grading; removed",
                                 PREFIX, rel)
                path.unlink()
            elif path.is_file() and path.suffix != ".ipynb" and secrets:
                try:
                    text = path.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                if any(secret in text for secret in secrets):
                    self.log.warning("%s flagged: %s holds text of the answer key; it was not graded or returned",
                                     PREFIX, rel)
                    path.unlink()
        return nb, resources


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        import shutil

        shutil.rmtree(path)


class ScrubKeyText(NbGraderPreprocessor):
    """Remove any output that quotes the answer key (only matters when notebooks are executed)."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        coursedir = _course(self.config)
        key_path = Path(coursedir.format_path(coursedir.source_directory, ".", info["assignment"])) / KEY_FILENAME
        secrets = key_secrets(key_path)
        if not secrets:
            return nb, resources
        for cell in nb.cells:
            if cell.cell_type != "code" or not cell.get("outputs"):
                continue
            kept = []
            for output in cell.outputs:
                text = _output_text(output)
                if any(secret in text for secret in secrets):
                    kept.append(_stream("[This output was removed while grading: it contained text of the "
                                        "answer key.]"))
                    gid = cell.metadata.get("nbgrader", {}).get("grade_id", f"#{nb.cells.index(cell)}")
                    self.log.warning("%s flagged: cell %s printed text of the answer key; output removed",
                                     PREFIX, gid)
                else:
                    kept.append(output)
            cell.outputs = kept
        return nb, resources


class _CompiledMetadataValidator(MetadataValidator):
    """nbgrader's metadata validator with the schema checked and compiled once."""

    def __init__(self) -> None:
        super().__init__()
        import jsonschema

        cls = jsonschema.validators.validator_for(self.schema)
        cls.check_schema(self.schema)
        self._compiled = cls(self.schema)

    def validate_cell(self, cell: NotebookNode) -> None:
        if "nbgrader" not in cell.metadata:
            return
        version = cell.metadata["nbgrader"].get("schema_version", 0)
        if version < self.schema_version:
            raise SchemaTooOldError(f"Outdated schema version: {version} (expected {self.schema_version})",
                                    version, self.schema_version)
        if version > self.schema_version:
            raise SchemaTooNewError(f"Schema version is too new: {version} (expected {self.schema_version})",
                                    version, self.schema_version)
        self._compiled.validate(cell.metadata["nbgrader"])


_VALIDATOR: _CompiledMetadataValidator | None = None


class CheckCellMetadataOnce(CheckCellMetadata):
    """nbgrader's CheckCellMetadata, same checks and errors, with the schema compiled once per process."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        global _VALIDATOR
        if _VALIDATOR is None:
            _VALIDATOR = _CompiledMetadataValidator()
        try:
            _VALIDATOR.validate_nb(nb)
        except ValidationError:
            import traceback

            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg) from None
        return nb, resources


def _output_text(output) -> str:
    if output.get("output_type") == "stream":
        return str(output.get("text", ""))
    if output.get("output_type") == "error":
        return "\n".join([str(output.get("evalue", "")), *map(str, output.get("traceback", []))])
    return "\n".join(str(v) for v in output.get("data", {}).values())
