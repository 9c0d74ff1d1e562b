"""Benchmark: `autograder grade` against `nbgrader autograde` on the same class, in one run.

Builds a class of N notebooks (default 40: the solution and typical mistakes, from
``autograder.integrations.sampleclass``) as submissions to a real nbgrader course made by
``autograder nbgrader``, grades them with both tools on the same offline sample data, and
prints the wall times, the time per submission, the ratio, and whether the scores agree.
It also times one ``autograder check`` of the solution from a cold process, measures that
command's peak memory (proportional set size summed over its whole process tree: the grader,
the warm worker and the submission's child), and times one in-kernel self-check call. Not a test: it prints figures, it asserts nothing.

    bash dev.sh bench [--n 40] [--jobs 2] [--exercise NAME] [--skip-nbgrader] [--keep DIR]

The class is of one exercise (default: the first; ``autograder exercises`` lists them).
"""
from __future__ import annotations

import argparse
import os
import shutil
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
from autograder.integrations.sampleclass import variant_text, variants
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
    args = parser.parse_args()
    exercise = exercises.get(args.exercise)
    assignment, solution = exercise.table.NBGRADER_ASSIGNMENT, exercise.solution

    work = Path(args.keep or tempfile.mkdtemp(prefix="autograder-bench-"))
    if work.exists() and args.keep:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    course, flat, graded = work / "course", work / "class", work / "graded"
    autograder = tool("autograder")
    nbgrader = tool("nbgrader")

    run([autograder, "nbgrader", str(course), "--exercise", exercise.name])
    run([nbgrader, "generate_assignment", assignment, "--force"], cwd=course)
    students = make_class(course, flat, args.n, exercise)
    print(f"Class of {exercise.name}: {args.n} notebooks ({len(variants(exercise))} variants: the solution and "
          f"typical mistakes), {os.cpu_count()} cores")

    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    ours = run([autograder, "grade", str(flat), "--out", str(graded), "--quiet", "--exercise", exercise.name, *jobs])
    ours_scores = pd.read_csv(graded / "grades.csv").set_index("submission")["total"]
    print(f"autograder grade:    {ours:7.1f} s wall, {ours / args.n:.2f} s per submission")

    if not args.skip_nbgrader:
        theirs = run([nbgrader, "autograde", assignment, "--create", "--force"], cwd=course)
        run([nbgrader, "export", "--to", str(work / "nbgrader_grades.csv")], cwd=course)
        nb_scores = pd.read_csv(work / "nbgrader_grades.csv").set_index("student_id")["raw_score"]
        print(f"nbgrader autograde:  {theirs:7.1f} s wall, {theirs / args.n:.2f} s per submission")
        print(f"speed-up:            {theirs / ours:7.1f}x")
        same = all(abs(float(nb_scores[s]) - float(ours_scores[s])) < 1e-9 for s in students)
        print(f"same scores:         {'yes' if same else 'NO'} "
              f"(total {ours_scores.sum():g} vs {nb_scores.sum():g} of {args.n * sum(c.points for c in exercise.checks.values()):g})")
        if not same:
            for s in students:
                if abs(float(nb_scores[s]) - float(ours_scores[s])) >= 1e-9:
                    print(f"  {s}: autograder {ours_scores[s]:g}, nbgrader {nb_scores[s]:g}")

    cold = run([autograder, "check", str(solution)])
    print(f"autograder check:    {cold:7.2f} s wall (cold process, the solution)")
    _, peak = peak_memory([autograder, "check", str(solution)])
    print(f"check peak memory:   {peak / 2**20:7.0f} MiB (PSS of the whole process tree; Gradescope's default is 768 MB)")
    print(f"in-kernel self-check:{selfcheck_ms(work, exercise):7.1f} ms (selfcheck.results('plot'), best of 5)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
