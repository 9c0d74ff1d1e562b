"""In-notebook self-check for self-learners, in the learner's own kernel.

The lesson calls ``selfcheck.start()`` in its setup (it starts recording how ``compile`` and
``fit`` are called, and how each challenge cell last ended, as the grader's harness records
cell outcomes), then ``selfcheck.check("compile")`` after a challenge. The live objects are
read from the notebook's namespace, turned into the same facts the grader gathers, and judged
by the same checks, so the verdict and the feedback are the CLI's. Nothing is retrained.
Self-check is feedback only: grades are never made in the learner's kernel.
"""
from __future__ import annotations

import difflib
import sys
import traceback
from dataclasses import asdict

from . import in_grader, rubric
from .checks import Result, evaluate
from .facts import BLANK, Recorder, gather
from .source import blank_problems, guess_challenge

_recorder = Recorder()
# The latest run of each challenge's cell in this kernel, as the grader's harness records cell
# outcomes: {"count", "status", "error", "syntax"}. Kept by IPython hooks (see `start`).
_cells: dict[str, dict] = {}


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _namespace() -> dict:
    shell = _shell()
    return shell.user_ns if shell is not None else vars(sys.modules["__main__"])


def start() -> None:
    """Start recording compile/fit calls and how challenge cells end, so the checks see what the grader sees."""
    if in_grader():
        return
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


def _challenge_of(info) -> str | None:
    code = getattr(info, "raw_cell", None)
    return guess_challenge(code) if isinstance(code, str) else None


def _before_cell(info) -> None:
    """IPython hook: a challenge cell that runs again has no outcome until it ends (a self-check
    in the same cell must not see the previous run's error)."""
    try:
        _cells.pop(_challenge_of(info), None)
    except Exception:
        pass


def _after_cell(result) -> None:
    """IPython hook: record how the cell of a challenge ended (ok, error with its line, syntax error)."""
    try:
        challenge = _challenge_of(result.info)
        if challenge is None:
            return
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
        _cells[challenge] = record
    except Exception:  # the learner's kernel must never be disturbed by the self-check
        pass


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


def challenge_key(name: object) -> str | None:
    """The challenge a learner meant: its key or title, in any case and spacing; None if none."""
    if not isinstance(name, str):
        return None
    text = " ".join(name.split()).lower()
    return next((key for key, c in rubric.CHALLENGES.items() if text in (key, c.title.lower())), None)


def _unknown_challenge(name: object) -> None:
    """One line naming the valid challenges (and the closest one), instead of a traceback."""
    messages = rubric.SELFCHECK_MESSAGES
    close = difflib.get_close_matches(" ".join(str(name).split()).lower(), list(rubric.CHALLENGES), n=1, cutoff=0.6)
    suggestion = messages["suggestion"].format(name=close[0]) if close else ""
    given = repr(name) if len(repr(name)) <= 60 else repr(name)[:57] + "..."
    print(messages["unknown_challenge"].format(given=given, suggestion=suggestion,
                                               names=", ".join(f'"{k}"' for k in rubric.CHALLENGES)))


def results(challenge: str, ns: dict | None = None) -> list[Result]:
    """The verdicts for one challenge's checks, from the live objects (an unknown name prints
    the valid ones and gives no verdicts).

    In the notebook (``ns`` not given) the checks also see how each challenge's cell last
    ended, as the grader sees cell outcomes.
    """
    key = challenge_key(challenge)
    if key is None:
        _unknown_challenge(challenge)
        return []
    live = ns is None
    ns = _namespace() if live else ns
    runs = sorted(_cells.items(), key=lambda item: item[1]["count"] or 0) if live else []
    static_cells = [{"index": r["count"], "challenge": ch, "first_line": None, "place": _place(r["count"])}
                    for ch, r in runs]
    outcomes = [{"index": r["count"], "challenge": ch, "status": r["status"], "error": r["error"]} for ch, r in runs]
    problems = executed_blanks(ns) + [r["syntax"] for _, r in runs if r["syntax"]]
    run = {"snapshot": {"facts": gather(ns, _recorder), "cells": outcomes}, "outcome": "exited"}
    static = {"name": "this notebook", "cells": static_cells, "problems": problems}
    return evaluate(static, run, tags=rubric.tags_for(key))


def executed_blanks(ns: dict) -> list[dict]:
    """Blanks left in the last run of each challenge's cell, read from IPython's input history,
    so an unfilled challenge reads "not attempted" in the kernel too. The history is the cells as
    typed (IPython's raw history) when ``ns`` is the kernel's namespace, else ``In`` (IPython's
    transform); ``blank_problems`` reads both as the grader's static pass does, so blanks under
    magics (``%%time``, ``%time x = _____``) count too."""
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
        challenge = guess_challenge(code) if isinstance(code, str) else None
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


def hint(challenge: str) -> None:
    """Print the challenge's hint."""
    key = challenge_key(challenge)
    if key is None:
        _unknown_challenge(challenge)
    else:
        print("Hint: " + rubric.CHALLENGES[key].hint)


def solution(challenge: str) -> None:
    """Print the challenge's solution."""
    key = challenge_key(challenge)
    if key is None:
        _unknown_challenge(challenge)
    else:
        print("Solution:\n" + rubric.CHALLENGES[key].solution)
