"""The fact groups of this exercise, gathered in the learner's process.

Compile, fit, plot and the answers are the engine's generic collectors on this exercise's names; the
``model`` group is this exercise's own: the layers of its model in order, each recognised by its Keras
class (by identity and the class's original MRO, see ``facts.is_a``), the Dropout rates as given, and
whether the setup's model without dropout took the new model's place. The grading harness runs a
private copy of this module with ``facts`` bound to its private facts module, before any learner code
runs; every Keras class and accessor is taken here, at load time.
"""
from __future__ import annotations

import types
from typing import Callable

import keras

try:
    facts  # noqa: B018 - bound by the harness before this code runs
except NameError:
    from autograder.facts import gather as facts

from . import table as _table

_NAMES: dict[str, str] = {str(k): str(v) for k, v in _table.NAMES.items()}
MODEL, HISTORY, DF = _NAMES["model"], _NAMES["history"], _NAMES["df"]
FIG, AXES, SUPTITLE = _NAMES["fig"], _NAMES["axes"], _NAMES["suptitle"]
DATASETS: tuple[str, str] = (_NAMES["train"], _NAMES["val"])
OLD_MODEL: str = str(_table.OLD_MODEL)
ANSWERS: tuple[str, ...] = tuple(str(n) for n in _table.ANSWERS)
del _table

_Model = keras.Model
_Sequential = keras.Sequential
_model_layers = keras.Model.__dict__["layers"].fget
_sequential_layers = keras.Sequential.__dict__["layers"].fget
# Layer kinds by class, most specific first (a subclass of Dense is a Dense).
_KINDS: tuple[tuple[str, type], ...] = (
    ("Dropout", keras.layers.Dropout), ("Dense", keras.layers.Dense), ("Conv2D", keras.layers.Conv2D),
    ("MaxPooling2D", keras.layers.MaxPooling2D), ("Flatten", keras.layers.Flatten), ("Input", keras.layers.InputLayer),
)
_function_name = types.FunctionType.__dict__["__name__"].__get__
_FunctionType = types.FunctionType
_type = type
_isinstance = isinstance
_str = str
_list = list
_tuple = tuple
_int = int
_MAX_LAYERS = 50


def _kind(layer) -> str:
    for name, cls in _KINDS:
        if facts.is_a(layer, cls):
            return name
    return "other"


def _activation(layer) -> str | None:
    fn = facts._raw(layer, "activation")
    if _type(fn) is _FunctionType:
        return _str(_function_name(fn))
    return None if fn is None else _str(_type(fn).__name__)


def _ints(value) -> list[int] | None:
    """A size as plain ints (Keras keeps `kernel_size` and `pool_size` as tuples), else None."""
    if _type(value) is _int:
        return [value]
    if _type(value) in (_tuple, _list) and value and all(_type(v) is _int for v in value):
        return [v for v in value]
    return None


def layer_fact(layer) -> dict:
    """One layer: its kind, name, and what the checks read of it (the settings of the layers the new
    model keeps, so that a changed layer is seen)."""
    kind = _kind(layer)
    name = facts._raw(layer, "name")
    out: dict = {"kind": kind, "name": _str(name)[:80] if _isinstance(name, _str) else ""}
    if kind == "Dropout":
        out["rate"] = facts.describe(facts._raw(layer, "rate"))
    elif kind == "Dense":
        units = facts._raw(layer, "units")
        out["units"] = units if _type(units) is _int else None
        out["activation"] = _activation(layer)
    elif kind == "Conv2D":
        filters = facts._raw(layer, "filters")
        out["filters"] = filters if _type(filters) is _int else None
        out["kernel_size"] = _ints(facts._raw(layer, "kernel_size"))
        out["activation"] = _activation(layer)
    elif kind == "MaxPooling2D":
        out["pool_size"] = _ints(facts._raw(layer, "pool_size"))
    return out


def model_facts(ns: dict, rec) -> dict:
    """The exercise's model: its layers in order, and whether it is the setup's model without dropout."""
    if MODEL not in ns:
        return {"model": "missing"}
    model = facts.model_in(ns, MODEL)
    if model is None:
        return {"model": "not_model", "desc": facts.describe(ns[MODEL])}
    old = facts.model_in(ns, OLD_MODEL)
    getter = _sequential_layers if facts.is_a(model, _Sequential) else _model_layers
    layers = [layer_fact(layer) for layer in _list(getter(model))[:_MAX_LAYERS]]
    return {"model": "ok", "is_old_model": old is not None and model is old, "layers": layers}


def _compile(ns: dict, rec) -> dict:
    return facts.compile_facts(ns, rec, MODEL)


def _fit(ns: dict, rec) -> dict:
    return facts.fit_facts(ns, rec, MODEL, HISTORY, DATASETS)


def _plot(ns: dict, rec) -> dict:
    return facts.plot_facts(ns, rec, DF, FIG, AXES, SUPTITLE)


def _answers(ns: dict, rec) -> dict:
    return facts.answer_facts(ns, ANSWERS)


COLLECTORS: dict[str, Callable[[dict, object], dict]] = {
    "model": model_facts, "compile": _compile, "fit": _fit, "plot": _plot, "answers": _answers,
}
