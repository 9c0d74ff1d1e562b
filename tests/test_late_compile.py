"""A scratch cell that compiles the model again after `fit` trained it: the compile checks judge the
model's last compile, and a failure then names that later cell, so the learner can tell it from the
lesson's compile cell they got right."""
from __future__ import annotations

import keras
import pytest

from autograder import exercises
from autograder.facts import gather as facts
from autograder.judge.checks import FAILED, PASSED, evaluate
from conftest import FIRST, by_tag

SGD_LATER = "\n# %%\n# trying another optimizer\n{model}.compile(optimizer='sgd', loss='sparse_categorical_crossentropy', metrics=['accuracy'])\n"


def _line_of(text: str, start: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(start))


@pytest.mark.parametrize("name", exercises.names())
def test_recompile_after_training_names_the_later_cell(grade, name):
    exercise = exercises.get(name)
    model, history = exercise.table.NAMES["model"], exercise.table.NAMES["history"]
    solution = exercise.solution.read_text(encoding="utf-8")
    text = solution + SGD_LATER.format(model=model)
    result = by_tag(grade(text, exercise=name))["compile.optimizer"]
    assert result.status == FAILED, result
    late_line = _line_of(text, f"{model}.compile(optimizer='sgd'")
    fit_line = _line_of(text, f"{history} = {model}.fit(")
    assert f"last compile of `{model}`, at submission.py, line {late_line}" in result.output, result.output
    assert f"trained the model at submission.py, line {fit_line}" in result.output, result.output
    assert "'sgd'" in result.output


def test_recompile_then_fit_again_is_judged_without_the_note(grade):
    solution = FIRST.solution.read_text(encoding="utf-8")
    text = (solution + SGD_LATER.format(model="model_intro")
            + "\n# %%\nhistory_intro = model_intro.fit(train_ds, epochs=10, validation_data=val_ds)\n")
    result = by_tag(grade(text))["compile.optimizer"]
    assert result.status == FAILED
    assert "'sgd'" in result.output and "last compile" not in result.output, result.output


def test_recompile_after_a_failed_fit_is_the_usual_fix(grade):
    """compile wrong, fit raises, compile again: no fit trained the model, so nothing is 'late'."""
    solution = FIRST.solution.read_text(encoding="utf-8")
    wrong = solution.replace("loss = 'sparse_categorical_crossentropy'", "loss = 'mse'", 1)
    assert wrong != solution
    graded = by_tag(grade(wrong + SGD_LATER.format(model="model_intro")))
    assert graded["compile.optimizer"].status == FAILED
    assert "last compile" not in graded["compile.optimizer"].output
    assert graded["compile.loss"].status == PASSED  # the last compile's loss is right


def test_a_correct_late_compile_passes_unchanged(grade):
    solution = FIRST.solution.read_text(encoding="utf-8")
    text = solution + "\n# %%\nmodel_intro.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])\n"
    graded = by_tag(grade(text))
    assert [graded[t].status for t in ("compile.optimizer", "compile.loss", "compile.metrics")] == [PASSED] * 3
    assert graded["compile.optimizer"].output == ""


# --- the recorder and the check, without the harness ------------------------------------------------

def _run_as_cell(code: str, index: int, ns: dict) -> None:
    exec(compile(code, facts.cell_filename(index), "exec"), ns)


def test_the_recorder_names_the_cell_that_ran_the_call():
    rec = facts.Recorder()
    rec.install()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    ns = {"model": model}
    _run_as_cell("def compile_it(opt):\n    model.compile(optimizer=opt, loss='mse')\n", 0, ns)
    _run_as_cell("x = 1\ncompile_it('adam')\n", 4, ns)  # a helper from cell 1 run by cell 5: cell 5 counts
    model.compile(optimizer="sgd", loss="mse")  # not from a cell (the learner's own kernel)
    assert [c["where"] for c in rec.compile_calls[-2:]] == [{"cell": 4, "line": 2}, None]


def _judge(late: dict | None, cells_first_line: int | None = None) -> str:
    compile_facts = {"model": "ok", "calls": 2, "error": None, "compiled": True, "output_activation": "softmax",
                     "optimizer": {"given_as": "str", "value": "sgd", "name": "SGD", "is_adam": False,
                                   "learning_rate": 0.01},
                     "loss": {"given_as": "str", "name": "sparse_categorical_crossentropy",
                              "value": "sparse_categorical_crossentropy", "from_logits": False},
                     "metrics": {"given_as": "list", "items": [{"given_as": "str", "name": "accuracy"}]}}
    if late is not None:
        compile_facts["late"] = late
    cells = [{"index": i, "first_line": cells_first_line} for i in range(20)]
    run = {"snapshot": {"facts": {"compile": compile_facts}, "cells": []}, "outcome": "exited"}
    (result,) = evaluate(FIRST, {"name": "lesson.ipynb", "cells": cells, "problems": []}, run,
                         tags=["compile.optimizer"])
    return result.output


def test_the_note_names_notebook_cells_and_only_with_a_late_compile():
    noted = _judge({"cell": 13, "line": 2, "fit_cell": 8, "fit_line": 1})
    assert "at lesson.ipynb, cell 14, line 2" in noted and "trained the model at lesson.ipynb, cell 9, line 1" in noted
    assert "last compile" not in _judge(None)
    unknown_fit = _judge({"cell": 13, "line": None, "fit_cell": None, "fit_line": None})
    assert "at lesson.ipynb, cell 14:" in unknown_fit and "trained the model, and" in unknown_fit


def test_a_cell_index_the_submission_does_not_have_is_not_named():
    assert "last compile" not in _judge({"cell": 99, "line": 1, "fit_cell": 8, "fit_line": 1})
    assert "trained the model, and" in _judge({"cell": 13, "line": 1, "fit_cell": 99, "fit_line": 1})
