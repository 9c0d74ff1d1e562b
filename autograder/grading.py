"""One submission from file to verdicts: read → run → facts → checks. Used by check and grade."""
from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder import exercises
from autograder.judge import rubric
from autograder.judge.checks import FAILED, Context, Result, evaluate, explain_error, limit_text
from autograder.run.runner import Limits, RunResult, WorkerProcess, run_submission
from autograder.run.sizes import human_size
from autograder.exercises import Exercise
from autograder.read.source import Submission, SubmissionError, read_submission

COPY_SHARE = 0.4  # a file keeping this share of the lesson's own code lines is a copy of the lesson


@dataclass
class Graded:
    """The verdict on one submission, plus what is worth telling about its run."""

    path: str
    results: list[Result]
    problem: str | None = None  # the file could not be graded at all (empty, binary, ...)
    unreadable: bool = False  # no file could be read (missing, directory, unsupported type)
    run: dict = field(default_factory=dict)  # outcome, seconds, ...
    notes: list[str] = field(default_factory=list)  # what no check reports (rubric.NOTE_MESSAGES), for the learner
    exercise: str = ""  # the name of the exercise it was graded as
    not_lesson: bool = False  # nothing in it is this lesson's (it was still run; its first note says so)

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
        "exercise": sub.exercise.name,
        "cells": [{"index": c.index, "challenge": c.challenge, "first_line": c.first_line} for c in sub.cells],
        "problems": [asdict(p) for p in sub.problems],
        "notes": [asdict(n) for n in sub.notes],
        "not_lesson": lesson_match(sub) == (0, False),
    }


def lesson_match(sub: Submission) -> tuple[int, bool]:
    """How much a read submission looks like its exercise's lesson: how many of the exercise's
    challenges the static pass recognises, and whether it keeps most of the lesson's own code
    lines (a copy of it). ``(0, False)``: not a submission of this lesson."""
    challenges = len({c.challenge for c in sub.cells if c.challenge})
    lesson = _lesson_lines(sub.exercise.name)
    mine = {_squash(line) for c in sub.cells for line in c.source.splitlines()}
    return challenges, bool(lesson) and len(lesson & mine) >= COPY_SHARE * len(lesson)


def _squash(line: str) -> str:
    return re.sub(r"\s+", "", line)


@functools.lru_cache(maxsize=None)
def _lesson_lines(exercise: str) -> frozenset[str]:
    """The distinctive code lines of the exercise's lesson (no comments, no blanks, not tiny)."""
    try:
        text = exercises.get(exercise).lesson.read_text(encoding="utf-8")
    except (ImportError, OSError, ValueError):
        return frozenset()
    lines = (line.strip() for line in text.splitlines())
    return frozenset(_squash(l) for l in lines if len(l) >= 12 and not l.startswith("#") and rubric.BLANK not in l)


def notes(static: dict, run: dict | None, limits: dict | None = None) -> list[str]:
    """What the learner wrote or the run did that no check reports, as learner-facing lines: shell
    commands and magics not run, syntax errors, blanks and errors in cells no check depends on, and
    how a run that ended early ended (which limit, in which cell and line). Plain data in, text out."""
    msg = rubric.NOTE_MESSAGES
    ctx = Context(static, run, limits, exercises.get(static.get("exercise") or exercises.first()))
    found: list[tuple[int, int, str]] = []  # (cell, line, text)
    if static.get("not_lesson"):  # first: it explains every failing check (the run still counts)
        found.append((-1, 0, ctx.exercise.table.NOT_LESSON.format(name=f"`{static.get('name', 'this file')}`")))
    explained = set()  # cells whose error a magic note already explains
    for n in static.get("notes", []):
        kind, detail = n["kind"], n.get("detail") or {}
        if kind == "timeit_scope":
            names = [f"`{name}`" for name in detail.get("names", [])]
            listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
            text = msg[kind].format(where=n["where"], magic=detail.get("magic", "%%timeit"),
                                    time=detail.get("time", "%%time"), names=listed,
                                    is_are="is" if len(names) == 1 else "are")
        else:
            text = msg[kind].format(where=n["where"], code=n.get("code", ""), name=detail.get("name", ""))
        if kind in ("unknown_cell", "unknown_line", "misplaced_cell_magic"):
            explained.add(n["cell"])
        found.append((n["cell"], n["line"], text))
    for p in static.get("problems", []):
        if p.get("challenge") is None:
            text = (msg["syntax"].format(where=p["where"], message=p["message"]) if p["kind"] == "syntax"
                    else msg["blank"].format(where=p["where"], code=p.get("code", "")))
            found.append((p["cell"], p["line"], text))
    for c in ctx.cells:
        error = c.get("error")
        if c.get("challenge") is None and c.get("status") == "error" and error and c["index"] not in explained:
            found.append((c["index"], error.get("line") or 0,
                          msg["cell_error"].format(where=ctx.where(c["index"], error.get("line")),
                                                   explanation=explain_error(error, ctx))))
    found.sort(key=lambda f: (f[0], f[1]))
    lines = [text for _, _, text in found]
    lines += _run_notes(ctx, run or {}, limits or {})
    return lines


def _run_notes(ctx: Context, run: dict, limits: dict) -> list[str]:
    """How the run ended, when that is worth telling: a limit, an early end, output dropped, the file restored."""
    msg = rubric.NOTE_MESSAGES
    out = []
    outcome, snapshot = run.get("outcome", "exited"), run.get("snapshot")
    if outcome != "exited" or not snapshot or not snapshot.get("done"):
        key = "no_facts" if not snapshot else outcome if outcome != "exited" else "ended"
        reason = limit_text(key, limits)
        running = [c for c in ctx.cells if c.get("status") == "running"]
        where = msg["running"].format(where=ctx.where(running[-1]["index"], running[-1].get("line"))) if running else ""
        established = snapshot and all(ctx.stopped_before(c) is None for c in ctx.exercise.challenges)
        out.append(msg["limit"].format(reason=reason, running=where,
                                       consequence=msg["limit_after_checks" if established else "limit_before_checks"]))
    output_limit = limits.get("output")
    if output_limit and (run.get("detail") or {}).get("output_bytes", 0) >= output_limit:
        out.append(msg["output_truncated"].format(size=human_size(int(output_limit))))
    restored = (run.get("detail") or {}).get("submission_file")
    if restored:
        out.append(msg["submission_file"].format(message=restored[:1].upper() + restored[1:]))
    return out


def failed_everywhere(path: str, message: str, points: dict[str, float] | None, exercise: Exercise | str,
                      unreadable: bool = False) -> Graded:
    """A submission that could not be run: every check of ``exercise`` fails, naming the problem
    (points None: the exercise's own)."""
    exercise = exercises.get(exercise)
    points = exercise.points() if points is None else points
    results = [Result(t, c.title, c.challenge, FAILED, 0.0, points[t], message) for t, c in exercise.checks.items()]
    return Graded(path, results, problem=message, unreadable=unreadable, exercise=exercise.name)


def points_table(path: str | Path | None, exercise: Exercise | str | None = None) -> dict[str, dict[str, float]]:
    """An instructor's points file ``{"tag": points}``, per exercise name: for ``exercise`` if
    given, else for every exercise that has each of the file's tags (others keep their table's
    points). Empty without a file. ValueError names the file and the bad entry."""
    if path is None:
        return {}
    if exercise is not None:
        chosen = exercises.get(exercise)
        return {chosen.name: chosen.points(path)}
    table: dict[str, dict[str, float]] = {}
    errors: dict[str, str] = {}
    for each in exercises.all_exercises():
        try:
            table[each.name] = each.points(path)
        except ValueError as exc:
            errors[each.name] = str(exc)
    if table:
        return table
    if len(set(errors.values())) == 1:  # the file itself is bad (unreadable, not an object, ...)
        raise ValueError(next(iter(errors.values())))
    raise ValueError(f"points file {path} fits no exercise: " + "; ".join(
        f"{name}: {message.removeprefix(f'points file {path}: ')}" for name, message in errors.items()))


def prepare(path: str | Path, exercise: Exercise | str | None = None) -> Submission | str:
    """Read a submission (as ``exercise``, None: recognise it), or return the message saying why
    it cannot be graded."""
    try:
        return read_submission(path, exercise)
    except SubmissionError as exc:
        return exc.message


def judge(sub: Submission, run: RunResult, limits: Limits, points: dict[str, float] | None) -> Graded:
    """The verdict on a run submission, by its exercise's checks (points None: the exercise's)."""
    limit_info = {"timeout": limits.timeout, "memory": limits.memory}
    static, run_data = static_summary(sub), run.to_dict()
    results = evaluate(sub.exercise, static, run_data, limit_info, points)
    info = {"outcome": run.outcome, "seconds": run.seconds}
    info.update({k: run.detail[k] for k in ("cpu_seconds", "max_rss_bytes", "peak_bytes") if k in run.detail})  # what it cost
    if run.detail.get("output_bytes", 0) >= limits.output:
        info["output_truncated"] = True
    return Graded(sub.path, results, run=info, notes=notes(static, run_data, {**limit_info, "output": limits.output}),
                  exercise=sub.exercise.name, not_lesson=static["not_lesson"])


def grade_one(path: str | Path, worker: WorkerProcess, limits: Limits, points: dict[str, float] | None = None,
              exercise: Exercise | str | None = None) -> Graded:
    """Grade one file through a warm worker, as ``exercise`` (None: the one it is recognised as);
    never raises for a bad submission. ``points`` None: the exercise's own."""
    forced = exercises.get(exercise) if exercise is not None else None
    try:
        sub = read_submission(path, forced)
    except SubmissionError as exc:
        return failed_everywhere(str(path), exc.message, points, forced or exc.exercise or exercises.first(),
                                 exc.unreadable)
    run = run_submission(sub, worker, limits)
    return judge(sub, run, limits, points)
