"""The grader's side of running a submission: a warm worker process and one job through it.

This module never imports TensorFlow. It starts ``python -m autograder.worker`` (which does),
sends it a job, and reads back only the facts file that the child kept up to date, checking
the per-job nonce. Learner output is never parsed.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .source import Submission

DEFAULT_TIMEOUT = 120.0
DEFAULT_MEMORY = 4 * 2**30
DEFAULT_OUTPUT = 1_000_000


@dataclass
class Limits:
    timeout: float = DEFAULT_TIMEOUT
    memory: int = DEFAULT_MEMORY
    output: int = DEFAULT_OUTPUT
    threads: int | None = None  # TensorFlow threads per child (None: TensorFlow decides)


@dataclass
class RunResult:
    """What the run established: the last facts snapshot and how the process ended."""

    snapshot: dict | None
    outcome: str  # exited | timeout | memory | killed | worker_died | worker_error
    seconds: float = 0.0
    detail: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"snapshot": self.snapshot, "outcome": self.outcome, "seconds": self.seconds, "detail": self.detail}

    @classmethod
    def from_dict(cls, d: dict) -> "RunResult":
        return cls(d["snapshot"], d["outcome"], d.get("seconds", 0.0), d.get("detail", {}))


def parse_size(text: str) -> int:
    """'2G', '512M', '1.5g', '1000000' -> bytes; ValueError with a clear message otherwise."""
    s = str(text).strip().upper().removesuffix("B")
    units = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
    try:
        if s and s[-1] in units:
            value = float(s[:-1]) * units[s[-1]]
        else:
            value = float(s)
    except ValueError:
        raise ValueError(f"not a size: {text!r} (use e.g. 2G, 512M)") from None
    if value <= 0:
        raise ValueError(f"size must be positive: {text!r}")
    return int(value)


def human_size(n: int) -> str:
    for unit, size in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if n >= size:
            return f"{n / size:g} {unit}"
    return f"{n} bytes"


class WorkerProcess:
    """One warm worker; restarts itself if a submission killed it."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", MPLBACKEND="Agg", PYTHONUNBUFFERED="1")
        root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "autograder.worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, env=env, start_new_session=True,
        )
        ready = self._read()
        if not ready or ready.get("event") != "ready":
            self.close()
            raise RuntimeError("the grading worker could not start (is TensorFlow installed?)")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _read(self) -> dict | None:
        assert self.proc and self.proc.stdout
        while True:
            line = self.proc.stdout.readline()
            if not line:
                return None
            try:
                return json.loads(line)
            except ValueError:
                continue

    def run(self, job: dict) -> dict:
        """Send a job; return the worker's 'done' message, or a worker_died outcome."""
        with self._lock:
            if not self.alive():
                self.start()
            assert self.proc and self.proc.stdin
            child = None
            try:
                self.proc.stdin.write(json.dumps(job) + "\n")
                self.proc.stdin.flush()
                while True:
                    msg = self._read()
                    if msg is None:
                        break
                    if msg.get("event") == "started":
                        child = msg.get("pid")
                    elif msg.get("event") == "done":
                        return msg
            except (BrokenPipeError, OSError):
                pass
            # The worker is gone (most likely the submission killed its parent): clean up.
            if child:
                try:
                    os.killpg(child, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            self.close()
            return {"event": "done", "outcome": "worker_died"}

    def close(self) -> None:
        if self.proc is None:
            return
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()
        self.proc = None


def run_submission(sub: Submission, worker: WorkerProcess, limits: Limits, seed: int = 0) -> RunResult:
    """Run one submission through a worker in fresh temporary directories, and read its facts."""
    jobdir = Path(tempfile.mkdtemp(prefix="autograder-job-"))
    workdir = jobdir / "work"
    workdir.mkdir()
    nonce = secrets.token_hex(16)
    facts_file = jobdir / f"facts-{secrets.token_hex(8)}.json"
    job = {
        "name": sub.name, "cells": sub.to_job(), "workdir": str(workdir), "facts_file": str(facts_file),
        "output_file": str(jobdir / "output.txt"), "nonce": nonce, "seed": seed, "data": "sample",
        "timeout": limits.timeout, "memory_limit": limits.memory, "output_limit": limits.output,
        "threads": limits.threads,
    }
    try:
        done = worker.run(job)
        snapshot = _read_snapshot(facts_file, nonce)
        detail = {k: v for k, v in done.items() if k not in ("event", "outcome")}
        try:
            detail["output_bytes"] = (jobdir / "output.txt").stat().st_size
        except OSError:
            detail["output_bytes"] = 0
        return RunResult(snapshot, done.get("outcome", "worker_error"), float(done.get("seconds", 0.0)), detail)
    finally:
        shutil.rmtree(jobdir, ignore_errors=True)


def _read_snapshot(path: Path, nonce: str) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("nonce") != nonce:
        return None
    return data
