"""What an nbgrader test cell calls: ``grade("compile.loss")``.

It judges one check on the live objects of the kernel (through ``selfcheck``), prints the
feedback and returns the points earned. The returned float is the cell's value, which
nbgrader reads as partial credit: ``0.0`` scores exactly 0. A test cell that writes to
stderr scores 0 whatever it returns, so the call keeps warnings and logs off stderr.
"""
from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import warnings
from typing import Iterator

from . import in_grader, rubric, selfcheck


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Silence stderr: Python's sys.stderr, warnings, logging, and file descriptor 2.

    ipykernel forwards what is written to descriptor 2 (TensorFlow's C++ logs) as stderr
    output of the running cell, so redirecting ``sys.stderr`` alone is not enough.
    """
    saved_fd = devnull = None
    try:
        sys.stderr.flush()
        saved_fd = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    except (OSError, AttributeError, ValueError):  # no real descriptor 2: Python-level only
        saved_fd = None
    previous_disable = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(previous_disable)
        if saved_fd is not None:
            os.dup2(saved_fd, 2)
            os.close(saved_fd)
        if devnull is not None:
            os.close(devnull)


def grade(tag: str, points: float | None = None) -> float:
    """Print ✓ or ✗ with the feedback of check ``tag``; return ``points`` if it passed, else 0.0.

    ``points`` defaults to the rubric's points for the tag.
    """
    if tag not in rubric.CHECKS:
        raise ValueError(f"unknown check tag {tag!r}; known: {', '.join(rubric.CHECKS)}")
    if in_grader():  # `autograder check/grade` judge from facts in their own process: skip the work
        return 0.0
    check = rubric.CHECKS[tag]
    max_points = float(check.points if points is None else points)
    with _quiet_stderr():
        try:
            result = next(r for r in selfcheck.results(check.challenge) if r.tag == tag)
            passed, output = result.status == "passed", result.output
        except Exception as exc:  # a readable line instead of a traceback
            passed, output = False, f"The grader could not check this ({type(exc).__name__}: {exc})."
    earned = max_points if passed else 0.0
    if passed:
        print(f"✓ {check.title}  [{earned:g}/{max_points:g}]")
    else:
        print(f"✗ {check.title}  [0/{max_points:g}]\n{output}")
    return earned
