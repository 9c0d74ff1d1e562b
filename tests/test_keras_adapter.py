"""Each Keras internal the grader reads (autograder/facts/keras_adapter.py), on the installed Keras.

One test per internal, so a Keras upgrade that renames or drops one fails a test named after it;
then the fallbacks (a Keras without the internal: less detail or "could not be checked", no crash)
and the behaviour the adapter makes the same on every supported Keras. These tests also run on the
oldest supported TensorFlow/Keras pair (`.ci/oldest.sh`).
"""
from __future__ import annotations

import keras
import numpy as np
import pytest
from keras.src.trainers.trainer import Trainer

from autograder.run import harness
from autograder.facts import keras_adapter
from autograder.judge.checks import evaluate
from autograder.facts.keras_adapter import MISSING, bind
from autograder.model import build_model_intro
from autograder.integrations.sampleclass import variant_text
from autograder.facts.schema import validate
from conftest import FIRST, by_tag, stable_id

K = bind()
GOOD = dict(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])


def compiled(**kwargs) -> keras.Model:
    model = build_model_intro()
    Trainer.compile(model, **{**GOOD, **kwargs})  # Keras' own compile, whatever wraps keras.Model.compile
    return model


# --- one test per internal -----------------------------------------------------------------------

def test_compile_loss_class_is_importable_and_is_what_compile_makes():
    """keras.src.trainers.compile_utils.CompileLoss: the class of model._compile_loss after compile."""
    assert isinstance(K.CompileLoss, type)
    assert not K.keras_compiled(build_model_intro())
    assert K.keras_compiled(compiled()) is True


def test_compile_token_is_model_compile_loss_and_each_compile_makes_a_new_one():
    """model._compile_loss: a new CompileLoss at every compile (how a recompile behind the recorder's back shows)."""
    model = compiled()
    first = K.compile_token(model)
    assert type(first) is K.CompileLoss and first is vars(model)["_compile_loss"]
    Trainer.compile(model, **GOOD)
    assert K.compile_token(model) is not first and type(K.compile_token(model)) is K.CompileLoss


@pytest.mark.parametrize("loss", ["sparse_categorical_crossentropy", keras.losses.SparseCategoricalCrossentropy(),
                                  keras.losses.sparse_categorical_crossentropy], ids=stable_id)
def test_user_loss_is_the_loss_given_to_compile(loss):
    """CompileLoss._user_loss: the loss exactly as given (model.loss may be overwritten afterwards)."""
    model = compiled(loss=loss)
    model.loss = "overwritten"
    assert K.user_loss(model) is loss


def test_compiled_flag_is_set_by_compile_and_a_fake_compile_does_not_count():
    """model.compiled: Keras' own flag; a fake compile that sets it (and an optimizer) makes no CompileLoss."""
    assert vars(compiled()).get("compiled") is True
    fake = build_model_intro()
    fake.compiled, fake.optimizer = True, keras.optimizers.Adam()
    assert K.keras_compiled(fake) is False


def test_compiled_optimizer_is_the_instance_attribute_compile_sets():
    """model.optimizer, read from the instance __dict__."""
    adam = keras.optimizers.Adam(learning_rate=5e-4)
    assert K.compiled_optimizer(compiled(optimizer=adam)) is adam
    assert isinstance(K.compiled_optimizer(compiled(optimizer="sgd")), keras.optimizers.SGD)
    assert K.compiled_optimizer(build_model_intro()) is None


def test_loss_object_keeps_the_function_it_wraps():
    """LossFunctionWrapper.fn: names a loss object by the function it wraps."""
    assert K.wrapped_function(keras.losses.SparseCategoricalCrossentropy()) is keras.losses.sparse_categorical_crossentropy
    assert K.wrapped_function(keras.losses.CategoricalCrossentropy()) is keras.losses.categorical_crossentropy

    class Custom(keras.losses.Loss):
        def call(self, y_true, y_pred):
            return y_pred

    assert K.wrapped_function(Custom()) is None


# --- fallbacks: a Keras without an internal -------------------------------------------------------

def test_reads_of_an_object_without_the_internals_fall_back():
    class Bare:
        pass

    bare = Bare()
    assert K.compile_token(bare) is None and K.compiled_optimizer(bare) is None
    assert K.user_loss(bare) is MISSING and K.keras_compiled(bare) is False and K.wrapped_function(bare) is None
    # No _compile_loss (a Keras that renamed it): the compiled optimizer stands in as the token.
    bare.optimizer = keras.optimizers.Adam()
    assert K.compile_token(bare) is bare.optimizer


def _judge_compile_facts(facts_module, model) -> dict:
    collectors = harness.private_collectors(FIRST, facts_module).COLLECTORS
    found = facts_module.gather({FIRST.table.NAMES["model"]: model}, facts_module.Recorder(), collectors)
    validate(found)
    run = {"snapshot": {"facts": found, "cells": []}, "outcome": "exited"}
    results = evaluate(FIRST, {"name": "t", "cells": [], "problems": []}, run, tags=["compile.optimizer", "compile.loss"])
    return {"facts": found["compile"], **{r.tag: r for r in results}}


def test_a_keras_without_compile_loss_makes_compile_uncheckable_not_a_crash(monkeypatch):
    """Without CompileLoss a model compiled outside the recorder cannot be told from a fake: "could not be checked"."""
    monkeypatch.setattr(keras_adapter, "_import_compile_loss", lambda: None)
    facts = harness.private_module("autograder.facts.gather")
    judged = _judge_compile_facts(facts, compiled())
    assert "uncheckable" in judged["facts"]
    assert judged["compile.optimizer"].status == "uncheckable"
    assert "could not be inspected" in judged["compile.optimizer"].output


def test_a_keras_without_user_loss_makes_compile_uncheckable_not_a_crash():
    model = compiled()
    del vars(model)["_compile_loss"].__dict__["_user_loss"]
    judged = _judge_compile_facts(harness.private_module("autograder.facts.gather"), model)
    assert judged["facts"]["compiled"] is True and "uncheckable" in judged["facts"]
    assert judged["compile.loss"].status == "uncheckable"


def test_with_the_internals_a_model_compiled_outside_the_recorder_is_described():
    judged = _judge_compile_facts(harness.private_module("autograder.facts.gather"), compiled(optimizer="sgd"))
    assert "uncheckable" not in judged["facts"]
    assert judged["compile.loss"].status == "passed"
    assert judged["compile.optimizer"].status == "failed" and "SGD" in judged["compile.optimizer"].output


def test_facts_keep_the_accessors_taken_at_import_when_the_adapter_is_emptied():
    """Learner code may empty or patch the shared adapter module; the facts' copies do not look it up."""
    facts = harness.private_module("autograder.facts.gather")
    saved = dict(vars(keras_adapter))
    try:
        vars(keras_adapter).clear()
        judged = _judge_compile_facts(facts, compiled(optimizer="sgd"))
    finally:
        vars(keras_adapter).update(saved)
    assert judged["compile.optimizer"].status == "failed" and judged["compile.loss"].status == "passed"


# --- behaviour made the same on every supported Keras -----------------------------------------

@pytest.mark.parametrize("metrics, flat", [
    (("accuracy",), ["accuracy"]),
    ({"output": "accuracy"}, ["accuracy"]),
    ({"b": ["acc"], "a": ("accuracy",)}, ["accuracy", "acc"]),
    (["accuracy", ("acc",)], ["accuracy", "acc"]),
    (["accuracy", None], ["accuracy"]),
], ids=stable_id)
def test_metrics_of_a_one_output_model_are_passed_flat(metrics, flat):
    loss, args, kwargs = K.compile_arguments(build_model_intro(), "mse", (), {"metrics": metrics})
    assert kwargs["metrics"] == flat and args == () and loss == "mse"
    _, args, kwargs = K.compile_arguments(build_model_intro(), "mse", (None, metrics), {})
    assert args == (None, flat) and kwargs == {}


def test_metrics_of_a_two_output_model_are_left_alone():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, [keras.layers.Dense(2)(inputs), keras.layers.Dense(3)(inputs)])
    metrics = {"a": ["accuracy"], "b": ("accuracy",)}
    assert K.compile_arguments(model, "mse", (), {"metrics": metrics}) == ("mse", (), {"metrics": metrics})


def test_a_loss_class_is_passed_as_an_instance_and_steps_per_execution_is_left_out():
    loss, _, kwargs = K.compile_arguments(build_model_intro(), keras.losses.SparseCategoricalCrossentropy, (),
                                          {"metrics": ["accuracy"], "steps_per_execution": 2})
    assert type(loss) is keras.losses.SparseCategoricalCrossentropy and kwargs == {"metrics": ["accuracy"]}
    given = keras.losses.SparseCategoricalCrossentropy()
    assert K.compile_arguments(build_model_intro(), given, (), {})[0] is given
    assert K.compile_arguments(build_model_intro(), keras.Model, (), {})[0] is keras.Model  # not a loss class


def test_odd_arguments_are_passed_as_given():
    looped = ["accuracy"]
    looped.append(looped)  # flattening it would never end
    args, kwargs = (None, looped), {"weighted_metrics": looped}
    assert K.compile_arguments(build_model_intro(), "mse", args, kwargs) == ("mse", args, kwargs)


@pytest.mark.parametrize("old, new", [
    ("metrics = ['accuracy']", "metrics = ('accuracy',)"),
    ("metrics = ['accuracy']", "metrics = {'output': 'accuracy'}"),
    ("metrics = ['accuracy']", "metrics = {'output': ['accuracy']}"),
    ("metrics = ['accuracy']", "metrics = ['accuracy', None]"),
    ("metrics = ['accuracy'])", "metrics = ['accuracy'], steps_per_execution = 2)"),
], ids=lambda s: s.split(" = ", 1)[-1])
def test_answers_some_keras_versions_refuse_get_the_same_grade_on_this_keras(grade, old, new):
    """One supported Keras or another fails `fit` on each of these alone; through the grader all accept them."""
    text = variant_text("correct").replace(old, new)
    assert text != variant_text("correct")
    graded = grade(text)
    assert graded.all_passed, [(r.tag, r.output) for r in graded.results if r.status != "passed"]


def test_a_loss_class_fails_only_the_loss_check_on_this_keras(grade):
    """Keras 3.0 alone would fail `fit` on it too; through the grader only the missing parentheses count."""
    results = by_tag(grade(variant_text("correct").replace(
        "loss = 'sparse_categorical_crossentropy'", "loss = keras.losses.SparseCategoricalCrossentropy")))
    assert {tag for tag, r in results.items() if r.status != "passed"} == {"compile.loss"}
    assert "parentheses" in results["compile.loss"].output


def test_history_keys_of_the_lesson_compile():
    """The keys the fit and plot checks expect, on the installed Keras."""
    model = compiled()
    x, y = np.zeros((4, 32, 32, 3), "float32"), np.zeros(4, "int64")
    history = model.fit(x, y, epochs=1, validation_data=(x, y), verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.params["epochs"] == 1 and history.epoch == [0]


def test_string_metrics_are_refused_by_compile_with_the_message_the_checks_read():
    """compile(metrics='accuracy') raises on every supported Keras; the checks match this message."""
    with pytest.raises(ValueError, match=r"Expected `metrics` argument to be a list"):
        build_model_intro().compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics="accuracy")


def test_acc_in_a_tuple_is_followed_through_the_history(grade):
    results = by_tag(grade(variant_text("correct").replace("metrics = ['accuracy']", "metrics = ('acc',)")))
    assert results["compile.metrics"].status == "passed" and results["fit.history_keys"].status == "passed"
