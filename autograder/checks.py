"""The judge: pure functions from plain facts to verdicts, one per check tag.

Inputs are plain data only (the static summary of the submission, the last facts snapshot of
its run, and how the run ended), so every check can be unit-tested without TensorFlow.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Callable

from . import rubric as R
from .source import place

PASSED, FAILED, NOT_ATTEMPTED, UNCHECKABLE = "passed", "failed", "not_attempted", "uncheckable"


@dataclass
class Result:
    """One check's verdict, in the shape every report uses."""

    tag: str
    title: str
    challenge: str
    status: str
    score: float
    max_score: float
    output: str
    answer: str | None = None  # what the learner gave, for class reports ("categorical_crossentropy")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Verdict:
    status: str
    output: str = ""
    answer: str | None = None


class Context:
    """Everything a check may look at, as plain data, with small helpers to read it."""

    def __init__(self, static: dict, run: dict | None, limits: dict | None = None) -> None:
        self.static = static
        self.run = run or {}
        self.limits = limits or {}
        snap = self.run.get("snapshot") or {}
        self.facts: dict = snap.get("facts") or {}
        self.cells: list[dict] = snap.get("cells") or []
        self._cell_lines = {c["index"]: c.get("first_line") for c in static.get("cells", [])}

    def where(self, cell_index: int, line: int | None) -> str:
        return place(self.static.get("name", "submission"), cell_index, self._cell_lines.get(cell_index), line)

    def problems(self, challenge: str, kind: str) -> list[dict]:
        return [p for p in self.static.get("problems", []) if p["challenge"] == challenge and p["kind"] == kind]

    def blank_places(self, challenge: str) -> str | None:
        """Where this challenge's blanks are, e.g. "lesson.py, lines 111, 112 and 113"."""
        places = list(dict.fromkeys(p["where"] for p in self.problems(challenge, "blank")))
        if not places:
            return None
        prefix = places[0].rsplit("line ", 1)[0]
        if len(places) == 1 or not all(p.startswith(prefix) and "line " in p for p in places):
            return "; ".join(places)
        numbers = [p.rsplit("line ", 1)[1] for p in places]
        return f"{prefix}lines {', '.join(numbers[:-1])} and {numbers[-1]}"

    def errors(self, challenge: str) -> list[str]:
        """Learner-facing explanations of the errors raised by this challenge's cells."""
        out = []
        for c in self.cells:
            if c.get("challenge") == challenge and c.get("status") == "error" and c.get("error"):
                out.append(f"{self.where(c['index'], c['error'].get('line'))}: {explain_error(c['error'])}")
        return out

    def stopped_before(self, challenge: str) -> str | None:
        """Why this challenge's cells did not all finish, or None when they did (or had nothing to run)."""
        outcome = self.run.get("outcome", "exited")
        if not self.run.get("snapshot"):
            return _limit_text(outcome if outcome != "exited" else "no_facts", self.limits)
        ran = {c["index"]: c["status"] for c in self.cells}
        mine = [c["index"] for c in self.static.get("cells", []) if c.get("challenge") == challenge]
        unfinished = [i for i in mine if ran.get(i) in (None, "running")]
        if not unfinished:
            return None
        running = [c for c in self.cells if c["status"] == "running"]
        reason = _limit_text(outcome if outcome != "exited" else "ended", self.limits)
        if running:
            return f"{reason} while running {self.where(running[-1]['index'], None)}, so this part never ran"
        return f"{reason}, so this part never ran"


def _limit_text(outcome: str, limits: dict) -> str:
    from .runner import human_size

    text = R.LIMIT_MESSAGES.get(outcome, R.LIMIT_MESSAGES["worker_error"])
    return text.format(timeout=limits.get("timeout", 0) or 0, memory=human_size(int(limits.get("memory", 0) or 0)))


def explain_error(error: dict) -> str:
    """Reduce a raised error to what a learner should know and change."""
    text = f"{error.get('type', 'Error')}: {error.get('message', '')}"
    for pattern, message in R.ERROR_EXPLANATIONS:
        m = re.search(pattern, text, re.S)
        if m:
            return message.format(**m.groupdict())
    first = (error.get("message") or "").strip().splitlines()
    return f"{error.get('type', 'Error')}: {first[0][:300] if first else ''}".rstrip(": ")


# --- generic gates ------------------------------------------------------------------------------

def _gate(ctx: Context, challenge: str) -> Verdict | None:
    """Verdicts that do not depend on the check itself: syntax errors, runs that stopped."""
    syntax = ctx.problems(challenge, "syntax")
    if syntax:
        p = syntax[0]
        return Verdict(FAILED, f"Syntax error at {p['where']}: {p['message']}. Fix it so the cell can run.")
    stopped = ctx.stopped_before(challenge)
    if stopped:
        return Verdict(FAILED, f"Not checked: {stopped}.")
    return None


def _not_attempted(ctx: Context, challenge: str, what: str = "") -> Verdict:
    places = ctx.blank_places(challenge)
    where = f" at {places}" if places else ""
    title = R.CHALLENGES[challenge].title
    return Verdict(NOT_ATTEMPTED, f"Not attempted yet: fill in the blanks `_____` of the challenge "
                                  f"\"{title}\"{where}{what}.")


def _no_result(ctx: Context, challenge: str, fallback: str) -> Verdict:
    """A fact is missing: blanks explain it first, then errors, then the fallback message."""
    if ctx.blank_places(challenge):
        return _not_attempted(ctx, challenge)
    errors = ctx.errors(challenge)
    if errors:
        return Verdict(FAILED, "The cell raised an error. " + " ".join(errors))
    return Verdict(FAILED, fallback)


def _compile_part(ctx: Context, part: str) -> tuple[dict | None, Verdict | None]:
    facts = ctx.facts.get("compile") or {}
    if "uncheckable" in facts:
        return None, Verdict(UNCHECKABLE, f"The compiled model could not be inspected ({facts['uncheckable']}).")
    if facts.get("model") == "missing":
        return None, _no_result(ctx, "compile", "`model_intro` is not defined: run the setup cells first.")
    if facts.get("model") == "not_model":
        return None, Verdict(FAILED, "`model_intro` is no longer a Keras model; do not reassign it.")
    if part not in facts:
        return None, _no_result(ctx, "compile", "`model_intro.compile(...)` was never called.")
    value = facts[part]
    if value.get("given_as") == "blank":
        return None, _not_attempted(ctx, "compile", f" (the `{part}` argument)")
    return value, None


# --- compile ------------------------------------------------------------------------------------

def check_optimizer(ctx: Context) -> Verdict:
    opt, early = _compile_part(ctx, "optimizer")
    if early:
        return early
    given = _render_optimizer(opt)
    if opt.get("given_as") == "missing":
        return Verdict(FAILED, R.OPTIMIZER_MESSAGES["missing"], given)
    if opt.get("given_as") == "class":
        return Verdict(FAILED, R.OPTIMIZER_MESSAGES["class_not_instance"].format(given=given), given)
    if not opt.get("is_adam"):
        return Verdict(FAILED, R.OPTIMIZER_MESSAGES["other"].format(given=given), given)
    lr = opt.get("learning_rate")
    low, high = R.LEARNING_RATE_RANGE
    if lr is not None and lr < low:
        return Verdict(FAILED, R.OPTIMIZER_MESSAGES["lr_too_small"].format(lr=lr), given)
    if lr is not None and lr > high:
        return Verdict(FAILED, R.OPTIMIZER_MESSAGES["lr_too_large"].format(lr=lr), given)
    return Verdict(PASSED, "", given)


def _render_optimizer(opt: dict) -> str:
    if opt.get("given_as") == "str":
        return repr(opt.get("value"))
    name = opt.get("name") or opt.get("repr") or "?"
    if opt.get("given_as") == "class":
        return f"the class {name}"
    lr = opt.get("learning_rate")
    return f"keras.optimizers.{name}(learning_rate={lr:g})" if isinstance(lr, float) else str(name)


def check_loss(ctx: Context) -> Verdict:
    loss, early = _compile_part(ctx, "loss")
    if early:
        return early
    if loss.get("given_as") == "missing":
        return Verdict(FAILED, R.LOSS_MESSAGES["missing"], "none")
    name = str(loss.get("name") or loss.get("repr") or "?")
    canonical = R.LOSS_ALIASES.get(name.lower(), name.lower())
    if canonical in R.LOSS_ACCEPTED:
        softmax = (ctx.facts.get("compile") or {}).get("output_activation") == "softmax"
        if loss.get("from_logits") and softmax:
            return Verdict(FAILED, R.LOSS_MESSAGES["from_logits_mismatch_true"], f"{canonical}(from_logits=True)")
        if loss.get("from_logits") is False and not softmax:
            return Verdict(FAILED, R.LOSS_MESSAGES["from_logits_mismatch_false"], canonical)
        if loss.get("given_as") == "class":
            return Verdict(FAILED, "You passed the loss class itself; add parentheses to make an object: "
                                   "`keras.losses.SparseCategoricalCrossentropy()`.", f"the class {name}")
        return Verdict(PASSED, "", canonical)
    message = R.LOSS_MESSAGES.get(canonical, R.LOSS_MESSAGES["other"]).format(given=name)
    return Verdict(FAILED, message, canonical)


def check_metrics(ctx: Context) -> Verdict:
    metrics, early = _compile_part(ctx, "metrics")
    if early:
        return early
    kind = metrics.get("given_as")
    given = _render_metrics(metrics)
    if kind == "missing":
        return Verdict(FAILED, R.METRICS_MESSAGES["missing"], "none")
    if kind not in ("list", "tuple", "dict"):
        return Verdict(FAILED, R.METRICS_MESSAGES["not_a_list"].format(given=given), given)
    items = metrics.get("items") or []
    if any(i.get("given_as") == "blank" for i in items):
        return _not_attempted(ctx, "compile", " (the `metrics` argument)")
    for item in items:
        name = str(item.get("name", "")).lower()
        if name in R.METRIC_ACCEPTED and not (name == "accuracy" and item.get("given_as") in ("instance", "class")):
            return Verdict(PASSED, "", given)
    names = {str(i.get("name", "")).lower(): i.get("given_as") for i in items}
    if names.get("accuracy") in ("instance", "class"):
        return Verdict(FAILED, R.METRICS_MESSAGES["plain_accuracy_class"], given)
    if "categorical_accuracy" in names:
        return Verdict(FAILED, R.METRICS_MESSAGES["categorical_accuracy"], given)
    return Verdict(FAILED, R.METRICS_MESSAGES["no_accuracy"].format(given=given), given)


def _render_metrics(metrics: dict) -> str:
    if metrics.get("given_as") == "str":
        return repr(metrics.get("value"))
    names = [repr(i["name"]) if i.get("given_as") == "str" else f"{i.get('name')}()" for i in metrics.get("items", [])]
    return "[" + ", ".join(names) + "]"


# --- fit ----------------------------------------------------------------------------------------

_ACCURACY_KEYS = ("accuracy", "acc", "sparse_categorical_accuracy")


def _history(ctx: Context) -> tuple[dict | None, Verdict | None]:
    fit = ctx.facts.get("fit") or {}
    if "uncheckable" in fit:
        return None, Verdict(UNCHECKABLE, f"The training history could not be inspected ({fit['uncheckable']}).")
    history = fit.get("history") or {"defined": False}
    last = fit.get("last_call") or {}
    if not history.get("defined"):
        if last.get("error"):
            return None, Verdict(FAILED, "`model_intro.fit(...)` raised an error: " + explain_error(last["error"]),
                                 f"fit raised {last['error'].get('type', 'an error')}")
        if last and not ctx.blank_places("fit"):
            return None, Verdict(FAILED, R.FIT_MESSAGES["no_history_var"])
        return None, _no_result(ctx, "fit", R.FIT_MESSAGES["no_history_var"])
    if not history.get("is_history"):
        desc = history.get("desc", {})
        if desc.get("given_as") == "blank":
            return None, _not_attempted(ctx, "fit")
        return None, Verdict(FAILED, R.FIT_MESSAGES["not_history"].format(given=_render_value(desc)))
    if history.get("from_fit_of") != "model_intro":
        return None, Verdict(FAILED, R.FIT_MESSAGES["not_this_fit"])
    return history, None


def accuracy_key(keys: list[str]) -> str | None:
    return next((k for k in _ACCURACY_KEYS if k in keys), None)


def check_history_keys(ctx: Context) -> Verdict:
    history, early = _history(ctx)
    if early:
        return early
    keys = history.get("keys", [])
    acc = accuracy_key(keys)
    expected = ["loss", "val_loss", acc or "accuracy", f"val_{acc or 'accuracy'}"]
    missing = [k for k in expected if k not in keys]
    if missing:
        msg = R.FIT_MESSAGES["missing_keys"].format(keys=keys, expected=expected)
        if any(k.startswith("val_") for k in missing):
            msg += " " + R.FIT_MESSAGES["no_validation"]
        if acc is None:
            msg += " Without an accuracy metric in `compile`, there is no accuracy to record."
        return Verdict(FAILED, msg, ", ".join(sorted(keys)))
    return Verdict(PASSED, "", ", ".join(sorted(keys)))


def check_epochs(ctx: Context) -> Verdict:
    fit = ctx.facts.get("fit") or {}
    epochs_arg = (fit.get("last_call") or {}).get("epochs") or {}
    if epochs_arg.get("given_as") == "blank":
        return _not_attempted(ctx, "fit", " (the `epochs` argument)")
    history, early = _history(ctx)
    if early:
        return early
    run = history.get("epochs_run") or history.get("epochs_param")
    if run != R.EXPECTED_EPOCHS:
        return Verdict(FAILED, R.FIT_MESSAGES["epochs"].format(epochs=run), str(run))
    return Verdict(PASSED, "", str(run))


def check_validation(ctx: Context) -> Verdict:
    fit = ctx.facts.get("fit") or {}
    last = fit.get("last_call")
    if last is None:
        history, early = _history(ctx)
        if early:
            return early
        if "val_loss" in history.get("keys", []):
            return Verdict(PASSED, "", "validation")
        return Verdict(FAILED, R.FIT_MESSAGES["no_validation"], "none")
    if last.get("error") and not (fit.get("history") or {}).get("defined"):
        return Verdict(FAILED, "`model_intro.fit(...)` raised an error: " + explain_error(last["error"]),
                       f"fit raised {last['error'].get('type', 'an error')}")
    if last.get("x") == "blank" or last.get("validation_data") == "blank":
        return _not_attempted(ctx, "fit", " (the `x` or `validation_data` argument)")
    val = last.get("validation_data")
    if last.get("x") == "val_ds" and val == "train_ds":
        return Verdict(FAILED, R.FIT_MESSAGES["train_is_val"], "x=val_ds, validation_data=train_ds")
    if val is None:
        return Verdict(FAILED, R.FIT_MESSAGES["no_validation"], "none")
    if val == "train_ds":
        return Verdict(FAILED, R.FIT_MESSAGES["validation_is_train"], "train_ds")
    if last.get("x") == "val_ds":
        return Verdict(FAILED, R.FIT_MESSAGES["train_is_val"], "x=val_ds")
    if val != "val_ds":
        return Verdict(FAILED, "`validation_data` should be `val_ds`, the validation dataset made in the setup.", str(val))
    return Verdict(PASSED, "", "val_ds")


# --- plot ---------------------------------------------------------------------------------------

def _close(a: list, b: list) -> bool:
    return len(a) == len(b) and all(x is not None and y is not None and abs(x - y) <= 1e-6 * max(1.0, abs(y))
                                    for x, y in zip(a, b))


def check_history_df(ctx: Context) -> Verdict:
    plot = ctx.facts.get("plot") or {}
    if "uncheckable" in plot:
        return Verdict(UNCHECKABLE, f"The DataFrame could not be inspected ({plot['uncheckable']}).")
    df = plot.get("df") or {"defined": False}
    if not df.get("defined"):
        return _no_result(ctx, "plot", R.PLOT_MESSAGES["no_df"])
    if not df.get("is_df"):
        if (df.get("desc") or {}).get("given_as") == "blank":
            return _not_attempted(ctx, "plot")
        return Verdict(FAILED, R.PLOT_MESSAGES["not_df"].format(given=_render_value(df.get("desc", {}))))
    history, early = _history(ctx)
    if early:
        return Verdict(FAILED, "Needs a working `history_intro` first. " + early.output)
    values = history.get("values", {})
    columns = df.get("columns", [])
    if set(columns) != set(values) or not all(_close(df["values"].get(k, []), v) for k, v in values.items()):
        return Verdict(FAILED, R.PLOT_MESSAGES["wrong_df"].format(columns=columns), ", ".join(columns))
    return Verdict(PASSED, "", ", ".join(columns))


def _panel_names(axis: dict, history_values: dict) -> set[str]:
    """What a panel shows: legend labels, else line labels, else columns whose values the lines trace."""
    names = {t for t in axis.get("legend", []) if t}
    if not names:
        names = {l["label"] for l in axis.get("lines", []) if l.get("label") and not l["label"].startswith("_")}
    for line in axis.get("lines", []):
        for key, values in history_values.items():
            if _close(line.get("y", []), values):
                names.add(key)
    return names


def check_figure(ctx: Context) -> Verdict:
    plot = ctx.facts.get("plot") or {}
    if "uncheckable" in plot:
        return Verdict(UNCHECKABLE, f"The figure could not be inspected ({plot['uncheckable']}).")
    fig = plot.get("figure") or {"found": False}
    if not fig.get("found") or not any(a.get("lines") for a in fig.get("axes", [])):
        return _no_result(ctx, "plot", R.PLOT_MESSAGES["no_figure"])
    history, early = _history(ctx)
    if early:  # the figure must show the History of fit, so that has to exist first
        return Verdict(FAILED, "Needs a working `history_intro` first. " + early.output)
    axes = fig.get("axes", [])
    if len(axes) != 2:
        return Verdict(FAILED, R.PLOT_MESSAGES["panels"].format(n=len(axes)), f"{len(axes)} panels")
    values = history.get("values", {})
    acc = accuracy_key(list(values)) or "accuracy"
    left, right = (_panel_names(a, values) for a in axes)
    problems = []
    if not {"loss", "val_loss"} <= left:
        problems.append(R.PLOT_MESSAGES["left"].format(lines=sorted(left) or "no lines"))
    if not {acc, f"val_{acc}"} <= right:
        problems.append(R.PLOT_MESSAGES["right"].format(lines=sorted(right) or "no lines"))
    answer = f"left={sorted(left)}, right={sorted(right)}"
    if problems:
        if ctx.blank_places("plot"):
            return _not_attempted(ctx, "plot")
        return Verdict(FAILED, " ".join(problems), answer)
    return Verdict(PASSED, "", answer)


# --- overfitting answers ------------------------------------------------------------------------

@lru_cache(maxsize=1)
def expected_answers() -> dict:
    from .reference import expected_answers as derive, load_reference_history

    return derive(load_reference_history())


def normalise_answer(name: str, fact: dict):
    """The canonical answer for a described value, or None when it is not an accepted spelling."""
    value = fact.get("value")
    if name.endswith("_trend"):
        if not isinstance(value, str):
            return None
        text = " ".join(value.lower().strip().strip(".!").replace("_", " ").split())
        return next((k for k, spellings in R.TREND_SPELLINGS.items() if text in spellings), None)
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.lower().strip().strip(".!")
        return next((k for k, spellings in R.BOOL_SPELLINGS.items() if text in spellings), None)
    return None


def _render_value(fact: dict) -> str:
    if "value" in fact:
        return repr(fact["value"])
    return fact.get("repr") or f"a {fact.get('given_as', 'value')}"


def _answer_check(name: str) -> Callable[[Context], Verdict]:
    def check(ctx: Context) -> Verdict:
        answers = ctx.facts.get("answers") or {}
        if "uncheckable" in answers:
            return Verdict(UNCHECKABLE, f"The answers could not be read ({answers['uncheckable']}).")
        question = R.ANSWER_QUESTIONS[name]
        fact = answers.get(name) or {"defined": False}
        if not fact.get("defined"):
            if ctx.blank_places("overfitting") or not ctx.errors("overfitting"):
                return Verdict(NOT_ATTEMPTED, R.ANSWER_MESSAGES["missing"].format(name=name, question=question))
            return _no_result(ctx, "overfitting", "")
        if fact.get("given_as") == "blank":
            places = [p["where"] for p in ctx.problems("overfitting", "blank") if p.get("code", "").startswith(name)]
            where = f" ({places[0]})" if places else ""
            return Verdict(NOT_ATTEMPTED, R.ANSWER_MESSAGES["blank"].format(name=name, question=question, where=where))
        given = _render_value(fact)
        answer = normalise_answer(name, fact)
        if answer is None:
            choices = ", ".join(f'"{k}"' for k in R.TREND_SPELLINGS) if name.endswith("_trend") else 'True or False ("yes"/"no")'
            return Verdict(FAILED, R.ANSWER_MESSAGES["unrecognised"].format(name=name, given=given, choices=choices), given)
        if answer != expected_answers()[name]:
            return Verdict(FAILED, R.ANSWER_MESSAGES["wrong"].format(name=name, given=given,
                                                                     explanation=R.ANSWER_EXPLANATIONS[name]), str(answer))
        return Verdict(PASSED, "", str(answer))

    return check


CHECK_FUNCTIONS: dict[str, Callable[[Context], Verdict]] = {
    "compile.optimizer": check_optimizer,
    "compile.loss": check_loss,
    "compile.metrics": check_metrics,
    "fit.history_keys": check_history_keys,
    "fit.epochs": check_epochs,
    "fit.validation": check_validation,
    "plot.history_df": check_history_df,
    "plot.figure": check_figure,
    **{f"overfitting.{n}": _answer_check(n) for n in R.ANSWER_QUESTIONS},
}
assert set(CHECK_FUNCTIONS) == set(R.CHECKS), "every check in the table needs a function"


def evaluate(static: dict, run: dict | None, limits: dict | None = None,
             points: dict[str, float] | None = None, tags: list[str] | None = None) -> list[Result]:
    """Judge a run: one Result per check tag (all tags, or ``tags``), in table order."""
    ctx = Context(static, run, limits)
    points = points or {t: c.points for t, c in R.CHECKS.items()}
    results = []
    for tag, check in R.CHECKS.items():
        if tags is not None and tag not in tags:
            continue
        verdict = _gate(ctx, check.challenge)
        if verdict is None:
            try:
                verdict = CHECK_FUNCTIONS[tag](ctx)
            except Exception as exc:  # a bug of ours must not hide the other results
                verdict = Verdict(UNCHECKABLE, f"The grader could not check this ({type(exc).__name__}: {exc}).")
        score = points[tag] if verdict.status == PASSED else 0.0
        results.append(Result(tag, check.title, check.challenge, verdict.status, score, points[tag],
                              verdict.output, verdict.answer))
    return results
