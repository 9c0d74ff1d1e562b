"""The dropout exercise's shipped reference curves: the answers and explanations the table gives match
them, and they say which data they came from (no TensorFlow)."""
from __future__ import annotations

import re

from autograder import exercises
from autograder.exercises.dropout import reference

T = exercises.get("dropout").table


def test_the_data_record_is_present():
    data = reference.load_reference_curves()["data"]
    for key in ("source", "train_images", "validation_images", "seed", "epochs", "keras", "tensorflow", "command"):
        assert data.get(key) not in (None, ""), key
    assert data["source"] in ("cifar10", "sample")
    assert data["epochs"] == T.EXPECTED_EPOCHS


def test_the_runs_are_without_with_and_with_a_high_rate():
    runs = reference.load_reference_curves()["runs"]
    assert [runs[k]["rate"] for k in reference.RUN_KEYS] == [0.0, T.LESSON_RATE, T.HIGH_RATE]
    for run in runs.values():
        assert {len(v) for v in run["history"].values()} == {T.EXPECTED_EPOCHS}


def test_expected_answers_follow_from_the_curves():
    curves = reference.load_reference_curves()
    assert T.expected_answers() == reference.derive_answers(curves)
    without, lesson, high = (reference.run_history(k, curves) for k in reference.RUN_KEYS)
    assert T.expected_answers()["dropout_narrows_gap"] == (reference.accuracy_gap(lesson) < reference.accuracy_gap(without))
    assert T.expected_answers()["high_rate_training_accuracy"] == (
        "decreases" if high["accuracy"][-1] < lesson["accuracy"][-1] - 0.02 else T.expected_answers()["high_rate_training_accuracy"])
    assert T.expected_answers()["dropout_active_when_predicting"] is False


def test_the_solution_answers_as_expected():
    text = exercises.get("dropout").solution.read_text(encoding="utf-8")
    expected = T.expected_answers()
    for name, value in expected.items():
        assert re.search(rf"^{name} = {re.escape(repr(value) if isinstance(value, bool) else chr(34) + value + chr(34))}$",
                         text, re.M), name


def test_the_explanations_quote_the_curves():
    curves = reference.load_reference_curves()
    without, lesson, high = (reference.run_history(k, curves) for k in reference.RUN_KEYS)
    numbers = lambda text: [float(n) for n in re.findall(r"\d+\.\d+", text)]  # noqa: E731
    gap_without, gap_lesson = numbers(T.ANSWER_EXPLANATIONS["dropout_narrows_gap"])[:2]
    assert abs(gap_without - (without["accuracy"][-1] - without["val_accuracy"][-1])) < 0.015
    assert abs(gap_lesson - (lesson["accuracy"][-1] - lesson["val_accuracy"][-1])) < 0.015
    acc_lesson, _, acc_high = numbers(T.ANSWER_EXPLANATIONS["high_rate_training_accuracy"])[:3]
    assert abs(acc_lesson - lesson["accuracy"][-1]) < 0.02 and abs(acc_high - high["accuracy"][-1]) < 0.02
