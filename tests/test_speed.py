"""Grading at speed stays safe: one warm worker forks child after child without a hang.

The warm worker imports TensorFlow and prepares everything before it forks, but must never
start TensorFlow's runtime (its thread pools): a forked child would inherit a runtime whose
threads did not survive the fork and hang on its first operation. 200 submissions that each
start the runtime (eager operations on the inter- and intra-op pools) go through one worker;
every one must finish, the worker must never be restarted, and it must own no more threads
afterwards than before. Also: what a run reports about its own cost (per-cell and harness
times, the child's CPU and memory) is there and adds up.
"""
from __future__ import annotations

import os
import subprocess
import sys

from autograder.facts.schema import validate_snapshot
from autograder.grading import judge
from autograder.run.runner import Limits, WorkerProcess, run_submission
from autograder.read.source import read_submission
from conftest import FIRST, MIN_TIME_LIMIT, ROOT, SOLUTION

# The lightest submission that still starts TensorFlow's runtime in the child: eager operations,
# one of them big enough to use the intra-op pool.
LIGHT = """\
# %%
import tensorflow as tf
x = tf.ones((128, 128))
total = float(tf.reduce_sum(tf.linalg.matmul(x, x)))
assert total == 128.0 ** 3, total
"""
SUBMISSIONS = 200


def _threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def _threads_after_import() -> int:
    """Threads of a process that imported TensorFlow and ran nothing (its runtime adds a pool)."""
    code = "import os, tensorflow; print(len(os.listdir('/proc/self/task')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1])


def test_one_warm_worker_grades_200_submissions_without_a_hang(tmp_path):
    path = tmp_path / "light.py"
    path.write_text(LIGHT, encoding="utf-8")
    sub = read_submission(path, FIRST)
    worker = WorkerProcess()
    worker.start()
    try:
        pid = worker.proc.pid
        threads_before = _threads(pid)
        assert threads_before <= _threads_after_import(), "the warm worker started TensorFlow's runtime before forking"
        for i in range(SUBMISSIONS):
            # None: TensorFlow sizes its pools itself (one per core); 1 and 2: a share of the cores.
            limits = Limits(timeout=MIN_TIME_LIMIT, threads=(None, 1, 2)[i % 3])
            result = run_submission(sub, worker, limits)
            assert result.outcome == "exited", (i, result.outcome, result.detail)
            cells = result.snapshot["cells"]
            assert [c["status"] for c in cells] == ["ok"], (i, cells)
            assert worker.proc.pid == pid, f"the worker was restarted at submission {i}"
        assert _threads(pid) <= threads_before, "the warm worker started threads while forking children"
    finally:
        worker.close()


def test_a_run_reports_what_it_cost(worker):
    sub = read_submission(SOLUTION, FIRST)
    result = run_submission(sub, worker, Limits(), profile=True)
    assert result.outcome == "exited"
    snapshot = result.snapshot
    validate_snapshot(snapshot)
    timing = snapshot["timing"]
    ran = [c for c in snapshot["cells"] if c["status"] in ("ok", "error")]
    assert ran and all(c["seconds"] >= 0 and c["cpu_seconds"] >= 0 for c in ran)
    assert timing["setup_seconds"] > 0 and timing["snapshots"] >= len(ran)
    # The child's own CPU (from the kernel) covers its set-up, its cells and its snapshots.
    measured = timing["setup_cpu"] + sum(c["cpu_seconds"] for c in ran) + timing["facts_cpu"]
    assert 0 < measured <= result.detail["cpu_seconds"] + 0.05
    assert result.detail["max_rss_bytes"] > 0 and result.detail["peak_bytes"] > 0
    # Profiling marks every cell's start and the fit's training and ten epochs.
    labels = [m[0] for m in timing["marks"]]
    assert labels.count("cell") == len(ran)
    assert labels.count("train_begin") == labels.count("train_end") == 1 and labels.count("epoch_end") == 10
    # What it cost reaches the results (results.json's extra_data.run).
    graded = judge(sub, result, Limits(), None)
    assert graded.all_passed and graded.run["cpu_seconds"] == result.detail["cpu_seconds"]


def test_grading_does_not_profile(worker):
    result = run_submission(read_submission(SOLUTION, FIRST), worker, Limits())
    assert "marks" not in result.snapshot["timing"]


def test_the_benchmark_profiles_one_child_run(tmp_path):
    """`bash dev.sh bench --profile-only` works from a clone (it broke once, unnoticed, when
    modules moved): the phases of a correct and a wrong submission, the first epoch within the total."""
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "class_grading.py"),
                           "--profile-only", "--repeat", "1", "--keep", str(tmp_path / "bench")],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert out.count("Profile of one child run:") == 2, out
    for phase in ("fork and set-up", "fit, first epoch (traces train + test)", "facts and snapshots",
                  "judge and results.json (grader)"):
        assert phase in out, phase
    first = out.split("Profile of one child run:")[1]
    rows = {line[:54].strip(): line[54:].split() for line in first.splitlines()[2:] if line.startswith("  ")}
    assert float(rows["total"][1]) >= float(rows["fit, first epoch (traces train + test)"][1]) > 0
