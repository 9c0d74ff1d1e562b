"""The first exercise's compile, fit and plot checks on plain facts, without TensorFlow.

The fixture is the facts snapshot of a real run of the solution through the grader's worker
(floats rounded to 4 places). Each test changes it as a known mistake would and checks the verdict
and the message; every hand-made variant is validated against the declared facts schema, so the
fixture cannot drift from what the collectors produce.
"""
from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.facts.schema import validate
from autograder.judge.checks import evaluate
from conftest import FIRST

FIXTURE = Path(__file__).parent / "fixtures" / "compile_and_train_solution_facts.json"
SOLUTION_FACTS = json.loads(FIXTURE.read_text(encoding="utf-8"))
T = FIRST.table


def judge(facts: dict) -> dict:
    validate(facts)
    static = {"name": "sub.py", "cells": [], "problems": []}
    run = {"snapshot": {"facts": facts, "cells": [], "done": True}, "outcome": "exited"}
    return {r.tag: r for r in evaluate(FIRST, static, run)}


def facts() -> dict:
    return copy.deepcopy(SOLUTION_FACTS)


def test_every_check_passes_on_the_solution_facts():
    results = judge(facts())
    assert {t: r.status for t, r in results.items() if r.status != "passed"} == {}
    assert sum(r.score for r in results.values()) == sum(FIRST.points().values())


def test_this_test_file_imports_no_tensorflow():
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import test_first_exercise_checks as t; "
            "t.test_every_check_passes_on_the_solution_facts(); print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False False"


@pytest.mark.parametrize("optimizer, key", [
    ({"given_as": "str", "name": "SGD", "is_adam": False, "learning_rate": 0.01, "value": "sgd"}, "other"),
    ({"given_as": "instance", "name": "Adam", "is_adam": True, "learning_rate": 1e-6}, "lr_too_small"),
    ({"given_as": "instance", "name": "Adam", "is_adam": True, "learning_rate": 0.5}, "lr_too_large"),
    ({"given_as": "class", "name": "Adam", "is_adam": True}, "class_not_instance"),
    ({"given_as": "missing"}, "missing"),
], ids=["sgd", "lr_too_small", "lr_too_large", "class", "missing"])
def test_optimizer_misconceptions(optimizer, key):
    f = facts()
    f["compile"]["optimizer"] = optimizer
    result = judge(f)["compile.optimizer"]
    assert result.status == "failed"
    expected = T.OPTIMIZER_MESSAGES[key]
    assert expected.split("{")[0] in result.output


@pytest.mark.parametrize("name, key", [("categorical_crossentropy", "categorical_crossentropy"),
                                       ("binary_crossentropy", "binary_crossentropy")])
def test_loss_misconceptions(name, key):
    f = facts()
    f["compile"]["loss"] = {"given_as": "str", "name": name, "value": name, "from_logits": False}
    result = judge(f)["compile.loss"]
    assert result.status == "failed" and T.LOSS_MESSAGES[key] in result.output


def test_loss_from_logits_with_a_softmax_output():
    f = facts()
    f["compile"]["loss"] = {"given_as": "instance", "name": "sparse_categorical_crossentropy", "from_logits": True}
    result = judge(f)["compile.loss"]
    assert result.status == "failed" and T.LOSS_MESSAGES["from_logits_mismatch_true"] in result.output


def test_metrics_as_a_bare_string():
    f = facts()
    f["compile"]["metrics"] = {"given_as": "str", "value": "accuracy", "items": [{"given_as": "str", "name": "accuracy"}]}
    result = judge(f)["compile.metrics"]
    assert result.status == "failed" and "must be a list" in result.output


def test_metrics_without_accuracy():
    f = facts()
    f["compile"]["metrics"] = {"given_as": "list", "items": [{"given_as": "str", "name": "mae"}]}
    assert judge(f)["compile.metrics"].status == "failed"


def test_five_epochs():
    f = facts()
    f["fit"]["last_call"]["epochs"] = {"given_as": "int", "value": 5}
    f["fit"]["history"].update(epochs_param=5, epochs_run=5)
    result = judge(f)["fit.epochs"]
    assert result.status == "failed" and T.FIT_MESSAGES["epochs"].format(epochs=5) in result.output


@pytest.mark.parametrize("desc, key", [
    ({"given_as": "dict", "repr": "{'accuracy': [0.046875, 0.171875, 0.359375, 0.453125, 0.453125, 0.5, 0.4687…"},
     "history_dict"),
    ({"given_as": "dict", "repr": "{'loss': [2.3]}"}, "history_dict"),
    ({"given_as": "dict", "repr": "{'a': 1}"}, "not_history"),
    ({"given_as": "list", "repr": "[2.3, 2.1]"}, "not_history"),
])
def test_history_holding_fits_dict_says_to_keep_the_history_object(desc, key):
    """`history_intro = model_intro.fit(...).history` keeps the numbers, not the History."""
    f = facts()
    f["fit"]["history"] = {"defined": True, "is_history": False, "desc": desc}
    result = judge(f)["fit.history_keys"]
    assert result.status == "failed"
    assert (result.output == T.FIT_MESSAGES["history_dict"]) is (key == "history_dict")
    if key == "not_history":
        assert result.output.startswith("`history_intro` is ") and "not the History object" in result.output


def test_ten_epochs_stopped_early_by_a_callback():
    """`epochs = 10` is right in the code; an EarlyStopping callback ended fit after 2: say that."""
    f = facts()
    f["fit"]["history"].update(epochs_param=10, epochs_run=2)
    result = judge(f)["fit.epochs"]
    assert result.status == "failed" and result.output == T.FIT_MESSAGES["stopped_early"].format(epochs=2, param=10)
    f["fit"]["history"].update(epochs_param=20, epochs_run=2)  # the code is wrong too: the plain message
    assert judge(f)["fit.epochs"].output == T.FIT_MESSAGES["epochs"].format(epochs=2)


def test_no_validation_data():
    f = facts()
    f["fit"]["last_call"]["validation_data"] = None
    f["fit"]["history"]["keys"] = ["accuracy", "loss"]
    f["fit"]["history"]["values"] = {k: v for k, v in f["fit"]["history"]["values"].items() if not k.startswith("val_")}
    results = judge(f)
    assert results["fit.validation"].status == "failed" and T.FIT_MESSAGES["no_validation"] in results["fit.validation"].output
    assert results["fit.history_keys"].status == "failed"


def test_training_data_as_validation_data():
    f = facts()
    f["fit"]["last_call"]["validation_data"] = "train_ds"
    result = judge(f)["fit.validation"]
    assert result.status == "failed" and T.FIT_MESSAGES["validation_is_train"] in result.output


def test_history_not_kept():
    f = facts()
    f["fit"]["history"] = {"defined": False}
    f["fit"]["last_call"]["history_is_result"] = False
    result = judge(f)["fit.history_keys"]
    assert result.status == "failed" and T.FIT_MESSAGES["no_history_var"] in result.output


def test_dataframe_of_something_else():
    f = facts()
    f["plot"]["df"] = {"defined": True, "is_df": True, "columns": ["a", "b"], "rows": 3,
                       "values": {"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 3.0]}}
    result = judge(f)["plot.history_df"]
    assert result.status == "failed" and "does not hold the training history" in result.output


def test_panels_swapped():
    f = facts()
    axes = f["plot"]["figure"]["axes"]
    axes[0], axes[1] = axes[1], axes[0]
    result = judge(f)["plot.figure"]
    assert result.status == "failed"
    assert "should show the loss" in result.output and "should show the accuracy" in result.output


def test_no_figure():
    f = facts()
    f["plot"]["figure"] = {"found": False}
    result = judge(f)["plot.figure"]
    assert result.status == "failed" and T.PLOT_MESSAGES["no_figure"] in result.output


def test_empty_panels_are_named_as_such_not_as_no_figure():
    """`fig, axes = plt.subplots(1, 2)` then `df.plot()` without `ax=`: pandas drew on figures of its own."""
    f = facts()
    for axis in f["plot"]["figure"]["axes"]:
        axis.update(lines=[], legend=[])
    result = judge(f)["plot.figure"]
    assert result.status == "failed"
    assert result.output == T.PLOT_MESSAGES["empty_figure"].format(n=2), result.output


def test_a_dataframe_with_a_column_of_its_own_beside_the_historys_passes():
    f = facts()
    df = f["plot"]["df"]
    df["columns"].append("epoch")
    df["values"]["epoch"] = [float(i) for i in range(1, df["rows"] + 1)]
    assert judge(f)["plot.history_df"].status == "passed"
    df["values"]["loss"] = [v + 1.0 for v in df["values"]["loss"]]  # the History's own columns still count
    assert judge(f)["plot.history_df"].status == "failed"


def test_a_dataframe_with_the_historys_columns_renamed_says_which():
    f = facts()
    df = f["plot"]["df"]
    for old, new in (("loss", "train loss"), ("val_loss", "validation loss")):
        df["columns"][df["columns"].index(old)] = new
        df["values"][new] = df["values"].pop(old)
    result = judge(f)["plot.history_df"]
    assert result.status == "failed"
    assert "`loss` as `train loss`, `val_loss` as `validation loss`" in result.output, result.output
    assert result.output.startswith("`history_intro_df` holds the History's numbers, but under other column names")
