"""Grade a whole class: warm workers in parallel (or a Dask cluster), results per submission,
grades.csv, a class report. A re-run after an interruption only grades what is missing.
"""
from __future__ import annotations

import hashlib
import json
import os
import queue
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from . import __version__, report, rubric
from .lessonfiles import LESSON, SOLUTION
from .atomic import write_json_atomic, write_text_atomic
from .grading import Graded, failed_everywhere, judge, prepare
from .runner import Limits, RunResult, WorkerProcess, run_submission
from .source import SUFFIXES, Submission

RESULTS = "results.json"


@dataclass
class Entry:
    """One submission of the class: where it is, where its results go, what it hashes to."""

    path: Path
    key: str  # folder name under the output directory
    sha256: str | None


def find_submissions(inputs: Iterable[str | Path]) -> tuple[list[tuple[Path, str]], list[str]]:
    """(file, its path relative to the input it was found in) for every submission, recursively
    for directories; plus messages for inputs that do not exist."""
    found: dict[Path, str] = {}
    problems: list[str] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p)
                if f.is_file() and f.suffix.lower() in SUFFIXES and not any(x.startswith(".") for x in rel.parts):
                    found.setdefault(f.resolve(), rel.as_posix())
        elif p.exists():
            found.setdefault(p.resolve(), p.name)  # even with a wrong extension: it gets its own result
        else:
            problems.append(f"{p}: no such file or directory")
    return list(found.items()), problems


def _keys(found: list[tuple[Path, str]]) -> list[str]:
    """Unique, readable folder names: the file's stem, or its relative path where stems collide."""
    stems = [p.stem for p, _ in found]
    return [stem if stems.count(stem) == 1 else rel.replace("/", "__") for stem, (_, rel) in zip(stems, found)]


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _load_previous(out: Path, entry: Entry, limits: Limits, points: dict[str, float]) -> dict | None:
    """A finished result of an earlier run for the very same file and settings, if any."""
    try:
        data = json.loads((out / entry.key / RESULTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    extra = data.get("extra_data", {}) if isinstance(data, dict) else {}
    if extra.get("sha256") == entry.sha256 and extra.get("settings") == _settings(limits, points):
        return data
    return None


def grader_files() -> list[Path]:
    """The grader's own code and data: every file of the package, the lesson and its solution."""
    package = Path(__file__).resolve().parent
    files = {p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    return sorted(files | {Path(LESSON).resolve(), Path(SOLUTION).resolve()})


def fingerprint(paths: Iterable[Path]) -> str:
    """A short hash of the files' names and bytes."""
    digest = hashlib.sha256(__version__.encode())
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def grader_fingerprint() -> str:
    """The fingerprint of :func:`grader_files`: a re-run after any of them changed (a check, a
    message, an accepted answer) grades again instead of reusing old results, which the version
    number alone would allow."""
    return fingerprint(grader_files())


def _settings(limits: Limits, points: dict[str, float]) -> dict:
    return {"grader": f"{__version__}+{grader_fingerprint()}", "timeout": limits.timeout, "memory": limits.memory,
            "output": limits.output, "points": points}


def results_document(graded: Graded, entry: Entry, limits: Limits, points: dict[str, float]) -> dict:
    """Gradescope's results.json, with what the class tools need in ``extra_data``."""
    doc = report.gradescope(graded)
    doc["extra_data"] = {
        "submission": str(entry.path), "sha256": entry.sha256, "settings": _settings(limits, points),
        "run": graded.run, "problem": graded.problem,
        "checks": [{"tag": r.tag, "status": r.status, "answer": r.answer} for r in graded.results],
    }
    return doc


class LocalPool:
    """N warm workers used by N threads; a worker killed by a submission is restarted.

    The workers warm up (import TensorFlow) in the background, so the first submissions are
    read and checked meanwhile; ``run`` waits for a ready worker.
    """

    def __init__(self, jobs: int) -> None:
        self.width = jobs
        self.idle: queue.Queue[WorkerProcess] = queue.Queue()
        self.workers = [WorkerProcess() for _ in range(jobs)]
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
        for t in self._starters:
            t.join()
        for w in self.workers:
            w.close()


def grade_class(inputs: list[str], out: str | Path, jobs: int | None, limits: Limits, points: dict[str, float],
                dask_address: str | None = None, progress: bool = True) -> list[dict]:
    """Grade every submission found in ``inputs`` into ``out``; return the results documents."""
    from tqdm import tqdm

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    found, missing = find_submissions(inputs)
    entries = [Entry(p, k, _sha256(p)) for (p, _), k in zip(found, _keys(found))]
    docs: dict[str, dict] = {}
    todo: list[Entry] = []
    for entry in entries:
        previous = _load_previous(out, entry, limits, points)
        if previous is not None:
            docs[entry.key] = previous
        else:
            todo.append(entry)

    bar = tqdm(total=len(entries), initial=len(entries) - len(todo), desc="grading", unit="sub",
               disable=not progress, dynamic_ncols=True)
    if todo:
        if dask_address:
            from .dask_grading import DaskRunner

            runner: LocalPool | DaskRunner = DaskRunner(dask_address)
        else:
            runner = LocalPool(jobs or default_jobs())
        width = jobs or runner.width
        run_limits = limits if dask_address else share_cores(limits, width)

        def grade_entry(entry: Entry) -> Graded:
            prepared = prepare(entry.path)
            if isinstance(prepared, str):  # cannot be run: its own result, and the class goes on
                return failed_everywhere(str(entry.path), prepared, points)
            try:
                run = runner.run(prepared, run_limits)
            except Exception as exc:  # a lost task must not stop the class
                run = RunResult(None, "worker_error", 0.0, {"message": f"{type(exc).__name__}: {exc}"})
            return judge(prepared, run, limits, points)

        try:
            with ThreadPoolExecutor(max_workers=width) as pool:
                futures = {pool.submit(grade_entry, entry): entry for entry in todo}
                for future in as_completed(futures):
                    _save(out, futures[future], future.result(), limits, points, docs)
                    bar.update(1)
        finally:
            runner.close()
    bar.close()
    ordered = [docs[e.key] for e in entries if e.key in docs]
    write_grades_csv(out, entries, docs)
    from .classreport import write_class_report

    write_class_report(out, ordered, points)
    for message in missing:
        print(f"autograder: {message}")
    return ordered


def _save(out: Path, entry: Entry, graded: Graded, limits: Limits, points: dict[str, float], docs: dict) -> None:
    doc = results_document(graded, entry, limits, points)
    (out / entry.key).mkdir(parents=True, exist_ok=True)
    write_json_atomic(out / entry.key / RESULTS, doc)
    docs[entry.key] = doc


def share_cores(limits: Limits, jobs: int) -> Limits:
    """Give each of ``jobs`` parallel children its share of the cores, so TensorFlow's thread
    pools do not fight over them (unless the caller fixed the thread count)."""
    if limits.threads is not None:
        return limits
    return replace(limits, threads=max(1, default_jobs() // max(1, jobs)))


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def write_grades_csv(out: Path, entries: list[Entry], docs: dict[str, dict]) -> None:
    """One row per submission, one column per check tag, and the total."""
    import pandas as pd

    rows = []
    for entry in entries:
        doc = docs.get(entry.key)
        if doc is None:
            continue
        row = {"submission": entry.key, "path": str(entry.path)}
        by_tag = {t["tags"][0]: t["score"] for t in doc["tests"]}
        row.update({tag: by_tag.get(tag, 0.0) for tag in rubric.CHECKS})
        row["total"] = doc["score"]
        row["max_total"] = sum(t["max_score"] for t in doc["tests"])
        row["problem"] = doc.get("extra_data", {}).get("problem") or ""
        rows.append(row)
    write_text_atomic(out / "grades.csv", pd.DataFrame(rows).to_csv(index=False))
