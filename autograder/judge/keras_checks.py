"""Generic checks of a Keras training exercise: compile, fit, plot and the answers, over plain facts.

An exercise maps its check tags to these functions (its ``checks.py``). Each reads, from the
exercise's table (``ctx.table``), the names it grades (``NAMES``), the values it accepts and the
messages it says, and from the check being judged (``ctx.check``) the challenge it belongs to; it
names no exercise. Nothing here imports TensorFlow.
"""
from __future__ import annotations

import functools
import re
from typing import Callable

from autograder.judge.checks import (FAILED, NOT_ATTEMPTED, PASSED, UNCHECKABLE, Context, Verdict, _closest, _given_name,
                                     accuracy_key, metrics_as_loss_weights,
                     _metric_canonical, _no_result, _not_attempted, _render_optimizer, _render_value,
                     explain_error, keras_name, read_answer, unknown_name)
from autograder.facts.schema import AnswerFacts, CompileFacts, FitFacts, PlotFacts
from autograder.judge import rubric as R


def _name(ctx: Context, role: str) -> str:
    """The exercise's variable for a role ("model", "history", "train", ...), from its table's ``NAMES``."""
    return ctx.table.NAMES[role]


def _compile_part(ctx: Context, part: str) -> tuple[dict | None, Verdict | None]:
    messages, challenge = ctx.table.COMPILE_MESSAGES, ctx.check.challenge
    facts: CompileFacts = ctx.facts.get("compile") or {}
    if "uncheckable" in facts:
        return None, Verdict(UNCHECKABLE, messages["uncheckable"].format(reason=facts["uncheckable"]))
    if facts.get("model") == "missing":
        return None, _no_result(ctx, challenge, messages["no_model"])
    if facts.get("model") == "not_model":
        none = (facts.get("model_desc") or {}).get("given_as") == "NoneType"  # `model = model.compile(...)`
        return None, Verdict(FAILED, messages["none_model" if none else "not_model"])
    if part not in facts:
        return None, _no_result(ctx, challenge, messages["never_called"])
    value = facts[part]
    if value.get("given_as") == "blank":
        return None, _not_attempted(ctx, challenge, f" (the `{part}` argument)")
    error = facts.get("error")
    if error and _compile_blames(error, facts) == part:
        return None, Verdict(FAILED, _raised(ctx, "compile_raised", error), _render_part(part, value))
    return value, None


def _raised(ctx: Context, template: str, error: dict) -> str:
    """"`<model>.fit(...)` raised an error at <place>: <what to change>"."""
    where = ctx.error_where(error)
    return ctx.table.KERAS_ERROR_MESSAGES[template].format(where=f" at {where}" if where else "",
                                                   explanation=explain_error(error, ctx))


def _compile_blames(error: dict, facts: dict) -> str | None:
    """Which argument of `compile` (optimizer, loss, metrics) its error is about, if one is."""
    text = f"{error.get('type')}: {error.get('message') or ''}"
    m = re.search(r"Could not interpret (?P<kind>optimizer|loss|metric) identifier", text)
    if m:
        return {"metric": "metrics"}.get(m["kind"], m["kind"])
    if re.search(r"Expected `metrics` argument to be a list", text):
        return "metrics"
    m = re.search(r"compile\(\) got an unexpected keyword argument '(?P<keyword>\w+)'", text)
    part = _closest(m["keyword"], ("optimizer", "loss", "metrics")) if m else None
    if part and (facts.get(part) or {}).get("given_as") == "missing":
        return part  # `metric=[...]`: the metrics were given, under a misspelled name
    return None


def _render_part(part: str, value: dict) -> str:
    if value.get("given_as") == "missing":
        return "none"
    if part == "optimizer":
        return _render_optimizer(value)
    if part == "metrics":
        return _render_metrics(value)
    return _given_name(value)


def _noticed_at_fit(ctx: Context, kind: str) -> str:
    """Where `fit` raised "Could not interpret <kind> identifier" (Keras checks loss and metric names then)."""
    error = (((ctx.facts.get("fit") or {}).get("last_call") or {}).get("error")) or {}
    if not re.search(rf"Could not interpret {kind} identifier", str(error.get("message", ""))):
        return ""
    where = ctx.error_where(error)
    return ctx.table.KERAS_ERROR_MESSAGES["noticed_at_fit"].format(where=f" at {where}" if where else "")


# --- compile ------------------------------------------------------------------------------------

def _late_compile_noted(check: Callable[[Context], Verdict]) -> Callable[[Context], Verdict]:
    """A failed compile check also says so when the compile it judged is a later cell's: one that ran
    after ``fit`` had trained the model (a scratch cell trying another setting), which the learner
    would otherwise not connect with the lesson's compile cell they got right."""
    @functools.wraps(check)
    def noted(ctx: Context) -> Verdict:
        verdict = check(ctx)
        late = (ctx.facts.get("compile") or {}).get("late")
        cells = {c.get("index") for c in ctx.static.get("cells", [])}
        if verdict.status != FAILED or not isinstance(late, dict) or late.get("cell") not in cells:
            return verdict  # (a cell index the submission does not have: code compiled under a cell's name)
        fit_cell = late.get("fit_cell") if late.get("fit_cell") in cells else None
        note = ctx.table.COMPILE_MESSAGES["late"].format(
            where=ctx.where(late["cell"], late.get("line")),
            fit_where=f" at {ctx.where(fit_cell, late.get('fit_line'))}" if fit_cell is not None else "")
        return Verdict(verdict.status, f"{verdict.output} {note}".strip(), verdict.answer)

    return noted


@_late_compile_noted
def check_optimizer(ctx: Context) -> Verdict:
    """The optimizer is one the table accepts (``OPTIMIZER_ACCEPTED``), as an object, with a sensible learning rate."""
    messages = ctx.table.OPTIMIZER_MESSAGES
    opt, early = _compile_part(ctx, "optimizer")
    if early:
        return early
    if opt.get("given_as") == "missing":  # Keras then uses its default (RMSprop), which nobody chose
        return Verdict(FAILED, messages["missing"], "none")
    given = _render_optimizer(opt)
    if opt.get("given_as") == "class":
        return Verdict(FAILED, messages["class_not_instance"].format(given=given), given)
    # The facts say which optimizer family an object belongs to (`is_adam`: Adam or a subclass of it).
    if not any(opt.get(f"is_{name}") for name in ctx.table.OPTIMIZER_ACCEPTED):
        return Verdict(FAILED, messages["other"].format(given=given), given)
    lr = opt.get("learning_rate")
    low, high = ctx.table.LEARNING_RATE_RANGE
    if lr is not None and lr < low:
        return Verdict(FAILED, messages["lr_too_small"].format(lr=lr), given)
    if lr is not None and lr > high:
        return Verdict(FAILED, messages["lr_too_large"].format(lr=lr), given)
    return Verdict(PASSED, "", given)


@_late_compile_noted
def check_loss(ctx: Context) -> Verdict:
    """The loss is one the table accepts (``LOSS_ACCEPTED``), matching the model's output (softmax or logits)."""
    table = ctx.table
    loss, early = _compile_part(ctx, "loss")
    if early:
        return early
    if loss.get("given_as") == "missing":
        return Verdict(FAILED, table.LOSS_MESSAGES["missing"], "none")
    name = str(loss.get("name") or loss.get("repr") or "?")
    canonical = table.LOSS_ALIASES.get(name.lower(), name.lower())
    if loss.get("given_as") == "str":
        known, canonical = keras_name(str(loss.get("value", name)), "loss")
        if not known:
            return Verdict(FAILED, unknown_name("loss", str(loss.get("value", name)), table) + _noticed_at_fit(ctx, "loss"),
                           name)
    if canonical in table.LOSS_ACCEPTED:
        softmax = (ctx.facts.get("compile") or {}).get("output_activation") == "softmax"
        if loss.get("from_logits") and softmax:
            return Verdict(FAILED, table.LOSS_MESSAGES["from_logits_mismatch_true"], f"{canonical}(from_logits=True)")
        if loss.get("from_logits") is False and not softmax:
            return Verdict(FAILED, table.LOSS_MESSAGES["from_logits_mismatch_false"], canonical)
        if loss.get("given_as") == "class":
            return Verdict(FAILED, table.LOSS_MESSAGES["class_not_instance"], f"the class {name}")
        return Verdict(PASSED, "", canonical)
    kind = R.LABEL_KINDS.get(canonical)
    message = table.LOSS_MESSAGES.get(canonical) or (table.LABEL_KIND_MESSAGES["loss"][kind] if kind
                                                     else table.LOSS_MESSAGES["other"])
    return Verdict(FAILED, message.format(given=name), canonical)


@_late_compile_noted
def check_metrics(ctx: Context) -> Verdict:
    """The metrics are a list holding one the table accepts (``METRIC_ACCEPTED``), and none that needs other labels."""
    table = ctx.table
    metrics, early = _compile_part(ctx, "metrics")
    if early:
        return early
    kind = metrics.get("given_as")
    given = _render_metrics(metrics)
    if kind == "missing":
        misplaced = metrics_as_loss_weights(ctx.facts.get("compile") or {})
        if misplaced:
            return Verdict(FAILED, table.METRICS_MESSAGES["as_loss_weights"].format(given=misplaced), "loss_weights")
        return Verdict(FAILED, table.METRICS_MESSAGES["missing"], "none")
    if kind not in ("list", "tuple", "dict"):
        return Verdict(FAILED, table.METRICS_MESSAGES["not_a_list"].format(given=given), given)
    items = metrics.get("items") or []
    if any(i.get("given_as") == "blank" for i in items):
        return _not_attempted(ctx, ctx.check.challenge, " (the `metrics` argument)")
    for item in items:
        if item.get("given_as") == "str" and not keras_name(str(item.get("name", "")), "metric")[0]:
            return Verdict(FAILED, unknown_name("metric", str(item.get("name", "")), table)
                           + _noticed_at_fit(ctx, "metric"),
                           given)
    for item in items:  # a metric that cannot work with integer labels makes `fit` fail, accuracy or not
        kind = R.LABEL_KINDS.get(_metric_canonical(item))
        if kind:
            return Verdict(FAILED, table.LABEL_KIND_MESSAGES["metric"][kind].format(given=_given_name(item)), given)
    for item in items:
        name = _metric_canonical(item) if item.get("given_as") == "str" else str(item.get("name", "")).lower()
        if name in table.METRIC_ACCEPTED and not (name == "accuracy" and item.get("given_as") in ("instance", "class")):
            return Verdict(PASSED, "", given)
    names = {str(i.get("name", "")).lower(): i.get("given_as") for i in items}
    if names.get("accuracy") in ("instance", "class"):
        return Verdict(FAILED, table.METRICS_MESSAGES["plain_accuracy_class"], given)
    if "categorical_accuracy" in names:
        return Verdict(FAILED, table.METRICS_MESSAGES["categorical_accuracy"], given)
    return Verdict(FAILED, table.METRICS_MESSAGES["no_accuracy"].format(given=given), given)


def _render_metrics(metrics: dict) -> str:
    if metrics.get("given_as") == "str":
        return repr(metrics.get("value"))
    names = [repr(i["name"]) if i.get("given_as") == "str" else f"{i.get('name')}()" for i in metrics.get("items", [])]
    if metrics.get("given_as") not in ("list", "tuple", "dict") and len(names) == 1:
        return names[0]  # a single object, not in a list
    return "[" + ", ".join(names) + "]"


# --- fit ----------------------------------------------------------------------------------------


def _history(ctx: Context) -> tuple[dict | None, Verdict | None]:
    """The History the fit challenge made, or the one verdict explaining why there is none (also for the
    checks that need it downstream, such as the plot's)."""
    messages, fit_challenge = ctx.table.FIT_MESSAGES, challenge_judged_by(ctx, FIT_CHECKS)
    fit: FitFacts = ctx.facts.get("fit") or {}
    if "uncheckable" in fit:
        return None, Verdict(UNCHECKABLE, messages["uncheckable"].format(reason=fit["uncheckable"]))
    history = fit.get("history") or {"defined": False}
    last = fit.get("last_call") or {}
    if not history.get("defined"):
        if last.get("error"):
            if ctx.blank_places(fit_challenge):
                return None, _not_attempted(ctx, fit_challenge)
            return None, Verdict(FAILED, _raised(ctx, "fit_raised", last["error"]),
                                 f"fit raised {last['error'].get('type', 'an error')}")
        if last and not ctx.blank_places(fit_challenge):
            return None, Verdict(FAILED, messages["no_history_var"])
        return None, _no_result(ctx, fit_challenge, messages["no_history_var"])
    if not history.get("is_history"):
        desc = history.get("desc", {})
        if desc.get("given_as") == "blank":
            return None, _not_attempted(ctx, fit_challenge)
        if desc.get("given_as") == "dict" and re.match(r"\{'(val_)?(loss|acc)", str(desc.get("repr", ""))):
            return None, Verdict(FAILED, messages["history_dict"])  # `fit(...).history`: the dict, not the History
        return None, Verdict(FAILED, messages["not_history"].format(given=_render_value(desc)))
    if history.get("from_fit_of") != _name(ctx, "model"):
        return None, Verdict(FAILED, messages["not_this_fit"])
    return history, None


def check_history_keys(ctx: Context) -> Verdict:
    history, early = _history(ctx)
    if early:
        return early
    keys = history.get("keys", [])
    acc = accuracy_key(keys)
    expected = ["loss", "val_loss", acc or "accuracy", f"val_{acc or 'accuracy'}"]
    missing = [k for k in expected if k not in keys]
    if missing:
        messages = ctx.table.FIT_MESSAGES
        msg = messages["missing_keys"].format(keys=keys, expected=expected)
        if not any(k.startswith("val_") for k in keys):
            msg += " " + messages["no_validation"]
        if acc is None:
            msg += " " + messages["no_accuracy_metric"]
        return Verdict(FAILED, msg, ", ".join(sorted(keys)))
    return Verdict(PASSED, "", ", ".join(sorted(keys)))


def check_epochs(ctx: Context) -> Verdict:
    fit: FitFacts = ctx.facts.get("fit") or {}
    epochs_arg = (fit.get("last_call") or {}).get("epochs") or {}
    if epochs_arg.get("given_as") == "blank":
        return _not_attempted(ctx, ctx.check.challenge, " (the `epochs` argument)")
    history, early = _history(ctx)
    if early:
        return early
    last = fit.get("last_call") or {}
    steps, batches = (last.get("steps_per_epoch") or {}).get("value"), last.get("x_batches")
    if (isinstance(steps, int) and not isinstance(steps, bool) and isinstance(batches, int)
            and 0 < steps < batches and last.get("history_is_result")):
        return Verdict(FAILED, ctx.table.FIT_MESSAGES["steps_per_epoch"].format(steps=steps, batches=batches),
                       f"steps_per_epoch={steps}")
    run = history.get("epochs_run") or history.get("epochs_param")
    param = history.get("epochs_param")
    if run != ctx.table.EXPECTED_EPOCHS:
        if param == ctx.table.EXPECTED_EPOCHS and run is not None and run < param:  # the code is right
            return Verdict(FAILED, ctx.table.FIT_MESSAGES["stopped_early"].format(epochs=run, param=param), str(run))
        return Verdict(FAILED, ctx.table.FIT_MESSAGES["epochs"].format(epochs=run), str(run))
    return Verdict(PASSED, "", str(run))


def check_validation(ctx: Context) -> Verdict:
    """`fit` got the exercise's validation dataset as `validation_data` (and its training dataset as `x`)."""
    messages, train, val_name = ctx.table.FIT_MESSAGES, _name(ctx, "train"), _name(ctx, "val")
    fit: FitFacts = ctx.facts.get("fit") or {}
    last = fit.get("last_call")
    if last is None:
        history, early = _history(ctx)
        if early:
            return early
        if "val_loss" in history.get("keys", []):
            return Verdict(PASSED, "", "validation")
        return Verdict(FAILED, messages["no_validation"], "none")
    if last.get("error") and not (fit.get("history") or {}).get("defined"):
        return _history(ctx)[1]  # the one explanation of a failed fit
    if last.get("x") == "blank" or last.get("validation_data") == "blank":
        return _not_attempted(ctx, ctx.check.challenge, " (the `x` or `validation_data` argument)")
    val = last.get("validation_data")
    if last.get("x") == val_name and val == train:
        return Verdict(FAILED, messages["train_is_val"], f"x={val_name}, validation_data={train}")
    if val is None:
        return Verdict(FAILED, messages["no_validation"], "none")
    if val == train:
        return Verdict(FAILED, messages["validation_is_train"], train)
    if last.get("x") == val_name:
        return Verdict(FAILED, messages["train_is_val"], f"x={val_name}")
    part, whole = last.get("x_batches"), last.get("train_batches")
    if last.get("x") != train and isinstance(part, int) and isinstance(whole, int) and 0 <= part < whole:
        return Verdict(FAILED, messages["x_part"].format(part=part, whole=whole), f"x: {part} of {whole} batches")
    if val != val_name:
        return Verdict(FAILED, messages["wrong_validation"], str(val))
    freq = last.get("validation_freq") or {}
    if freq.get("given_as") != "int" or freq.get("value") != 1:  # every other epoch, or a list of epochs
        shown = freq.get("value", freq.get("repr", "?"))
        return Verdict(FAILED, messages["validation_freq"].format(freq=shown), f"validation_freq={shown}")
    return Verdict(PASSED, "", val_name)


# --- plot ---------------------------------------------------------------------------------------

def _close(a: list, b: list) -> bool:
    """Same numbers (non-finite values, read as None, match each other)."""
    return len(a) == len(b) and all((x is None and y is None) or (x is not None and y is not None and
                                                                  abs(x - y) <= 1e-6 * max(1.0, abs(y)))
                                    for x, y in zip(a, b))


def _same_history(got: dict, values: dict) -> bool:
    return bool(values) and set(got) == set(values) and all(_close(got[k], v) for k, v in values.items())


def _earlier_histories(ctx: Context) -> list[dict]:
    """The numbers of the Histories of earlier `fit` calls (not the one the exercise's history holds)."""
    return [h for h in (ctx.facts.get("fit") or {}).get("earlier_histories") or [] if isinstance(h, dict)]


def _plot_history(ctx: Context) -> tuple[dict | None, Verdict | None]:
    """The History the plot must show, or a verdict naming the upstream failure (one text: `_history`'s)."""
    history, early = _history(ctx)
    if early is None:
        return history, None
    if early.status == UNCHECKABLE:
        return None, early
    return None, Verdict(FAILED, ctx.table.PLOT_MESSAGES["needs_history"].format(reason=early.output))


def check_history_df(ctx: Context) -> Verdict:
    """The history DataFrame holds the numbers of the latest History (not an earlier fit's)."""
    messages, challenge = ctx.table.PLOT_MESSAGES, ctx.check.challenge
    plot: PlotFacts = ctx.facts.get("plot") or {}
    if "uncheckable" in plot:
        return Verdict(UNCHECKABLE, messages["df_uncheckable"].format(reason=plot["uncheckable"]))
    df = plot.get("df") or {"defined": False}
    # Order of root causes: this challenge's own blanks, then a failed fit upstream, then this cell.
    if not df.get("defined") and ctx.blank_places(challenge):
        return _not_attempted(ctx, challenge)
    if df.get("defined") and not df.get("is_df") and (df.get("desc") or {}).get("given_as") == "blank":
        return _not_attempted(ctx, challenge)
    history, early = _plot_history(ctx)
    if early:
        return early
    if not df.get("defined"):
        return _no_result(ctx, challenge, messages["no_df"])
    if not df.get("is_df"):
        return Verdict(FAILED, messages["not_df"].format(given=_render_value(df.get("desc", {}))))
    values = history.get("values", {})
    columns = df.get("columns", [])
    got = {c: (df.get("values") or {}).get(c, []) for c in columns}
    answer = ", ".join(columns)
    # Columns of its own beside the History's (an `epoch` column to plot against) change nothing.
    if _same_history({c: v for c, v in got.items() if c in values}, values):
        return Verdict(PASSED, "", answer)
    if any(_same_history(got, earlier) for earlier in _earlier_histories(ctx)):
        return Verdict(FAILED, messages["stale_df"], "built before the latest fit")
    if set(values) <= set(columns):
        return Verdict(FAILED, messages["values_differ"], answer)
    renamed = {key: column for key, series in values.items() if key not in got
               for column, numbers in got.items() if column not in values and series and _close(numbers, series)}
    if renamed and set(renamed) | (set(values) & set(got)) == set(values):
        shown = ", ".join(f"`{key}` as `{column}`" for key, column in renamed.items())
        return Verdict(FAILED, messages["renamed_df"].format(renamed=shown), answer)
    return Verdict(FAILED, messages["wrong_df"].format(columns=columns), answer)


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


def _shows_earlier_run(axes: list[dict], values: dict, earlier: list[dict]) -> bool:
    """The lines trace an earlier fit's numbers and none traces the latest History's."""
    ys = [line.get("y", []) for axis in axes for line in axis.get("lines", [])]
    traces = lambda history: any(_close(y, v) for y in ys for v in history.values())  # noqa: E731
    return not traces(values) and any(traces(h) for h in earlier)


def two_panels(ctx: Context) -> tuple[list[dict], dict, Verdict | None]:
    """The figure's two panels and the latest History's values, or the verdict saying why there are
    none: not inspectable, not attempted, no History, no figure, an earlier run's figure, not 2 panels."""
    messages, challenge = ctx.table.PLOT_MESSAGES, ctx.check.challenge
    plot: PlotFacts = ctx.facts.get("plot") or {}
    if "uncheckable" in plot:
        return [], {}, Verdict(UNCHECKABLE, messages["figure_uncheckable"].format(reason=plot["uncheckable"]))
    fig = plot.get("figure") or {"found": False}
    drawn = fig.get("found") and any(a.get("lines") for a in fig.get("axes", []))
    if not drawn and ctx.blank_places(challenge):
        return [], {}, _not_attempted(ctx, challenge)
    history, early = _plot_history(ctx)  # the figure must show the History of fit: that comes first
    if early:
        return [], {}, early
    if not drawn and fig.get("found") and fig.get("axes"):  # panels made, nothing drawn on them
        return [], {}, _no_result(ctx, challenge, messages["empty_figure"].format(n=len(fig["axes"])))
    if not drawn:
        return [], {}, _no_result(ctx, challenge, messages["no_figure"])
    axes = fig.get("axes", [])
    values = history.get("values", {})
    if _shows_earlier_run(axes, values, _earlier_histories(ctx)):
        return [], {}, Verdict(FAILED, messages["stale_figure"], "shows an earlier fit")
    if len(axes) != 2:
        return [], {}, Verdict(FAILED, messages["panels"].format(n=len(axes)), f"{len(axes)} panels")
    return axes, values, None


def check_figure(ctx: Context) -> Verdict:
    """Two panels: the loss curves on the left, the accuracy curves on the right, of the latest History."""
    messages = ctx.table.PLOT_MESSAGES
    axes, values, early = two_panels(ctx)
    if early:
        return early
    acc = accuracy_key(list(values)) or "accuracy"
    left, right = (_panel_names(a, values) for a in axes)
    problems = []
    losses, accuracies = {"loss", "val_loss"}, {acc, f"val_{acc}"}
    if not losses <= left:
        problems.append(messages["left"].format(lines=sorted(left) or "no lines"))
    elif left & accuracies:  # one panel, two scales: the loss curves flatten under the accuracy's
        problems.append(messages["left_mixed"].format(lines=sorted(left & accuracies)))
    if not accuracies <= right:
        problems.append(messages["right"].format(lines=sorted(right) or "no lines", acc=acc))
    elif right & losses:
        problems.append(messages["right_mixed"].format(lines=sorted(right & losses)))
    answer = f"left={sorted(left)}, right={sorted(right)}"
    return figure_verdict(ctx, problems, answer)


def figure_verdict(ctx: Context, problems: list[str], answer: str) -> Verdict:
    """A figure with ``problems``: not attempted while its blanks are left, else failed with them and,
    when the plot cell stopped (a panel left empty), that cell's error; none: passed."""
    if not problems:
        return Verdict(PASSED, "", answer)
    challenge = ctx.check.challenge
    if ctx.blank_places(challenge):
        return _not_attempted(ctx, challenge)
    raised = ctx.errors(challenge)
    if raised:
        problems = [*problems, ctx.table.PLOT_MESSAGES["raised"].format(errors=" ".join(raised))]
    return Verdict(FAILED, " ".join(problems), answer)


def answer_check(name: str) -> Callable[[Context], Verdict]:
    """The check of one answer ``name``: read as the table's questions say, compared with
    ``ctx.table.expected_answers()[name]``, explained with ``ctx.table.ANSWER_EXPLANATIONS[name]``."""
    def check(ctx: Context) -> Verdict:
        table, challenge = ctx.table, ctx.check.challenge
        answers: AnswerFacts = ctx.facts.get("answers") or {}
        if "uncheckable" in answers:
            return Verdict(UNCHECKABLE, R.ANSWER_MESSAGES["uncheckable"].format(reason=answers["uncheckable"]))
        question = table.ANSWER_QUESTIONS[name]
        fact = answers.get(name) or {"defined": False}
        if not fact.get("defined"):
            if ctx.blank_places(challenge) or not ctx.errors(challenge):
                return Verdict(NOT_ATTEMPTED, R.ANSWER_MESSAGES["missing"].format(name=name, question=question))
            return _no_result(ctx, challenge, "")
        if fact.get("given_as") == "blank":
            places = [p["where"] for p in ctx.problems(challenge, "blank") if p.get("code", "").startswith(name)]
            where = f" ({places[0]})" if places else ""
            return Verdict(NOT_ATTEMPTED, R.ANSWER_MESSAGES["blank"].format(name=name, question=question, where=where))
        given = _render_value(fact)
        if len(given) > 120:
            given = given[:117] + "..."
        reading = read_answer(name, fact, table)
        answer = reading.value
        if answer is None:
            reason = f": {reading.reason}" if reading.reason else ""
            choices = R.ANSWER_CHOICES["trend" if name in table.TREND_SUBJECTS else "bool"]
            return Verdict(FAILED, R.ANSWER_MESSAGES["unrecognised"].format(
                name=name, given=given, reason=reason, choices=choices), given)
        if answer != table.expected_answers()[name]:
            plain = fact.get("value")
            literal = type(plain) is type(answer) and plain == answer
            read = "" if literal else R.ANSWER_MESSAGES["read_as"].format(
                answer=f'"{answer}"' if isinstance(answer, str) else answer)
            return Verdict(FAILED, R.ANSWER_MESSAGES["wrong"].format(
                name=name, given=given, read=read, explanation=table.ANSWER_EXPLANATIONS[name]), str(answer))
        return Verdict(PASSED, "", str(answer))

    check.__name__ = check.__qualname__ = f"answer_check({name!r})"
    return check


# The checks of each step, to find that step's challenge from another step's check (the plot needs
# the History of fit; a fit that fails on an uncompiled model points at the compile cell).
COMPILE_CHECKS = (check_optimizer, check_loss, check_metrics)
FIT_CHECKS = (check_history_keys, check_epochs, check_validation)


def challenge_judged_by(ctx: Context, functions: tuple[Callable, ...]) -> str:
    """The challenge of the exercise's checks done by one of ``functions`` (else the current check's)."""
    found = challenges_judged_by(ctx.exercise, functions)
    return found[0] if found else ctx.check.challenge


def challenges_judged_by(exercise, functions: tuple[Callable, ...]) -> list[str]:
    """The challenges (in table order) whose checks the exercise does with one of ``functions``."""
    found = [check.challenge for tag, check in exercise.checks.items()
             if exercise.check_functions.get(tag) in functions]
    return list(dict.fromkeys(found))
