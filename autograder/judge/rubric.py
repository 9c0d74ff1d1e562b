"""The engine's own table: what every exercise shares.

Generic learner-facing words (gates, the self-check, limits, notes, magics, what a submission
holds), how answers written as words or sentences are read, and Keras' own names. What one
exercise grades (its challenges, checks, points, accepted answers and misconception messages)
is in its folder's ``table.py`` (``autograder/exercises/<name>/table.py``). Instructors can
change points with an override file (see ``load_points``).
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


# What the checks say when a cell could not run or a run stopped (any challenge).
GATE_MESSAGES = {
    "syntax": "Syntax error at {where}: {message}. Fix it so the cell can run.",
    "stopped": "Not checked: {reason}.",
    "cell_error": "The cell raised an error. {errors}",
    "not_attempted": "Not attempted yet: fill in the blanks `_____` of the challenge \"{title}\"{where}{what}.",
    "grader_error": "The grader could not check this ({error}).",
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
ANSWER_MESSAGES = {
    "missing": "`{name}` is not defined. Answer: {question}",
    "blank": "`{name}` is still the blank `_____`{where}. Answer: {question}",
    "unrecognised": (
        "`{name} = {given}` is not one of the accepted answers{reason}. Answer {choices}; a word or a "
        "short sentence is fine."
    ),
    "wrong": "`{name} = {given}` is not right{read}. {explanation}",
    "read_as": " (read as {answer})",
    "uncheckable": "The answers could not be read ({reason}).",
}


def load_points(checks: dict[str, Check], path: str | Path | None) -> dict[str, float]:
    """Points per tag: the table's defaults, overridden by a JSON file ``{"tag": points}``.

    Raises ValueError naming the file and the bad entry.
    """
    points = {tag: c.points for tag, c in checks.items()}
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
# Keras' layer classes a CNN lesson's learner may write (`keras.layers.<name>`), for a misspelling such
# as `keras.layers.dropout`.
KERAS_LAYER_CLASSES = ("Input", "InputLayer", "Conv2D", "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D",
                       "GlobalMaxPooling2D", "Flatten", "Dense", "Dropout", "SpatialDropout2D", "GaussianDropout",
                       "BatchNormalization", "Activation", "ReLU", "Softmax", "Rescaling", "Normalization", "Reshape",
                       "RandomFlip", "RandomRotation", "Concatenate", "Add")
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

# --- what a Gradescope submission holds (autograder/integrations/gradescope.py); Markdown ----------------
SUBMISSION_MESSAGES = {
    "nothing": "Your submission holds no file. Upload the lesson's notebook (`.ipynb`) or script (`.py`) "
               "with your answers.",
    "no_code": "Your submission holds no notebook or script (found: {found}). Upload the lesson's notebook "
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
# The one table of magic kinds, read by the static pass (autograder/read/source.py), the harness and
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
