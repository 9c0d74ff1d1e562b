"""A warm worker: imports TensorFlow once, then forks one fresh child per submission.

Protocol (JSON lines): the grader writes a job per line on stdin; the worker answers
``{"event": "ready"}`` once warm, then for each job ``{"event": "started", "pid": ...}`` and
``{"event": "done", "outcome": ...}``. The child runs learner code under limits (wall time,
memory, output size) in its own process group, with stdin closed and stdout/stderr sent to a
capped file, so nothing it prints reaches this protocol.
"""
from __future__ import annotations

import json
import os
import resource
import signal
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

PAGE = os.sysconf("SC_PAGE_SIZE")
# Address space a TensorFlow child reserves beyond what it really uses (thread stacks, arenas):
# the hard address-space limit is set this far above the memory limit, and the real limit is
# enforced on private resident memory by polling.
VIRTUAL_SLACK = 3 * 2**30
POLL_SECONDS = 0.02


def _warm_up() -> None:
    """Import everything a submission will use, before any fork."""
    import matplotlib

    matplotlib.use("Agg")
    import keras  # noqa: F401
    import matplotlib.pyplot  # noqa: F401
    import pandas  # noqa: F401
    import seaborn  # noqa: F401
    import tensorflow  # noqa: F401

    from . import data, figures, harness, model, selfcheck  # noqa: F401

    data.make_sample()  # cached arrays: children start with the sample in memory


def _private_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            fields = fh.read().split()
        return (int(fields[1]) - int(fields[2])) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _child(job: dict, nonce: str) -> None:
    """In the forked child: isolate, limit, run. Never returns."""
    code = 0
    try:
        os.setsid()
        out = os.open(job["output_file"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.close(out)
        os.close(null)
        sys.stdout = open(1, "w", buffering=1, closefd=False)
        sys.stderr = open(2, "w", buffering=1, closefd=False)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # over the output cap, writes fail instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (job["output_limit"], job["output_limit"]))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if job.get("memory_limit"):
            with open("/proc/self/statm") as fh:
                current = int(fh.read().split()[0]) * PAGE
            cap = current + job["memory_limit"] + VIRTUAL_SLACK
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        if job.get("threads"):
            import tensorflow as tf

            tf.config.threading.set_intra_op_parallelism_threads(job["threads"])
            tf.config.threading.set_inter_op_parallelism_threads(job["threads"])
        from .harness import child_main

        child_main(job, nonce)
    except BaseException:
        code = 70
    finally:
        os._exit(code)


def run_job(job: dict, emit) -> dict:
    """Fork a child for one job, enforce its limits, and return how it ended."""
    nonce = job.pop("nonce")
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _child(job, nonce)
    emit({"event": "started", "pid": pid})
    outcome, peak = "exited", 0
    status = None
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        elapsed = time.monotonic() - start
        used = _private_bytes(pid)
        peak = max(peak, used)
        if job.get("timeout") and elapsed > job["timeout"]:
            outcome = "timeout"
        elif job.get("memory_limit") and used > job["memory_limit"]:
            outcome = "memory"
        if outcome != "exited":
            _kill_group(pid)
            _, status = os.waitpid(pid, 0)
            break
        time.sleep(POLL_SECONDS)
    _kill_group(pid)  # whatever the child left running in its group goes too
    result = {"event": "done", "outcome": outcome, "seconds": round(time.monotonic() - start, 3), "peak_bytes": peak}
    if os.WIFSIGNALED(status):
        result["signal"] = os.WTERMSIG(status)
        if outcome == "exited" and result["signal"] == signal.SIGKILL and job.get("memory_limit"):
            result["outcome"] = "killed"
    else:
        result["exit_code"] = os.WEXITSTATUS(status)
    return result


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def main() -> None:
    out = sys.stdout
    sys.stdout = sys.stderr  # stray prints of imported libraries must not corrupt the protocol

    def emit(message: dict) -> None:
        out.write(json.dumps(message) + "\n")
        out.flush()

    _warm_up()
    emit({"event": "ready", "pid": os.getpid()})
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        try:
            emit(run_job(job, emit))
        except Exception as exc:  # the worker must survive to take the next job
            emit({"event": "done", "outcome": "worker_error", "message": f"{type(exc).__name__}: {exc}"})


if __name__ == "__main__":
    main()
