"""The one table of the exercise "Reduce overfitting with dropout".

Its challenges, checks and points, the names it grades, how its cells are recognised, its accepted
answers, misconception messages and hints. The compile and fit steps are the first exercise's on
this exercise's model: their accepted values and messages are that exercise's table with the
names replaced (so both stay in step); the model, plot and question messages are this exercise's own.
"""
from __future__ import annotations

import re
from functools import lru_cache

from autograder.exercises.compile_and_train import table as _first
from autograder.judge.rubric import Challenge, Check

TITLE = "Reduce overfitting with dropout"
ORDER = 2
LESSON_FILE = "dropout.py"  # in lessons/ and solutions/
NBGRADER_ASSIGNMENT = "dropout"

ANSWERS = ("dropout_narrows_gap", "dropout_active_when_predicting", "high_rate_training_accuracy")
# The names the checks read; while grading, the last object bound to each is kept.
GRADED_NAMES = ("model_dropout", "model_intro", "train_ds", "val_ds", "history_dropout", "history_dropout_df",
                "fig", "axes", *ANSWERS)
# Names only this exercise defines: a submission that mentions them is this exercise's.
SIGNATURE_NAMES = ("model_dropout", "history_dropout", "history_dropout_df", "cifar_model_dropout", *ANSWERS)
# The variables the generic checks and collectors read, by role.
NAMES = {"model": "model_dropout", "history": "history_dropout", "df": "history_dropout_df", "fig": "fig",
         "axes": "axes", "train": "train_ds", "val": "val_ds", "suptitle": "cifar_model_dropout"}
# The model without dropout the setup builds for comparison (a fit of it is a misconception).
OLD_MODEL = "model_intro"

# Where a cell carries no `challenge` metadata, its challenge is recognised from what it does; the
# first match wins.
CONTENT_HINTS = [
    ("model", re.compile(r"\bDropout\s*\(|^[ \t]*model_dropout\s*=", re.M)),
    ("compile", re.compile(r"\.\s*compile\s*\(")),
    ("fit", re.compile(r"\.\s*fit\s*\(")),
    ("plot", re.compile(r"history_dropout_df\s*=|sns\s*\.\s*lineplot|plt\s*\.\s*subplots")),
    ("questions", re.compile(r"^[ \t]*(?:%{1,2}\w+[ \t].*?)?\b(" + "|".join(ANSWERS) + r")\s*=", re.M)),
]

# The first model's layers (without Input), which the new model keeps around its Dropout layer.
KEPT_LAYERS = ("Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dense", "Dense")
# Their settings, in the same order (what `model_dropout`'s cell writes: the first model's).
KEPT_SETTINGS: tuple[dict, ...] = (
    {"filters": 16, "kernel_size": [3, 3], "activation": "relu"}, {"pool_size": [2, 2]},
    {"filters": 32, "kernel_size": [3, 3], "activation": "relu"}, {"pool_size": [2, 2]}, {},
    {"units": 32, "activation": "relu"}, {"units": 10, "activation": "softmax"},
)

LESSON_RATE = 0.5  # the solution's rate (any rate strictly between 0 and 1 passes)
HIGH_RATE = 0.9  # the "much higher rate" of the questions

CHALLENGES: dict[str, Challenge] = {
    c.key: c
    for c in [
        Challenge(
            "model",
            "Add a Dropout layer",
            "Dropout takes one number, the *rate*: the fraction of its inputs it sets to zero at each "
            "training step, a number between 0 and 1 such as `0.5` (not a percentage). Keep the "
            "`Dropout` line between `Flatten` and the hidden `Dense` layer.",
            "x = keras.layers.Flatten()(x)\n"
            "x = keras.layers.Dropout(0.5)(x)\n"
            "x = keras.layers.Dense(32, activation='relu')(x)\n"
            "outputs = keras.layers.Dense(10, activation='softmax')(x)\n"
            "model_dropout = keras.Model(inputs=inputs, outputs=outputs, name='cifar_model_dropout')",
        ),
        Challenge(
            "compile",
            "Compile the model",
            "Call `.compile()` on `model_dropout` (the new model, not `model_intro`), exactly as in the "
            "previous lesson: `'adam'`, `'sparse_categorical_crossentropy'` and `metrics` as a *list*, "
            "e.g. `['accuracy']`.",
            "model_dropout.compile(optimizer = 'adam',\n"
            "                      loss = 'sparse_categorical_crossentropy',\n"
            "                      metrics = ['accuracy'])",
        ),
        Challenge(
            "fit",
            "Train (fit) the model",
            "Call `.fit()` on `model_dropout` with `train_ds` as `x`, `epochs = 10`, and `val_ds` as "
            "`validation_data`, and keep what it returns as `history_dropout`.",
            "history_dropout = model_dropout.fit(x = train_ds,\n"
            "                                    epochs = 10,\n"
            "                                    validation_data = val_ds)",
        ),
        Challenge(
            "plot",
            "Compare the training curves",
            "The numbers live in `history_dropout.history` (a dict of lists). On the right panel plot "
            "its columns `'accuracy'` and `'val_accuracy'`, like the run without dropout on the left.",
            "history_dropout_df = pd.DataFrame.from_dict(history_dropout.history)\n"
            "sns.lineplot(ax=axes[1], data=history_dropout_df[['accuracy', 'val_accuracy']])",
        ),
        Challenge(
            "questions",
            "What does dropout do?",
            "Compare the distance between the training and validation accuracy in the reference runs "
            "without dropout and with the lesson's rate; then compare the training accuracy of the "
            f"lesson's rate with that of the rate {HIGH_RATE}. Dropout is only used while the model trains.",
            "dropout_narrows_gap = True\n"
            "dropout_active_when_predicting = False\n"
            'high_rate_training_accuracy = "decreases"',
        ),
    ]
}

CHECKS: dict[str, Check] = {
    c.tag: c
    for c in [
        Check("model.dropout_rate", "model", "model_dropout has a Dropout layer with a rate between 0 and 1"),
        Check("model.dropout_place", "model", "The Dropout layer sits between hidden layers"),
        Check("model.layers_kept", "model", "Apart from Dropout, the layers are the first model's"),
        Check("compile.optimizer", "compile", "The optimizer is Adam"),
        Check("compile.loss", "compile", "The loss is sparse categorical cross-entropy"),
        Check("compile.metrics", "compile", "The metrics are a list with accuracy"),
        Check("fit.history_keys", "fit", "history_dropout is the History of model_dropout.fit, with loss, "
                                         "accuracy and val_ keys"),
        Check("fit.epochs", "fit", "The model was trained for 10 epochs"),
        Check("fit.validation", "fit", "Validation data were passed to fit"),
        Check("plot.history_df", "plot", "history_dropout_df is a DataFrame of history_dropout.history"),
        Check("plot.figure", "plot", "The figure shows the accuracy without dropout (left) and with dropout (right)"),
        Check("questions.dropout_narrows_gap", "questions", "Does dropout narrow the gap"),
        Check("questions.dropout_active_when_predicting", "questions", "Is dropout active when the model predicts"),
        Check("questions.high_rate_training_accuracy", "questions", "The training accuracy with a much higher rate"),
    ]
}

# Names the learner must define, by challenge (what the challenge cell produces).
CHALLENGE_OUTPUTS: dict[str, tuple[str, ...]] = {
    "model": ("model_dropout",),
    "compile": (),
    "fit": ("history_dropout",),
    "plot": ("history_dropout_df", "fig", "axes"),
    "questions": ANSWERS,
}

# --- compile and fit: the first exercise's, on this exercise's names -------------------------

_RENAMES = (("model_intro", "model_dropout"), ("history_intro", "history_dropout"),
            ("As the lesson's learning-rate figure shows", "As the learning-rate figure of the previous lesson showed"))


def _renamed(value):
    """``value`` (text, or containers of text) with the first exercise's names replaced by this one's."""
    if isinstance(value, str):
        for old, new in _RENAMES:
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {_renamed(k): _renamed(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return type(value)(_renamed(v) for v in value)
    return value


COMPILE_MESSAGES = _renamed(_first.COMPILE_MESSAGES)
KERAS_IDENTIFIERS = _renamed(_first.KERAS_IDENTIFIERS)
OPTIMIZER_ACCEPTED = set(_first.OPTIMIZER_ACCEPTED)
LEARNING_RATE_RANGE = _first.LEARNING_RATE_RANGE
OPTIMIZER_MESSAGES = _renamed(_first.OPTIMIZER_MESSAGES)
LOSS_ACCEPTED = set(_first.LOSS_ACCEPTED)
LOSS_MESSAGES = _renamed(_first.LOSS_MESSAGES)
LOSS_ALIASES = dict(_first.LOSS_ALIASES)
METRIC_ACCEPTED = set(_first.METRIC_ACCEPTED)
METRICS_MESSAGES = _renamed(_first.METRICS_MESSAGES)
EXPECTED_EPOCHS = _first.EXPECTED_EPOCHS
FIT_MESSAGES = {
    **_renamed(_first.FIT_MESSAGES),
    # A misconception of this lesson: training the setup's model without dropout (or any other model).
    "not_this_fit": (
        "`history_dropout` is the History of another model, not of `model_dropout`: did you train "
        "`model_intro`, the setup's model *without* dropout? These curves must show the new model with "
        "its Dropout layer: write `history_dropout = model_dropout.fit(...)`."
    ),
}
LABEL_KIND_MESSAGES = _renamed(_first.LABEL_KIND_MESSAGES)
KERAS_ERROR_MESSAGES = {
    **_renamed(_first.KERAS_ERROR_MESSAGES),
    "model_raised": "Building `model_dropout` raised an error{where}: {explanation}",
}

# --- model: the Dropout layer ------------------------------------------------------------------

MODEL_MESSAGES = {
    "uncheckable": "The model could not be inspected ({reason}).",
    "no_model": (
        "`model_dropout` is not defined. The model cell must end with "
        "`model_dropout = keras.Model(inputs=inputs, outputs=outputs, name='cifar_model_dropout')`."
    ),
    "not_model": "`model_dropout` is {given}, not a Keras model. Build it with `keras.Model(inputs=..., outputs=...)`.",
    "is_old_model": (
        "`model_dropout` is `model_intro`, the model without dropout. Build the new model in the model "
        "cell, with its `keras.layers.Dropout(...)` layer."
    ),
    "no_dropout": (
        "`model_dropout` has no Dropout layer: its layers are {layers}. Add "
        "`x = keras.layers.Dropout(0.5)(x)` between `Flatten` and the hidden `Dense` layer."
    ),
    "rate_zero": (
        "`Dropout(0)` drops nothing: with a rate of 0 every unit is kept, so the layer changes nothing "
        "and cannot reduce overfitting. Choose a rate between 0 and 1, such as `0.5`."
    ),
    "rate_one": (
        "`Dropout(1)` drops every unit: while training, nothing reaches the next layer, so the model "
        "cannot learn from the images. Choose a rate between 0 and 1, such as `0.5`."
    ),
    "rate_percent": (
        "A dropout rate is a fraction, not a percentage: 20% is `0.2`, and 50% is `0.5`. Keras refuses "
        "`Dropout({given})` because the rate must lie between 0 and 1."
    ),
    "rate_negative": "A dropout rate cannot be negative (`Dropout({given})`). Choose a rate between 0 and 1, such as `0.5`.",
    "rate_not_number": (
        "The dropout rate is {given}; it must be a number between 0 and 1, such as `Dropout(0.5)` "
        "(without quotes)."
    ),
    "several_bad": "{count} Dropout layers have a rate outside (0, 1): {rates}.",
    "settings_changed": (
        "Apart from the Dropout layer, `model_dropout` should have the first model's layers with their "
        "settings, so that the two runs differ only by dropout; {changes}. Keep the lesson's other lines "
        "of the model cell as they are."
    ),
    "setting": "its {place} {kind} layer has {setting} {given} instead of {expected}",
    "layers_changed": (
        "Apart from the Dropout layer, `model_dropout` should have the first model's layers ({expected}), "
        "so that the two runs differ only by dropout; its layers are {layers}. Keep the lesson's other "
        "lines of the model cell as they are."
    ),
    "after_output": (
        "The Dropout layer comes after the output layer, so it would zero some of the 10 class "
        "probabilities while training. Dropout belongs between hidden layers: put it before the last "
        "`Dense(10, activation='softmax')`, e.g. right after `Flatten`."
    ),
    "before_first": (
        "The Dropout layer comes straight after the input, so it drops pixels of the images, not units "
        "of the network. Put it between hidden layers, e.g. right after `Flatten`."
    ),
    "needs_dropout": "Needs a Dropout layer first (see the check above).",
}
# The layer kinds the facts name (by Keras class, recognised tamper-resistantly).
LAYER_KINDS = ("Input", "Conv2D", "MaxPooling2D", "Flatten", "Dense", "Dropout", "other")
# Keras' own message for a rate outside [0, 1], raised when the layer is made.
RATE_ERROR = re.compile(r"Invalid value received for argument `rate`.*Received: rate=(?P<rate>[^\s.]+(?:\.\d+)?)",
                        re.S)

# --- plot ------------------------------------------------------------------------------------

PLOT_MESSAGES = {
    **_renamed(_first.PLOT_MESSAGES),
    "no_figure": (
        "No figure was found. Make one with `fig, axes = plt.subplots(1, 2)`: the run without dropout on "
        "`axes[0]`, yours on `axes[1]`."
    ),
    "left": (
        "The left panel shows {lines}; it should show the accuracy and validation accuracy *without* "
        "dropout (`history_intro_df[['accuracy', 'val_accuracy']]`, given in the cell)."
    ),
    "right": (
        "The right panel shows {lines}; it should show your run with dropout: "
        "`history_dropout_df[['accuracy', 'val_accuracy']]`."
    ),
    "swapped": (
        "The panels are swapped: the run without dropout goes on the left (`axes[0]`), your run with "
        "dropout on the right (`axes[1]`)."
    ),
    # A panel that also draws loss curves: on one axis with the accuracy, the accuracy curves flatten.
    "left_mixed": (
        "The left panel also shows {lines}: plot only the accuracy columns there, "
        "`history_intro_df[['accuracy', 'val_accuracy']]`, so the two runs compare on one scale."
    ),
    "right_mixed": (
        "The right panel also shows {lines}: plot only the accuracy columns there, "
        "`history_dropout_df[['accuracy', 'val_accuracy']]`, so the two runs compare on one scale."
    ),
}

# --- questions ---------------------------------------------------------------------------------

TREND_SUBJECTS: dict[str, tuple[str, set[str]]] = {
    "high_rate_training_accuracy": ("training accuracy", {"accuracy", "accuracies", "acc"}),
}
TREND_WORDS_BY_QUESTION: dict[str, dict[str, set[str]]] = {
    "high_rate_training_accuracy": {
        "increases": {"improves", "improve", "improving", "improved", "better"},
        "decreases": {"worsens", "worsen", "worsening", "worsened", "worse", "deteriorates", "deteriorating",
                      "underfit", "underfits", "underfitting", "learns less", "learn less", "struggles",
                      "hurts", "suffers"},
    },
}
NEW_DATA_QUESTIONS: tuple[str, ...] = ()
# "No, it is only active during training": a word of "active" is no yes when "only ... training" says when.
_TRAINING_ONLY = {f"{a} {b} {when} training" for verb in ("active", "used", "applied", "on", "enabled", "applies", "works")
                  for a, b in (("only", verb), (verb, "only")) for when in ("during", "while", "when", "in", "for", "at")} \
    | {f"{verb} {when} training only" for verb in ("active", "used", "applied", "on", "enabled")
       for when in ("during", "while", "when", "in", "for", "at")}
BOOL_WORDS_BY_QUESTION: dict[str, dict[bool, set[str]]] = {
    "dropout_narrows_gap": {
        True: {"narrows", "narrow", "narrowed", "narrowing", "narrower", "closes", "close", "closed", "closer",
               "smaller", "shrinks", "shrink", "shrank", "reduces", "reduce", "reduced", "decreases",
               "decrease", "decreased", "less", "helps", "helped", "less overfitting", "overfits less",
               "closer together", "nearer"},
        False: {"widens", "widen", "widened", "wider", "bigger", "larger", "grows", "increases", "increased",
                "unchanged", "same gap", "no difference", "no effect", "more overfitting", "overfits more",
                "does nothing", "no change"},
    },
    "dropout_active_when_predicting": {
        True: {"active", "on", "applied", "used", "still drops", "drops", "always", "enabled", "randomly"},
        False: {"inactive", "off", "disabled", "switched off", "turned off", "ignored", "skipped", "bypassed",
                "only during training", "only in training", "only when training", "only while training",
                "only for training", "only at training", "only training", "training only", "just training",
                "all units", "all neurons", "every unit", "every neuron", "passes through", "identity",
                "does nothing", *_TRAINING_ONLY},
    },
}
ANSWER_QUESTIONS = {
    "dropout_narrows_gap": "Does dropout narrow the gap between the training and the validation accuracy?",
    "dropout_active_when_predicting": "Is dropout active when the model predicts?",
    "high_rate_training_accuracy": (
        f"What happens to the training accuracy with a much higher rate ({HIGH_RATE} instead of {LESSON_RATE})?"
    ),
}
# Numbers quoted here are tested against the shipped reference curves (tests/test_dropout_reference.py).
ANSWER_EXPLANATIONS = {
    "dropout_narrows_gap": (
        "In the reference runs, the training accuracy ends about 0.14 above the validation accuracy "
        "without dropout, but only about 0.06 above it with dropout 0.5: dropout narrows the gap."
    ),
    "dropout_active_when_predicting": (
        "Keras applies dropout only while training. When the model predicts (and when `fit` measures the "
        "validation accuracy), every unit is used, so the predictions are not random."
    ),
    "high_rate_training_accuracy": (
        "In the reference runs the training accuracy ends near 0.65 with dropout 0.5 but near 0.5 with "
        "0.9: dropping 90% of the units makes it much harder to learn the training images, so the "
        "training accuracy decreases."
    ),
}
LESSON_NAMES = ("train_ds", "val_ds", "model_intro", "model_dropout", "history_dropout", "history_dropout_df",
                "history_intro_df", "fig", "axes", "keras", "pd", "plt", "sns", "load_datasets", "build_model_intro",
                "selfcheck", "figures", "inputs", "outputs", "x")

ERROR_EXPLANATIONS: list[tuple[str, str]] = [
    (RATE_ERROR.pattern, "a dropout rate is a fraction between 0 and 1: 20% is `0.2`, and 50% is `0.5` "
                         "(Keras got `rate={rate}`)."),
    # Keras 3.0 accepts `Dropout(1.0)` but refuses it when `fit` runs the layer (3.15 trains with it).
    (r"`rate` must be a scalar tensor or a float in the range \[0, 1\)",
     "Keras refuses to train with a dropout rate of 1 (every unit dropped). Choose a rate between 0 and 1, "
     "such as `keras.layers.Dropout(0.5)`."),
    (r"^TypeError: '[<>]=?' not supported between instances of '(?:int|float)' and 'str'",
     "the dropout rate must be a number, without quotes: `keras.layers.Dropout(0.5)`."),
    *_renamed(_first.ERROR_EXPLANATIONS),
]


@lru_cache(maxsize=1)
def expected_answers() -> dict:
    """The right answers, derived from the lesson's reference curves (``reference.py``)."""
    from .reference import expected_answers as derive

    return dict(derive())

# --- the graded nbgrader release (`autograder nbgrader --graded`): code that runs without the package ---

# Answer logic of ``reference.py`` a release must not carry (only the reference curves it draws).
_REFERENCE_ANSWER_CODE = ("read_resource", "_load", "load_reference_curves", "REFERENCE_FILE", "LAST_EPOCHS",
                          "GAP_TOLERANCE", "TREND_TOLERANCE", "_tail_mean", "accuracy_gap", "narrows_gap",
                          "training_accuracy_change", "derive_answers", "expected_answers")
STANDALONE = {
    # `from MODULE import NAME` in the lesson -> the modules written out for it ("*": any name)
    "imports": {
        ("autograder", "figures"): ("reference", "figures"),
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
        "model": {"module": "autograder.exercises.compile_and_train.model",
                  "header": "# The model of the previous episode (given).\n"},
        "reference": {
            "module": ".reference",
            "header": "# The lesson's reference runs (given): the same CNN trained without dropout, with the rate 0.5\n"
                      "# and with the rate 0.9.\n",
            "constants": {"REFERENCE_CURVES": "reference:load_reference_curves"},
            "calls": {"load_reference_curves": "REFERENCE_CURVES"},
            "drop": _REFERENCE_ANSWER_CODE,
        },
        "figures": {
            "module": ".figures",
            "header": "# The lesson's figures (given).\n",
            "calls": {"load_reference_curves": "REFERENCE_CURVES"},
            "drop_guards": ("in_grader",),  # `if in_grader(): ...`: never true in a notebook
        },
    },
}

# A submitted file in which no cell does what this exercise's challenges do (Gradescope does not run it;
# check and grade run it and say this first).
NOT_LESSON = ("{name} is not a submission of this lesson: none of its cells adds a Dropout layer, compiles or "
              "trains the model, plots the history or answers the questions on dropout. Submit the lesson's "
              "notebook (`.ipynb`) or script (`.py`) with your answers.")
