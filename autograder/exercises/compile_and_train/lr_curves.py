"""Training-loss curves of the intro CNN for three learning rates.

``python -m autograder.exercises.compile_and_train.lr_curves`` retrains and rewrites the precomputed
``resources/lr_curves.json`` of this folder that its ``figures`` plots.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

DEFAULT_RATES: tuple[float, float, float] = (1e-5, 1e-3, 0.02)
KINDS: tuple[str, str, str] = ("too small", "about right", "too large")
OUTPUT = Path(__file__).parent / "resources" / "lr_curves.json"


def curve_label(kind: str, rate: float) -> str:
    """Legend label such as ``"too small (1e-05)"``."""
    return f"{kind} ({rate:g})"


def compute_lr_curves(
    rates: Sequence[float] = DEFAULT_RATES,
    epochs: int = 10,
    seed: int = 0,
    batch_size: int = 32,
) -> dict:
    """Train ``build_model_intro()`` on the offline sample once per learning rate.

    ``rates`` are (too small, about right, too large). Each run uses Adam,
    sparse categorical cross-entropy and the same seed. Returns
    ``{"epochs": [1, ..., epochs], "curves": {label: [training loss per epoch]}}``.
    """
    # Imported here so that importing this module stays free of TensorFlow.
    import keras

    from autograder.data import load_datasets
    from .model import build_model_intro, set_seed

    if len(rates) != len(KINDS):
        raise ValueError(f"expected {len(KINDS)} rates ({', '.join(KINDS)})")
    train_ds, _ = load_datasets("sample", batch_size=batch_size)
    curves: dict[str, list[float]] = {}
    for kind, rate in zip(KINDS, rates):
        set_seed(seed)
        model = build_model_intro()
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=rate),
            loss="sparse_categorical_crossentropy",
        )
        history = model.fit(train_ds, epochs=epochs, verbose=0)
        curves[curve_label(kind, rate)] = [
            round(float(v), 4) for v in history.history["loss"]
        ]
    return {"epochs": list(range(1, epochs + 1)), "curves": curves}


def main() -> None:
    """Recompute the curves and write them to ``resources/lr_curves.json``."""
    data = compute_lr_curves()
    OUTPUT.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT}")
    for label, losses in data["curves"].items():
        print(f"  {label:>22}: {losses[0]:.3f} -> {losses[-1]:.3f}")


if __name__ == "__main__":
    main()
