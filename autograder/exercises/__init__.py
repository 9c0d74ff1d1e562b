"""The exercises the engine grades: each is a folder of this package, found by looking, never by name.

A folder ``autograder/exercises/<name>/`` is an exercise when it holds:

- ``table.py``: the one table (title, challenges, checks and points, graded names, accepted answers,
  misconception messages, hints, the lesson file's name); imports no TensorFlow;
- ``checks.py``: ``CHECK_FUNCTIONS``, one pure function per check tag, over plain facts;
- ``collect.py``: ``COLLECTORS``, the fact groups gathered in the learner's process; the harness
  loads a private copy of it and passes it the private facts module (see ``autograder.facts.gather``);
- its lesson's helpers (model, figures, reference curves) as the lesson imports them.

Its lesson and solution stay in the top-level ``lessons/`` and ``solutions/`` under the table's
``LESSON_FILE`` name. See the README, "Add an exercise".
"""
from __future__ import annotations

import difflib
import importlib
import pkgutil
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from types import ModuleType
from typing import Callable

# The key a lesson carries in its notebook metadata (the jupytext header of a percent script):
# ``autograder: {exercise: <name>}``.
METADATA_KEY = "autograder"


class UnknownExercise(ValueError):
    """A name that is no exercise; the message lists the exercises (and the closest one)."""


@dataclass(frozen=True, eq=False)
class Exercise:
    """One exercise: its name (the folder's), its table, and where its parts are."""

    name: str
    package: str  # "autograder.exercises.<name>"
    table: ModuleType

    @property
    def title(self) -> str:
        return self.table.TITLE

    @property
    def challenges(self) -> dict:
        return self.table.CHALLENGES

    @property
    def checks(self) -> dict:
        """The check table: tag -> ``rubric.Check`` (title, challenge, points), in report order."""
        return self.table.CHECKS

    @property
    def graded_names(self) -> tuple[str, ...]:
        return tuple(self.table.GRADED_NAMES)

    @property
    def collectors_module(self) -> str:
        """Module name of the fact collectors, loaded privately in the learner's process."""
        return f"{self.package}.collect"

    @cached_property
    def check_functions(self) -> dict[str, Callable]:
        functions = importlib.import_module(f"{self.package}.checks").CHECK_FUNCTIONS
        missing = set(self.checks) - set(functions)
        if missing:
            raise RuntimeError(f"exercise {self.name}: no check function for {', '.join(sorted(missing))}")
        return functions

    def tags_for(self, challenge: str) -> list[str]:
        """The check tags of one challenge, in table order."""
        return [c.tag for c in self.checks.values() if c.challenge == challenge]

    def points(self, path: str | Path | None = None) -> dict[str, float]:
        """Points per tag: the table's, overridden by an instructor's JSON file."""
        from autograder.judge.rubric import load_points

        return load_points(self.checks, path)

    @property
    def lesson(self) -> Path:
        from autograder.lessonfiles import installed_file

        return installed_file("autograder.lessons", self.table.LESSON_FILE)

    @property
    def solution(self) -> Path:
        from autograder.lessonfiles import installed_file

        return installed_file("autograder.solutions", self.table.LESSON_FILE)

    def module(self, part: str) -> ModuleType:
        """One of the exercise's own modules (``model``, ``figures``, ...)."""
        return importlib.import_module(f"{self.package}.{part}")

    def __repr__(self) -> str:
        return f"<exercise {self.name}>"


@lru_cache(maxsize=1)
def _registry() -> dict[str, Exercise]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        if not info.ispkg or info.name.startswith("_"):
            continue
        package = f"{__name__}.{info.name}"
        table = importlib.import_module(f"{package}.table")
        found.append(Exercise(info.name, package, table))
    found.sort(key=lambda e: (getattr(e.table, "ORDER", 99), e.name))
    return {e.name: e for e in found}


def all_exercises() -> list[Exercise]:
    """Every exercise, in course order."""
    return list(_registry().values())


def names() -> list[str]:
    return list(_registry())


def get(name: str | Exercise) -> Exercise:
    """The exercise called ``name``; UnknownExercise lists the known ones."""
    if isinstance(name, Exercise):
        return name
    registry = _registry()
    if name in registry:
        return registry[name]
    close = difflib.get_close_matches(str(name), list(registry), n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise UnknownExercise(f"there is no exercise {name!r}{hint}; the exercises are {', '.join(registry)}")


def first() -> Exercise:
    return all_exercises()[0]


def from_metadata(metadata: dict | None) -> Exercise | None:
    """The exercise a notebook's metadata names (``{"autograder": {"exercise": NAME}}``), if any."""
    entry = (metadata or {}).get(METADATA_KEY)
    name = entry.get("exercise") if isinstance(entry, dict) else None
    if isinstance(name, str) and name in _registry():
        return _registry()[name]
    return None


def from_content(text: str) -> Exercise | None:
    """The exercise whose own names a submission's text mentions most (None when none or a tie)."""
    scores = []
    for exercise in all_exercises():
        words = getattr(exercise.table, "SIGNATURE_NAMES", ())
        score = sum(len(re.findall(rf"\b{re.escape(w)}\b", text)) for w in words)
        scores.append((score, exercise))
    scores.sort(key=lambda s: -s[0])
    if not scores or scores[0][0] == 0 or (len(scores) > 1 and scores[1][0] == scores[0][0]):
        return None
    return scores[0][1]


def detect(text: str, metadata: dict | None = None) -> Exercise:
    """A submission's exercise: from the metadata its lesson wrote, else from its content, else the
    first exercise of the course (so an empty or foreign file is still reported check by check)."""
    return from_metadata(metadata) or from_content(text) or first()


def public(part: str) -> dict[str, object]:
    """The public names (``__all__``) of every exercise's module ``part``, for the import paths the
    lessons' setup cells use (``from autograder.model import ...``)."""
    modules = []
    for exercise in all_exercises():
        try:
            modules.append((exercise.name, exercise.module(part)))
        except ModuleNotFoundError as exc:
            if exc.name != f"{exercise.package}.{part}":
                raise
    return merge_public(part, modules)


def merge_public(part: str, modules: list[tuple[str, object]]) -> dict[str, object]:
    """The names in the ``__all__`` of each (exercise name, module); two exercises may share a name
    only for the same object (a lesson could otherwise get another exercise's function)."""
    out: dict[str, object] = {}
    owner: dict[str, str] = {}
    for exercise, module in modules:
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if name in out and out[name] is not value:
                raise ValueError(f"exercises {owner[name]} and {exercise} both export {name!r} from their "
                                 f"{part}.py (lessons import it as `from autograder.{part} import {name}`): "
                                 "rename one of them")
            out[name], owner[name] = value, owner.get(name, exercise)
    return out
