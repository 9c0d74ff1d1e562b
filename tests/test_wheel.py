"""The real wheel: built from this checkout, installed into a fresh virtualenv (not editable), used
from another folder, the way a course installs it.

The new virtualenv reuses the TensorFlow etc. already installed in the running environment
through a .pth file, and gets the wheel itself with ``--no-deps``. A second .pth file loads an
import blocker (``AUTOGRADER_TEST_BLOCK=mod1,mod2``) into every Python process of that
virtualenv, the grader's workers included, so the learner's commands are shown to run without
the instructor extras (nbgrader, Dask), and a missing extra is shown to give one line.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import jupytext
import nbformat
import pytest

from autograder import exercises
from conftest import LESSON, SOLUTION

REPO = Path(__file__).resolve().parent.parent
# Modules only the instructor extras bring (nbgrader pulls in the Jupyter server and nbconvert).
INSTRUCTOR_ONLY = "nbgrader,nbconvert,nbclient,jupyter_server,jupyterlab,notebook,dask,distributed"
BLOCKER = '''"""Test helper: modules named in AUTOGRADER_TEST_BLOCK look as if they were not installed."""
import os
import sys

_blocked = {name for name in os.environ.get("AUTOGRADER_TEST_BLOCK", "").split(",") if name}


class _Blocker:
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in _blocked:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


if _blocked:
    sys.meta_path.insert(0, _Blocker())
'''


def _ignore(directory: str, names: list[str]) -> set[str]:
    """What a fresh clone does not have: environments, build leftovers, outputs."""
    skip = {".venv", ".git", "build", "dist", "out", "course", "__pycache__", ".pytest_cache"}
    return {n for n in names if n in skip or n.endswith(".egg-info")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Build the wheel from a copy of the checkout (setuptools writes build/ next to the sources)."""
    src = tmp_path_factory.mktemp("src") / "repo"
    shutil.copytree(REPO, src, ignore=_ignore)
    dist = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                           "--no-index", "-q", "-w", str(dist), str(src)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    (built,) = dist.glob("keras_cnn_autograder-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> dict[str, Path]:
    """A fresh virtualenv with the wheel installed (not editable) and this environment's libraries."""
    root = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True, timeout=300)
    python = root / "bin" / "python"
    # Install before the .pth below exists, so pip sees no other copy of the package.
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                           "--no-index", "-q", str(wheel)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "_reuse_dev_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    (site / "_autograder_test_block.py").write_text(BLOCKER)
    (site / "_autograder_test_block.pth").write_text("import _autograder_test_block\n")
    return {"root": root, "python": python, "site": site, "autograder": root / "bin" / "autograder"}


def _run(venv: dict[str, Path], args: list[str], cwd: Path, block: str = "",
         timeout: float = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["AUTOGRADER_TEST_BLOCK"] = block
    return subprocess.run([str(venv["autograder"]), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def _max_score(doc: dict) -> float:
    return sum(test["max_score"] for test in doc["tests"])


def _one_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


def test_wheel_holds_lessons_solutions_and_resources_but_no_tests(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert zf.read("autograder/lessons/compile_and_train.py") == LESSON.read_bytes()
        assert zf.read("autograder/solutions/compile_and_train.py") == SOLUTION.read_bytes()
        metadata = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    for exercise in exercises.all_exercises():  # each exercise's folder whole (code and resources) and files
        assert zf_name(exercise.lesson, "lessons") in names and zf_name(exercise.solution, "solutions") in names
    folders = [p for p in (REPO / "autograder" / "exercises").iterdir() if p.is_dir() and not p.name.startswith("_")]
    assert {p.name for p in folders} == set(exercises.names())
    shipped = {p.relative_to(REPO).as_posix() for folder in folders for p in folder.rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert any("/resources/" in n for n in shipped) and shipped <= names, sorted(shipped - names)
    modules = {f"autograder/{p.name}" for p in (REPO / "autograder").glob("*.py")}
    assert modules <= names
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "lessons/", "solutions/"))]
    # The instructor parts are extras: a learner's `pip install` does not pull them in.
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    for name in ("nbgrader", "distributed", "dask"):
        found = [r for r in requires if r.split(":", 1)[1].strip().startswith(name)]
        assert found and all("extra ==" in r for r in found), (name, found)
    assert any(r.startswith("Requires-Dist: tensorflow") and "extra" not in r for r in requires)


def zf_name(path: Path, folder: str) -> str:
    return f"autograder/{folder}/{Path(path).name}"


def test_the_new_environment_imports_the_installed_wheel(venv, tmp_path):
    code = ("import autograder, autograder.exercises as e; "
            "print(autograder.__file__); print(e.first().lesson); print(e.first().solution)")
    proc = subprocess.run([str(venv["python"]), "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    paths = [Path(p) for p in proc.stdout.split()]
    assert len(paths) == 3
    for path in paths:
        assert path.is_relative_to(venv["site"]), path
        assert not path.is_relative_to(REPO), path


def test_lesson_writes_the_notebook_and_script_and_keeps_a_learners_work(venv, tmp_path):
    proc = _run(venv, ["lesson", "my lesson"], cwd=tmp_path, block=INSTRUCTOR_ONLY)
    assert proc.returncode == 0, proc.stderr
    notebook, script = tmp_path / "my lesson" / "compile_and_train.ipynb", tmp_path / "my lesson" / "compile_and_train.py"
    assert str(notebook.relative_to(tmp_path)) in proc.stdout and "Open it" in proc.stdout
    assert script.read_bytes() == LESSON.read_bytes()
    for exercise in exercises.all_exercises():  # without --exercise: every exercise's lesson
        assert (tmp_path / "my lesson" / exercise.lesson.name).read_bytes() == exercise.lesson.read_bytes()
        assert (tmp_path / "my lesson" / f"{exercise.lesson.stem}.ipynb").is_file()
    nb = nbformat.read(notebook, as_version=4)
    nbformat.validate(nb)
    expected = jupytext.read(LESSON)
    assert [(c.cell_type, c.source) for c in nb.cells] == [(c.cell_type, c.source) for c in expected.cells]
    assert "_____" in "".join(c.source for c in nb.cells if c.cell_type == "code")

    notebook.write_text(notebook.read_text().replace("_____", "'adam'", 1))  # the learner's work
    mine = notebook.read_bytes()
    again = _run(venv, ["lesson", "my lesson"], cwd=tmp_path)
    assert again.returncode == 1
    line = _one_line(again.stderr)
    assert "not overwriting" in line and "compile_and_train.ipynb" in line and "--force" in line
    assert notebook.read_bytes() == mine and script.read_bytes() == LESSON.read_bytes()

    forced = _run(venv, ["lesson", "--force"], cwd=tmp_path / "my lesson")
    assert forced.returncode == 0, forced.stderr
    assert nbformat.read(notebook, as_version=4).cells[0].source == expected.cells[0].source
    assert notebook.read_bytes() != mine


def test_check_grades_the_shipped_solution_and_the_fresh_lesson(venv, tmp_path):
    solution = subprocess.run([str(venv["python"]), "-c", "from autograder import exercises; print(exercises.first().solution)"],
                              capture_output=True, text=True, check=True, cwd=tmp_path).stdout.strip()
    assert Path(solution).is_relative_to(venv["site"])
    proc = _run(venv, ["check", solution, "--format", "json"], cwd=tmp_path, block=INSTRUCTOR_ONLY)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["score"] == _max_score(doc) > 0

    assert _run(venv, ["lesson", "work"], cwd=tmp_path, block=INSTRUCTOR_ONLY).returncode == 0
    proc = _run(venv, ["check", "work/compile_and_train.ipynb"], cwd=tmp_path, block=INSTRUCTOR_ONLY)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "_____" in proc.stdout  # the blanks are named as not attempted


def test_nbgrader_builds_a_course_from_the_wheel(venv, tmp_path):
    proc = _run(venv, ["nbgrader", "course"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    # without --exercise: one assignment per exercise
    assert proc.stdout.split() == [e.table.NBGRADER_ASSIGNMENT for e in exercises.all_exercises()]
    source = tmp_path / "course" / "source" / "compile_and_train" / "compile_and_train.ipynb"
    nb = nbformat.read(source, as_version=4)
    challenges = [c.source for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
    solution = [c.source for c in jupytext.read(SOLUTION).cells if c.metadata.get("challenge")]
    assert challenges and challenges == solution
    assert (tmp_path / "course" / "nbgrader_config.py").is_file()


def test_demo_grades_the_sample_class_from_the_wheel(venv, tmp_path):
    proc = _run(venv, ["demo", "--out", "demo"], cwd=tmp_path, block=INSTRUCTOR_ONLY)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    from autograder.integrations.sampleclass import class_variants

    submissions = sorted((tmp_path / "demo" / "submissions").glob("*.py"))
    assert len(submissions) == len(class_variants()) > 9  # every exercise's variants: a mixed class
    results = tmp_path / "demo" / "results"
    seen = set()
    for sub in submissions:
        doc = json.loads((results / sub.stem / "results.json").read_text())
        assert _max_score(doc) > 0
        assert (doc["score"] == _max_score(doc)) == sub.stem.endswith(("_correct", "_correct_spellings")), sub.stem
        assert f"_{doc['extra_data']['exercise']}_" in sub.stem  # graded as its own exercise
        seen.add(doc["extra_data"]["exercise"])
    assert seen == set(exercises.names())
    names = ["grades.csv", "report.md"] + [f"{kind}_{e}.{ext}" for e in seen
                                           for kind, ext in (("grades", "csv"), ("report", "md"), ("pass_rates", "png"))]
    for name in names:
        assert (results / name).is_file(), name


def test_a_missing_extra_is_one_line_with_what_to_install(venv, tmp_path):
    proc = _run(venv, ["nbgrader", "course"], cwd=tmp_path, block="nbgrader")
    assert proc.returncode == 2
    assert _one_line(proc.stderr) == ("autograder: `autograder nbgrader` needs nbgrader: "
                                      "pip install 'keras-cnn-autograder[nbgrader]'")
    assert not (tmp_path / "course").exists()


BLOCK_AND_RUN = """
import sys

class Blocker:
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] == sys.argv[1]:
            raise ImportError(f"blocked: {fullname}")

sys.meta_path.insert(0, Blocker())
from autograder.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("blocked, args, expected", [
    ("nbgrader", ["nbgrader", "course"],
     "autograder: `autograder nbgrader` needs nbgrader: pip install 'keras-cnn-autograder[nbgrader]'"),
    ("distributed", ["grade", "subs", "--out", "graded", "--dask", "tcp://127.0.0.1:8786"],
     "autograder: `autograder grade --dask` needs distributed: pip install 'keras-cnn-autograder[dask]'"),
])
def test_missing_extra_in_this_environment(tmp_path, blocked, args, expected):
    (tmp_path / "subs").mkdir()
    shutil.copy(SOLUTION, tmp_path / "subs" / "a.py")
    proc = subprocess.run([sys.executable, "-c", BLOCK_AND_RUN, blocked, *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert _one_line(proc.stderr) == expected
    assert not (tmp_path / "course").exists() and not (tmp_path / "graded").exists()
