"""Where the lesson and its solution are, from a source checkout, an editable install or a wheel.

The repository's top-level ``lessons/`` and ``solutions/`` are the source of truth; the build
maps them into this package as ``autograder.lessons`` and ``autograder.solutions``
(``package-dir`` in pyproject.toml), so importlib.resources finds them wherever the package is
installed. Every user of these paths imports them from here.
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

LESSON_FILE = "compile_and_train.py"


def _installed_file(package: str, name: str) -> Path:
    found = files(package) / name
    if not isinstance(found, Path) or not found.is_file():  # e.g. imported from a zip archive
        raise FileNotFoundError(f"{name} is missing from the installed package {package} ({found}): "
                                "reinstall keras-cnn-autograder")
    return found


LESSON: Path = _installed_file("autograder.lessons", LESSON_FILE)
"""The lesson: a jupytext percent script with ``_____`` blanks."""
SOLUTION: Path = _installed_file("autograder.solutions", LESSON_FILE)
"""The same script, filled in."""
