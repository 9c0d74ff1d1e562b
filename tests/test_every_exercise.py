"""Every registered exercise, through every user path: its solution gets full marks through `check`
(as .py and .ipynb), its untouched lesson gets 0 with every blank reported, its self-checks pass on the
solution in a real kernel, and its nbgrader course autogrades the solution to full marks.

A new exercise folder is picked up here without editing this file."""
from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from autograder import exercises
from autograder.judge import rubric

EXERCISES = exercises.all_exercises()
IDS = [e.name for e in EXERCISES]


def cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], capture_output=True, text=True,
                          timeout=600, cwd=cwd, env=env)


def full_marks(exercise: exercises.Exercise) -> float:
    return sum(exercise.points().values())


def test_the_registry_lists_at_least_two_exercises_in_course_order():
    assert len(EXERCISES) >= 2
    orders = [e.table.ORDER for e in EXERCISES]
    assert orders == sorted(orders)
    listed = cli("exercises")
    assert listed.returncode == 0, listed.stderr
    for exercise in EXERCISES:
        assert exercise.name in listed.stdout and exercise.title in listed.stdout


def test_the_lessons_import_paths_refuse_two_exercises_exporting_one_name():
    """`autograder.model` and `autograder.figures` gather every exercise's public names: the same
    object under one name is fine, two different ones is an authoring error that names both."""
    from types import SimpleNamespace

    def build():
        return "a model"

    first = SimpleNamespace(__all__=["build", "plot"], build=build, plot=print)
    again = SimpleNamespace(__all__=["build"], build=build)
    other = SimpleNamespace(__all__=["plot"], plot=repr)
    assert exercises.merge_public("model", [("one", first), ("two", again)]) == {"build": build, "plot": print}
    with pytest.raises(ValueError, match=r"exercises one and three both export 'plot' from their figures\.py"):
        exercises.merge_public("figures", [("one", first), ("two", again), ("three", other)])
    for part in ("model", "figures"):  # the registered exercises agree
        assert exercises.public(part)


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_solution_gets_full_marks_as_py_and_ipynb(exercise, tmp_path):
    notebook = tmp_path / f"{exercise.name}_solution.ipynb"
    jupytext.write(jupytext.read(exercise.solution), notebook)
    for path in (exercise.solution, notebook):
        proc = cli("check", str(path), "--format", "json")
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        result = json.loads(proc.stdout)
        failed = [(t["tags"], t["output"]) for t in result["tests"] if t["status"] != "passed"]
        assert not failed, f"{path.name}: {failed}"
        assert result["score"] == full_marks(exercise)
        assert [t["tags"] for t in result["tests"]] == [[tag] for tag in exercise.checks]


def _blank_lines(path: Path) -> list[int]:
    """Line numbers of the lesson's blanks (outside comments)."""
    lines = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        code = line.split("#", 1)[0]
        if re.search(r"\b_{5}\b", code):
            lines.append(n)
    return lines


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_untouched_lesson_gets_zero_with_every_blank_reported(exercise):
    proc = cli("check", str(exercise.lesson), "--format", "json")
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    assert result["score"] == 0
    assert all(t["score"] == 0 and "`_____`" in t["output"] for t in result["tests"]), result["tests"]
    text = "\n".join(t["output"] for t in result["tests"])
    blanks = _blank_lines(exercise.lesson)
    assert blanks, "a lesson has blanks"
    missing = [n for n in blanks if not re.search(rf"\b{n}\b", text)]
    assert not missing, f"blank lines not named in the report: {missing}"


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_self_checks_pass_on_the_solution_in_a_real_kernel(exercise, tmp_path):
    nb = jupytext.read(exercise.solution)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    checks = [c for c in nb.cells if c.cell_type == "code" and "selfcheck.check(" in c.source]
    assert len(checks) == len(exercise.challenges)
    for cell in checks:
        out = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        assert rubric.SELFCHECK_MESSAGES["all_passed"] in out, f"{cell.source!r}: {out}"
        assert "✗" not in out


def _instructor_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("AUTOGRADER_DATA", "MPLBACKEND", "TF_CPP_MIN_LOG_LEVEL")}
    bindir = os.path.dirname(sys.executable)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != bindir)
    return env


def _run(args: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return proc


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_nbgrader_course_autogrades_the_solution_to_full_marks(exercise, tmp_path):
    course, env = tmp_path / "course", _instructor_env()
    nbgrader = [sys.executable, "-m", "nbgrader"]
    built = _run([sys.executable, "-m", "autograder.cli", "nbgrader", str(course), "--exercise", exercise.name],
                 tmp_path, env)
    assignment = built.stdout.strip()
    assert assignment == exercise.table.NBGRADER_ASSIGNMENT
    _run([*nbgrader, "generate_assignment", assignment], course, env)
    release_dir = course / "release" / assignment
    (notebook,) = release_dir.glob("*.ipynb")
    release = nbformat.read(notebook, as_version=4)
    solution = {c.metadata["challenge"]: c.source for c in jupytext.read(exercise.solution).cells
                if c.metadata.get("challenge")}
    filled = 0
    for cell in release.cells:
        if cell.metadata.get("challenge"):
            cell.source = solution[cell.metadata["challenge"]]
            filled += 1
    assert filled == len(exercise.challenges)
    target = course / "submitted" / "student" / assignment / notebook.name
    target.parent.mkdir(parents=True)
    nbformat.write(release, target)
    _run([*nbgrader, "autograde", assignment], course, env)
    _run([*nbgrader, "export"], course, env)
    with open(course / "grades.csv", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert float(row["score"]) == float(row["max_score"]) == full_marks(exercise)
