"""The intro CNN learns the offline sample and overfits it within 10 epochs."""

from __future__ import annotations

import keras
import pytest

from autograder.data import load_datasets
from autograder.model import build_model_intro, set_seed


def test_build_model_intro_architecture():
    model = build_model_intro()
    assert model.name == "cifar_model_intro"
    assert model.input_shape == (None, 32, 32, 3)
    assert model.output_shape == (None, 10)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == [
        "InputLayer",
        "Conv2D",
        "MaxPooling2D",
        "Conv2D",
        "MaxPooling2D",
        "Flatten",
        "Dense",
        "Dense",
    ]
    assert [model.layers[i].filters for i in (1, 3)] == [16, 32]
    assert model.layers[-1].activation.__name__ == "softmax"


@pytest.fixture(scope="module")
def history() -> dict[str, list[float]]:
    set_seed(0)
    train_ds, val_ds = load_datasets("sample")
    model = build_model_intro()
    model.compile(
        optimizer=keras.optimizers.Adam(),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model.fit(train_ds, validation_data=val_ds, epochs=10, verbose=0).history


def test_training_loss_falls(history):
    assert len(history["loss"]) == 10
    assert history["loss"][-1] < 0.6 * history["loss"][0]


def test_model_overfits_the_sample(history):
    assert history["accuracy"][-1] > history["val_accuracy"][-1] + 0.1
    # Over the last epochs validation loss improves less than training loss.
    train_drop = history["loss"][-4] - history["loss"][-1]
    val_drop = history["val_loss"][-4] - history["val_loss"][-1]
    assert train_drop > 0.1
    assert val_drop < train_drop
