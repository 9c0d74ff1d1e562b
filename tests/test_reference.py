"""Tests for the reference History and the answers derived from a History."""

from __future__ import annotations

import pytest

from autograder.exercises.compile_and_train.reference import (
    HISTORY_KEYS,
    curves_similar,
    expected_answers,
    is_overfitting,
    load_reference_history,
    trend,
)

# (first, last) values read off the lesson's figure.
FIGURE_ENDS = {
    "loss": (1.5, 0.7),
    "val_loss": (1.3, 1.0),
    "accuracy": (0.45, 0.75),
    "val_accuracy": (0.53, 0.65),
}

# Training and validation improve together: no overfitting.
HEALTHY = {
    "loss": [2.0, 1.7, 1.5, 1.35, 1.25, 1.15, 1.08, 1.02, 0.97, 0.93],
    "val_loss": [2.02, 1.73, 1.52, 1.38, 1.28, 1.18, 1.11, 1.05, 1.0, 0.96],
    "accuracy": [0.3, 0.4, 0.46, 0.5, 0.54, 0.57, 0.6, 0.62, 0.64, 0.66],
    "val_accuracy": [0.32, 0.41, 0.47, 0.5, 0.53, 0.56, 0.59, 0.61, 0.63, 0.65],
}


@pytest.fixture(scope="module")
def reference() -> dict[str, list[float]]:
    return load_reference_history()


def test_reference_has_ten_epochs_per_curve(reference):
    assert set(reference) == set(HISTORY_KEYS)
    for values in reference.values():
        assert len(values) == 10
        assert all(isinstance(v, float) for v in values)


@pytest.mark.parametrize("key", sorted(FIGURE_ENDS))
def test_reference_matches_figure_description(reference, key):
    first, last = FIGURE_ENDS[key]
    assert reference[key][0] == pytest.approx(first, abs=0.05)
    assert reference[key][-1] == pytest.approx(last, abs=0.05)


def test_reference_training_curves_improve_steadily(reference):
    loss, acc = reference["loss"], reference["accuracy"]
    assert all(b < a for a, b in zip(loss, loss[1:]))
    assert all(b > a for a, b in zip(acc, acc[1:]))


def test_reference_validation_curves_level_off(reference):
    # Most of the improvement happens in the first half; the rest is flat.
    for key in ("val_loss", "val_accuracy"):
        values = reference[key]
        assert abs(values[-1] - values[5]) <= 0.02
        assert abs(values[5] - values[0]) >= 0.1


def test_expected_answers_on_reference(reference):
    assert expected_answers(reference) == {
        "loss_trend": "decreases",
        "accuracy_trend": "increases",
        "curves_similar": False,
        "is_overfitting": True,
        "performs_well_on_new_data": False,
    }


def test_expected_answers_on_healthy_history():
    answers = expected_answers(HEALTHY)
    assert answers["loss_trend"] == "decreases"
    assert answers["accuracy_trend"] == "increases"
    assert answers["curves_similar"] is True
    assert answers["is_overfitting"] is False
    assert answers["performs_well_on_new_data"] is True


def test_increasing_loss_is_reported_as_increasing():
    history = dict(HEALTHY, loss=[0.9, 1.0, 1.2, 1.5, 1.9, 2.2, 2.5, 2.7, 2.9, 3.0])
    assert expected_answers(history)["loss_trend"] == "increases"


@pytest.mark.parametrize(
    "values, expected",
    [
        ([1.0, 0.5], "decreases"),
        ([0.5, 1.0], "increases"),
        ([1.0, 1.2, 0.9, 1.01], "stays the same"),
        ([1.0, 0.985], "stays the same"),
    ],
)
def test_trend(values, expected):
    assert trend(values) == expected


def test_loss_divergence_alone_means_curves_differ():
    history = dict(HEALTHY, val_loss=[1.95, 1.7, 1.6, 1.55, 1.55, 1.55, 1.56, 1.57, 1.58, 1.6])
    assert curves_similar(history) is False


def test_overfitting_when_val_loss_rises_at_the_end():
    history = dict(HEALTHY, val_loss=HEALTHY["val_loss"][:6] + [1.17, 1.19, 1.22, 1.25])
    assert is_overfitting(history) is True


def test_overfitting_when_train_accuracy_ends_clearly_higher():
    history = dict(HEALTHY, val_accuracy=HEALTHY["val_accuracy"][:9] + [0.58])
    assert is_overfitting(history) is True


def test_single_epoch_history_is_not_overfitting():
    history = {key: [values[0]] for key, values in HEALTHY.items()}
    assert is_overfitting(history) is False
