"""Run a submission's cells in this (forked, disposable) process and stream facts after each.

The grader's worker forks a child and calls :func:`child_main` in it. Learner code runs with
``exec`` cell by cell and, like nbgrader's autograde, later cells still run after one fails.
After every cell a snapshot (cell outcomes + facts) is written to a pipe the worker reads, so
whatever the code does next (``os._exit``, an endless loop, a crash) the grader still knows
what was established.

Learner code runs in this very process, so it could reach anything here; the harness makes the
easy ways harmless. :func:`run` takes everything it needs into local variables before the first
cell; the facts are gathered, and the snapshots encoded, by private copies of
:mod:`autograder.facts.gather`, of the exercise's collectors (its ``collect.py``, whose global ``facts``
is the private facts module) and of :mod:`json.encoder`, that are not in ``sys.modules`` and have
their own copy of the builtins. So replacing, emptying or patching the ``autograder`` modules
(the exercise's table included), ``json`` or ``builtins`` changes nothing the grader sees.

Cells run with IPython's semantics for magics and shell escapes, as in a notebook: see
:class:`_Shell` and :func:`run_magic_cell` (what each magic does is the table in rubric.py).

Deleting a graded name (``del`` of the exercise's model, ``globals().clear()``) does not undo what was
established: the grader keeps seeing the last object bound to each graded name. Rebinding the
name does count (the last value wins).
"""
from __future__ import annotations

import _thread
import ast
import builtins
import contextlib
import importlib.util
import os
import sys
import tempfile
import time
import traceback
import types

import keras
from IPython.core.display_functions import display
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output
from IPython.utils.text import SList

from autograder import HARNESS_ENV
from autograder.judge.rubric import CELL_MAGICS, LINE_MAGICS
from autograder.read.source import magic_arguments, split_cell_magics

magic_arguments("time", "", cell=False)  # loads IPython's option parsers in the warm worker, before any fork
WATCH_SECONDS = 0.2  # how often the line a cell is running is looked up (see ``run``)


# --- IPython semantics: magics and shell escapes ------------------------------------------------
# source.py turned the cells as IPython does: a cell magic is recorded on the cell (its body is the
# cell's code), line magics and shell escapes became get_ipython() calls. The table of what each
# magic does when graded is rubric.CELL_MAGICS / rubric.LINE_MAGICS.

def _parse_at(code: str, filename: str, first_line: int, _parse=ast.parse, _increment=ast.increment_lineno) -> ast.Module:
    """Parse code whose first line is line ``first_line`` of ``filename`` (errors name that line)."""
    tree = _parse(code, filename, "exec")
    if first_line > 1:
        _increment(tree, first_line - 1)
    return tree


def _in_own_function(tree: ast.Module, filename: str, glob: dict, _parse=ast.parse, _compile=compile,
                     _exec=exec) -> None:
    """Run code once as the body of a function of its own whose globals are ``glob``: IPython's
    ``%timeit`` runs its code so (names it assigns are not kept), but we do not loop."""
    template = _parse("def _timeit_inner():\n    pass\n", filename, "exec")
    if tree.body:
        template.body[0].body = tree.body
    scope: dict = {}
    _exec(_compile(template, filename, "exec", dont_inherit=True), glob, scope)
    scope["_timeit_inner"]()


def _exec_returning(tree: ast.Module, filename: str, glob: dict, loc, _compile=compile, _exec=exec,
                    _eval=eval, _isinstance=isinstance, _Expr=ast.Expr, _Expression=ast.Expression,
                    _Module=ast.Module):
    """Run code; return the value of its last statement when that is an expression (``%time``)."""
    body = tree.body
    if body and _isinstance(body[-1], _Expr):
        if len(body) > 1:
            _exec(_compile(_Module(body[:-1], []), filename, "exec", dont_inherit=True), glob, loc)
        return _eval(_compile(_Expression(body[-1].value), filename, "eval", dont_inherit=True), glob, loc)
    _exec(_compile(tree, filename, "exec", dont_inherit=True), glob, loc)
    return None


def _line_magic(name: str, line: str, frame: types.FrameType, _kinds=LINE_MAGICS, _UsageError=UsageError,
                _SList=SList, _arguments=magic_arguments, _parse_at=_parse_at, _in_own_function=_in_own_function,
                _exec_returning=_exec_returning, _compile=compile, _exec=exec, _print_exc=traceback.print_exc):
    """``%name line``, called from ``frame``: its statement is compiled at the caller's file and line."""
    kind = _kinds.get(name)
    if kind is None:
        raise _UsageError(f"Line magic function `%{name}` not found.")
    if kind != "python":
        return _SList() if name in ("sx", "system") else None
    args = _arguments(name, line, cell=False)
    code = args["code"]
    if not code.strip():
        return None
    filename, glob, loc = frame.f_code.co_filename, frame.f_globals, frame.f_locals
    tree = _parse_at(code, filename, frame.f_lineno)
    if name == "timeit":
        _in_own_function(tree, filename, glob)
        return None
    if name == "prun":  # IPython profiles in the notebook's namespace
        _exec(_compile(tree, filename, "exec", dont_inherit=True), glob, glob)
        return None
    try:  # %time returns the value of a final expression (``t = %time f()``)
        return _exec_returning(tree, filename, glob, loc)
    except Exception:
        if not args.get("no_raise_error"):
            raise
        _print_exc()
        return None


def _raise_at(error: BaseException, filename: str, line: int, _compile=compile, _exec=exec) -> None:
    """Raise ``error`` as if from line ``line`` of ``filename``, so it is attributed to that line."""
    _exec(_compile("\n" * max(line - 1, 0) + "raise _error", filename, "exec", dont_inherit=True), {"_error": error})


def _captured(captures: list[dict], run, ns: dict, _capture=capture_output, _ExitStack=contextlib.ExitStack) -> None:
    """Run ``run()`` under ``%%capture`` magics (outermost first), binding each one's CapturedIO."""
    with _ExitStack() as stack:
        bound = []
        try:
            for magic in captures:
                io = stack.enter_context(_capture(magic.get("stdout", True), magic.get("stderr", True),
                                                  magic.get("display", True)))
                bound.append((magic.get("output"), io))
            run()
        finally:  # bound even when the body raised, as IPython does
            for name, io in bound:
                if name:
                    ns[name] = io


def run_magic_cell(magics: list[dict], python: str, filename: str, ns: dict, offset: int = 0,
                   _UsageError=UsageError, _compile=compile, _exec=exec, _any=any, _raise_at=_raise_at,
                   _parse_at=_parse_at, _in_own_function=_in_own_function, _captured=_captured) -> None:
    """Run a cell's code under its cell magics as IPython would, but once: a magic IPython would
    refuse (unknown, bad arguments) raises its UsageError at the magic's line; under a display,
    set-up or shell magic nothing runs; ``%%capture`` captures; ``%%timeit`` runs in a function."""
    for magic in magics:
        if magic.get("error"):
            _raise_at(_UsageError(magic["error"]), filename, magic["line"] + offset)
        if magic.get("kind") != "python":
            return
    tree = _parse_at(python, filename, offset + 1)
    if _any(m.get("name") == "timeit" for m in magics):
        def run() -> None:
            _in_own_function(tree, filename, ns)
    else:
        code = _compile(tree, filename, "exec", dont_inherit=True)

        def run() -> None:
            _exec(code, ns)
    _captured([m for m in magics if m.get("name") == "capture"], run, ns)


def _cell_magic(name: str, line: str, cell: str, frame: types.FrameType, _kinds=CELL_MAGICS,
                _UsageError=UsageError, _split=split_cell_magics, _run=run_magic_cell):
    """An explicit ``get_ipython().run_cell_magic(...)`` call (a cell's first-line magic never gets here)."""
    if name not in _kinds:
        raise _UsageError(f"Cell magic `%%{name}` not found.")
    magics, python = _split(f"%%{name} {line}\n{cell}")
    _run(magics, python, frame.f_code.co_filename, frame.f_globals, frame.f_lineno - 1)


class _Shell:
    """What ``get_ipython()`` returns while grading. Python magics (``%time``, ``%timeit``,
    ``%prun`` and their cell forms) run their code once in the caller's namespace; display and
    set-up magics do nothing; shell escapes and shell magics do not run; unknown magics raise
    UsageError, as in IPython without them. It holds nothing of the grader's."""

    def __repr__(self) -> str:
        return "<autograder's stand-in for IPython>"

    # (Defaults bind what the methods use, so they still work if the module's globals were emptied.)
    def run_line_magic(self, magic_name: str, line: str, _stack_depth: int = 1, *, _getframe=sys._getframe,
                       _str=str, _line_magic=_line_magic):
        return _line_magic(_str(magic_name), _str(line), _getframe(_stack_depth))

    def run_cell_magic(self, magic_name: str, line: str, cell: str, *, _getframe=sys._getframe, _str=str,
                       _cell_magic=_cell_magic):
        return _cell_magic(_str(magic_name), _str(line), _str(cell), _getframe(1))

    def system(self, cmd: str) -> None:
        return None

    def getoutput(self, cmd: str, split: bool = True, depth: int = 0, *, _SList=SList) -> SList:
        return _SList()


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


_CODE: dict[str, tuple] = {}  # module name -> (spec, code object), read once in the warm worker


def _code(name: str) -> tuple:
    if name not in _CODE:
        spec = importlib.util.find_spec(name)
        if spec is None:
            raise ModuleNotFoundError(f"no module named {name!r}", name=name)
        _CODE[name] = (spec, spec.loader.get_code(name))
    return _CODE[name]


def private_module(name: str, bind: dict | None = None) -> types.ModuleType:
    """A fresh copy of a module, not in ``sys.modules``, with its own copy of the builtins and the
    globals ``bind`` set before its code runs."""
    spec, code = _code(name)
    module = importlib.util.module_from_spec(spec)
    module.__builtins__ = dict(vars(builtins))
    vars(module).update(bind or {})
    exec(code, vars(module))
    return module


def private_facts() -> types.ModuleType:
    """A fresh copy of :mod:`autograder.facts.gather` that learner code cannot find by name."""
    return private_module("autograder.facts.gather")


def private_collectors(exercise, facts: types.ModuleType | None = None) -> types.ModuleType:
    """A fresh copy of an exercise's collectors module (``COLLECTORS``; optional ``DATASETS``, the
    namespace names of its datasets), its global ``facts`` bound to ``facts`` (a new private facts
    module by default) before its code runs."""
    return private_module(exercise.collectors_module, {"facts": facts if facts is not None else private_facts()})


def precompile(exercises_: list) -> None:
    """Compile (and try once) every exercise's collectors now, in the warm worker, so every child
    runs the code the worker started with."""
    facts = private_facts()
    for exercise in exercises_:
        private_collectors(exercise, facts)


for _name in ("autograder.facts.gather", "json.encoder"):
    private_module(_name)  # compile now, so every child runs the code the worker started with


def run(cells: list[dict], facts_fd: int, nonce: str, collectors: types.ModuleType,
        graded_names: tuple[str, ...], seed: int = 0, started: float | None = None,
        marks: list | None = None) -> None:
    """Execute the cells and send a facts snapshot to ``facts_fd`` after each. Never raises.

    Each finished cell's outcome carries its wall and CPU seconds, and the snapshot's ``timing``
    what the harness itself spent: setting up since ``started`` (``time.monotonic()`` before the
    fork) and gathering and sending facts; ``marks`` (profiling only) are ``[label, wall, cpu]``
    points the profiler adds, sent as they are, and ``["cell", wall, cpu, index]`` at each cell's start.

    While a cell runs, a watcher thread looks up which of its lines is running (every
    WATCH_SECONDS) and, when that changes, sends a snapshot saying so: when a limit stops the
    run, the grader can name the cell and the line.

    ``collectors``: the exercise's private collectors module (:func:`private_collectors`); the facts
    are gathered by the private facts module it holds. ``graded_names``: the exercise's graded names.
    """
    facts = vars(collectors)["facts"]
    # Everything the loop uses, taken now: learner code may rebind any global or module later.
    exec_, compile_, write, BaseException_ = exec, compile, os.write, BaseException
    any_, len_, memoryview_, str_, round_ = any, len, memoryview, str, round
    clock, cpu_clock, monotonic = time.perf_counter, time.process_time, time.monotonic
    encode = private_module("json.encoder").JSONEncoder(default=str_).encode
    graded_names = tuple(str_(n) for n in graded_names)
    groups = dict(collectors.COLLECTORS)
    gather, cell_error, run_magic_cell_, cell_filename = facts.gather, _cell_error, run_magic_cell, facts.cell_filename
    lock, current_frames, sleep, main_thread = _thread.allocate_lock(), sys._current_frames, time.sleep, _thread.get_ident()
    recorder = facts.Recorder(tuple(vars(collectors).get("DATASETS", ())), build_before_fit=True)
    recorder.install()
    recorder.watch_datasets(sys.modules.get("autograder.data"))
    keras.utils.set_random_seed(seed)
    shell = _Shell()

    def get_ipython() -> _Shell:
        return shell

    ns: dict = {"__name__": "__main__", "__builtins__": __builtins__, "_____": facts.BLANK,
                "get_ipython": get_ipython, "display": display}
    recorder.ns = ns
    outcomes: list[dict] = []
    current: dict = {"facts_json": "{}"}
    seen: dict = {}  # graded name -> the last object bound to it
    watch: dict = {"outcome": None, "filename": None, "stop": False}
    timing: dict = {"setup_seconds": 0.0, "setup_cpu": 0.0, "facts_seconds": 0.0, "facts_cpu": 0.0, "snapshots": 0}
    if marks is not None:
        timing["marks"] = marks

    def snapshot(done: bool, regather: bool = True) -> None:
        wall0, cpu0 = clock(), cpu_clock()
        if regather:
            for name in graded_names:
                if name in ns:
                    seen[name] = ns[name]
            view = {**ns, **{k: v for k, v in seen.items() if k not in ns}}
            current["facts_json"] = encode(gather(view, recorder, groups))
        # One writer at a time (this loop or the watcher); a lock left held by a thread that a
        # fork did not copy must not block the copy forever.
        locked = lock.acquire(True, 2.0)
        try:
            text = (f'{{"nonce": {encode(nonce)}, "done": {encode(done)}, "cells": {encode(outcomes)}, '
                    f'"timing": {encode(timing)}, "facts": {current["facts_json"]}}}\n')
            data = memoryview_(text.encode("utf-8"))
            while len_(data):
                data = data[write(facts_fd, data):]
        finally:
            timing["facts_seconds"] = round_(timing["facts_seconds"] + clock() - wall0, 4)
            timing["facts_cpu"] = round_(timing["facts_cpu"] + cpu_clock() - cpu0, 4)
            timing["snapshots"] += 1
            if locked:
                lock.release()

    def safely(done: bool, regather: bool = True) -> None:
        try:
            snapshot(done, regather)
        except BaseException_:  # a closed pipe, a hostile object: the next snapshot may work
            pass

    def watcher() -> None:
        while not watch["stop"]:
            sleep(WATCH_SECONDS)
            try:
                outcome, filename = watch["outcome"], watch["filename"]
                frame = current_frames().get(main_thread) if outcome is not None else None
                line = None
                while frame is not None:  # the innermost frame running this cell's code
                    if frame.f_code.co_filename == filename:
                        line = frame.f_lineno
                        break
                    frame = frame.f_back
                frame = None
                if (line is not None and line != outcome["line"] and watch["outcome"] is outcome
                        and outcome["status"] == "running"):
                    outcome["line"] = line
                    safely(False, regather=False)
            except BaseException_:
                pass

    if started is not None:
        timing["setup_seconds"], timing["setup_cpu"] = round_(monotonic() - started, 4), round_(cpu_clock(), 4)
    safely(False)
    try:
        _thread.start_new_thread(watcher, ())
    except BaseException_:
        pass  # no thread: limits then name the cell but not the line
    for cell in cells:
        outcome = {"index": cell["index"], "challenge": cell["challenge"], "status": "ok", "error": None, "line": None}
        outcomes.append(outcome)
        if any_(p["kind"] == "syntax" for p in cell["problems"]):
            outcome["status"] = "syntax_error"
            continue
        filename = cell_filename(cell["index"])
        outcome["status"] = "running"
        watch["filename"], watch["outcome"] = filename, outcome
        safely(False, regather=False)  # so a kill during this cell is attributed to it
        wall0, cpu0 = clock(), cpu_clock()
        if marks is not None:
            marks.append(["cell", wall0, cpu0, cell["index"]])
        try:
            if cell.get("magics"):
                run_magic_cell_(cell["magics"], cell["python"], filename, ns)
            else:
                exec_(compile_(cell["python"], filename, "exec", dont_inherit=True), ns)
            outcome["status"] = "ok"
        except BaseException_ as exc:  # SystemExit and KeyboardInterrupt included: go on like autograde
            outcome["status"] = "error"
            outcome["error"] = cell_error(exc, filename)
        outcome["seconds"], outcome["cpu_seconds"] = round_(clock() - wall0, 4), round_(cpu_clock() - cpu0, 4)
        watch["outcome"] = None
        safely(False)
    watch["stop"] = True
    safely(True)


def child_main(job: dict, nonce: str, facts_fd: int) -> None:
    """Entry in the forked child: the job's exercise, working directory, environment, data choice, then run."""
    from autograder import exercises  # the registry, imported in the warm worker before the fork

    exercise = exercises.get(job["exercise"]) if job.get("exercise") else exercises.first()
    collectors, graded_names = private_collectors(exercise), exercise.graded_names
    workdir = job["workdir"]
    os.chdir(workdir)
    os.environ["HOME"] = os.environ["TMPDIR"] = workdir
    tempfile.tempdir = workdir
    os.environ["AUTOGRADER_DATA"] = job.get("data", "sample")
    os.environ[HARNESS_ENV] = "1"  # the lesson's own self-check calls stay silent
    sys.argv = [job.get("name", "submission")]
    cells, seed, started = job["cells"], job.get("seed", 0), job.get("forked_at")
    marks = _profile_fits() if job.get("profile") else None
    job.clear()  # nothing of the grader's paths needs to stay visible to learner code
    run(cells, facts_fd, nonce, collectors, graded_names, seed, started, marks)


def _profile_fits() -> list:
    """Profiling only (the benchmark asks for it; grading never does): every ``fit`` records
    when training began, each epoch ended and training ended, as ``[label, wall, cpu]``, by
    wrapping the History callback that every fit has. The first epoch includes tracing the
    train and test functions; the others run the traced graphs."""
    marks: list = []
    history = keras.callbacks.History

    def marked(name: str, label: str) -> None:
        original = getattr(history, name)

        def method(self, *args, **kwargs):
            marks.append([label, time.perf_counter(), time.process_time()])
            return original(self, *args, **kwargs)

        setattr(history, name, method)

    marked("on_train_begin", "train_begin")
    marked("on_epoch_end", "epoch_end")
    marked("on_train_end", "train_end")
    return marks
