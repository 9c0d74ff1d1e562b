"""A made-up class of submissions, derived from the solutions: right ones and typical mistakes.

Used by the demo (``autograder demo``), the benchmark and the tests. Each exercise lists its
variants in its folder's ``sample.py`` (``VARIANTS``: name -> (replacements, the check tags it
should fail)); each variant is the exercise's solution with a few exact text replacements, so
every variant is a realistic submission. An exercise without ``sample.py`` has one variant,
its solution (``"correct"``). A class is written for one exercise or, mixed, for all of them.
"""
from __future__ import annotations

from pathlib import Path

from autograder import exercises
from autograder.exercises import Exercise

Variants = dict[str, tuple[dict[str, str], set[str]]]


def variants(exercise: Exercise | str | None = None) -> Variants:
    """The variants of ``exercise`` (an Exercise or its name; None: the first exercise)."""
    ex = exercises.get(exercise) if exercise is not None else exercises.first()
    try:
        module = ex.module("sample")
    except ModuleNotFoundError as exc:
        if exc.name != f"{ex.package}.sample":
            raise
        return {"correct": ({}, set())}
    return module.VARIANTS


def __getattr__(name: str) -> Variants:
    # `from autograder.integrations.sampleclass import VARIANTS`: the first exercise's variants, as before exercises.
    if name == "VARIANTS":
        return variants()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def variant_text(name: str, exercise: Exercise | str | None = None) -> str:
    """The solution of ``exercise`` (None: the first) with the variant's replacements applied
    (each must match exactly once)."""
    ex = exercises.get(exercise) if exercise is not None else exercises.first()
    table = variants(ex)
    if name not in table:
        raise ValueError(f"exercise {ex.name} has no sample variant {name!r}; its variants are {', '.join(table)}")
    text = ex.solution.read_text(encoding="utf-8")
    for old, new in table[name][0].items():
        if text.count(old) != 1:
            raise ValueError(f"variant {name!r} of exercise {ex.name}: {old!r} is not found exactly once in its solution")
        text = text.replace(old, new)
    return text


def class_variants(exercise: Exercise | str | None = None) -> list[tuple[Exercise, str]]:
    """Every (exercise, variant) of one exercise's class, or of the mixed class of all exercises (None)."""
    chosen = [exercises.get(exercise)] if exercise is not None else exercises.all_exercises()
    return [(ex, name) for ex in chosen for name in variants(ex)]


def write_class(directory: str | Path, n: int | None = 40, notebooks: bool = False,
                exercise: Exercise | str | None = None) -> list[Path]:
    """Write ``n`` submissions (None: one per variant) cycling through the variants of
    ``exercise``, or of every exercise when it is None (a mixed class, whose file names carry
    the exercise's name: ``student001_<exercise>_<variant>``); ``notebooks`` writes .ipynb files."""
    import jupytext

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    pairs = class_variants(exercise)
    mixed = exercise is None
    paths = []
    for i in range(len(pairs) if n is None else n):
        ex, name = pairs[i % len(pairs)]
        stem = f"student{i + 1:03d}_{ex.name}_{name}" if mixed else f"student{i + 1:03d}_{name}"
        text = variant_text(name, ex)
        if notebooks:
            path = out / f"{stem}.ipynb"
            jupytext.write(jupytext.reads(text, fmt="py:percent"), path)
        else:
            path = out / f"{stem}.py"
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
