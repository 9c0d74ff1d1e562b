"""In-notebook self-check for self-learners, in the learner's own kernel.

The lesson calls ``selfcheck.start()`` in its setup (it starts recording how ``compile`` and
``fit`` are called, and how each challenge cell last ended, as the grader's harness records
cell outcomes), then ``selfcheck.check("compile")`` after a challenge. The live objects are
read from the notebook's namespace, turned into the same facts the grader gathers (with the
exercise's own collectors), and judged by the same checks, so the verdict and the feedback are
the CLI's. Nothing is retrained. Self-check is feedback only: grades are never made in the
learner's kernel.

The kernel's exercise: the one ``start(exercise)`` names; else the one the notebook's own
metadata names (when the kernel can find its notebook file); else the one whose own names the
namespace holds at the first check; else the only exercise with a challenge of the name asked;
else the course's first exercise.
"""
from __future__ import annotations

import difflib
import importlib.util
import json
import os
import sys
import traceback
from dataclasses import asdict
from pathlib import Path
from typing import Callable

from autograder import exercises, in_grader
from autograder.facts import gather as facts
from autograder.judge import rubric
from autograder.judge.checks import Result, evaluate
from autograder.exercises import Exercise
from autograder.facts.gather import BLANK, Recorder, gather
from autograder.read.source import blank_problems, guess_challenge

_recorder = Recorder()
# The latest run of each challenge's cell in this kernel, as the grader's harness records cell
# outcomes: {"count", "status", "error", "syntax"}, keyed by (exercise name, challenge): a cell
# is recognised by each exercise's own hints, as the kernel's exercise may be known only later.
# Kept by IPython hooks (see `start`).
_cells: dict[tuple[str, str], dict] = {}
# The kernel's exercise, once known: forced by `start(name)`, or found in the notebook's metadata
# or in the names of its namespace.
_exercise: Exercise | None = None
_collectors: dict[str, dict[str, Callable]] = {}  # exercise name -> its COLLECTORS, loaded once
_MAX_NOTEBOOK_BYTES = 5_000_000


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _namespace() -> dict:
    shell = _shell()
    return shell.user_ns if shell is not None else vars(sys.modules["__main__"])


def start(exercise: Exercise | str | None = None) -> None:
    """Start recording compile/fit calls and how challenge cells end, so the checks see what the grader sees.

    ``exercise`` (an Exercise or its name) fixes the kernel's exercise; None finds it (see the
    module docstring). An unknown name raises ``exercises.UnknownExercise`` listing the exercises.
    """
    global _exercise
    if in_grader():
        return
    if exercise is not None:
        _exercise = exercises.get(exercise)
    _recorder.install()
    shell = _shell()
    if shell is None:
        return
    # As when graded: a blank is a placeholder that says it is unfilled wherever it is used.
    shell.user_ns.setdefault("_____", BLANK)
    for event, hook in (("pre_run_cell", _before_cell), ("post_run_cell", _after_cell)):
        if not any(getattr(f, "__qualname__", "") == hook.__qualname__ and getattr(f, "__module__", "") == __name__
                   for f in shell.events.callbacks.get(event, [])):
            shell.events.register(event, hook)


def _place(count: int | None) -> str:
    return f"your cell In [{count}]" if count is not None else "your cell"


def _challenges_of(info) -> list[tuple[str, str]]:
    """The (exercise name, challenge) a cell answers, for each exercise that recognises it."""
    code = getattr(info, "raw_cell", None)
    if not isinstance(code, str):
        return []
    found = []
    for ex in ([_exercise] if _exercise is not None else exercises.all_exercises()):
        challenge = guess_challenge(code, ex)
        if challenge is not None:
            found.append((ex.name, challenge))
    return found


def _before_cell(info) -> None:
    """IPython hook: a challenge cell that runs again has no outcome until it ends (a self-check
    in the same cell must not see the previous run's error)."""
    try:
        for key in _challenges_of(info):
            _cells.pop(key, None)
    except Exception:
        pass


def _after_cell(result) -> None:
    """IPython hook: record how the cell of a challenge ended (ok, error with its line, syntax error)."""
    try:
        for key in _challenges_of(result.info):
            _record_cell(result, *key)
    except Exception:  # the learner's kernel must never be disturbed by the self-check
        pass


def _record_cell(result, exercise: str, challenge: str) -> None:
    count = result.execution_count
    record = {"count": count, "status": "ok", "error": None, "syntax": None}
    before, during = result.error_before_exec, result.error_in_exec
    if isinstance(before, SyntaxError):
        line, col = before.lineno or 1, before.offset or 1
        record["status"] = "syntax_error"
        record["syntax"] = {"kind": "syntax", "cell": count, "line": line, "col": col,
                            "where": f"{_place(count)}, line {line}", "challenge": challenge,
                            "message": f"{before.msg} (column {col})", "code": ""}
    elif before is not None or during is not None:
        record["status"] = "error"
        record["error"] = _cell_error(during if during is not None else before)
    _cells[(exercise, challenge)] = record


def _cell_error(exc: BaseException) -> dict:
    """The error as the grader's harness reports it: type, message, line in the cell."""
    if isinstance(exc, SystemExit):
        message = f"the cell called sys.exit({exc.code!r})" if exc.code is not None else "the cell called sys.exit()"
    elif isinstance(exc, KeyboardInterrupt):
        message = "the cell raised KeyboardInterrupt"
    else:
        try:
            message = str(exc)
        except Exception:
            message = f"<{type(exc).__name__}>"
    return {"type": type(exc).__name__, "message": message[:2000], "line": _cell_line(exc)}


def _cell_line(exc: BaseException) -> int | None:
    """The last line of the cell itself in the traceback (the cell is the first module-level
    frame run in the notebook's namespace)."""
    shell = _shell()
    cell_file, line = None, None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        code = frame.f_code
        if cell_file is None and code.co_name == "<module>" and shell is not None and frame.f_globals is shell.user_global_ns:
            cell_file = code.co_filename
        if cell_file is not None and code.co_filename == cell_file:
            line = lineno
    return line


def _notebook_file(ns: dict) -> Path | None:
    """The notebook this kernel runs, where the front end says so: VS Code's ``__vsc_ipynb_file__``,
    Jupyter's ``__session__`` (ipykernel) or ``JPY_SESSION_NAME``."""
    for candidate in (ns.get("__vsc_ipynb_file__"), ns.get("__session__"), os.environ.get("JPY_SESSION_NAME")):
        if isinstance(candidate, str) and candidate.endswith((".ipynb", ".py")):
            path = Path(candidate)
            if path.is_file():
                return path
    return None


def notebook_metadata(ns: dict) -> dict | None:
    """The metadata of the kernel's own notebook (a .ipynb, or a percent script's jupytext
    header), or None when the kernel cannot find or read it."""
    try:
        path = _notebook_file(ns)
        if path is None or path.stat().st_size > _MAX_NOTEBOOK_BYTES:
            return None
        if path.suffix == ".ipynb":
            metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata")
        else:
            import jupytext

            metadata = jupytext.reads(path.read_text(encoding="utf-8"), fmt="py:percent").metadata
        return metadata if isinstance(metadata, dict) else None
    except Exception:  # unreadable, not JSON, ...: the names will tell
        return None


def _from_names(ns: dict) -> Exercise | None:
    """The exercise whose own names (its table's ``SIGNATURE_NAMES``) the namespace holds most
    of; None when none or a tie."""
    scores = sorted(((sum(name in ns for name in getattr(ex.table, "SIGNATURE_NAMES", ())), ex)
                     for ex in exercises.all_exercises()), key=lambda s: -s[0])
    if not scores or scores[0][0] == 0 or (len(scores) > 1 and scores[1][0] == scores[0][0]):
        return None
    return scores[0][1]


def exercise_of(ns: dict | None = None, challenge: object = None) -> Exercise:
    """The exercise the checks of this kernel (``ns`` None) or of namespace ``ns`` judge (see the
    module docstring); what the kernel's own notebook or names say is kept for later checks."""
    global _exercise
    if _exercise is not None:
        return _exercise
    live = ns is None
    ns = _namespace() if live else ns
    found = exercises.from_metadata(notebook_metadata(ns)) or _from_names(ns)
    if found is not None:
        if live:
            _exercise = found
        return found
    text = " ".join(challenge.split()).lower() if isinstance(challenge, str) else None
    having = [ex for ex in exercises.all_exercises()
              if text is not None and any(text in (key, c.title.lower()) for key, c in ex.challenges.items())]
    return having[0] if len(having) == 1 else exercises.first()


def collectors(exercise: Exercise | str) -> dict[str, Callable]:
    """The exercise's fact collectors (``COLLECTORS`` of its ``collect`` module), loaded once with
    its global ``facts`` bound to this kernel's facts module before its code runs (in the learner's
    own kernel there is nothing to hide them from)."""
    ex = exercises.get(exercise)
    if ex.name not in _collectors:
        spec = importlib.util.find_spec(ex.collectors_module)
        if spec is None:
            raise RuntimeError(f"exercise {ex.name} has no fact collectors ({ex.collectors_module})")
        module = importlib.util.module_from_spec(spec)
        module.facts = facts
        spec.loader.exec_module(module)
        _collectors[ex.name] = module.COLLECTORS
    return _collectors[ex.name]


def challenge_key(name: object, exercise: Exercise | str | None = None) -> str | None:
    """The challenge of ``exercise`` (None: the kernel's) a learner meant: its key or title, in
    any case and spacing; None if none."""
    if not isinstance(name, str):
        return None
    ex = exercises.get(exercise) if exercise is not None else exercise_of(challenge=name)
    text = " ".join(name.split()).lower()
    return next((key for key, c in ex.challenges.items() if text in (key, c.title.lower())), None)


def _unknown_challenge(name: object, exercise: Exercise) -> None:
    """One line naming the valid challenges (and the closest one), instead of a traceback."""
    messages = rubric.SELFCHECK_MESSAGES
    close = difflib.get_close_matches(" ".join(str(name).split()).lower(), list(exercise.challenges), n=1, cutoff=0.6)
    suggestion = messages["suggestion"].format(name=close[0]) if close else ""
    given = repr(name) if len(repr(name)) <= 60 else repr(name)[:57] + "..."
    print(messages["unknown_challenge"].format(given=given, suggestion=suggestion,
                                               names=", ".join(f'"{k}"' for k in exercise.challenges)))


def results(challenge: str, ns: dict | None = None, exercise: Exercise | str | None = None) -> list[Result]:
    """The verdicts for one challenge's checks of ``exercise`` (None: the kernel's, or the one
    ``ns`` holds the names of), from the live objects (an unknown name prints the valid ones and
    gives no verdicts).

    In the notebook (``ns`` not given) the checks also see how each challenge's cell last
    ended, as the grader sees cell outcomes.
    """
    live = ns is None
    ex = exercises.get(exercise) if exercise is not None else exercise_of(ns, challenge)
    key = challenge_key(challenge, ex)
    if key is None:
        _unknown_challenge(challenge, ex)
        return []
    ns = _namespace() if live else ns
    runs = sorted(((ch, r) for (name, ch), r in _cells.items() if name == ex.name),
                  key=lambda item: item[1]["count"] or 0) if live else []
    static_cells = [{"index": r["count"], "challenge": ch, "first_line": None, "place": _place(r["count"])}
                    for ch, r in runs]
    outcomes = [{"index": r["count"], "challenge": ch, "status": r["status"], "error": r["error"]} for ch, r in runs]
    problems = executed_blanks(ns, ex) + [r["syntax"] for _, r in runs if r["syntax"]]
    run = {"snapshot": {"facts": gather(ns, _recorder, collectors(ex)), "cells": outcomes}, "outcome": "exited"}
    static = {"name": "this notebook", "cells": static_cells, "problems": problems}
    return evaluate(ex, static, run, tags=ex.tags_for(key))


def executed_blanks(ns: dict, exercise: Exercise | str | None = None) -> list[dict]:
    """Blanks left in the last run of each challenge's cell of ``exercise`` (None: the one of
    ``ns``), read from IPython's input history, so an unfilled challenge reads "not attempted" in
    the kernel too. The history is the cells as typed (IPython's raw history) when ``ns`` is the
    kernel's namespace, else ``In`` (IPython's transform); ``blank_problems`` reads both as the
    grader's static pass does, so blanks under magics (``%%time``, ``%time x = _____``) count too."""
    ex = exercises.get(exercise) if exercise is not None else exercise_of(ns)
    history = ns.get("In")
    try:
        from IPython import get_ipython

        shell = get_ipython()
        raw = shell.history_manager.input_hist_raw if shell is not None and shell.user_ns is ns else None
        if isinstance(raw, list):
            history = raw
    except Exception:  # no IPython, or a shell without a history manager: `In` it is
        pass
    if not isinstance(history, list):
        return []
    latest: dict[str, tuple[int, str]] = {}
    for count, code in enumerate(history):
        challenge = guess_challenge(code, ex) if isinstance(code, str) else None
        if challenge:
            latest[challenge] = (count, code)
    return [asdict(p) for challenge, (count, code) in latest.items()
            for p in blank_problems(code, count, challenge, lambda line, n=count: f"your cell In [{n}], line {line}")]


def format_results(found: list[Result]) -> str:
    lines = []
    for r in found:
        if r.status == "passed":
            lines.append(f"✓ {r.title}")
        else:
            lines.append(f"✗ {r.title}: {r.output}")
    if all(r.status == "passed" for r in found):
        lines.append(rubric.SELFCHECK_MESSAGES["all_passed"])
    else:
        challenge = found[0].challenge if found else ""
        lines.append(rubric.SELFCHECK_MESSAGES["stuck"].format(challenge=challenge))
    return "\n".join(lines)


def check(challenge: str) -> None:
    """Print ✓ or what to change for every check of a challenge."""
    if in_grader():
        return
    found = results(challenge)
    if found:  # an unknown name has already printed the valid ones
        print(format_results(found))


def _print_for(challenge: str, what: str) -> None:
    ex = exercise_of(challenge=challenge)
    key = challenge_key(challenge, ex)
    if key is None:
        _unknown_challenge(challenge, ex)
    elif what == "hint":
        print("Hint: " + ex.challenges[key].hint)
    else:
        print("Solution:\n" + ex.challenges[key].solution)


def hint(challenge: str) -> None:
    """Print the challenge's hint."""
    _print_for(challenge, "hint")


def solution(challenge: str) -> None:
    """Print the challenge's solution."""
    _print_for(challenge, "solution")
