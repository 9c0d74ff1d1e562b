"""This exercise's made-up class: its solution with a few exact text replacements per variant,
each a realistic submission (right ones and typical mistakes), and the check tags each should fail.

Read by ``autograder.integrations.sampleclass`` (the demo, the benchmark and the tests).
"""
from __future__ import annotations

# Every check after the model cell: what fails when the model cell raises (no `model_dropout`).
_AFTER_MODEL = {"compile.optimizer", "compile.loss", "compile.metrics", "fit.history_keys", "fit.epochs",
                "fit.validation", "plot.history_df", "plot.figure"}
_FIT_AND_PLOT = {"fit.history_keys", "fit.epochs", "fit.validation", "plot.history_df", "plot.figure"}

# name -> (replacements, the check tags it should fail)
VARIANTS: dict[str, tuple[dict[str, str], set[str]]] = {
    "correct": ({}, set()),
    "correct_spellings": ({
        "keras.layers.Dropout(0.5)": "keras.layers.Dropout(rate=0.25)",
        "optimizer = 'adam'": "optimizer = keras.optimizers.Adam()",
        "dropout_narrows_gap = True": 'dropout_narrows_gap = "Yes, the gap gets smaller"',
        "dropout_active_when_predicting = False":
            'dropout_active_when_predicting = "No, it is only active during training"',
        'high_rate_training_accuracy = "decreases"': 'high_rate_training_accuracy = "The training accuracy goes down"',
    }, set()),
    "rate_zero": ({"keras.layers.Dropout(0.5)": "keras.layers.Dropout(0)"}, {"model.dropout_rate"}),
    "rate_percent": ({"keras.layers.Dropout(0.5)": "keras.layers.Dropout(20)"},
                     {"model.dropout_rate", "model.dropout_place", "model.layers_kept", *_AFTER_MODEL}),
    "rate_one": ({"keras.layers.Dropout(0.5)": "keras.layers.Dropout(1.0)"}, {"model.dropout_rate"}),
    "no_dropout": ({"x = keras.layers.Dropout(0.5)(x)\n": ""}, {"model.dropout_rate", "model.dropout_place"}),
    "after_output": ({
        "x = keras.layers.Dropout(0.5)(x)\n"
        "x = keras.layers.Dense(32, activation='relu')(x)\n"
        "outputs = keras.layers.Dense(10, activation='softmax')(x)":
        "x = keras.layers.Dense(32, activation='relu')(x)\n"
        "x = keras.layers.Dense(10, activation='softmax')(x)\n"
        "outputs = keras.layers.Dropout(0.5)(x)",
    }, {"model.dropout_place"}),
    "trains_old_model": ({
        "model_dropout.compile(": "model_intro.compile(",
        "history_dropout = model_dropout.fit(": "history_dropout = model_intro.fit(",
    }, _AFTER_MODEL),  # the previous lesson's model: nothing of the new model is compiled or trained
    "categorical_loss": ({
        "loss = 'sparse_categorical_crossentropy'": "loss = 'categorical_crossentropy'",
    }, {"compile.loss", *_FIT_AND_PLOT}),
    "wrong_answer": ({
        "dropout_narrows_gap = True": 'dropout_narrows_gap = "yes, it narrows the gap"',
        "dropout_active_when_predicting = False": 'dropout_active_when_predicting = "Yes, it still drops units"',
        'high_rate_training_accuracy = "decreases"': 'high_rate_training_accuracy = "it decreases"',
    }, {"questions.dropout_active_when_predicting"}),
    "dense_removed": ({"x = keras.layers.Dense(32, activation='relu')(x)\n": ""}, {"model.layers_kept"}),
    "dense_widened": ({"keras.layers.Dense(32, activation='relu')": "keras.layers.Dense(64, activation='relu')"},
                      {"model.layers_kept"}),
    "conv_changed": ({"keras.layers.Conv2D(32, (3, 3), activation='relu')": "keras.layers.Conv2D(64, (5, 5), activation='tanh')"},
                     {"model.layers_kept"}),
    "swapped_panels": ({
        "axes[0], data=history_intro_df[['accuracy', 'val_accuracy']]":
        "axes[0], data=history_dropout_df[['accuracy', 'val_accuracy']]",
        "axes[1], data=history_dropout_df[['accuracy', 'val_accuracy']]":
        "axes[1], data=history_intro_df[['accuracy', 'val_accuracy']]",
    }, {"plot.figure"}),
}
