"""Build an nbgrader course directory from the jupytext lesson and its solution.

The source notebook is the solution with nbgrader cell metadata (schema version 3):

- each challenge cell is an ungraded solution cell that carries the lesson's text (with its
  ``_____`` blanks) for the release (see ``nbgrader_preprocessors``);
- every other cell, code or markdown, is a read-only (locked) cell;
- after each challenge, one locked, autograded test cell per check of that challenge calls
  ``autograder.integrations.nbgrader_cells.grade``, which prints the feedback (a failed check's to stderr,
  so nbgrader scores that cell 0).

A graded course (``graded=True``) ships no answers: its given cells run without this package
(``standalone`` writes the data loader, the model and the figures out as notebook code; the
self-check cells and comments are left out), and its test cells are nbgrader hidden tests,
which ``nbgrader generate_assignment`` strips from the release and ``nbgrader autograde``
restores from the gradebook (locked cells whose checksum differs get their source back).

Rebuilding writes only what changed, so it is safe to run again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat
from nbformat.notebooknode import NotebookNode

from autograder import exercises
from autograder.exercises import Exercise
from autograder.integrations.nbgrader_kernel import KERNEL_ARGUMENT
from autograder.integrations.nbgrader_preprocessors import METADATA_KEY, RELEASE_SOURCE
from autograder.run.runner import GRADING_SAMPLE_SIZE
from autograder.integrations.standalone import LessonRewriter, lesson_markdown

CONFIG_NAME = "nbgrader_config.py"
CONFIG_MARKER = "# Written by `autograder nbgrader`"
_ASSIGNMENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")

CONFIG_TEXT = f'''{CONFIG_MARKER}; running it again rewrites this file.
import os
import sys

from autograder.integrations.nbgrader_preprocessors import feedback_preprocessors, release_preprocessors

# nbgrader runs the `alembic` command when it creates the gradebook: find it next to this
# Python, so that `.venv/bin/nbgrader` works without activating the virtualenv.
if os.path.dirname(sys.executable) not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])

# Kernels started by nbgrader inherit these variables.
# Grade on the small offline sample of CIFAR-10: no download, seconds per notebook. Export
# AUTOGRADER_DATA=cifar10 before running nbgrader to grade on the real data instead.
os.environ.setdefault("AUTOGRADER_DATA", "sample")
# The same grading sample as `autograder check` and `autograder grade` use.
os.environ.setdefault("AUTOGRADER_SAMPLE_SIZE", "{GRADING_SAMPLE_SIZE}")
# nbgrader gives 0 points to a test cell that wrote anything to stderr, and TensorFlow's C++
# logs go there: keep them quiet (the test cells also silence stderr while they check). Its
# start-up lines (oneDNN, CUDA) ignore this setting: the kernel imports TensorFlow with
# stderr silenced (see the kernel extension below).
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"

c = get_config()  # noqa: F821 (defined by traitlets when it loads this file)

# Release the challenge cells as the lesson shows them, with their `_____` blanks, instead of
# nbgrader's `raise NotImplementedError()`: our ReleaseLessonSource runs right after
# ClearSolutions (and before the checksums are computed).
c.GenerateAssignment.preprocessors = release_preprocessors()

# Training in the notebook takes longer than nbgrader's default of 30 s per cell.
c.Execute.timeout = 300

# Grading kernels record how compile() and fit() are called from before the first cell on: a
# graded release (`autograder nbgrader --graded`) does not import autograder, so nothing in the
# notebook starts the recording. The kernel imports TensorFlow while it starts: allow for that.
# The same extension keeps the students' feedback about their own code: no TensorFlow start-up
# logs, tracebacks without library frames (autograder.integrations.quiet_kernel).
c.Execute.extra_arguments = ["{KERNEL_ARGUMENT}"]
c.Execute.startup_timeout = 180

# The feedback page wraps long lines of output instead of cutting them off, and shows a failed
# check (printed to stderr) in red.
c.GenerateFeedback.preprocessors = feedback_preprocessors()
'''


@dataclass
class CourseBuild:
    """What ``build_course`` made: the assignment, its source notebook, and the files it (re)wrote."""

    assignment: str
    notebook: Path
    written: list[Path] = field(default_factory=list)


def grade_id(tag: str) -> str:
    """nbgrader's grade ids allow only letters, digits, ``_`` and ``-``: ``compile.loss`` -> ``compile-loss``."""
    return tag.replace(".", "-")


def answer_id(challenge: str) -> str:
    return f"{challenge}-answer"


def _nbgrader_meta(cell_id: str, *, grade: bool = False, solution: bool = False, locked: bool = False,
                   points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": cell_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = float(points or 0.0)
    return meta


def default_assignment(exercise: Exercise | str) -> str:
    """The nbgrader assignment name of an exercise's course: its table's ``NBGRADER_ASSIGNMENT``."""
    ex = exercises.get(exercise)
    return getattr(ex.table, "NBGRADER_ASSIGNMENT", ex.name)


def grading_cell_source(tag: str, points: float, exercise: Exercise | str) -> str:
    """A test cell: one check of the exercise, judged in the kernel by ``nbgrader_cells.grade``."""
    ex = exercises.get(exercise)
    check = ex.checks[tag]
    unit = "point" if points == 1 else "points"
    return (f"# Autograded test ({points:g} {unit}): {check.title}\n"
            "from autograder.integrations.nbgrader_cells import grade\n"
            f"grade({tag!r}, points={float(points)!r}, exercise={ex.name!r})")


HIDDEN_NOTE = "# The test is hidden: it runs when your notebook is graded."


def graded_cell_source(tag: str, points: float, exercise: Exercise | str) -> str:
    """A test cell of a graded course: the header comment, then the test as nbgrader hidden tests."""
    lines = grading_cell_source(tag, points, exercise).splitlines()
    header = 0
    while header < len(lines) and lines[header].startswith("#"):
        header += 1
    return "\n".join([*lines[:header], HIDDEN_NOTE, "### BEGIN HIDDEN TESTS",
                      "from autograder.integrations.nbgrader_kernel import ensure_recording",
                      "ensure_recording()", *lines[header:], "### END HIDDEN TESTS"])


def _given_cells(sc: NotebookNode, n: int, lesson: Path, rewriter: LessonRewriter | None) -> list[tuple[str, str, dict]]:
    """Cell ``n`` (not a challenge) as (cell type, source, extra metadata): as it is, or rewritten
    to run without this package for a graded release."""
    if rewriter is None:
        return [(sc.cell_type, sc.source, {})]
    if sc.cell_type == "markdown":
        text = lesson_markdown(sc.source)
        return [] if text is None else [("markdown", text, {})]
    if sc.cell_type != "code":
        return [(sc.cell_type, sc.source, {})]
    # Written-out modules are long: JupyterLab shows them collapsed.
    return [("code", source, {} if kind == "lesson" else {"jupyter": {"source_hidden": True}})
            for kind, source in rewriter.code(sc.source, f"{lesson}, cell {n}")]


def _read(path: Path) -> NotebookNode:
    try:
        return jupytext.read(path)
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None


def _exercise(exercise: Exercise | str | None, solution: Path | None) -> Exercise:
    """The exercise (or its name) given; else the one the solution file given is of; else the first."""
    if exercise is not None:
        return exercises.get(exercise)
    if solution is None:
        return exercises.first()
    nb = _read(Path(solution))
    return exercises.detect(Path(solution).read_text(encoding="utf-8"), nb.metadata)


def source_notebook(points: dict[str, float] | None = None, lesson: Path | None = None,
                    solution: Path | None = None, graded: bool = False,
                    exercise: Exercise | str | None = None) -> NotebookNode:
    """The nbgrader source notebook of ``exercise`` (an Exercise or its name; None: the one
    ``solution`` is of, else the first): the solution, cell by cell, with nbgrader metadata and
    test cells. ``lesson`` and ``solution`` default to the exercise's; ``points`` to its points.

    ``graded``: given cells that run without this package, hidden tests (see the module docstring).
    """
    ex = _exercise(exercise, solution)
    lesson = Path(lesson) if lesson is not None else ex.lesson
    solution = Path(solution) if solution is not None else ex.solution
    points = points or ex.points()
    rewriter = LessonRewriter(ex) if graded else None
    les, sol = _read(lesson), _read(solution)
    if len(les.cells) != len(sol.cells):
        raise ValueError(f"{lesson} has {len(les.cells)} cells but {solution} has {len(sol.cells)}; "
                         "they must differ only inside challenge cells")
    cells: list[NotebookNode] = []
    given = 0
    seen: list[str] = []
    for n, (lc, sc) in enumerate(zip(les.cells, sol.cells), start=1):
        challenge = sc.metadata.get("challenge")
        if lc.cell_type != sc.cell_type or lc.metadata.get("challenge") != challenge:
            raise ValueError(f"cell {n} differs in type or challenge between {lesson} and {solution}")
        if challenge is None:
            if lc.source != sc.source:
                raise ValueError(f"cell {n} is not a challenge cell but differs between {lesson} and {solution}")
            for cell_type, source, extra in _given_cells(sc, n, Path(lesson), rewriter):
                given += 1
                cell_id = f"given-{given:02d}"
                cells.append(_cell(cell_type, source, cell_id,
                                   {**extra, "nbgrader": _nbgrader_meta(cell_id, locked=True)}))
            continue
        if challenge not in ex.challenges or sc.cell_type != "code":
            raise ValueError(f"cell {n}: unknown challenge {challenge!r} (or not a code cell)")
        if challenge in seen:
            raise ValueError(f"challenge {challenge!r} has more than one cell")
        seen.append(challenge)
        cell_id = answer_id(challenge)
        cells.append(_cell("code", sc.source, cell_id, {
            "challenge": challenge,
            "nbgrader": _nbgrader_meta(cell_id, solution=True),
            METADATA_KEY: {RELEASE_SOURCE: lc.source},
        }))
        for tag in ex.tags_for(challenge):
            tid = grade_id(tag)
            test = graded_cell_source if graded else grading_cell_source
            cells.append(_cell("code", test(tag, points[tag], ex), tid,
                               {"nbgrader": _nbgrader_meta(tid, grade=True, locked=True, points=points[tag])}))
    missing = [c for c in ex.challenges if c not in seen]
    if missing:
        raise ValueError(f"{solution} has no cell for the challenge(s) {', '.join(missing)}")
    metadata = {k: v for k, v in sol.metadata.items() if k != "jupytext"}  # no pairing with a .py file
    # The exercise, for the grader's read of a submitted notebook (as the lessons write it).
    ours = metadata.get(exercises.METADATA_KEY)
    metadata[exercises.METADATA_KEY] = {**(ours if isinstance(ours, dict) else {}), "exercise": ex.name}
    nb = nbformat.v4.new_notebook(cells=cells, metadata=metadata)
    nbformat.validate(nb)
    return nb


def _cell(cell_type: str, source: str, cell_id: str, metadata: dict) -> NotebookNode:
    make = nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell
    cell = make(source=source, metadata=metadata)
    cell.id = cell_id  # stable ids keep rebuilding idempotent
    return cell


def _write_if_changed(path: Path, text: str, written: list[Path]) -> None:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    written.append(path)


def build_course(course_dir: str | Path, assignment: str | None = None,
                 points: dict[str, float] | None = None, lesson: Path | None = None,
                 solution: Path | None = None, graded: bool = False,
                 exercise: Exercise | str | None = None) -> CourseBuild:
    """Create or update ``course_dir/nbgrader_config.py`` and ``course_dir/source/<assignment>/``
    for ``exercise`` (an Exercise or its name; None: the one ``solution`` is of, else the first).
    ``assignment`` defaults to the exercise's ``NBGRADER_ASSIGNMENT``, ``lesson`` and
    ``solution`` to its own files, ``points`` to its points.

    ``graded``: a course whose release holds no answers (see the module docstring).

    Raises ValueError with a message for the instructor on bad input (a file as course_dir, a
    bad assignment name, a foreign nbgrader_config.py, lesson and solution that do not match).
    """
    ex = _exercise(exercise, solution)
    assignment = default_assignment(ex) if assignment is None else assignment
    lesson = Path(lesson) if lesson is not None else ex.lesson
    course = Path(course_dir)
    if course.exists() and not course.is_dir():
        raise ValueError(f"{course} is a file, not a course directory")
    if not _ASSIGNMENT_RE.match(assignment):
        raise ValueError(f"assignment name {assignment!r}: use letters, digits, '_' and '-' only")
    config = course / CONFIG_NAME
    if config.is_file() and CONFIG_MARKER not in config.read_text(encoding="utf-8"):
        raise ValueError(f"{config} exists and was not written by autograder, so it is left alone: move it "
                         "away and run this again (your own settings can live in ~/.jupyter/nbgrader_config.py)")
    nb = source_notebook(points, lesson, solution, graded, ex)
    notebook = course / "source" / assignment / f"{lesson.stem}.ipynb"
    build = CourseBuild(assignment, notebook)
    _write_if_changed(config, CONFIG_TEXT, build.written)
    _write_if_changed(notebook, nbformat.writes(nb) + "\n", build.written)
    return build


def build_courses(course_dir: str | Path, graded: bool = False) -> list[CourseBuild]:
    """One assignment per exercise in one course directory, each under its ``NBGRADER_ASSIGNMENT``
    with its own points (a points file names one exercise's tags: use ``build_course`` for it)."""
    return [build_course(course_dir, graded=graded, exercise=ex) for ex in exercises.all_exercises()]
