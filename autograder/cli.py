"""The ``autograder`` command."""
from __future__ import annotations

import argparse
import importlib
import shlex
import shutil
import sys
from pathlib import Path

from autograder import exercises
from autograder.report import document as report
from autograder.exercises import Exercise
from autograder.run.runner import DEFAULT_MEMORY, DEFAULT_OUTPUT, DEFAULT_TIMEOUT, Limits
from autograder.run.sizes import parse_size

DISTRIBUTION = "keras-cnn-autograder"


class MissingExtra(Exception):
    """A command needs an optional part of the package (a pip extra) that is not installed."""


def _need(command: str, extra: str, module: str) -> None:
    """Import ``module`` now, or raise MissingExtra with the pip command that installs it."""
    try:
        importlib.import_module(module)
    except ImportError as exc:
        missing = getattr(exc, "name", None)
        why = "" if missing in (None, module) else f" (importing it failed: {exc})"
        raise MissingExtra(f"`autograder {command}` needs {module}{why}: "
                           f"pip install '{DISTRIBUTION}[{extra}]'") from None


def _command(name: str) -> str | None:
    """How to call the console script ``name`` of this environment: its name if on PATH, else its path."""
    here = Path(sys.executable).with_name(name)
    on_path = shutil.which(name)
    if on_path and (not here.exists() or Path(on_path).resolve() == here.resolve()):
        return name
    return shlex.quote(str(here)) if here.exists() else None


def _exercise(args: argparse.Namespace) -> Exercise | None:
    """The exercise ``--exercise`` names (None: not given); an unknown name raises
    UnknownExercise, a ValueError listing the exercises."""
    name = getattr(args, "exercise", None)
    return exercises.get(name) if name is not None else None


def cmd_exercises(args: argparse.Namespace) -> int:
    """List the exercises: name and title, one per line (or JSON)."""
    listed = exercises.all_exercises()
    if args.format == "json":
        import json

        print(json.dumps([{"name": e.name, "title": e.title, "lesson": Path(e.table.LESSON_FILE).name,
                           "points": sum(e.points().values())} for e in listed], indent=2))
    else:
        width = max((len(e.name) for e in listed), default=0)
        for e in listed:
            print(f"{e.name:<{width}}  {e.title}")
    return 0


def cmd_lesson(args: argparse.Namespace) -> int:
    """Write the lessons for a learner (one exercise's with --exercise, else every exercise's):
    the notebook and the percent script of each, never over their work."""
    forced = _exercise(args)
    chosen = [forced] if forced else exercises.all_exercises()
    folder = Path(args.dir)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{folder} is not a folder")
    files = {e: (folder / f"{e.lesson.stem}.ipynb", folder / e.lesson.name) for e in chosen}
    existing = [str(p) for pair in files.values() for p in pair if p.exists()]
    if existing and not args.force:
        print(f"autograder: not overwriting {_and(existing)} (your answers may be there): "
              "choose another folder, or add --force to replace it", file=sys.stderr)
        return 1
    for exercise, (notebook, script) in files.items():
        _write_lesson(exercise, folder, notebook, script)
        if len(chosen) > 1:
            print(f"{exercise.name}: {exercise.title}")
        print(f"Wrote {notebook} (the lesson as a notebook)")
        print(f"  and {script} (the same lesson as a jupytext percent script)")
    lab = _command("jupyter-lab")
    nb_arg = " ".join(shlex.quote(str(notebook)) for notebook, _ in files.values())
    if lab:
        print(f"Open it: {'jupyter lab' if lab == 'jupyter-lab' else lab} {nb_arg}")
    else:
        print(f"Open it in Jupyter or VS Code (no JupyterLab here: pip install jupyterlab, then jupyter lab {nb_arg})")
    print("Fill in every _____ and run the cells in order; the selfcheck cells after each challenge "
          "say what to change.")
    print(f"Grade the whole notebook: {_command('autograder') or 'autograder'} check "
          + (nb_arg if len(files) == 1 else "NOTEBOOK"))
    return 0


def _write_lesson(exercise: Exercise, folder: Path, notebook: Path, script: Path) -> None:
    import jupytext

    from autograder.run.atomic import write_text_atomic

    text = exercise.lesson.read_text(encoding="utf-8")
    nb = jupytext.reads(text, fmt="py:percent")
    nb.metadata.pop("jupytext", None)  # a plain notebook: not paired with the script by jupytext
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_text_atomic(notebook, jupytext.writes(nb, fmt="ipynb"))
        write_text_atomic(script, text)
    except OSError as exc:
        raise ValueError(f"cannot write the lesson into {folder}: {exc}") from None


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(timeout=args.timeout, memory=parse_size(args.memory_limit), output=parse_size(args.output_limit))


def _add_limit_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"wall-clock limit per submission (default {DEFAULT_TIMEOUT:g})")
    p.add_argument("--memory-limit", default=f"{DEFAULT_MEMORY // 2**30}G", metavar="SIZE",
                   help="memory limit per submission, e.g. 2G (default %(default)s)")
    p.add_argument("--output-limit", default=f"{DEFAULT_OUTPUT // 1000}K", metavar="SIZE",
                   help="cap on what a submission may print (default %(default)s)")
    _add_points_option(p)


def _add_points_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--points", metavar="FILE",
                   help='JSON file {"check.tag": points} overriding the default points of the exercise graded '
                        "(without --exercise: of every exercise that has all its tags)")


def _add_exercise_option(p: argparse.ArgumentParser, default: str) -> None:
    p.add_argument("--exercise", metavar="NAME",
                   help=f"the exercise (`autograder exercises` lists them; default: {default})")


def _detected(path: str, forced: Exercise | None) -> Exercise:
    """The exercise a submission is graded as: ``forced``, else the one it is recognised as (the
    first exercise when the file cannot be read)."""
    from autograder.read.source import SubmissionError, read_submission

    if forced is not None:
        return forced
    try:
        return read_submission(path).exercise
    except SubmissionError as exc:
        return exc.exercise or exercises.first()


def cmd_check(args: argparse.Namespace) -> int:
    import time

    from autograder.run.runner import WorkerProcess

    started = time.monotonic()
    worker = WorkerProcess()
    worker.spawn()  # TensorFlow loads in the worker while this process reads the submission
    try:
        return _check(args, worker, started)
    finally:
        worker.close()


def _check(args: argparse.Namespace, worker, started: float) -> int:
    import time

    from autograder.grading import failed_everywhere, grade_one

    def save(graded) -> None:  # --output: the results document, whatever happened
        if args.output:
            from autograder.run.atomic import write_text_atomic

            write_text_atomic(args.output, report.gradescope_json(graded, execution_time=time.monotonic() - started))

    try:
        forced = _exercise(args)
    except ValueError as exc:  # an unknown --exercise: no exercise to fail check by check
        from autograder.grading import Graded

        save(Graded(args.submission, [], problem=str(exc), unreadable=True))
        raise
    exercise = _detected(args.submission, forced)
    try:
        points = exercise.points(args.points)
        limits = _limits(args)
    except ValueError as exc:
        save(failed_everywhere(args.submission, str(exc), None, exercise, unreadable=True))
        raise
    try:
        graded = grade_one(args.submission, worker, limits, points, exercise)
    except BaseException as exc:
        save(failed_everywhere(args.submission, f"the grader failed ({type(exc).__name__}: {exc})", points,
                               exercise, unreadable=True))
        raise
    save(graded)
    if graded.unreadable:
        print(f"autograder: {graded.problem}", file=sys.stderr)
        return 2
    print(report.gradescope_json(graded) if args.format == "json" else report.text(graded))
    return 0 if graded.all_passed else 1


def cmd_grade(args: argparse.Namespace) -> int:
    if args.jobs is not None and args.jobs < 1:
        raise ValueError("--jobs must be at least 1")
    pool = None
    if not args.dask:
        from autograder.run.pool import LocalPool, default_jobs

        pool = LocalPool(args.jobs or default_jobs())  # TensorFlow loads in the workers while this process starts
    try:
        return _grade(args, pool)
    finally:
        if pool is not None:
            pool.close()  # again if grading closed it: nothing


def _grade(args: argparse.Namespace, pool) -> int:
    from autograder.integrations.classgrade import grade_class
    from autograder.grading import points_table

    if args.dask:
        _need("grade --dask", "dask", "distributed")
    forced = _exercise(args)
    points = points_table(args.points, forced)
    limits = _limits(args)
    if args.points and not forced and len(points) < len(exercises.all_exercises()):
        print(f"autograder: the points in {args.points} apply to {_and(list(points))}; "
              "other exercises keep their own", file=sys.stderr)
    docs = grade_class(args.submissions, args.out, args.jobs, limits, points,
                       dask_address=args.dask, progress=not args.quiet, exercise=forced, pool=pool)
    if not docs:
        print("autograder: no submissions (.py or .ipynb) found", file=sys.stderr)
        return 2
    _class_summary(docs, Path(args.out))
    return 0


def _class_summary(docs: list[dict], out: Path) -> None:
    """The class's summary and where its files are (one set per exercise when it mixes them)."""
    from autograder.integrations.classgrade import output_names
    from autograder.report.classreport import by_exercise, summary_text

    print(summary_text(docs))
    groups = by_exercise(docs)
    if len(groups) == 1:
        names = output_names(None)
        print(f"Results: {out}/<submission>/results.json, {out}/{names['grades']}, "
              f"{out}/{names['report']}, {out}/{names['plot']}")
        return
    print(f"Results: {out}/<submission>/results.json; every submission's exercise and total: {out}/grades.csv; "
          f"the class report: {out}/report.md; per exercise:")
    for exercise in groups:
        names = output_names(exercise)
        print(f"  {exercise.name}: {out}/{names['grades']}, {out}/{names['report']}, {out}/{names['plot']}")


def cmd_demo(args: argparse.Namespace) -> int:
    from pathlib import Path

    from autograder.integrations.classgrade import grade_class
    from autograder.integrations.sampleclass import class_variants, variants, write_class

    forced = _exercise(args)
    out = Path(args.out)
    subs = out / "submissions"
    written = write_class(subs, None, exercise=forced)
    which = f"of {forced.name}" if forced else "of every exercise"
    print(f"Wrote {len(written)} sample submissions {which} (the solutions and typical mistakes) to {subs}/")
    # Exactly the files just written: an earlier demo (of other exercises, or an older layout) may
    # have left others in that folder.
    docs = grade_class([str(p) for p in written], out / "results", args.jobs, Limits(), None, exercise=forced)
    print("Per-submission feedback: <results>/<submission>/results.json, with <results> =", out / "results")
    _class_summary(docs, out / "results")
    command = Path(sys.executable).with_name("autograder")
    # write_class writes one file per (exercise, variant), in class_variants' order: suggest a mistake.
    wrong = [p for p, (ex, name) in zip(written, class_variants(forced)) if variants(ex)[name][1]] or written
    if wrong:
        print(f"Try one yourself: {command if command.exists() else 'autograder'} check {wrong[0]}")
    return 0


def cmd_nbgrader(args: argparse.Namespace) -> int:
    """Create or update an nbgrader course directory with one exercise's assignment (--exercise),
    else every exercise's; print the assignment names, one per line."""
    _need("nbgrader", "nbgrader", "nbgrader")
    from autograder.grading import points_table
    from autograder.integrations.nbgrader_course import build_course

    forced = _exercise(args)
    chosen = [forced] if forced else exercises.all_exercises()
    if args.assignment and len(chosen) > 1:
        raise ValueError(f"--assignment names one exercise's assignment: choose the exercise with --exercise NAME "
                         f"(the exercises are {', '.join(exercises.names())})")
    points = points_table(args.points, forced)
    builds = []
    for exercise in chosen:
        try:
            builds.append(build_course(args.course_dir, args.assignment or exercise.table.NBGRADER_ASSIGNMENT,
                                       points.get(exercise.name), graded=args.graded, exercise=exercise))
        except OSError as exc:
            raise ValueError(f"cannot write the course: {exc}") from None
    for build in builds:
        for path in build.written:
            print(f"wrote {path}", file=sys.stderr)
    for build in builds:
        print(build.assignment)
    return 0


def cmd_gradescope(args: argparse.Namespace) -> int:
    """Write the Gradescope autograder package; print its path and what it holds."""
    from autograder.integrations.gradescope import Settings, build_package, parse_test_visibility

    from autograder.grading import points_table

    limits = _limits(args)
    forced = _exercise(args)
    settings = Settings(visibility=args.visibility, stdout_visibility=args.stdout_visibility,
                        test_visibility=parse_test_visibility(args.test_visibility),
                        points=points_table(args.points, forced), exercise=forced.name if forced else None,
                        timeout=limits.timeout, memory=limits.memory, output=limits.output)
    package = build_package(args.out_dir, settings, args.source)
    graded = f"exercise {forced.name}" if forced else f"whichever exercise a submission is ({', '.join(exercises.names())})"
    print(f"wrote {package.zip_path} (grades {graded}): setup.sh (tensorflow-cpu=={package.tensorflow}, {package.wheel}, "
          f"Python >= {package.min_python}), run_autograder, constraints.txt, requirements.txt, settings.json")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description="Grade the Keras CNN lesson exercises.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("exercises", help="list the exercises: name and title")
    p.add_argument("--format", choices=["text", "json"], default="text", help="text (default) or json")
    p.set_defaults(func=cmd_exercises)

    p = sub.add_parser("lesson", help="write the lessons (notebook and percent script) into a folder to work in")
    p.add_argument("dir", nargs="?", default=".", metavar="DIR", help="where to write it (default: the current folder)")
    p.add_argument("--force", action="store_true", help="replace lesson files already there (answers in them are lost)")
    _add_exercise_option(p, "every exercise's lesson")
    p.set_defaults(func=cmd_lesson)

    p = sub.add_parser("check", help="grade one submission (.py jupytext percent script or .ipynb)")
    p.add_argument("submission")
    p.add_argument("--format", choices=["text", "json"], default="text",
                   help="text for people, json for Gradescope's results.json (default text)")
    p.add_argument("--output", metavar="FILE",
                   help="also write Gradescope's results.json to FILE (atomically, in every case)")
    _add_exercise_option(p, "the one the submission is recognised as")
    _add_limit_options(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("grade", help="grade a class: files and/or directories of submissions")
    p.add_argument("submissions", nargs="+", metavar="SUBMISSION_OR_DIR")
    p.add_argument("--out", required=True, metavar="DIR", help="where results, grades.csv and the report go")
    p.add_argument("--jobs", type=int, default=None, metavar="N", help="parallel workers (default: number of cores)")
    p.add_argument("--dask", metavar="ADDRESS", help="run on an existing Dask cluster, e.g. tcp://127.0.0.1:8786")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_exercise_option(p, "each submission's own, as recognised")
    _add_limit_options(p)
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("demo", help="grade the bundled sample class on the offline sample data")
    p.add_argument("--out", default="out/demo", metavar="DIR", help="output directory (default %(default)s)")
    p.add_argument("--jobs", type=int, default=None, metavar="N")
    _add_exercise_option(p, "a class mixing every exercise")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("nbgrader", help="create or update an nbgrader course directory from the lessons")
    p.add_argument("course_dir", metavar="COURSE_DIR")
    p.add_argument("--assignment", default=None, metavar="NAME",
                   help="assignment name under COURSE_DIR/source/ (default: the exercise's own; needs --exercise)")
    _add_exercise_option(p, "every exercise, one assignment each")
    _add_points_option(p)
    p.add_argument("--graded", action="store_true",
                   help="a graded course: the release runs without this package and holds no answers, "
                        "hints or solutions; its tests are nbgrader hidden tests (default: formative, with self-checks)")
    p.set_defaults(func=cmd_nbgrader)

    p = sub.add_parser("gradescope", help="write OUT_DIR/autograder.zip, the autograder for a Gradescope assignment")
    p.add_argument("out_dir", metavar="OUT_DIR")
    vis = "visible, after_published, after_due_date or hidden"
    p.add_argument("--visibility", default="visible", metavar="WHEN",
                   help=f"when students see the tests and the score: {vis} (default %(default)s)")
    p.add_argument("--stdout-visibility", default="hidden", metavar="WHEN",
                   help=f"when students see the autograder's log: {vis} (default %(default)s)")
    p.add_argument("--test-visibility", action="append", metavar="KEY=WHEN",
                   help="visibility of one challenge's tests or one check, e.g. overfitting=after_due_date "
                        "(repeatable; a check tag wins over its challenge)")
    p.add_argument("--source", metavar="DIR", help="the project's source tree to build the wheel from "
                                                   "(default: the one this package runs from)")
    _add_exercise_option(p, "whichever exercise each submission is")
    _add_limit_options(p)
    p.set_defaults(func=cmd_gradescope)
    return parser


def _without_iri_checker() -> None:
    """Reading notebooks imports nbformat, whose jsonschema builds about 35 Earley parsers at
    import for its optional "iri" format checker (the package rfc3987_syntax; jsonschema issue
    #1428): 1-2 s of CPU, the largest part of the grader's own start. Nothing here validates
    IRIs, so the grader's process goes without that checker (jsonschema skips it when the
    import fails); a process that already imported it keeps it."""
    sys.modules.setdefault("rfc3987_syntax", None)


def main(argv: list[str] | None = None) -> int:
    _without_iri_checker()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except MissingExtra as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # bad option values (sizes, points files) name themselves
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("autograder: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
