"""The lesson's CNN with a Dropout layer, as the solution builds it (for the reference runs and tests).

Not public (``__all__`` is empty): in the lesson the learner writes this model out.
"""

from __future__ import annotations

import keras

from autograder.data import IMAGE_SHAPE, NUM_CLASSES

__all__: list[str] = []

LESSON_RATE = 0.5  # the rate the lesson's solution uses


def build_model_dropout(rate: float = LESSON_RATE) -> keras.Model:
    """The first exercise's CNN with ``Dropout(rate)`` after ``Flatten`` (no Dropout when ``rate`` is 0)."""
    inputs = keras.Input(shape=IMAGE_SHAPE)
    x = keras.layers.Conv2D(16, (3, 3), activation="relu")(inputs)
    x = keras.layers.MaxPooling2D((2, 2))(x)
    x = keras.layers.Conv2D(32, (3, 3), activation="relu")(x)
    x = keras.layers.MaxPooling2D((2, 2))(x)
    x = keras.layers.Flatten()(x)
    if rate:
        x = keras.layers.Dropout(rate)(x)
    x = keras.layers.Dense(32, activation="relu")(x)
    outputs = keras.layers.Dense(NUM_CLASSES, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="cifar_model_dropout")
