"""The lesson's reference training curves and the answers they imply.

Every rule reads a Keras ``History.history``-like dict with the keys
``loss``, ``val_loss``, ``accuracy`` and ``val_accuracy`` (one value per
epoch). Nothing here imports TensorFlow.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Sequence

HISTORY_KEYS: tuple[str, ...] = ("loss", "val_loss", "accuracy", "val_accuracy")
REFERENCE_FILE = "reference_history.json"

TREND_TOLERANCE = 0.02  # first-to-last change smaller than this: "stays the same"
GAP_GROWTH = 0.1  # train-val gap growing by more than this: curves diverge
LAST_EPOCHS = 3  # window for "keeps decreasing" / "stops improving"
STILL_IMPROVING = 0.02  # minimum loss drop over that window to count as improving
ACCURACY_GAP = 0.05  # train accuracy above val accuracy by more: overfitting


def read_resource(name: str) -> str:
    """Return the text of ``resources/<name>`` of this exercise's folder."""
    # Chained joinpath: works for regular and namespace packages alike.
    path = resources.files(__package__).joinpath("resources").joinpath(name)
    return path.read_text(encoding="utf-8")


def load_reference_history() -> dict[str, list[float]]:
    """Return the lesson's reference History (10 epochs) from the package data."""
    data = json.loads(read_resource(REFERENCE_FILE))
    return {key: [float(v) for v in data[key]] for key in HISTORY_KEYS}


def trend(values: Sequence[float], tolerance: float = TREND_TOLERANCE) -> str:
    """Classify a curve by its last minus its first value.

    "increases" if the change is > ``tolerance`` (0.02), "decreases" if it is
    < -``tolerance``, otherwise "stays the same".
    """
    change = values[-1] - values[0]
    if change > tolerance:
        return "increases"
    if change < -tolerance:
        return "decreases"
    return "stays the same"


def gap_growth(history: dict, metric: str) -> float:
    """How much the train-vs-validation gap of ``metric`` grows, first to last epoch.

    The gap is signed so that it is positive when training looks better:
    ``val - train`` for ``loss``, ``train - val`` for any other metric.
    """
    train, val = history[metric], history[f"val_{metric}"]
    sign = 1.0 if metric == "loss" else -1.0
    return sign * ((val[-1] - train[-1]) - (val[0] - train[0]))


def curves_similar(history: dict, threshold: float = GAP_GROWTH) -> bool:
    """Do the training and validation curves behave alike?

    False as soon as the train-val gap grows by more than ``threshold`` (0.1)
    from the first to the last epoch for loss or for accuracy, i.e. the
    validation curve levels off while the training curve keeps improving.
    """
    return all(gap_growth(history, m) <= threshold for m in ("loss", "accuracy"))


def is_overfitting(
    history: dict,
    window: int = LAST_EPOCHS,
    min_drop: float = STILL_IMPROVING,
    accuracy_gap: float = ACCURACY_GAP,
) -> bool:
    """Does the model overfit?

    True if, over the last ``window`` (3) epochs, the training loss drops by
    more than ``min_drop`` (0.02) while the validation loss drops by less
    than that (it stops improving or rises); or if the final training
    accuracy exceeds the final validation accuracy by more than
    ``accuracy_gap`` (0.05).
    """
    loss, val_loss = history["loss"], history["val_loss"]
    k = min(window, len(loss) - 1)
    diverging = False
    if k > 0:
        train_drop = loss[-k - 1] - loss[-1]
        val_drop = val_loss[-k - 1] - val_loss[-1]
        diverging = train_drop > min_drop and val_drop < min_drop
    acc_gap = history["accuracy"][-1] - history["val_accuracy"][-1]
    return diverging or acc_gap > accuracy_gap


def expected_answers(history: dict) -> dict:
    """Derive the answers to the lesson's questions from a History dict."""
    overfitting = is_overfitting(history)
    return {
        "loss_trend": trend(history["loss"]),
        "accuracy_trend": trend(history["accuracy"]),
        "curves_similar": curves_similar(history),
        "is_overfitting": overfitting,
        "performs_well_on_new_data": not overfitting,
    }
