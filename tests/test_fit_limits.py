"""`fit` arguments that make it train or validate on part of the data: `steps_per_epoch` below the
training set's batches fails the epochs check, any `validation_freq` but 1 the validation check, and
the plot cell's pandas error then names it. Through the real worker, on the offline sample."""
from __future__ import annotations

import pytest

from autograder.judge.checks import FAILED, PASSED
from conftest import SOLUTION, by_tag

FIT_END = "validation_data = val_ds)"


def with_fit_arguments(extra: str) -> str:
    text = SOLUTION.read_text(encoding="utf-8")
    assert text.count(FIT_END) == 1
    return text.replace(FIT_END, f"validation_data = val_ds, {extra})")


def test_steps_per_epoch_below_the_training_batches_fails_the_epochs_check(grade):
    graded = by_tag(grade(with_fit_arguments("steps_per_epoch = 1")))
    result = graded["fit.epochs"]
    assert result.status == FAILED
    assert "`steps_per_epoch = 1` ends each epoch after 1 of the 2 batches" in result.output, result.output
    assert graded["fit.validation"].status == PASSED and graded["plot.figure"].status == PASSED


@pytest.mark.parametrize("extra", ["steps_per_epoch = 2", "validation_freq = 1", "steps_per_epoch = None"])
def test_the_same_training_written_out_passes(grade, extra):
    graded = by_tag(grade(with_fit_arguments(extra)))
    assert all(r.status == PASSED for r in graded.values()), {t: r.output for t, r in graded.items() if r.status != PASSED}


def test_validation_freq_fails_the_validation_check_and_explains_the_plot_error(grade):
    graded = by_tag(grade(with_fit_arguments("validation_freq = 2")))
    assert graded["fit.validation"].status == FAILED
    assert "`validation_freq = 2` validates only on some epochs" in graded["fit.validation"].output
    assert graded["fit.epochs"].status == PASSED
    plot = graded["plot.history_df"]
    assert plot.status == FAILED and "`validation_freq`" in plot.output and "All arrays" not in plot.output, plot.output


@pytest.mark.parametrize("x, ok", [("train_ds.take(1)", False), ("train_ds.skip(1)", False),
                                   ("train_ds.shuffle(100)", True), ("train_ds.prefetch(1)", True),
                                   ("train_ds.cache()", True)])
def test_x_is_judged_by_how_much_of_train_ds_it_holds(grade, x, ok):
    text = SOLUTION.read_text(encoding="utf-8")
    assert text.count("x = train_ds,") == 1
    result = by_tag(grade(text.replace("x = train_ds,", f"x = {x},")))["fit.validation"]
    assert (result.status == PASSED) == ok, result.output
    if not ok:
        assert "`x` holds 1 of the 2 batches of `train_ds`" in result.output and "`x = train_ds`" in result.output
