"""`autograder grade`: a class of mixed submissions, grades.csv, the class report, resume, Dask."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jupytext
import pandas as pd
import pytest

from autograder import exercises
from autograder.judge import rubric
from autograder.integrations.sampleclass import VARIANTS, variant_text
from conftest import FIRST

CLASS = ["correct", "categorical_loss", "metrics_not_list", "five_epochs", "wrong_answers"]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def classroom(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("class")
    subs = root / "subs"
    (subs / "section_b").mkdir(parents=True)
    for name in CLASS:
        (subs / f"{name}.py").write_text(variant_text(name))
    # a notebook in a sub-folder, with the same stem as a script elsewhere
    jupytext.write(jupytext.reads(variant_text("sgd"), fmt="py:percent"), subs / "section_b" / "correct.ipynb")
    (subs / "empty.py").write_text("")
    (subs / "broken.ipynb").write_text("{nope")
    (subs / ".ipynb_checkpoints").mkdir()
    (subs / ".ipynb_checkpoints" / "ignored.py").write_text(variant_text("correct"))
    (subs / "notes.txt").write_text("not a submission")
    return subs


@pytest.fixture(scope="module")
def graded(classroom) -> tuple[Path, subprocess.CompletedProcess]:
    out = classroom.parent / "out"
    proc = cli("grade", str(classroom), "--out", str(out), "--jobs", "2")
    return out, proc


def test_every_submission_gets_results_and_the_class_goes_on(graded):
    out, proc = graded
    assert proc.returncode == 0, proc.stderr
    grades = pd.read_csv(out / "grades.csv")
    assert len(grades) == len(CLASS) + 3  # + the notebook, the empty file and the broken notebook
    assert list(grades.columns[2:2 + len(FIRST.checks)]) == list(FIRST.checks)
    totals = dict(zip(grades.submission, grades.total))
    assert "correct" not in totals  # stems collide: relative paths are used
    assert totals["categorical_loss"] == 13 - len(VARIANTS["categorical_loss"][1])
    assert totals["wrong_answers"] == 11
    assert totals["section_b__correct.ipynb"] == 12 and totals["correct.py"] == 13  # the sgd notebook: one check fails
    assert totals["empty"] == 0 and totals["broken"] == 0
    problems = dict(zip(grades.submission, grades.problem.fillna("")))
    assert "empty" in problems["empty"] and "not a valid notebook" in problems["broken"]
    for key in grades.submission:
        doc = json.loads((out / key / "results.json").read_text())
        assert {"score", "tests"} <= set(doc) and len(doc["tests"]) == len(FIRST.checks)
        assert doc["extra_data"]["exercise"] == FIRST.name  # even a file that cannot be read
    assert "Graded 8 submissions" in proc.stdout
    # One exercise: today's layout, nothing per exercise.
    assert not list(out.glob("grades_*.csv")) and not list(out.glob("report_*.md"))


def test_class_report_and_plot(graded):
    out, _ = graded
    text = (out / "report.md").read_text()
    assert "| `compile.loss`" in text and "categorical_crossentropy ×1" in text
    assert "'accuracy' ×1" in text  # metrics='accuracy'
    assert "Submissions that could not be run" in text
    png = (out / "pass_rates.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


def test_check_and_grade_agree(graded, classroom):
    out, _ = graded
    for name in ("categorical_loss", "five_epochs"):
        proc = cli("check", str(classroom / f"{name}.py"), "--format", "json")
        single = json.loads(proc.stdout)
        batch = json.loads((out / name / "results.json").read_text())
        for doc in (single, batch):  # run details and times differ from one run to the next
            doc.pop("extra_data")
            doc.pop("execution_time")
        assert single == batch


def test_rerun_resumes_and_regrades_only_what_is_missing(graded, classroom):
    out, _ = graded
    kept = (out / "correct.py" / "results.json").stat().st_mtime_ns
    (out / "five_epochs" / "results.json").unlink()
    (out / "grades.csv").write_text("half a fi")  # as if a run was killed while writing
    proc = cli("grade", str(classroom), "--out", str(out), "--jobs", "1", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert (out / "correct.py" / "results.json").stat().st_mtime_ns == kept
    assert json.loads((out / "five_epochs" / "results.json").read_text())["score"] == 12
    assert len(pd.read_csv(out / "grades.csv")) == len(CLASS) + 3


def test_a_file_that_is_not_this_lesson_is_graded_and_named_in_the_class_report(tmp_path):
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "homework3.py").write_text("import math\nprint(math.pi)\n")
    proc = cli("grade", str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--quiet")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "out" / "homework3" / "results.json").read_text())
    assert doc["score"] == 0 and doc["extra_data"]["not_lesson"] is True and doc["extra_data"]["problem"] is None
    assert doc["output"].startswith(rubric.NOTE_MESSAGES["heading"]) and "not a submission of this lesson" in doc["output"]
    report_md = (tmp_path / "out" / "report.md").read_text()
    assert "## Submissions that are not this lesson" in report_md and str(tmp_path / "subs" / "homework3.py") in report_md


def test_grade_with_nothing_to_grade(tmp_path):
    proc = cli("grade", str(tmp_path), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "no submissions" in proc.stderr


def test_dask_local_cluster_gives_the_same_grades(graded, classroom, tmp_path):
    from distributed import LocalCluster

    out, _ = graded
    picked = classroom.parent / "picked"
    picked.mkdir()
    for name in ("correct", "categorical_loss", "wrong_answers"):
        (picked / f"{name}.py").write_text((classroom / f"{name}.py").read_text())
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        dask_out = tmp_path / "dask"
        proc = cli("grade", str(picked), "--out", str(dask_out), "--dask", cluster.scheduler_address, "--quiet")
    assert proc.returncode == 0, proc.stderr
    for name in ("correct", "categorical_loss", "wrong_answers"):
        a = json.loads((dask_out / name / "results.json").read_text())
        b = json.loads((out / ("correct.py" if name == "correct" else name) / "results.json").read_text())
        assert a["score"] == b["score"] and a["tests"] == b["tests"]


def test_a_changed_grader_regrades_instead_of_reusing_old_results(tmp_path, monkeypatch):
    """The resume key holds a fingerprint of the grader's code and data, not just its version."""
    from autograder.integrations import classgrade
    from autograder.run.runner import Limits

    entry = classgrade.Entry(tmp_path / "sub.py", "sub", "abc123")
    limits, points = Limits(), FIRST.points()
    stored = {"score": 13, "extra_data": {"sha256": "abc123", "exercise": FIRST.name,
                                          "settings": classgrade._settings(limits, points)}}
    (tmp_path / "out" / "sub").mkdir(parents=True)
    (tmp_path / "out" / "sub" / "results.json").write_text(json.dumps(stored))
    out = tmp_path / "out"
    assert classgrade._load_previous(out, entry, limits, None, None) == stored
    assert classgrade._load_previous(out, entry, limits, {FIRST.name: points}, None) == stored
    # other points for its exercise, or another exercise forced: graded again
    assert classgrade._load_previous(out, entry, limits, {FIRST.name: {**points, "compile.loss": 5.0}}, None) is None
    for other in [e for e in exercises.all_exercises() if e is not FIRST]:
        assert classgrade._load_previous(out, entry, limits, None, other) is None
    monkeypatch.setattr(classgrade, "grader_fingerprint", lambda: "a-changed-check")
    assert classgrade._load_previous(out, entry, limits, None, None) is None


def test_the_grader_fingerprint_covers_the_checks_and_the_lesson(tmp_path):
    import shutil

    from autograder.judge import checks
    from autograder.integrations import classgrade
    from conftest import SOLUTION

    files = classgrade.grader_files()
    for needed in (Path(checks.__file__), Path(SOLUTION), Path(rubric.__file__)):
        assert needed.resolve() in files
    for exercise in exercises.all_exercises():  # every exercise's folder, lesson and solution
        folder = Path(exercises.__file__).resolve().parent / exercise.name
        assert (folder / "table.py") in files and exercise.lesson.resolve() in files
        assert exercise.solution.resolve() in files
    copies = []
    for path in files:  # change copies, never the installed grader
        copy = tmp_path / f"{len(copies):03d}_{path.name}"
        shutil.copyfile(path, copy)
        copies.append(copy)
    before = classgrade.fingerprint(copies)
    assert before == classgrade.fingerprint(copies) and len(before) == 16
    target = copies[[p.name for p in files].index("checks.py")]
    target.write_bytes(target.read_bytes() + b"\n# a changed check\n")
    assert classgrade.fingerprint(copies) != before


@pytest.mark.parametrize("args", [[], ["--exercise", "no_such_exercise"], ["--points", "missing.yml"]],
                         ids=["nothing_to_grade", "unknown_exercise", "missing_points_file"])
def test_grade_starts_its_workers_first_and_leaves_none_behind(tmp_path, capsys, args):
    """`grade` starts its warm workers before anything else (TensorFlow loads while it reads the
    class); whether they are used, unused, or the command stops on a bad option, none outlives it."""
    import os

    from autograder import cli as cli_module
    from autograder.run.worker import descendants

    before = set(descendants(os.getpid()))
    assert cli_module.main(["grade", str(tmp_path), "--out", str(tmp_path / "out"), "--jobs", "2", *args]) == 2
    assert set(descendants(os.getpid())) - before == set()
    assert capsys.readouterr().err.strip()  # said why


def test_a_pool_made_early_grades_and_is_closed(tmp_path):
    from autograder.integrations.classgrade import grade_class
    from autograder.run.pool import LocalPool
    from autograder.run.runner import Limits

    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "five_epochs.py").write_text(variant_text("five_epochs"))
    pool = LocalPool(1)
    docs = grade_class([str(tmp_path / "subs")], tmp_path / "out", 1, Limits(), progress=False, pool=pool)
    assert [d["score"] for d in docs] == [12]
    assert not any(w.alive() for w in pool.workers)
