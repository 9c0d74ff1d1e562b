"""The grader's side of running a submission: a warm worker process and one job through it.

This module never imports TensorFlow. It starts ``python -m autograder.run.worker`` (which does)
and talks to it over a Unix socket: it sends a job and reads the facts snapshots straight from
the child's pipe, whose read end the worker passes over the socket. Learner output is never
parsed, and no file the submission could write is ever read. A watchdog kills a worker that
stops answering (e.g. a submission sent it SIGSTOP), and the submission file itself is put
back if the run changed it.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder import exercises
from autograder.read.source import Submission

DEFAULT_TIMEOUT = 120.0
DEFAULT_MEMORY = 4 * 2**30
DEFAULT_OUTPUT = 1_000_000
# How long past the job's own time limit the grader waits for the worker's answer before it
# kills the worker: the worker's clean-up after a limit takes about 0.05 s, and at most
# worker.CLEANUP_SECONDS, which this must exceed.
WATCHDOG_GRACE = 10.0
START_TIMEOUT = 600.0  # importing TensorFlow on a cold disk can be slow
# Reading the rest of a finished child's facts pipe ends at its end of file, at once when its
# writers are all gone (as they should be); this only caps the wait for one that outlived the run
# (what the pipe holds is read even past it: see SnapshotReader.drain).
DRAIN_SECONDS = 10.0
MAX_SNAPSHOT = 32 * 2**20  # a facts snapshot is far smaller; longer "lines" are dropped
# Training images of the offline sample when grading: the checks do not depend on how well the
# model learns, so a smaller sample than the lesson's keeps every fit short.
GRADING_SAMPLE_SIZE = 64


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


class SnapshotReader:
    """Reads a child's facts pipe: newline-framed JSON snapshots that must carry the job's nonce."""

    def __init__(self, fd: int, nonce: str) -> None:
        self.fd = fd
        self.nonce = nonce
        self.buffer = bytearray()
        self.latest: dict | None = None
        self.count = 0
        self.eof = False

    def read(self) -> None:
        """Read what is available (call when the fd is readable)."""
        try:
            chunk = os.read(self.fd, 1 << 20)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self.eof = True
            return
        self.buffer += chunk
        while True:
            cut = self.buffer.find(b"\n")
            if cut < 0:
                if len(self.buffer) > MAX_SNAPSHOT:
                    self.buffer.clear()  # not a snapshot of ours
                return
            snapshot = self._valid(bytes(self.buffer[:cut]))
            del self.buffer[:cut + 1]
            if snapshot is not None:
                self.latest = snapshot
                self.count += 1

    def drain(self, seconds: float) -> None:
        """Read up to end of file, waiting at most ``seconds`` for a writer still alive.

        What the pipe already holds is read however late this runs (a busy machine must not
        lose the last snapshot): past the cap, one last read takes it all (a pipe holds <= 1 MB).
        """
        end = time.monotonic() + seconds
        while not self.eof:
            wait = max(0.0, end - time.monotonic())
            if not select.select([self.fd], [], [], wait)[0]:
                return
            self.read()
            if wait == 0.0:
                return

    def _valid(self, line: bytes) -> dict | None:
        try:
            data = json.loads(line)
        except ValueError:
            return None
        if (not isinstance(data, dict) or data.get("nonce") != self.nonce or not isinstance(data.get("cells"), list)
                or not isinstance(data.get("facts"), dict)):
            return None
        data.pop("nonce")
        return data

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass


class WorkerProcess:
    """One warm worker; restarts itself if a submission killed or froze it."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.sock: socket.socket | None = None
        self._buffer = bytearray()
        self._fds: list[int] = []
        self._lock = threading.Lock()
        self._ready = False

    def spawn(self) -> None:
        """Start the worker process without waiting for it to be warm: its TensorFlow import
        then overlaps whatever the grader does meanwhile (:meth:`start` waits for it)."""
        self._ready = False
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", MPLBACKEND="Agg", PYTHONUNBUFFERED="1")
        env.setdefault("AUTOGRADER_SAMPLE_SIZE", str(GRADING_SAMPLE_SIZE))
        root = str(Path(__file__).resolve().parents[2])  # the directory that holds the autograder package
        env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
        # A socket, not pipes: a pipe can be reopened by any process of the same user through
        # /proc/<pid>/fd, so a submission could write fake messages into it; a socket cannot.
        ours, theirs = socket.socketpair()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "autograder.run.worker"],
                stdin=theirs.fileno(), stdout=theirs.fileno(), stderr=subprocess.DEVNULL,
                env=env, start_new_session=True,
            )
        finally:
            theirs.close()
        self.sock = ours
        self._buffer.clear()
        self._drop_fds()

    def start(self) -> None:
        """Start the worker (unless :meth:`spawn` already did) and wait until it is warm."""
        if self.proc is None:
            self.spawn()
        try:
            ready = self._message(time.monotonic() + START_TIMEOUT)
        except TimeoutError:
            ready = None
        if not ready or ready.get("event") != "ready":
            self._kill()
            raise RuntimeError("the grading worker could not start (is TensorFlow installed?)")
        self._ready = True

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _receive(self) -> bool:
        """Read from the socket into the buffer (and passed fds into ``_fds``); False at its end."""
        assert self.sock is not None
        try:
            data, fds, _, _ = socket.recv_fds(self.sock, 1 << 20, 4)
        except OSError:
            return False
        self._fds.extend(fds)
        self._buffer += data
        return bool(data)

    def _take_message(self) -> dict | None:
        while True:
            cut = self._buffer.find(b"\n")
            if cut < 0:
                return None
            line = bytes(self._buffer[:cut])
            del self._buffer[:cut + 1]
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict):
                return message

    def _message(self, deadline: float | None) -> dict | None:
        """The next message; None at the end of the stream; TimeoutError after ``deadline``."""
        assert self.sock is not None
        while True:
            message = self._take_message()
            if message is not None:
                return message
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and (wait <= 0 or not select.select([self.sock], [], [], wait)[0]):
                raise TimeoutError
            if not self._receive():
                return None

    def run(self, job: dict) -> dict:
        """Send a job; return the worker's 'done' message with the last facts snapshot added.

        Snapshots are read straight from the child's pipe, so they survive the worker. If the
        worker dies or stops answering (``timeout`` + WATCHDOG_GRACE), it and the submission's
        processes are killed and the outcome is ``worker_died``; the next job starts a fresh worker.
        """
        with self._lock:
            if not self.alive():
                self._kill()
                self.start()
            elif not self._ready:  # spawned early: wait until it is warm
                self.start()
            state: dict = {"child": None, "reader": None}
            try:
                done = self._exchange(job, state)
                if done is not None:
                    return done
                # The worker is gone or frozen (most likely the submission killed or stopped it).
                self._kill()
                if state["child"]:
                    kill_session(state["child"])
                reader = state["reader"]
                if reader:
                    reader.drain(DRAIN_SECONDS)
                return {"event": "done", "outcome": "worker_died", "snapshot": reader.latest if reader else None}
            finally:
                if state["reader"]:
                    state["reader"].close()
                self._drop_fds()

    def _exchange(self, job: dict, state: dict) -> dict | None:
        """Send the job and follow it to its 'done' message; None if the worker died or froze."""
        assert self.sock is not None
        deadline = time.monotonic() + job["timeout"] + WATCHDOG_GRACE if job.get("timeout") else None
        try:
            self.sock.settimeout(60)
            self.sock.sendall((json.dumps(job) + "\n").encode("utf-8"))
            self.sock.settimeout(None)
            while True:
                message = self._take_message()
                reader: SnapshotReader | None = state["reader"]
                if message is None:
                    watched = [self.sock] + ([reader.fd] if reader and not reader.eof else [])
                    wait = None if deadline is None else deadline - time.monotonic()
                    if wait is not None and wait <= 0:
                        return None
                    ready = select.select(watched, [], [], wait)[0]
                    if not ready:
                        return None
                    if reader and reader.fd in ready:
                        reader.read()
                    if self.sock in ready and not self._receive():
                        return None
                elif message.get("event") == "started":
                    state["child"] = message.get("pid")
                    if reader is None and self._fds:
                        state["reader"] = SnapshotReader(self._fds.pop(0), str(message.get("nonce")))
                    self._drop_fds()
                elif message.get("event") == "done":
                    if reader:
                        reader.drain(DRAIN_SECONDS)
                    return {**message, "snapshot": reader.latest if reader else None}
        except OSError:
            return None

    def _drop_fds(self) -> None:
        for fd in self._fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self._fds.clear()

    def _kill(self) -> None:
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()
            self.proc = None
        self._ready = False
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        self._drop_fds()

    def close(self) -> None:
        """Stop the worker. Between jobs it holds nothing that needs a clean exit (every job's
        processes are killed and reaped when the job ends), and an interpreter with TensorFlow
        loaded takes 0.1-0.2 s to exit cleanly: it is killed, warm or still warming up."""
        self._kill()


def kill_session(sid: int) -> None:
    """Kill every process of session ``sid`` (a submission's child and what it started)."""
    try:
        os.killpg(sid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        entries = [e.name for e in os.scandir("/proc") if e.name.isdigit()]
    except OSError:
        return
    for name in entries:
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                raw = fh.read().decode("ascii", "replace")
            if int(raw[raw.rfind(")") + 2:].split()[3]) == sid:
                os.kill(int(name), signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            continue


class SubmissionGuard:
    """Remembers a submission file's bytes and times, and puts them back if a run changed them.

    The child is never told where the submission is, but it can still find out (e.g. from the
    grader's command line in ``/proc``) and, running as the same user, write to it.
    """

    def __init__(self, path: str) -> None:
        self.path = os.path.realpath(path)  # a symlinked submission: guard the file itself
        try:
            self.stat = os.lstat(self.path)
            self.data: bytes | None = Path(self.path).read_bytes()
        except OSError:
            self.data = None

    def changed(self) -> bool:
        if self.data is None:
            return False
        try:
            st = os.lstat(self.path)
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return True
        try:
            with os.fdopen(fd, "rb") as fh:
                data = fh.read()
        except OSError:
            return True
        return data != self.data or st.st_mtime_ns != self.stat.st_mtime_ns or st.st_mode != self.stat.st_mode

    def restore(self) -> str | None:
        """Put the file back if it changed; return what happened, or None if it had not."""
        if not self.changed():
            return None
        try:
            if os.path.isdir(self.path) and not os.path.islink(self.path):
                shutil.rmtree(self.path)
            elif os.path.islink(self.path) or (os.path.lexists(self.path) and not os.path.isfile(self.path)):
                os.unlink(self.path)
            elif os.path.exists(self.path):
                os.chmod(self.path, 0o600)  # it may have been made read-only after being rewritten
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(self.data)
            os.chmod(self.path, self.stat.st_mode & 0o7777)
            os.utime(self.path, ns=(self.stat.st_atime_ns, self.stat.st_mtime_ns))
        except OSError as exc:
            return f"the submission file was changed by the run and could not be restored ({exc.strerror})"
        return "the submission file was changed by the run and has been restored"


def run_submission(sub: Submission, worker: WorkerProcess, limits: Limits, seed: int = 0,
                   profile: bool = False) -> RunResult:
    """Run one submission through a worker in fresh temporary directories, and collect its facts.
    ``profile`` (the benchmark's, never when grading): the snapshots also time each fit's epochs."""
    guard = SubmissionGuard(sub.path)
    jobdir = Path(tempfile.mkdtemp(prefix="autograder-job-"))
    # The working directory is not inside jobdir: the submission sees nothing of the grader's.
    workdir = Path(tempfile.mkdtemp(prefix="autograder-work-"))
    exercise = getattr(sub, "exercise", None) or exercises.first()
    job = {
        "name": sub.name, "exercise": exercise.name, "cells": sub.to_job(), "workdir": str(workdir),
        "output_file": str(jobdir / "output.txt"), "seed": seed, "data": "sample",
        "timeout": limits.timeout, "memory_limit": limits.memory, "output_limit": limits.output,
        "threads": limits.threads, "profile": profile,
    }
    detail: dict = {}
    try:
        done = worker.run(job)
        detail.update({k: v for k, v in done.items() if k not in ("event", "outcome", "snapshot")})
        try:
            detail["output_bytes"] = (jobdir / "output.txt").stat().st_size
        except OSError:
            detail["output_bytes"] = 0
    finally:
        shutil.rmtree(jobdir, ignore_errors=True)
        shutil.rmtree(workdir, ignore_errors=True)
        restored = guard.restore()
        if restored:
            detail["submission_file"] = restored
    snapshot = done.get("snapshot")
    return RunResult(snapshot if isinstance(snapshot, dict) else None, done.get("outcome", "worker_error"),
                     float(done.get("seconds", 0.0)), detail)
