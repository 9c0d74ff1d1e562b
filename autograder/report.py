"""Turn verdicts into what people and Gradescope read."""
from __future__ import annotations

import json
import textwrap

from . import rubric
from .grading import Graded

MARKS = {"passed": "✓", "failed": "✗", "not_attempted": "·", "uncheckable": "?"}
STATUS_WORDS = {"passed": "passed", "failed": "incorrect", "not_attempted": "not attempted", "uncheckable": "could not be checked"}


def gradescope(graded: Graded) -> dict:
    """Gradescope's results.json: a total score and one test per check tag."""
    tests = []
    for r in graded.results:
        tests.append({
            "name": f"{r.tag}: {r.title}",
            "tags": [r.tag],
            "score": r.score,
            "max_score": r.max_score,
            "status": "passed" if r.status == "passed" else "failed",
            "output": r.output,
            "visibility": "visible",
        })
    result = {"score": graded.score, "tests": tests}
    if graded.problem:
        result["output"] = graded.problem
    elif graded.run.get("outcome") not in (None, "exited"):
        result["output"] = f"The run ended early ({graded.run['outcome']}); see the tests for what was checked."
    return result


def gradescope_json(graded: Graded) -> str:
    return json.dumps(gradescope(graded), indent=2, ensure_ascii=False)


def text(graded: Graded, width: int = 88) -> str:
    """A readable report: one line per check, then what to change for each failure."""
    lines = [f"Results for {graded.path}"]
    if graded.problem:
        lines += ["", f"This submission could not be graded: {graded.problem}"]
    elif graded.run.get("outcome") not in (None, "exited"):
        lines += ["", f"The run ended early ({graded.run['outcome']}): the checks it never reached failed."]
    challenge = None
    for r in graded.results:
        if r.challenge != challenge:
            challenge = r.challenge
            lines += ["", rubric.CHALLENGES[challenge].title]
        lines.append(f"  {MARKS[r.status]} {r.title}  [{_points(r.score)}/{_points(r.max_score)}]")
    failures = [r for r in graded.results if r.status != "passed" and r.output]
    if failures and not graded.problem:
        lines += ["", "What to change:"]
        for r in failures:
            head = f"{MARKS[r.status]} {r.title} ({STATUS_WORDS[r.status]}): "
            lines += textwrap.wrap(head + r.output, width=width, initial_indent="  ", subsequent_indent="    ")
    lines += ["", f"Score: {_points(graded.score)}/{_points(graded.max_score)}"]
    if graded.all_passed:
        lines.append("All checks passed. Well done!")
    return "\n".join(lines)


def _points(x: float) -> str:
    return f"{x:g}"
