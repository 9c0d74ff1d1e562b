"""The one table of the exercise "Compile and Train (Fit) a Convolutional Neural Network".

Its challenges, checks and points, the names it grades, how its cells are recognised, its
accepted answers, misconception messages and hints. Everything that grades, hints, builds
nbgrader test cells or writes reports for this exercise reads from here; the engine's own
generic words (gates, answer reading, Keras' names, limits, notes) are in ``autograder.judge.rubric``.
"""
from __future__ import annotations

import re
from functools import lru_cache

from autograder.judge.rubric import Challenge, Check

TITLE = "Compile and Train (Fit) a Convolutional Neural Network"
ORDER = 1  # place in the course; a submission nothing identifies is graded as the first exercise
LESSON_FILE = "compile_and_train.py"  # in lessons/ and solutions/
NBGRADER_ASSIGNMENT = "compile_and_train"

# The names the checks read; while grading, the last object bound to each is kept (a `del` does not undo it).
GRADED_NAMES = ("model_intro", "train_ds", "val_ds", "history_intro", "history_intro_df", "fig", "axes",
                "loss_trend", "accuracy_trend", "curves_similar", "performs_well_on_new_data", "is_overfitting")
# Names only this exercise defines: a submission that mentions them is this exercise's.
SIGNATURE_NAMES = ("model_intro", "history_intro", "build_model_intro", "loss_trend", "is_overfitting")
# Where a cell carries no `challenge` metadata (code pasted into a fresh notebook), its challenge
# is recognised from what it does; the first match wins.
CONTENT_HINTS = [
    ("compile", re.compile(r"\.\s*compile\s*\(")),
    ("fit", re.compile(r"\.\s*fit\s*\(")),
    ("plot", re.compile(r"history_intro_df\s*=|sns\s*\.\s*lineplot")),
    ("overfitting", re.compile(r"^[ \t]*(?:%{1,2}\w+[ \t].*?)?\b(loss_trend|accuracy_trend|curves_similar|"
                               r"performs_well_on_new_data|is_overfitting)\s*=", re.M)),  # `%time x = ...` too
]
# The variable names the engine's generic collectors and checks read.
NAMES = {"model": "model_intro", "history": "history_intro", "df": "history_intro_df", "fig": "fig",
         "axes": "axes", "train": "train_ds", "val": "val_ds", "suptitle": "cifar_model_intro"}

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

COMPILE_MESSAGES = {
    "uncheckable": "The compiled model could not be inspected ({reason}).",
    "no_model": "`model_intro` is not defined: run the setup cells first.",
    "not_model": "`model_intro` is no longer a Keras model; do not reassign it.",
    "none_model": (
        "`model_intro` holds None, not the model: `compile` (like `summary`) returns None, so "
        "`model_intro = model_intro.compile(...)` replaces the model with None. Write "
        "`model_intro.compile(...)` without `model_intro =`, and re-run the cells from the one that "
        "builds the model."
    ),
    "never_called": "`model_intro.compile(...)` was never called.",
    # Added to a failed compile check when the model's last compile ran after fit had trained it.
    "late": (
        "This is the last compile of `model_intro`, at {where}: it ran after `fit` had trained the "
        "model{fit_where}, and the grader checks the model's last compile. Change that later compile "
        "to the lesson's settings, or remove it."
    ),
}
# The identifier this lesson uses for each kind of Keras name, and how it writes it: a misspelling
# equally close to two names suggests this one, and any other suggestion adds "This lesson uses ...".
KERAS_IDENTIFIERS = {
    "loss": ("sparse_categorical_crossentropy", "loss='sparse_categorical_crossentropy'"),
    "metric": ("accuracy", "metrics=['accuracy']"),
    "optimizer": ("adam", "optimizer='adam'"),
}
# Accepted optimizers, by family: each needs its fact flag (`is_adam`: Adam or a subclass of it).
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

# 'crossentropy' and 'ce' are Keras' own shortcuts: for integer labels it picks the sparse loss.
LOSS_ACCEPTED = {"sparse_categorical_crossentropy", "crossentropy", "ce"}
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
    "class_not_instance": (
        "You passed the loss class itself; add parentheses to make an object: "
        "`keras.losses.SparseCategoricalCrossentropy()`."
    ),
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
    "as_loss_weights": (
        "`{given}` went to `loss_weights`, not to `metrics`: in Keras 3 the third positional argument of "
        "`compile` is `loss_weights` (in Keras 2 it was `metrics`). Name it: `metrics=['accuracy']`."
    ),
}

# --- fit -------------------------------------------------------------------------------------

EXPECTED_EPOCHS = 10
FIT_MESSAGES = {
    "not_run": "`model_intro.fit(...)` never ran to the end, so there is no training history.",
    "no_history_var": (
        "`history_intro` is not defined. Store what `fit` returns: "
        "`history_intro = model_intro.fit(...)`."
    ),
    "history_dict": (
        "`history_intro` is the dict of the History's numbers (`model_intro.fit(...).history`), not the "
        "History object itself. Keep the object, `history_intro = model_intro.fit(...)`, and write "
        "`history_intro.history` where the lesson uses the numbers."
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
    "stopped_early": (
        "`fit` was given `epochs = {param}` but stopped after {epochs}: a callback (such as `EarlyStopping`) "
        "ended the training early. Remove it from `callbacks`, so the model trains for all 10 epochs."
    ),
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
    "wrong_validation": "`validation_data` should be `val_ds`, the validation dataset made in the setup.",
    "x_part": (
        "`x` holds {part} of the {whole} batches of `train_ds` (a `take` or `skip` of it, say), so the model "
        "trains on part of the training set. Give `fit` all of it: `x = train_ds`."
    ),
    "steps_per_epoch": (
        "`steps_per_epoch = {steps}` ends each epoch after {steps} of the {batches} batches of `train_ds`, so "
        "no epoch sees the whole training set. Leave `steps_per_epoch` out of `fit`."
    ),
    "validation_freq": (
        "`validation_freq = {freq}` validates only on some epochs, so the validation curves have fewer "
        "points than the training curves and cannot be compared epoch by epoch. Leave `validation_freq` "
        "out of `fit`: Keras then validates after every epoch."
    ),
    "no_accuracy_metric": "Without an accuracy metric in `compile`, there is no accuracy to record.",
    "uncheckable": "The training history could not be inspected ({reason}).",
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
    "empty_figure": (
        "The figure's {n} panel(s) are empty: nothing was drawn on them. Give each plot its panel, "
        "`sns.lineplot(data=..., ax=axes[0])` (or a DataFrame's `.plot(ax=axes[0])`): without `ax=`, "
        "pandas' `.plot()` draws on a new figure of its own."
    ),
    "renamed_df": (
        "`history_intro_df` holds the History's numbers, but under other column names ({renamed}). "
        "Keep the History's keys as the column names: the plot cell selects the columns by them."
    ),
    "panels": "The figure has {n} panel(s); it should have 2 side by side (`plt.subplots(1, 2)`).",
    "left": "The left panel shows {lines}; it should show the loss: `'loss'` and `'val_loss'`.",
    "right": "The right panel shows {lines}; it should show the accuracy: `'{acc}'` and `'val_{acc}'`.",
    "raised": "The plot cell stopped with an error: {errors}",
    "left_mixed": "The left panel also shows {lines}: keep the loss alone there; the accuracy goes on the right panel.",
    "right_mixed": "The right panel also shows {lines}: keep the accuracy alone there; the loss goes on the left panel.",
    "needs_history": "Needs a working `history_intro` first. {reason}",
    "stale_df": (
        "`history_intro_df` was made from an earlier training run: the fit cell ran again after the "
        "plot cell, so `history_intro` now holds a newer history. Re-run the plot cell."
    ),
    "values_differ": (
        "`history_intro_df` does not hold the training history: its columns are right, but its "
        "numbers are not those of the latest `history_intro.history`. Build it with "
        "`pd.DataFrame.from_dict(history_intro.history)`, and re-run the plot cell whenever you "
        "re-run the fit cell."
    ),
    "stale_figure": (
        "The figure shows an earlier training run: the fit cell ran again after the plot cell. "
        "Re-run the plot cell."
    ),
    "df_uncheckable": "The DataFrame could not be inspected ({reason}).",
    "figure_uncheckable": "The figure could not be inspected ({reason}).",
}

# Trend words whose reading depends on the curve: a loss that improves goes down.
TREND_WORDS_BY_QUESTION: dict[str, dict[str, set[str]]] = {
    "loss_trend": {
        "decreases": {"improves", "improve", "improving", "improved", "improvement", "better", "minimises",
                      "minimizes"},
        "increases": {"worsens", "worsen", "worsening", "worsened", "worse", "deteriorates", "deteriorating"},
    },
    "accuracy_trend": {
        "increases": {"improves", "improve", "improving", "improved", "improvement", "better"},
        "decreases": {"worsens", "worsen", "worsening", "worsened", "worse", "deteriorates", "deteriorating"},
    },
}
# What each trend question is about, and the words that name it (a clause about the accuracy does not
# answer the loss question).
TREND_SUBJECTS: dict[str, tuple[str, set[str]]] = {
    "loss_trend": ("loss", {"loss", "losses", "error", "errors"}),
    "accuracy_trend": ("accuracy", {"accuracy", "accuracies", "acc"}),
}
# What each True/False question's own words mean. A negation flips them ("not similar" is False).
_GENERALISE = ("generalise", "generalises", "generalised", "generalising", "generalize", "generalizes",
               "generalized", "generalizing", "generalisation", "generalization")
BOOL_WORDS_BY_QUESTION: dict[str, dict[bool, set[str]]] = {
    "curves_similar": {
        True: {"similar", "similarly", "same", "alike", "parallel", "match", "matches", "matching",
               "together", "in sync", "consistent", "follow each other", "track each other", "closely"},
        False: {"different", "differently", "differ", "differs", "differing", "difference", "differences",
                "dissimilar", "diverge", "diverges", "diverged", "diverging", "divergence", "divergent",
                "apart", "separate", "separates", "separated", "separating", "split", "splits", "gap",
                "drift apart", "drifts apart",
                # the lesson's own answer: "The validation lines improve at first, but then level off"
                "level off", "levels off", "levelled off", "leveled off", "levelling off", "leveling off",
                "plateau", "plateaus", "plateaued", "plateauing", "flatten", "flattens", "flattened",
                "flattens out", "stops improving", "stop improving", "stopped improving"},
    },
    "performs_well_on_new_data": {
        True: {"well", "good", "great", "fine", "accurate", "accurately", "as well", *_GENERALISE},
        False: {"poorly", "poor", "badly", "bad", "worse", "worst", "struggle", "struggles", "struggling",
                "fail", "fails", "failing", "less well", "less good", "less accurate", "less accurately",
                "not on new", "not on the new", "not on unseen", "not on the unseen", "not on validation",
                "not on the validation", "not on test", "not on the test", "not with new", "not for new",
                "only on training", "only on the training", "only on train", "only on seen",
                "only the training", "only for training", "only for the training",
                *(f"{fail} to {g}" for fail in ("fail", "fails", "failing", "unable") for g in _GENERALISE)},
    },
    "is_overfitting": {
        True: {"overfit", "overfits", "overfitting", "overfitted", "over fit", "over fits", "over fitting",
               "over fitted", "overtrained", "overtraining", "over trained", "memorise", "memorises",
               "memorising", "memorised", "memorize", "memorizes", "memorizing", "memorized"},
        False: {"underfit", "underfits", "underfitting", "underfitted", "under fit", "under fitting"},
    },
}
# Questions about new data: there a yes word followed by words about the training data ("it does well
# on the training data") is no answer.
NEW_DATA_QUESTIONS = ("performs_well_on_new_data",)
# Questions comparing the training and the validation curves: an answer giving each its own, different
# trend ("the validation loss goes up while the training loss goes down") says no.
COMPARE_QUESTIONS = ("curves_similar",)
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
# Names the lesson defines, for a misspelled name ("train_images" -> "train_ds").
LESSON_NAMES = ("train_ds", "val_ds", "model_intro", "history_intro", "history_intro_df", "fig", "axes", "keras",
                "pd", "plt", "sns", "load_datasets", "build_model_intro", "selfcheck", "figures")
LABEL_KIND_MESSAGES = {
    "loss": {
        "regression": (
            "`{given}` is a regression loss: it measures how far predicted numbers are from target numbers. "
            "Here each label is one class number 0-9 while the model outputs 10 probabilities, so Keras "
            "cannot even compare them (\"Incompatible shapes\"). For classification with integer labels use "
            "`loss='sparse_categorical_crossentropy'`."
        ),
        "one_hot": (
            "`{given}` expects one-hot labels (10 numbers per image, like the model's output), but our labels "
            "are single integers 0-9. For integer labels use `loss='sparse_categorical_crossentropy'`."
        ),
        "binary": (
            "`{given}` is for two classes (yes/no labels). CIFAR-10 has 10 classes with integer labels: use "
            "`loss='sparse_categorical_crossentropy'`."
        ),
    },
    "metric": {
        "regression": (
            "The metric `{given}` is a regression metric: it measures how far predicted numbers are from target "
            "numbers. Here each label is one class number 0-9 while the model outputs 10 probabilities, so Keras "
            "cannot even compare them (\"Incompatible shapes\"). Remove it: `metrics=['accuracy']`."
        ),
        "one_hot": (
            "The metric `{given}` expects one-hot labels (10 numbers per image), but our labels are single "
            "integers 0-9. Remove it: `metrics=['accuracy']`."
        ),
        "binary": (
            "The metric `{given}` is for two classes (yes/no labels), but CIFAR-10 has 10 classes with integer "
            "labels. Remove it: `metrics=['accuracy']`."
        ),
    },
}

KERAS_ERROR_MESSAGES = {
    # a DataFrame column (KeyError) the History does not have, and why
    "column_no_validation": (
        "there is no `{column}`: `fit` ran without `validation_data`, so the History has no validation "
        "curves. Give `fit` `validation_data = val_ds` (see the fit checks), then re-run this cell."),
    "column_accuracy_key": (
        "there is no `{column}`: the History names the accuracy after the metric given to `compile`, "
        "`'{acc}'` and `'val_{acc}'`. Plot those, or compile with `metrics=['accuracy']`."),
    "column_missing": "{columns} not in the DataFrame{suggestion} Its columns are the history's keys: {keys}.",
    "column_suggestion": ": did you mean `'{name}'`?",
    # how the checks introduce an error: {where} is " at <file, cell, line>" or ""
    "fit_raised": "`model_intro.fit(...)` raised an error{where}: {explanation}",
    "compile_raised": "`model_intro.compile(...)` raised an error{where}: {explanation}",
    "noticed_at_fit": " (Keras checks the name only when `fit` starts: `fit` raised this{where}.)",
    # misspelled names
    "unknown_loss": "Keras does not know the loss `{given}`{suggestion} Fix it in `model_intro.compile(...)`.",
    "unknown_metric": "Keras does not know the metric `{given}`{suggestion} Fix it in `model_intro.compile(...)`.",
    "unknown_optimizer": "Keras does not know the optimizer `{given}`{suggestion}",
    "did_you_mean": ": did you mean `{suggestion}`?",
    "no_suggestion": " (check the spelling).",
    "lesson_uses": " This lesson uses `{lesson}`.",
    "unexpected_keyword": "`{func}` has no argument `{keyword}`{suggestion}",
    "no_attribute_suggestion": (
        "`{module}` has no `{name}`: did you mean `{module}.{suggestion}`? Python names are case-sensitive, "
        "and Keras' layers and optimizers are classes, written with a capital letter."
    ),
    "no_attribute": "`{module}` has no `{name}`: check the spelling (Python names are case-sensitive).",
    "optimizer_lr": (
        "Keras 3 calls the learning rate `learning_rate` (`lr` was Keras 2's name): write "
        "`keras.optimizers.Adam(learning_rate=0.001)`, or simply `optimizer='adam'`."
    ),
    "optimizer_argument": (
        "the optimizer has no argument `{argument}`: Keras' optimizers take `learning_rate` and the "
        "settings their documentation lists."
    ),
    "layer_not_called": (
        "a `{layer}` layer was passed on where the output of the layer before was expected: a layer is "
        "made and then called on a tensor, `x = keras.layers.{layer}(...)(x)`, so add `(x)` after it."
    ),
    "keyword_choices": "; its arguments include {choices}.",
    "class_not_instance": (
        "You passed the class `{name}` itself; Keras needs an object: add parentheses, `{module}.{name}()`."
    ),
    # compile
    "metrics_not_list_str": (
        "`metrics` must be a list, even for one metric: write `metrics=['{value}']` (with square brackets), "
        "not `metrics='{value}'`. Keras refuses a bare string."
    ),
    "metrics_not_list_set": (
        "`metrics` must be a list, with square brackets: write `metrics=['accuracy']`, not a set in curly "
        "braces `{given}`."
    ),
    "metrics_not_list_obj": (
        "`metrics` must be a list, even for one metric: put it in square brackets, `metrics=[{given}]`."
    ),
    "no_loss": "No loss was given to `compile`, so `fit` has nothing to minimise. Pass "
               "`loss='sparse_categorical_crossentropy'`.",
    "no_optimizer": "No optimizer was given to `compile` (`optimizer=None`), so `fit` cannot update the weights. "
                    "Pass `optimizer='adam'`.",
    # fit before a successful compile
    "compile_failed": (
        "`model_intro` is not compiled, because `model_intro.compile(...)` raised an error{where}: {explanation} "
        "Fix the compile cell and run it, then run `fit` again."
    ),
    "compile_cell_failed": (
        "`model_intro` is not compiled, because the compile cell raised an error at {where}: {explanation} "
        "Fix the compile cell and run it, then run `fit` again."
    ),
    "never_compiled": (
        "`model_intro` is not compiled yet: run `model_intro.compile(...)` (the challenge \"Compile the model\") "
        "before `fit`."
    ),
    "defined_later": (
        "`{name}` did not exist yet when this cell ran: the cell that makes it comes later. Run the cells "
        "in order: put this cell after the one that makes `{name}`."
    ),
    "fit_other_model": (
        "the model `fit` was called on is not compiled, but `model_intro` is: `fit` was called on another "
        "model. Train `model_intro` itself: `history_intro = model_intro.fit(...)`."
    ),
    # fit's arguments
    "x_text": "`x` is the text `'{value}'`, not the dataset: remove the quotes, `x = train_ds`.",
    "validation_text": (
        "`validation_data` is the text `'{value}'`, not the dataset: remove the quotes, `validation_data = val_ds`."
    ),
    "data_text": (
        "Keras got the text `'{value}'` (in quotes) where it needs data: write the dataset's name without "
        "quotes, `x = train_ds` and `validation_data = val_ds`."
    ),
    "x_pair": (
        "`x` is a {kind} of {count} items, but `x` takes the training dataset alone: write `x = train_ds`, and "
        "give the validation dataset separately, `validation_data = val_ds`."
    ),
    "x_other": "`x` is {given} (a {kind}); it must be the training dataset: `x = train_ds`.",
    "validation_other": (
        "`validation_data` is {given} (a {kind}); it must be the validation dataset: `validation_data = val_ds`."
    ),
    "data_other": "Keras cannot train on {given} (a {kind}): pass the lesson's datasets, `x = train_ds` and "
                  "`validation_data = val_ds`.",
    "epochs_type": "`epochs = {given}`: the number of epochs must be a whole number, without quotes: `epochs = 10`.",
    "integer_type": (
        "Keras needed a whole number but got a {kind}: write numbers such as `epochs = 10` without quotes or "
        "decimals."
    ),
    "validation_split": (
        "`validation_split` only works when `x` is a NumPy array or a tensor; `train_ds` is a dataset, which "
        "Keras cannot split. The lesson already made a validation set: replace `validation_split=...` with "
        "`validation_data = val_ds`."
    ),
    "y_with_dataset": (
        "`fit` got labels `y` (or a second argument without a name), but with a dataset as `x` the labels "
        "are already inside it. Name each argument: `model_intro.fit(x = train_ds, epochs = 10, "
        "validation_data = val_ds)`."
    ),
    "input_shape": (
        "The data given to `fit` do not have the shape the model takes: it expects batches of images of "
        "shape {expected}, but got {found}. Pass the lesson's datasets, which are batched already: "
        "`x = train_ds` and `validation_data = val_ds`."
    ),
    "no_labels": (
        "Keras found no labels: `x` (or `validation_data`) holds images only. Pass the lesson's datasets, "
        "which hold both the images and their labels: `x = train_ds` and `validation_data = val_ds`."
    ),
    "shapes": (
        "Keras could not match the labels with the model's 10 outputs ({detail}). Each label is one integer "
        "0-9: compile with `loss='sparse_categorical_crossentropy'` and `metrics=['accuracy']`, and nothing "
        "that expects one-hot labels or numbers."
    ),
    # names Python does not know
    "name_keras_class": "`{name}` is not defined: Keras' classes are reached through `keras`, so write "
                        "`keras.{module}.{name}()`.",
    "name_keras_string": "Python does not know the name `{name}`: Keras' names are text, so put it in quotes, "
                         "`'{name}'`.",
    "name_tf": "`tf` is not defined: this lesson imports `keras` directly, so write e.g. `keras.optimizers.Adam()` "
               "(or add `import tensorflow as tf` first).",
    "name_close": "Python does not know the name `{name}`: did you mean `{suggestion}`?",
}

# Message patterns, searched in "<ExceptionType>: <message>"; the first match wins. Errors that
# need the facts or a suggestion (misspellings, fit's arguments, loss and metrics) are handled
# before these in `checks.explain_error`.
ERROR_EXPLANATIONS: list[tuple[str, str]] = [
    (r"a blank `_____` is not filled in", "a blank `_____` is not filled in yet."),
    (r"`validation_split` is only supported", KERAS_ERROR_MESSAGES["validation_split"]),
    (r"`y` should not be passed", KERAS_ERROR_MESSAGES["y_with_dataset"]),
    (r"incompatible with the layer: expected shape=(?P<expected>\([^)]*\)), found shape=(?P<found>\([^)]*\))",
     KERAS_ERROR_MESSAGES["input_shape"]),
    (r"^ValueError: None values not supported", KERAS_ERROR_MESSAGES["no_labels"]),
    (r"^ValueError: All arrays must be of the same length",
     "the History's lists are not all as long: validation ran on fewer epochs than training "
     "(`validation_freq` in `fit`), so pandas cannot line them up. Leave `validation_freq` out of `fit`."),
    (r"^AttributeError: 'NoneType' object has no attribute '(?:fit|compile|summary|evaluate|predict)'",
     COMPILE_MESSAGES["none_model"]),
    (r"^ValueError: Argument\(s\) not recognized: \{'lr'", KERAS_ERROR_MESSAGES["optimizer_lr"]),
    (r"^ValueError: Argument\(s\) not recognized: \{'(?P<argument>\w+)'", KERAS_ERROR_MESSAGES["optimizer_argument"]),
    (r"Only input tensors may be passed as positional arguments.*?<(?P<layer>\w+) name=", KERAS_ERROR_MESSAGES["layer_not_called"]),
    (r"No loss to compute", KERAS_ERROR_MESSAGES["no_loss"]),
    (r"'NoneType' object has no attribute 'apply_gradients'", KERAS_ERROR_MESSAGES["no_optimizer"]),
    (r"must have the same rank|must have rank \(ndim\)", LOSS_MESSAGES["categorical_crossentropy"]),
    (r"must call `compile\(\)`|You must call compile", KERAS_ERROR_MESSAGES["never_compiled"]),
    (r"^TypeError: '(?P<kind>\w+)' object cannot be interpreted as an integer", KERAS_ERROR_MESSAGES["integer_type"]),
    (r"^MemoryError", "the memory limit was reached (the code used too much memory)."),
    (r"File too large", "the output limit was reached (the code printed too much)."),
    (r"^NameError: name '(?P<name>history_intro|history_intro_df|model_intro|train_ds|val_ds)' is not defined",
     "`{name}` does not exist, because the cell that should create it did not succeed: fix the "
     "earlier challenge first (see its checks)."),
    (r"^NameError: name '(?P<name>[^']+)' is not defined",
     "Python does not know the name `{name}`. If you meant text, put it in quotes: `\"{name}\"`; if it "
     "is a variable, check its spelling and that the cell defining it has run."),
    (r"^ValueError: DataFrame constructor not properly called",
     "`pd.DataFrame` cannot read that object. The History's numbers are in `history_intro.history`, a "
     "dict of lists: write `history_intro_df = pd.DataFrame.from_dict(history_intro.history)`."),
    (r"^KeyError: .*not in index|^KeyError: \"None of",
     "that column is not in the DataFrame. Use the names of the history's keys, e.g. `'loss'` and `'val_loss'`."),
]


@lru_cache(maxsize=1)
def expected_answers() -> dict:
    """The right answers, derived from the lesson's reference curves (``reference.py``)."""
    from .reference import expected_answers as derive, load_reference_history

    return derive(load_reference_history())


# --- a graded nbgrader release (`autograder nbgrader --graded`) --------------------------------
# Its given cells run without the package: `autograder.integrations.standalone` writes these modules out as
# notebook code, each once, in this order, for the import lines of the lesson that need them.
STANDALONE = {
    # `from MODULE import NAME` in the lesson -> the modules written out for it ("*": any name)
    "imports": {
        ("autograder", "figures"): ("figures",),
        ("autograder.data", "*"): ("data",),
        ("autograder.model", "*"): ("data", "model"),
    },
    # key -> the module ("." names one of this exercise's own), its header comment, and how it changes
    "modules": {
        "data": {
            "module": "autograder.data",
            "header": "# The lesson's data (given): `load_datasets()` returns the real CIFAR-10 (from Keras' cache, else\n"
                      "# a 170 MB download); without a network it falls back to a small offline sample. Set the\n"
                      "# environment variable AUTOGRADER_DATA to `cifar10` or `sample` to choose.\n",
        },
        "model": {"module": ".model",
                  "header": "# The model of the previous episode (given).\n"},
        "figures": {
            "module": ".figures",
            "header": "# The lesson's figures (given).\n",
            # what it reads from the package becomes literals: NAME -> a resource file of this
            # exercise (JSON) or "module:function" of this exercise (called without arguments)
            "constants_comment": "# The data of the lesson's two figures.",
            "constants": {"LR_CURVES": "lr_curves.json", "REFERENCE_HISTORY": "reference:load_reference_history"},
            "calls": {"load_lr_curves": "LR_CURVES", "load_reference_history": "REFERENCE_HISTORY"},
            "drop": ("LR_CURVES_FILE", "load_lr_curves"),
            "drop_guards": ("in_grader",),  # `if in_grader(): ...`: never true in a notebook
        },
    },
}

# A submitted file in which no cell does what this exercise's challenges do (Gradescope does not run it;
# check and grade run it and say this first).
NOT_LESSON = ("{name} is not a submission of this lesson: none of its cells compiles or trains the model, "
              "plots the history or answers the overfitting questions. Submit the lesson's notebook "
              "(`.ipynb`) or script (`.py`) with your answers.")
