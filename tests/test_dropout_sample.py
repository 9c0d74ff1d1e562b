"""The dropout exercise's made-up class (``autograder/exercises/dropout/sample.py``): every variant is
its solution with its replacements, and through the real worker each fails exactly the checks it lists."""
from __future__ import annotations

import pytest

from autograder import exercises
from autograder.integrations import sampleclass
from conftest import by_tag

DROPOUT = exercises.get("dropout")
VARIANTS = sampleclass.variants(DROPOUT)


def test_the_dropout_class_has_its_own_variants():
    assert VARIANTS is DROPOUT.module("sample").VARIANTS
    assert "correct" in VARIANTS and len(VARIANTS) >= 8
    failing = set().union(*(tags for _, tags in VARIANTS.values()))
    # the mistakes reach every challenge
    assert {DROPOUT.checks[tag].challenge for tag in failing} == set(DROPOUT.challenges)


@pytest.mark.parametrize("name", list(VARIANTS))
def test_each_replacement_matches_the_solution_exactly_once(name):
    solution = DROPOUT.solution.read_text(encoding="utf-8")
    replacements, failing = VARIANTS[name]
    for old, new in replacements.items():
        assert solution.count(old) == 1, (name, old)
    text = sampleclass.variant_text(name, DROPOUT)
    assert (text == solution) == (not replacements)
    assert all(new in text for new in replacements.values())
    assert failing <= set(DROPOUT.checks), failing - set(DROPOUT.checks)


@pytest.mark.parametrize("name", list(VARIANTS))
def test_each_variant_fails_exactly_its_checks(grade, name):
    graded = grade(sampleclass.variant_text(name, DROPOUT), name=name)
    assert graded.exercise == DROPOUT.name and graded.problem is None
    results = by_tag(graded)
    assert list(results) == list(DROPOUT.checks)
    failed = {tag for tag, r in results.items() if r.status != "passed"}
    assert failed == VARIANTS[name][1], {t: results[t].output for t in failed ^ VARIANTS[name][1]}
