"""The dropout lesson's figures, drawn from its reference curves (no TensorFlow import)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from autograder import LESSON_FIGURE_LABEL, in_grader

from .reference import RUN_KEYS, load_reference_curves, run_history

__all__ = ["dropout_reference_df", "plot_dropout_reference"]


def dropout_reference_df(run: str = "without") -> pd.DataFrame:
    """One reference run's History as a DataFrame (one row per epoch), like ``pd.DataFrame.from_dict(history)``.

    ``run`` is ``"without"`` (no dropout), ``"lesson"`` (the lesson's rate) or ``"high"`` (a much higher rate).
    """
    if run not in RUN_KEYS:
        raise ValueError(f"unknown reference run {run!r}; the runs are {', '.join(RUN_KEYS)}")
    return pd.DataFrame.from_dict(run_history(run))


def plot_dropout_reference() -> Figure | None:
    """The reference runs side by side: training and validation accuracy without dropout, with the
    lesson's rate and with a much higher rate (same y axis, so the gaps compare at a glance)."""
    if in_grader():  # nothing grades the lesson's own figures: skip the drawing time
        return None
    curves = load_reference_curves()
    fig, axes = plt.subplots(1, len(RUN_KEYS), figsize=(13, 4), sharey=True)
    fig.suptitle("Reference runs: training and validation accuracy")
    fig.set_label(LESSON_FIGURE_LABEL)
    for ax, key in zip(axes, RUN_KEYS):
        history = pd.DataFrame.from_dict(run_history(key, curves))
        history.index = pd.RangeIndex(1, len(history) + 1, name="epoch")
        sns.lineplot(ax=ax, data=history[["accuracy", "val_accuracy"]])
        ax.set_title(curves["runs"][key]["label"])
        ax.set_xlabel("Epoch")
    axes[0].set_ylabel("Accuracy")
    return fig
