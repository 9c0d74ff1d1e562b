"""The one table: challenges, checks, points, accepted answers and misconception messages.

Everything that grades, hints, builds nbgrader test cells or writes reports reads from here.
Instructors can change points with an override file (see ``load_points``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

BLANK = "_____"


@dataclass(frozen=True)
class Challenge:
    """One fill-in-the-blank exercise of the lesson."""

    key: str
    title: str
    hint: str
    solution: str


@dataclass(frozen=True)
class Check:
    """One graded test case (one Gradescope test, one nbgrader test cell)."""

    tag: str
    challenge: str
    title: str
    points: float = 1.0


CHALLENGES: dict[str, Challenge] = {
    c.key: c
    for c in [
        Challenge(
            "compile",
            "Compile the model",
            "Call `.compile()` on `model_intro`. The optimizer is `'adam'`, the loss for integer labels "
            "is `'sparse_categorical_crossentropy'`, and `metrics` takes a *list*, e.g. `['accuracy']`.",
            "model_intro.compile(optimizer = 'adam',\n"
            "                    loss = 'sparse_categorical_crossentropy',\n"
            "                    metrics = ['accuracy'])",
        ),
        Challenge(
            "fit",
            "Train (fit) the model",
            "Call `.fit()` on `model_intro` with the training dataset `train_ds` as `x`, `epochs = 10`, "
            "and the validation dataset `val_ds` as `validation_data`.",
            "history_intro = model_intro.fit(x = train_ds,\n"
            "                                epochs = 10,\n"
            "                                validation_data = val_ds)",
        ),
        Challenge(
            "plot",
            "Plot the history",
            "The numbers live in `history_intro.history` (a dict of lists). Plot the columns "
            "`'loss'` and `'val_loss'` on the left, `'accuracy'` and `'val_accuracy'` on the right.",
            "history_intro_df = pd.DataFrame.from_dict(history_intro.history)\n"
            "sns.lineplot(ax=axes[0], data=history_intro_df[['loss', 'val_loss']])\n"
            "sns.lineplot(ax=axes[1], data=history_intro_df[['accuracy', 'val_accuracy']])",
        ),
        Challenge(
            "overfitting",
            "Inspect the training curves",
            "Look at the reference curves: where does each line start and end? Does the validation "
            "line keep improving like the training line, or does it level off?",
            'loss_trend = "decreases"\n'
            'accuracy_trend = "increases"\n'
            "curves_similar = False\n"
            "performs_well_on_new_data = False\n"
            "is_overfitting = True",
        ),
    ]
}

CHECKS: dict[str, Check] = {
    c.tag: c
    for c in [
        Check("compile.optimizer", "compile", "The optimizer is Adam"),
        Check("compile.loss", "compile", "The loss is sparse categorical cross-entropy"),
        Check("compile.metrics", "compile", "The metrics are a list with accuracy"),
        Check("fit.history_keys", "fit", "history_intro is the History of fit, with loss, accuracy and val_ keys"),
        Check("fit.epochs", "fit", "The model was trained for 10 epochs"),
        Check("fit.validation", "fit", "Validation data were passed to fit"),
        Check("plot.history_df", "plot", "history_intro_df is a DataFrame of history_intro.history"),
        Check("plot.figure", "plot", "The figure has two panels: loss/val_loss and accuracy/val_accuracy"),
        Check("overfitting.loss_trend", "overfitting", "What happens to the loss"),
        Check("overfitting.accuracy_trend", "overfitting", "What happens to the accuracy"),
        Check("overfitting.curves_similar", "overfitting", "Do training and validation behave similarly"),
        Check("overfitting.performs_well_on_new_data", "overfitting", "Will the model perform well on new data"),
        Check("overfitting.is_overfitting", "overfitting", "Is the model overfitting"),
    ]
}

# Names the learner must define, by challenge (what the challenge cell produces).
CHALLENGE_OUTPUTS: dict[str, tuple[str, ...]] = {
    "compile": (),
    "fit": ("history_intro",),
    "plot": ("history_intro_df", "fig", "axes"),
    "overfitting": (
        "loss_trend",
        "accuracy_trend",
        "curves_similar",
        "performs_well_on_new_data",
        "is_overfitting",
    ),
}

# --- compile: accepted forms and misconceptions -------------------------------------------

OPTIMIZER_ACCEPTED = {"adam"}
LEARNING_RATE_RANGE = (1e-4, 1e-2)
OPTIMIZER_MESSAGES = {
    "class_not_instance": (
        "You passed the optimizer class `{given}` itself. Keras needs an optimizer *object*: "
        "add parentheses, `keras.optimizers.Adam()`, or simply write `optimizer='adam'`."
    ),
    "other": (
        "The optimizer is {given}, but this exercise asks for Adam. Write `optimizer='adam'` "
        "(or `keras.optimizers.Adam()`)."
    ),
    "lr_too_small": (
        "Adam is right, but its learning rate {lr:g} is far below the default 0.001. As the "
        "lesson's learning-rate figure shows, steps that small barely move the loss in 10 epochs. "
        "Use the default: `optimizer='adam'` or `keras.optimizers.Adam()`."
    ),
    "lr_too_large": (
        "Adam is right, but its learning rate {lr:g} is far above the default 0.001. As the "
        "lesson's learning-rate figure shows, steps that large overshoot the minimum and the loss "
        "bounces instead of falling. Use the default: `optimizer='adam'` or `keras.optimizers.Adam()`."
    ),
    "missing": "No optimizer was given to `compile`. Pass `optimizer='adam'`.",
}

LOSS_ACCEPTED = {"sparse_categorical_crossentropy"}
LOSS_MESSAGES = {
    "categorical_crossentropy": (
        "`categorical_crossentropy` expects one-hot labels (a vector of 10 zeros and ones per image), "
        "but our labels are single integers 0-9. For integer labels use the *sparse* version: "
        "`loss='sparse_categorical_crossentropy'`."
    ),
    "binary_crossentropy": (
        "`binary_crossentropy` is for two classes (yes/no). CIFAR-10 has 10 classes with integer "
        "labels: use `loss='sparse_categorical_crossentropy'`."
    ),
    "mean_squared_error": (
        "Mean squared error measures distances between numbers, which suits regression, not picking "
        "one of 10 classes. For classification with integer labels use "
        "`loss='sparse_categorical_crossentropy'`."
    ),
    "mean_absolute_error": (
        "Mean absolute error is a regression loss, not a classification loss. Use "
        "`loss='sparse_categorical_crossentropy'`."
    ),
    "from_logits_mismatch_true": (
        "You set `from_logits=True`, but the model's last layer already applies softmax, so its "
        "outputs are probabilities, not logits. Drop `from_logits=True` (or write "
        "`loss='sparse_categorical_crossentropy'`)."
    ),
    "from_logits_mismatch_false": (
        "The model's last layer has no softmax, so it outputs logits: the loss needs "
        "`from_logits=True`, e.g. `keras.losses.SparseCategoricalCrossentropy(from_logits=True)`."
    ),
    "other": (
        "The loss `{given}` does not fit this problem. Each image has one integer label 0-9: use "
        "`loss='sparse_categorical_crossentropy'`."
    ),
    "missing": "No loss was given to `compile`. Pass `loss='sparse_categorical_crossentropy'`.",
}
LOSS_ALIASES = {"mse": "mean_squared_error", "mae": "mean_absolute_error"}

METRIC_ACCEPTED = {"accuracy", "acc", "sparse_categorical_accuracy"}
METRICS_MESSAGES = {
    "not_a_list": (
        "`metrics` must be a list, even for one metric: write `metrics=['accuracy']` (with square "
        "brackets), not `metrics={given}`. Keras refuses a bare string."
    ),
    "plain_accuracy_class": (
        "`keras.metrics.Accuracy()` counts exact matches between the label and the 10 predicted "
        "probabilities, so it stays near 0 for a classifier. Use the string `'accuracy'` (Keras "
        "picks the right kind) or `keras.metrics.SparseCategoricalAccuracy()`."
    ),
    "categorical_accuracy": (
        "`categorical_accuracy` expects one-hot labels, but ours are integers 0-9. Use "
        "`metrics=['accuracy']` (or the *sparse* `'sparse_categorical_accuracy'`)."
    ),
    "no_accuracy": (
        "The metrics {given} do not include accuracy, which this lesson uses to see how often the "
        "model is right. Write `metrics=['accuracy']`."
    ),
    "missing": "No metrics were given to `compile`. Pass `metrics=['accuracy']`.",
}

# --- fit -------------------------------------------------------------------------------------

EXPECTED_EPOCHS = 10
FIT_MESSAGES = {
    "not_run": "`model_intro.fit(...)` never ran to the end, so there is no training history.",
    "no_history_var": (
        "`history_intro` is not defined. Store what `fit` returns: "
        "`history_intro = model_intro.fit(...)`."
    ),
    "not_history": (
        "`history_intro` is {given}, not the History object that `fit` returns. Write "
        "`history_intro = model_intro.fit(...)`."
    ),
    "not_this_fit": (
        "`history_intro` is a History, but not the one returned by `model_intro.fit(...)`. Assign "
        "the result of fitting `model_intro`."
    ),
    "missing_keys": "The history has the keys {keys}; it should have {expected}.",
    "epochs": "The model was trained for {epochs} epochs; the exercise asks for `epochs = 10`.",
    "no_validation": (
        "No validation data were passed, so Keras cannot report `val_loss` and `val_accuracy`. "
        "Add `validation_data = val_ds` to the `fit` call."
    ),
    "validation_is_train": (
        "You passed the training data as `validation_data`, so the validation curves only repeat "
        "the training ones and cannot show overfitting. Use `validation_data = val_ds`."
    ),
    "train_is_val": (
        "You trained on the validation data. Use `x = train_ds` and `validation_data = val_ds`."
    ),
}

# --- plot ------------------------------------------------------------------------------------

PLOT_MESSAGES = {
    "no_df": "`history_intro_df` is not defined. Write `history_intro_df = pd.DataFrame.from_dict(history_intro.history)`.",
    "not_df": "`history_intro_df` is {given}, not a pandas DataFrame.",
    "wrong_df": (
        "`history_intro_df` does not hold the training history: its columns are {columns}. Build it "
        "from the dict of lists `history_intro.history`."
    ),
    "no_figure": (
        "No figure was found. Make one with `fig, axes = plt.subplots(1, 2)` and draw on "
        "`axes[0]` and `axes[1]`."
    ),
    "panels": "The figure has {n} panel(s); it should have 2 side by side (`plt.subplots(1, 2)`).",
    "left": "The left panel shows {lines}; it should show the loss: `'loss'` and `'val_loss'`.",
    "right": "The right panel shows {lines}; it should show the accuracy: `'accuracy'` and `'val_accuracy'`.",
}

# --- overfitting answers ---------------------------------------------------------------------

TREND_SPELLINGS = {
    "decreases": {"decreases", "decrease", "decreasing", "decreased", "goes down", "go down", "down",
                  "falls", "fall", "falling", "drops", "lower", "gets lower", "goes lower", "reduces"},
    "increases": {"increases", "increase", "increasing", "increased", "goes up", "go up", "up",
                  "rises", "rise", "rising", "grows", "higher", "gets higher", "goes higher"},
    "stays the same": {"stays the same", "stay the same", "same", "flat", "constant", "unchanged",
                       "does not change", "doesn't change", "no change", "levels off", "plateaus"},
}
BOOL_SPELLINGS = {
    True: {"true", "yes", "y", "yep", "correct", "1"},
    False: {"false", "no", "n", "nope", "incorrect", "0"},
}
ANSWER_QUESTIONS = {
    "loss_trend": "What happens to the loss during training?",
    "accuracy_trend": "What happens to the accuracy during training?",
    "curves_similar": "Do the training and validation lines behave similarly?",
    "performs_well_on_new_data": "Based on this, will the model perform well on new data?",
    "is_overfitting": "Is the model overfitting?",
}
ANSWER_EXPLANATIONS = {
    "loss_trend": "In the reference curves the training loss goes from about 1.5 down to about 0.7.",
    "accuracy_trend": "In the reference curves the training accuracy goes from about 0.45 up to about 0.75.",
    "curves_similar": (
        "The training lines keep improving, but the validation lines improve at first and then "
        "level off (validation loss stays near 1.0, validation accuracy near 0.65), so they do not "
        "behave the same."
    ),
    "performs_well_on_new_data": (
        "Validation data stand for new data. Validation performance stopped improving while "
        "training performance kept improving, so the model may not do as well on new images."
    ),
    "is_overfitting": (
        "Training loss keeps falling while validation loss stops improving, and training accuracy "
        "ends well above validation accuracy: those are the signs of overfitting."
    ),
}
ANSWER_MESSAGES = {
    "missing": "`{name}` is not defined. Answer: {question}",
    "blank": "`{name}` is still the blank `_____`{where}. Answer: {question}",
    "unrecognised": "`{name} = {given}` is not one of the accepted answers: {choices}.",
    "wrong": "`{name} = {given}` is not right. {explanation}",
}


def tags_for(challenge: str) -> list[str]:
    """The check tags of one challenge, in table order."""
    return [c.tag for c in CHECKS.values() if c.challenge == challenge]


def load_points(path: str | Path | None) -> dict[str, float]:
    """Points per tag: the table's defaults, overridden by a JSON file ``{"tag": points}``.

    Raises ValueError naming the file and the bad entry.
    """
    points = {tag: c.points for tag, c in CHECKS.items()}
    if path is None:
        return points
    try:
        overrides = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read points file {path}: {exc}") from None
    if not isinstance(overrides, dict):
        raise ValueError(f"points file {path}: expected a JSON object {{tag: points}}")
    for tag, value in overrides.items():
        if tag not in points:
            raise ValueError(f"points file {path}: unknown check tag {tag!r}; known: {', '.join(points)}")
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise ValueError(f"points file {path}: points for {tag!r} must be a number >= 0")
        points[tag] = float(value)
    return points

# --- what Keras and Python errors mean for a learner (pattern, message) ---------------------
# Patterns are searched in "<ExceptionType>: <message>". The first match wins.
ERROR_EXPLANATIONS: list[tuple[str, str]] = [
    (r"a blank `_____` is not filled in", "a blank `_____` is not filled in yet."),
    (r"must have the same rank", LOSS_MESSAGES["categorical_crossentropy"]),
    (r"Expected `metrics` argument to be a list", METRICS_MESSAGES["not_a_list"].format(given="'accuracy'")),
    (r"Could not interpret optimizer identifier",
     "Keras does not know this optimizer. Check the spelling: `optimizer='adam'`."),
    (r"Could not interpret loss", "Keras does not know this loss. Check the spelling: "
                                  "`loss='sparse_categorical_crossentropy'`."),
    (r"Could not interpret metric", "Keras does not know this metric. Check the spelling: `metrics=['accuracy']`."),
    (r"must call `compile\(\)`|You must call compile",
     "`fit` needs a compiled model: `model_intro.compile(...)` has not succeeded yet (see the compile checks)."),
    (r"^MemoryError", "the memory limit was reached (the code used too much memory)."),
    (r"File too large", "the output limit was reached (the code printed too much)."),
    (r"^NameError: name '(?P<name>history_intro|history_intro_df|model_intro|train_ds|val_ds)' is not defined",
     "`{name}` does not exist, because the cell that should create it did not succeed: fix the "
     "earlier challenge first (see its checks)."),
    (r"^NameError: name '(?P<name>[^']+)' is not defined",
     "Python does not know the name `{name}`. If you meant text, put it in quotes: `\"{name}\"`; if it "
     "is a variable, check its spelling and that the cell defining it has run."),
    (r"^KeyError: .*not in index|^KeyError: \"None of",
     "that column is not in the DataFrame. Use the names of the history's keys, e.g. `'loss'` and `'val_loss'`."),
]

LIMIT_MESSAGES = {
    "timeout": "the time limit of {timeout:g} s was reached",
    "memory": "the memory limit of {memory} was reached",
    "killed": "the process was killed by a signal (it ran out of memory, or the code killed itself)",
    "ended": "the submission's process ended early (os._exit() or a crash)",
    "worker_died": "the submission stopped the grader's worker process",
    "worker_error": "the grader could not run this submission",
    "no_facts": "the submission stopped before anything could be checked",
}
