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

# What the checks say when a cell could not run or a run stopped (any challenge).
GATE_MESSAGES = {
    "syntax": "Syntax error at {where}: {message}. Fix it so the cell can run.",
    "stopped": "Not checked: {reason}.",
    "cell_error": "The cell raised an error. {errors}",
}

# The in-notebook self-check (``selfcheck``) and the nbgrader test cells.
SELFCHECK_MESSAGES = {
    "unknown_challenge": "There is no challenge {given!r}{suggestion}; the challenges are {names}.",
    "suggestion": " (did you mean {name!r}?)",
    "stuck": 'Stuck? selfcheck.hint("{challenge}") gives a hint, selfcheck.solution("{challenge}") the answer.',
    "all_passed": "Correct! Well done.",
    "grader_error": "The grader could not check this ({error}).",
}

# --- overfitting answers ---------------------------------------------------------------------

# Learners answer in words or sentences. ``checks.read_answer`` reads an answer with the word lists
# below (lower case; a phrase is matched as whole words, the longest phrase first, after arrows and
# emoji became words, "-"/"_" became spaces and "dont" became "don't"). An answer is accepted when
# it says one thing; it fails, saying why, when it says two things ("decreases then increases",
# "yes and no"), hedges ("maybe"), only says what does not happen ("does not increase"), or answers
# another question. A word of 7+ letters also matches with one typo (a letter missing, extra,
# wrong, or two swapped: "decreses", "overfiting"), when the typo can only mean one reading.

# Trend words, for every question that asks what a curve does. The keys are the accepted answers.
TREND_SPELLINGS: dict[str, set[str]] = {
    "decreases": {
        "decreases", "decrease", "decreasing", "decreased", "down", "downward", "downwards", "downhill",
        "fall", "falls", "falling", "fell", "fallen", "drop", "drops", "dropping", "dropped", "decline",
        "declines", "declining", "declined", "lower", "lowers", "lowering", "lowered", "reduce",
        "reduces", "reducing", "reduced", "reduction", "shrink", "shrinks", "shrinking", "shrank",
        "smaller", "sink", "sinks", "sinking", "sank", "dip", "dips", "dipping", "descend", "descends",
        "descending", "diminish", "diminishes", "diminishing", "lessens", "minimised", "minimized",
        "less and less", "constant decrease", "constant drop", "constant decline", "steady decrease", "steady drop",
        "steady decline", "stable decrease",
    },
    "increases": {
        "increases", "increase", "increasing", "increased", "up", "upward", "upwards", "uphill", "rise",
        "rises", "rising", "rose", "risen", "grow", "grows", "growing", "grew", "grown", "growth",
        "climb", "climbs", "climbing", "climbed", "higher", "raise", "raises", "raised", "bigger",
        "larger", "gain", "gains", "gaining", "maximised", "maximized", "more and more",
        "constant increase", "constant rise", "constant growth", "steady increase", "steady rise",
        "steady growth", "stable increase",
    },
    "stays the same": {
        "stays the same", "stay the same", "stayed the same", "staying the same", "remains the same",
        "remain the same", "remained the same", "same", "stays", "stay", "remains", "flat", "flattens",
        "flattens out", "flatlines", "constant", "unchanged", "unchanging", "stable", "static",
        "horizontal", "plateau", "plateaus", "plateaued", "plateauing", "levels off", "level off",
        "levelled off", "leveled off", "levelling off", "leveling off", "levels out", "stagnates",
        "stabilises", "stabilizes", "stabilise", "stabilize", "stabilised", "stabilized", "stabilising",
        "stabilizing", "saturates", "saturated",
        "stagnant", "stagnating", "no change", "not change", "not changing", "doesn't change",
        "don't change", "didn't change", "won't change", "isn't changing", "never changes",
        "hardly changes", "barely changes", "little change", "nothing changes",
        "neither increases nor decreases", "neither decreases nor increases", "neither up nor down",
    },
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
# Words that say the curve goes up and down. Alone they are not an answer; next to one clear trend
# ("decreases with some noise") they are ignored.
MIXED_WORDS = {
    "fluctuates", "fluctuate", "fluctuating", "fluctuation", "fluctuations", "oscillates", "oscillating",
    "noisy", "bumpy", "zigzag", "zig zag", "erratic", "erratically", "unstable", "bounces", "bouncing",
    "jumps around", "up and down", "down and up", "ups and downs", "varies", "random", "randomly",
}

# Yes and no, for every True/False question.
BOOL_SPELLINGS: dict[bool, set[str]] = {
    True: {"true", "yes", "yeah", "yea", "yep", "yup", "ya", "yah", "aye", "correct", "affirmative",
           "sure", "think so", "believe so", "guess so"},
    False: {"false", "no", "nope", "nah", "nay", "incorrect", "unlikely"},
}
# Whole answers that are yes or no only when they are the entire answer (a "0" inside a sentence is
# a number).
BOOL_WHOLE_ANSWERS: dict[str, bool] = {"1": True, "0": False, "1.0": True, "0.0": False,
                                      "y": True, "n": False, "t": True, "f": False}
# Words that say "yes" when nothing else is said ("Definitely."), and only strengthen otherwise.
INTENSIFIERS = {"definitely", "absolutely", "certainly", "surely", "clearly", "obviously", "totally",
                "indeed", "exactly", "of course"}
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
# For performs_well_on_new_data: a True word followed (within 5 words) by one of these is about the
# training data, not new data ("it does well on the training data"), and is not an answer.
TRAINING_WORDS = {"training", "train", "trained", "seen"}
# Clauses about the validation curve; a trend question reads them only when nothing else is said.
VALIDATION_WORDS = {"validation", "val", "valid", "validating", "test", "testing", "unseen", "new data",
                    "held out"}
# For True/False questions: a clause about the start ("similar at first, then they diverge") is not
# the answer when another clause says something.
EARLY_WORDS = {"at first", "initially", "in the beginning", "at the beginning", "at the start",
               "early on", "first few", "first epochs", "first epoch", "first couple",
               *(f"{start} {alike}" for start in ("start", "starts", "started", "start out", "start off", "begin",
                                                  "begins", "began")
                 for alike in ("similar", "similarly", "the same", "together", "close"))}

# Negations: they apply to the answer words after them in the same clause (up to 6 words). "no"
# negates only the word right after it ("no overfitting"); otherwise it is the answer "no".
NEGATIONS = {"not", "no", "never", "neither", "nor", "non", "cannot", "without", "don't", "doesn't",
             "didn't", "isn't", "aren't", "wasn't", "weren't", "won't", "wouldn't", "can't", "couldn't",
             "shouldn't", "hasn't", "haven't", "hadn't", "ain't", "mightn't", "mustn't", "needn't"}
NEGATION_WINDOW = 6
NO_NEGATES_THROUGH = {"real", "significant", "clear", "obvious", "sign", "signs", "of", "more", "further",
                      "big", "major", "noticeable", "visible", "evidence"}
# Words that may end a short answer ("it will not really", "I don't think so", "they do"): after a
# negation they make it a plain no; with a verb like "does" and nothing else, a plain yes.
ELLIPSIS_WORDS = {"it", "they", "that", "this", "there", "the model", "model", "i", "we", "you",
                  "really", "at all", "quite", "necessarily", "entirely", "completely", "much", "very",
                  "too", "though", "likely", "probably", "seem", "seems", "to", "look", "looks", "like",
                  "appear", "appears", "think", "believe", "guess", "be", "sadly", "unfortunately", "i'm",
                  "the", "curves", "lines", "them"}
AUXILIARIES = {"do", "does", "did", "is", "are", "was", "were", "will", "would", "can", "could", "has",
               "have", "should", "shall", "it's", "they're", "that's"}
# Hedges: an answer that is not sure is not an answer. "may", "might" and "could" followed by a
# negation are not hedges ("it may not perform well" says False, as the lesson itself puts it).
HEDGES = {"maybe", "perhaps", "possibly", "possible", "might", "may", "could", "could be", "unsure",
          "not sure", "not certain", "uncertain", "unclear", "not clear", "don't know", "do not know",
          "didn't know", "idk", "dunno", "no idea", "hard to say", "hard to tell", "difficult to say",
          "difficult to tell", "can't tell", "cannot tell", "can't say", "cannot say", "depends",
          "it depends", "partly", "partially", "sometimes", "not necessarily"}
HEDGES_UNLESS_NEGATED = {"might", "may", "could"}
# Clause boundaries besides punctuation: what one clause says does not negate or qualify the next.
CONTRAST_WORDS = {"but", "however", "although", "though", "while", "whereas", "whilst", "then", "and",
                  "or", "so", "therefore", "thus", "hence", "unlike", "except", "after", "before", "until",
                  "till", "afterwards", "later", "eventually", "instead", "rather", "meanwhile", "plus",
                  "also", "yet", "whereby"}
# A reason: what follows it is not the answer ("Yes, because validation accuracy levels off"). At the
# start of an answer it runs to the next punctuation ("Since they diverge, no").
REASON_WORDS = {"because", "since", "cause", "cuz", "coz", "bc", "due to", "given that", "seeing that",
                "as it", "as the", "as they", "as there", "as its", "as we", "as you", "as seen", "as shown",
                "as can", "as epochs", "as training", "as time", "as more", "as number", "as iterations"}
# Phrases that contain answer words but say nothing about the answer.
NEUTRAL_PHRASES = {"ends up", "end up", "ended up", "ending up", "speeds up", "slows down", "small gap",
                   "slight gap", "little gap", "tiny gap", "same time", "well known", "up to date",
                   "increasing epochs", "increasing number", "increasing the number", "more epochs",
                   "epochs increase", "epochs increases", "epoch increases", "epochs go up", "epochs grow",
                   "time increases", "time goes up", "time goes on", "training goes on",
                   "training progresses"}
# Said at the very end of a clause these mean "too", not an answer ("it overfits as well").
ALSO_PHRASES = {"as well"}
# A first word that is only a sound ("Well, no"), dropped when a comma or a yes/no follows it.
INTERJECTIONS = {"well", "so", "um", "uh", "uhm", "hmm", "hm", "ok", "okay", "oh", "ah", "honestly"}
# Symbols written as words before reading.
ANSWER_SYMBOLS = {
    "↓": "down", "⬇": "down", "↘": "down", "⇩": "down", "⇓": "down", "📉": "down", "🔽": "down",
    "🔻": "down", "↑": "up", "⬆": "up", "↗": "up", "⇧": "up", "⇑": "up", "📈": "up", "🔼": "up", "🔺": "up",
    "✓": "yes", "✔": "yes", "✅": "yes", "☑": "yes", "👍": "yes",
    "✗": "no", "✘": "no", "❌": "no", "❎": "no", "👎": "no", "🚫": "no",
    "🤷": "maybe", "🤔": "maybe", "&": "and",
}
# A trend written as numbers: "from 1.5 to 0.7" (words in between: "from about 1.5 to around 0.7").
RANGE_WORDS = ("from", "to")
APPROXIMATELY = {"about", "around", "roughly", "approximately", "approx", "circa", "nearly", "almost", "over",
                 "under", "just", "ca"}
FUZZY_MIN_LENGTH = 7  # words this long match one typo away (the typed word needs 6+ letters)
MAX_ANSWER_CHARS = 1000

ANSWER_CHOICES = {
    "trend": '"decreases", "increases" or "stays the same"',
    "bool": 'True or False (or "yes"/"no")',
}
# Why an answer could not be read; shown after the message "unrecognised".
ANSWER_REASONS = {
    "both": "it says both {first} and {second}",
    "negated": "it only says what does not happen ({text}), which is not one of the choices",
    "hedge": "it is not sure ({text}); choose one answer",
    "mixed": "it says the curve goes up and down ({text}), which is not one of the choices",
    "trend_for_bool": "it describes a trend ({text}), but this question is answered True or False",
    "bool_for_trend": "it is a yes/no answer ({text}), but this question asks what the curve does",
    "off_topic": "it is about the {other} ({text}), but this question asks about the {own}",
    "reason_only": "it gives a reason ({text} ...) but not the answer itself",
    "empty": "it is empty",
    "too_long": "it is longer than {limit} characters; answer in a word or a short sentence",
    "none": "`None` is no answer",
    "tuple": "it is a tuple, not one answer (a comma after the answer makes a tuple)",
    "container": "it is a {kind}, not one answer; write just the answer",
    "number": "it is a number",
    "number_for_bool": "only 1 and 0 can stand for True and False",
    "bool_for_trend_value": "`True`/`False` answer a yes/no question, but this question asks what the curve does",
    "other_type": "it is a {kind}",
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
    "unrecognised": (
        "`{name} = {given}` is not one of the accepted answers{reason}. Answer {choices}; a word or a "
        "short sentence is fine."
    ),
    "wrong": "`{name} = {given}` is not right{read}. {explanation}",
    "read_as": " (read as {answer})",
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

# --- what Keras and Python errors mean for a learner, and what to change -----------------------
# Read by `checks.explain_error`. A failed `compile` or `fit` is traced to its root cause from the
# facts first (the loss, the metrics, the arguments), then recognised by its message; an error
# nobody foresaw shows its type and the last meaningful line of its message.

# Every string identifier Keras 3.15 knows (keys of `keras.losses.get`, `keras.metrics.get`,
# `keras.optimizers.get`): a string outside these lists is a misspelling, and the closest name in
# them is suggested. Loss and metric names are case-sensitive; optimizer names are not.
# tests/test_keras_errors.py checks the lists against the installed Keras, both ways.
KERAS_LOSS_NAMES = frozenset({
    "BCE", "BinaryCrossentropy", "BinaryFocalCrossentropy", "CTC", "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy", "CategoricalHinge", "Circle", "CosineSimilarity", "Dice", "Hinge", "Huber",
    "KLD", "KLDivergence", "LogCosh", "Loss", "LossFunctionWrapper", "MAE", "MAPE", "MSE", "MSLE",
    "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredError", "MeanSquaredLogarithmicError",
    "Poisson", "SparseCategoricalCrossentropy", "SquaredHinge", "Tversky", "bce", "binary_crossentropy",
    "binary_focal_crossentropy", "categorical_crossentropy", "categorical_focal_crossentropy",
    "categorical_hinge", "circle", "cosine_similarity", "ctc", "dice", "hinge", "huber", "kl_divergence", "kld",
    "log_cosh", "mae", "mape", "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
    "mean_squared_logarithmic_error", "mse", "msle", "poisson", "sparse_categorical_crossentropy",
    "squared_hinge", "tversky",
})
KERAS_METRIC_NAMES = frozenset({
    "AUC", "Accuracy", "BCE", "BinaryAccuracy", "BinaryCrossentropy", "BinaryIoU", "CategoricalAccuracy",
    "CategoricalCrossentropy", "CategoricalHinge", "ConcordanceCorrelation", "CosineSimilarity", "F1Score",
    "FBetaScore", "FalseNegatives", "FalsePositives", "Hinge", "IoU", "KLDivergence", "LogCoshError", "MAE",
    "MAPE", "MSE", "MSLE", "Mean", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanIoU",
    "MeanMetricWrapper", "MeanSquaredError", "MeanSquaredLogarithmicError", "Metric", "OneHotIoU",
    "OneHotMeanIoU", "PearsonCorrelation", "Poisson", "Precision", "PrecisionAtRecall", "R2Score", "Recall",
    "RecallAtPrecision", "RootMeanSquaredError", "SensitivityAtSpecificity", "SparseCategoricalAccuracy",
    "SparseCategoricalCrossentropy", "SparseTopKCategoricalAccuracy", "SpecificityAtSensitivity",
    "SquaredHinge", "Sum", "TopKCategoricalAccuracy", "TrueNegatives", "TruePositives", "accuracy", "auc",
    "bce", "binary_accuracy", "binary_crossentropy", "binary_io_u", "categorical_accuracy",
    "categorical_crossentropy", "categorical_hinge", "concordance_correlation", "cosine_similarity", "f1_score",
    "f_beta_score", "false_negatives", "false_positives", "hinge", "io_u", "kl_divergence", "log_cosh_error",
    "mae", "mape", "mean", "mean_absolute_error", "mean_absolute_percentage_error", "mean_io_u",
    "mean_metric_wrapper", "mean_squared_error", "mean_squared_logarithmic_error", "metric", "mse", "msle",
    "one_hot_io_u", "one_hot_mean_io_u", "pearson_correlation", "poisson", "precision", "precision_at_recall",
    "r2_score", "recall", "recall_at_precision", "root_mean_squared_error", "sensitivity_at_specificity",
    "sparse_categorical_accuracy", "sparse_categorical_crossentropy", "sparse_top_k_categorical_accuracy",
    "specificity_at_sensitivity", "squared_hinge", "sum", "top_k_categorical_accuracy", "true_negatives",
    "true_positives",
})
KERAS_OPTIMIZER_NAMES = frozenset({
    "adadelta", "adafactor", "adagrad", "adam", "adamax", "adamw", "ftrl", "lion", "lossscaleoptimizer",
    "multioptimizer", "muon", "nadam", "optimizer", "optimizermap", "rmsprop", "schedulefreeadamw", "sgd",
})
# Strings `compile` itself resolves (any case) by looking at the labels: "accuracy" becomes the
# accuracy that fits them, "crossentropy" the cross-entropy.
KERAS_METRIC_SHORTCUTS = frozenset({"accuracy", "acc"})
KERAS_LOSS_SHORTCUTS = frozenset({"crossentropy", "ce"})
# Short names and the identifier they stand for (lower case).
KERAS_ACRONYMS = {"mse": "mean_squared_error", "mae": "mean_absolute_error", "mape": "mean_absolute_percentage_error",
                  "msle": "mean_squared_logarithmic_error", "kld": "kl_divergence", "bce": "binary_crossentropy",
                  "acc": "accuracy"}
# Known to Keras but base classes or needing arguments: never suggested for a misspelling.
KERAS_INTERNAL_NAMES = frozenset({"loss", "loss_function_wrapper", "metric", "mean_metric_wrapper", "optimizer",
                                  "optimizermap", "multioptimizer", "lossscaleoptimizer", "io_u", "mean_io_u",
                                  "one_hot_io_u", "one_hot_mean_io_u"})
# Keras' optimizer classes (`keras.optimizers.<name>`), for `Adam()` written without `keras.optimizers.`.
KERAS_OPTIMIZER_CLASSES = ("Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "Ftrl", "Lamb", "Lion",
                           "Muon", "Nadam", "RMSprop", "SGD")
# The keyword arguments of `Model.compile` and `Model.fit` (Keras 3.15), for misspelled keywords.
COMPILE_ARGUMENTS = ("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly",
                     "steps_per_execution", "jit_compile", "auto_scale_loss")
# The lesson's own arguments come first: a misspelling equally close to two names suggests those.
FIT_ARGUMENTS = ("x", "epochs", "validation_data", "y", "batch_size", "verbose", "callbacks", "validation_split",
                 "shuffle", "class_weight", "sample_weight", "initial_epoch", "steps_per_epoch", "validation_steps",
                 "validation_batch_size", "validation_freq")
# Names the lesson defines, for a misspelled name ("train_images" -> "train_ds").
LESSON_NAMES = ("train_ds", "val_ds", "model_intro", "history_intro", "history_intro_df", "fig", "axes", "keras",
                "pd", "plt", "sns", "load_datasets", "build_model_intro", "selfcheck", "figures")
# How close a misspelling must be to a name to suggest it (difflib's ratio, 0-1).
SUGGESTION_CUTOFF = 0.6

# Losses and metrics that need other labels than ours (one integer 0-9 per image): with our
# labels, `fit` fails on them (measured on Keras 3.15: "Incompatible shapes: [32] vs. [32,10]",
# "must have the same rank", ...). By canonical (snake_case) name.
LABEL_KINDS: dict[str, str] = {
    **dict.fromkeys(("mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
                     "mean_squared_logarithmic_error", "root_mean_squared_error", "huber", "log_cosh",
                     "log_cosh_error", "poisson", "cosine_similarity", "r2_score", "pearson_correlation",
                     "concordance_correlation"), "regression"),
    **dict.fromkeys(("categorical_crossentropy", "categorical_focal_crossentropy", "kl_divergence",
                     "categorical_hinge", "top_k_categorical_accuracy", "f1_score", "f_beta_score", "dice",
                     "tversky"), "one_hot"),
    **dict.fromkeys(("binary_crossentropy", "binary_focal_crossentropy", "binary_accuracy", "hinge",
                     "squared_hinge", "auc", "precision", "recall", "true_positives", "true_negatives",
                     "false_positives", "false_negatives", "binary_io_u"), "binary"),
}
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
    (r"^KeyError: .*not in index|^KeyError: \"None of",
     "that column is not in the DataFrame. Use the names of the history's keys, e.g. `'loss'` and `'val_loss'`."),
]
# Lines of an error message that carry no meaning for a learner (TensorFlow's graph errors).
ERROR_NOISE_LINES = (r"^Graph execution error:?$", r"^Detected at node ", r"^File \"", r"^Traceback \(most recent",
                     r"^\[\[", r"^\^+$", r"^During handling of", r"^The above exception")

LIMIT_MESSAGES = {
    "timeout": "the time limit of {timeout:g} s was reached",
    "memory": "the memory limit of {memory} was reached",
    "killed": "the process was killed by a signal (it ran out of memory, or the code killed itself)",
    "ended": "the submission's process ended early (os._exit() or a crash)",
    "worker_died": "the submission stopped the grader's worker process",
    "worker_error": "the grader could not run this submission",
    "no_facts": "the submission stopped before anything could be checked",
}

# --- what a Gradescope submission holds (autograder/gradescope.py); Markdown ----------------
SUBMISSION_MESSAGES = {
    "nothing": "Your submission holds no file. Upload the lesson's notebook (`.ipynb`) or script (`.py`) "
               "with your answers.",
    "no_code": "Your submission holds no notebook or script (found: {found}). Upload the lesson's notebook "
               "(`.ipynb`) or script (`.py`) with your answers.",
    "not_lesson": "{name} is not a submission of this lesson: none of its cells compiles or trains the model, "
                  "plots the history or answers the overfitting questions. Upload the lesson's notebook "
                  "(`.ipynb`) or script (`.py`) with your answers.",
    "none_usable": "None of the files in your submission could be graded: {problems}. Upload the lesson's "
                   "notebook (`.ipynb`) or script (`.py`) with your answers.",
    "graded": "Graded {name}.",
    "ignored": "Not graded: {files}.",
    "several": "Several files look like this lesson's submission ({names}); graded the newest, {name}. "
               "Submit only one file next time.",
    "same_time": "Several files look like this lesson's submission ({names}) and none is newer than the "
                 "others; graded {name}, the last by name. Submit only one file next time.",
    "internal": "The autograder failed on its side ({error}), so this submission was not graded. Your work "
                "is not at fault: please tell your instructor.",
}

# --- IPython magics and shell escapes: what grading does with them ------------------------------
# The one table of magic kinds, read by the static pass (autograder/source.py), the harness and
# the in-kernel self-check. IPython's own magics (`%lsmagic` of IPython 9 and ipykernel), and the
# common ones of Colab and of extensions shipped with the lesson's packages:
#   "python"  the cell's body (a line magic's statement) is Python: it runs once, in the notebook's
#             namespace (`%%timeit`/`%timeit` in a function of their own, as IPython does), untimed;
#   "quiet"   display or set-up: does nothing when graded;
#   "shell"   a shell command, another language or a file operation: not run, and the report says so.
# Any other magic is unknown: as in IPython without it, a cell under it does not run and a line of
# it raises UsageError; the report says so.
CELL_MAGICS: dict[str, str] = {
    **dict.fromkeys(("time", "timeit", "capture", "prun", "debug"), "python"),
    **dict.fromkeys(("html", "HTML", "svg", "SVG", "javascript", "js", "latex", "markdown", "code_wrap"), "quiet"),
    **dict.fromkeys(("bash", "sh", "script", "perl", "ruby", "pypy", "python", "python2", "python3", "writefile",
                     "file", "system", "sx", "!", "shell"), "shell"),
}
LINE_MAGICS: dict[str, str] = {
    **dict.fromkeys(("time", "timeit", "prun"), "python"),
    **dict.fromkeys((
        "matplotlib", "config", "load_ext", "reload_ext", "unload_ext", "autoreload", "aimport", "env", "set_env",
        "precision", "pylab", "xmode", "colors", "autosave", "automagic", "autocall", "autoawait", "doctest_mode",
        "pdb", "tb", "debug", "who", "whos", "who_ls", "lsmagic", "magic", "quickref", "history", "hist", "pinfo",
        "pinfo2", "pdef", "pdoc", "pfile", "psource", "psearch", "page", "pprint", "pwd", "load", "loadpy",
        "recall", "rerun", "rep", "macro", "alias_magic", "code_wrap", "gui", "qtconsole", "connect_info",
        "reset", "reset_selective", "xdel", "logstate", "dhist", "dirs", "alias", "unalias",
        "tensorflow_version", "tensorboard"), "quiet"),
    **dict.fromkeys((
        "system", "sx", "pip", "conda", "mamba", "micromamba", "uv", "cd", "run", "cat", "cp", "mv", "rm", "rmdir",
        "mkdir", "ls", "ll", "lf", "lk", "lx", "ldir", "man", "less", "more", "pycat", "clear", "cls", "pushd",
        "popd", "bookmark", "rehashx", "killbgscripts", "edit", "ed", "notebook", "save", "sc", "store",
        "logstart", "logon", "logoff", "logstop", "pastebin", "writefile"), "shell"),
}

# Notes: what the report says besides the checks (nothing the learner wrote goes unreported).
# {where} is a place such as "sub.ipynb, cell 7, line 2" or "sub.py, line 42".
NOTE_MESSAGES = {
    "shell": "{where}: `{code}` was not run: the grader runs no shell commands.",
    "shell_magic": "{where}: `{code}` was not run: the grader runs no shell commands and changes no files.",
    "shell_cell": "{where}: the `%%{name}` cell was not run: the grader runs no shell commands, other "
                  "languages or file writes.",
    "unknown_cell": "{where}: `%%{name}` is not a cell magic the grader knows, so this cell did not run (Jupyter "
                    "without it stops there too). If the cell is Python, remove that line.",
    "unknown_line": "{where}: `%{name}` is not a magic the grader knows, so this cell stopped there (Jupyter "
                    "without it stops there too). Remove that line.",
    "misplaced_cell_magic": "{where}: `%%{name}` works only on the first line of a cell, so this cell stopped "
                            "there. Move it to the top of the cell, or remove it.",
    "timeit_scope": "{where}: `{magic}` runs its code in a function of its own (as Jupyter does), so {names} "
                    "assigned there {is_are} not kept after the cell. To time it and keep the result, use "
                    "`{time}` instead.",
    "syntax": "{where}: syntax error: {message}. This cell did not run.",
    "blank": "{where}: a blank `_____` is not filled in: `{code}`.",
    "cell_error": "{where}: this cell raised an error: {explanation}",
    "limit": "The run ended early: {reason}{running}. {consequence}",
    "running": " while running {where}",
    "limit_after_checks": "Every check already had its result, so the score is complete; nothing after that "
                          "point ran.",
    "limit_before_checks": "The checks whose cells had not finished could not be checked.",
    "output_truncated": "The output limit of {size} was reached: what the code printed after that was dropped.",
    "submission_file": "{message}.",
    "heading": "Notes:",
}
