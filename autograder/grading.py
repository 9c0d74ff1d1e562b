"""One submission from file to verdicts: read → run → facts → checks. Used by check and grade."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import rubric
from .checks import FAILED, Result, evaluate
from .runner import Limits, RunResult, WorkerProcess, run_submission
from .source import Submission, SubmissionError, read_submission


@dataclass
class Graded:
    """The verdict on one submission, plus what is worth telling about its run."""

    path: str
    results: list[Result]
    problem: str | None = None  # the file could not be graded at all (empty, binary, ...)
    unreadable: bool = False  # no file could be read (missing, directory, unsupported type)
    run: dict = field(default_factory=dict)  # outcome, seconds, ...

    @property
    def score(self) -> float:
        return sum(r.score for r in self.results)

    @property
    def max_score(self) -> float:
        return sum(r.max_score for r in self.results)

    @property
    def all_passed(self) -> bool:
        return self.problem is None and all(r.status == "passed" for r in self.results)


def static_summary(sub: Submission) -> dict:
    """The plain data the checks need from the static pass."""
    return {
        "name": sub.name,
        "cells": [{"index": c.index, "challenge": c.challenge, "first_line": c.first_line} for c in sub.cells],
        "problems": [asdict(p) for p in sub.problems],
    }


def failed_everywhere(path: str, message: str, points: dict[str, float], unreadable: bool = False) -> Graded:
    """A submission that could not be run: every check fails, naming the problem."""
    results = [Result(t, c.title, c.challenge, FAILED, 0.0, points[t], message) for t, c in rubric.CHECKS.items()]
    return Graded(path, results, problem=message, unreadable=unreadable)


def prepare(path: str | Path) -> Submission | str:
    """Read a submission, or return the message saying why it cannot be graded."""
    try:
        return read_submission(path)
    except SubmissionError as exc:
        return exc.message


def judge(sub: Submission, run: RunResult, limits: Limits, points: dict[str, float]) -> Graded:
    limit_info = {"timeout": limits.timeout, "memory": limits.memory}
    results = evaluate(static_summary(sub), run.to_dict(), limit_info, points)
    info = {"outcome": run.outcome, "seconds": run.seconds}
    if run.detail.get("output_bytes", 0) >= limits.output:
        info["output_truncated"] = True
    return Graded(sub.path, results, run=info)


def grade_one(path: str | Path, worker: WorkerProcess, limits: Limits, points: dict[str, float]) -> Graded:
    """Grade one file through a warm worker; never raises for a bad submission."""
    try:
        sub = read_submission(path)
    except SubmissionError as exc:
        return failed_everywhere(str(path), exc.message, points, exc.unreadable)
    run = run_submission(sub, worker, limits)
    return judge(sub, run, limits, points)
