"""The Gradescope package end to end: `autograder gradescope` builds autograder.zip; its
run_autograder, unpacked into a simulated /autograder tree, always writes a valid results.json.

Real gradings (a cold worker each) are kept to the four cases that need one.
"""
from __future__ import annotations

import json
import math
import os
import shutil
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import jupytext
import pytest

from conftest import FIRST, SOLUTION
from autograder.integrations.sampleclass import variant_text

BIN = Path(sys.executable).parent  # .venv/bin: where run_autograder's `python3` must come from
POINTS = {"compile.loss": 2}
TOTAL = sum(c.points for c in FIRST.checks.values()) + 1  # compile.loss is worth 2

# --- Gradescope's results.json, as its specification describes it ----------------------------
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
TOP_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
            "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
TEST_KEYS = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
             "tags", "visibility", "extra_data"}


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def validate(doc: object) -> list[str]:
    """What is wrong with a results document (empty when it follows the spec)."""
    if not isinstance(doc, dict):
        return ["the document is not a JSON object"]
    errors = [f"unknown key {k!r}" for k in set(doc) - TOP_KEYS]
    tests = doc.get("tests", [])
    if not isinstance(tests, list):
        return errors + ["tests is not a list"]
    if "score" not in doc and not (tests and all(isinstance(t, dict) and "score" in t for t in tests)):
        errors.append("no top-level score and not every test has one")
    for key in ("score", "execution_time"):
        if key in doc and not _number(doc[key]):
            errors.append(f"{key} is not a number: {doc[key]!r}")
    for key in ("output_format", "test_output_format", "test_name_format"):
        if key in doc and doc[key] not in FORMATS:
            errors.append(f"{key} {doc[key]!r} not in {FORMATS}")
    for key in ("visibility", "stdout_visibility"):
        if key in doc and doc[key] not in VISIBILITY:
            errors.append(f"{key} {doc[key]!r} not in {VISIBILITY}")
    if "output" in doc and not isinstance(doc["output"], str):
        errors.append("output is not a string")
    if "extra_data" in doc and not isinstance(doc["extra_data"], dict):
        errors.append("extra_data is not an object")
    for i, t in enumerate(tests):
        if not isinstance(t, dict):
            errors.append(f"tests[{i}] is not an object")
            continue
        errors += [f"tests[{i}]: unknown key {k!r}" for k in set(t) - TEST_KEYS]
        for key in ("score", "max_score"):
            if key in t and not _number(t[key]):
                errors.append(f"tests[{i}].{key} is not a number")
        for key in ("name", "number", "output"):
            if key in t and not isinstance(t[key], str):
                errors.append(f"tests[{i}].{key} is not a string")
        if t.get("status", "passed") not in {"passed", "failed"}:
            errors.append(f"tests[{i}].status {t['status']!r}")
        for key in ("output_format", "name_format"):
            if key in t and t[key] not in FORMATS:
                errors.append(f"tests[{i}].{key} {t[key]!r}")
        if "visibility" in t and t["visibility"] not in VISIBILITY:
            errors.append(f"tests[{i}].visibility {t['visibility']!r}")
        if "tags" in t and not (isinstance(t["tags"], list) and all(isinstance(x, str) for x in t["tags"])):
            errors.append(f"tests[{i}].tags is not a list of strings")
        if "extra_data" in t and not isinstance(t["extra_data"], dict):
            errors.append(f"tests[{i}].extra_data is not an object")
    return errors


def load_results(path: Path) -> dict:
    """results.json, strictly (no NaN), after checking it follows the spec."""
    def no_constants(name):
        raise ValueError(f"{name} is not JSON")

    doc = json.loads(path.read_text(encoding="utf-8"), parse_constant=no_constants)
    assert validate(doc) == [], validate(doc)
    leftovers = [p.name for p in path.parent.glob(f"{path.name}?*")]
    assert not leftovers, f"temporary files left next to {path.name}: {leftovers}"
    return doc


def test_validator_rejects_what_gradescope_rejects():
    good = {"score": 1, "output_format": "md", "tests": [{"score": 1, "visibility": "visible"}]}
    assert validate(good) == []
    assert validate({"tests": [{"max_score": 1}]})  # no score anywhere
    assert validate({"score": "1"})
    assert validate({"score": 1, "visibility": "later"})
    assert validate({"score": 1, "output_format": "markdown"})
    assert validate({"score": 1, "tests": [{"score": 1, "status": "error"}]})
    assert validate({"score": 1, "scores": 2})


# --- the package ------------------------------------------------------------------------------

def cli(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], capture_output=True, text=True,
                          timeout=600, **kw)


def unpack(zip_path: Path, dest: Path) -> None:
    """Unpack as Gradescope does, keeping the files' modes."""
    dest.mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            target = dest / info.filename
            target.write_bytes(zf.read(info))
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                target.chmod(mode)


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    """autograder.zip built by the CLI, unpacked; returns the unpacked folder."""
    tmp = tmp_path_factory.mktemp("gradescope")
    points = tmp / "points.json"
    points.write_text(json.dumps(POINTS))
    proc = cli("gradescope", str(tmp / "out"), "--test-visibility", "overfitting=after_due_date",
               "--test-visibility", "compile.loss=hidden", "--stdout-visibility", "after_published",
               "--points", str(points), "--timeout", "300")
    assert proc.returncode == 0, proc.stderr
    zip_path = tmp / "out" / "autograder.zip"
    assert str(zip_path) in proc.stdout
    unpack(zip_path, tmp / "source")
    return tmp / "source"


def test_package_holds_setup_run_pins_wheel_and_settings(package):
    names = sorted(p.name for p in package.iterdir())
    wheels = [n for n in names if n.endswith(".whl")]
    assert len(wheels) == 1
    assert names == sorted(["setup.sh", "run_autograder", "constraints.txt", "requirements.txt",
                            "settings.json", wheels[0]])
    for script in ("setup.sh", "run_autograder"):
        assert os.access(package / script, os.X_OK), f"{script} is not executable"
        assert (package / script).read_text().startswith("#!/usr/bin/env bash\n")
        check = subprocess.run(["bash", "-n", str(package / script)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr

    pins = (package / "constraints.txt").read_text()
    tf = next(l.split("==")[1].strip() for l in pins.splitlines() if l.startswith("tensorflow=="))
    setup = (package / "setup.sh").read_text()
    assert f'"tensorflow-cpu=={tf}"' in setup and '-c "$HERE/constraints.txt"' in setup
    assert f'pip install --no-deps "$HERE/{wheels[0]}"' in setup
    assert "http" not in setup  # the package index only, no other downloads
    reqs = (package / "requirements.txt").read_text().split()
    assert reqs and not any(r.split(">")[0].split("=")[0].lower() == "tensorflow" for r in reqs)

    with zipfile.ZipFile(package / wheels[0]) as whl:
        inside = whl.namelist()
    assert "autograder/integrations/gradescope.py" in inside and "autograder/judge/rubric.py" in inside

    settings = json.loads((package / "settings.json").read_text())
    assert settings["test_visibility"] == {"overfitting": "after_due_date", "compile.loss": "hidden"}
    assert settings["stdout_visibility"] == "after_published" and settings["visibility"] == "visible"
    assert settings["points"][FIRST.name]["compile.loss"] == 2 and settings["timeout"] == 300
    assert settings["exercise"] is None  # each submission is graded as the exercise it is


@pytest.mark.parametrize("args, words", [
    (["--test-visibility", "overfit=hidden"], ["unknown challenge or check 'overfit'"]),
    (["--test-visibility", "overfitting"], ["CHALLENGE_OR_TAG=VISIBILITY"]),
    (["--visibility", "later"], ["'later' is not one of"]),
    (["--exercise", "no_such_exercise"], ["there is no exercise 'no_such_exercise'", FIRST.name]),
])
def test_bad_options_are_named_and_write_nothing(tmp_path, args, words):
    proc = cli("gradescope", str(tmp_path / "out"), *args)
    assert proc.returncode == 2
    assert all(w in proc.stderr for w in words), proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "out" / "autograder.zip").exists()


# --- run_autograder in a simulated /autograder ------------------------------------------------

def run_autograder(package: Path, tmp_path: Path, files: dict[str, str | bytes],
                   path_first: Path = BIN) -> tuple[dict, float]:
    """Lay out /autograder (source, submission, results) under tmp_path, run run_autograder
    there, and return the validated results.json and the wall time."""
    root = tmp_path / "autograder"
    shutil.copytree(package, root / "source")
    (root / "submission").mkdir(parents=True)
    (root / "results").mkdir()
    for i, (rel, data) in enumerate(files.items()):  # later entries are newer
        target = root / "submission" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        os.utime(target, (1_700_000_000 + 60 * i, 1_700_000_000 + 60 * i))
    env = dict(os.environ, GRADESCOPE_ROOT=str(root), PATH=f"{path_first}{os.pathsep}{os.environ['PATH']}")
    start = time.monotonic()
    proc = subprocess.run([str(root / "source" / "run_autograder")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=900)
    seconds = time.monotonic() - start
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return load_results(root / "results" / "results.json"), seconds


def _by_tag(doc: dict) -> dict:
    return {t["tags"][0]: t for t in doc["tests"]}


def test_solution_py_full_marks_with_the_instructors_settings(package, tmp_path):
    doc, seconds = run_autograder(package, tmp_path, {"solution.py": SOLUTION.read_text()})
    print(f"\nrun_autograder on the solution: {seconds:.1f} s (execution_time {doc['execution_time']} s)")
    assert doc["score"] == TOTAL and sum(t["max_score"] for t in doc["tests"]) == TOTAL
    assert doc["output_format"] == doc["test_output_format"] == "md"
    assert doc["stdout_visibility"] == "after_published" and doc["visibility"] == "visible"
    assert 0 < doc["execution_time"] <= seconds + 1
    assert "`solution.py`" in doc["output"]
    tests = _by_tag(doc)
    assert list(tests) == list(FIRST.checks) and doc["extra_data"]["exercise"] == FIRST.name
    assert tests["compile.loss"]["max_score"] == 2 and tests["compile.loss"]["visibility"] == "hidden"
    for tag, t in tests.items():
        want = "after_due_date" if tag.startswith("overfitting.") else "hidden" if tag == "compile.loss" else "visible"
        assert t["visibility"] == want, tag
        assert t["status"] == "passed" and t["extra_data"]["outcome"] == "passed"
    assert tests["compile.loss"]["extra_data"]["answer"] == "sparse_categorical_crossentropy"


def test_notebook_with_spaces_and_parentheses_in_a_subfolder(package, tmp_path):
    notebook = jupytext.writes(jupytext.reads(SOLUTION.read_text(), fmt="py:percent"), fmt="ipynb")
    doc, _ = run_autograder(package, tmp_path, {"week 3/my notebook (1).ipynb": notebook})
    assert doc["score"] == TOTAL
    assert "`week 3/my notebook (1).ipynb`" in doc["output"]


def test_the_lesson_submission_is_graded_not_the_unrelated_script(package, tmp_path):
    doc, _ = run_autograder(package, tmp_path, {
        "answers.py": variant_text("five_epochs"),
        "helper.py": "def mean(xs):\n    return sum(xs) / len(xs)\n",  # newer, but not the lesson
    })
    tests = _by_tag(doc)
    assert doc["score"] == TOTAL - 1 and tests["fit.epochs"]["score"] == 0
    assert tests["fit.epochs"]["extra_data"]["outcome"] == "incorrect"
    assert "Graded `answers.py`" in doc["output"] and "`helper.py` (not a submission of this lesson)" in doc["output"]


def test_two_lesson_submissions_the_newest_is_graded_and_said(package, tmp_path):
    doc, _ = run_autograder(package, tmp_path, {
        "draft.py": SOLUTION.read_text(),
        "final.py": variant_text("wrong_answers"),  # newer
    })
    tests = _by_tag(doc)
    assert tests["overfitting.is_overfitting"]["score"] == 0 and tests["overfitting.curves_similar"]["score"] == 0
    assert doc["score"] == TOTAL - 2
    assert "`draft.py`" in doc["output"] and "graded the newest, `final.py`" in doc["output"]


@pytest.mark.parametrize("files, words", [
    ({}, ["holds no file"]),
    ({"sub.py": ""}, ["sub.py", "empty"]),
    ({"sub.ipynb": bytes(range(256))}, ["sub.ipynb", "binary"]),
    ({"README.md": "# my answers\n"}, ["no notebook or script", "`README.md`"]),
    ({"plot.py": "import math\nprint(math.pi)\n"}, ["`plot.py` is not a submission of this lesson"]),
    ({"README.md": "hi\n", "notes/plot.py": "x = 1\n"},
     ["None of the files", "`README.md` (not a `.py` or `.ipynb` file)",
      "`notes/plot.py` (not a submission of this lesson)"]),
])
def test_nothing_to_grade_scores_zero_and_names_the_problem(package, tmp_path, files, words):
    doc, _ = run_autograder(package, tmp_path, files)
    assert doc["score"] == 0 and all(t["score"] == 0 for t in doc["tests"])
    assert sum(t["max_score"] for t in doc["tests"]) == TOTAL  # the assignment's points still show
    assert all(w in doc["output"] for w in words), doc["output"]
    assert "Traceback" not in doc["output"]


def test_a_python_that_cannot_start_still_gets_a_valid_results_json(package, tmp_path):
    broken = tmp_path / "broken-bin"
    broken.mkdir()
    fake = broken / "python3"
    fake.write_text("#!/bin/sh\necho 'python3: cannot start' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    doc, _ = run_autograder(package, tmp_path, {"solution.py": SOLUTION.read_text()}, path_first=broken)
    assert doc["score"] == 0 and "could not start" in doc["output"]


def test_our_own_failure_still_answers(tmp_path, monkeypatch):
    from autograder.integrations import gradescope

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(gradescope, "grade", broken)
    (tmp_path / "submission").mkdir()
    assert gradescope.run(tmp_path) == 0
    doc = load_results(tmp_path / "results" / "results.json")
    assert doc["score"] == 0 and "disk on fire" in doc["output"] and "tell your instructor" in doc["output"]


# --- autograder check --output ----------------------------------------------------------------

def test_check_output_for_a_missing_file_exit_2(tmp_path):
    out = tmp_path / "results.json"
    proc = cli("check", str(tmp_path / "nope.py"), "--output", str(out))
    assert proc.returncode == 2 and "no such file" in proc.stderr
    doc = load_results(out)
    assert doc["score"] == 0 and "nope.py: no such file" in doc["output"]


def test_check_output_for_a_bad_points_file_exit_2(tmp_path):
    out = tmp_path / "results.json"
    bad = tmp_path / "points.json"
    bad.write_text('{"compile.los": 2}')
    proc = cli("check", str(SOLUTION), "--points", str(bad), "--output", str(out))
    assert proc.returncode == 2
    doc = load_results(out)
    assert doc["score"] == 0 and "compile.los" in doc["output"]


def test_check_output_for_an_empty_file_exit_1(tmp_path):
    sub = tmp_path / "empty.ipynb"
    sub.write_text("")
    out = tmp_path / "results.json"
    proc = cli("check", str(sub), "--output", str(out))
    assert proc.returncode == 1
    assert "empty" in proc.stdout  # the text report still goes to stdout
    doc = load_results(out)
    assert doc["score"] == 0 and "empty.ipynb: the file is empty" in doc["output"]
    assert {t["extra_data"]["outcome"] for t in doc["tests"]} == {"incorrect"}


def test_a_foreign_file_is_described_with_the_exercise_it_was_read_as(tmp_path):
    """The "not a submission of this lesson" message comes from the exercise's own table."""
    from autograder import exercises
    from autograder.integrations.gradescope import choose

    (tmp_path / "plot.py").write_text("import math\nprint(math.pi)\n")
    for exercise in exercises.all_exercises():
        choice = choose(tmp_path, exercise.name)
        expected = exercise.table.NOT_LESSON.format(name="`plot.py`")
        assert choice.problem and expected in choice.problem, choice.problem
    dropout = choose(tmp_path, "dropout").problem
    assert "Dropout layer" in dropout and "Dropout layer" not in choose(tmp_path, exercises.first().name).problem
