"""In-notebook self-check for self-learners, in the learner's own kernel.

The lesson calls ``selfcheck.start()`` in its setup (it starts recording how ``compile`` and
``fit`` are called), then ``selfcheck.check("compile")`` after a challenge. The live objects
are read from the notebook's namespace, turned into the same facts the grader gathers, and
judged by the same checks, so the feedback is the CLI's feedback. Nothing is retrained.
Self-check is feedback only: grades are never made in the learner's kernel.
"""
from __future__ import annotations

import os
import sys

from . import rubric
from .checks import Result, evaluate
from .facts import Recorder, gather

HARNESS_ENV = "AUTOGRADER_HARNESS"
_recorder = Recorder()


def _graded_run() -> bool:
    """Inside the grader's harness the lesson's self-check calls are no-ops."""
    return os.environ.get(HARNESS_ENV) == "1"


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
    if not _graded_run():
        _recorder.install()


def results(challenge: str, ns: dict | None = None) -> list[Result]:
    """The verdicts for one challenge's checks, from the live objects."""
    if challenge not in rubric.CHALLENGES:
        raise ValueError(f"unknown challenge {challenge!r}; choose from {', '.join(rubric.CHALLENGES)}")
    facts = gather(_namespace() if ns is None else ns, _recorder)
    run = {"snapshot": {"facts": facts, "cells": []}, "outcome": "exited"}
    static = {"name": "this notebook", "cells": [], "problems": []}
    return evaluate(static, run, tags=rubric.tags_for(challenge))


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
    if _graded_run():
        return
    print(format_results(results(challenge)))


def hint(challenge: str) -> None:
    """Print the challenge's hint."""
    print("Hint: " + rubric.CHALLENGES[challenge].hint)


def solution(challenge: str) -> None:
    """Print the challenge's solution."""
    print("Solution:\n" + rubric.CHALLENGES[challenge].solution)
