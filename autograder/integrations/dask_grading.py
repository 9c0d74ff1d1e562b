"""Run submissions as tasks on an existing Dask distributed cluster.

Each Dask worker process keeps its own warm grading worker (TensorFlow imported once) per
thread and reuses it from task to task. A task gets the statically checked submission and
returns only the plain-JSON run result; the verdict is made back in the grader's process.
"""
from __future__ import annotations

import threading

from autograder.run.runner import Limits, RunResult, WorkerProcess, run_submission
from autograder.read.source import Submission

_local = threading.local()


def run_on_dask_worker(sub: Submission, limits: Limits) -> dict:
    """The Dask task: run one submission through this thread's warm worker."""
    worker = getattr(_local, "worker", None)
    if worker is None:
        worker = _local.worker = WorkerProcess()
    return run_submission(sub, worker, limits).to_dict()


class DaskRunner:
    """Submit runs to a cluster at ``address`` (e.g. tcp://127.0.0.1:8786)."""

    def __init__(self, address: str) -> None:
        from distributed import Client

        try:
            self.client = Client(address, timeout=30)
        except OSError as exc:
            raise ValueError(f"cannot reach the Dask scheduler at {address}: {exc}") from None

    @property
    def width(self) -> int:
        """How many runs may be under way at once: the cluster's threads."""
        return max(1, sum(self.client.nthreads().values()))

    def run(self, sub: Submission, limits: Limits) -> RunResult:
        future = self.client.submit(run_on_dask_worker, sub, limits, pure=False)
        return RunResult.from_dict(future.result())

    def close(self) -> None:
        self.client.close()
