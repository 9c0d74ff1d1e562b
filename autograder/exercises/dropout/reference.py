"""The dropout lesson's reference curves (``resources/reference_curves.json``) and the answers they imply.

The file holds real training runs of the lesson's CNN without dropout, with the lesson's rate and
with a much higher rate (``python -m autograder.exercises.dropout.reference_runs`` makes it), and a
``data`` record saying what they were trained on. Nothing here imports TensorFlow.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Sequence

REFERENCE_FILE = "reference_curves.json"
HISTORY_KEYS: tuple[str, ...] = ("loss", "val_loss", "accuracy", "val_accuracy")
# The runs, by key: no Dropout layer, the lesson's rate, a much higher rate.
RUN_KEYS: tuple[str, str, str] = ("without", "lesson", "high")

LAST_EPOCHS = 3  # the gap and the final accuracy are averaged over the last epochs (less noise)
GAP_TOLERANCE = 0.02  # a gap smaller by more than this has narrowed
TREND_TOLERANCE = 0.02  # final training accuracies closer than this "stay the same"


def read_resource(name: str) -> str:
    """Return the text of ``resources/<name>`` of this exercise's folder."""
    path = resources.files(__package__).joinpath("resources").joinpath(name)
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _load() -> str:
    return read_resource(REFERENCE_FILE)


def load_reference_curves() -> dict:
    """The whole reference file: ``{"data": {...}, "runs": {key: {"rate", "label", "history"}}}``."""
    return json.loads(_load())


def run_history(key: str, curves: dict | None = None) -> dict[str, list[float]]:
    """One run's History dict (``loss``, ``val_loss``, ``accuracy``, ``val_accuracy``)."""
    run = (curves or load_reference_curves())["runs"][key]
    return {k: [float(v) for v in run["history"][k]] for k in HISTORY_KEYS}


def _tail_mean(values: Sequence[float], window: int = LAST_EPOCHS) -> float:
    tail = list(values)[-window:]
    return sum(tail) / len(tail)


def accuracy_gap(history: dict) -> float:
    """Training minus validation accuracy, averaged over the last epochs."""
    return _tail_mean(history["accuracy"]) - _tail_mean(history["val_accuracy"])


def narrows_gap(without: dict, with_dropout: dict, tolerance: float = GAP_TOLERANCE) -> bool:
    """Does the run with dropout end with a smaller train-validation accuracy gap (by more than ``tolerance``)?"""
    return accuracy_gap(with_dropout) < accuracy_gap(without) - tolerance


def training_accuracy_change(lesson: dict, high: dict, tolerance: float = TREND_TOLERANCE) -> str:
    """What the final training accuracy does when the rate goes from the lesson's to the much higher one."""
    change = _tail_mean(high["accuracy"]) - _tail_mean(lesson["accuracy"])
    if change > tolerance:
        return "increases"
    if change < -tolerance:
        return "decreases"
    return "stays the same"


def derive_answers(curves: dict) -> dict:
    """The answers to the lesson's questions, from a reference file's content."""
    without, lesson, high = (run_history(k, curves) for k in RUN_KEYS)
    return {
        "dropout_narrows_gap": narrows_gap(without, lesson),
        # Keras applies dropout only while training (`training=True`); predict, evaluate and the
        # validation pass of fit use every unit. A fact of Keras, not of the curves.
        "dropout_active_when_predicting": False,
        "high_rate_training_accuracy": training_accuracy_change(lesson, high),
    }


@lru_cache(maxsize=1)
def expected_answers() -> dict:
    """The expected answers, derived once from the shipped reference curves."""
    return derive_answers(load_reference_curves())
