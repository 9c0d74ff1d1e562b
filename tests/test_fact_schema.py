"""The facts' declared shape (autograder/facts/schema.py) holds for what the real worker sends.

Every snapshot of the first exercise's solution and of wrong variants (each leaving a different
part of the facts half-made) is validated against the schema; the schema itself can fail: a
misspelled, missing or mistyped key is reported, naming the group and the key.
"""
from __future__ import annotations

import copy
import re

import pytest

from autograder.facts import schema as factschema
from autograder.run import runner
from autograder.facts.schema import FactsError, validate, validate_snapshot
from autograder.run.runner import Limits, run_submission
from autograder.read.source import read_submission
from conftest import FIRST, LESSON, SOLUTION

SOLUTION_TEXT = SOLUTION.read_text(encoding="utf-8")


def _variant(pattern: str, replacement: str, flags: int = 0) -> str:
    text, count = re.subn(pattern, replacement, SOLUTION_TEXT, flags=flags)
    assert count, f"the solution no longer contains {pattern!r}"
    return text


VARIANTS = {
    "solution": SOLUTION_TEXT,
    "lesson with blanks": LESSON.read_text(encoding="utf-8"),
    "wrong loss": _variant(r"'sparse_categorical_crossentropy'", "'categorical_crossentropy'"),
    "metrics not a list": _variant(r"metrics\s*=\s*\['accuracy'\]", "metrics = 'accuracy'"),
    "no validation": _variant(r",\s*validation_data\s*=\s*val_ds\s*\)", ")"),
    "fit never run": _variant(r"^(\w+)\s*=\s*(\w+)\.fit\((?:.|\n)*?\)\n", "pass\n", re.M),
    "answers as sentences": _variant(r'= "decreases"', '= "The loss goes down as the model trains."')
    .replace("is_overfitting = True", 'is_overfitting = "Yes, it is overfitting"'),
}


@pytest.fixture
def every_snapshot(monkeypatch):
    """The snapshots the grader reads, every one of them (not only the last)."""
    seen: list[dict] = []

    class Recording(runner.SnapshotReader):
        def _valid(self, line: bytes):
            snapshot = super()._valid(line)
            if snapshot is not None:
                seen.append(snapshot)
            return snapshot

    monkeypatch.setattr(runner, "SnapshotReader", Recording)
    return seen


@pytest.mark.parametrize("name", list(VARIANTS))
def test_every_snapshot_of_a_run_has_the_declared_shape(name, worker, tmp_path, every_snapshot):
    path = tmp_path / "submission.py"
    path.write_text(VARIANTS[name], encoding="utf-8")
    result = run_submission(read_submission(path, FIRST), worker, Limits())
    assert result.outcome == "exited"
    assert len(every_snapshot) >= 2 and every_snapshot[-1]["done"] is True
    for snapshot in every_snapshot:
        validate_snapshot(snapshot)
    facts = every_snapshot[-1]["facts"]
    assert set(facts) == set(factschema.GROUPS)
    assert not any("uncheckable" in group and len(group) == 1 for group in facts.values()), facts
    # The variants reach different states, so each optional part is exercised by one of them.
    fit = facts["fit"]
    if name == "fit never run":
        assert fit["calls"] == 0 and "last_call" not in fit and facts["plot"]["df"]["defined"] is False
    elif name == "lesson with blanks":
        assert facts["compile"]["calls"] == 0 and facts["answers"]["is_overfitting"]["given_as"] == "blank"
    else:
        assert fit["last_call"]["x"] == "train_ds"
        if name in ("wrong loss", "metrics not a list"):  # compile or fit raised: no history was made
            assert fit["last_call"]["error"]["type"] and fit["history"] == {"defined": False}
        else:
            assert fit["history"]["from_fit_of"] == FIRST.table.NAMES["model"]


@pytest.fixture(scope="module")
def solution_facts(worker, tmp_path_factory) -> dict:
    result = run_submission(read_submission(SOLUTION, FIRST), worker, Limits())
    return result.snapshot["facts"]


def test_the_solutions_facts_validate(solution_facts):
    validate(solution_facts)


@pytest.mark.parametrize("group, path, change", [
    ("compile", ("optimiser",), "add"),  # misspelled key
    ("compile", ("model",), "drop"),  # a required key missing
    ("compile", ("optimizer", "is_adam"), "str"),  # wrong type
    ("fit", ("history", "epochs_run"), "str"),
    ("fit", ("last_call", "x_desc"), "drop"),
    ("fit", ("last_call", "validaton_data"), "add"),
    ("plot", ("figure", "axes", 0, "lines", 0, "y", -1), "str"),  # deep in a list: every item is checked
    ("plot", ("df", "colums"), "add"),
    ("answers", ("is_overfitting", "defined"), "drop"),
    ("answers", ("is_overfitting", "vaule"), "add"),
])
def test_a_wrong_key_or_value_fails_validation_naming_it(solution_facts, group, path, change):
    facts = copy.deepcopy(solution_facts)
    *parents, last = path
    target = facts[group]
    for key in parents:
        target = target[key]
    if change == "add":
        target[last] = "x"
    elif change == "drop":
        del target[last]
    else:
        target[last] = "not a number"
    with pytest.raises(FactsError) as raised:
        validate(facts)
    message = str(raised.value)
    assert f"facts[{group!r}]" in message
    assert str(last) in message or change == "str"


def test_groups_are_checked_as_a_whole(solution_facts):
    facts = copy.deepcopy(solution_facts)
    validate({**facts, "fit": {"uncheckable": "RuntimeError: a hostile object"}})  # a failed group is allowed
    with pytest.raises(FactsError, match="missing: 'plot'"):
        validate({k: v for k, v in facts.items() if k != "plot"})
    validate({"compile": facts["compile"]}, partial=True)  # a fixture may build only the group it needs
    with pytest.raises(FactsError, match="unknown fact group"):
        validate({**facts, "compiel": facts["compile"]})
    with pytest.raises(FactsError, match="mapping"):
        validate([facts])


def test_an_exercise_may_declare_groups_of_its_own(solution_facts):
    from typing import TypedDict

    class Layers(TypedDict):
        dropout_rates: list[float]

    groups = {**factschema.GROUPS, "layers": Layers}
    validate({**solution_facts, "layers": {"dropout_rates": [0.2]}}, groups)
    with pytest.raises(FactsError, match="layers"):
        validate({**solution_facts, "layers": {"dropout_rate": [0.2]}}, groups)


# Names the standard library gained after Python 3.10, the oldest Python pyproject.toml allows.
NEWER_THAN_310 = {"typing": {"Required", "NotRequired", "Self", "LiteralString", "Never", "assert_never",
                             "reveal_type", "TypeVarTuple", "Unpack", "dataclass_transform", "assert_type"},
                  "tomllib": None, "wsgiref.types": None}


def test_the_package_imports_nothing_python_3_10_lacks():
    """A typing name or module newer than 3.10 breaks the whole grader there (``typing.Required``
    once made the dropout exercise fail to import); the fact shapes use base classes instead."""
    import ast

    from conftest import ROOT

    assert re.search(r'requires-python\s*=\s*">=3\.10"', (ROOT / "pyproject.toml").read_text())
    found = []
    files = sorted((ROOT / "autograder").rglob("*.py"))
    assert len(files) > 30
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in NEWER_THAN_310:
                names = NEWER_THAN_310[node.module]
                found += [f"{path.relative_to(ROOT)}: {node.module}.{a.name}" for a in node.names
                          if names is None or a.name in names]
            elif isinstance(node, ast.Import):
                found += [f"{path.relative_to(ROOT)}: {a.name}" for a in node.names
                          if a.name in NEWER_THAN_310 and NEWER_THAN_310[a.name] is None]
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "typing":
                if node.attr in NEWER_THAN_310["typing"]:
                    found.append(f"{path.relative_to(ROOT)}: typing.{node.attr}")
    assert found == []


def test_a_long_value_is_shown_cut_with_an_ellipsis():
    from autograder.facts.gather import describe

    long = describe({"accuracy": [0.046875 * i for i in range(20)]})
    assert long["given_as"] == "dict" and len(long["repr"]) == 80 and long["repr"].endswith("…")
    assert describe([1, 2])["repr"] == "[1, 2]"
