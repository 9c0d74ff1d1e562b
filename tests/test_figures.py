"""Tests for the precomputed learning-rate curves and the lesson figures."""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from autograder.figures import (  # noqa: E402
    load_lr_curves,
    plot_learning_rates,
    plot_reference_curves,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_lr_curves_json_shows_the_three_regimes():
    data = load_lr_curves()
    assert data["epochs"] == list(range(1, 11))
    curves = data["curves"]
    kinds = [label.split(" (")[0] for label in curves]
    assert kinds == ["too small", "about right", "too large"]
    small, right, large = curves.values()
    assert all(len(c) == 10 for c in (small, right, large))
    assert abs(small[0] - small[-1]) < 0.1  # barely moves
    assert right[-1] < 0.5 * right[0]  # falls well
    assert large[-1] > 1.5 * right[-1]  # stays high
    assert any(b > a for a, b in zip(large, large[1:])) or large[0] > right[0]


def test_plot_learning_rates_draws_one_labelled_line_per_rate():
    ax = plot_learning_rates()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == list(load_lr_curves()["curves"])
    assert len(ax.get_lines()) == 3
    assert ax.get_title() and ax.get_xlabel() == "Epoch"


def test_plot_learning_rates_uses_given_axes():
    _, ax = plt.subplots()
    assert plot_learning_rates(ax=ax) is ax


def test_plot_reference_curves_has_two_panels():
    fig = plot_reference_curves()
    assert fig._suptitle.get_text() == "Reference curves"
    loss_ax, acc_ax = fig.axes
    assert [t.get_text() for t in loss_ax.get_legend().get_texts()] == ["loss", "val_loss"]
    assert [t.get_text() for t in acc_ax.get_legend().get_texts()] == [
        "accuracy",
        "val_accuracy",
    ]


def test_figures_module_does_not_import_tensorflow():
    code = "import sys, autograder.figures; print('tensorflow' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
