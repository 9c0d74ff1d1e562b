"""Gradescope: build the autograder package, and grade one submission inside Gradescope.

``autograder gradescope OUT_DIR`` writes ``OUT_DIR/autograder.zip``: ``setup.sh`` (installs CPU
TensorFlow at the pinned version and this package's wheel into a virtualenv), ``run_autograder``,
the pins, the wheel and ``settings.json`` with the instructor's choices.

``python -m autograder.integrations.gradescope run`` is what ``run_autograder`` calls for every submission. It
picks the file to grade in ``/autograder/submission`` and always writes a valid
``/autograder/results/results.json``, atomically, whatever happens. The root ``/autograder`` can
be moved with the environment variable ``GRADESCOPE_ROOT`` (for tests).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder import __version__

ROOT_ENV = "GRADESCOPE_ROOT"
DEFAULT_ROOT = "/autograder"
SETTINGS = "settings.json"
VISIBILITIES = ("visible", "after_published", "after_due_date", "hidden")  # as report.VISIBILITIES
# What of a source tree is not copied aside to build the wheel: top-level folders that are not
# the package (outputs, tests, virtualenvs, hidden folders), and build clutter at any depth.
_NOT_BUILT_TOP = ("venv", "out", "build", "dist", "course", "tests", "benchmarks", "docs", "node_modules", ".*")
_NOT_BUILT = ("__pycache__", "*.egg-info", "*.pyc")
# Folders of a submission that are not the learner's work (editor and archive clutter).
_CLUTTER = ("__MACOSX", "__pycache__", ".ipynb_checkpoints")
MAX_LISTED = 8  # files named in one message


@dataclass
class Settings:
    """The instructor's choices, stored in the package as ``settings.json``."""

    visibility: str = "visible"
    stdout_visibility: str = "hidden"
    test_visibility: dict[str, str] = field(default_factory=dict)  # check tag or challenge -> visibility
    # exercise name -> {check tag -> points}; an exercise not in it: its table's points
    points: dict[str, dict[str, float]] = field(default_factory=dict)
    exercise: str | None = None  # grade every submission as this exercise (None: whichever it is)
    timeout: float | None = None  # seconds per submission (None: the grader's default)
    memory: int | None = None  # bytes
    output: int | None = None  # bytes

    def validate(self) -> "Settings":
        """Raise ValueError naming the bad setting; return self."""
        from autograder import exercises

        for name in ("visibility", "stdout_visibility"):
            if getattr(self, name) not in VISIBILITIES:
                raise ValueError(f"{name}: {getattr(self, name)!r} is not one of {', '.join(VISIBILITIES)}")
        if self.exercise is not None:
            exercises.get(self.exercise)  # UnknownExercise lists the exercises
        graded = self.graded_exercises()
        known = list(dict.fromkeys(k for e in graded for k in [*e.challenges, *e.checks]))
        for key, value in self.test_visibility.items():
            if key not in known:
                raise ValueError(f"test visibility: unknown challenge or check {key!r}; known: {', '.join(known)}")
            if value not in VISIBILITIES:
                raise ValueError(f"test visibility for {key!r}: {value!r} is not one of {', '.join(VISIBILITIES)}")
        if not isinstance(self.points, dict):
            raise ValueError("points: expected an object {exercise: {check tag: points}}")
        for name, table in self.points.items():
            if name not in [e.name for e in graded]:
                raise ValueError(f"points: {name!r} is not an exercise graded here; "
                                 f"those are {', '.join(e.name for e in graded)}")
            checks = exercises.get(name).checks
            for tag, value in (table.items() if isinstance(table, dict) else [(None, table)]):
                if tag is None:
                    raise ValueError(f"points of {name}: expected an object {{check tag: points}}")
                if tag not in checks:
                    raise ValueError(f"points of {name}: unknown check tag {tag!r}")
                if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                    raise ValueError(f"points of {name} for {tag!r} must be a number >= 0")
        return self

    def graded_exercises(self) -> list:
        """The exercises this package grades: the one chosen, else every exercise."""
        from autograder import exercises

        return [exercises.get(self.exercise)] if self.exercise is not None else exercises.all_exercises()

    def report_options(self) -> dict:
        """Keyword arguments of ``report.gradescope``."""
        return {"visibility": self.visibility, "stdout_visibility": self.stdout_visibility,
                "test_visibility": dict(self.test_visibility)}

    def limits(self):
        from autograder.run.runner import Limits

        limits = Limits()
        for name in ("timeout", "memory", "output"):
            if getattr(self, name) is not None:
                setattr(limits, name, getattr(self, name))
        return limits

    def full_points(self, exercise) -> dict[str, float]:
        """The points ``exercise`` (an Exercise or its name) is graded with."""
        from autograder import exercises

        exercise = exercises.get(exercise)
        points = exercise.points()
        points.update({k: float(v) for k, v in self.points.get(exercise.name, {}).items()})
        return points

    @classmethod
    def from_dict(cls, data: dict) -> "Settings":
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - known - {"built"}
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        return cls(**{k: v for k, v in data.items() if k in known}).validate()


def parse_test_visibility(items: list[str] | None) -> dict[str, str]:
    """``["overfitting=after_due_date", ...]`` -> ``{"overfitting": "after_due_date"}``."""
    chosen: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"--test-visibility {item!r}: expected CHALLENGE_OR_TAG=VISIBILITY, "
                             "e.g. overfitting=after_due_date")
        chosen[key.strip()] = value.strip()
    return chosen


# --- building the package ------------------------------------------------------------------

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (cwd: the unpacked zip).
# It installs CPU-only TensorFlow {tf} and the grader into the virtualenv $ROOT/venv, with the
# versions pinned in constraints.txt. Downloads come from the package index only (plus, if this
# image has no Python >= {min_py} or no venv module, the distribution's own packages).
set -euo pipefail
HERE="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
ROOT="${{GRADESCOPE_ROOT:-/autograder}}"
VENV="$ROOT/venv"

python_ok() {{ "$1" -c 'import sys; sys.exit(sys.version_info < ({min_tuple}))' 2>/dev/null; }}
PY=""
for candidate in python3 python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then PY="$candidate"; break; fi
done
if [ -z "$PY" ]; then
    echo "setup.sh: no Python >= {min_py} here; installing python{min_py} with apt-get" >&2
    apt-get install -y "python{min_py}" "python{min_py}-venv"
    PY="python{min_py}"
fi
if ! "$PY" -m venv "$VENV"; then
    apt-get install -y "$("$PY" -c 'import sys; print("python%d.%d-venv" % sys.version_info[:2])')"
    "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --upgrade pip
"$VENV/bin/python" -m pip install -c "$HERE/constraints.txt" "tensorflow-cpu=={tf}" -r "$HERE/requirements.txt"
"$VENV/bin/python" -m pip install --no-deps "$HERE/{wheel}"
"$VENV/bin/python" -c "import tensorflow, autograder.integrations.gradescope; print('autograder ready, TensorFlow', tensorflow.__version__)"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission. The Python entry always writes results.json; if
# Python itself cannot start, the lines after it write a minimal valid one.
ROOT="${GRADESCOPE_ROOT:-/autograder}"
if [ -x "$ROOT/venv/bin/python3" ]; then PATH="$ROOT/venv/bin:$PATH"; fi
export PATH TF_CPP_MIN_LOG_LEVEL=3 MPLBACKEND=Agg
RESULTS="$ROOT/results/results.json"
rm -f "$RESULTS"
cd "$ROOT" 2>/dev/null || true
python3 -m autograder.integrations.gradescope run
if [ ! -s "$RESULTS" ]; then
    mkdir -p "$ROOT/results"
    printf '%s\\n' '{"score": 0, "output": "The autograder could not start, so this submission was not graded. Your work is not at fault: please tell your instructor.", "output_format": "text", "tests": []}' > "$RESULTS.tmp$$"
    mv -f "$RESULTS.tmp$$" "$RESULTS"
fi
exit 0
"""


@dataclass
class Package:
    """What ``build_package`` wrote."""

    zip_path: Path
    wheel: str
    tensorflow: str
    min_python: str
    requirements: list[str]


def project_source(source: str | Path | None = None) -> Path:
    """The project's source tree (where pyproject.toml and constraints.txt are)."""
    candidates = [Path(source)] if source else [Path(__file__).resolve().parents[2]]
    for root in candidates:
        if (root / "pyproject.toml").is_file() and (root / "constraints.txt").is_file():
            return root
    where = candidates[0]
    raise ValueError(f"{where} is not this project's source tree (no pyproject.toml and constraints.txt); "
                     "run from a clone of the project or pass --source DIR")


def pinned_tensorflow(constraints: Path) -> str:
    for line in constraints.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\s*tensorflow\s*==\s*([^\s;#]+)", line)
        if m:
            return m.group(1)
    raise ValueError(f"{constraints}: no 'tensorflow==VERSION' pin")


def build_wheel(source: Path, dest: Path) -> Path:
    """``pip wheel --no-deps`` of a copy of the source tree (the tree itself stays clean)."""
    with tempfile.TemporaryDirectory(prefix="autograder-wheel-") as tmp:
        tree = Path(tmp) / "src"
        top, anywhere = shutil.ignore_patterns(*_NOT_BUILT_TOP), shutil.ignore_patterns(*_NOT_BUILT)

        def ignore(folder: str, names: list[str]) -> set[str]:
            skipped = set(anywhere(folder, names))
            return skipped | set(top(folder, names)) if Path(folder) == source else skipped

        shutil.copytree(source, tree, ignore=ignore, symlinks=False)
        base = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dest)]
        errors = []
        # Offline first (the build backend already installed here), then pip's isolated build.
        for extra in (["--no-build-isolation"], []):
            proc = subprocess.run(base + extra + [str(tree)], capture_output=True, text=True)
            wheels = sorted(dest.glob("*.whl"))
            if proc.returncode == 0 and wheels:
                return wheels[-1]
            errors.append((proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["(no output)"])
        raise ValueError(f"could not build the wheel of {source}: {errors[-1][0]}")


def wheel_requirements(wheel: Path) -> tuple[list[str], str | None]:
    """The wheel's own (non-extra) requirements without TensorFlow, and its Requires-Python."""
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = zf.read(name).decode("utf-8")
    reqs, requires_python = [], None
    for line in meta.splitlines():
        if line.startswith("Requires-Python:"):
            requires_python = line.split(":", 1)[1].strip()
        if not line.startswith("Requires-Dist:"):
            continue
        req = line.split(":", 1)[1].strip()
        if re.search(r"\bextra\s*==", req):
            continue
        if _dist_name(req) == "tensorflow":  # replaced by tensorflow-cpu at the pinned version
            continue
        reqs.append(req)
    return reqs, requires_python


def _dist_name(requirement: str) -> str:
    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return re.sub(r"[-_.]+", "-", m.group(1)).lower() if m else requirement


def min_python(requirements: list[str], own: str | None) -> tuple[int, int]:
    """The oldest Python the pinned packages install on, from their installed metadata here."""
    from importlib import metadata

    specs = [own or ""]
    for name in [_dist_name(r) for r in requirements] + ["tensorflow"]:
        try:
            specs.append(metadata.metadata(name).get("Requires-Python") or "")
        except metadata.PackageNotFoundError:
            pass
    lowest = (3, 10)
    for spec in specs:
        for major, minor in re.findall(r">=\s*(\d+)\.(\d+)", spec):
            lowest = max(lowest, (int(major), int(minor)))
    return lowest


def build_package(out_dir: str | Path, settings: Settings, source: str | Path | None = None) -> Package:
    """Write ``OUT_DIR/autograder.zip``; return what it holds."""
    settings.validate()
    root = project_source(source)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tf = pinned_tensorflow(root / "constraints.txt")
    with tempfile.TemporaryDirectory(prefix="autograder-gs-") as tmp:
        wheel = build_wheel(root, Path(tmp))
        reqs, own = wheel_requirements(wheel)
        low = min_python(reqs, own)
        setup = SETUP_SH.format(tf=tf, wheel=wheel.name, min_py=f"{low[0]}.{low[1]}", min_tuple=f"{low[0]}, {low[1]}")
        settings_doc = dict(asdict(settings), built={"grader": __version__, "tensorflow_cpu": tf,
                                                     "wheel": wheel.name, "min_python": f"{low[0]}.{low[1]}"})
        files: list[tuple[str, bytes, bool]] = [
            ("setup.sh", setup.encode(), True),
            ("run_autograder", RUN_AUTOGRADER.encode(), True),
            ("constraints.txt", (root / "constraints.txt").read_bytes(), False),
            ("requirements.txt", ("\n".join(reqs) + "\n").encode(), False),
            (SETTINGS, (json.dumps(settings_doc, indent=2) + "\n").encode(), False),
            (wheel.name, wheel.read_bytes(), False),
        ]
        target = out / "autograder.zip"
        partial = out / f".autograder.zip.tmp{os.getpid()}"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data, executable in files:
                info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
                zf.writestr(info, data)
        os.replace(partial, target)
    return Package(target, wheel.name, tf, f"{low[0]}.{low[1]}", reqs)


# --- inside Gradescope: pick the submission, grade it, always answer ------------------------

def _code(text: str) -> str:
    """``text`` as inline Markdown code, whatever backticks it holds."""
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _listing(items: list[str]) -> str:
    shown = items[:MAX_LISTED]
    more = len(items) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def submission_files(folder: Path) -> list[Path]:
    """Every file the learner uploaded, without editor and archive clutter, in name order."""
    found = []
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        rel = path.relative_to(folder)
        if any(part.startswith(".") or part in _CLUTTER for part in rel.parts):
            continue
        if path.is_file():
            found.append(path)
    return found


@dataclass
class Choice:
    """Which file to grade (with its read Submission), or the problem that stops grading."""

    path: Path | None = None
    submission: object | None = None  # source.Submission
    problem: str | None = None
    notes: list[str] = field(default_factory=list)


def choose(folder: Path, exercise=None) -> Choice:
    """The file to grade among the uploaded files, or why there is none: read as ``exercise``
    (an Exercise or its name), or as the exercise each file is recognised as (None)."""
    from autograder.judge import rubric
    from autograder.grading import lesson_match, prepare
    from autograder.read.source import SUFFIXES

    msg = rubric.SUBMISSION_MESSAGES
    files = submission_files(folder)
    rel = {p: p.relative_to(folder).as_posix() for p in files}
    if not files:
        return Choice(problem=msg["nothing"])
    code = [p for p in files if p.suffix.lower() in SUFFIXES]
    if not code:
        return Choice(problem=msg["no_code"].format(found=_listing([_code(rel[p]) for p in files])))
    readable, problems, reasons, match = [], {}, {}, {}  # problem: the whole message; reason: short
    for p in code:
        prepared = prepare(p, exercise)
        if isinstance(prepared, str):
            problems[p], reasons[p] = prepared, _strip_name(prepared, p)
        elif (match.setdefault(p, lesson_match(prepared))) == (0, False):
            problems[p] = prepared.exercise.table.NOT_LESSON.format(name=_code(rel[p]))
            reasons[p] = "not a submission of this lesson"
        else:
            readable.append((p, prepared))
    others = [p for p in files if p not in code]
    if not readable:
        if len(code) == 1 and not others:
            return Choice(problem=problems[code[0]])
        listed = [f"{_code(rel[p])} ({reasons.get(p) or _skip_reason(p, code)})" for p in files]
        return Choice(problem=msg["none_usable"].format(problems=_listing(listed)))
    best = max(match[p] for p, _ in readable)
    top = [(p, s) for p, s in readable if match[p] == best]
    notes = []
    if len(top) > 1:
        newest = max(top, key=lambda ps: (ps[0].stat().st_mtime_ns, rel[ps[0]]))
        names = _listing([_code(rel[p]) for p, _ in top])
        same = len({p.stat().st_mtime_ns for p, _ in top}) == 1
        notes.append(msg["same_time" if same else "several"].format(names=names, name=_code(rel[newest[0]])))
        path, sub = newest
    else:
        path, sub = top[0]
        notes.append(msg["graded"].format(name=_code(rel[path])))
    skipped = [p for p in files if p != path and all(p != q for q, _ in top)]
    if skipped:
        why = [f"{_code(rel[p])} ({reasons.get(p) or _skip_reason(p, code)})" for p in skipped]
        notes.append(msg["ignored"].format(files=_listing(why)))
    return Choice(path, sub, notes=notes)


def _skip_reason(path: Path, code: list[Path]) -> str:
    return "less like this lesson's submission" if path in code else "not a `.py` or `.ipynb` file"


def _strip_name(reason: str, path: Path) -> str:
    """A reader's message without the leading file name (the listing names the file already)."""
    for prefix in (f"{path}: ", f"{path.name}: "):
        if reason.startswith(prefix):
            return reason[len(prefix):]
    return reason


def load_settings(source: Path) -> tuple["Settings", str | None]:
    """The package's settings, or the defaults and why they could not be read."""
    path = source / SETTINGS
    if not path.exists():
        return Settings(), None
    try:
        return Settings.from_dict(json.loads(path.read_text(encoding="utf-8"))), None
    except (OSError, ValueError, TypeError) as exc:
        return Settings(), f"{path}: {exc}; using the default settings"


def grade(root: Path, settings: Settings, started: float) -> dict:
    """The results document for the submission under ``root``."""
    from autograder import exercises
    from autograder.report import document as report
    from autograder.grading import failed_everywhere, judge
    from autograder.run.runner import RunResult, WorkerProcess, run_submission

    limits = settings.limits()
    choice = choose(root / "submission", settings.exercise)
    if choice.problem is not None:  # the tests of the chosen exercise (none chosen: the first) all fail
        exercise = exercises.get(settings.exercise) if settings.exercise else exercises.first()
        graded = failed_everywhere(str(root / "submission"), choice.problem, settings.full_points(exercise), exercise)
    else:
        points = settings.full_points(choice.submission.exercise)
        worker = WorkerProcess()
        try:
            run = run_submission(choice.submission, worker, limits)
        except Exception as exc:  # the worker could not start or answer: still a result
            run = RunResult(None, "worker_error", 0.0, {"message": f"{type(exc).__name__}: {exc}"})
        finally:
            worker.close()
        graded = judge(choice.submission, run, limits, points)
    doc = report.gradescope(graded, execution_time=time.monotonic() - started, **settings.report_options())
    if choice.notes:
        doc["output"] = "\n\n".join(choice.notes + ([doc["output"]] if doc.get("output") else []))
    doc["extra_data"]["gradescope"] = {"graded": str(choice.path) if choice.path else None, "notes": choice.notes}
    return doc


def last_resort(error: str, started: float, settings: Settings | None = None) -> dict:
    """A minimal valid document when our own code failed."""
    try:
        from autograder.judge.rubric import SUBMISSION_MESSAGES

        message = SUBMISSION_MESSAGES["internal"].format(error=error)
    except Exception:  # the package itself is broken: still answer
        message = f"The autograder failed on its side ({error}); please tell your instructor."
    settings = settings or Settings()
    return {
        "score": 0.0,
        "execution_time": max(0, round(time.monotonic() - started)),
        "output": message,
        "output_format": "md",
        "visibility": settings.visibility,
        "stdout_visibility": settings.stdout_visibility,
        "tests": [],
    }


def write_results(path: Path, doc: dict) -> None:
    """Write aside, then rename: Gradescope never reads half a file."""
    from autograder.run.atomic import write_text_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False))


def run(root: str | Path | None = None) -> int:
    """Grade ``ROOT/submission`` into ``ROOT/results/results.json``; always writes it."""
    started = time.monotonic()
    root = Path(root or os.environ.get(ROOT_ENV) or DEFAULT_ROOT)
    results = root / "results" / "results.json"
    settings = None
    try:
        settings, warning = load_settings(root / "source")
        if warning:
            print(f"autograder: {warning}", file=sys.stderr)
        doc = grade(root, settings, started)
        json.dumps(doc, allow_nan=False)  # fails here, not half-way through the file
    except BaseException as exc:  # noqa: BLE001 - whatever happens, Gradescope gets an answer
        traceback.print_exc()
        doc = last_resort(f"{type(exc).__name__}: {exc}"[:300], started, settings)
    try:
        write_results(results, doc)
    except Exception:
        traceback.print_exc()
        write_results(results, last_resort("the results could not be written", started, settings))
    score = doc.get("score")
    print(f"autograder: wrote {results} (score {score}, {doc.get('execution_time')} s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["run"] and len(args) <= 2:
        return run(args[1] if len(args) == 2 else None)
    print("usage: python -m autograder.integrations.gradescope run [ROOT]   (ROOT defaults to $GRADESCOPE_ROOT or /autograder)",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
