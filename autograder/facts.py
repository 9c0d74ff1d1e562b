"""Gather plain-JSON facts about the objects a submission made, in the learner's process.

Every reference used here (Keras classes and methods, pandas, matplotlib, json) is taken when
this module is imported, before any learner code runs, so a submission that later replaces
``keras.Model.get_compile_config``, renames ``keras.optimizers.SGD`` or empties ``sys.modules``
cannot change what is reported. No verdicts are made here: ``checks`` judges the facts.
"""
from __future__ import annotations

import json
import math
import os
import re
import types

import keras
import matplotlib.figure
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .figures import LESSON_FIGURE_LABEL

_Model = keras.Model
_History = keras.callbacks.History
_Optimizer = keras.optimizers.Optimizer
_Adam = keras.optimizers.Adam
_Loss = keras.losses.Loss
_Metric = keras.metrics.Metric
_get_compile_config = keras.Model.get_compile_config
_orig_compile = keras.Model.compile
_orig_fit = keras.Model.fit
_optimizers_get = keras.optimizers.get
_DataFrame = pd.DataFrame
_Figure = matplotlib.figure.Figure
_get_fignums = plt.get_fignums
_plt_figure = plt.figure
_dumps = json.dumps
_replace = os.replace
_isinstance = isinstance
_type = type
_getattr = getattr
_FunctionTypes = (types.FunctionType, types.BuiltinFunctionType)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _catalog(module, base, snake: bool = True) -> dict[object, str]:
    """Map each class and function of a Keras module to its (snake_case) name, by identity."""
    found: dict[object, str] = {}
    for name, obj in vars(module).items():
        if _isinstance(obj, type) and issubclass(obj, base):
            found[obj] = _snake(name) if snake else name
        elif _isinstance(obj, _FunctionTypes) and not name.startswith("_"):
            found[obj] = name
    return found


_OPTIMIZERS = _catalog(keras.optimizers, _Optimizer, snake=False)
_LOSSES = _catalog(keras.losses, _Loss)
_METRICS = _catalog(keras.metrics, _Metric)
_CLASS_NAMES = {**_OPTIMIZERS, **_LOSSES, **_METRICS}
# Snake-casing class names misses Keras' acronyms; use the names Keras' own strings use.
_CLASS_NAMES.update({keras.losses.MeanSquaredError: "mean_squared_error",
                     keras.losses.MeanAbsoluteError: "mean_absolute_error"})


class Blank:
    """The placeholder bound to ``_____`` while a submission runs: any use says it is unfilled."""

    def __repr__(self) -> str:
        return "_____"

    def __getattr__(self, name: str):
        raise NameError("a blank `_____` is not filled in")

    def __call__(self, *args, **kwargs):
        raise NameError("a blank `_____` is not filled in")

    def __bool__(self) -> bool:
        raise NameError("a blank `_____` is not filled in")

    def __iter__(self):
        raise NameError("a blank `_____` is not filled in")


BLANK = Blank()
_Blank = Blank


def _known_name(obj) -> str | None:
    for cls in _type(obj).__mro__:
        if cls in _CLASS_NAMES:
            return _CLASS_NAMES[cls]
    return None


def describe(value) -> dict:
    """A short, JSON-safe description of any value."""
    if _isinstance(value, _Blank):
        return {"given_as": "blank"}
    if value is None or _isinstance(value, (bool, int, str)):
        return {"given_as": _type(value).__name__, "value": value}
    if _isinstance(value, float):
        return {"given_as": "float", "value": value if math.isfinite(value) else str(value)}
    try:
        text = repr(value)
    except BaseException:
        text = f"<{_type(value).__name__}>"
    return {"given_as": _type(value).__name__, "repr": text[:80]}


def describe_optimizer(opt) -> dict:
    if _isinstance(opt, _Blank):
        return {"given_as": "blank"}
    if opt is None:
        return {"given_as": "missing"}
    if _isinstance(opt, str):
        try:
            resolved = _optimizers_get(opt)
        except BaseException:
            return {"given_as": "str", "name": opt, "value": opt, "known": False}
        return {**_optimizer_state(resolved), "given_as": "str", "value": opt}
    if _isinstance(opt, type):
        return {"given_as": "class", "name": _CLASS_NAMES.get(opt, opt.__name__), "is_adam": issubclass(opt, _Adam)}
    if _isinstance(opt, _Optimizer):
        return {**_optimizer_state(opt), "given_as": "instance"}
    return {**describe(opt), "name": _type(opt).__name__}


def _optimizer_state(opt) -> dict:
    state = {"name": _known_name(opt) or _type(opt).__name__, "is_adam": _isinstance(opt, _Adam)}
    try:
        state["learning_rate"] = float(np.asarray(opt.learning_rate))
    except BaseException:
        state["learning_rate"] = None
    return state


def describe_loss(loss) -> dict:
    if _isinstance(loss, _Blank):
        return {"given_as": "blank"}
    if loss is None:
        return {"given_as": "missing"}
    if _isinstance(loss, str):
        return {"given_as": "str", "name": loss, "value": loss, "from_logits": False}
    if _isinstance(loss, type):
        return {"given_as": "class", "name": _CLASS_NAMES.get(loss, loss.__name__)}
    if _isinstance(loss, _Loss):
        name = _known_name(loss)
        fn = _getattr(loss, "fn", None)  # LossFunctionWrapper keeps the wrapped function
        if fn in _LOSSES:
            name = _LOSSES[fn]
        try:
            from_logits = bool(loss.get_config().get("from_logits", False))
        except BaseException:
            from_logits = None
        return {"given_as": "instance", "name": name or _type(loss).__name__, "from_logits": from_logits}
    if _isinstance(loss, _FunctionTypes):
        return {"given_as": "function", "name": _LOSSES.get(loss, _getattr(loss, "__name__", "function")), "from_logits": False}
    return {**describe(loss), "name": _type(loss).__name__}


def describe_metrics(metrics) -> dict:
    if _isinstance(metrics, _Blank):
        return {"given_as": "blank"}
    if metrics is None:
        return {"given_as": "missing", "items": []}
    if _isinstance(metrics, (list, tuple)):
        return {"given_as": _type(metrics).__name__, "items": [_describe_metric(m) for m in metrics]}
    if _isinstance(metrics, dict):
        items = []
        for value in metrics.values():
            items.extend(value if _isinstance(value, (list, tuple)) else [value])
        return {"given_as": "dict", "items": [_describe_metric(m) for m in items]}
    return {"given_as": "str" if _isinstance(metrics, str) else _type(metrics).__name__,
            "value": metrics if _isinstance(metrics, str) else None,
            "items": [_describe_metric(metrics)]}


def _describe_metric(m) -> dict:
    if _isinstance(m, _Blank):
        return {"given_as": "blank"}
    if _isinstance(m, str):
        return {"given_as": "str", "name": m}
    if _isinstance(m, type):
        return {"given_as": "class", "name": _CLASS_NAMES.get(m, m.__name__)}
    if _isinstance(m, _Metric):
        return {"given_as": "instance", "name": _known_name(m) or _type(m).__name__}
    if _isinstance(m, _FunctionTypes):
        return {"given_as": "function", "name": _METRICS.get(m, _LOSSES.get(m, _getattr(m, "__name__", "function")))}
    return {**describe(m), "name": _type(m).__name__}


def _error(exc: BaseException) -> dict:
    return {"type": _type(exc).__name__, "message": str(exc)[:2000]}


class Recorder:
    """Wraps ``keras.Model.compile`` and ``fit`` to record how they were called, and what came of it."""

    def __init__(self) -> None:
        self.compile_calls: list[dict] = []
        self.fit_calls: list[dict] = []
        self.histories: dict[int, int] = {}  # id(history) -> id(model) that made it
        self._installed = False

    def install(self) -> None:
        if self._installed:
            return
        recorder = self

        def compile(model, optimizer="rmsprop", loss=None, *args, **kwargs):
            metrics = kwargs.get("metrics", args[1] if len(args) > 1 else None)
            call = {"model": id(model), "optimizer": describe_optimizer(optimizer), "loss": describe_loss(loss),
                    "metrics": describe_metrics(metrics), "error": None}
            recorder.compile_calls.append(call)
            try:
                return _orig_compile(model, optimizer, loss, *args, **kwargs)
            except BaseException as exc:
                call["error"] = _error(exc)
                raise

        def fit(model, x=None, y=None, batch_size=None, epochs=1, *args, **kwargs):
            call = {"model": id(model), "x": id(x), "x_desc": describe(x), "epochs": describe(epochs),
                    "validation_data": id(kwargs.get("validation_data")),
                    "validation_given": kwargs.get("validation_data") is not None,
                    "validation_split": describe(kwargs.get("validation_split", 0.0)),
                    "error": None, "history": None}
            recorder.fit_calls.append(call)
            try:
                history = _orig_fit(model, x, y, batch_size, epochs, *args, **kwargs)
            except BaseException as exc:
                call["error"] = _error(exc)
                raise
            call["history"] = id(history)
            recorder.histories[id(history)] = id(model)
            return history

        compile.__doc__, fit.__doc__ = _orig_compile.__doc__, _orig_fit.__doc__
        keras.Model.compile = compile
        keras.Model.fit = fit
        self._installed = True


def gather(ns: dict, recorder: Recorder) -> dict:
    """All facts, each group gathered on its own so one broken object spoils only its group."""
    facts = {}
    for key, fn in (("compile", _compile_facts), ("fit", _fit_facts), ("plot", _plot_facts), ("answers", _answer_facts)):
        try:
            facts[key] = fn(ns, recorder)
        except BaseException as exc:  # a hostile object must not stop the report
            facts[key] = {"uncheckable": f"{_type(exc).__name__}: {str(exc)[:300]}"}
    return facts


def _model(ns: dict):
    model = ns.get("model_intro")
    return model if _isinstance(model, _Model) else None


def _compile_facts(ns: dict, rec: Recorder) -> dict:
    model = _model(ns)
    out: dict = {"model": "ok" if model is not None else ("missing" if "model_intro" not in ns else "not_model")}
    if model is None:
        if "model_intro" in ns:
            out["model_desc"] = describe(ns["model_intro"])
        return out
    calls = [c for c in rec.compile_calls if c["model"] == id(model)]
    out["calls"] = len(calls)
    last = calls[-1] if calls else None
    out["error"] = last["error"] if last else None
    out["compiled"] = bool(_getattr(model, "compiled", False)) and _getattr(model, "optimizer", None) is not None
    try:
        out["output_activation"] = str(model.layers[-1].get_config().get("activation"))
    except BaseException:
        out["output_activation"] = None
    if out["compiled"] and not (last and last["error"]):
        out["optimizer"] = {**(last["optimizer"] if last else {"given_as": "instance"}),
                            **_optimizer_state(model.optimizer)}
        out["loss"] = describe_loss(model.loss)
        if last:
            out["metrics"] = last["metrics"]
        else:
            config = _get_compile_config(model) or {}
            out["metrics"] = describe_metrics(_metric_identifiers(config.get("metrics")))
    elif last:
        out["optimizer"], out["loss"], out["metrics"] = last["optimizer"], last["loss"], last["metrics"]
    return out


def _metric_identifiers(serialized):
    """Serialized compile-config metrics back to names (strings stay strings)."""
    if _isinstance(serialized, (list, tuple)):
        return [m if _isinstance(m, str) else _snake(str(m.get("class_name", m))) if _isinstance(m, dict) else m
                for m in serialized]
    return serialized


def _floats(values) -> list:
    out = []
    for v in list(values)[:1000]:
        try:
            f = float(v)
            out.append(f if math.isfinite(f) else None)
        except BaseException:
            out.append(None)
    return out


def _fit_facts(ns: dict, rec: Recorder) -> dict:
    model = _model(ns)
    out: dict = {}
    calls = [c for c in rec.fit_calls if model is not None and c["model"] == id(model)]
    out["calls"] = len(calls)
    if calls:
        last = calls[-1]
        ids = {id(ns.get("train_ds")): "train_ds", id(ns.get("val_ds")): "val_ds"}
        out["last_call"] = {
            "x": ids.get(last["x"], last["x_desc"].get("given_as")),
            "epochs": last["epochs"],
            "validation_data": ids.get(last["validation_data"], "other") if last["validation_given"] else None,
            "validation_split": last["validation_split"],
            "error": last["error"],
            "history_is_result": last["history"] is not None and last["history"] == id(ns.get("history_intro")),
        }
    if "history_intro" not in ns:
        out["history"] = {"defined": False}
        return out
    h = ns["history_intro"]
    if not _isinstance(h, _History):
        out["history"] = {"defined": True, "is_history": False, "desc": describe(h)}
        return out
    data = _getattr(h, "history", None)
    data = data if _isinstance(data, dict) else {}
    params = _getattr(h, "params", None)
    params = params if _isinstance(params, dict) else {}
    out["history"] = {
        "defined": True,
        "is_history": True,
        "from_fit_of": "model_intro" if model is not None and rec.histories.get(id(h)) == id(model)
        else ("other model" if id(h) in rec.histories else "unknown"),
        "keys": [str(k) for k in data],
        "values": {str(k): _floats(v) for k, v in list(data.items())[:20]},
        "epochs_param": params.get("epochs") if _isinstance(params.get("epochs"), int) else None,
        "epochs_run": len(_getattr(h, "epoch", []) or []),
    }
    return out


def _plot_facts(ns: dict, rec: Recorder) -> dict:
    out: dict = {}
    if "history_intro_df" not in ns:
        out["df"] = {"defined": False}
    else:
        df = ns["history_intro_df"]
        if _isinstance(df, _DataFrame):
            out["df"] = {"defined": True, "is_df": True, "columns": [str(c) for c in df.columns][:50],
                         "rows": int(len(df)),
                         "values": {str(c): _floats(df[c].tolist()) for c in list(df.columns)[:20]}}
        else:
            out["df"] = {"defined": True, "is_df": False, "desc": describe(df)}
    fig = _find_figure(ns)
    out["figure"] = _figure_facts(fig) if fig is not None else {"found": False}
    return out




def _find_figure(ns: dict):
    fig = ns.get("fig")
    if _isinstance(fig, _Figure):
        return fig
    candidates = []
    for num in _get_fignums():
        f = _plt_figure(num)
        title = f._suptitle.get_text() if f._suptitle is not None else ""
        if title == "cifar_model_intro":
            return f
        if f.get_label() != LESSON_FIGURE_LABEL:
            candidates.append(f)
    return candidates[-1] if candidates else None


def _figure_facts(fig) -> dict:
    axes = []
    for ax in fig.get_axes()[:10]:
        legend = ax.get_legend()
        labels = [t.get_text() for t in legend.get_texts()] if legend is not None else []
        lines = [{"label": str(l.get_label()), "y": _floats(l.get_ydata())[:200]} for l in ax.get_lines()[:10]]
        axes.append({"legend": labels, "lines": lines, "title": ax.get_title(), "ylabel": ax.get_ylabel()})
    title = fig._suptitle.get_text() if fig._suptitle is not None else ""
    return {"found": True, "suptitle": title, "axes": axes}


_ANSWERS = ("loss_trend", "accuracy_trend", "curves_similar", "performs_well_on_new_data", "is_overfitting")


def _answer_facts(ns: dict, rec: Recorder) -> dict:
    return {name: ({"defined": True, **describe(ns[name])} if name in ns else {"defined": False}) for name in _ANSWERS}


def write_json_atomic(path: str, data: dict) -> None:
    """Write JSON so a reader never sees half a file (write aside, then rename)."""
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(_dumps(data, default=str))
    _replace(tmp, path)
