"""A warm worker: imports TensorFlow once, then forks one fresh child per submission.

Protocol (JSON lines over a Unix socket that is the worker's stdin and stdout): the grader
writes a job per line; the worker answers ``{"event": "ready"}`` once warm, then for each job
``{"event": "started", "pid": ..., "nonce": ...}`` and ``{"event": "done", "outcome": ...}``.

The child runs learner code under limits (wall time, memory, output size) in its own session,
with stdin closed and stdout/stderr sent to a capped file. It reports its facts over a pipe
whose read end the worker hands to the grader with the "started" message (SCM_RIGHTS), so the
grader reads the child's snapshots directly and keeps them even if the child kills or freezes
this worker. Neither what the child prints nor any file it writes can reach the grader, and the
child cannot reach the socket: a socket, unlike a pipe, cannot be reopened through
``/proc/<pid>/fd``.

The worker is a child subreaper: whatever processes a submission starts (even in new sessions)
stay its descendants, are counted against the memory limit and are killed when the job ends.
"""
from __future__ import annotations

import gc
import json
import os
import resource
import secrets
import select
import signal
import socket
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

PAGE = os.sysconf("SC_PAGE_SIZE")
# Address space a TensorFlow child reserves beyond what it really uses (thread stacks, arenas):
# the hard address-space limit is set this far above the memory limit, and the real limit is
# enforced on private resident memory by polling.
VIRTUAL_SLACK = 8 * 2**30
POLL_SECONDS = 0.02
TREE_EVERY = 5  # polls between scans of the whole process tree (a /proc scan costs a few ms)
CLEANUP_SECONDS = 5.0
# Signals a submission could send the worker to disturb it; SIGKILL and SIGSTOP cannot be
# ignored, the grader's watchdog and restart deal with those.
IGNORED_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGTSTP",
                   "SIGTTIN", "SIGTTOU", "SIGVTALRM", "SIGPROF")
PR_SET_CHILD_SUBREAPER = 36
PR_SET_DUMPABLE = 4


def _warm_up() -> None:
    """Import everything a submission will use, before any fork."""
    import matplotlib

    matplotlib.use("Agg")
    import keras  # noqa: F401
    import matplotlib.pyplot  # noqa: F401
    import pandas  # noqa: F401
    import seaborn  # noqa: F401
    import tensorflow  # noqa: F401

    from autograder import data, exercises, figures, model, selfcheck  # noqa: F401
    from autograder.facts import gather as facts
    from autograder.run import harness

    for exercise in exercises.all_exercises():  # what every exercise's lesson imports
        for part in ("model", "figures"):
            try:
                exercise.module(part)
            except ModuleNotFoundError as exc:
                if exc.name != f"{exercise.package}.{part}":
                    raise
    harness.precompile(exercises.all_exercises())
    data.make_sample(*data.sample_size())  # cached arrays: children start with the sample in memory
    # Move everything imported so far out of the collector's sight: a child's collections then
    # neither scan nor touch (copy-on-write) the inherited objects, which makes every run faster.
    # No collection first: the imports' little garbage is not worth 0.13 s of every worker's start.
    gc.freeze()


def _prctl(option: int, value: int) -> bool:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


# --- the process tree, from /proc ----------------------------------------------------------

def _stat(pid: int | str) -> tuple[int, str] | None:
    """(ppid, state) of a process, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read().decode("ascii", "replace")
    except OSError:
        return None
    fields = raw[raw.rfind(")") + 2:].split()  # the command name may hold spaces and parentheses
    try:
        return int(fields[1]), fields[0]
    except (IndexError, ValueError):
        return None


def descendants(root: int) -> list[int]:
    """Live (non-zombie) descendants of ``root``."""
    children: dict[int, list[int]] = {}
    try:
        entries = [e.name for e in os.scandir("/proc") if e.name.isdigit()]
    except OSError:
        return []
    for name in entries:
        st = _stat(name)
        if st is not None and st[1] not in ("Z", "X"):
            children.setdefault(st[0], []).append(int(name))
    found, todo = [], [root]
    while todo:
        for kid in children.get(todo.pop(), []):
            found.append(kid)
            todo.append(kid)
    return found


def _private_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            fields = fh.read().split()
        return (int(fields[1]) - int(fields[2])) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _pss_anon_bytes(pid: int) -> int:
    """Anonymous memory of a process, shared copy-on-write pages counted proportionally."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss_Anon:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return _private_bytes(pid)


def tree_bytes(child: int) -> int:
    """Memory of a submission: its child process plus everything it started.

    Processes the child forked share its pages copy-on-write; they are counted by their
    proportional share, so a fork alone does not look like a doubling of memory.
    """
    return _private_bytes(child) + sum(_pss_anon_bytes(p) for p in descendants(os.getpid()) if p != child)


def _kill(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def kill_all_descendants(deadline: float = CLEANUP_SECONDS) -> None:
    """Kill and reap every descendant of this process (the worker has no other children)."""
    me = os.getpid()
    end = time.monotonic() + deadline
    while True:
        for pid in descendants(me):
            _kill(pid)
        while True:
            try:
                reaped, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return  # no children left at all
            if reaped == 0:
                break
        if time.monotonic() > end:
            return
        time.sleep(0.005)


# --- the child ------------------------------------------------------------------------------

_CHANNEL_FDS: list[int] = []  # this worker's own copies of the grader's socket


def _child(job: dict, nonce: str, facts_fd: int) -> None:
    """In the forked child: isolate, limit, run. Never returns."""
    code = 0
    try:
        for fd in _CHANNEL_FDS:  # the child must hold no end of the grader's socket
            os.close(fd)
        os.setsid()
        for name in IGNORED_SIGNALS:
            signal.signal(getattr(signal, name), signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
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
        from autograder.run.harness import child_main

        child_main(job, nonce, facts_fd)
    except BaseException:
        code = 70
    finally:
        os._exit(code)


def _pidfd(pid: int) -> int:
    """A descriptor that becomes readable when ``pid`` exits, or -1 (Linux before 5.3)."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return -1


def _wait_for_exit(pidfd: int, seconds: float) -> None:
    """Sleep ``seconds`` or until the child exits: the next submission then starts at once rather
    than at the next poll. Without a pidfd, a plain sleep."""
    if pidfd >= 0:
        select.select([pidfd], [], [], seconds)
    else:
        time.sleep(seconds)


def run_job(job: dict, send_fd) -> dict:
    """Fork a child for one job, enforce its limits, and say how it ended.

    ``send_fd(message, fd)`` sends the "started" message with the facts pipe's read end.
    """
    nonce = secrets.token_hex(16)
    read_fd, write_fd = os.pipe()
    start = job["forked_at"] = time.monotonic()  # the child times its set-up from here
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        raise
    if pid == 0:
        os.close(read_fd)
        _child(job, nonce, write_fd)
    os.close(write_fd)
    outcome, peak, polls = "exited", 0, 0
    status, usage = None, None
    pidfd = _pidfd(pid)
    try:
        try:
            send_fd({"event": "started", "pid": pid, "nonce": nonce}, read_fd)
        finally:
            os.close(read_fd)  # only the grader reads the child's facts
        while True:
            _wait_for_exit(pidfd, POLL_SECONDS)
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            status = usage = None
            polls += 1
            elapsed = time.monotonic() - start
            if polls % TREE_EVERY == 0:
                used = tree_bytes(pid)
            else:
                used = _private_bytes(pid)
            peak = max(peak, used)
            if job.get("timeout") and elapsed > job["timeout"]:
                outcome = "timeout"
            elif job.get("memory_limit") and used > job["memory_limit"]:
                outcome = "memory"
            if outcome != "exited":
                break
    finally:
        if pidfd >= 0:
            os.close(pidfd)
        if status is None:  # stopped by a limit, or this loop failed: the child goes now
            _kill(pid)
            _, status, usage = os.wait4(pid, 0)
        kill_all_descendants()  # whatever the child left running, in its session or not
    result = {"event": "done", "outcome": outcome, "seconds": round(time.monotonic() - start, 3), "peak_bytes": peak}
    if usage is not None:  # the child's own CPU time (all its threads) and peak resident memory
        result["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 3)
        result["max_rss_bytes"] = usage.ru_maxrss * 1024
    if os.WIFSIGNALED(status):
        result["signal"] = os.WTERMSIG(status)
        if outcome == "exited" and result["signal"] == signal.SIGKILL and job.get("memory_limit"):
            result["outcome"] = "killed"
    else:
        result["exit_code"] = os.WEXITSTATUS(status)
    return result


def main() -> None:
    for name in IGNORED_SIGNALS:
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    # Not dumpable: an unprivileged submission cannot open this process's /proc files
    # (fd, environ, mem) nor ptrace it. Children inherit this.
    _prctl(PR_SET_DUMPABLE, 0)
    out = sys.stdout
    sys.stdout = sys.stderr  # stray prints of imported libraries must not corrupt the protocol
    channel = socket.socket(fileno=os.dup(1))
    _CHANNEL_FDS.append(channel.fileno())

    def emit(message: dict) -> None:
        out.write(json.dumps(message) + "\n")
        out.flush()

    def send_fd(message: dict, fd: int) -> None:
        out.flush()
        socket.send_fds(channel, [(json.dumps(message) + "\n").encode()], [fd])

    _warm_up()
    emit({"event": "ready", "pid": os.getpid()})
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            job = json.loads(line)
            emit(run_job(job, send_fd))
        except (BrokenPipeError, ConnectionError):
            return  # the grader is gone
        except Exception as exc:  # the worker must survive to take the next job
            kill_all_descendants()
            emit({"event": "done", "outcome": "worker_error", "message": f"{type(exc).__name__}: {exc}"})


if __name__ == "__main__":
    main()
