"""Shared fixtures: a warm grading worker and helpers to grade text as a submission."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ["AUTOGRADER_DATA"] = "sample"  # tests never touch the network

ROOT = Path(__file__).resolve().parent.parent

from autograder import exercises  # noqa: E402

# The first exercise, which most tests grade; tests over every exercise use exercises.all_exercises().
FIRST = exercises.get("compile_and_train")
LESSON, SOLUTION = FIRST.lesson, FIRST.solution

# No test races a clock (see README, "Tests on a busy machine"): a time limit in a test is at
# least 10x what its case needs on an idle machine. A correct submission through a warm worker
# needs 1.7-2.5 s of CPU (its wall time on an idle 2-core machine is at most that), so a limit
# that the cells before it must beat is at least 20 s; a case meant to hit a limit never finishes.
IDLE_RUN_SECONDS = 2.0
MIN_TIME_LIMIT = 10 * IDLE_RUN_SECONDS


@pytest.fixture(scope="session")
def worker():
    from autograder.run.runner import WorkerProcess

    w = WorkerProcess()
    w.start()
    yield w
    w.close()


@pytest.fixture
def grade(worker, tmp_path):
    """grade(text, suffix='.py', limits=None, exercise=None) -> Graded, through the real worker
    (exercise None: the one the text is recognised as)."""
    from autograder.grading import grade_one
    from autograder.run.runner import Limits

    def _grade(text: str, suffix: str = ".py", limits=None, name: str = "submission", exercise=None):
        path = tmp_path / f"{name}{suffix}"
        path.write_text(text, encoding="utf-8")
        return grade_one(path, worker, limits or Limits(), exercise=exercise)

    return _grade


def by_tag(graded) -> dict:
    return {r.tag: r for r in graded.results}


def stable_id(value) -> str:
    """A test id without memory addresses: pytest-xdist needs the same ids in every process."""
    return re.sub(r" at 0x[0-9a-fA-F]+", "", str(value))


@pytest.fixture(autouse=True)
def no_leaked_settings():
    """A test must leave the grader's environment variables as it found them: under pytest-xdist
    the order of test files differs from run to run, so a leak would fail some other test, somewhere."""
    before = {k: v for k, v in os.environ.items() if k.startswith("AUTOGRADER_")}
    yield
    after = {k: v for k, v in os.environ.items() if k.startswith("AUTOGRADER_")}
    assert after == before, f"this test changed the environment: {before} -> {after}"
