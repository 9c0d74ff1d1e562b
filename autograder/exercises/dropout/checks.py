"""The check functions of this exercise, over plain facts (no TensorFlow).

Compile, fit, the history DataFrame and the answers are the engine's generic Keras checks (they read
this exercise's names and messages from ``table.py``, whose fit messages name this lesson's
misconception: training the setup's model without dropout). The Dropout layer and the comparison
figure are checked here.
"""
from __future__ import annotations

import re
from typing import Callable

from autograder.judge import keras_checks as K
from autograder.judge.checks import FAILED, PASSED, UNCHECKABLE, Context, Verdict, _no_result, _not_attempted

from .reference import run_history
from .table import ANSWERS, CHECKS, KEPT_LAYERS, KEPT_SETTINGS, RATE_ERROR

_NUMBER = re.compile(r"^(?:(?:np|numpy)\.\w+\()?\s*(-?\d+(?:\.\d*)?(?:e-?\d+)?)\s*\)?$")


# --- the Dropout layer ----------------------------------------------------------------------------

def _rate_value(fact: dict) -> float | None:
    """The number a described rate holds (also a NumPy scalar's), or None when it is no number."""
    kind = str(fact.get("given_as", ""))
    if kind in ("int", "float") and isinstance(fact.get("value"), (int, float)):
        return float(fact["value"])
    m = _NUMBER.match(str(fact.get("repr", "")).strip())
    if re.match(r"^u?int\d*$|^float\d*$", kind) and m:
        return float(m.group(1))
    return None


def _render_rate(fact: dict) -> str:
    if "value" in fact:
        return repr(fact["value"])
    return str(fact.get("repr") or f"a {fact.get('given_as', 'value')}")


def _model_error(ctx: Context) -> Verdict | None:
    """The model cell raised: Keras' refusal of a rate outside [0, 1] gets this lesson's own message."""
    messages = ctx.table.MODEL_MESSAGES
    for cell in ctx.cells:
        error = cell.get("error") or {}
        if cell.get("challenge") != ctx.check.challenge or cell.get("status") != "error" or not error:
            continue
        where = ctx.where(cell["index"], error.get("line"))
        text = f"{error.get('type', '')}: {error.get('message', '')}"
        m = RATE_ERROR.search(text)
        if m:
            try:
                rate = float(m["rate"])
            except ValueError:
                rate = None
            key = "rate_negative" if rate is not None and rate < 0 else "rate_percent"
            return Verdict(FAILED, f"{where}: " + messages[key].format(given=m["rate"]), f"Dropout({m['rate']})")
        if re.search(r"not supported between instances of '(?:int|float)' and 'str'", text):
            return Verdict(FAILED, f"{where}: " + messages["rate_not_number"].format(given="text (in quotes)"),
                           "Dropout('...')")
    return None


def _dropout_layers(ctx: Context) -> tuple[list[dict] | None, list[dict] | None, Verdict | None]:
    """The model's layers and its Dropout layers, or the verdict saying why there are none."""
    messages, challenge = ctx.table.MODEL_MESSAGES, ctx.check.challenge
    facts = ctx.facts.get("model") or {"model": "missing"}
    if "uncheckable" in facts:
        return None, None, Verdict(UNCHECKABLE, messages["uncheckable"].format(reason=facts["uncheckable"]))
    if facts.get("model") == "missing":
        raised = _model_error(ctx)
        if raised:
            return None, None, raised
        return None, None, _no_result(ctx, challenge, messages["no_model"])
    if facts.get("model") == "not_model":
        desc = facts.get("desc") or {}
        if desc.get("given_as") == "blank" or ctx.blank_places(challenge):
            return None, None, _not_attempted(ctx, challenge)
        return None, None, Verdict(FAILED, messages["not_model"].format(given=_render_rate(desc)))
    if facts.get("is_old_model"):
        return None, None, Verdict(FAILED, messages["is_old_model"], ctx.table.OLD_MODEL)
    layers = facts.get("layers") or []
    dropouts = [layer for layer in layers if layer.get("kind") == "Dropout"]
    if not dropouts:
        if ctx.blank_places(challenge):
            return None, None, _not_attempted(ctx, challenge)
        kinds = ", ".join(layer.get("kind", "?") for layer in layers if layer.get("kind") != "Input") or "none"
        return None, None, Verdict(FAILED, messages["no_dropout"].format(layers=kinds), "no Dropout")
    return layers, dropouts, None


def check_dropout_rate(ctx: Context) -> Verdict:
    """A Dropout layer with a rate strictly between 0 and 1 (every Dropout layer, when there are several)."""
    messages = ctx.table.MODEL_MESSAGES
    _, dropouts, early = _dropout_layers(ctx)
    if early:
        return early
    shown = ", ".join(f"Dropout({_render_rate(d.get('rate') or {})})" for d in dropouts)
    for layer in dropouts:
        fact = layer.get("rate") or {}
        if fact.get("given_as") == "blank":
            return _not_attempted(ctx, ctx.check.challenge, " (the rate of `Dropout`)")
        rate = _rate_value(fact)
        given = _render_rate(fact)
        if rate is None:
            return Verdict(FAILED, messages["rate_not_number"].format(given=given), shown)
        if rate == 0:
            return Verdict(FAILED, messages["rate_zero"], shown)
        if rate == 1:
            return Verdict(FAILED, messages["rate_one"], shown)
        if rate > 1:
            return Verdict(FAILED, messages["rate_percent"].format(given=given), shown)
        if rate < 0:
            return Verdict(FAILED, messages["rate_negative"].format(given=given), shown)
    return Verdict(PASSED, "", shown)


def check_dropout_place(ctx: Context) -> Verdict:
    """Every Dropout layer has a layer of the network before it and after it (not after the input, not
    after the output layer)."""
    messages = ctx.table.MODEL_MESSAGES
    layers, dropouts, early = _dropout_layers(ctx)
    if early:
        return early
    kinds = [layer.get("kind") for layer in layers if layer.get("kind") != "Input"]
    order = " -> ".join(kinds)
    for i, kind in enumerate(kinds):
        if kind != "Dropout":
            continue
        if not any(k != "Dropout" for k in kinds[i + 1:]):
            return Verdict(FAILED, messages["after_output"], order)
        if not any(k != "Dropout" for k in kinds[:i]):
            return Verdict(FAILED, messages["before_first"], order)
    return Verdict(PASSED, "", order)


def check_layers_kept(ctx: Context) -> Verdict:
    """Without its Dropout layers (and the input), the model has the first model's layers, in order."""
    _, _, early = _dropout_layers(ctx)
    facts = ctx.facts.get("model") or {}
    if early and not (facts.get("model") == "ok" and not facts.get("is_old_model")):
        return early  # no new model to look at (a Dropout layer missing is check_dropout_rate's to say)
    kinds = [layer.get("kind") for layer in facts.get("layers") or [] if layer.get("kind") not in ("Input", "Dropout")]
    shown = " -> ".join(kinds)
    if tuple(kinds) != KEPT_LAYERS:
        return Verdict(FAILED, ctx.table.MODEL_MESSAGES["layers_changed"].format(
            expected=" -> ".join(KEPT_LAYERS), layers=shown or "none"), shown)
    kept = [layer for layer in facts.get("layers") or [] if layer.get("kind") not in ("Input", "Dropout")]
    changes = _changed_settings(ctx, kept)
    if changes:
        return Verdict(FAILED, ctx.table.MODEL_MESSAGES["settings_changed"].format(changes="; ".join(changes)),
                       "; ".join(changes))
    return Verdict(PASSED, "", shown)


_SETTING_WORDS = {"filters": "filters", "kernel_size": "kernel size", "activation": "activation",
                  "pool_size": "pool size", "units": "units"}
_PLACES = ("first", "second", "third", "fourth")  # the kept layers have at most two of a kind


def _changed_settings(ctx: Context, layers: list[dict]) -> list[str]:
    """How the kept layers' settings differ from the first model's (a setting the facts could not
    read is not held against the learner)."""
    changes, seen = [], {}
    for layer, expected in zip(layers, KEPT_SETTINGS):
        kind = layer.get("kind")
        seen[kind] = seen.get(kind, 0) + 1
        for key, value in expected.items():
            given = layer.get(key)
            if given is not None and given != value:
                changes.append(ctx.table.MODEL_MESSAGES["setting"].format(
                    place=_PLACES[min(seen[kind], len(_PLACES)) - 1], kind=kind, setting=_SETTING_WORDS[key],
                    given=_shown_setting(given), expected=_shown_setting(value)))
    return changes


def _shown_setting(value) -> str:
    return f"({', '.join(str(v) for v in value)})" if isinstance(value, list) else f"`{value}`" if isinstance(value, str) else str(value)


# --- the comparison figure -------------------------------------------------------------------------

def _traced(axis: dict, series: dict[str, list]) -> set[str]:
    """The keys of ``series`` whose values one of the panel's lines traces."""
    return {key for line in axis.get("lines", []) for key, values in series.items()
            if values and K._close(line.get("y", []), values)}


def check_figure(ctx: Context) -> Verdict:
    """Two panels: the reference accuracy curves without dropout on the left, the learner's with dropout on
    the right, of the latest History."""
    messages = ctx.table.PLOT_MESSAGES
    axes, values, early = K.two_panels(ctx)
    if early:
        return early
    acc = K.accuracy_key(list(values)) or "accuracy"
    mine = {k: values.get(k, []) for k in (acc, f"val_{acc}")}
    without = run_history("without")
    reference = {k: v for k, v in without.items() if k in ("accuracy", "val_accuracy")}
    left_ref, right_ref = _traced(axes[0], reference), _traced(axes[1], reference)
    left_mine, right_mine = _traced(axes[0], mine), _traced(axes[1], mine)
    answer = f"left: {_whose(left_ref, left_mine)}; right: {_whose(right_ref, right_mine)}"
    if left_mine and right_ref and not left_ref and not right_mine:
        return Verdict(FAILED, messages["swapped"], answer)
    problems = []
    if left_ref != set(reference):
        problems.append(messages["left"].format(lines=_shown(axes[0], left_ref, "without dropout")))
    elif extra := _losses_traced(axes[0], without, values):
        problems.append(messages["left_mixed"].format(lines=extra))
    if right_mine != set(mine):
        problems.append(messages["right"].format(lines=_shown(axes[1], right_mine, "yours")))
    elif extra := _losses_traced(axes[1], without, values):
        problems.append(messages["right_mixed"].format(lines=extra))
    return K.figure_verdict(ctx, problems, answer)


def _losses_traced(axis: dict, without: dict[str, list], values: dict[str, list]) -> str:
    """The loss curves (of the run ``without`` dropout or the learner's) a panel also draws, for a
    message; empty when it draws none."""
    runs = (("without dropout", without), ("yours", values))
    found = [f"{key} ({whose})" for whose, series in runs
             for key in sorted(_traced(axis, {k: v for k, v in series.items() if k in ("loss", "val_loss")}))]
    return ", ".join(found)


def _whose(reference: set[str], mine: set[str]) -> str:
    """A panel's traced curves and whose they are, for the class report (a swap must read as one)."""
    curves = [f"{k} (without dropout)" for k in sorted(reference)] + [f"{k} (yours)" for k in sorted(mine)]
    return ", ".join(curves) or "no matching lines"


def _shown(axis: dict, traced: set[str], whose: str) -> str:
    """What a panel shows, for a message: the curves it traces, else its labels."""
    if traced:
        return ", ".join(f"{k} ({whose})" for k in sorted(traced)) + " only"
    labels = [t for t in axis.get("legend", []) if t] or [
        line["label"] for line in axis.get("lines", []) if line.get("label") and not line["label"].startswith("_")]
    return f"{sorted(labels)}, not the expected curves" if labels else "no matching lines"


CHECK_FUNCTIONS: dict[str, Callable[[Context], Verdict]] = {
    "model.dropout_rate": check_dropout_rate,
    "model.dropout_place": check_dropout_place,
    "model.layers_kept": check_layers_kept,
    "compile.optimizer": K.check_optimizer,
    "compile.loss": K.check_loss,
    "compile.metrics": K.check_metrics,
    "fit.history_keys": K.check_history_keys,
    "fit.epochs": K.check_epochs,
    "fit.validation": K.check_validation,
    "plot.history_df": K.check_history_df,
    "plot.figure": check_figure,
    **{f"questions.{name}": K.answer_check(name) for name in ANSWERS},
}
assert set(CHECK_FUNCTIONS) == set(CHECKS), "every check in the table needs a function"
