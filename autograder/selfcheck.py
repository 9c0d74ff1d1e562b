"""In-notebook self-check for self-learners, in the learner's own kernel.

The lesson calls ``selfcheck.start()`` in its setup (it starts recording how ``compile`` and
``fit`` are called), then ``selfcheck.check("compile")`` after a challenge. The live objects
are read from the notebook's namespace, turned into the same facts the grader gathers, and
judged by the same checks, so the feedback is the CLI's feedback. Nothing is retrained.
Self-check is feedback only: grades are never made in the learner's kernel.
"""
from __future__ import annotations

import sys
from dataclasses import asdict

from . import in_grader, rubric
from .checks import Result, evaluate
from .facts import Recorder, gather
from .source import blank_problems, guess_challenge

_recorder = Recorder()


def _namespace() -> dict:
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            return shell.user_ns
    except ImportError:
        pass
    return vars(sys.modules["__main__"])


def start() -> None:
    """Start recording compile/fit calls so the checks can see how they were written."""
    if not in_grader():
        _recorder.install()


def results(challenge: str, ns: dict | None = None) -> list[Result]:
    """The verdicts for one challenge's checks, from the live objects."""
    if challenge not in rubric.CHALLENGES:
        raise ValueError(f"unknown challenge {challenge!r}; choose from {', '.join(rubric.CHALLENGES)}")
    ns = _namespace() if ns is None else ns
    run = {"snapshot": {"facts": gather(ns, _recorder), "cells": []}, "outcome": "exited"}
    static = {"name": "this notebook", "cells": [], "problems": executed_blanks(ns)}
    return evaluate(static, run, tags=rubric.tags_for(challenge))


def executed_blanks(ns: dict) -> list[dict]:
    """Blanks left in the last run of each challenge's cell, read from IPython's input history
    (``In``), so an unfilled challenge reads "not attempted" in the kernel too."""
    history = ns.get("In")
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
        lines.append("Correct! Well done.")
    else:
        challenge = found[0].challenge if found else ""
        lines.append(f'Stuck? selfcheck.hint("{challenge}") gives a hint, selfcheck.solution("{challenge}") the answer.')
    return "\n".join(lines)


def check(challenge: str) -> None:
    """Print ✓ or what to change for every check of a challenge."""
    if in_grader():
        return
    print(format_results(results(challenge)))


def hint(challenge: str) -> None:
    """Print the challenge's hint."""
    print("Hint: " + rubric.CHALLENGES[challenge].hint)


def solution(challenge: str) -> None:
    """Print the challenge's solution."""
    print("Solution:\n" + rubric.CHALLENGES[challenge].solution)
