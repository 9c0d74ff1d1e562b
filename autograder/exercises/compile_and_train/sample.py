"""This exercise's made-up class: its solution with a few exact text replacements per variant,
each a realistic submission (right ones and typical mistakes), and the check tags each should fail.

Read by ``autograder.integrations.sampleclass`` (the demo, the benchmark and the tests).
"""
from __future__ import annotations

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
