"""What an nbgrader test cell calls: ``grade("compile.loss", points=1.0, exercise="<name>")``.

It judges one check on the live objects of the kernel (through ``selfcheck``) and prints the
result; it returns nothing, so no ``Out[n]`` follows the feedback. nbgrader scores a test cell
by its outputs (``nbgrader.utils.determine_grade``): 0 if the cell raised or wrote anything
to stderr, its full points otherwise. So a passed check prints its line to stdout and a failed
one prints its line and feedback to stderr (shown in red): the same all-or-nothing points per
check as a returned 1.0 or 0.0 gave. The check itself runs with stderr silenced, so warnings
and logs cannot cost a passed check its points.
"""
from __future__ import annotations

import sys

from autograder import exercises, in_grader, selfcheck
from autograder.judge import rubric
from autograder.exercises import Exercise
from autograder.integrations.quiet_kernel import quiet_stderr


def grade(tag: str, points: float | None = None, exercise: Exercise | str | None = None) -> None:
    """Print ✓ and the check's title to stdout if check ``tag`` of ``exercise`` passed, else ✗,
    its title and the feedback to stderr (nbgrader then scores the cell 0).

    ``points`` (shown as ``[earned/points]``) defaults to the exercise's points for the tag.
    ``exercise`` (an Exercise or its name) defaults to the kernel's (``selfcheck.exercise_of``).
    """
    if exercise is not None:
        ex = exercises.get(exercise)
    else:  # a test cell that names no exercise: the only one with that tag, else the kernel's
        having = [e for e in exercises.all_exercises() if tag in e.checks]
        if len(having) == 1 or (having and in_grader()):  # the grader only checks that the tag exists
            ex = having[0]
        else:
            ex = exercises.first() if in_grader() else selfcheck.exercise_of()
    if tag not in ex.checks:
        raise ValueError(f"unknown check tag {tag!r}; known: {', '.join(ex.checks)}")
    if in_grader():  # `autograder check/grade` judge from facts in their own process: skip the work
        return
    check = ex.checks[tag]
    max_points = float(check.points if points is None else points)
    with quiet_stderr():
        try:
            result = next(r for r in selfcheck.results(check.challenge, exercise=ex) if r.tag == tag)
            passed, output = result.status == "passed", result.output
        except Exception as exc:  # a readable line instead of a traceback
            passed, output = False, rubric.SELFCHECK_MESSAGES["grader_error"].format(error=f"{type(exc).__name__}: {exc}")
    if passed:
        print(f"✓ {check.title}  [{max_points:g}/{max_points:g}]", flush=True)
    else:
        print(f"✗ {check.title}  [0/{max_points:g}]\n{output}", file=sys.stderr, flush=True)
