"""Lesson figures drawn from precomputed data (no TensorFlow import)."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from autograder import LESSON_FIGURE_LABEL, in_grader

from .reference import load_reference_history, read_resource

__all__ = ["LESSON_FIGURE_LABEL", "load_lr_curves", "plot_learning_rates", "plot_reference_curves"]

LR_CURVES_FILE = "lr_curves.json"


def load_lr_curves() -> dict:
    """Return the precomputed ``{"epochs": [...], "curves": {label: [loss, ...]}}``."""
    return json.loads(read_resource(LR_CURVES_FILE))


def plot_learning_rates(ax: Axes | None = None) -> Axes | None:
    """Plot training loss per epoch for a too small, good and too large learning rate."""
    if in_grader():  # nothing grades the lesson's own figures: skip the drawing time
        return ax
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 4))
        fig.set_label(LESSON_FIGURE_LABEL)
    data = load_lr_curves()
    for label, losses in data["curves"].items():
        sns.lineplot(x=data["epochs"], y=losses, label=label, marker="o", ax=ax)
    ax.set_title("Training loss for different learning rates (Adam)")
    ax.set_xlabel("Epoch")
    ax.set_ylabel("Training loss")
    ax.legend(title="Learning rate")
    return ax


def plot_reference_curves() -> Figure | None:
    """Two panels of the reference History: loss/val_loss and accuracy/val_accuracy."""
    if in_grader():
        return None
    history = pd.DataFrame(load_reference_history())
    history.index = pd.RangeIndex(1, len(history) + 1, name="epoch")
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    fig.suptitle("Reference curves")
    fig.set_label(LESSON_FIGURE_LABEL)
    sns.lineplot(ax=axes[0], data=history[["loss", "val_loss"]])
    sns.lineplot(ax=axes[1], data=history[["accuracy", "val_accuracy"]])
    axes[0].set_ylabel("Loss")
    axes[1].set_ylabel("Accuracy")
    for ax in axes:
        ax.set_xlabel("Epoch")
    return fig
