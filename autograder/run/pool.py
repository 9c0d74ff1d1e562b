"""N warm workers shared by N grading threads (``autograder grade`` on this machine)."""
from __future__ import annotations

import os
import queue
import threading

from autograder.read.source import Submission
from autograder.run.runner import Limits, RunResult, WorkerProcess, run_submission


def default_jobs() -> int:
    """The cores this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


class LocalPool:
    """N warm workers used by N threads; a worker killed by a submission is restarted.

    The workers warm up (import TensorFlow) in the background from the moment the pool is made,
    so a caller makes it first and reads submissions meanwhile; ``run`` waits for a ready worker.
    """

    def __init__(self, jobs: int) -> None:
        self.width = jobs
        self._closed = False
        self.idle: queue.Queue[WorkerProcess] = queue.Queue()
        self.workers = [WorkerProcess() for _ in range(jobs)]
        for w in self.workers:
            w.spawn()
        self._starters = [threading.Thread(target=self._start, args=(w,), daemon=True) for w in self.workers]
        for t in self._starters:
            t.start()

    def _start(self, worker: WorkerProcess) -> None:
        try:
            worker.start()
        except Exception:
            pass  # WorkerProcess.run starts it again and reports the failure per submission
        self.idle.put(worker)

    def run(self, sub: Submission, limits: Limits) -> RunResult:
        worker = self.idle.get()
        try:
            return run_submission(sub, worker, limits)
        finally:
            self.idle.put(worker)

    def close(self) -> None:
        """Stop the workers (again: nothing)."""
        if self._closed:
            return
        self._closed = True
        for t in self._starters:
            t.join()
        for w in self.workers:
            w.close()
