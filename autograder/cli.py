"""The ``autograder`` command."""
from __future__ import annotations

import argparse
import sys

from . import report, rubric
from .runner import DEFAULT_MEMORY, DEFAULT_OUTPUT, DEFAULT_TIMEOUT, Limits, parse_size


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(timeout=args.timeout, memory=parse_size(args.memory_limit), output=parse_size(args.output_limit))


def _add_limit_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"wall-clock limit per submission (default {DEFAULT_TIMEOUT:g})")
    p.add_argument("--memory-limit", default=f"{DEFAULT_MEMORY // 2**30}G", metavar="SIZE",
                   help="memory limit per submission, e.g. 2G (default %(default)s)")
    p.add_argument("--output-limit", default=f"{DEFAULT_OUTPUT // 1000}K", metavar="SIZE",
                   help="cap on what a submission may print (default %(default)s)")
    p.add_argument("--points", metavar="FILE", help='JSON file {"check.tag": points} overriding the default points')


def cmd_check(args: argparse.Namespace) -> int:
    from .grading import grade_one
    from .runner import WorkerProcess

    points = rubric.load_points(args.points)
    limits = _limits(args)
    worker = WorkerProcess()
    try:
        graded = grade_one(args.submission, worker, limits, points)
    finally:
        worker.close()
    if graded.unreadable:
        print(f"autograder: {graded.problem}", file=sys.stderr)
        return 2
    print(report.gradescope_json(graded) if args.format == "json" else report.text(graded))
    return 0 if graded.all_passed else 1


def cmd_grade(args: argparse.Namespace) -> int:
    from .classgrade import grade_class
    from .classreport import summary_text

    if args.jobs is not None and args.jobs < 1:
        raise ValueError("--jobs must be at least 1")
    points = rubric.load_points(args.points)
    docs = grade_class(args.submissions, args.out, args.jobs, _limits(args), points,
                       dask_address=args.dask, progress=not args.quiet)
    if not docs:
        print("autograder: no submissions (.py or .ipynb) found", file=sys.stderr)
        return 2
    print(summary_text(docs))
    print(f"Results: {args.out}/<submission>/results.json, {args.out}/grades.csv, "
          f"{args.out}/report.md, {args.out}/pass_rates.png")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .classgrade import grade_class
    from .classreport import summary_text
    from .sampleclass import VARIANTS, write_class

    out = Path(args.out)
    subs = out / "submissions"
    write_class(subs, len(VARIANTS))
    print(f"Wrote {len(VARIANTS)} sample submissions (the solution and typical mistakes) to {subs}/")
    docs = grade_class([str(subs)], out / "results", args.jobs, Limits(), rubric.load_points(None))
    print(summary_text(docs))
    print(f"Per-submission feedback: {out}/results/<submission>/results.json; class report: "
          f"{out}/results/report.md and {out}/results/pass_rates.png; grades: {out}/results/grades.csv")
    command = Path(sys.executable).with_name("autograder")
    print(f"Try one yourself: {command if command.exists() else 'autograder'} check {subs}/student003_categorical_loss.py")
    return 0


def cmd_nbgrader(args: argparse.Namespace) -> int:
    """Create or update an nbgrader course directory; print the assignment name."""
    from .nbgrader_course import build_course

    points = rubric.load_points(args.points)
    try:
        build = build_course(args.course_dir, args.assignment, points)
    except OSError as exc:
        raise ValueError(f"cannot write the course: {exc}") from None
    for path in build.written:
        print(f"wrote {path}", file=sys.stderr)
    print(build.assignment)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description="Grade the Keras 'Compile and Train' exercises.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="grade one submission (.py jupytext percent script or .ipynb)")
    p.add_argument("submission")
    p.add_argument("--format", choices=["text", "json"], default="text",
                   help="text for people, json for Gradescope's results.json (default text)")
    _add_limit_options(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("grade", help="grade a class: files and/or directories of submissions")
    p.add_argument("submissions", nargs="+", metavar="SUBMISSION_OR_DIR")
    p.add_argument("--out", required=True, metavar="DIR", help="where results, grades.csv and the report go")
    p.add_argument("--jobs", type=int, default=None, metavar="N", help="parallel workers (default: number of cores)")
    p.add_argument("--dask", metavar="ADDRESS", help="run on an existing Dask cluster, e.g. tcp://127.0.0.1:8786")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_limit_options(p)
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("demo", help="grade the bundled sample class on the offline sample data")
    p.add_argument("--out", default="out/demo", metavar="DIR", help="output directory (default %(default)s)")
    p.add_argument("--jobs", type=int, default=None, metavar="N")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("nbgrader", help="create or update an nbgrader course directory from the lesson")
    p.add_argument("course_dir", metavar="COURSE_DIR")
    p.add_argument("--assignment", default="compile_and_train", metavar="NAME",
                   help="assignment name under COURSE_DIR/source/ (default %(default)s)")
    p.add_argument("--points", metavar="FILE", help='JSON file {"check.tag": points} overriding the default points')
    p.set_defaults(func=cmd_nbgrader)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ValueError as exc:  # bad option values (sizes, points files) name themselves
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("autograder: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
