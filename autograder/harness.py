"""Run a submission's cells in this (forked, disposable) process and stream facts after each.

The grader's worker forks a child and calls :func:`child_main` in it. Learner code runs with
``exec`` cell by cell and, like nbgrader's autograde, later cells still run after one fails.
After every cell a snapshot (cell outcomes + facts) is written to a pipe the worker reads, so
whatever the code does next (``os._exit``, an endless loop, a crash) the grader still knows
what was established.

Learner code runs in this very process, so it could reach anything here; the harness makes the
easy ways harmless. :func:`run` takes everything it needs into local variables before the first
cell; the facts are gathered, and the snapshots encoded, by private copies of
:mod:`autograder.facts` and :mod:`json.encoder` that are not in ``sys.modules`` and have their
own copy of the builtins. So replacing, emptying or patching the ``autograder`` modules, ``json``
or ``builtins`` changes nothing the grader sees.

Deleting a graded name (``del model_intro``, ``globals().clear()``) does not undo what was
established: the grader keeps seeing the last object bound to each graded name. Rebinding the
name does count (the last value wins).
"""
from __future__ import annotations

import builtins
import importlib.util
import os
import sys
import tempfile
import traceback
import types

import keras

from . import HARNESS_ENV


class _NoShell:
    """Stands in for ``get_ipython()``: magics and shell escapes do nothing when graded."""

    def run_line_magic(self, *args, **kwargs):
        return None

    def run_cell_magic(self, *args, **kwargs):
        return None

    def system(self, *args, **kwargs):
        return None

    def getoutput(self, *args, **kwargs):
        return []


def _cell_error(exc: BaseException, filename: str, _extract_tb=traceback.extract_tb, _SystemExit=SystemExit,
                _KeyboardInterrupt=KeyboardInterrupt, _isinstance=isinstance, _type=type, _str=str,
                _repr=repr) -> dict:
    # Defaults bind what this needs, so it still works if the module's globals were emptied.
    line = None
    try:
        for frame in _extract_tb(exc.__traceback__):
            if frame.filename == filename:
                line = frame.lineno
    except BaseException:
        pass
    try:
        if _isinstance(exc, _SystemExit):
            code = exc.code
            message = f"the cell called sys.exit({_repr(code)})" if code is not None else "the cell called sys.exit()"
        elif _isinstance(exc, _KeyboardInterrupt):
            message = "the cell raised KeyboardInterrupt"
        else:
            message = _str(exc)
    except BaseException:  # a hostile exception whose __str__ raises
        message = f"<{_type(exc).__name__}>"
    return {"type": _type(exc).__name__, "message": message[:2000], "line": line}


# The names the checks read; the grader keeps the last object bound to each (see above).
GRADED_NAMES = ("model_intro", "train_ds", "val_ds", "history_intro", "history_intro_df", "fig", "axes",
                "loss_trend", "accuracy_trend", "curves_similar", "performs_well_on_new_data", "is_overfitting")


_CODE: dict[str, tuple] = {}  # module name -> (spec, code object), read once in the warm worker


def private_module(name: str) -> types.ModuleType:
    """A fresh copy of a module, not in ``sys.modules``, with its own copy of the builtins."""
    if name not in _CODE:
        spec = importlib.util.find_spec(name)
        _CODE[name] = (spec, spec.loader.get_code(name))
    spec, code = _CODE[name]
    module = importlib.util.module_from_spec(spec)
    module.__builtins__ = dict(vars(builtins))
    exec(code, vars(module))
    return module


def private_facts() -> types.ModuleType:
    """A fresh copy of :mod:`autograder.facts` that learner code cannot find by name."""
    return private_module("autograder.facts")


for _name in ("autograder.facts", "json.encoder"):
    private_module(_name)  # compile now, so every child runs the code the worker started with


def run(cells: list[dict], facts_fd: int, nonce: str, seed: int = 0, facts: types.ModuleType | None = None) -> None:
    """Execute the cells and send a facts snapshot to ``facts_fd`` after each. Never raises."""
    facts = facts if facts is not None else private_facts()
    # Everything the loop uses, taken now: learner code may rebind any global or module later.
    exec_, compile_, write, BaseException_ = exec, compile, os.write, BaseException
    any_, len_, memoryview_, str_ = any, len, memoryview, str
    encode = private_module("json.encoder").JSONEncoder(default=str_).encode
    graded_names = GRADED_NAMES
    gather, cell_error = facts.gather, _cell_error
    recorder = facts.Recorder()
    recorder.install()
    recorder.watch_datasets(sys.modules.get("autograder.data"))
    keras.utils.set_random_seed(seed)
    ns: dict = {"__name__": "__main__", "__builtins__": __builtins__, "_____": facts.BLANK,
                "get_ipython": _NoShell}
    recorder.ns = ns
    outcomes: list[dict] = []
    current: dict = {}
    seen: dict = {}  # graded name -> the last object bound to it

    def snapshot(done: bool, regather: bool = True) -> None:
        if regather:
            for name in graded_names:
                if name in ns:
                    seen[name] = ns[name]
            view = {**ns, **{k: v for k, v in seen.items() if k not in ns}}
            current["facts"] = gather(view, recorder)
        data = memoryview_((encode({"nonce": nonce, "done": done, "cells": outcomes, "facts": current["facts"]})
                            + "\n").encode("utf-8"))
        while len_(data):
            data = data[write(facts_fd, data):]

    def safely(done: bool, regather: bool = True) -> None:
        try:
            snapshot(done, regather)
        except BaseException_:  # a closed pipe, a hostile object: the next snapshot may work
            pass

    safely(False)
    for cell in cells:
        outcome = {"index": cell["index"], "challenge": cell["challenge"], "status": "ok", "error": None}
        outcomes.append(outcome)
        if any_(p["kind"] == "syntax" for p in cell["problems"]):
            outcome["status"] = "syntax_error"
            continue
        filename = f"<cell {cell['index'] + 1}>"
        outcome["status"] = "running"
        safely(False, regather=False)  # so a kill during this cell is attributed to it
        try:
            exec_(compile_(cell["python"], filename, "exec"), ns)
            outcome["status"] = "ok"
        except BaseException_ as exc:  # SystemExit and KeyboardInterrupt included: go on like autograde
            outcome["status"] = "error"
            outcome["error"] = cell_error(exc, filename)
        safely(False)
    safely(True)


def child_main(job: dict, nonce: str, facts_fd: int) -> None:
    """Entry in the forked child: working directory, environment, data choice, then run."""
    workdir = job["workdir"]
    os.chdir(workdir)
    os.environ["HOME"] = os.environ["TMPDIR"] = workdir
    tempfile.tempdir = workdir
    os.environ["AUTOGRADER_DATA"] = job.get("data", "sample")
    os.environ[HARNESS_ENV] = "1"  # the lesson's own self-check calls stay silent
    sys.argv = [job.get("name", "submission")]
    cells, seed = job["cells"], job.get("seed", 0)
    job.clear()  # nothing of the grader's paths needs to stay visible to learner code
    run(cells, facts_fd, nonce, seed, private_facts())
