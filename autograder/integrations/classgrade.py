"""Grade a whole class: warm workers in parallel (or a Dask cluster), results per submission,
grades.csv, a class report. A re-run after an interruption only grades what is missing.

Each submission is graded as its own exercise (recognised, or the one the instructor forces). A
class of one exercise gets ``grades.csv``, ``report.md`` and ``pass_rates.png``; a class that mixes
exercises gets them once per exercise, suffixed with its name (``grades_<exercise>.csv``, ...),
plus a ``grades.csv`` of every submission's exercise and total, and a ``report.md`` linking the
per-exercise reports.
"""
from __future__ import annotations

import hashlib
import json
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

from autograder import __version__, exercises
from autograder.report import document as report
from autograder.run.atomic import write_json_atomic, write_text_atomic
from autograder.report.classreport import by_exercise, doc_exercise
from autograder.exercises import Exercise
from autograder.grading import Graded, failed_everywhere, judge
from autograder.run.pool import LocalPool, default_jobs
from autograder.run.runner import Limits, RunResult
from autograder.read.source import SUFFIXES, SubmissionError, read_submission

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


# Points per exercise name; an exercise not in it is graded with its table's points.
PointsTable = Mapping[str, Mapping[str, float]]


def exercise_points(points: PointsTable | None, exercise: Exercise) -> dict[str, float]:
    """The points ``exercise`` is graded with: the instructor's for it, else its table's."""
    chosen = (points or {}).get(exercise.name)
    return dict(chosen) if chosen is not None else exercise.points()


def _load_previous(out: Path, entry: Entry, limits: Limits, points: PointsTable | None,
                   forced: Exercise | None) -> dict | None:
    """A finished result of an earlier run for the very same file and settings, if any."""
    try:
        data = json.loads((out / entry.key / RESULTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    extra = data.get("extra_data", {}) if isinstance(data, dict) else {}
    try:
        exercise = exercises.get(extra.get("exercise"))
    except (exercises.UnknownExercise, TypeError):
        return None
    if forced is not None and exercise is not forced:
        return None
    settings = _settings(limits, exercise_points(points, exercise), forced)
    if extra.get("sha256") == entry.sha256 and extra.get("settings") == settings:
        return data
    return None


def grader_files() -> list[Path]:
    """The grader's own code and data: every file of the package (every exercise's folder among
    them), and every exercise's lesson and solution."""
    package = Path(__file__).resolve().parents[1]  # autograder/, not this layer
    files = {p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    lessons = set()
    for exercise in exercises.all_exercises():
        for part in ("lesson", "solution"):
            try:
                lessons.add(Path(getattr(exercise, part)).resolve())
            except FileNotFoundError:  # an exercise without its file grades nothing from it
                pass
    return sorted(files | lessons)


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


def _settings(limits: Limits, points: Mapping[str, float], forced: Exercise | None = None) -> dict:
    """What a result depends on besides the file: the grader, the limits, the points of its
    exercise, and the exercise the instructor forced (None: recognised)."""
    return {"grader": f"{__version__}+{grader_fingerprint()}", "timeout": limits.timeout, "memory": limits.memory,
            "output": limits.output, "points": dict(points), "exercise": forced.name if forced else None}


def results_document(graded: Graded, entry: Entry, limits: Limits, points: Mapping[str, float],
                     forced: Exercise | None = None) -> dict:
    """Gradescope's results.json, with what the class tools need in ``extra_data``."""
    doc = report.gradescope(graded)
    doc["extra_data"] = {
        "submission": str(entry.path), "exercise": doc["extra_data"]["exercise"], "sha256": entry.sha256,
        "settings": _settings(limits, points, forced), "run": graded.run, "problem": graded.problem,
        "checks": [{"tag": r.tag, "status": r.status, "answer": r.answer} for r in graded.results],
    }
    if graded.not_lesson:
        doc["extra_data"]["not_lesson"] = True
    return doc


def grade_class(inputs: list[str], out: str | Path, jobs: int | None, limits: Limits,
                points: PointsTable | None = None, dask_address: str | None = None, progress: bool = True,
                exercise: Exercise | str | None = None, pool: LocalPool | None = None) -> list[dict]:
    """Grade every submission found in ``inputs`` into ``out``; return the results documents.

    ``pool``: warm workers the caller started early (used if there is anything to run, and then
    closed here; the caller closes it in any case); else made here.

    Each submission is graded as ``exercise`` if given, else as the exercise it is recognised as;
    ``points`` maps an exercise's name to its points (an exercise not in it: its table's).
    """
    from tqdm import tqdm

    forced = exercises.get(exercise) if exercise is not None else None
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    found, missing = find_submissions(inputs)
    entries = [Entry(p, k, _sha256(p)) for (p, _), k in zip(found, _keys(found))]
    docs: dict[str, dict] = {}
    todo: list[Entry] = []
    for entry in entries:
        previous = _load_previous(out, entry, limits, points, forced)
        if previous is not None:
            docs[entry.key] = previous
        else:
            todo.append(entry)

    bar = tqdm(total=len(entries), initial=len(entries) - len(todo), desc="grading", unit="sub",
               disable=not progress, dynamic_ncols=True)
    if todo:
        if dask_address:
            from autograder.integrations.dask_grading import DaskRunner

            runner: LocalPool | DaskRunner = DaskRunner(dask_address)
        else:
            runner = pool or LocalPool(jobs or default_jobs())
        width = jobs or runner.width
        run_limits = limits if dask_address else share_cores(limits, width)

        def grade_entry(entry: Entry) -> Graded:
            try:
                sub = read_submission(entry.path, forced)
            except SubmissionError as exc:  # cannot be run: its own result, and the class goes on
                ex = exc.exercise or exercises.first()
                return failed_everywhere(str(entry.path), exc.message, exercise_points(points, ex), ex)
            try:
                run = runner.run(sub, run_limits)
            except Exception as exc:  # a lost task must not stop the class
                run = RunResult(None, "worker_error", 0.0, {"message": f"{type(exc).__name__}: {exc}"})
            return judge(sub, run, limits, exercise_points(points, sub.exercise))

        try:
            # Twice as many threads as workers: while a worker runs one submission, the next one is
            # already read and waiting for it, so no worker idles while the grader reads or judges.
            with ThreadPoolExecutor(max_workers=2 * width) as threads:
                futures = {threads.submit(grade_entry, entry): entry for entry in todo}
                for done, future in enumerate(as_completed(futures), 1):
                    _save(out, futures[future], future.result(), limits, points, forced, docs)
                    bar.update(1)
                    if done == max(1, len(todo) - width):  # the last ones are running: cores free up
                        threading.Thread(target=_prepare_report, daemon=True).start()
        finally:
            runner.close()
    bar.close()
    ordered = [docs[e.key] for e in entries if e.key in docs]
    write_outputs(out, entries, docs)
    for message in missing:
        print(f"autograder: {message}")
    return ordered


def _prepare_report() -> None:
    from autograder.report.classreport import prepare_plotting

    try:
        prepare_plotting()
    except Exception:  # plotting says what is wrong when it runs
        pass


def output_names(exercise: Exercise | None) -> dict[str, str]:
    """The class files of one exercise: unsuffixed for a class of one exercise (None), else
    suffixed with the exercise's name."""
    suffix = f"_{exercise.name}" if exercise is not None else ""
    return {"grades": f"grades{suffix}.csv", "report": f"report{suffix}.md", "plot": f"pass_rates{suffix}.png"}


def write_outputs(out: Path, entries: list[Entry], docs: dict[str, dict]) -> None:
    """grades.csv and the class report: one set for a class of one exercise, one per exercise
    (and an index) for a class that mixes them. Files of an earlier run's layout are removed."""
    from autograder.report.classreport import write_class_report, write_index

    groups = by_exercise(docs[e.key] for e in entries if e.key in docs) or {exercises.first(): []}
    mixed = len(groups) > 1
    for ex, group in groups.items():
        names = output_names(ex if mixed else None)
        keys = {id(d) for d in group}
        mine = [e for e in entries if e.key in docs and id(docs[e.key]) in keys]
        write_grades_csv(out, mine, docs, ex, names["grades"])
        write_class_report(out, group, ex, report_name=names["report"], plot_name=names["plot"], titled=mixed)
    stale = [output_names(ex) for ex in exercises.all_exercises() if not mixed or ex not in groups]
    stale += [{"plot": output_names(None)["plot"]}] if mixed else []
    for names in stale:
        for name in names.values():
            (out / name).unlink(missing_ok=True)
    if mixed:
        write_index_csv(out, entries, docs)
        write_index(out, groups, {ex: output_names(ex) for ex in groups})


def _save(out: Path, entry: Entry, graded: Graded, limits: Limits, points: PointsTable | None,
          forced: Exercise | None, docs: dict) -> None:
    ex = exercises.get(graded.exercise) if graded.exercise else exercises.first()
    doc = results_document(graded, entry, limits, exercise_points(points, ex), forced)
    (out / entry.key).mkdir(parents=True, exist_ok=True)
    write_json_atomic(out / entry.key / RESULTS, doc)
    docs[entry.key] = doc


def share_cores(limits: Limits, jobs: int) -> Limits:
    """Give each of ``jobs`` parallel children its share of the cores, so TensorFlow's thread
    pools do not fight over them (unless the caller fixed the thread count)."""
    if limits.threads is not None:
        return limits
    return replace(limits, threads=max(1, default_jobs() // max(1, jobs)))


def write_grades_csv(out: Path, entries: list[Entry], docs: dict[str, dict], exercise: Exercise,
                     name: str = "grades.csv") -> None:
    """One row per submission of ``exercise``, one column per check tag, and the total."""
    import pandas as pd

    rows = []
    for entry in entries:
        doc = docs.get(entry.key)
        if doc is None:
            continue
        row = {"submission": entry.key, "path": str(entry.path)}
        by_tag = {t["tags"][0]: t["score"] for t in doc["tests"]}
        row.update({tag: by_tag.get(tag, 0.0) for tag in exercise.checks})
        row["total"] = doc["score"]
        row["max_total"] = sum(t["max_score"] for t in doc["tests"])
        row["problem"] = doc.get("extra_data", {}).get("problem") or ""
        rows.append(row)
    write_text_atomic(out / name, pd.DataFrame(rows).to_csv(index=False))


def write_index_csv(out: Path, entries: list[Entry], docs: dict[str, dict]) -> None:
    """grades.csv of a class that mixes exercises: every submission's exercise and total (the
    per-check columns are in each exercise's own grades file)."""
    import pandas as pd

    rows = []
    for entry in entries:
        doc = docs.get(entry.key)
        if doc is None:
            continue
        rows.append({"submission": entry.key, "path": str(entry.path), "exercise": doc_exercise(doc).name,
                     "total": doc["score"], "max_total": sum(t["max_score"] for t in doc["tests"]),
                     "problem": doc.get("extra_data", {}).get("problem") or ""})
    write_text_atomic(out / "grades.csv", pd.DataFrame(rows).to_csv(index=False))
