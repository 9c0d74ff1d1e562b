"""Each accepted spelling and each misconception of the compile challenge, on real Keras models.

Models are really compiled (no training): facts are gathered from the live objects exactly
as the grader's harness does, then judged by the checks.
"""
from __future__ import annotations

import keras
import pytest
import tensorflow as tf

from autograder.facts import gather as facts
from autograder.judge.checks import evaluate
from autograder.model import build_model_intro
from conftest import FIRST, stable_id

COLLECTORS = FIRST.module("collect").COLLECTORS
REC = facts.Recorder()
REC.install()


def logits_model() -> keras.Model:
    inputs = keras.Input((32, 32, 3))
    x = keras.layers.Flatten()(inputs)
    return keras.Model(inputs, keras.layers.Dense(10)(x), name="cifar_model_intro")


def judge_compile(model=None, **kwargs) -> dict:
    model = model or build_model_intro()
    try:
        model.compile(**kwargs)
    except ValueError:
        pass  # e.g. metrics='accuracy': the checks must explain it
    found = facts.gather({"model_intro": model}, REC, COLLECTORS)
    run = {"snapshot": {"facts": found, "cells": []}, "outcome": "exited"}
    results = evaluate(FIRST, {"name": "t", "cells": [], "problems": []}, run,
                       tags=["compile.optimizer", "compile.loss", "compile.metrics"])
    return {r.tag.split(".")[1]: r for r in results}


GOOD = dict(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])


@pytest.mark.parametrize("optimizer", [
    "adam", "Adam", keras.optimizers.Adam(), tf.keras.optimizers.Adam(learning_rate=1e-3),
    keras.optimizers.Adam(learning_rate=5e-4), keras.optimizers.Adam(learning_rate=0.005),
], ids=stable_id)
def test_adam_accepted(optimizer):
    assert judge_compile(**{**GOOD, "optimizer": optimizer})["optimizer"].status == "passed"


@pytest.mark.parametrize("optimizer, words", [
    ("sgd", ["Adam", "'sgd'"]),
    (keras.optimizers.RMSprop(), ["Adam", "RMSprop"]),
    (keras.optimizers.SGD(learning_rate=0.01), ["Adam"]),
    (keras.optimizers.Adam(learning_rate=1.0), ["overshoot", "learning-rate figure"]),
    (keras.optimizers.Adam(learning_rate=1e-6), ["barely", "learning-rate figure"]),
], ids=stable_id)
def test_other_optimizers_fail_with_reason(optimizer, words):
    result = judge_compile(**{**GOOD, "optimizer": optimizer})["optimizer"]
    assert result.status == "failed"
    for word in words:
        assert word in result.output


def test_optimizer_class_without_parentheses():
    result = judge_compile(**{**GOOD, "optimizer": keras.optimizers.Adam})["optimizer"]
    assert result.status == "failed" and "parentheses" in result.output


def test_a_missing_optimizer_is_reported_as_missing_not_as_keras_default():
    results = judge_compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    assert results["optimizer"].status == "failed"
    assert "No optimizer was given" in results["optimizer"].output
    assert "rmsprop" not in results["optimizer"].output.lower() and results["optimizer"].answer == "none"
    assert results["loss"].status == results["metrics"].status == "passed"


def test_a_missing_optimizer_still_compiles_with_keras_default():
    model = build_model_intro()
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    assert type(model.optimizer).__name__ == "RMSprop"  # what Keras does without the recorder


@pytest.mark.parametrize("loss", [
    "sparse_categorical_crossentropy", keras.losses.SparseCategoricalCrossentropy(),
    keras.losses.sparse_categorical_crossentropy, tf.keras.losses.SparseCategoricalCrossentropy(from_logits=False),
    "SparseCategoricalCrossentropy",  # Keras also knows its classes' names
    "crossentropy", "ce",  # Keras' shortcuts: it picks the sparse loss for integer labels
], ids=stable_id)
def test_sparse_loss_accepted(loss):
    assert judge_compile(**{**GOOD, "loss": loss})["loss"].status == "passed"


@pytest.mark.parametrize("loss, words", [
    ("categorical_crossentropy", ["sparse", "one-hot"]),
    (keras.losses.CategoricalCrossentropy(), ["sparse", "one-hot"]),
    ("mse", ["regression"]),
    (keras.losses.MeanSquaredError(), ["regression"]),
    ("binary_crossentropy", ["two classes"]),
    ("kl_divergence", ["sparse_categorical_crossentropy"]),
    ("huber", ["regression loss"]),
    ("Sparse_Categorical_Crossentropy", ["did you mean `'sparse_categorical_crossentropy'`"]),  # Keras refuses it
], ids=stable_id)
def test_wrong_losses_fail_with_reason(loss, words):
    result = judge_compile(**{**GOOD, "loss": loss})["loss"]
    assert result.status == "failed"
    for word in words:
        assert word in result.output


def test_from_logits_must_match_softmax_output():
    with_softmax = judge_compile(**{**GOOD, "loss": keras.losses.SparseCategoricalCrossentropy(from_logits=True)})
    assert with_softmax["loss"].status == "failed" and "softmax" in with_softmax["loss"].output
    no_softmax = judge_compile(logits_model(), **GOOD)
    assert no_softmax["loss"].status == "failed" and "from_logits=True" in no_softmax["loss"].output
    matched = judge_compile(logits_model(), **{**GOOD, "loss": keras.losses.SparseCategoricalCrossentropy(from_logits=True)})
    assert matched["loss"].status == "passed"


@pytest.mark.parametrize("metrics", [
    ["accuracy"], ["acc"], ("accuracy",), [keras.metrics.SparseCategoricalAccuracy()],
    ["sparse_categorical_accuracy"], [keras.metrics.sparse_categorical_accuracy], ["Accuracy"],
    ["SparseCategoricalAccuracy"], ["accuracy", "sparse_categorical_crossentropy"],
], ids=stable_id)
def test_accuracy_metrics_accepted(metrics):
    assert judge_compile(**{**GOOD, "metrics": metrics})["metrics"].status == "passed"


@pytest.mark.parametrize("keys, expected", [
    (["loss", "accuracy", "val_loss", "val_accuracy"], "accuracy"),
    (["loss", "acc", "val_loss", "val_acc"], "acc"),
    (["Accuracy", "loss", "val_Accuracy", "val_loss"], "Accuracy"),  # metrics=['Accuracy']
    (["SparseCategoricalAccuracy", "loss"], "SparseCategoricalAccuracy"),
    (["loss", "sparse_categorical_accuracy"], "sparse_categorical_accuracy"),
    (["loss", "categorical_accuracy", "val_loss"], None),
    (["loss", "val_accuracy"], None),
])
def test_accuracy_key_as_keras_names_it(keys, expected):
    from autograder.judge.keras_checks import accuracy_key

    assert accuracy_key(keys) == expected


@pytest.mark.parametrize("metrics, words", [
    ("accuracy", ["must be a list", "['accuracy']"]),
    ([keras.metrics.Accuracy()], ["exact matches", "SparseCategoricalAccuracy"]),
    (["categorical_accuracy"], ["one-hot", "sparse"]),
    (["sparse_categorical_crossentropy"], ["do not include accuracy"]),
    (["mse"], ["regression metric", "metrics=['accuracy']"]),
    (["accuracy", "mse"], ["regression metric"]),  # `fit` fails on mse with integer labels
    ([keras.metrics.Precision()], ["two classes"]),
    (["acuracy"], ["did you mean `'accuracy'`"]),
], ids=stable_id)
def test_wrong_metrics_fail_with_reason(metrics, words):
    result = judge_compile(**{**GOOD, "metrics": metrics})["metrics"]
    assert result.status == "failed"
    for word in words:
        assert word in result.output


def test_metrics_string_still_credits_optimizer_and_loss():
    """Keras refuses metrics='accuracy', but the optimizer and loss were written right."""
    results = judge_compile(**{**GOOD, "metrics": "accuracy"})
    assert results["optimizer"].status == "passed"
    assert results["loss"].status == "passed"
    assert results["metrics"].status == "failed"


def test_uncompiled_model_is_not_credited():
    found = facts.gather({"model_intro": build_model_intro()}, facts.Recorder(), COLLECTORS)
    run = {"snapshot": {"facts": found, "cells": []}, "outcome": "exited"}
    results = evaluate(FIRST, {"name": "t", "cells": [], "problems": []}, run)
    assert all(r.status != "passed" for r in results if r.challenge == "compile")
    assert "never called" in results[0].output


def test_recompiling_right_after_a_wrong_compile_passes():
    model = build_model_intro()
    model.compile(optimizer="sgd", loss="mse", metrics=["mse"])
    assert all(r.status == "passed" for r in judge_compile(model, **GOOD).values())


def test_self_check_in_a_kernel_reports_blanks_from_the_input_history():
    from autograder import selfcheck

    ns = {"In": ["", "import keras", "_____.compile(optimizer = _____,\n    loss = 'mse')"],
          "model_intro": build_model_intro()}
    results = selfcheck.results("compile", ns)
    assert all(r.status == "not_attempted" for r in results)
    assert "your cell In [2], line 1" in results[0].output
    ns["In"].append("model_intro.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])")
    ns["model_intro"].compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    assert "Correct!" in selfcheck.format_results(selfcheck.results("compile", ns))
