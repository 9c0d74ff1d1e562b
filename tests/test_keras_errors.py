"""Feedback a learner can act on for every error Keras raises on this lesson's mistakes.

Each known mistake is graded through the real worker (real Keras and TensorFlow, the offline
sample), as a variant of the solution made by exact text replacement, and the failing checks must
name the fix and the place; never a bare "Graph execution error". Then `explain_error` on plain
dicts (no TensorFlow), and the rubric's lists of Keras' names checked against the installed Keras.
"""
from __future__ import annotations

import inspect
import re

import pytest

from autograder.judge import rubric as R
from autograder.judge.checks import Context, _internal, evaluate, explain_error, keras_name, meaningful_line, suggest_name
from conftest import FIRST, ROOT, SOLUTION, by_tag

COMPILE = ("model_intro.compile(optimizer = 'adam',\n              loss = 'sparse_categorical_crossentropy',\n"
           "              metrics = ['accuracy'])")
FIT = ("history_intro = model_intro.fit(x = train_ds,\n                          epochs = 10,\n"
       "                          validation_data = val_ds)")
FIT_TAGS = ("fit.history_keys", "fit.epochs", "fit.validation")
NOISE = ("Graph execution error", "Detected at node", "Traceback", "File \"", "[[{{node")


def variant(**replacements: str) -> str:
    """The solution with each ``old -> new`` replacement applied; each ``old`` must occur exactly once."""
    text = SOLUTION.read_text(encoding="utf-8")
    for old, new in replacements.values():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def compile_with(optimizer: str = "'adam'", loss: str = "'sparse_categorical_crossentropy'",
                 metrics: str = "['accuracy']", extra: str = "") -> tuple[str, str]:
    return COMPILE, f"model_intro.compile(optimizer = {optimizer},\n              loss = {loss},\n" \
                    f"              metrics = {metrics}{extra})"


def fit_with(args: str) -> tuple[str, str]:
    return FIT, f"history_intro = model_intro.fit({args})"


# name -> (replacements, {check tag: words its output must contain}); tags not listed must pass
# unless listed in the third item (checks that fail for a reason not under test).
CASES: dict[str, tuple[dict, dict[str, list[str]], set[str]]] = {
    "compile_result_assigned": (  # `model_intro = model_intro.compile(...)`: the name now holds None
        {"c": (COMPILE, "model_intro = " + COMPILE)},
        {**{t: ["`model_intro` holds None", "without `model_intro =`"]
            for t in ("compile.optimizer", "compile.loss", "compile.metrics")},
         **{t: ["`model_intro` holds None", "submission.py, line"] for t in FIT_TAGS}},
        {"plot.history_df", "plot.figure"}),
    "optimizer_lr_keras2": (  # the optimizer fails before compile runs: every later check cascades
        {"c": compile_with(optimizer="keras.optimizers.Adam(lr=0.001)")},
        {t: ["`learning_rate`", "keras.optimizers.Adam(learning_rate=0.001)", "submission.py, line"]
         for t in ("compile.optimizer", "compile.loss", "compile.metrics")},
        {*FIT_TAGS, "plot.history_df", "plot.figure"}),
    "loss_mse": (
        {"c": compile_with(loss="'mse'")},
        {"compile.loss": ["regression", "loss='sparse_categorical_crossentropy'"],
         **{t: ["`mse` is a regression loss", "loss='sparse_categorical_crossentropy'", "submission.py, line"]
            for t in FIT_TAGS}},
        {"plot.history_df", "plot.figure"}),
    "metrics_mse": (
        {"c": compile_with(metrics="['mse']")},
        {"compile.metrics": ["regression metric", "metrics=['accuracy']"],
         **{t: ["metric `mse` is a regression metric", "metrics=['accuracy']", "submission.py, line"]
            for t in FIT_TAGS}},
        {"plot.history_df", "plot.figure"}),
    "metrics_accuracy_and_mae": (
        {"c": compile_with(metrics="['accuracy', 'mae']")},
        {"compile.metrics": ["`mae`", "regression metric"],
         "fit.history_keys": ["metric `mae` is a regression metric", "metrics=['accuracy']"]},
        {"fit.epochs", "fit.validation", "plot.history_df", "plot.figure"}),
    "validation_split": (
        {"f": fit_with("x = train_ds, epochs = 10, validation_split = 0.2")},
        {t: ["validation_split", "validation_data = val_ds", "submission.py, line"] for t in FIT_TAGS},
        {"plot.history_df", "plot.figure"}),
    "loss_categorical": (
        {"c": compile_with(loss="'categorical_crossentropy'")},
        {"compile.loss": ["one-hot", "'sparse_categorical_crossentropy'"],
         "fit.history_keys": ["one-hot", "loss='sparse_categorical_crossentropy'", "submission.py, line"]},
        {"fit.epochs", "fit.validation", "plot.history_df", "plot.figure"}),
    "loss_categorical_object": (
        {"c": compile_with(loss="keras.losses.CategoricalCrossentropy()")},
        {"compile.loss": ["one-hot", "sparse"],
         "fit.validation": ["one-hot", "loss='sparse_categorical_crossentropy'"]},
        {"fit.history_keys", "fit.epochs", "plot.history_df", "plot.figure"}),
    "metric_categorical_accuracy": (  # Keras runs it (with wrong numbers): fit works, without `accuracy`
        {"c": compile_with(metrics="['categorical_accuracy']")},
        {"compile.metrics": ["one-hot", "metrics=['accuracy']"], "fit.history_keys": ["val_categorical_accuracy"]},
        {"plot.figure"}),
    "metric_object_not_in_list": (
        {"c": compile_with(metrics="keras.metrics.SparseCategoricalAccuracy()")},
        {"compile.metrics": ["must be a list", "metrics=[keras.metrics.SparseCategoricalAccuracy()]",
                             "submission.py, line"],
         **{t: ["not compiled", "metrics=[keras.metrics.SparseCategoricalAccuracy()]", "submission.py, line"]
            for t in FIT_TAGS}},
        {"plot.history_df", "plot.figure"}),
    "metrics_bare_string": (
        {"c": compile_with(metrics="'accuracy'")},
        {"compile.metrics": ["must be a list", "metrics=['accuracy']"],
         "fit.history_keys": ["not compiled", "metrics=['accuracy']"]},
        {"fit.epochs", "fit.validation", "plot.history_df", "plot.figure"}),
    "loss_misspelled": (
        {"c": compile_with(loss="'sparse_categorical_crossentropi'")},
        {"compile.loss": ["did you mean `'sparse_categorical_crossentropy'`", "submission.py, line"],
         **{t: ["did you mean `'sparse_categorical_crossentropy'`"] for t in FIT_TAGS}},
        {"plot.history_df", "plot.figure"}),
    "optimizer_misspelled": (
        {"c": compile_with(optimizer="'adma'")},
        {"compile.optimizer": ["did you mean `'adam'`", "submission.py, line"],
         "fit.history_keys": ["not compiled", "did you mean `'adam'`"]},
        {"fit.epochs", "fit.validation", "plot.history_df", "plot.figure"}),
    "metric_misspelled": (
        {"c": compile_with(metrics="['acuracy']")},
        {"compile.metrics": ["did you mean `'accuracy'`"],
         "fit.history_keys": ["did you mean `'accuracy'`", "submission.py, line"]},
        {"fit.epochs", "fit.validation", "plot.history_df", "plot.figure"}),
    "compile_keyword_misspelled": (
        {"c": (COMPILE, COMPILE.replace("metrics =", "metric ="))},
        {"compile.metrics": ["no argument `metric`", "did you mean `metrics`"],
         "fit.history_keys": ["not compiled", "did you mean `metrics`"]},
        {"fit.epochs", "fit.validation", "plot.history_df", "plot.figure"}),
    "fit_before_compile": (
        {"c": (COMPILE, "pass  # compile comes later")},
        {"compile.loss": ["never called"],
         "fit.history_keys": ["not compiled yet", "model_intro.compile(...)"]},
        {"compile.optimizer", "compile.metrics", "fit.epochs", "fit.validation", "plot.history_df", "plot.figure"}),
    "x_as_text": (
        {"f": fit_with("x = 'train_ds', epochs = 10, validation_data = val_ds")},
        {t: ["remove the quotes, `x = train_ds`", "submission.py, line"] for t in FIT_TAGS},
        {"plot.history_df", "plot.figure"}),
    "x_undefined_name": (
        {"f": fit_with("x = train_images, epochs = 10, validation_data = val_ds")},
        {t: ["`train_images`", "did you mean `train_ds`", "submission.py, line"] for t in FIT_TAGS},
        {"plot.history_df", "plot.figure"}),
    "x_pair_of_datasets": (
        {"f": fit_with("x = (train_ds, val_ds), epochs = 10")},
        {"fit.history_keys": ["`x = train_ds`", "validation_data = val_ds"]},
        {"fit.epochs", "fit.validation", "plot.history_df", "plot.figure"}),
    "x_numpy_wrong_shape": (
        {"i": ("import keras\n", "import keras\nimport numpy as np\n"),
         "f": fit_with("x = np.zeros((64, 28, 28)), y = np.zeros(64), epochs = 10, validation_data = val_ds")},
        {"fit.history_keys": ["(None, 32, 32, 3)", "28, 28)", "x = train_ds"]},
        {"fit.epochs", "fit.validation", "plot.history_df", "plot.figure"}),
    "epochs_as_text": (
        {"f": fit_with("x = train_ds, epochs = '10', validation_data = val_ds")},
        {t: ["`epochs = '10'`", "epochs = 10", "submission.py, line"] for t in FIT_TAGS},
        {"plot.history_df", "plot.figure"}),
    "validation_as_text": (
        {"f": fit_with("x = train_ds, epochs = 10, validation_data = 'val_ds'")},
        {"fit.validation": ["`validation_data`", "remove the quotes, `validation_data = val_ds`"]},
        {"fit.history_keys", "fit.epochs", "plot.history_df", "plot.figure"}),
    "fit_keyword_misspelled": (
        {"f": fit_with("x = train_ds, epochs = 10, validation = val_ds")},
        {"fit.validation": ["no argument `validation`", "did you mean `validation_data`"]},
        {"fit.history_keys", "fit.epochs", "plot.history_df", "plot.figure"}),
    "fit_positional_arguments": (
        {"f": fit_with("train_ds, 10, val_ds")},
        {"fit.history_keys": ["Name each argument", "x = train_ds, epochs = 10, validation_data = val_ds"]},
        {"fit.epochs", "fit.validation", "plot.history_df", "plot.figure"}),
    "optimizer_class_not_imported": (
        {"c": compile_with(optimizer="Adam()")},
        {"compile.optimizer": ["`keras.optimizers.Adam()`", "submission.py, line"],
         "fit.history_keys": ["not compiled", "compile cell raised an error", "`keras.optimizers.Adam()`"]},
        {"compile.loss", "compile.metrics", "fit.epochs", "fit.validation", "plot.history_df", "plot.figure"}),
    "unforeseen_error": (  # nobody wrote a message for this one: its type, its line, its place
        {"f": fit_with("x = train_ds, epochs = 10, validation_data = val_ds, callbacks = [print]")},
        {"fit.history_keys": ["AttributeError: 'builtin_function_or_method' object has no attribute 'set_model'",
                              "submission.py, line"]},
        {"fit.epochs", "fit.validation", "plot.history_df", "plot.figure"}),
}

# Words an output must not contain (a wrong root cause).
NOT_SAID = {"metric_categorical_accuracy": {"fit.history_keys": ["No validation data"]},
            "optimizer_class_not_imported": {"fit.history_keys": ["not compiled yet"]}}


@pytest.mark.parametrize("loss", ["'mae'", "'mean_squared_logarithmic_error'", "'huber'", "'cosine_similarity'",
                                  "'poisson'", "keras.losses.MeanSquaredError()"])
def test_regression_losses_name_the_loss_and_the_fix(grade, loss):
    results = by_tag(grade(variant(c=compile_with(loss=loss))))
    for tag in ("compile.loss", *FIT_TAGS):
        assert results[tag].status == "failed"
        assert "sparse_categorical_crossentropy" in results[tag].output
    assert "regression loss" in results["fit.history_keys"].output
    assert "submission.py, line" in results["fit.history_keys"].output
    _no_noise(results)


@pytest.mark.parametrize("name", list(CASES))
def test_known_mistake_gets_the_fix(grade, name):
    replacements, expected, also_failing = CASES[name]
    results = by_tag(grade(variant(**replacements)))
    for tag, words in expected.items():
        output = results[tag].output
        assert results[tag].status == "failed", (tag, output)
        for word in words:
            assert word in output, (tag, word, output)
    for tag, words in NOT_SAID.get(name, {}).items():
        assert not any(word in results[tag].output for word in words), (tag, results[tag].output)
    failing = {t for t, r in results.items() if r.status != "passed"}
    assert failing - set(expected) <= also_failing, failing - set(expected) - also_failing
    _no_noise(results)


def _no_noise(results: dict) -> None:
    for r in results.values():
        for noise in NOISE:
            assert noise not in r.output, (r.tag, r.output)


# --- explain_error on plain data (no TensorFlow) ---------------------------------------------------

GRAPH_ERROR = (
    "Graph execution error:\n\nDetected at node compile_loss/mse/sub defined at (most recent call last):\n"
    + "".join(f'  File "/venv/lib/python3.11/site-packages/keras/src/trainers/mod{i}.py", line {i}, in fn\n\n'
              for i in range(30))
    + "Incompatible shapes: [32] vs. [32,10]\n\t [[{{node compile_loss/mse/sub}}]] "
      "[Op:__inference_multi_step_on_iterator_1706]")


def _ctx(facts: dict, cells: list | None = None) -> Context:
    static = {"name": "sub.py", "cells": [{"index": 3, "challenge": "compile", "first_line": 100},
                                          {"index": 5, "challenge": "fit", "first_line": 120}], "problems": []}
    return Context(static, {"snapshot": {"facts": facts, "cells": cells or []}, "outcome": "exited"}, None, FIRST)


def _compiled(loss: dict | None = None, metrics: list | None = None, error: dict | None = None) -> dict:
    return {"model": "ok", "calls": 1, "compiled": error is None, "error": error, "output_activation": "softmax",
            "optimizer": {"given_as": "str", "value": "adam", "name": "Adam", "is_adam": True, "learning_rate": 0.001},
            "loss": loss or {"given_as": "str", "name": "sparse_categorical_crossentropy",
                             "value": "sparse_categorical_crossentropy", "from_logits": False},
            "metrics": {"given_as": "list", "items": metrics or [{"given_as": "str", "name": "accuracy"}]}}


def test_graph_error_without_facts_shows_its_meaningful_line():
    text = explain_error({"type": "InvalidArgumentError", "message": GRAPH_ERROR}, table=FIRST.table)
    assert "Incompatible shapes: [32] vs. [32,10]" in text and "sparse_categorical_crossentropy" in text
    assert "Graph execution" not in text and "Detected at node" not in text
    assert meaningful_line(GRAPH_ERROR) == "Incompatible shapes: [32] vs. [32,10]"


@pytest.mark.parametrize("loss, words", [
    ({"given_as": "str", "name": "mse", "value": "mse"}, ["`mse` is a regression loss"]),
    ({"given_as": "str", "name": "MSE", "value": "MSE"}, ["`MSE` is a regression loss"]),
    ({"given_as": "instance", "name": "mean_squared_error"}, ["`mean_squared_error` is a regression loss"]),
    ({"given_as": "str", "name": "kl_divergence", "value": "kl_divergence"}, ["one-hot"]),
    ({"given_as": "str", "name": "hinge", "value": "hinge"}, ["two classes"]),
])
def test_shape_error_is_traced_to_the_loss(loss, words):
    text = explain_error({"type": "InvalidArgumentError", "message": GRAPH_ERROR}, _ctx({"compile": _compiled(loss)}))
    for word in words + ["loss='sparse_categorical_crossentropy'"]:
        assert word in text


def test_shape_error_is_traced_to_a_metric_when_the_loss_is_right():
    ctx = _ctx({"compile": _compiled(metrics=[{"given_as": "str", "name": "accuracy"},
                                              {"given_as": "str", "name": "mae"}])})
    text = explain_error({"type": "InvalidArgumentError", "message": GRAPH_ERROR}, ctx)
    assert "metric `mae` is a regression metric" in text and "metrics=['accuracy']" in text


def test_fit_after_a_failed_compile_names_the_compile_error_and_its_place():
    compile_error = {"type": "ValueError", "message": "Expected `metrics` argument to be a list, tuple, or dict. "
                     "Received instead: metrics=accuracy of type <class 'str'>"}
    fit_error = {"type": "ValueError", "message": "You must call `compile()` before using the model."}
    compiled = _compiled(metrics=[{"given_as": "str", "name": "accuracy"}], error=compile_error)
    compiled["metrics"] = {"given_as": "str", "value": "accuracy", "items": [{"given_as": "str", "name": "accuracy"}]}
    cells = [{"index": 3, "challenge": "compile", "status": "error", "error": {**compile_error, "line": 3}},
             {"index": 5, "challenge": "fit", "status": "error", "error": {**fit_error, "line": 1}}]
    fit = {"calls": 1, "last_call": {"x": "train_ds", "epochs": {"given_as": "int", "value": 10},
                                     "validation_data": "val_ds", "error": fit_error}, "history": {"defined": False}}
    ctx = _ctx({"compile": compiled, "fit": fit}, cells)
    text = explain_error(fit_error, ctx)
    assert "not compiled" in text and "sub.py, line 102" in text and "metrics=['accuracy']" in text
    results = {r.tag: r for r in evaluate(FIRST, ctx.static, ctx.run)}
    assert results["fit.history_keys"].output.startswith("`model_intro.fit(...)` raised an error at sub.py, line 120:")
    assert results["compile.metrics"].status == "failed" and "sub.py, line 102" in results["compile.metrics"].output
    assert results["compile.optimizer"].status == "passed" and results["compile.loss"].status == "passed"


@pytest.mark.parametrize("error, words", [
    (("ValueError", "Could not interpret loss identifier: sparse_categorical_crossentropi"),
     ["did you mean `'sparse_categorical_crossentropy'`?"]),
    (("ValueError", "Could not interpret loss identifier: categorical_crossentropi"),
     ["did you mean `'categorical_crossentropy'`?", "This lesson uses `loss='sparse_categorical_crossentropy'`"]),
    (("ValueError", "Could not interpret optimizer identifier: adma"), ["did you mean `'adam'`?"]),
    (("ValueError", "Could not interpret optimizer identifier: Adma"), ["did you mean `'adam'`?"]),
    (("ValueError", "Could not interpret metric identifier: acuracy"), ["did you mean `'accuracy'`?"]),
    (("ValueError", "Could not interpret metric identifier: Sparse_Categorical_Accuracy"),
     ["did you mean `'sparse_categorical_accuracy'`?"]),
    (("ValueError", "Could not interpret metric identifier: zzzz"), ["check the spelling", "metrics=['accuracy']"]),
    (("ValueError", "Could not interpret optimizer identifier: <class 'keras.src.optimizers.adam.Adam'>"),
     ["parentheses", "keras.optimizers.Adam()"]),
    (("TypeError", "TensorFlowTrainer.fit() got an unexpected keyword argument 'validation'"),
     ["did you mean `validation_data`?"]),
    (("TypeError", "TensorFlowTrainer.fit() got an unexpected keyword argument 'epoch'"), ["did you mean `epochs`?"]),
    (("TypeError", "Trainer.compile() got an unexpected keyword argument 'optimiser'"), ["did you mean `optimizer`?"]),
    (("ValueError", "Argument `validation_split` is only supported for tensors or NumPy arrays.Found incompatible "
                    "type in the input: [<class 'tensorflow.python.data.ops.prefetch_op._PrefetchDataset'>]"),
     ["validation_data = val_ds"]),
    (("ValueError", "Unrecognized data type: x=train_ds (of type <class 'str'>)"), ["without quotes", "x = train_ds"]),
    (("ValueError", "Expected `metrics` argument to be a list, tuple, or dict. Received instead: "
                    "metrics=<SparseCategoricalAccuracy name=sparse_categorical_accuracy> of type "
                    "<class 'keras.src.metrics.accuracy_metrics.SparseCategoricalAccuracy'>"),
     ["metrics=[keras.metrics.SparseCategoricalAccuracy()]"]),
    (("ValueError", "Expected `metrics` argument to be a list, tuple, or dict. Received instead: metrics=accuracy "
                    "of type <class 'str'>"), ["metrics=['accuracy']"]),
    (("ValueError", "You must call `compile()` before using the model."), ["model_intro.compile(...)"]),
    (("ValueError", "When providing `x` as a tf.data.Dataset, `y` should not be passed."), ["Name each argument"]),
    (("ValueError", "None values not supported."), ["x = train_ds"]),
    (("ValueError", "No loss to compute. Provide a `loss` argument in `compile()`."),
     ["loss='sparse_categorical_crossentropy'"]),
    (("AttributeError", "'NoneType' object has no attribute 'apply_gradients'"), ["optimizer='adam'"]),
    (("TypeError", "'float' object cannot be interpreted as an integer"), ["epochs = 10"]),
    (("NameError", "name 'train_images' is not defined"), ["did you mean `train_ds`?"]),
    (("NameError", "name 'Adam' is not defined"), ["keras.optimizers.Adam()"]),
    (("NameError", "name 'SparseCategoricalCrossentropy' is not defined"),
     ["keras.losses.SparseCategoricalCrossentropy()"]),
    (("NameError", "name 'adam' is not defined"), ["in quotes", "'adam'"]),
    (("NameError", "name 'tf' is not defined"), ["import tensorflow as tf"]),
    (("NameError", "name 'decreases' is not defined"), ["quotes", '"decreases"']),
    (("ZeroDivisionError", "division by zero"), ["ZeroDivisionError: division by zero"]),
    (("ValueError", "Argument(s) not recognized: {'lr': 0.001}"), ["`learning_rate`", "Keras 2"]),
    (("ValueError", "Argument(s) not recognized: {'momentun': 0.9}"), ["no argument `momentun`"]),
    (("ValueError", "Only input tensors may be passed as positional arguments. The following argument value "
                    "should be passed as a keyword argument: <Dropout name=dropout, built=True> (of type "
                    "<class 'keras.src.layers.regularization.dropout.Dropout'>)"),
     ["`Dropout` layer", "x = keras.layers.Dropout(...)(x)"]),
    (("AttributeError", "module 'keras.layers' has no attribute 'dropout'"), ["did you mean `keras.layers.Dropout`?"]),
    (("AttributeError", "module 'keras.api.layers' has no attribute 'Conv2d'"), ["did you mean `keras.layers.Conv2D`?"]),
    (("AttributeError", "module 'keras.layers' has no attribute 'MaxPool2d'"), ["`keras.layers.MaxPooling2D`"]),
    (("AttributeError", "module 'keras.optimizers' has no attribute 'adam'"), ["`keras.optimizers.Adam`"]),
    (("AttributeError", "module 'keras.layers' has no attribute 'Frobnicate'"),
     ["`keras.layers` has no `Frobnicate`: check the spelling"]),
])
def test_explain_error_gives_the_fix(error, words):
    text = explain_error({"type": error[0], "message": error[1]}, table=FIRST.table)
    for word in words:
        assert word in text, (word, text)


def test_fit_argument_errors_use_the_facts():
    fit = {"last_call": {"x": "train_ds", "x_desc": {"given_as": "_PrefetchDataset", "repr": "<_PrefetchDataset>"},
                         "validation_desc": {"given_as": "str", "value": "val_ds"},
                         "epochs": {"given_as": "int", "value": 10}}}
    message = {"type": "ValueError", "message": "Unrecognized data type: x=val_ds (of type <class 'str'>)"}
    assert "`validation_data` is the text `'val_ds'`" in explain_error(message, _ctx({"fit": fit}))
    fit["last_call"].update(x="tuple", x_desc={"given_as": "tuple", "repr": "(<_PrefetchDataset>, <_PrefetchDataset>)"},
                            x_items=["train_ds", "val_ds"])
    pair = explain_error({"type": "ValueError", "message": "Unrecognized data type: x=(<a>, <b>) (of type <class "
                          "'tuple'>)"}, _ctx({"fit": fit}))
    assert "`x` is a tuple of 2 items" in pair and "validation_data = val_ds" in pair
    fit["last_call"]["epochs"] = {"given_as": "str", "value": "10"}
    epochs = explain_error({"type": "TypeError", "message": "'str' object cannot be interpreted as an integer"},
                           _ctx({"fit": fit}))
    assert "`epochs = '10'`" in epochs and "epochs = 10" in epochs


def test_unforeseen_error_keeps_type_and_line():
    assert explain_error({"type": "RuntimeError", "message": "\nsomething odd happened\n"}, table=FIRST.table) == \
        "RuntimeError: something odd happened"
    assert explain_error({"type": "InvalidArgumentError", "message": GRAPH_ERROR.replace(
        "Incompatible shapes: [32] vs. [32,10]", "Something new: [1] and [2]")}, table=FIRST.table) == \
        "InvalidArgumentError: Something new: [1] and [2]"


def test_misspelled_loss_fails_the_loss_check_with_a_suggestion():
    loss = {"given_as": "str", "name": "Sparse_Categorical_Crossentropy", "value": "Sparse_Categorical_Crossentropy"}
    result = evaluate(FIRST, {"name": "t", "cells": [], "problems": []},
                      {"snapshot": {"facts": {"compile": _compiled(loss)}, "cells": []}, "outcome": "exited"},
                      tags=["compile.loss"])[0]
    assert result.status == "failed" and "did you mean `'sparse_categorical_crossentropy'`" in result.output


@pytest.mark.parametrize("name, kind, canonical", [
    ("SparseCategoricalCrossentropy", "loss", "sparse_categorical_crossentropy"),
    ("MSE", "loss", "mean_squared_error"), ("kld", "loss", "kl_divergence"),
    ("Accuracy", "metric", "accuracy"), ("ACC", "metric", "accuracy"),
    ("SparseCategoricalAccuracy", "metric", "sparse_categorical_accuracy"), ("Adam", "optimizer", "adam"),
])
def test_keras_spellings_are_known_and_canonical(name, kind, canonical):
    assert keras_name(name, kind) == (True, canonical)


@pytest.mark.parametrize("name, kind", [("Sparse_categorical_crossentropy", "loss"), ("mse ", "loss"),
                                        ("acuracy", "metric"), ("adma", "optimizer")])
def test_misspellings_are_unknown(name, kind):
    assert keras_name(name, kind)[0] is False
    assert suggest_name(name, kind) is not None


# --- the rubric's lists of Keras' names, against the installed Keras --------------------------------

def _interprets(get, name: str) -> bool:
    """Keras understands the name (some need arguments to build, which is not a misspelling)."""
    try:
        get(name)
    except ValueError as exc:
        return "Could not interpret" not in str(exc)
    except (TypeError, KeyError):
        return True
    return True


def _pinned_keras() -> tuple[int, ...]:
    """The Keras version of constraints.txt, which the lists describe."""
    pin = next(line for line in (ROOT / "constraints.txt").read_text().splitlines() if line.startswith("keras=="))
    return _version(pin.split("==")[1])


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())


def test_identifier_lists_match_the_installed_keras():
    """Every name the installed Keras knows is in the lists (so none is ever called a misspelling);
    on the pinned Keras (or a newer one) every listed name is known too, so the lists cannot drift.
    An older supported Keras lacks some newer names, which it then reports itself."""
    import keras
    from keras.src.losses import ALL_OBJECTS_DICT as losses
    from keras.src.metrics import ALL_OBJECTS_DICT as metrics
    from keras.src.optimizers import ALL_OBJECTS_DICT as optimizers

    strict = _version(keras.__version__) >= _pinned_keras()
    for names, get, table in ((R.KERAS_LOSS_NAMES, keras.losses.get, losses),
                              (R.KERAS_METRIC_NAMES, keras.metrics.get, metrics),
                              (R.KERAS_OPTIMIZER_NAMES, keras.optimizers.get, optimizers)):
        assert set(table) <= names, set(table) - names
        if strict:
            assert all(_interprets(get, n) for n in names), [n for n in names if not _interprets(get, n)]
    for name in ("sparse_categorical_crossentrop", "Sparse_categorical_crossentropy", "adma"):
        assert not _interprets(keras.losses.get, name) and not _interprets(keras.optimizers.get, name)
    if strict:
        assert all(hasattr(keras.optimizers, c) for c in R.KERAS_OPTIMIZER_CLASSES)
        assert all(hasattr(keras.layers, c) for c in R.KERAS_LAYER_CLASSES)
        for names, module in ((R.KERAS_LOSS_NAMES, keras.losses), (R.KERAS_METRIC_NAMES, keras.metrics)):
            camel = [n for n in names if n[:1].isupper() and not n.isupper() and not _internal(n)]
            assert all(hasattr(module, n) for n in camel), [n for n in camel if not hasattr(module, n)]
    for arguments, name in ((R.COMPILE_ARGUMENTS, "compile"), (R.FIT_ARGUMENTS, "fit")):
        # Keras' own method (the grader's recorder may have wrapped `keras.Model`'s in this process)
        method = next(c.__dict__[name] for c in keras.Model.__mro__
                      if name in c.__dict__ and c.__dict__[name].__module__.startswith("keras"))
        assert set(arguments) == set(inspect.signature(method).parameters) - {"self"}
    known = R.KERAS_LOSS_NAMES | R.KERAS_METRIC_NAMES
    assert set(R.LABEL_KINDS) <= known and set(R.KERAS_ACRONYMS.values()) <= known


def test_label_kinds_really_fail_with_integer_labels():
    """Every loss and metric the table says needs other labels makes `fit` raise on ours (eager, tiny model)."""
    import keras
    import numpy as np

    x, y = np.random.default_rng(0).random((8, 4), dtype="float32"), np.arange(8) % 10
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(inputs))

    def raises(**compile_args) -> bool:
        model.compile(**{"optimizer": "adam", "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"],
                         "run_eagerly": True, **compile_args})
        try:
            model.fit(x, y, batch_size=4, epochs=1, verbose=0)
        except Exception:  # noqa: BLE001 - any error Keras raises is the point
            return True
        return False

    assert not raises()
    for name in R.LABEL_KINDS:
        if name in R.KERAS_LOSS_NAMES and _interprets(keras.losses.get, name):
            assert raises(loss=name), name
        if name in R.KERAS_METRIC_NAMES and _interprets(keras.metrics.get, name):
            assert raises(metrics=[name]), name


# --- a DataFrame column the History does not have (KeyError in the plot cell) ----------------------

def _history_facts(keys: list[str]) -> dict:
    return {"fit": {"calls": 1, "history": {"defined": True, "is_history": True, "keys": keys}}}


@pytest.mark.parametrize("keys, message, expected", [
    (["loss", "acc", "val_loss", "val_acc"], "\"['accuracy', 'val_accuracy'] not in index\"",
     ("column_accuracy_key", {"column": "'accuracy'", "acc": "acc"})),
    (["loss", "sparse_categorical_accuracy", "val_loss", "val_sparse_categorical_accuracy"],
     "\"None of [Index(['accuracy', 'val_accuracy'], dtype='object')] are in the [columns]\"",
     ("column_accuracy_key", {"column": "'accuracy'", "acc": "sparse_categorical_accuracy"})),
    (["loss", "accuracy"], "\"['val_loss'] not in index\"", ("column_no_validation", {"column": "'val_loss'"})),
    (["loss", "accuracy", "val_loss", "val_accuracy"], "'lost'",
     ("column_missing", {"columns": "`'lost'` is", "suggestion": ": did you mean `'loss'`?",
                         "keys": "`'loss'`, `'accuracy'`, `'val_loss'`, `'val_accuracy'`"})),
    (["loss", "accuracy", "val_loss", "val_accuracy"], "\"['epoch', 'time'] not in index\"",
     ("column_missing", {"columns": "`'epoch'`, `'time'` are", "suggestion": ".",
                         "keys": "`'loss'`, `'accuracy'`, `'val_loss'`, `'val_accuracy'`"})),
])
def test_a_missing_column_is_explained_from_the_historys_keys(keys, message, expected):
    key, fields = expected
    text = explain_error({"type": "KeyError", "message": message}, _ctx(_history_facts(keys)))
    assert text == FIRST.table.KERAS_ERROR_MESSAGES[key].format(**fields)


def test_a_column_error_without_a_history_or_with_every_column_keeps_the_tables_words():
    error = {"type": "KeyError", "message": "\"['accuracy'] not in index\""}
    generic = explain_error(error, table=FIRST.table)
    assert "that column is not in the DataFrame" in generic
    assert explain_error(error, _ctx(_history_facts(["loss", "accuracy"]))) == generic  # the History has it
    frame = explain_error({"type": "ValueError", "message": "DataFrame constructor not properly called!"}, table=FIRST.table)
    assert "history_intro.history" in frame and "from_dict" in frame


def test_metrics_acc_then_the_lessons_plot_line_names_the_keys_to_plot(grade):
    """Through the real worker: `metrics=['acc']` is right, but Keras then names the History's keys
    `acc`/`val_acc`, so the lesson's plot line raises KeyError; the figure's message says why."""
    text = SOLUTION.read_text(encoding="utf-8")
    assert text.count("metrics = ['accuracy']") == 1
    graded = grade(text.replace("metrics = ['accuracy']", "metrics = ['acc']"))
    results = by_tag(graded)
    assert results["compile.metrics"].status == "passed" and results["fit.history_keys"].status == "passed"
    figure = results["plot.figure"]
    assert figure.status == "failed"
    assert "it should show the accuracy: `'acc'` and `'val_acc'`" in figure.output
    assert FIRST.table.KERAS_ERROR_MESSAGES["column_accuracy_key"].format(column="'accuracy'", acc="acc") in figure.output


def test_fit_of_another_model_that_is_not_compiled_says_so_when_the_exercises_model_is():
    """The dropout lesson's `history_dropout = model_intro.fit(...)`: the setup's model was never
    compiled, the exercise's was; the message must not tell the learner to compile theirs again."""
    fit_error = {"type": "ValueError", "message": "You must call `compile()` before using the model."}
    ctx = _ctx({"compile": _compiled(), "fit": {"calls": 0, "history": {"defined": False}}})
    text = explain_error(fit_error, ctx)
    assert text == FIRST.table.KERAS_ERROR_MESSAGES["fit_other_model"]
    assert "another model" in text and "not compiled yet" not in text
    never = explain_error(fit_error, _ctx({"fit": {"calls": 0, "history": {"defined": False}}}))
    assert never == FIRST.table.KERAS_ERROR_MESSAGES["never_compiled"]


@pytest.mark.parametrize("name, facts, made", [
    ("history_intro", {"fit": {"calls": 1, "history": {"defined": True, "is_history": True}}}, True),
    ("history_intro_df", {"plot": {"df": {"defined": True}}}, True),
    ("model_intro", {"compile": {"model": "ok"}}, True),
    ("history_intro", {"fit": {"calls": 0, "history": {"defined": False}}}, False),
    ("histroy", {"fit": {"calls": 1, "history": {"defined": True}}}, False),
])
def test_a_lesson_name_made_later_in_the_run_says_the_cells_ran_out_of_order(name, facts, made):
    """The plot cell above the fit cell: `history_intro` exists at the end, not when the plot ran."""
    text = explain_error({"type": "NameError", "message": f"name '{name}' is not defined"}, _ctx(facts))
    later = FIRST.table.KERAS_ERROR_MESSAGES["defined_later"].format(name=name)
    assert (text == later) is made
    if not made:
        assert "did not exist yet" not in text


def test_keras_2s_positional_metrics_are_named_as_keras_3s_loss_weights(grade):
    """`compile('adam', loss, ['accuracy'])`: Keras 3's third positional argument is `loss_weights`.
    Through the real worker (both supported Keras pairs: `fit` fails differently on each)."""
    text = SOLUTION.read_text(encoding="utf-8")
    call = re.search(r"model_intro\.compile\((?:[^()]|\([^()]*\))*\)", text)
    assert call, "the solution's compile call"
    positional = "model_intro.compile('adam', 'sparse_categorical_crossentropy', ['accuracy'])"
    results = by_tag(grade(text.replace(call.group(0), positional)))
    expected = FIRST.table.METRICS_MESSAGES["as_loss_weights"].format(given="['accuracy']")
    assert results["compile.metrics"].status == "failed" and results["compile.metrics"].output == expected
    assert results["compile.optimizer"].status == results["compile.loss"].status == "passed"
    assert results["fit.history_keys"].status == "failed" and expected in results["fit.history_keys"].output


def test_loss_weights_that_are_weights_are_not_taken_for_metrics():
    from autograder.judge.checks import metrics_as_loss_weights

    assert metrics_as_loss_weights({"loss_weights": {"given_as": "list", "items": [{"given_as": "str", "name": "acc"}]}}) == "['acc']"
    assert metrics_as_loss_weights({"loss_weights": {"given_as": "float", "value": 1.0}}) is None
    assert metrics_as_loss_weights({"loss_weights": {"given_as": "list", "items": [{"given_as": "str", "name": "heavy"}]}}) is None
    assert metrics_as_loss_weights({}) is None
