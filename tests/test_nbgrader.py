"""The nbgrader course: our preprocessor, the course builder, the test-cell helper, and the real
nbgrader CLI end to end (generate_assignment, autograde, export, generate_feedback)."""
from __future__ import annotations

import csv
import logging
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path
from types import SimpleNamespace

import jupytext
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from nbgrader.utils import is_locked

from autograder import cli, selfcheck
from autograder.integrations import nbgrader_cells
from autograder.judge import rubric
from autograder.judge.checks import Result
from autograder.integrations.nbgrader_course import CONFIG_NAME, build_course, grade_id
from autograder.integrations.nbgrader_preprocessors import ReleaseLessonSource, release_preprocessors
from autograder.exercises import UnknownExercise
from conftest import FIRST, LESSON, SOLUTION

ASSIGNMENT = FIRST.table.NBGRADER_ASSIGNMENT
NOTEBOOK = f"{LESSON.stem}.ipynb"
TOTAL = sum(c.points for c in FIRST.checks.values())
# A wrong loss makes fit raise, so fit and plot fail too; plus one wrong answer.
PARTIAL_FAILS = {"compile.loss", "fit.history_keys", "fit.epochs", "fit.validation",
                 "plot.history_df", "plot.figure", "overfitting.is_overfitting"}
PARTIAL_SCORE = sum(c.points for tag, c in FIRST.checks.items() if tag not in PARTIAL_FAILS)
# Edits of locked test cells that would earn points if nbgrader did not restore the cells.
TAMPERING = {"compile-loss": ("1.0", {"locked": False}),
             "fit-epochs": ("print('all good')", {"points": 5.0}),
             "overfitting-is_overfitting": ("1.0", {})}
LOSS_FEEDBACK = "but our labels are single integers 0-9"  # from the table's LOSS_MESSAGES, not in the lesson


def nbg(meta: dict) -> dict:
    return {"nbgrader": {"schema_version": 3, "grade": False, "locked": False, "task": False, **meta}}


def graded_cells(nb) -> list:
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


# --- the preprocessor, alone, on tiny notebooks ------------------------------------------------

def tiny_notebook():
    return new_notebook(cells=[
        new_code_cell("x = 42", metadata={**nbg({"solution": True, "grade_id": "a"}),
                                          "autograder": {"release_source": "x = _____"}}),
        new_code_cell("y = 1", metadata=nbg({"solution": True, "grade_id": "b"})),
        new_markdown_cell("given", metadata={**nbg({"locked": True, "grade_id": "c"}),
                                             "autograder": {"release_source": "not used"}}),
    ], metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}})


def test_release_lesson_source_replaces_solution_cells_and_drops_its_metadata():
    nb, _ = ReleaseLessonSource().preprocess(tiny_notebook(), {})
    assert [c.source for c in nb.cells] == ["x = _____", "y = 1", "given"]
    assert all("autograder" not in c.metadata for c in nb.cells)


def test_release_lesson_source_after_clear_solutions_gives_blanks_not_stubs():
    from nbgrader.preprocessors import ClearSolutions

    nb, res = ClearSolutions().preprocess(tiny_notebook(), {})
    nb, _ = ReleaseLessonSource().preprocess(nb, res)
    assert nb.cells[0].source == "x = _____"
    assert "NotImplementedError" in nb.cells[1].source  # cells without our metadata: nbgrader's stub


def test_release_preprocessors_puts_ours_right_after_clear_solutions_before_checksums():
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import ClearSolutions, ComputeChecksums, SaveCells

    pps = release_preprocessors()
    at = pps.index(ReleaseLessonSource)
    assert pps[at - 1] is ClearSolutions
    assert at < pps.index(ComputeChecksums) and at < pps.index(SaveCells)
    assert [p for p in pps if p is not ReleaseLessonSource] == \
        GenerateAssignment.class_traits()["preprocessors"].default()
    with pytest.raises(ValueError, match="ClearSolutions"):
        release_preprocessors([ComputeChecksums])


# --- the course builder --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    course = tmp_path_factory.mktemp("built") / "course"
    build = build_course(course, exercise=FIRST)
    return SimpleNamespace(course=course, build=build, nb=nbformat.read(build.notebook, as_version=4))


def test_builder_writes_config_and_source_notebook(built):
    assert built.build.notebook == built.course / "source" / ASSIGNMENT / NOTEBOOK
    assert sorted(built.build.written) == sorted([built.course / CONFIG_NAME, built.build.notebook])
    nbformat.validate(built.nb)
    assert "jupytext" not in built.nb.metadata  # no pairing with a .py in the release
    assert built.nb.metadata["autograder"]["exercise"] == FIRST.name  # what the grader reads it as


def test_builder_defaults_to_the_exercise_of_the_solution_given_and_names_unknown_exercises(tmp_path):
    build = build_course(tmp_path / "course", solution=SOLUTION, lesson=LESSON)
    assert build.assignment == ASSIGNMENT
    with pytest.raises(UnknownExercise, match="the exercises are"):
        build_course(tmp_path / "other", exercise="no_such_exercise")
    assert not (tmp_path / "other").exists()


def test_builder_makes_one_locked_test_cell_per_check_with_its_points(built):
    tests = graded_cells(built.nb)
    assert len(tests) == len(FIRST.checks) == 13
    assert [c.metadata.nbgrader.grade_id for c in tests] == [grade_id(t) for t in FIRST.checks]
    for cell, (tag, check) in zip(tests, FIRST.checks.items()):
        meta = cell.metadata.nbgrader
        assert meta.locked is True and meta.solution is False and meta.schema_version == 3
        assert meta.points == check.points
        # the kernel is told the exercise: another exercise may have a check of the same tag
        assert f"grade({tag!r}, points={float(check.points)!r}, exercise={FIRST.name!r})" in cell.source


def test_grade_ids_are_the_tags_spelled_as_nbgrader_allows():
    import jsonschema
    from nbgrader.nbgraderformat import MetadataValidator

    cell = new_code_cell("", metadata=nbg({"grade": True, "solution": False, "points": 1.0, "grade_id": "compile.loss"}))
    with pytest.raises(jsonschema.ValidationError):  # nbgrader's schema: letters, digits, _ and - only
        MetadataValidator().validate_cell(cell)
    cell.metadata.nbgrader.grade_id = grade_id("compile.loss")
    MetadataValidator().validate_cell(cell)
    assert len({grade_id(t) for t in FIRST.checks}) == len(FIRST.checks)


def test_builder_test_cells_follow_their_challenge(built):
    order = [(c.metadata.get("challenge"), c.metadata.get("nbgrader", {}).get("grade_id")) for c in built.nb.cells]
    for challenge in FIRST.challenges:
        at = order.index((challenge, f"{challenge}-answer"))
        following = [gid for _, gid in order[at + 1: at + 1 + len(FIRST.tags_for(challenge))]]
        assert following == [grade_id(t) for t in FIRST.tags_for(challenge)]


def test_builder_challenge_cells_are_ungraded_solutions_carrying_the_lesson_text(built):
    lesson = [c.source for c in jupytext.read(LESSON).cells if c.metadata.get("challenge")]
    solution = [c.source for c in jupytext.read(SOLUTION).cells if c.metadata.get("challenge")]
    answers = [c for c in built.nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert [c.source for c in answers] == solution
    assert [c.metadata.autograder.release_source for c in answers] == lesson
    assert all(not c.metadata.nbgrader.grade and not c.metadata.nbgrader.locked for c in answers)


def test_builder_given_cells_are_read_only(built):
    given = [c for c in built.nb.cells if not c.metadata.nbgrader.grade and not c.metadata.nbgrader.solution]
    lesson_given = [c for c in jupytext.read(LESSON).cells if not c.metadata.get("challenge")]
    assert [(c.cell_type, c.source) for c in given] == [(c.cell_type, c.source) for c in lesson_given]
    assert {c.cell_type for c in given} == {"code", "markdown"}
    assert all(c.metadata.nbgrader.locked for c in given)


def test_builder_is_idempotent_and_reads_a_points_file(tmp_path):
    course = tmp_path / "course"
    first = build_course(course, exercise=FIRST)
    stamp = first.notebook.stat().st_mtime_ns
    assert build_course(course, exercise=FIRST.name).written == []
    assert first.notebook.stat().st_mtime_ns == stamp
    points = FIRST.points() | {"compile.loss": 2.5}
    again = build_course(course, points=points, exercise=FIRST)
    assert again.written == [first.notebook]
    loss = next(c for c in nbformat.read(again.notebook, 4).cells if c.metadata.nbgrader.grade_id == "compile-loss")
    assert loss.metadata.nbgrader.points == 2.5 and "points=2.5" in loss.source


def test_config_wires_our_preprocessor_timeout_and_sample_data(built, monkeypatch):
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import PyFileConfigLoader

    for var in ("PATH", "TF_CPP_MIN_LOG_LEVEL"):  # loading the config sets them; restore afterwards
        monkeypatch.setenv(var, os.environ.get(var, ""))
    for var in ("AUTOGRADER_DATA", "AUTOGRADER_SAMPLE_SIZE"):
        # setenv first: monkeypatch records only what it changes, and the undo must also remove
        # what the config sets (a delenv of an unset variable would record nothing).
        monkeypatch.setenv(var, "")
        monkeypatch.delenv(var)
    cfg = PyFileConfigLoader(CONFIG_NAME, path=str(built.course)).load_config()
    assert GenerateAssignment(config=cfg).preprocessors == release_preprocessors()
    assert Execute(config=cfg).timeout == 300
    assert os.environ["AUTOGRADER_DATA"] == "sample" and os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3"
    assert os.environ["AUTOGRADER_SAMPLE_SIZE"] == "64"  # the grading sample of check and grade
    assert os.environ["PATH"].split(os.pathsep)[0] == os.path.dirname(sys.executable)


def test_cli_prints_the_assignment_and_refuses_bad_input(tmp_path, capsys):
    assert cli.main(["nbgrader", str(tmp_path / "c"), "--assignment", "week5", "--exercise", FIRST.name]) == 0
    assert capsys.readouterr().out == "week5\n"
    assert (tmp_path / "c" / "source" / "week5" / NOTEBOOK).is_file()

    afile = tmp_path / "afile"
    afile.write_text("x")
    assert cli.main(["nbgrader", str(afile)]) == 2
    assert capsys.readouterr().err == f"autograder: {afile} is a file, not a course directory\n"

    assert cli.main(["nbgrader", str(tmp_path / "c"), "--assignment", "../up"]) == 2
    assert "assignment name" in capsys.readouterr().err

    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / CONFIG_NAME).write_text("c = get_config()\n")
    assert cli.main(["nbgrader", str(foreign)]) == 2
    assert "was not written by autograder" in capsys.readouterr().err
    assert (foreign / CONFIG_NAME).read_text() == "c = get_config()\n"
    assert not (foreign / "source").exists()


# --- the test-cell helper --------------------------------------------------------------------------

def test_grade_prints_a_pass_to_stdout_and_a_failure_to_stderr_and_returns_nothing(monkeypatch, capsys):
    # nbgrader scores a test cell 0 if it wrote to stderr, full points otherwise; no Out[n] value
    ns = {"is_overfitting": True}
    monkeypatch.setattr(selfcheck, "_namespace", lambda: ns)
    assert nbgrader_cells.grade("overfitting.is_overfitting", exercise=FIRST.name) is None
    assert capsys.readouterr() == ("✓ Is the model overfitting  [1/1]\n", "")
    assert nbgrader_cells.grade("overfitting.is_overfitting", points=2.5) is None
    assert capsys.readouterr() == ("✓ Is the model overfitting  [2.5/2.5]\n", "")
    ns["is_overfitting"] = False
    assert nbgrader_cells.grade("overfitting.is_overfitting", points=2.5) is None
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("✗ Is the model overfitting  [0/2.5]\n`is_overfitting = False` is not right.")
    assert nbgrader_cells.grade("overfitting.is_overfitting") is None  # the only exercise with that tag
    assert capsys.readouterr().err.startswith("✗ Is the model overfitting  [0/1]\n")
    with pytest.raises(ValueError, match="unknown check tag"):
        nbgrader_cells.grade("no.such_tag")
    with pytest.raises(UnknownExercise, match="the exercises are"):
        nbgrader_cells.grade("compile.loss", exercise="no_such_exercise")


def test_grade_keeps_stderr_clean_even_when_the_check_is_noisy(monkeypatch, capfd):
    def noisy(challenge, ns=None, exercise=None):
        print("python stderr", file=sys.stderr)
        os.write(2, b"descriptor 2 (TensorFlow's C++ logs)\n")
        warnings.warn("a warning")
        logging.getLogger("absl").error("an absl log")
        return [Result("compile.loss", "t", "compile", "passed", 1.0, 1.0, "")]

    monkeypatch.setattr(selfcheck, "results", noisy)
    nbgrader_cells.grade("compile.loss", exercise=FIRST)
    captured = capfd.readouterr()
    assert captured.err == "" and "✓" in captured.out
    print("after", file=sys.stderr)  # stderr works again afterwards
    assert capfd.readouterr().err == "after\n"


def test_grade_turns_a_grader_error_into_zero_with_a_message(monkeypatch, capsys):
    def broken(challenge, ns=None, exercise=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(selfcheck, "results", broken)
    nbgrader_cells.grade("compile.loss", exercise=FIRST.name)
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("✗ ") and "could not check this (RuntimeError: boom)" in err


# --- the real nbgrader, end to end -----------------------------------------------------------------

def run(args: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return proc


def nbgrader_env() -> dict:
    """The environment of an instructor's shell: no test settings, the virtualenv not activated."""
    env = {k: v for k, v in os.environ.items() if k not in ("AUTOGRADER_DATA", "MPLBACKEND", "TF_CPP_MIN_LOG_LEVEL")}
    bindir = os.path.dirname(sys.executable)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != bindir)
    return env


def submission(release, fill: bool, replace: dict[str, str] | None = None,
               tests: dict[str, tuple[str, dict]] | None = None):
    """The release as a student hands it in: challenges filled with the solution (edited by
    ``replace``) or left blank; ``tests`` edits test cells {grade_id: (source, nbgrader metadata)}."""
    nb = nbformat.from_dict(release)
    solution = {c.metadata["challenge"]: c.source for c in jupytext.read(SOLUTION).cells if c.metadata.get("challenge")}
    for old, new in (replace or {}).items():
        assert sum(text.count(old) for text in solution.values()) == 1, f"{old!r} must occur once in the solution"
        solution = {key: text.replace(old, new) for key, text in solution.items()}
    for cell in nb.cells:
        if fill and cell.metadata.get("challenge"):
            cell.source = solution[cell.metadata["challenge"]]
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in (tests or {}):
            cell.source, meta = tests[gid]
            cell.metadata.nbgrader.update(meta)
    return nb


def submit(course: Path, students: dict) -> dict:
    """Put each student's notebook where nbgrader collects it; return the paths by student."""
    paths = {}
    for student, nb in students.items():
        paths[student] = course / "submitted" / student / ASSIGNMENT / NOTEBOOK
        paths[student].parent.mkdir(parents=True)
        nbformat.write(nb, paths[student])
    return paths


def autograde_and_export(course: Path, env: dict) -> float:
    """`nbgrader autograde` then `nbgrader export`, as an instructor runs them; autograde's wall time."""
    nbgrader = [sys.executable, "-m", "nbgrader"]
    start = time.perf_counter()
    run([*nbgrader, "autograde", ASSIGNMENT], course, env)
    seconds = time.perf_counter() - start
    run([*nbgrader, "export"], course, env)
    return seconds


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """Build with our command, release, submit four notebooks, autograde, export, feedback."""
    course = tmp_path_factory.mktemp("nbgrader") / "course"
    env = nbgrader_env()
    nbgrader = [sys.executable, "-m", "nbgrader"]
    built = run([sys.executable, "-m", "autograder.cli", "nbgrader", str(course), "--exercise", FIRST.name],
                course.parent, env)
    assert built.stdout == f"{ASSIGNMENT}\n"
    run([*nbgrader, "generate_assignment", ASSIGNMENT], course, env)
    release = nbformat.read(course / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    students = {
        "full": submission(release, fill=True),
        "partial": submission(release, fill=True, replace={
            "'sparse_categorical_crossentropy'": "'categorical_crossentropy'",
            "is_overfitting = True": "is_overfitting = False"}),
        "blank": submission(release, fill=False),
        "tampered": submission(release, fill=False, tests=TAMPERING),
    }
    submit(course, students)
    autograde_seconds = autograde_and_export(course, env)
    run([*nbgrader, "generate_feedback", ASSIGNMENT], course, env)
    with open(course / "grades.csv", newline="") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    print(f"\nautograde of {len(students)} notebooks: {autograde_seconds:.1f} s")
    return SimpleNamespace(path=course, release=release, rows=rows, autograde_seconds=autograde_seconds,
                           autograded={s: nbformat.read(course / "autograded" / s / ASSIGNMENT / NOTEBOOK, 4)
                                       for s in students},
                           feedback={s: (course / "feedback" / s / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text("utf-8")
                                     for s in students})


def test_release_shows_the_lesson_cells_with_their_blanks(course):
    lesson = jupytext.read(LESSON)
    released = [c for c in course.release.cells if not c.metadata.get("nbgrader", {}).get("grade")]
    assert [(c.cell_type, c.source) for c in released] == [(c.cell_type, c.source) for c in lesson.cells]
    challenges = [c for c in released if c.metadata.get("challenge")]
    assert len(challenges) == len(FIRST.challenges) and all(rubric.BLANK in c.source for c in challenges)
    assert not any("NotImplementedError" in c.source or "autograder" in c.metadata for c in course.release.cells)
    assert len(graded_cells(course.release)) == 13


def test_exported_scores_full_partial_zero(course):
    assert PARTIAL_SCORE == 6
    scores = {s: (float(r["score"]), float(r["max_score"])) for s, r in course.rows.items()}
    assert scores == {"full": (TOTAL, TOTAL), "partial": (PARTIAL_SCORE, TOTAL),
                      "blank": (0.0, TOTAL), "tampered": (0.0, TOTAL)}


def test_each_test_cell_prints_a_pass_to_stdout_a_failure_to_stderr_and_nbgrader_scores_it(course):
    from nbgrader.utils import determine_grade

    for student, nb in course.autograded.items():
        for cell in graded_cells(nb):
            tag = cell.metadata.nbgrader.grade_id
            passed = student == "full" or (student == "partial" and tag not in {grade_id(t) for t in PARTIAL_FAILS})
            # (a busy kernel may split one print into several outputs); no execute_result: no Out[n]
            kinds = {o.output_type + ("/" + o.name if o.output_type == "stream" else "") for o in cell.outputs}
            assert kinds == {"stream/stdout" if passed else "stream/stderr"}, (student, tag, kinds)
            text = "".join(o.text for o in cell.outputs)
            assert text.startswith("✓" if passed else "✗"), (student, tag, text)
            points = cell.metadata.nbgrader.points
            assert determine_grade(cell) == (points if passed else 0, points)


def test_edited_locked_test_cells_are_restored_before_grading(course):
    originals = {c.metadata.nbgrader.grade_id: c.source for c in graded_cells(course.release)}
    graded = {c.metadata.nbgrader.grade_id: c for c in graded_cells(course.autograded["tampered"])}
    for gid in TAMPERING:
        assert graded[gid].source == originals[gid]
        assert graded[gid].metadata.nbgrader.points == 1.0
        # A submission's "locked": false stays in the metadata, but nbgrader treats every grade
        # cell as locked whatever that flag says, so the checksum test still applies.
        assert is_locked(graded[gid])
    assert "all good" not in course.feedback["tampered"]


def test_feedback_html_has_our_feedback(course):
    assert LOSS_FEEDBACK not in LESSON.read_text(encoding="utf-8")  # so it can only come from a check
    assert LOSS_FEEDBACK in course.feedback["partial"]
    assert "✗ The loss is sparse categorical cross-entropy  [0/1]" in course.feedback["partial"]
    assert "✓ The optimizer is Adam  [1/1]" in course.feedback["full"]
    assert LOSS_FEEDBACK not in course.feedback["full"]
