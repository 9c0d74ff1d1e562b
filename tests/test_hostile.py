"""Hostile and broken submissions, through the real worker and the real CLI.

Every file in tests/hostile has its expected outcome in tests/hostile/cases.json: which checks
pass, which fail and with what words, how the run ended, and what must hold afterwards (the
submission file untouched, no process left behind, the next submission graded normally).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.judge import rubric
from autograder.grading import grade_one
from autograder.run.runner import WATCHDOG_GRACE, Limits, run_submission
from autograder.run.sizes import parse_size
from conftest import FIRST, SOLUTION
from autograder.read.source import read_submission
from conftest import MIN_TIME_LIMIT

HOSTILE = Path(__file__).resolve().parent / "hostile"
TABLE = json.loads((HOSTILE / "cases.json").read_text(encoding="utf-8"))
CASES: dict[str, dict] = TABLE["cases"]
BAD_INPUT: dict[str, dict] = TABLE["bad_input"]
CLI_FLAGS = {"timeout": "--timeout", "memory": "--memory-limit", "output": "--output-limit"}


def expected_statuses(case: dict) -> dict[str, tuple[bool, list[str]]]:
    """tag -> (must pass, words its output must contain); every check must be named once."""
    expected: dict[str, tuple[bool, list[str]]] = {}

    def tags(key: str) -> list[str]:
        found = [key] if key in FIRST.checks else FIRST.tags_for(key)
        assert found, f"unknown challenge or tag {key!r} in cases.json"
        return found

    for key in case["pass"]:
        for tag in tags(key):
            expected[tag] = (True, [])
    for key, words in case["fail"].items():
        for tag in tags(key):
            assert tag not in expected, f"{tag} is both pass and fail"
            expected[tag] = (False, words)
    assert set(expected) == set(FIRST.checks), f"cases.json misses {set(FIRST.checks) - set(expected)}"
    return expected


def assert_verdicts(case: dict, results: dict[str, tuple[bool, str]]) -> None:
    """``results``: tag -> (passed, output)."""
    for tag, (must_pass, words) in expected_statuses(case).items():
        passed, output = results[tag]
        assert passed == must_pass, f"{tag}: expected {'pass' if must_pass else 'fail'}, got {output!r}"
        for word in words:
            assert word in output, f"{tag}: {word!r} not in {output!r}"


def limits_for(case: dict) -> Limits:
    given = case.get("limits", {})
    defaults = Limits()
    return Limits(timeout=float(given.get("timeout", defaults.timeout)),
                  memory=parse_size(given["memory"]) if "memory" in given else defaults.memory,
                  output=parse_size(given["output"]) if "output" in given else defaults.output)


def copy_case(name: str, tmp_path: Path) -> tuple[Path, bytes, int]:
    """The case's file copied into tmp_path, with its bytes and mtime."""
    path = tmp_path / Path(name).name
    shutil.copy2(HOSTILE / name, path)
    return path, path.read_bytes(), path.stat().st_mtime_ns


def assert_untouched(path: Path, data: bytes, mtime: int) -> None:
    assert path.read_bytes() == data, f"{path.name} was modified by grading"
    assert path.stat().st_mtime_ns == mtime, f"{path.name}: mtime changed"


def processes_with(text: str) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                cmdline = Path(f"/proc/{entry.name}/cmdline").read_bytes()
            except OSError:
                continue
            if text.encode() in cmdline:
                found.append(int(entry.name))
    return found


def check_aftermath(case: dict, path: Path, data: bytes, mtime: int) -> None:
    assert_untouched(path, data, mtime)
    for name in case.get("created", []):
        assert (path.parent / name).exists(), f"the submission did not write {name} (the attack did not run)"
    if case.get("no_process"):
        assert processes_with(case["no_process"]) == [], "a process started by the submission outlived its run"


def cli(*args: str) -> subprocess.CompletedProcess:
    # (only a guard against a hang: a check takes about 5 s idle, plus a case's own time limit)
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], capture_output=True, text=True, timeout=600)


WORKER_CASES = sorted(n for n, c in CASES.items() if "worker" in c["via"])
CLI_CASES = sorted(n for n, c in CASES.items() if "cli" in c["via"])


@pytest.mark.parametrize("name", WORKER_CASES)
def test_hostile_submission(name, worker, tmp_path):
    case = CASES[name]
    path, data, mtime = copy_case(name, tmp_path)
    graded = grade_one(path, worker, limits_for(case), FIRST.points())
    assert graded.problem is None
    assert_verdicts(case, {r.tag: (r.status == "passed", r.output) for r in graded.results})
    assert graded.run["outcome"] == case["outcome"]
    for key, value in case.get("run", {}).items():
        assert graded.run.get(key) == value, f"run[{key!r}] = {graded.run.get(key)!r}"
    check_aftermath(case, path, data, mtime)
    if case.get("next_ok"):
        again = grade_one(SOLUTION, worker, Limits(), FIRST.points())
        assert again.all_passed and again.run["outcome"] == "exited", [r.output for r in again.results if r.output]


@pytest.mark.parametrize("name", CLI_CASES)
def test_hostile_submission_through_cli(name, tmp_path):
    case = CASES[name]
    path, data, mtime = copy_case(name, tmp_path)
    flags = [arg for key, value in case.get("limits", {}).items() for arg in (CLI_FLAGS[key], str(value))]
    proc = cli("check", str(path), "--format", "json", *flags)
    assert "Traceback" not in proc.stdout + proc.stderr
    expected = expected_statuses(case)
    assert proc.returncode == (0 if all(p for p, _ in expected.values()) else 1), proc.stderr
    result = json.loads(proc.stdout)  # exactly one JSON document: nothing the submission printed
    assert_verdicts(case, {t["tags"][0]: (t["status"] == "passed", t["output"]) for t in result["tests"]})
    assert result["score"] == sum(1.0 for passed, _ in expected.values() if passed)
    for text in case.get("stdout_lacks", []):
        assert text not in proc.stdout
    check_aftermath(case, path, data, mtime)


@pytest.mark.parametrize("name", sorted(BAD_INPUT))
def test_bad_input_through_cli(name, tmp_path):
    case = BAD_INPUT[name]
    path = tmp_path / name
    make = case.get("make")
    if make == "directory":
        path.mkdir()
    elif make == "oversize":
        path.write_bytes(b"# %%\n" + b"#" * (5_000_001 - 6) + b"\n")
    elif make is None:
        shutil.copy2(HOSTILE / "bad_input" / name, path)
    proc = cli("check", str(path), "--format", "json")
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode == case["exit"]
    if case["exit"] == 2:
        assert proc.stdout == "" and len(proc.stderr.strip().splitlines()) == 1
        message = proc.stderr
    else:
        result = json.loads(proc.stdout)
        assert result["score"] == 0 and all(t["status"] == "failed" for t in result["tests"])
        message = result["output"]
        assert all(result["output"] in t["output"] for t in result["tests"])
    for word in case["words"]:
        assert word in message, f"{word!r} not in {message!r}"


def test_every_hostile_file_has_an_expected_outcome():
    files = {p.relative_to(HOSTILE).as_posix() for p in HOSTILE.rglob("*") if p.is_file() and p.name != "cases.json"}
    listed = set(CASES) | {f"bad_input/{n}" for n, c in BAD_INPUT.items() if "make" not in c}
    assert files == listed
    for case in CASES.values():
        expected_statuses(case)


def test_time_limits_hold_on_a_busy_machine():
    """Every time limit in the table is >= 10x what the cells before it need on an idle machine,
    and the frozen-worker case is cut by the watchdog (timeout + WATCHDOG_GRACE) long before its
    sleep ends (else its answers would run and count)."""
    timed = {name: case["limits"]["timeout"] for name, case in CASES.items() if "timeout" in case.get("limits", {})}
    assert timed, "no time-limit case left in cases.json"
    for name, timeout in timed.items():
        assert timeout >= MIN_TIME_LIMIT, f"{name}: a time limit of {timeout} s can be hit by a busy machine"
    sleep = re.search(r"time\.sleep\((\d+)\)", (HOSTILE / "sigstop_worker.py").read_text()).group(1)
    assert timed["sigstop_worker.py"] + WATCHDOG_GRACE + MIN_TIME_LIMIT <= float(sleep)
    from autograder.run.worker import CLEANUP_SECONDS

    assert WATCHDOG_GRACE >= 2 * CLEANUP_SECONDS  # a slow clean-up after a limit is not a dead worker


@pytest.mark.parametrize("writer_alive", [False, True])
def test_a_late_drain_still_reads_the_last_snapshot(writer_alive):
    """However late the grader gets to drain a finished child's pipe (a busy machine), what the pipe
    holds is read; a writer that outlived the run does not make it wait past the cap."""
    from autograder.run.runner import SnapshotReader

    read_fd, write_fd = os.pipe()
    reader = SnapshotReader(read_fd, "n0")
    try:
        for i in range(3):
            os.write(write_fd, (json.dumps({"nonce": "n0", "done": i == 2, "cells": [i], "facts": {}}) + "\n").encode())
        if not writer_alive:
            os.close(write_fd)
        reader.drain(0.0)  # the cap already passed
        assert reader.latest == {"done": True, "cells": [2], "facts": {}} and reader.count == 3
    finally:
        reader.close()
        if writer_alive:
            os.close(write_fd)


def test_the_job_never_names_the_submission_path(tmp_path):
    """The worker (and so the child) is told the file's name only, not where it is."""
    path = tmp_path / "secret_place" / "sub.py"
    path.parent.mkdir()
    shutil.copy2(SOLUTION, path)
    jobs = []

    class Recording:
        def run(self, job: dict) -> dict:
            jobs.append(job)
            return {"event": "done", "outcome": "exited", "snapshot": None}

    run_submission(read_submission(path), Recording(), Limits())
    [job] = jobs
    text = json.dumps(job)
    assert "secret_place" not in text and str(tmp_path) not in text
    assert job["name"] == "sub.py"
    assert not Path(job["workdir"]).exists(), "the working directory is removed after the run"


def test_a_changed_submission_file_is_restored(tmp_path):
    """The guard puts back bytes, mode and mtime, even when the file was replaced by a symlink."""
    from autograder.run.runner import SubmissionGuard

    path = tmp_path / "sub.py"
    path.write_text("original\n")
    os.chmod(path, 0o640)
    before = path.stat()
    guard = SubmissionGuard(str(path))
    assert guard.restore() is None
    (tmp_path / "elsewhere").write_text("other\n")
    path.unlink()
    path.symlink_to(tmp_path / "elsewhere")
    assert "restored" in guard.restore()
    assert not path.is_symlink() and path.read_text() == "original\n"
    assert path.stat().st_mtime_ns == before.st_mtime_ns and path.stat().st_mode == before.st_mode
    assert (tmp_path / "elsewhere").read_text() == "other\n"


def test_a_symlinked_or_read_only_submission_is_restored_in_place(tmp_path):
    from autograder.run.runner import SubmissionGuard

    real = tmp_path / "real.py"
    real.write_text("original\n")
    os.chmod(real, 0o444)
    link = tmp_path / "link.py"
    link.symlink_to(real)
    before = real.stat()
    guard = SubmissionGuard(str(link))
    os.chmod(real, 0o644)
    real.write_text("rewritten\n")
    os.chmod(real, 0o444)
    assert "restored" in guard.restore()
    assert link.is_symlink() and real.read_text() == "original\n"
    assert real.stat().st_mode == before.st_mode and real.stat().st_mtime_ns == before.st_mtime_ns
