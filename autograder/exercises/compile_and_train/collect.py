"""The fact groups of this exercise, gathered in the learner's process by the engine's generic collectors.

The grading harness runs a private copy of this module with ``facts`` already bound to its private
copy of :mod:`autograder.facts.gather`, before any learner code runs; imported normally (the self-check in a
notebook), it uses :mod:`autograder.facts.gather`. Everything taken from the table is copied here, at load
time, into strings and tuples: learner code that empties the table later changes nothing.
"""
from __future__ import annotations

from typing import Callable

try:
    facts  # noqa: B018 - bound by the harness before this code runs
except NameError:
    from autograder.facts import gather as facts

from . import table as _table

_NAMES: dict[str, str] = {str(k): str(v) for k, v in _table.NAMES.items()}
MODEL, HISTORY, DF = _NAMES["model"], _NAMES["history"], _NAMES["df"]
FIG, AXES, SUPTITLE = _NAMES["fig"], _NAMES["axes"], _NAMES["suptitle"]
DATASETS: tuple[str, str] = (_NAMES["train"], _NAMES["val"])  # the harness's Recorder looks these up
# The answers: the graded names that are not the objects above.
ANSWERS: tuple[str, ...] = tuple(str(n) for n in _table.GRADED_NAMES if n not in _NAMES.values())
del _table


def _compile(ns: dict, rec) -> dict:
    return facts.compile_facts(ns, rec, MODEL)


def _fit(ns: dict, rec) -> dict:
    return facts.fit_facts(ns, rec, MODEL, HISTORY, DATASETS)


def _plot(ns: dict, rec) -> dict:
    return facts.plot_facts(ns, rec, DF, FIG, AXES, SUPTITLE)


def _answers(ns: dict, rec) -> dict:
    return facts.answer_facts(ns, ANSWERS)


COLLECTORS: dict[str, Callable[[dict, object], dict]] = {
    "compile": _compile, "fit": _fit, "plot": _plot, "answers": _answers,
}
