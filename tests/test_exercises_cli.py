"""Every exercise through the command line: `autograder exercises`, `--exercise NAME` on every
command, recognising a submission's exercise (metadata, then content), and a class that mixes
exercises through `autograder grade` (one grades file and one report per exercise)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jupytext
import pandas as pd
import pytest

from autograder import cli, exercises
from autograder.grading import points_table
from conftest import FIRST

EXERCISES = exercises.all_exercises()
IDS = [e.name for e in EXERCISES]
UNKNOWN = "no_such_exercise"


def run_cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], capture_output=True, text=True,
                          timeout=timeout)


def without_header(text: str) -> str:
    """A percent script without its YAML header (so only its content can say whose it is)."""
    assert text.startswith("# ---\n")
    return text.split("# ---\n", 2)[2]


# --- listing and choosing ---------------------------------------------------------------------

def test_exercises_lists_name_and_title_one_per_line(capsys):
    assert cli.main(["exercises"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(EXERCISES) >= 2
    for line, exercise in zip(lines, EXERCISES):
        name, title = line.split(None, 1)
        assert (name, title) == (exercise.name, exercise.title)


def test_exercises_as_json(capsys):
    assert cli.main(["exercises", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(e["name"], e["title"]) for e in listed] == [(e.name, e.title) for e in EXERCISES]
    assert [e["points"] for e in listed] == [sum(c.points for c in e.checks.values()) for e in EXERCISES]


@pytest.mark.parametrize("args", [
    ["check", "sub.py"], ["grade", "subs", "--out", "out"], ["demo", "--out", "out"], ["lesson", "out"],
    ["nbgrader", "out"], ["gradescope", "out"],
], ids=lambda a: a[0])
def test_an_unknown_exercise_exits_2_with_one_line_listing_them(tmp_path, monkeypatch, capsys, args):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "subs").mkdir()
    (tmp_path / "sub.py").write_text("# %%\nx = 1\n")
    assert cli.main([*args, "--exercise", UNKNOWN]) == 2
    captured = capsys.readouterr()
    (line,) = captured.err.splitlines()
    assert line.startswith(f"autograder: there is no exercise {UNKNOWN!r}")
    assert all(e.name in line for e in EXERCISES) and "Traceback" not in captured.err
    assert not (tmp_path / "out").exists()


def test_a_close_name_is_suggested(capsys):
    assert cli.main(["lesson", "x", "--exercise", FIRST.name[:-1]]) == 2
    assert f"did you mean {FIRST.name!r}" in capsys.readouterr().err


def test_check_output_says_why_for_an_unknown_exercise(tmp_path):
    out = tmp_path / "results.json"
    proc = run_cli("check", str(tmp_path / "sub.py"), "--exercise", UNKNOWN, "--output", str(out))
    assert proc.returncode == 2
    doc = json.loads(out.read_text())
    assert doc["score"] == 0 and UNKNOWN in doc["output"] and doc["tests"] == []


def test_lesson_writes_every_exercise_or_the_one_chosen(tmp_path, capsys):
    assert cli.main(["lesson", str(tmp_path / "all")]) == 0
    for exercise in EXERCISES:
        assert (tmp_path / "all" / exercise.lesson.name).read_bytes() == exercise.lesson.read_bytes()
        nb = jupytext.read(tmp_path / "all" / f"{exercise.lesson.stem}.ipynb")
        assert nb.metadata.get("autograder", {}).get("exercise") in (None, exercise.name)
    other = EXERCISES[-1]
    assert cli.main(["lesson", str(tmp_path / "one"), "--exercise", other.name]) == 0
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == sorted(
        [other.lesson.name, f"{other.lesson.stem}.ipynb"])
    capsys.readouterr()
    # never over a learner's work, whichever of the lessons it is in
    assert cli.main(["lesson", str(tmp_path / "all")]) == 1
    err = capsys.readouterr().err
    assert all(e.lesson.name in err for e in EXERCISES) and "--force" in err


def test_nbgrader_assignment_needs_its_exercise_when_there_are_several(tmp_path, capsys):
    assert cli.main(["nbgrader", str(tmp_path / "course"), "--assignment", "week5"]) == 2
    assert "--exercise" in capsys.readouterr().err and not (tmp_path / "course").exists()


# --- points per exercise ------------------------------------------------------------------------

def test_a_points_file_applies_to_the_exercises_that_have_its_tags(tmp_path):
    only_first = next(t for t in FIRST.checks if all(t not in e.checks for e in EXERCISES if e is not FIRST))
    shared = next((t for t in FIRST.checks if all(t in e.checks for e in EXERCISES)), None)
    path = tmp_path / "points.json"
    path.write_text(json.dumps({only_first: 7}))
    table = points_table(path)
    assert list(table) == [FIRST.name] and table[FIRST.name][only_first] == 7
    if shared:
        path.write_text(json.dumps({shared: 3}))
        assert set(points_table(path)) == set(exercises.names())
        assert all(p[shared] == 3 for p in points_table(path).values())
    path.write_text(json.dumps({only_first: 7}))
    other = EXERCISES[-1]
    with pytest.raises(ValueError, match=rf"points file {path}: unknown check tag {only_first!r}"):
        points_table(path, other)  # forced: the file must fit that exercise
    path.write_text(json.dumps({"compile.los": 2}))
    with pytest.raises(ValueError, match="compile.los") as info:
        points_table(path)
    assert str(path) in str(info.value)
    assert points_table(None) == {}


# --- recognising and forcing, through `check` ----------------------------------------------------

@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_check_recognises_each_solution_by_its_content_alone(exercise, tmp_path):
    path = tmp_path / "answers.py"
    path.write_text(without_header(exercise.solution.read_text(encoding="utf-8")))
    proc = run_cli("check", str(path), "--format", "json")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = json.loads(proc.stdout)
    assert doc["extra_data"]["exercise"] == exercise.name
    assert [t["tags"][0] for t in doc["tests"]] == list(exercise.checks)
    assert doc["score"] == sum(c.points for c in exercise.checks.values())


def test_metadata_wins_over_content_and_forcing_wins_over_both(tmp_path):
    """The first exercise's solution under a header naming another exercise is graded as that
    one (and fails its checks); --exercise grades it as the first again."""
    other = EXERCISES[-1]
    header = f"# ---\n# jupyter:\n#   autograder:\n#     exercise: {other.name}\n# ---\n\n"
    path = tmp_path / "mislabelled.py"
    path.write_text(header + without_header(FIRST.solution.read_text(encoding="utf-8")))
    proc = run_cli("check", str(path), "--format", "json")
    assert proc.returncode == 1, proc.stderr[-3000:]
    doc = json.loads(proc.stdout)
    assert doc["extra_data"]["exercise"] == other.name
    assert [t["tags"][0] for t in doc["tests"]] == list(other.checks)
    assert doc["score"] < sum(c.points for c in other.checks.values())

    proc = run_cli("check", str(path), "--format", "json", "--exercise", FIRST.name)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = json.loads(proc.stdout)
    assert doc["extra_data"]["exercise"] == FIRST.name
    assert doc["score"] == sum(c.points for c in FIRST.checks.values())


# --- a class that mixes exercises --------------------------------------------------------------

@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    """Every exercise's solution (one as a notebook) and untouched lesson, plus an empty file."""
    root = tmp_path_factory.mktemp("mixed")
    subs = root / "subs"
    subs.mkdir()
    for n, exercise in enumerate(EXERCISES):
        solution = exercise.solution.read_text(encoding="utf-8")
        if n % 2:
            jupytext.write(jupytext.reads(solution, fmt="py:percent"), subs / f"{exercise.name}_solution.ipynb")
        else:
            (subs / f"{exercise.name}_solution.py").write_text(solution)
        (subs / f"{exercise.name}_lesson.py").write_text(exercise.lesson.read_text(encoding="utf-8"))
    (subs / "empty.py").write_text("")
    out = root / "out"
    return subs, out, run_cli("grade", str(subs), "--out", str(out), "--jobs", "2", "--quiet", timeout=1200)


def test_a_mixed_class_is_graded_each_by_its_own_exercise(mixed):
    subs, out, proc = mixed
    assert proc.returncode == 0, proc.stderr[-3000:]
    for exercise in EXERCISES:
        full = sum(c.points for c in exercise.checks.values())
        for kind, score in (("solution", full), ("lesson", 0)):
            doc = json.loads((out / f"{exercise.name}_{kind}" / "results.json").read_text())
            assert doc["extra_data"]["exercise"] == exercise.name
            assert [t["tags"][0] for t in doc["tests"]] == list(exercise.checks)
            assert doc["score"] == score, (exercise.name, kind, [t["output"] for t in doc["tests"] if t["score"] == 0])
    empty = json.loads((out / "empty" / "results.json").read_text())
    assert empty["score"] == 0 and "empty" in empty["extra_data"]["problem"]
    for exercise in EXERCISES:
        assert f"{exercise.name} ({exercise.title}):" in proc.stdout
        assert f"{out}/grades_{exercise.name}.csv" in proc.stdout


def test_a_mixed_class_has_one_grades_file_and_report_per_exercise(mixed):
    _, out, _ = mixed
    index = pd.read_csv(out / "grades.csv").set_index("submission")
    assert list(index.columns) == ["path", "exercise", "total", "max_total", "problem"]
    assert len(index) == 2 * len(EXERCISES) + 1
    for exercise in EXERCISES:
        grades = pd.read_csv(out / f"grades_{exercise.name}.csv").set_index("submission")
        mine = {f"{exercise.name}_solution", f"{exercise.name}_lesson"} | ({"empty"} if exercise is FIRST else set())
        assert set(grades.index) == mine
        assert list(grades.columns[1:1 + len(exercise.checks)]) == list(exercise.checks)
        assert grades.loc[f"{exercise.name}_solution", "total"] == sum(c.points for c in exercise.checks.values())
        assert (index.loc[list(mine), "exercise"] == exercise.name).all()
        report = (out / f"report_{exercise.name}.md").read_text()
        assert report.startswith(f"# Class report: {exercise.title}")
        assert all(f"| `{tag}`" in report for tag in exercise.checks)
        assert (out / f"pass_rates_{exercise.name}.png").read_bytes()[:4] == b"\x89PNG"
    overview = (out / "report.md").read_text()
    assert all(f"(report_{e.name}.md)" in overview for e in EXERCISES)
    assert not (out / "pass_rates.png").exists()


def test_forcing_one_exercise_on_a_mixed_class_gives_the_one_exercise_layout(mixed):
    """A re-run with --exercise grades every file again as that exercise (the forced exercise is
    part of the resume key) and leaves no per-exercise files of the earlier layout behind."""
    subs, out, _ = mixed
    proc = run_cli("grade", str(subs), "--out", str(out), "--jobs", "2", "--quiet", "--exercise", FIRST.name,
                   timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    grades = pd.read_csv(out / "grades.csv").set_index("submission")
    assert list(grades.columns[1:1 + len(FIRST.checks)]) == list(FIRST.checks)
    assert grades.loc[f"{FIRST.name}_solution", "total"] == sum(c.points for c in FIRST.checks.values())
    for exercise in EXERCISES:
        doc = json.loads((out / f"{exercise.name}_solution" / "results.json").read_text())
        assert doc["extra_data"]["exercise"] == FIRST.name
        assert doc["extra_data"]["settings"]["exercise"] == FIRST.name
    assert not list(out.glob("grades_*.csv")) and not list(out.glob("report_*.md"))
    assert (out / "pass_rates.png").is_file()


def test_demo_grades_only_the_files_it_wrote(tmp_path):
    """An earlier demo (or a file of the user's) in the submissions folder is left alone and not graded."""
    subs = tmp_path / "demo" / "submissions"
    subs.mkdir(parents=True)
    stale = subs / "student001_old_layout.py"
    stale.write_text(FIRST.solution.read_text())
    proc = run_cli("demo", "--out", str(tmp_path / "demo"), "--exercise", "dropout")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    graded = pd.read_csv(tmp_path / "demo" / "results" / "grades.csv")
    assert len(graded) == len([p for p in subs.glob("*.py") if p != stale]) > 5
    assert not any("old_layout" in str(v) for v in graded.astype(str).values.ravel())
    assert stale.read_text() == FIRST.solution.read_text()
    assert not (tmp_path / "demo" / "results" / stale.stem).exists()
    # It suggests checking a submission with a mistake, not one of the correct ones.
    suggested = Path(proc.stdout.split("Try one yourself: ")[1].split()[2])
    assert suggested.parent == subs and suggested.is_file()
    doc = json.loads((tmp_path / "demo" / "results" / suggested.stem / "results.json").read_text())
    assert doc["score"] < sum(t["max_score"] for t in doc["tests"]), suggested.name
