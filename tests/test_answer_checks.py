"""The overfitting answers, error explanations and run-stopping rules: pure checks, no TensorFlow."""
from __future__ import annotations

import pytest

from autograder.judge import rubric
from autograder.judge.checks import evaluate, explain_error
from conftest import FIRST

ANSWERS = ["loss_trend", "accuracy_trend", "curves_similar", "performs_well_on_new_data", "is_overfitting"]
RIGHT = {"loss_trend": "decreases", "accuracy_trend": "increases", "curves_similar": False,
         "performs_well_on_new_data": False, "is_overfitting": True}


from autograder.facts.schema import validate  # noqa: E402


def judge(answers: dict, static=None, run_extra=None) -> dict:
    described = {}
    for name in ANSWERS:
        if name in answers:
            value = answers[name]
            described[name] = {"defined": True, "given_as": "blank"} if value is Ellipsis else \
                {"defined": True, "given_as": type(value).__name__, "value": value}
        else:
            described[name] = {"defined": False}
    validate({"answers": described}, partial=True)  # hand-built facts keep the collectors' shape
    run = {"snapshot": {"facts": {"answers": described}, "cells": []}, "outcome": "exited", **(run_extra or {})}
    static = static or {"name": "t.py", "cells": [], "problems": []}
    return {r.tag.split(".")[1]: r for r in evaluate(FIRST, static, run, tags=[f"overfitting.{n}" for n in ANSWERS])}


def test_right_answers_pass():
    assert all(r.status == "passed" for r in judge(RIGHT).values())


@pytest.mark.parametrize("spelling", ["decreases", "Decreasing", "goes down", "  DOWN ", "decreased.", "go_down"])
def test_loss_trend_spellings(spelling):
    assert judge({**RIGHT, "loss_trend": spelling})["loss_trend"].status == "passed"


@pytest.mark.parametrize("spelling", ["increases", "Increasing", "goes up", "up", "UP!"])
def test_accuracy_trend_spellings(spelling):
    assert judge({**RIGHT, "accuracy_trend": spelling})["accuracy_trend"].status == "passed"


@pytest.mark.parametrize("spelling", [False, "no", "No", "false", "FALSE"])
def test_boolean_spellings(spelling):
    assert judge({**RIGHT, "curves_similar": spelling})["curves_similar"].status == "passed"
    assert judge({**RIGHT, "performs_well_on_new_data": spelling})["performs_well_on_new_data"].status == "passed"


@pytest.mark.parametrize("spelling", [True, "yes", "Yes", "true"])
def test_boolean_yes_spellings(spelling):
    assert judge({**RIGHT, "is_overfitting": spelling})["is_overfitting"].status == "passed"


@pytest.mark.parametrize("name, wrong", [("loss_trend", "increases"), ("accuracy_trend", "stays the same"),
                                         ("curves_similar", True), ("performs_well_on_new_data", "yes"),
                                         ("is_overfitting", False)])
def test_wrong_answers_fail_with_explanation(name, wrong):
    result = judge({**RIGHT, name: wrong})[name]
    assert result.status == "failed"
    assert FIRST.table.ANSWER_EXPLANATIONS[name] in result.output


@pytest.mark.parametrize("name, odd", [("loss_trend", "sideways"), ("loss_trend", 3), ("curves_similar", "maybe"),
                                       ("is_overfitting", 1.5)])
def test_unrecognised_answers_list_the_choices(name, odd):
    result = judge({**RIGHT, name: odd})[name]
    assert result.status == "failed"
    assert "accepted answers" in result.output
    assert ('"decreases"' in result.output) if name.endswith("trend") else ("True or False" in result.output)


def test_blank_and_missing_answers_are_not_attempted():
    results = judge({**RIGHT, "loss_trend": ..., "is_overfitting": ...})
    assert results["loss_trend"].status == "not_attempted" and "blank" in results["loss_trend"].output
    results = judge({k: v for k, v in RIGHT.items() if k != "curves_similar"})
    assert results["curves_similar"].status == "not_attempted"
    assert results["loss_trend"].status == "passed"


def test_expected_answers_come_from_the_reference_curves():
    assert FIRST.table.expected_answers() == RIGHT


def test_answers_not_checked_when_the_run_stopped_before_them():
    static = {"name": "s.py", "cells": [{"index": 3, "challenge": "overfitting", "first_line": 40}], "problems": []}
    run_extra = {"outcome": "timeout"}
    described = {n: {"defined": False} for n in ANSWERS}
    run = {"snapshot": {"facts": {"answers": described}, "cells": [{"index": 3, "challenge": "overfitting", "status": "running"}]},
           **run_extra}
    results = evaluate(FIRST, static, run, {"timeout": 5, "memory": 2**30}, tags=["overfitting.loss_trend"])
    assert results[0].status == "failed"
    assert "time limit of 5 s" in results[0].output and "s.py, line 40" in results[0].output


@pytest.mark.parametrize("error, words", [
    ({"type": "ValueError", "message": "Arguments `target` and `output` must have the same rank (ndim)."}, ["sparse"]),
    ({"type": "ValueError", "message": "Expected `metrics` argument to be a list, tuple, or dict."}, ["list"]),
    ({"type": "NameError", "message": "name 'decreases' is not defined"}, ["quotes", '"decreases"']),
    ({"type": "NameError", "message": "name 'history_intro' is not defined"}, ["earlier challenge"]),
    ({"type": "ZeroDivisionError", "message": "division by zero\nmore"}, ["ZeroDivisionError: division by zero"]),
])
def test_error_explanations(error, words):
    text = explain_error(error, table=FIRST.table)
    for word in words:
        assert word in text
    assert "Traceback" not in text


def test_syntax_error_in_challenge_fails_with_place():
    static = {"name": "s.py", "cells": [{"index": 1, "challenge": "compile", "first_line": 10}],
              "problems": [{"kind": "syntax", "cell": 1, "line": 2, "col": 5, "where": "s.py, line 11",
                            "challenge": "compile", "message": "invalid syntax (column 5)"}]}
    results = evaluate(FIRST, static, {"snapshot": {"facts": {}, "cells": []}, "outcome": "exited"}, tags=["compile.loss"])
    assert results[0].status == "failed" and "s.py, line 11" in results[0].output and "column 5" in results[0].output


def test_points_override(tmp_path):
    f = tmp_path / "points.json"
    f.write_text('{"compile.loss": 3, "overfitting.is_overfitting": 0.5}')
    points = rubric.load_points(FIRST.checks, f)
    assert points["compile.loss"] == 3.0 and points["overfitting.is_overfitting"] == 0.5 and points["fit.epochs"] == 1.0
    f.write_text('{"compile.typo": 3}')
    with pytest.raises(ValueError, match="unknown check tag 'compile.typo'"):
        rubric.load_points(FIRST.checks, f)


@pytest.mark.parametrize("modules", [
    "autograder.judge.checks", "autograder.judge.keras_checks", f"{FIRST.package}.checks",
    f"autograder.judge.checks, autograder.judge.keras_checks, {FIRST.package}.checks",
])
def test_the_judge_imports_neither_the_runner_nor_tensorflow(modules):
    """Checks are plain functions over plain data: importing them (the engine's judge, its generic Keras
    checks, the exercise's check functions) and judging starts no grader machinery."""
    import subprocess
    import sys

    code = (f"import sys, {modules}; from autograder import exercises; from autograder.judge import checks; "
            f"checks.evaluate({FIRST.name!r}, {{'name': 't', 'cells': [], 'problems': []}}, None); "
            "print(sorted(m for m in ('autograder.run.runner', 'autograder.run.worker', 'tensorflow', 'keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_the_engine_judge_names_no_exercise():
    """The engine's judge and its generic checks read every lesson word from the exercise's table."""
    import re
    from pathlib import Path

    import autograder

    root = Path(autograder.__file__).parent
    for name in ("judge/checks.py", "judge/keras_checks.py", "judge/rubric.py"):
        text = (root / name).read_text(encoding="utf-8")
        for exercise in [FIRST]:
            own = set(FIRST.table.NAMES.values()) - {"fig", "axes"}
            found = [w for w in [exercise.name, *own] if re.search(rf"\b{re.escape(w)}\b", text)]
            assert not found, (name, found)


def test_explain_error_needs_an_exercise():
    with pytest.raises(ValueError, match="exercise"):
        explain_error({"type": "ValueError", "message": "x"})


def test_answer_lexicons_of_two_tables_do_not_mix():
    """Two exercises with different question words: each reads its own (the lexicon cache is per table)."""
    import types

    from autograder.judge.checks import read_answer

    other = types.ModuleType("another_exercise_table")
    other.TREND_SUBJECTS, other.TREND_WORDS_BY_QUESTION = {}, {}
    other.BOOL_WORDS_BY_QUESTION = {"is_overfitting": {False: {"overfitting"}, True: {"underfitting"}}}
    fact = {"defined": True, "given_as": "str", "value": "overfitting"}
    assert read_answer("is_overfitting", fact, FIRST.table).value is True
    assert read_answer("is_overfitting", fact, other).value is False
    assert read_answer("is_overfitting", fact, FIRST.table).value is True
