"""The dropout lesson's setup fixes the self-check's exercise: a notebook that also holds the first
exercise's names is judged as the dropout exercise."""
from __future__ import annotations

import ast

import jupytext
import pytest

from autograder import exercises, selfcheck

DROPOUT = exercises.get("dropout")
FIRST = exercises.get("compile_and_train")


def start_calls(path) -> list[str]:
    """The `selfcheck.start(...)` statements of a lesson file's code cells."""
    found = []
    for cell in jupytext.read(path).cells:
        if cell.cell_type != "code":
            continue
        for node in ast.parse(cell.source).body:
            call = node.value if isinstance(node, ast.Expr) else None
            if isinstance(call, ast.Call) and ast.unparse(call.func) == "selfcheck.start":
                found.append(ast.unparse(call))
    return found


@pytest.mark.parametrize("path", [DROPOUT.lesson, DROPOUT.solution], ids=["lesson", "solution"])
def test_the_setup_names_the_exercise_and_wins_over_the_first_exercises_names(path, monkeypatch):
    calls = start_calls(path)
    assert calls == ["selfcheck.start('dropout')"]
    ns = {name: object() for name in FIRST.table.SIGNATURE_NAMES}  # e.g. the previous lesson's cells, pasted in
    monkeypatch.setattr(selfcheck, "_exercise", None)
    monkeypatch.setattr(selfcheck, "_cells", {})
    monkeypatch.setattr(selfcheck, "_namespace", lambda: ns)
    monkeypatch.setattr(selfcheck._recorder, "install", lambda: None)  # no Keras patching here
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert selfcheck.exercise_of() is FIRST  # without the setup's word, the names decide
    monkeypatch.setattr(selfcheck, "_exercise", None)
    eval(calls[0], {"selfcheck": selfcheck})
    assert selfcheck.exercise_of() is DROPOUT
    assert [r.tag for r in selfcheck.results("fit")] == DROPOUT.tags_for("fit")
