"""Benchmark: `autograder grade` against `nbgrader autograde` on the same class, in one run.

Builds a class of N notebooks (default 40: the solution and typical mistakes, from
``autograder.integrations.sampleclass``) as submissions to a real nbgrader course made by
``autograder nbgrader``, grades them with both tools on the same offline sample data, and
prints the wall times, the time per submission, the ratio, and whether the scores agree.
It also times one ``autograder check`` of the solution from a cold process, measures that
command's peak memory (proportional set size summed over its whole process tree: the grader,
the warm worker and the submission's child), and times one in-kernel self-check call. Not a test: it prints figures, it asserts nothing.

    bash dev.sh bench [--n 40] [--jobs 2] [--exercise NAME] [--skip-nbgrader] [--keep DIR]
    bash dev.sh bench --profile-only [--repeat 5]   # only the profile of one child run

The class is of one exercise (default: the first; ``autograder exercises`` lists them).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jupytext
import nbformat
import pandas as pd

from autograder import exercises
from autograder.exercises import Exercise
from autograder.grading import judge
from autograder.integrations.classgrade import Entry, results_document, share_cores
from autograder.integrations.sampleclass import variant_text, variants
from autograder.read.source import read_submission
from autograder.run.pool import default_jobs
from autograder.run.runner import Limits, WorkerProcess, run_submission
from autograder.run.worker import descendants

os.environ.update(TF_CPP_MIN_LOG_LEVEL="3", MPLBACKEND="Agg", AUTOGRADER_DATA="sample")  # kernels inherit it
ENV = dict(os.environ)


def run(cmd: list[str], cwd: Path | None = None) -> float:
    """Run a command, fail loudly on error, return its wall time."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return time.perf_counter() - start


def _pss(pid: int) -> int:
    """Proportional set size of one process (shared pages split among their users), in bytes."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def peak_memory(cmd: list[str]) -> tuple[float, int]:
    """Run a command; return its wall time and the peak PSS of its whole process tree (sampled every 20 ms)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, sum(_pss(pid) for pid in [proc.pid, *descendants(proc.pid)]))
        time.sleep(0.02)
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode})")
    return time.perf_counter() - start, peak


def children_cpu() -> float:
    """CPU seconds of every finished descendant so far (each level waits for its own children)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


# --- the profile of one child run ------------------------------------------------------------

def _first_line(code: str) -> str:
    for line in code.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line.strip()[:44]
    return "(empty)"


def profile_run(path: Path, exercise: Exercise, worker, limits) -> list[tuple[str, float, float]]:
    """One submission through the real worker, profiled: (phase, wall s, CPU s), in order.

    The child's set-up, each cell, each fit's epochs (the first one traces the train and test
    functions) and the facts come from the run's own timing (``run_submission(profile=True)``);
    the process's exit from the worker's totals; the grader's part is timed here.
    """
    wall0, cpu0 = time.perf_counter(), time.process_time()
    sub = read_submission(path, exercise)
    read = (time.perf_counter() - wall0, time.process_time() - cpu0)
    run = run_submission(sub, worker, limits, profile=True)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    graded = judge(sub, run, limits, None)
    doc = results_document(graded, Entry(Path(sub.path), "x", None), limits, sub.exercise.points())
    json.dumps(doc)
    judged = (time.perf_counter() - wall0, time.process_time() - cpu0)
    snap = run.snapshot or {}
    timing = snap.get("timing", {})
    cells = {c["index"]: c for c in snap.get("cells", []) if "seconds" in c}
    code = {c["index"]: c["python"] for c in sub.to_job()}
    marks = timing.get("marks", [])
    rows: list[tuple[str, float, float]] = [("read the submission (grader)", *read),
                                            ("fork and set-up", timing.get("setup_seconds", 0.0), timing.get("setup_cpu", 0.0))]
    current, fit_marks = None, {}
    for mark in marks:
        if mark[0] == "cell":
            current = mark[3]
        else:
            fit_marks.setdefault(current, []).append(mark)
    for index, cell in cells.items():
        label = cell["challenge"] or _first_line(code.get(index, ""))
        if index not in fit_marks:
            rows.append((f"cell {label}", cell["seconds"], cell["cpu_seconds"]))
            continue
        events = fit_marks[index]
        begins = [m for m in events if m[0] == "train_begin"]
        ends = [m for m in events if m[0] == "epoch_end"]
        last = [m for m in events if m[0] == "train_end"]
        inside = (sum(e[1] - b[1] for b, e in zip(begins, last)), sum(e[2] - b[2] for b, e in zip(begins, last)))
        rows.append((f"cell {label}: outside the epochs", cell["seconds"] - inside[0], cell["cpu_seconds"] - inside[1]))
        if begins and ends:
            first = (ends[0][1] - begins[0][1], ends[0][2] - begins[0][2])
            rows.append(("  fit, first epoch (traces train + test)", *first))
            rows.append((f"  fit, other {len(ends) - 1} epochs", inside[0] - first[0], inside[1] - first[1]))
    facts = (timing.get("facts_seconds", 0.0), timing.get("facts_cpu", 0.0))
    rows.append((f"facts and snapshots ({timing.get('snapshots', 0)})", *facts))
    accounted = (sum(r[1] for r in rows[1:]), sum(r[2] for r in rows[1:]))
    rows.append(("exit, reaping, worker's polling", run.seconds - accounted[0],
                 run.detail.get("cpu_seconds", 0.0) - accounted[1]))
    rows.append(("judge and results.json (grader)", *judged))
    return rows


def print_profile(exercise: Exercise, jobs: int | None, repeat: int, work: Path) -> None:
    """The profile of the solution and of a typical wrong submission (the first variant that
    fails a check): the median of ``repeat`` runs of each phase, wall and CPU."""
    table = variants(exercise)
    wrong = next((name for name, (_, fails) in table.items() if fails), None)
    chosen = [name for name in table if not table[name][1]][:1] + ([wrong] if wrong else [])
    limits = share_cores(Limits(), jobs or default_jobs())
    worker = WorkerProcess()
    worker.start()
    try:
        for name in chosen:
            path = work / f"profile_{name}.py"
            path.write_text(variant_text(name, exercise), encoding="utf-8")
            profile_run(path, exercise, worker, limits)  # once unmeasured: the worker's first child pays for cold caches
            runs = [profile_run(path, exercise, worker, limits) for _ in range(repeat)]
            print(f"\nProfile of one child run: {name} ({'correct' if not table[name][1] else 'fails ' + ', '.join(sorted(table[name][1]))}), "
                  f"median of {repeat}, {limits.threads} TensorFlow thread(s)")
            print(f"  {'phase':<52} {'wall ms':>8} {'CPU ms':>8}")
            for i, (label, _, _) in enumerate(runs[0]):
                wall = statistics.median(r[i][1] for r in runs)
                cpu = statistics.median(r[i][2] for r in runs)
                print(f"  {label:<52} {1000 * wall:8.0f} {1000 * cpu:8.0f}")
            total = [(sum(x[1] for x in r), sum(x[2] for x in r)) for r in runs]
            print(f"  {'total':<52} {1000 * statistics.median(t[0] for t in total):8.0f} "
                  f"{1000 * statistics.median(t[1] for t in total):8.0f}")
    finally:
        worker.close()


def tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def make_class(course: Path, flat: Path, n: int, exercise: Exercise) -> list[str]:
    """Submissions as nbgrader expects them, and the same notebooks in one flat folder."""
    assignment = exercise.table.NBGRADER_ASSIGNMENT
    (released,) = (course / "release" / assignment).glob("*.ipynb")
    release = nbformat.read(released, as_version=4)
    names = list(variants(exercise))
    students = []
    for i in range(n):
        variant = names[i % len(names)]
        student = f"s{i + 1:03d}_{variant}"
        filled = {c.metadata.get("challenge"): c.source
                  for c in jupytext.reads(variant_text(variant, exercise), fmt="py:percent").cells
                  if c.metadata.get("challenge")}
        nb = nbformat.from_dict(release)
        for cell in nb.cells:
            key = cell.metadata.get("challenge")
            if key in filled:
                cell.source = filled[key]
        target = course / "submitted" / student / assignment
        target.mkdir(parents=True)
        nbformat.write(nb, target / released.name)
        flat.mkdir(exist_ok=True)
        nbformat.write(nb, flat / f"{student}.ipynb")
        students.append(student)
    return students


def selfcheck_ms(workdir: Path, exercise: Exercise) -> float:
    """Run the solution in a real kernel, then time one self-check call there (best of 5)."""
    from nbclient import NotebookClient

    nb = jupytext.read(exercise.solution)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import time\nfrom autograder import selfcheck\n_t = []\n"
        "for _ in range(5):\n    _s = time.perf_counter(); _r = selfcheck.results('plot'); _t.append(time.perf_counter() - _s)\n"
        "assert all(r.status == 'passed' for r in _r), _r  # a real check of the live objects\n"
        "print('SELFCHECK_MS=%.1f' % (1000 * min(_t)))"))
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}).execute()
    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    return float(out.split("SELFCHECK_MS=")[1].split()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=40, help="submissions in the class (default 40)")
    parser.add_argument("--jobs", type=int, default=None, help="autograder grade --jobs (default: cores)")
    parser.add_argument("--exercise", default=exercises.first().name, choices=exercises.names(),
                        help="the exercise of the class (default %(default)s)")
    parser.add_argument("--skip-nbgrader", action="store_true", help="time autograder only")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temporary folder)")
    parser.add_argument("--profile-only", action="store_true",
                        help="print only the profile of one child run (the solution and a wrong submission)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per profiled submission (default 5; the median is shown)")
    args = parser.parse_args()
    exercise = exercises.get(args.exercise)
    assignment, solution = exercise.table.NBGRADER_ASSIGNMENT, exercise.solution

    work = Path(args.keep or tempfile.mkdtemp(prefix="autograder-bench-"))
    if work.exists() and args.keep:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    print(f"Load average before the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores "
          "(wall times mean little above about 1.5 on 2 cores; CPU times hold better)")
    if args.profile_only:
        print_profile(exercise, args.jobs, args.repeat, work)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        return
    course, flat, graded = work / "course", work / "class", work / "graded"
    autograder = tool("autograder")
    nbgrader = tool("nbgrader")

    run([autograder, "nbgrader", str(course), "--exercise", exercise.name])
    run([nbgrader, "generate_assignment", assignment, "--force"], cwd=course)
    students = make_class(course, flat, args.n, exercise)
    print(f"Class of {exercise.name}: {args.n} notebooks ({len(variants(exercise))} variants: the solution and "
          f"typical mistakes), {os.cpu_count()} cores")

    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    cpu_before = children_cpu()
    ours = run([autograder, "grade", str(flat), "--out", str(graded), "--quiet", "--exercise", exercise.name, *jobs])
    cpu_all = children_cpu() - cpu_before
    ours_scores = pd.read_csv(graded / "grades.csv").set_index("submission")["total"]
    runs = [json.loads((graded / s / "results.json").read_text())["extra_data"]["run"] for s in students]
    cpus = [r.get("cpu_seconds", 0.0) for r in runs]
    print(f"autograder grade:    {ours:7.1f} s wall, {ours / args.n:.2f} s per submission "
          f"(--jobs {args.jobs or os.cpu_count()}; target for 100: <= 30 s)")
    print(f"  CPU per submission: median {statistics.median(cpus):.2f} s, 95th percentile {percentile(cpus, 0.95):.2f} s "
          f"(the child's, all its threads); all submissions {sum(cpus):.1f} s of the run's {cpu_all:.1f} s CPU "
          "(the rest: the warm workers' start, their polling, the grader, the class report)")
    print(f"  peak memory per child: {max(r.get('max_rss_bytes', 0) for r in runs) / 2**20:.0f} MiB resident "
          f"(pages shared with the warm worker included), "
          f"{max(r.get('peak_bytes', 0) for r in runs) / 2**20:.0f} MiB private resident as the memory limit counts it")

    if not args.skip_nbgrader:
        theirs = run([nbgrader, "autograde", assignment, "--create", "--force"], cwd=course)
        run([nbgrader, "export", "--to", str(work / "nbgrader_grades.csv")], cwd=course)
        nb_scores = pd.read_csv(work / "nbgrader_grades.csv").set_index("student_id")["raw_score"]
        print(f"nbgrader autograde:  {theirs:7.1f} s wall, {theirs / args.n:.2f} s per submission")
        print(f"speed-up:            {theirs / ours:7.1f}x (target: >= 15x on 40)")
        same = all(abs(float(nb_scores[s]) - float(ours_scores[s])) < 1e-9 for s in students)
        print(f"same scores:         {'yes' if same else 'NO'} "
              f"(total {ours_scores.sum():g} vs {nb_scores.sum():g} of {args.n * sum(c.points for c in exercise.checks.values()):g})")
        if not same:
            for s in students:
                if abs(float(nb_scores[s]) - float(ours_scores[s])) >= 1e-9:
                    print(f"  {s}: autograder {ours_scores[s]:g}, nbgrader {nb_scores[s]:g}")

    cold = run([autograder, "check", str(solution)])
    print(f"autograder check:    {cold:7.2f} s wall (cold process, the solution; target: <= 4 s)")
    _, peak = peak_memory([autograder, "check", str(solution)])
    print(f"check peak memory:   {peak / 2**20:7.0f} MiB (PSS of the whole process tree; Gradescope's default is 768 MB)")
    print(f"in-kernel self-check:{selfcheck_ms(work, exercise):7.1f} ms (selfcheck.results('plot'), best of 5)")
    print_profile(exercise, args.jobs, args.repeat, work)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
