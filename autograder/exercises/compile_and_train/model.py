"""The previous episode's small CNN for CIFAR-10."""

from __future__ import annotations

import keras

from autograder.data import IMAGE_SHAPE, NUM_CLASSES

__all__ = ["build_model_intro", "set_seed"]


def set_seed(seed: int = 0) -> None:
    """Seed Python, NumPy and the backend so that training is repeatable."""
    keras.utils.set_random_seed(seed)


def build_model_intro() -> keras.Model:
    """Return the episode's introductory CNN (functional API, not compiled)."""
    inputs = keras.Input(shape=IMAGE_SHAPE)
    x = keras.layers.Conv2D(16, (3, 3), activation="relu")(inputs)
    x = keras.layers.MaxPooling2D((2, 2))(x)
    x = keras.layers.Conv2D(32, (3, 3), activation="relu")(x)
    x = keras.layers.MaxPooling2D((2, 2))(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(32, activation="relu")(x)
    outputs = keras.layers.Dense(NUM_CLASSES, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="cifar_model_intro")
