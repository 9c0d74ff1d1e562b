"""A class run over every hostile and broken submission together with good ones, and a class
run killed midway then re-run: the good ones are graded right and every run finishes."""
from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from conftest import SOLUTION
from autograder.integrations.sampleclass import variant_text
from autograder.run.runner import WATCHDOG_GRACE
from conftest import MIN_TIME_LIMIT
from test_hostile import BAD_INPUT, CASES, HOSTILE, expected_statuses

# One time limit for every case: >= 10x what a case needs idle, and short enough that the watchdog
# (limit + WATCHDOG_GRACE) cuts the frozen-worker case well before its 60 s sleep ends.
CLASS_TIMEOUT = 30
ARGS = ["--jobs", "2", "--timeout", str(CLASS_TIMEOUT), "--memory-limit", "1G", "--output-limit", "100K", "--quiet"]


def grade(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.cli", "grade", *args], capture_output=True,
                          text=True, timeout=1800, **kw)  # a guard against a hang only


def test_hostile_class_run_grades_the_good_ones_and_finishes(tmp_path):
    assert MIN_TIME_LIMIT <= CLASS_TIMEOUT <= 60 - WATCHDOG_GRACE - MIN_TIME_LIMIT
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in CASES:
        shutil.copy2(HOSTILE / name, subs / Path(name).name)
    bad = [n for n in BAD_INPUT if (HOSTILE / "bad_input" / n).is_file() and n.endswith((".py", ".ipynb"))]
    for name in bad:
        shutil.copy2(HOSTILE / "bad_input" / name, subs / f"bad_{name}")
    for i in range(3):
        (subs / f"good_{i}.py").write_text(SOLUTION.read_text())
    before = {p.name: p.read_bytes() for p in subs.iterdir()}

    proc = grade(str(subs), "--out", str(tmp_path / "out"), *ARGS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    grades = pd.read_csv(tmp_path / "out" / "grades.csv").set_index("submission")
    assert len(grades) == len(before)
    for i in range(3):
        assert grades.loc[f"good_{i}", "total"] == 13
    for name in bad:
        assert grades.loc[f"bad_{Path(name).stem}", "total"] == 0
    for name, case in CASES.items():
        file = Path(name).name
        key = Path(file).stem if sum(Path(n).stem == Path(file).stem for n in CASES) == 1 else file
        doc = json.loads((tmp_path / "out" / key / "results.json").read_text())
        passed = {t["tags"][0] for t in doc["tests"] if t["status"] == "passed"}
        must_pass = {tag for tag, (ok, _) in expected_statuses(case).items() if ok}
        assert passed == must_pass, f"{name}: passed {sorted(passed)}, expected {sorted(must_pass)}"
    # (some hostile submissions really write new files next to themselves; those are ignored)
    assert {n: (subs / n).read_bytes() for n in before} == before, "a submission file was changed"


def test_a_killed_class_run_finishes_when_run_again(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for i in range(8):
        (subs / f"s{i}.py").write_text(variant_text("correct" if i % 2 else "five_epochs"))
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "autograder.cli", "grade", str(subs), "--out", str(out),
                             "--jobs", "1", "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 300
    while not list(out.glob("*/results.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    import os

    os.killpg(proc.pid, signal.SIGKILL)  # the grader and its workers, mid-run
    proc.wait()
    done_before = len(list(out.glob("*/results.json")))
    assert 1 <= done_before < 8
    for f in out.glob("*/results.json"):
        json.loads(f.read_text())  # every result that exists is whole

    again = grade(str(subs), "--out", str(out), "--jobs", "2", "--quiet")
    assert again.returncode == 0, again.stderr
    grades = pd.read_csv(out / "grades.csv")
    assert len(grades) == 8
    assert sorted(grades.total) == [12.0] * 4 + [13.0] * 4
