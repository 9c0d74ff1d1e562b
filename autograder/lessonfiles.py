"""Where the lessons and their solutions are, from a source checkout, an editable install or a wheel.

The repository's top-level ``lessons/`` and ``solutions/`` are the source of truth; the build
maps them into this package as ``autograder.lessons`` and ``autograder.solutions``
(``package-dir`` in pyproject.toml), so importlib.resources finds them wherever the package is
installed. Each exercise names its file (``Exercise.lesson``, ``Exercise.solution``).
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def installed_file(package: str, name: str) -> Path:
    """The file ``name`` of ``package`` on disk; FileNotFoundError says to reinstall."""
    found = files(package) / name
    if not isinstance(found, Path) or not found.is_file():  # e.g. imported from a zip archive
        raise FileNotFoundError(f"{name} is missing from the installed package {package} ({found}): "
                                "reinstall keras-cnn-autograder")
    return found
