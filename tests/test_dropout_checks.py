"""The dropout exercise's checks on plain facts (no TensorFlow): the solution's facts pass every check,
and each misconception fails with its own message."""
from __future__ import annotations

import copy

import pytest

from autograder import exercises
from autograder.judge.checks import evaluate, explain_error
from autograder.facts.schema import validate

DROPOUT = exercises.get("dropout")
T = DROPOUT.table
from autograder.exercises.dropout.factshape import GROUPS  # noqa: E402
from autograder.exercises.dropout.reference import run_history  # noqa: E402

HISTORY = {  # a History of the learner's own run (any numbers unlike the reference's)
    "accuracy": [0.2 + 0.04 * i for i in range(10)],
    "loss": [2.0 - 0.1 * i for i in range(10)],
    "val_accuracy": [0.25 + 0.03 * i for i in range(10)],
    "val_loss": [1.9 - 0.05 * i for i in range(10)],
}
REFERENCE = run_history("without")


def _layer(kind: str, **extra) -> dict:
    return {"kind": kind, "name": kind.lower(), **extra}


def layers(rate: object = 0.5, where: str = "flatten") -> list[dict]:
    """The lesson's model with one Dropout layer at ``where`` (flatten, dense, output, input, none)."""
    rate_fact = {"given_as": type(rate).__name__, "value": rate}
    dropout = _layer("Dropout", rate=rate_fact)
    out = [_layer("Input")]
    if where == "input":
        out.append(dropout)
    out += [_layer("Conv2D", filters=16, kernel_size=[3, 3], activation="relu"), _layer("MaxPooling2D", pool_size=[2, 2]),
            _layer("Conv2D", filters=32, kernel_size=[3, 3], activation="relu"), _layer("MaxPooling2D", pool_size=[2, 2]),
            _layer("Flatten")]
    if where == "flatten":
        out.append(dropout)
    out.append(_layer("Dense", units=32, activation="relu"))
    if where == "dense":
        out.append(dropout)
    out.append(_layer("Dense", units=10, activation="softmax"))
    if where == "output":
        out.append(dropout)
    return out


def _lines(series: dict[str, list[float]]) -> list[dict]:
    # seaborn's wide-form lineplot: one line per column, then empty legend handles
    return [{"label": f"_child{2 * i}", "y": list(v)} for i, v in enumerate(series.values())] + [
        {"label": k, "y": []} for k in series]


def _axis(series: dict[str, list[float]], title: str) -> dict:
    return {"legend": list(series), "lines": _lines(series), "title": title, "ylabel": ""}


def solution_facts() -> dict:
    """Facts shaped as the collectors make them for the lesson's solution (see a real run's)."""
    mine = {k: HISTORY[k] for k in ("accuracy", "val_accuracy")}
    ref = {k: REFERENCE[k] for k in ("accuracy", "val_accuracy")}
    return {
        "model": {"model": "ok", "is_old_model": False, "layers": layers()},
        "compile": {
            "model": "ok", "calls": 1, "error": None, "compiled": True, "output_activation": "softmax",
            "optimizer": {"name": "Adam", "is_adam": True, "learning_rate": 0.001, "given_as": "str", "value": "adam"},
            "loss": {"given_as": "str", "name": "sparse_categorical_crossentropy",
                     "value": "sparse_categorical_crossentropy", "from_logits": False},
            "metrics": {"given_as": "list", "items": [{"given_as": "str", "name": "accuracy"}]},
        },
        "fit": {
            "calls": 1,
            "last_call": {
                "x": "train_ds", "epochs": {"given_as": "int", "value": 10}, "validation_data": "val_ds",
                "validation_split": {"given_as": "float", "value": 0.0},
                "steps_per_epoch": {"given_as": "NoneType", "value": None},
                "validation_freq": {"given_as": "int", "value": 1}, "x_batches": 2, "train_batches": 2,
                "x_desc": {"given_as": "_PrefetchDataset", "repr": "<_PrefetchDataset>"}, "x_items": None,
                "y_given": False, "validation_desc": {"given_as": "_PrefetchDataset", "repr": "<_PrefetchDataset>"},
                "error": None, "history_is_result": True,
            },
            "history": {"defined": True, "is_history": True, "from_fit_of": "model_dropout",
                        "keys": sorted(HISTORY), "values": copy.deepcopy(HISTORY), "epochs_param": 10,
                        "epochs_run": 10},
            "earlier_histories": [],
        },
        "plot": {
            "df": {"defined": True, "is_df": True, "columns": sorted(HISTORY), "rows": 10,
                   "values": copy.deepcopy(HISTORY)},
            "figure": {"found": True, "suptitle": "cifar_model_dropout",
                       "axes": [_axis(ref, "without dropout"), _axis(mine, "with dropout")]},
        },
        "answers": {
            "dropout_narrows_gap": {"defined": True, "given_as": "bool", "value": True},
            "dropout_active_when_predicting": {"defined": True, "given_as": "bool", "value": False},
            "high_rate_training_accuracy": {"defined": True, "given_as": "str", "value": "decreases"},
        },
    }


def judge(facts: dict, cells: list[dict] | None = None, static_cells: list[dict] | None = None) -> dict:
    validate(facts, GROUPS)
    static = {"name": "dropout.py", "cells": static_cells or [], "problems": []}
    run = {"snapshot": {"facts": facts, "cells": cells or []}, "outcome": "exited"}
    return {r.tag: r for r in evaluate(DROPOUT, static, run)}


def test_every_check_passes_on_the_solution_facts():
    results = judge(solution_facts())
    assert set(results) == set(T.CHECKS)
    failed = {tag: r.output for tag, r in results.items() if r.status != "passed"}
    assert not failed
    assert sum(r.score for r in results.values()) == sum(c.points for c in T.CHECKS.values())


def test_the_table_names_this_exercise():
    assert T.TITLE == "Reduce overfitting with dropout" and T.ORDER == 2
    assert T.NAMES["model"] == "model_dropout" and T.NAMES["history"] == "history_dropout"
    assert not set(T.SIGNATURE_NAMES) & set(exercises.get("compile_and_train").table.SIGNATURE_NAMES)
    for messages in (T.COMPILE_MESSAGES, T.FIT_MESSAGES, T.KERAS_ERROR_MESSAGES):
        text = " ".join(messages.values())
        assert "model_dropout" in text and "history_intro" not in text


def _model(facts: dict, **model) -> dict:
    facts["model"] = model
    return facts


@pytest.mark.parametrize("rate, key", [(0, "rate_zero"), (0.0, "rate_zero"), (1.0, "rate_one"), (1, "rate_one")])
def test_rates_that_do_not_drop_a_share(rate, key):
    facts = _model(solution_facts(), model="ok", is_old_model=False, layers=layers(rate))
    result = judge(facts)["model.dropout_rate"]
    assert result.status == "failed"
    assert result.output == T.MODEL_MESSAGES[key]


@pytest.mark.parametrize("message, rate", [
    ("Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate=20", "20"),
    ("Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate=50.0", "50.0"),
])
def test_a_percentage_is_recognised_from_keras_error(message, rate):
    facts = _model(solution_facts(), model="missing")
    cells = [{"index": 4, "challenge": "model", "status": "error", "line": 7,
              "error": {"type": "ValueError", "message": message, "line": 7}}]
    result = judge(facts, cells, [{"index": 4, "challenge": "model", "first_line": 70}])["model.dropout_rate"]
    assert result.status == "failed"
    assert "20% is `0.2`" in result.output and f"Dropout({rate})" in result.output
    assert "line 7" in result.output  # names the place


def test_a_negative_rate_is_not_called_a_percentage():
    facts = _model(solution_facts(), model="missing")
    cells = [{"index": 4, "challenge": "model", "status": "error", "line": 7, "error": {
        "type": "ValueError", "line": 7,
        "message": "Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                   "Received: rate=-0.5"}}]
    result = judge(facts, cells)["model.dropout_rate"]
    assert result.status == "failed" and "cannot be negative" in result.output and "20%" not in result.output


def test_a_rate_in_quotes():
    facts = _model(solution_facts(), model="missing")
    cells = [{"index": 4, "challenge": "model", "status": "error", "line": 7, "error": {
        "type": "TypeError", "line": 7, "message": "'<=' not supported between instances of 'int' and 'str'"}}]
    result = judge(facts, cells)["model.dropout_rate"]
    assert result.status == "failed" and "without quotes" in result.output


def test_dropout_after_the_output_layer():
    facts = _model(solution_facts(), model="ok", is_old_model=False, layers=layers(where="output"))
    results = judge(facts)
    assert results["model.dropout_rate"].status == "passed"
    assert results["model.dropout_place"].status == "failed"
    assert results["model.dropout_place"].output == T.MODEL_MESSAGES["after_output"]


def test_dropout_on_the_input():
    facts = _model(solution_facts(), model="ok", is_old_model=False, layers=layers(where="input"))
    result = judge(facts)["model.dropout_place"]
    assert result.status == "failed" and result.output == T.MODEL_MESSAGES["before_first"]


def test_dropout_before_the_last_dense_layer_is_between_hidden_layers():
    facts = _model(solution_facts(), model="ok", is_old_model=False, layers=layers(where="dense"))
    assert judge(facts)["model.dropout_place"].status == "passed"


def test_no_dropout_layer():
    facts = _model(solution_facts(), model="ok", is_old_model=False, layers=layers(where="none"))
    results = judge(facts)
    for tag in ("model.dropout_rate", "model.dropout_place"):
        assert results[tag].status == "failed" and "has no Dropout layer" in results[tag].output


def test_the_old_model_in_place_of_the_new_one():
    facts = _model(solution_facts(), model="ok", is_old_model=True, layers=layers(where="none"))
    result = judge(facts)["model.dropout_rate"]
    assert result.status == "failed" and result.output == T.MODEL_MESSAGES["is_old_model"]


def test_fitting_the_old_model():
    facts = solution_facts()
    facts["fit"] = {"calls": 0, "history": {**facts["fit"]["history"], "from_fit_of": "other model"}}
    results = judge(facts)
    for tag in ("fit.history_keys", "fit.epochs", "fit.validation"):
        assert results[tag].status == "failed", tag
        assert "model_intro" in results[tag].output and "model_dropout.fit" in results[tag].output
    assert results["model.dropout_rate"].status == "passed"


@pytest.mark.parametrize("index, changes, words", [
    (7, {"units": 64}, "its first Dense layer has units 64 instead of 32"),
    (7, {"activation": "sigmoid"}, "its first Dense layer has activation `sigmoid` instead of `relu`"),
    (3, {"filters": 64, "kernel_size": [5, 5]},
     "its second Conv2D layer has filters 64 instead of 32; its second Conv2D layer has kernel size (5, 5) instead of (3, 3)"),
    (2, {"pool_size": [3, 3]}, "its first MaxPooling2D layer has pool size (3, 3) instead of (2, 2)"),
])
def test_a_kept_layer_with_other_settings_fails(index, changes, words):
    """The runs must differ only by dropout: a kept layer's units, filters, sizes or activation count."""
    facts = solution_facts()
    layer = facts["model"]["layers"][index]
    assert layer["kind"] in ("Dense", "Conv2D", "MaxPooling2D")
    layer.update(changes)
    result = judge(facts)["model.layers_kept"]
    assert result.status == "failed" and words in result.output
    assert result.output == T.MODEL_MESSAGES["settings_changed"].format(changes=words)


def test_a_setting_the_facts_could_not_read_is_not_held_against_the_learner():
    facts = solution_facts()
    facts["model"]["layers"][7]["units"] = None
    assert judge(facts)["model.layers_kept"].status == "passed"


def test_figure_with_the_panels_swapped():
    facts = solution_facts()
    facts["plot"]["figure"]["axes"].reverse()
    result = judge(facts)["plot.figure"]
    assert result.status == "failed" and result.output == T.PLOT_MESSAGES["swapped"]
    # The class report shows the answer: a swap must not read like the right figure.
    right = judge(solution_facts())["plot.figure"]
    assert right.answer == ("left: accuracy (without dropout), val_accuracy (without dropout); "
                            "right: accuracy (yours), val_accuracy (yours)")
    assert result.answer == ("left: accuracy (yours), val_accuracy (yours); "
                             "right: accuracy (without dropout), val_accuracy (without dropout)")


def test_figure_with_the_loss_on_the_right():
    facts = solution_facts()
    facts["plot"]["figure"]["axes"][1] = _axis({k: HISTORY[k] for k in ("loss", "val_loss")}, "")
    result = judge(facts)["plot.figure"]
    assert result.status == "failed" and "right panel" in result.output and "left panel" not in result.output


@pytest.mark.parametrize("panel, series, words", [
    (1, HISTORY, "The right panel also shows loss (yours), val_loss (yours)"),
    (0, REFERENCE, "The left panel also shows loss (without dropout), val_loss (without dropout)"),
    (0, {**{k: REFERENCE[k] for k in ("accuracy", "val_accuracy")}, "loss": HISTORY["loss"]},
     "The left panel also shows loss (yours)"),
])
def test_figure_with_loss_curves_beside_the_accuracy_fails(panel, series, words):
    """All of a History's columns on a panel (`data=history_dropout_df`): the accuracy curves are there,
    but the loss curves share their axis, so the runs no longer compare on one scale."""
    facts = solution_facts()
    facts["plot"]["figure"]["axes"][panel] = _axis(series, "")
    result = judge(facts)["plot.figure"]
    assert result.status == "failed" and words in result.output, result.output
    assert ("right panel" in result.output) == (panel == 1) and ("left panel" in result.output) == (panel == 0)


@pytest.mark.parametrize("name, given, ok", [
    ("dropout_narrows_gap", "yes, the gap gets smaller", True),
    ("dropout_narrows_gap", "it narrows the gap", True),
    ("dropout_narrows_gap", "no, the gap widens", False),
    ("dropout_narrows_gap", False, False),
    ("dropout_active_when_predicting", "no, only during training", True),
    ("dropout_active_when_predicting", "it is switched off", True),
    ("dropout_active_when_predicting", True, False),
    ("dropout_active_when_predicting", "yes, it is still active", False),
    ("high_rate_training_accuracy", "it drops", True),
    ("high_rate_training_accuracy", "the training accuracy gets lower", True),
    ("high_rate_training_accuracy", "increases", False),
    ("high_rate_training_accuracy", "stays the same", False),
])
def test_answers(name, given, ok):
    facts = solution_facts()
    facts["answers"][name] = {"defined": True, "given_as": type(given).__name__, "value": given}
    result = judge(facts)[f"questions.{name}"]
    assert result.status == ("passed" if ok else "failed"), result.output


def test_an_unfilled_model_blank_is_not_attempted():
    facts = _model(solution_facts(), model="ok", is_old_model=False,
                   layers=layers(rate="_____"))
    facts["model"]["layers"][6]["rate"] = {"given_as": "blank"}
    assert judge(facts)["model.dropout_rate"].status == "not_attempted"


def test_layers_kept_fails_when_a_layer_of_the_first_model_is_gone():
    facts = solution_facts()
    facts["model"]["layers"] = [layer for layer in facts["model"]["layers"]
                                if not (layer["kind"] == "Dense" and layer.get("units") == 32)]
    verdict = judge(facts)["model.layers_kept"]
    assert verdict.status == "failed"
    assert "the first model's layers" in verdict.output and "Flatten -> Dense" in verdict.output
    assert judge(facts)["model.dropout_place"].status == "passed"


def test_layers_kept_ignores_the_dropout_layers_and_a_missing_dropout():
    facts = solution_facts()
    facts["model"]["layers"] = [layer for layer in facts["model"]["layers"] if layer["kind"] != "Dropout"]
    results = judge(facts)
    assert results["model.layers_kept"].status == "passed"
    assert results["model.dropout_rate"].status == "failed"


def test_keras_refusing_a_rate_of_one_at_fit_is_explained():
    message = ("Exception encountered when calling Dropout.call().\n\n`rate` must be a scalar tensor or a float "
               "in the range [0, 1). Received: rate=1.0\n\nArguments received by Dropout.call():")
    text = explain_error({"type": "ValueError", "message": message}, table=T)
    assert text.startswith("Keras refuses to train with a dropout rate of 1") and "Dropout(0.5)" in text
