"""Gather plain-JSON facts about the objects a submission made, in the learner's process.

Learner code runs in the same process and may patch anything, so the facts rely on things it
cannot change afterwards:

- every library function and class used here is taken when this module is imported, before
  any learner code runs; the grading harness even runs a private copy of this module, with a
  private copy of the builtins, that learner code cannot find by name;
- Keras internals (private attributes, ``keras.src``) are read only through
  :mod:`autograder.facts.keras_adapter`, whose accessors are made when this module is imported and
  kept in its globals, so emptying or patching the shared adapter module changes nothing here;
- Keras classes are recognised by identity and by their MRO as it was at import, so renaming
  ``keras.optimizers.SGD`` or changing its ``__bases__`` does not make it Adam;
- how ``compile`` and ``fit`` were called, and what they produced (the optimizer, the History
  and its numbers), is recorded when the call returns, so reassigning ``model.loss`` or
  appending to ``history.epoch`` later does not change it; a fake ``compile`` or ``fit`` that
  never reaches Keras records nothing;
- the training and validation datasets are the ones ``load_datasets`` returned, not whatever
  their names point to later.

This module knows no lesson: the generic collectors (:func:`compile_facts`, :func:`fit_facts`,
:func:`plot_facts`, :func:`answer_facts`) take the names they read as arguments, and each
exercise's ``collect.py`` binds them to its own names in ``COLLECTORS``, which :func:`gather`
runs. The shape of what they return is declared in :mod:`autograder.facts.schema`.

No verdicts are made here: ``checks`` judges the facts.
"""
from __future__ import annotations

import inspect
import math
import re
import sys
import types

import keras
import matplotlib.axes
import matplotlib.figure
import matplotlib.legend
import matplotlib.lines
import matplotlib.pyplot as plt
import matplotlib.text
import numpy as np
import pandas as pd
import tensorflow as tf

from autograder import LESSON_FIGURE_LABEL
from autograder.facts.schema import (AnswerFact, AnswerFacts, CompileFacts, DataFrameFacts, Described, ErrorFact, FigureFacts,
                         FitFacts, HistoryFacts, LossDesc, MetricDesc, MetricsDesc, OptimizerDesc, PlotFacts)
from autograder.facts.keras_adapter import MISSING as _KERAS_MISSING, bind as _keras_internals

_Model = keras.Model
_History = keras.callbacks.History
_Optimizer = keras.optimizers.Optimizer
_Adam = keras.optimizers.Adam
_Loss = keras.losses.Loss
_Metric = keras.metrics.Metric
# Keras' internals, only through the adapter; its accessors are made now and kept here (see its docstring).
(_CompileLoss, _compile_token, _user_loss, _keras_compiled, _compiled_optimizer, _wrapped_function,
 _compile_arguments, _build_before_fit) = _keras_internals()
_MISSING = _KERAS_MISSING
_get_compile_config = keras.Model.get_compile_config
_orig_compile = keras.Model.compile
_orig_fit = keras.Model.fit
# What Keras' compile uses when no optimizer is given; the recorder passes it on, and records the
# optimizer as missing (not as the default the learner never chose).
_DEFAULT_OPTIMIZER = inspect.signature(_orig_compile).parameters["optimizer"].default
_NOT_GIVEN = object()
_optimizers_get = keras.optimizers.get
_DataFrame = pd.DataFrame
_df_columns = pd.DataFrame.__dict__["columns"].__get__
_df_len = pd.DataFrame.__len__
_df_getitem = pd.DataFrame.__getitem__
_series_tolist = pd.Series.tolist
_Figure = matplotlib.figure.Figure
_fig_get_axes = matplotlib.figure.Figure.get_axes
_artist_get_label = matplotlib.lines.Line2D.get_label
_ax_get_legend = matplotlib.axes.Axes.get_legend
_ax_get_lines = matplotlib.axes.Axes.get_lines
_ax_get_title = matplotlib.axes.Axes.get_title
_ax_get_ylabel = matplotlib.axes.Axes.get_ylabel
_legend_get_texts = matplotlib.legend.Legend.get_texts
_text_get_text = matplotlib.text.Text.get_text
_line_get_ydata = matplotlib.lines.Line2D.get_ydata
_Axes = matplotlib.axes.Axes
_artist_get_figure = matplotlib.axes.Axes.get_figure
_ndarray = np.ndarray
_ndarray_ravel = np.ndarray.ravel
_get_fignums = plt.get_fignums
_plt_figure = plt.figure
_asarray = np.asarray
_isfinite = math.isfinite
_re_sub = re.sub
_isinstance = isinstance
_type = type
_getattr = getattr
_getframe = sys._getframe
_TFDataset = tf.data.Dataset
_cardinality = tf.data.Dataset.cardinality
_id = id
_object_getattribute = object.__getattribute__
_mro_of = type.__dict__["__mro__"].__get__  # the real MRO, whatever a metaclass pretends
_FunctionTypes = (types.FunctionType, types.BuiltinFunctionType)


class IdMap:
    """A mapping keyed by object identity (deaf to ``__eq__``/``__hash__`` tricks); keeps its keys alive."""

    def __init__(self) -> None:
        self._items: dict[int, tuple[object, object]] = {}

    def __setitem__(self, key, value) -> None:
        self._items[_id(key)] = (key, value)

    def get(self, key, default=None):
        item = self._items.get(_id(key))
        return item[1] if item is not None and item[0] is key else default

    def __contains__(self, key) -> bool:
        item = self._items.get(_id(key))
        return item is not None and item[0] is key

    def update(self, other: "IdMap") -> None:
        self._items.update(other._items)

    def keys(self) -> list:
        return [key for key, _ in self._items.values()]


def _snake(name: str) -> str:
    return _re_sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _catalog(module, base, snake: bool = True) -> IdMap:
    """Map each class and function of a Keras module to its (snake_case) name, by identity."""
    found = IdMap()
    for name, obj in vars(module).items():
        if _isinstance(obj, type) and issubclass(obj, base):
            found[obj] = _snake(name) if snake else name
        elif _isinstance(obj, _FunctionTypes) and not name.startswith("_"):
            found[obj] = name
    return found


_OPTIMIZERS = _catalog(keras.optimizers, _Optimizer, snake=False)
_LOSSES = _catalog(keras.losses, _Loss)
_METRICS = _catalog(keras.metrics, _Metric)
_CLASS_NAMES = IdMap()
for _table in (_OPTIMIZERS, _LOSSES, _METRICS):
    _CLASS_NAMES.update(_table)
# Snake-casing class names misses Keras' acronyms; use the names Keras' own strings use.
_CLASS_NAMES[keras.losses.MeanSquaredError] = "mean_squared_error"
_CLASS_NAMES[keras.losses.MeanAbsoluteError] = "mean_absolute_error"

# The MRO of every class the facts recognise, as it was before learner code ran.
_MROS = IdMap()
for _cls in [*_CLASS_NAMES.keys(), _Model, _History, _CompileLoss, _DataFrame, _Figure, _Axes]:
    if _isinstance(_cls, type):
        for _c in _mro_of(_cls):
            if _c not in _MROS:
                _MROS[_c] = _mro_of(_c)


def true_mro(cls) -> tuple:
    """``cls.__mro__``, with the part made of known library classes as it was at import."""
    try:
        mro = _mro_of(cls)
    except TypeError:
        return ()
    for i, c in enumerate(mro):
        original = _MROS.get(c)
        if original is not None:
            return mro[:i] + original
    return mro


def is_a(obj, cls) -> bool:
    """``isinstance`` by the object's real type and the original MRO."""
    return any(c is cls for c in true_mro(_type(obj)))


def _is_class(obj) -> bool:
    return any(c is type for c in _mro_of(_type(obj)))


def _subclass(cls, base) -> bool:
    return any(c is base for c in true_mro(cls))


def _raw(obj, name: str, default=None):
    """An instance attribute read from the instance's own ``__dict__`` (no class-level tricks)."""
    try:
        return _object_getattribute(obj, "__dict__").get(name, default)
    except BaseException:
        return default


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
    for cls in true_mro(_type(obj)):
        name = _CLASS_NAMES.get(cls)
        if name is not None:
            return name
    return None


def describe(value) -> Described:
    """A short, JSON-safe description of any value."""
    if is_a(value, _Blank):
        return {"given_as": "blank"}
    if value is None or _isinstance(value, (bool, int, str)):
        return {"given_as": _type(value).__name__, "value": value}
    if _isinstance(value, float):
        return {"given_as": "float", "value": value if _isfinite(value) else str(value)}
    try:
        text = repr(value)
    except BaseException:
        text = f"<{_type(value).__name__}>"
    text = str(text)
    return {"given_as": _type(value).__name__, "repr": text if len(text) <= 80 else text[:79] + "…"}


def describe_optimizer(opt) -> OptimizerDesc:
    if is_a(opt, _Blank):
        return {"given_as": "blank"}
    if opt is None:
        return {"given_as": "missing"}
    if _isinstance(opt, str):
        try:
            resolved = _optimizers_get(opt)
        except BaseException:
            return {"given_as": "str", "name": opt, "value": opt, "known": False}
        return {**_optimizer_state(resolved), "given_as": "str", "value": opt}
    if _is_class(opt):
        return {"given_as": "class", "name": _CLASS_NAMES.get(opt, _type.__dict__["__name__"].__get__(opt)),
                "is_adam": _subclass(opt, _Adam)}
    if is_a(opt, _Optimizer):
        return {**_optimizer_state(opt), "given_as": "instance"}
    return {**describe(opt), "name": _type(opt).__name__}


def _optimizer_state(opt) -> dict:
    state = {"name": _known_name(opt) or _type(opt).__name__, "is_adam": is_a(opt, _Adam)}
    try:
        state["learning_rate"] = float(_asarray(opt.learning_rate))
    except BaseException:
        state["learning_rate"] = None
    return state


def describe_loss(loss) -> LossDesc:
    if is_a(loss, _Blank):
        return {"given_as": "blank"}
    if loss is None:
        return {"given_as": "missing"}
    if _isinstance(loss, str):
        return {"given_as": "str", "name": loss, "value": loss, "from_logits": False}
    if _is_class(loss):
        return {"given_as": "class", "name": _CLASS_NAMES.get(loss, _type.__dict__["__name__"].__get__(loss))}
    if is_a(loss, _Loss):
        name = _known_name(loss)
        fn = _wrapped_function(loss)
        if fn in _LOSSES:
            name = _LOSSES.get(fn)
        try:
            from_logits = bool(loss.get_config().get("from_logits", False))
        except BaseException:
            from_logits = None
        return {"given_as": "instance", "name": name or _type(loss).__name__, "from_logits": from_logits}
    if _isinstance(loss, _FunctionTypes):
        return {"given_as": "function", "name": _LOSSES.get(loss, _getattr(loss, "__name__", "function")), "from_logits": False}
    return {**describe(loss), "name": _type(loss).__name__}


def describe_metrics(metrics) -> MetricsDesc:
    if is_a(metrics, _Blank):
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


def _describe_metric(m) -> MetricDesc:
    if is_a(m, _Blank):
        return {"given_as": "blank"}
    if _isinstance(m, str):
        return {"given_as": "str", "name": m}
    if _is_class(m):
        return {"given_as": "class", "name": _CLASS_NAMES.get(m, _type.__dict__["__name__"].__get__(m))}
    if is_a(m, _Metric):
        return {"given_as": "instance", "name": _known_name(m) or _type(m).__name__}
    if _isinstance(m, _FunctionTypes):
        return {"given_as": "function", "name": _METRICS.get(m, _LOSSES.get(m, _getattr(m, "__name__", "function")))}
    return {**describe(m), "name": _type(m).__name__}


_type_name = type.__dict__["__name__"].__get__


def _error(exc: BaseException) -> ErrorFact:
    """An exception as plain data: its type, the names of its real classes, and its message.

    A long message keeps its start and its end: TensorFlow puts the meaningful line (e.g.
    "Incompatible shapes: [32] vs. [32,10]") after a long list of stack frames.
    """
    try:
        message = str(exc)
    except BaseException:
        message = ""
    if len(message) > 2000:
        message = message[:1000] + "\n...\n" + message[-1000:]
    try:
        mro = [str(_type_name(c)) for c in _mro_of(_type(exc))][:12]
    except BaseException:
        mro = []
    return {"type": _type_name(_type(exc)), "mro": mro, "message": message}


def _item_names(recorder: "Recorder", x) -> list | None:
    """For a tuple or list given as data: which datasets its first items are ('train_ds', 'val_ds', 'other')."""
    if _type(x) not in (tuple, list):
        return None
    try:
        return [recorder.dataset_name(item) or "other" for item in list(x)[:5]] + (["..."] if len(x) > 5 else [])
    except BaseException:
        return None


# Layers that only add noise while training: the output's activation is the one before them.
_NOISE_LAYERS = tuple(c for c in (getattr(keras.layers, n, None) for n in
                                  ("Dropout", "GaussianDropout", "AlphaDropout", "GaussianNoise")) if c is not None)


def _output_activation(model) -> str | None:
    try:
        layers = list(model.layers)
        while len(layers) > 1 and any(is_a(layers[-1], c) for c in _NOISE_LAYERS):
            layers.pop()
        return str(layers[-1].get_config().get("activation"))
    except BaseException:
        return None


def _compiled_state(model) -> dict:
    """What a finished ``compile`` left on the model, taken right when it returned."""
    optimizer = _compiled_optimizer(model)
    return {"compile_token": _compile_token(model),
            "optimizer": _optimizer_state(optimizer) if is_a(optimizer, _Optimizer) else None}


def _history_data(history, epochs_arg=None) -> dict:
    """Keys, numbers and epoch counts of a History (read from its own attributes)."""
    data = _raw(history, "history")
    data = data if _isinstance(data, dict) else {}
    params = _raw(history, "params")
    params = params if _isinstance(params, dict) else {}
    epochs = _raw(history, "epoch")
    run = len(epochs) if _isinstance(epochs, list) else 0
    if _isinstance(epochs_arg, int) and not _isinstance(epochs_arg, bool) and run > epochs_arg:
        run = epochs_arg  # fit cannot run more epochs than it was asked for
    return {
        "keys": [str(k) for k in data],
        "values": {str(k): _floats(v) for k, v in list(data.items())[:20]},
        "epochs_param": params.get("epochs") if _isinstance(params.get("epochs"), int) else None,
        "epochs_run": run,
    }


def cell_filename(index: int) -> str:
    """The file name the grading harness compiles cell ``index`` (0-based) under."""
    return f"<cell {index + 1}>"


def _batches(dataset) -> int | None:
    """How many batches a ``tf.data`` dataset yields (None: not a dataset, infinite or unknown)."""
    try:
        if is_a(dataset, _TFDataset):
            n = int(_cardinality(dataset))
            return n if n >= 0 else None
    except BaseException:
        pass
    return None


def _caller_cell() -> dict | None:
    """The harness cell (0-based index) and its line that is running the current call, or None
    when no harness cell is (the learner's own kernel). A helper function defined in one cell and
    called from another counts as the calling cell's."""
    found = None
    frame = _getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if _isinstance(name, str) and name.startswith("<cell ") and name.endswith(">") and name[6:-1].isdigit():
            found = {"cell": int(name[6:-1]) - 1, "line": frame.f_lineno}
        frame = frame.f_back
    return found


class Recorder:
    """Wraps ``keras.Model.compile`` and ``fit`` to record how they were called, and what came of it.

    Records hold references (not ``id``s, which Python reuses) to the models, optimizers and
    histories involved; only plain data leaves through :func:`gather`.
    """

    def __init__(self, dataset_names: tuple[str, ...] = (), build_before_fit: bool = False) -> None:
        """``build_before_fit`` (the grader's runs): ``fit`` traces its train step once, not twice
        (``keras_adapter``'s ``build_before_fit``); what the learner's code sees is unchanged."""
        self.build_before_fit = build_before_fit
        self.compile_calls: list[dict] = []
        self.fit_calls: list[dict] = []
        self.datasets: list[tuple[object, object]] = []  # (train, val) pairs load_datasets returned
        self.ns: dict | None = None  # the submission's namespace, when the harness runs it
        # The namespace names of the (train, val) datasets, looked up when load_datasets was not used.
        self.dataset_names = tuple(str(n) for n in dataset_names)
        self._installed = False

    def dataset_name(self, obj) -> str | None:
        """'train_ds' / 'val_ds' / 'other' for a dataset given to fit, or None if unknown yet."""
        if obj is None:
            return None
        for train, val in self.datasets:
            if obj is train:
                return TRAIN
            if obj is val:
                return VAL
        if self.datasets:
            return "other"
        if self.ns is not None and self.dataset_names:
            return _ns_name(self.ns, obj, self.dataset_names)
        return None

    def watch_datasets(self, module) -> None:
        """Wrap ``module.load_datasets`` so the datasets it returns are known by identity."""
        original = _getattr(module, "load_datasets", None)
        if original is None or _getattr(original, "_autograder_watched", False):
            return
        recorder = self

        def load_datasets(*args, **kwargs):
            result = original(*args, **kwargs)
            if _isinstance(result, tuple) and len(result) == 2:
                recorder.datasets.append((result[0], result[1]))
            return result

        load_datasets.__doc__, load_datasets.__wrapped__ = original.__doc__, original
        load_datasets._autograder_watched = True
        module.load_datasets = load_datasets

    def install(self) -> None:
        if self._installed:
            return
        recorder = self

        def compile(model, optimizer=_NOT_GIVEN, loss=None, *args, **kwargs):
            __tracebackhide__ = True  # IPython leaves this frame out: a Keras error shows as the learner's
            metrics = kwargs.get("metrics", args[1] if len(args) > 1 else None)
            given = optimizer is not _NOT_GIVEN
            optimizer = optimizer if given else _DEFAULT_OPTIMIZER
            call = {"model": model, "optimizer": describe_optimizer(optimizer) if given else {"given_as": "missing"},
                    "loss": describe_loss(loss),
                    "metrics": describe_metrics(metrics), "output_activation": _output_activation(model),
                    "error": None, "state": None, "where": _caller_cell(),
                    "seq": len(recorder.compile_calls) + len(recorder.fit_calls)}
            weights = kwargs.get("loss_weights", args[0] if args else None)
            if weights is not None:  # Keras 2's third positional argument was `metrics`; Keras 3's is this
                call["loss_weights"] = describe_metrics(weights)
            recorder.compile_calls.append(call)
            try:
                loss_, passed, named = _compile_arguments(model, loss, args, kwargs)  # the same on every supported Keras
                result = _orig_compile(model, optimizer, loss_, *passed, **named)
            except BaseException as exc:
                call["error"] = _error(exc)
                raise
            try:
                call["state"] = _compiled_state(model)
            except BaseException:
                pass
            return result

        def fit(model, x=None, y=None, batch_size=None, epochs=1, *args, **kwargs):
            __tracebackhide__ = True  # as in compile
            validation = kwargs.get("validation_data")
            call = {"model": model, "x": x, "x_name": recorder.dataset_name(x), "x_desc": describe(x),
                    "x_items": _item_names(recorder, x), "y_given": y is not None,
                    "epochs": describe(epochs), "validation": validation,
                    "validation_name": recorder.dataset_name(validation),
                    "validation_desc": describe(validation),
                    "validation_given": validation is not None,
                    "validation_blank": is_a(validation, _Blank),
                    "validation_split": describe(kwargs.get("validation_split", 0.0)),
                    "steps_per_epoch": describe(kwargs.get("steps_per_epoch")),
                    "validation_freq": describe(kwargs.get("validation_freq", 1)), "x_batches": _batches(x),
                    "train_batches": _batches(recorder.datasets[-1][0]) if recorder.datasets else None,
                    "error": None, "history": None, "history_data": None, "where": _caller_cell(),
                    "seq": len(recorder.compile_calls) + len(recorder.fit_calls)}
            recorder.fit_calls.append(call)
            try:
                if recorder.build_before_fit:  # never raises, but an interrupt there is fit's
                    _build_before_fit(model, x, y, kwargs)
                history = _orig_fit(model, x, y, batch_size, epochs, *args, **kwargs)
            except BaseException as exc:
                call["error"] = _error(exc)
                raise
            call["history"] = history
            try:
                call["history_data"] = _history_data(history, epochs)
            except BaseException:
                pass
            return history

        compile.__doc__, fit.__doc__ = _orig_compile.__doc__, _orig_fit.__doc__
        keras.Model.compile = compile
        keras.Model.fit = fit
        self._installed = True


# The fact values naming the datasets ``load_datasets`` returned (the checks read these words),
# whatever the namespace names the exercise gives them.
TRAIN, VAL = "train_ds", "val_ds"


def gather(ns: dict, recorder: Recorder, collectors: dict) -> dict:
    """All facts: ``collectors`` maps each group to a function ``(ns, recorder) -> dict``; each group
    is gathered on its own, so one broken object spoils only its group."""
    facts = {}
    for key, fn in list(collectors.items()):
        try:
            facts[key] = fn(ns, recorder)
        except BaseException as exc:  # a hostile object must not stop the report
            facts[key] = {"uncheckable": f"{_type(exc).__name__}: {_error(exc)['message'][:300]}"}
    return facts


def model_in(ns: dict, name: str):
    """The Keras model bound to ``name``, or None."""
    model = ns.get(name)
    return model if is_a(model, _Model) else None


def compile_facts(ns: dict, rec: Recorder, model: str) -> CompileFacts:
    """How the model bound to ``model`` was compiled (its last compile through the recorder, else
    what Keras itself kept)."""
    name = model
    model = model_in(ns, name)
    out: dict = {"model": "ok" if model is not None else ("missing" if name not in ns else "not_model")}
    if model is None:
        if name in ns:
            out["model_desc"] = describe(ns[name])
        return out
    calls = [c for c in rec.compile_calls if c["model"] is model]
    out["calls"] = len(calls)
    last = calls[-1] if calls else None
    out["error"] = last["error"] if last else None
    if last and "loss_weights" in last:
        out["loss_weights"] = last["loss_weights"]
    fits = [c for c in rec.fit_calls if c["model"] is model]
    if last and last["where"] and fits and fits[-1]["seq"] < last["seq"]:
        trained = [c for c in fits if c["history"] is not None]
        if trained:  # a later cell compiled the model again after fit trained it, and fit did not run since
            out["late"] = {**last["where"], "fit_cell": (trained[-1]["where"] or {}).get("cell"),
                           "fit_line": (trained[-1]["where"] or {}).get("line")}
    state = last["state"] if last and not last["error"] else None
    if state is not None and _compile_token(model) is state["compile_token"]:
        # Compiled through the recorder and not recompiled behind its back since.
        out["compiled"] = True
        out["output_activation"] = last["output_activation"]
        out["optimizer"] = {**last["optimizer"], **(state["optimizer"] or {})}
        out["loss"], out["metrics"] = last["loss"], last["metrics"]
        return out
    if last and last["error"]:
        out["compiled"] = False
        out["output_activation"] = last["output_activation"]
        out["optimizer"], out["loss"], out["metrics"] = last["optimizer"], last["loss"], last["metrics"]
        return out
    # No usable record: credit only a model Keras itself really compiled (not a fake compile
    # that merely set attributes), described from what Keras keeps.
    optimizer = _compiled_optimizer(model)
    by_keras = _keras_compiled(model)
    out["compiled"] = by_keras is True and is_a(optimizer, _Optimizer)
    out["output_activation"] = _output_activation(model)
    if by_keras is None:
        out["uncheckable"] = "this Keras version does not show whether Keras itself compiled the model"
    if out["compiled"]:
        loss = _user_loss(model)
        if loss is _MISSING:
            out["uncheckable"] = "this Keras version keeps no record of the loss given to compile"
        out["optimizer"] = {"given_as": "instance", **_optimizer_state(optimizer)}
        out["loss"] = describe_loss(None if loss is _MISSING else loss)
        config = _get_compile_config(model) or {}
        out["metrics"] = describe_metrics(_metric_identifiers(config.get("metrics")))
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
            out.append(f if _isfinite(f) else None)
        except BaseException:
            out.append(None)
    return out


def fit_facts(ns: dict, rec: Recorder, model: str, history: str, datasets: tuple[str, str]) -> FitFacts:
    """The last fit of the model bound to ``model``, and the History bound to ``history``.

    ``datasets``: the namespace names of the (train, val) datasets, looked up when the datasets
    were not made by ``load_datasets``; the facts call them 'train_ds' and 'val_ds' whatever
    their names.
    """
    model_name, history_name = model, history
    model = model_in(ns, model_name)
    out: dict = {}
    calls = [c for c in rec.fit_calls if model is not None and c["model"] is model]
    out["calls"] = len(calls)
    if calls:
        last = calls[-1]
        x_name = last["x_name"] or rec.dataset_name(last["x"]) or _ns_name(ns, last["x"], datasets)
        if x_name not in (TRAIN, VAL):
            x_name = last["x_desc"].get("given_as")
        val_name = None
        if last["validation_given"]:
            val_name = "blank" if last["validation_blank"] else (
                last["validation_name"] or rec.dataset_name(last["validation"])
                or _ns_name(ns, last["validation"], datasets))
        out["last_call"] = {
            "x": x_name,
            "epochs": last["epochs"],
            "validation_data": val_name,
            "validation_split": last["validation_split"],
            "steps_per_epoch": last["steps_per_epoch"],
            "validation_freq": last["validation_freq"],
            "x_batches": last["x_batches"],
            "train_batches": last["train_batches"],
            # what the arguments were, to explain an error of fit
            "x_desc": last["x_desc"],
            "x_items": last["x_items"],
            "y_given": last["y_given"],
            "validation_desc": last["validation_desc"],
            "error": last["error"],
            "history_is_result": last["history"] is not None and last["history"] is ns.get(history_name),
        }
    out["history"] = history_facts(ns, rec, history_name, model_name)
    if out["history"].get("is_history"):
        h = ns[history_name]
        # The numbers of earlier fits, so a DataFrame or figure made before the latest fit is recognised.
        out["earlier_histories"] = [c["history_data"]["values"] for c in rec.fit_calls
                                    if c["history"] is not None and c["history"] is not h
                                    and c["history_data"] is not None][-5:]
    return out


def history_facts(ns: dict, rec: Recorder, history: str, model: str) -> HistoryFacts:
    """The History bound to ``history``: its numbers as ``fit`` returned them, and whether the fit
    that made it was of the model bound to ``model`` (``from_fit_of`` is then that name)."""
    if history not in ns:
        return {"defined": False}
    h = ns[history]
    if not is_a(h, _History):
        return {"defined": True, "is_history": False, "desc": describe(h)}
    fitted = model_in(ns, model)
    made = next((c for c in reversed(rec.fit_calls) if c["history"] is h), None)
    if made is not None and made["history_data"] is not None:
        data = made["history_data"]  # as fit returned it, whatever was done to it since
        origin = model if fitted is not None and made["model"] is fitted else "other model"
    else:
        data, origin = _history_data(h), "unknown"
    return {"defined": True, "is_history": True, "from_fit_of": origin, **data}


def _ns_name(ns: dict, obj, datasets: tuple[str, ...]) -> str:
    """Fallback (self-check in a notebook): which of the namespace's datasets ``obj`` is now."""
    for name, label in zip(datasets, (TRAIN, VAL)):
        if obj is not None and obj is ns.get(name):
            return label
    return "other"


def plot_facts(ns: dict, rec: Recorder, df: str, fig: str, axes: str, suptitle: str) -> PlotFacts:
    """The DataFrame bound to ``df`` and the figure of the plot: the one bound to ``fig``, else the
    open figure titled ``suptitle``, else the last open figure that is not one of the lesson's own,
    else the figure of ``axes`` or the last figure any name holds."""
    return {"df": dataframe_facts(ns, df), "figure": figure_facts(ns, fig, axes, suptitle)}


def dataframe_facts(ns: dict, name: str) -> DataFrameFacts:
    """The pandas DataFrame bound to ``name``: its columns, length and numbers."""
    if name not in ns:
        return {"defined": False}
    df = ns[name]
    if _type(df) is _DataFrame:  # exactly: a subclass could override what is read here
        columns = list(_df_columns(df))
        return {"defined": True, "is_df": True, "columns": [str(c) for c in columns][:50],
                "rows": int(_df_len(df)),
                "values": {str(c): _floats(_series_tolist(_df_getitem(df, c))) for c in columns[:20]}}
    return {"defined": True, "is_df": False, "desc": describe(df)}


def figure_facts(ns: dict, fig: str, axes: str, suptitle: str) -> FigureFacts:
    """The plot's figure (see :func:`plot_facts`), described; ``found`` False when there is none."""
    found = _find_figure(ns, fig, axes, suptitle)
    return _figure_facts(found) if found is not None else {"found": False}


def _suptitle(fig) -> str:
    title = _raw(fig, "_suptitle")
    return str(_text_get_text(title)) if title is not None else ""


def _find_figure(ns: dict, fig_name: str, axes_name: str, suptitle: str):
    fig = ns.get(fig_name)
    if _type(fig) is _Figure:
        return fig
    candidates = []
    for num in _get_fignums():
        f = _plt_figure(num)
        if _type(f) is not _Figure:
            continue
        if _suptitle(f) == suptitle:
            return f
        if _artist_get_label(f) != LESSON_FIGURE_LABEL:
            candidates.append(f)
    if candidates:
        return candidates[-1]
    return _bound_figure(ns, axes_name, suptitle)


def _bound_figure(ns: dict, axes_name: str, suptitle: str):
    """A figure only the namespace still holds (a notebook's inline backend closes pyplot's figures
    after each cell): the figure of the axes bound to ``axes_name``, else the last figure bound to
    any name (one titled ``suptitle`` first)."""
    axes = ns.get(axes_name)
    items = list(_ndarray_ravel(axes))[:10] if _type(axes) is _ndarray else [axes]
    for ax in items:
        if is_a(ax, _Axes):
            fig = _artist_get_figure(ax)
            if _type(fig) is _Figure:
                return fig
    bound = [v for v in list(ns.values()) if _type(v) is _Figure and _artist_get_label(v) != LESSON_FIGURE_LABEL]
    titled = [f for f in bound if _suptitle(f) == suptitle]
    return (titled or bound or [None])[-1]


def _figure_facts(fig) -> FigureFacts:
    axes = []
    for ax in list(_fig_get_axes(fig))[:10]:
        legend = _ax_get_legend(ax)
        labels = [str(_text_get_text(t)) for t in _legend_get_texts(legend)] if legend is not None else []
        lines = [{"label": str(_artist_get_label(l)), "y": _floats(_line_get_ydata(l))[:200]}
                 for l in list(_ax_get_lines(ax))[:10]]
        axes.append({"legend": labels, "lines": lines, "title": str(_ax_get_title(ax)), "ylabel": str(_ax_get_ylabel(ax))})
    return {"found": True, "suptitle": _suptitle(fig), "axes": axes}


def answer_facts(ns: dict, names: tuple[str, ...]) -> AnswerFacts:
    """Each answer name: whether it is defined and, if so, its value described."""
    return {name: answer_fact(ns, name) for name in names}


def answer_fact(ns: dict, name: str) -> AnswerFact:
    return {"defined": True, **describe(ns[name])} if name in ns else {"defined": False}
