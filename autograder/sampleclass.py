"""A made-up class of submissions, derived from the solution: right ones and typical mistakes.

Used by the demo (``autograder demo``), the benchmark and the tests. Each variant is the
solution with a few exact text replacements, so every variant is a realistic submission.
"""
from __future__ import annotations

from pathlib import Path

from .lessonfiles import SOLUTION

# name -> (replacements, the check tags it should fail)
VARIANTS: dict[str, tuple[dict[str, str], set[str]]] = {
    "correct": ({}, set()),
    "correct_spellings": ({
        "optimizer = 'adam'": "optimizer = keras.optimizers.Adam()",
        "loss = 'sparse_categorical_crossentropy'": "loss = keras.losses.SparseCategoricalCrossentropy()",
        'loss_trend = "decreases"': 'loss_trend = "The loss goes down over time"',
        "curves_similar = False": 'curves_similar = "No, they diverge after a few epochs"',
        "performs_well_on_new_data = False": 'performs_well_on_new_data = "no, it will not"',
    }, set()),
    "categorical_loss": ({
        "loss = 'sparse_categorical_crossentropy'": "loss = 'categorical_crossentropy'",
    }, {"compile.loss", "fit.history_keys", "fit.epochs", "fit.validation", "plot.history_df", "plot.figure"}),
    "metrics_not_list": ({
        "metrics = ['accuracy']": "metrics = 'accuracy'",
    }, {"compile.metrics", "fit.history_keys", "fit.epochs", "fit.validation", "plot.history_df", "plot.figure"}),
    "sgd": ({"optimizer = 'adam'": "optimizer = 'sgd'"}, {"compile.optimizer"}),
    "five_epochs": ({"epochs = 10": "epochs = 5"}, {"fit.epochs"}),
    "no_validation": ({
        "history_intro = model_intro.fit(x = train_ds,\n                          epochs = 10,\n"
        "                          validation_data = val_ds)":
        "history_intro = model_intro.fit(x = train_ds,\n                          epochs = 10)",
    }, {"fit.history_keys", "fit.validation", "plot.figure"}),
    "wrong_answers": ({
        "curves_similar = False": "curves_similar = True",
        "is_overfitting = True": "is_overfitting = False",
    }, {"overfitting.curves_similar", "overfitting.is_overfitting"}),
    "swapped_panels": ({
        "axes[0], data=history_intro_df[['loss', 'val_loss']]": "axes[0], data=history_intro_df[['accuracy', 'val_accuracy']]",
        "axes[1], data=history_intro_df[['accuracy', 'val_accuracy']]": "axes[1], data=history_intro_df[['loss', 'val_loss']]",
    }, {"plot.figure"}),
}


def variant_text(name: str) -> str:
    """The solution with the variant's replacements applied (each must match exactly once)."""
    text = SOLUTION.read_text(encoding="utf-8")
    for old, new in VARIANTS[name][0].items():
        if text.count(old) != 1:
            raise ValueError(f"variant {name!r}: {old!r} is not found exactly once in the solution")
        text = text.replace(old, new)
    return text


def write_class(directory: str | Path, n: int = 40, notebooks: bool = False) -> list[Path]:
    """Write ``n`` submissions cycling through the variants; ``notebooks`` writes .ipynb files."""
    import jupytext

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    names = list(VARIANTS)
    paths = []
    for i in range(n):
        name = names[i % len(names)]
        stem = f"student{i + 1:03d}_{name}"
        text = variant_text(name)
        if notebooks:
            path = out / f"{stem}.ipynb"
            jupytext.write(jupytext.reads(text, fmt="py:percent"), path)
        else:
            path = out / f"{stem}.py"
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
