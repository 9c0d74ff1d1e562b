"""Turn verdicts into what people and Gradescope read."""
from __future__ import annotations

import json
import textwrap
from typing import Mapping

from autograder import exercises
from autograder.judge import rubric
from autograder.grading import Graded

MARKS = {"passed": "✓", "failed": "✗", "not_attempted": "·", "uncheckable": "?"}
STATUS_WORDS = {"passed": "passed", "failed": "incorrect", "not_attempted": "not attempted", "uncheckable": "could not be checked"}


# Gradescope's visibility settings, from always shown to never shown to students.
VISIBILITIES = ("visible", "after_published", "after_due_date", "hidden")
FEEDBACK_FORMAT = "md"  # the feedback is Markdown (backticks, *emphasis*)


def gradescope(graded: Graded, *, visibility: str = "visible", stdout_visibility: str = "hidden",
               test_visibility: Mapping[str, str] | None = None, execution_time: float | None = None) -> dict:
    """Gradescope's results.json: a total score and one test per check tag.

    ``test_visibility`` maps a check tag or a challenge key to a visibility (a tag wins over its
    challenge); other tests take ``visibility``. ``execution_time`` defaults to the run's seconds.
    """
    chosen = dict(test_visibility or {})
    numbers = {key: n for n, key in enumerate(_exercise(graded).challenges, 1)}
    within: dict[str, int] = {}
    tests = []
    for r in graded.results:
        within[r.challenge] = within.get(r.challenge, 0) + 1
        tests.append({
            "name": f"{r.tag}: {r.title}",
            "number": f"{numbers.get(r.challenge, 0)}.{within[r.challenge]}",
            "tags": [r.tag],
            "score": r.score,
            "max_score": r.max_score,
            "status": "passed" if r.status == "passed" else "failed",
            "output": r.output,
            "output_format": FEEDBACK_FORMAT,
            "visibility": chosen.get(r.tag) or chosen.get(r.challenge) or visibility,
            "extra_data": {"status": r.status, "outcome": STATUS_WORDS[r.status], "answer": r.answer},
        })
    seconds = graded.run.get("seconds", 0.0) if execution_time is None else execution_time
    result = {
        "score": graded.score,
        "execution_time": max(0, round(seconds or 0)),
        "output_format": FEEDBACK_FORMAT,
        "test_output_format": FEEDBACK_FORMAT,
        "test_name_format": "text",
        "visibility": visibility,
        "stdout_visibility": stdout_visibility,
        "extra_data": {"submission": str(graded.path), "exercise": graded.exercise or None, "problem": graded.problem,
                       "run": graded.run},
        "tests": tests,
    }
    if graded.not_lesson:
        result["extra_data"]["not_lesson"] = True
    if graded.problem:
        result["output"] = graded.problem
    elif graded.notes:
        result["output"] = "\n".join([rubric.NOTE_MESSAGES["heading"], ""] + [f"- {n}" for n in graded.notes])
    elif graded.run.get("outcome") not in (None, "exited"):
        result["output"] = f"The run ended early ({graded.run['outcome']}); see the tests for what was checked."
    return result


def gradescope_json(graded: Graded, **options) -> str:
    """``gradescope(graded, **options)`` as JSON text."""
    return json.dumps(gradescope(graded, **options), indent=2, ensure_ascii=False, default=str)


def text(graded: Graded, width: int = 88) -> str:
    """A readable report: one line per check, then what to change for each failure."""
    lines = [f"Results for {graded.path}"]
    if graded.problem:
        lines += ["", f"This submission could not be graded: {graded.problem}"]
    elif graded.run.get("outcome") not in (None, "exited") and not graded.notes:
        lines += ["", f"The run ended early ({graded.run['outcome']}): the checks it never reached failed."]
    challenge, challenges = None, _exercise(graded).challenges
    for r in graded.results:
        if r.challenge != challenge:
            challenge = r.challenge
            lines += ["", challenges[challenge].title]
        lines.append(f"  {MARKS[r.status]} {r.title}  [{_points(r.score)}/{_points(r.max_score)}]")
    failures = [r for r in graded.results if r.status != "passed" and r.output]
    if failures and not graded.problem:
        lines += ["", "What to change:"]
        for r in failures:
            head = f"{MARKS[r.status]} {r.title} ({STATUS_WORDS[r.status]}): "
            lines += textwrap.wrap(head + r.output, width=width, initial_indent="  ", subsequent_indent="    ")
    if graded.notes and not graded.problem:
        lines += ["", rubric.NOTE_MESSAGES["heading"]]
        for note in graded.notes:
            lines += textwrap.wrap(note, width=width, initial_indent="  - ", subsequent_indent="    ")
    lines += ["", f"Score: {_points(graded.score)}/{_points(graded.max_score)}"]
    if graded.all_passed:
        lines.append("All checks passed. Well done!")
    return "\n".join(lines)


def _exercise(graded: Graded) -> exercises.Exercise:
    """The exercise ``graded`` was graded as (a verdict made without one: the first exercise)."""
    return exercises.get(graded.exercise) if graded.exercise else exercises.first()


def _points(x: float) -> str:
    return f"{x:g}"
