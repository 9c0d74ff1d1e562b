"""`autograder check` end to end: real worker process, real Keras, the CLI's outputs and exit codes."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import jupytext
import pytest

from autograder.integrations.sampleclass import variant_text
from conftest import FIRST, LESSON, SOLUTION, by_tag


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], capture_output=True, text=True, timeout=300)


def test_solution_py_full_marks_as_gradescope_json():
    proc = cli("check", str(SOLUTION), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["score"] == sum(c.points for c in FIRST.checks.values())
    assert [t["tags"] for t in result["tests"]] == [[tag] for tag in FIRST.checks]
    assert result["extra_data"]["exercise"] == FIRST.name
    for test in result["tests"]:
        assert set(test) >= {"name", "tags", "score", "max_score", "status", "output"}
        assert test["status"] == "passed" and test["score"] == test["max_score"]


def test_solution_ipynb_full_marks_as_text(tmp_path):
    nb = tmp_path / "solution.ipynb"
    jupytext.write(jupytext.read(SOLUTION), nb)
    proc = cli("check", str(nb))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Score: 13/13" in proc.stdout and "✗" not in proc.stdout


def test_untouched_lesson_scores_zero_with_every_blank_reported():
    proc = cli("check", str(LESSON), "--format", "json")
    assert proc.returncode == 1
    result = json.loads(proc.stdout)
    assert result["score"] == 0
    outputs = "\n".join(t["output"] for t in result["tests"])
    lines = LESSON.read_text().splitlines()
    blank_lines = {n for n, l in enumerate(lines, 1) if "_____" in l and not l.lstrip().startswith("#")}
    reported = set()
    for group in re.findall(r"lines? ([\d, and]+)", outputs):
        reported |= {int(x) for x in re.findall(r"\d+", group)}
    assert blank_lines and blank_lines <= reported
    assert all(t["status"] == "failed" for t in result["tests"])
    assert sum("Not attempted" in t["output"] or "still the blank" in t["output"] for t in result["tests"]) == 13


def test_wrong_submission_text_report_says_what_to_change(tmp_path):
    path = tmp_path / "wrong.py"
    path.write_text(variant_text("categorical_loss"))
    proc = cli("check", str(path))
    assert proc.returncode == 1
    assert "✗ The loss is sparse categorical cross-entropy" in proc.stdout
    assert "What to change:" in proc.stdout and "sparse_categorical_crossentropy" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


@pytest.mark.parametrize("make, code, words", [
    (lambda d: d / "missing.py", 2, "no such file"),
    (lambda d: d, 2, "is a directory"),
    (lambda d: (d / "notes.txt").write_text("x") and d / "notes.txt", 2, "unsupported file type"),
])
def test_unreadable_inputs_exit_2_with_one_line(tmp_path, make, code, words):
    proc = cli("check", str(make(tmp_path)))
    assert proc.returncode == code
    assert words in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert proc.stdout == ""


@pytest.mark.parametrize("name, content, words", [
    ("empty.py", b"", "empty"),
    ("binary.ipynb", b"\x89PNG\x00\x00", "binary"),
    ("broken.ipynb", b"{", "not a valid notebook"),
])
def test_ungradable_files_exit_1_with_a_result(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    proc = cli("check", str(path), "--format", "json")
    assert proc.returncode == 1
    result = json.loads(proc.stdout)
    assert result["score"] == 0 and words in result["output"]
    assert all(words in t["output"] for t in result["tests"])


def test_bad_option_value_is_a_clear_error():
    proc = cli("check", str(SOLUTION), "--memory-limit", "lots")
    assert proc.returncode == 2 and "not a size: 'lots'" in proc.stderr


def test_crashing_fit_then_correct_answers_still_earn_credit(grade):
    results = by_tag(grade(variant_text("categorical_loss")))
    assert results["compile.loss"].status == "failed" and "sparse" in results["compile.loss"].output
    assert results["fit.epochs"].status == "failed" and "one-hot" in results["fit.epochs"].output
    assert results["compile.optimizer"].status == "passed"
    for tag in FIRST.tags_for("overfitting"):
        assert results[tag].status == "passed"


@pytest.mark.parametrize("variant", ["correct_spellings", "sgd", "five_epochs", "no_validation",
                                     "wrong_answers", "swapped_panels", "metrics_not_list"])
def test_each_sample_variant_fails_exactly_its_checks(grade, variant):
    from autograder.integrations.sampleclass import VARIANTS

    failed = {t for t, r in by_tag(grade(variant_text(variant))).items() if r.status != "passed"}
    assert failed == VARIANTS[variant][1]


def test_acc_metric_is_followed_through_history_and_plot(grade):
    text = variant_text("correct").replace("metrics = ['accuracy']", "metrics = ['acc']").replace(
        "[['accuracy', 'val_accuracy']]", "[['acc', 'val_acc']]")
    graded = grade(text)
    assert graded.all_passed, [(r.tag, r.output) for r in graded.results if r.status != "passed"]


def test_partially_filled_compile_cell(grade):
    text = variant_text("correct").replace("loss = 'sparse_categorical_crossentropy'", "loss = _____")
    results = by_tag(grade(text))
    assert results["compile.optimizer"].status == "passed"
    assert results["compile.loss"].status == "not_attempted" and "line" in results["compile.loss"].output


def test_grading_runs_on_the_small_grading_sample(grade):
    """The grader's fits use the grading sample (64 images: 2 batches of 32 per epoch)."""
    from autograder.run.runner import GRADING_SAMPLE_SIZE

    text = variant_text("correct").replace(
        "# %%\nselfcheck.check(\"fit\")", "# %%\nsteps_seen = history_intro.params['steps']\nselfcheck.check(\"fit\")")
    text = text.replace('loss_trend = "decreases"', 'loss_trend = "decreases" if steps_seen == %d else "?"'
                        % (GRADING_SAMPLE_SIZE // 32))
    results = by_tag(grade(text))
    assert results["overfitting.loss_trend"].status == "passed", results["overfitting.loss_trend"].output
