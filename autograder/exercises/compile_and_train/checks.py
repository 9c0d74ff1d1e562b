"""The check functions of this exercise: each check tag of its table, judged by a generic Keras check.

Pure functions over plain facts (see ``autograder.judge.keras_checks``); they read this exercise's names,
accepted values and messages from ``table.py``. No TensorFlow is imported.
"""
from __future__ import annotations

from typing import Callable

from autograder.judge import keras_checks as K
from autograder.judge.checks import Context, Verdict

from .table import ANSWER_QUESTIONS, CHECKS

CHECK_FUNCTIONS: dict[str, Callable[[Context], Verdict]] = {
    "compile.optimizer": K.check_optimizer,
    "compile.loss": K.check_loss,
    "compile.metrics": K.check_metrics,
    "fit.history_keys": K.check_history_keys,
    "fit.epochs": K.check_epochs,
    "fit.validation": K.check_validation,
    "plot.history_df": K.check_history_df,
    "plot.figure": K.check_figure,
    **{f"overfitting.{name}": K.answer_check(name) for name in ANSWER_QUESTIONS},
}
assert set(CHECK_FUNCTIONS) == set(CHECKS), "every check in the table needs a function"
