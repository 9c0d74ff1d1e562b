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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description="Grade the Keras 'Compile and Train' exercises.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="grade one submission (.py jupytext percent script or .ipynb)")
    p.add_argument("submission")
    p.add_argument("--format", choices=["text", "json"], default="text",
                   help="text for people, json for Gradescope's results.json (default text)")
    _add_limit_options(p)
    p.set_defaults(func=cmd_check)
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
