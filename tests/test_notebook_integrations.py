"""The notebook integrations for every exercise: the made-up class, the self-check's exercise,
the nbgrader test cells and course builder (no kernel: fast)."""
from __future__ import annotations

import json

import jupytext
import nbformat
import pytest

from autograder import exercises, selfcheck
from autograder.integrations import nbgrader_cells
from autograder.integrations import sampleclass
from autograder.exercises import UnknownExercise
from autograder.integrations.nbgrader_course import build_courses, grade_id, source_notebook
from conftest import FIRST

ALL = exercises.all_exercises()
IDS = [e.name for e in ALL]


@pytest.fixture
def fresh_kernel(monkeypatch):
    """A kernel whose exercise nothing has said yet, with an empty namespace."""
    ns: dict = {}
    monkeypatch.setattr(selfcheck, "_exercise", None)
    monkeypatch.setattr(selfcheck, "_cells", {})
    monkeypatch.setattr(selfcheck, "_namespace", lambda: ns)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    return ns


# --- the made-up class ---------------------------------------------------------------------------

@pytest.mark.parametrize("exercise", ALL, ids=IDS)
def test_every_variant_is_the_solution_with_its_replacements(exercise):
    solution = exercise.solution.read_text(encoding="utf-8")
    table = sampleclass.variants(exercise)
    assert "correct" in table and sampleclass.variant_text("correct", exercise.name) == solution
    for name, (replacements, failing) in table.items():
        text = sampleclass.variant_text(name, exercise)
        assert (text == solution) == (not replacements), name
        assert all(new in text for new in replacements.values())
        assert failing <= set(exercise.checks), (name, failing - set(exercise.checks))


def test_the_old_import_of_variants_is_the_first_exercises():
    from autograder.integrations.sampleclass import VARIANTS

    assert VARIANTS == sampleclass.variants(FIRST) and "categorical_loss" in VARIANTS
    with pytest.raises(AttributeError):
        sampleclass.NO_SUCH_NAME  # noqa: B018


def test_a_mixed_class_has_every_exercise_and_names_it(tmp_path):
    pairs = sampleclass.class_variants()
    assert {e.name for e, _ in pairs} == set(IDS)
    paths = sampleclass.write_class(tmp_path, None)
    assert len(paths) == len(pairs)
    for path, (exercise, name) in zip(paths, pairs):
        assert path.name.endswith(f"_{exercise.name}_{name}.py")
        assert path.read_text(encoding="utf-8") == sampleclass.variant_text(name, exercise)
    one = sampleclass.write_class(tmp_path / "one", 2, notebooks=True, exercise=FIRST.name)
    assert [p.name for p in one] == ["student001_correct.ipynb", "student002_correct_spellings.ipynb"]
    with pytest.raises(UnknownExercise):
        sampleclass.write_class(tmp_path / "bad", 1, exercise="no_such_exercise")


# --- the self-check's exercise -------------------------------------------------------------------

@pytest.mark.parametrize("exercise", ALL, ids=IDS)
def test_the_kernel_finds_its_exercise_from_the_names_it_holds(exercise, fresh_kernel):
    fresh_kernel.update({name: object() for name in exercise.table.SIGNATURE_NAMES})
    assert selfcheck.exercise_of() is exercise
    fresh_kernel.clear()  # found once: kept for later checks
    assert selfcheck.exercise_of() is exercise


@pytest.mark.parametrize("exercise", ALL, ids=IDS)
@pytest.mark.parametrize("suffix", [".ipynb", ".py"])
def test_the_kernel_reads_its_exercise_from_its_notebooks_metadata(exercise, suffix, fresh_kernel, tmp_path):
    text = exercise.lesson.read_text(encoding="utf-8")
    if "#   autograder:" not in text:  # the header as a lesson writes it
        text = text.replace("# jupyter:\n", f"# jupyter:\n#   autograder:\n#     exercise: {exercise.name}\n", 1)
    path = tmp_path / f"lesson{suffix}"
    if suffix == ".py":
        path.write_text(text, encoding="utf-8")
    else:
        jupytext.write(jupytext.reads(text, fmt="py:percent"), path)
    other = next((e for e in ALL if e is not exercise), exercise)
    fresh_kernel.update({name: object() for name in other.table.SIGNATURE_NAMES})  # the metadata wins
    fresh_kernel["__session__"] = str(path)
    assert selfcheck.exercise_of() is exercise


def test_an_unreadable_notebook_falls_back_to_the_names(fresh_kernel, tmp_path):
    bad = tmp_path / "broken.ipynb"
    bad.write_text("{not json", encoding="utf-8")
    fresh_kernel.update({"__session__": str(bad), **{n: 1 for n in FIRST.table.SIGNATURE_NAMES}})
    assert selfcheck.notebook_metadata(fresh_kernel) is None
    assert selfcheck.exercise_of() is FIRST


def test_without_names_a_challenge_only_one_exercise_has_decides_else_the_first(fresh_kernel):
    assert selfcheck.exercise_of() is exercises.first()
    for exercise in ALL:
        for key in exercise.challenges:
            having = [e for e in ALL if key in e.challenges]
            assert selfcheck.exercise_of(challenge=key.upper()) is (having[0] if len(having) == 1 else exercises.first())
    assert selfcheck._exercise is None  # nothing kept: the names may tell later


@pytest.mark.parametrize("exercise", ALL, ids=IDS)
def test_start_forces_the_exercise_and_refuses_an_unknown_one(exercise, fresh_kernel, monkeypatch, capsys):
    monkeypatch.setattr(selfcheck._recorder, "install", lambda: None)  # no Keras patching here
    other = next((e for e in ALL if e is not exercise), exercise)
    fresh_kernel.update({name: object() for name in other.table.SIGNATURE_NAMES})
    selfcheck.start(exercise.name)
    assert selfcheck.exercise_of() is exercise
    challenge = next(iter(exercise.challenges))
    assert [r.tag for r in selfcheck.results(challenge)] == exercise.tags_for(challenge)
    selfcheck.hint(challenge)
    assert exercise.challenges[challenge].hint in capsys.readouterr().out
    with pytest.raises(UnknownExercise, match="the exercises are"):
        selfcheck.start("no_such_exercise")


@pytest.mark.parametrize("exercise", ALL, ids=IDS)
def test_results_judge_the_exercises_own_checks_with_its_collectors(exercise):
    groups = selfcheck.collectors(exercise)
    assert groups and all(callable(f) for f in groups.values())
    assert selfcheck.collectors(exercise.name) is groups  # loaded once
    for challenge in exercise.challenges:
        found = selfcheck.results(challenge, ns={}, exercise=exercise.name)
        assert [r.tag for r in found] == exercise.tags_for(challenge)
        assert all(r.status != "passed" for r in found)  # nothing defined: nothing passes


# --- nbgrader -------------------------------------------------------------------------------------

@pytest.mark.parametrize("exercise", ALL, ids=IDS)
def test_each_exercise_makes_a_source_notebook_whose_tests_name_it(exercise):
    nb = source_notebook(exercise=exercise.name)
    nbformat.validate(nb)
    assert nb.metadata["autograder"]["exercise"] == exercise.name
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert [c.metadata.nbgrader.grade_id for c in tests] == [grade_id(t) for t in exercise.checks]
    assert all(c.source.endswith(f", exercise={exercise.name!r})") for c in tests)


def test_build_courses_makes_one_assignment_per_exercise(tmp_path):
    builds = build_courses(tmp_path / "course")
    assert [b.assignment for b in builds] == [e.table.NBGRADER_ASSIGNMENT for e in ALL]
    for build, exercise in zip(builds, ALL):
        assert build.notebook == tmp_path / "course" / "source" / build.assignment / f"{exercise.lesson.stem}.ipynb"
        assert json.loads(build.notebook.read_text())["metadata"]["autograder"]["exercise"] == exercise.name


def test_a_test_cell_judges_the_check_of_the_exercise_it_names(fresh_kernel, monkeypatch, capsys):
    seen = []

    def results(challenge, ns=None, exercise=None):
        seen.append((challenge, exercise.name))
        return []

    monkeypatch.setattr(selfcheck, "results", results)
    for exercise in ALL:
        tag = next(iter(exercise.checks))
        nbgrader_cells.grade(tag, exercise=exercise.name)
        assert seen[-1] == (exercise.checks[tag].challenge, exercise.name)
    capsys.readouterr()
    with pytest.raises(ValueError, match="unknown check tag"):
        nbgrader_cells.grade("no.such_tag", exercise=FIRST)
