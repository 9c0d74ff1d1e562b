"""The grader builds a model's variables before ``fit`` (keras_adapter's ``build_before_fit``) so
that ``fit`` traces its train step once, not twice. What the learner's code sees must not change:
for each way of compiling and fitting below, right or wrong, ``fit`` raises the same error (type
and message) or returns the same History (keys, epochs and, with the same seed, the same numbers)
with and without the early build. Also run on the oldest supported TensorFlow/Keras pair.
"""
from __future__ import annotations

import re

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras.src.backend.tensorflow.trainer import TensorFlowTrainer as Trainer  # Keras' own, whatever wraps keras.Model

from autograder.data import load_datasets
from autograder.facts.keras_adapter import bind
from autograder.exercises.dropout.model import build_model_dropout
from autograder.model import build_model_intro

K = bind()
GOOD = dict(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
EPOCHS = 2


def _datasets():
    return load_datasets("sample")


def _small_output_model() -> keras.Model:
    inputs = keras.Input((32, 32, 3))
    x = keras.layers.Flatten()(inputs)
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(x))


def _mnist_shaped_model() -> keras.Model:
    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Flatten()(inputs)
    return keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(x))


class _Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.flatten = keras.layers.Flatten()
        self.dense = keras.layers.Dense(10, activation="softmax")

    def call(self, x):
        return self.dense(self.flatten(x))


# name: (model maker, compile arguments, how fit is called: train, val -> (args, kwargs))
CASES = {
    "correct": (build_model_intro, GOOD, lambda t, v: ((t,), dict(validation_data=v))),
    "dropout_model": (build_model_dropout, GOOD, lambda t, v: ((t,), dict(validation_data=v))),
    "acc_metric": (build_model_intro, {**GOOD, "metrics": ["acc"]}, lambda t, v: ((t,), dict(validation_data=v))),
    "metric_objects": (build_model_intro, {**GOOD, "optimizer": "sgd",
                                           "metrics": [keras.metrics.SparseCategoricalAccuracy(), "sparse_top_k_categorical_accuracy"]},
                       lambda t, v: ((t,), dict(validation_data=v))),
    "loss_object_from_logits": (build_model_intro, {**GOOD, "loss": keras.losses.SparseCategoricalCrossentropy(from_logits=True)},
                                lambda t, v: ((t,), dict(validation_data=v))),
    "no_validation": (build_model_intro, GOOD, lambda t, v: ((t,), {})),
    "run_eagerly": (build_model_intro, {**GOOD, "run_eagerly": True}, lambda t, v: ((t,), dict(validation_data=v))),
    "subclassed_model": (_Subclassed, GOOD, lambda t, v: ((t,), dict(validation_data=v))),
    "underscore_optimizer_name": (build_model_intro, {**GOOD, "optimizer": keras.optimizers.Adam(name="_adam")},
                                  lambda t, v: ((t,), dict(validation_data=v))),
    "underscore_metric_name": (build_model_intro, {**GOOD, "metrics": [keras.metrics.SparseCategoricalAccuracy(name="_acc")]},
                               lambda t, v: ((t,), dict(validation_data=v))),
    "lazy_sequential": (lambda: keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]), GOOD,
                        lambda t, v: ((t,), dict(validation_data=v))),
    "categorical_loss": (build_model_intro, {**GOOD, "loss": "categorical_crossentropy"}, lambda t, v: ((t,), dict(validation_data=v))),
    "binary_loss": (build_model_intro, {**GOOD, "loss": "binary_crossentropy"}, lambda t, v: ((t,), dict(validation_data=v))),
    "mse_loss": (build_model_intro, {**GOOD, "loss": "mse"}, lambda t, v: ((t,), dict(validation_data=v))),
    "mse_metric": (build_model_intro, {**GOOD, "metrics": ["mse"]}, lambda t, v: ((t,), dict(validation_data=v))),
    "no_loss": (build_model_intro, {"optimizer": "adam", "metrics": ["accuracy"]}, lambda t, v: ((t,), dict(validation_data=v))),
    "label_as_prediction_loss": (build_model_intro, {**GOOD, "loss": lambda y_true, y_pred: y_true},
                                 lambda t, v: ((t,), dict(validation_data=v))),
    "one_output_unit": (_small_output_model, GOOD, lambda t, v: ((t,), dict(validation_data=v))),
    "wrong_input_shape": (_mnist_shaped_model, GOOD, lambda t, v: ((t,), dict(validation_data=v))),
    "unbatched_data": (build_model_intro, GOOD, lambda t, v: ((t.unbatch(),), dict(validation_data=v))),
    "validation_split_with_dataset": (build_model_intro, GOOD, lambda t, v: ((t,), dict(validation_split=0.2))),
    "y_with_dataset": (build_model_intro, GOOD, lambda t, v: ((t, np.zeros(64)), {})),
    "validation_set_as_training_data": (build_model_intro, GOOD, lambda t, v: ((v,), dict(validation_data=t))),
}


def _comparable(exc: Exception) -> str:
    """An error's message, without what differs between two runs of the same graph: which of two
    failing nodes TensorFlow's scheduler ran first (and where it was defined), and ops' numbers."""
    text = str(exc)
    if isinstance(exc, tf.errors.OpError):
        text = "\n".join(line for line in text.splitlines() if line and not line[0].isspace() and "node" not in line)
    return re.sub(r"_\d+\b", "_N", text)


def _outcome(case: str, early: bool) -> tuple[bool, tuple]:
    """Fit one case from the same seed: (whether the early build built, what fit gave)."""
    make, compile_args, call = CASES[case]
    keras.backend.clear_session()  # the same layer names in both runs
    keras.utils.set_random_seed(0)
    model = make()
    Trainer.compile(model, **compile_args)
    train, val = _datasets()
    args, kwargs = call(train, val)
    kwargs = {"epochs": EPOCHS, "verbose": 0, **kwargs}
    built = K.build_before_fit(model, args[0], args[1] if len(args) > 1 else None, kwargs) if early else False
    try:
        history = Trainer.fit(model, *args, **kwargs)
    except Exception as exc:  # the learner sees this error
        return built, ("error", type(exc).__name__, _comparable(exc))
    return built, ("history", history.epoch, {k: [float(x) for x in v] for k, v in history.history.items()})


@pytest.mark.parametrize("case", sorted(CASES))
def test_fit_gives_the_learner_the_same_with_or_without_the_early_build(case):
    (_, plain), (built, early) = [_outcome(case, early) for early in (False, True)]  # one call site: the same stacks
    assert early[:2] == plain[:2]
    if plain[0] == "history":
        assert early[1] == list(range(EPOCHS))
        assert early[2].keys() == plain[2].keys()
        for key in plain[2]:
            np.testing.assert_allclose(early[2][key], plain[2][key], rtol=1e-5, err_msg=key)
    else:
        assert early[2] == plain[2]
    if case in ("correct", "dropout_model", "acc_metric", "metric_objects", "no_validation", "mse_loss"):
        assert built, "the early build should have run for a plain fit(dataset)"
    if case in ("validation_split_with_dataset", "y_with_dataset", "subclassed_model", "lazy_sequential"):
        assert not built, "Keras refuses these arguments first, or builds these layers in its trace: the early build leaves them to fit"


def test_the_early_build_makes_fit_trace_its_train_step_once():
    """Without it, the first trace creates the optimizer's and metrics' variables, and
    ``tf.function`` traces again without them: the cost the early build saves."""
    traces = {}
    for early in (False, True):
        model = build_model_intro()
        Trainer.compile(model, **GOOD)
        train, val = _datasets()
        if early:
            assert K.build_before_fit(model, train, None, {})
        step, seen = model.train_step, []

        def counted(data, step=step, seen=seen):
            seen.append(1)  # runs once per trace: the traced graph does not call Python
            return step(data)

        model.train_step = counted
        Trainer.fit(model, train, epochs=2, validation_data=val, verbose=0)
        traces[early] = len(seen)
    assert traces == {False: 2, True: 1}


def test_the_early_build_leaves_what_it_cannot_read_to_fit():
    model = build_model_intro()
    Trainer.compile(model, **GOOD)
    train, _ = _datasets()
    assert not K.build_before_fit(model, np.zeros((4, 32, 32, 3)), np.zeros(4), {})  # arrays: fit builds as usual
    assert not K.build_before_fit(model, train.map(lambda x, y: {"image": x, "label": y}), None, {})
    assert not K.build_before_fit(model, tf.data.Dataset.range(3), None, {})
    assert not K.build_before_fit(object(), train, None, {})  # not a model: no error here either
    lazy = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
    Trainer.compile(lazy, **GOOD)
    assert not K.build_before_fit(lazy, train, None, {})  # its layers are built in fit's trace, as usual
    assert not model.optimizer.built


SUBMISSION = '''# %%
from autograder.data import load_datasets
from autograder.model import build_model_intro

train_ds, val_ds = load_datasets()
model_intro = build_model_intro()
model_intro.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
traces = []
step = model_intro.train_step


def counted(data):
    traces.append(1)
    return step(data)


model_intro.train_step = counted

# %%
history_intro = model_intro.fit(train_ds, epochs=2, validation_data=val_ds)

# %%
if len(traces) != 1:
    raise RuntimeError(f"fit traced its train step {len(traces)} times")
'''


def test_the_grader_traces_a_learner_fit_once(worker, tmp_path):
    """Through the real worker, as every submission runs: the early build is on."""
    from autograder.read.source import read_submission
    from autograder.run.runner import Limits, run_submission

    path = tmp_path / "counted.py"
    path.write_text(SUBMISSION, encoding="utf-8")
    run = run_submission(read_submission(path), worker, Limits())
    cells = run.snapshot["cells"]
    assert len(cells) == 3
    assert [(c["status"], c["error"]) for c in cells] == [("ok", None)] * 3
