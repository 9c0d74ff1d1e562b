"""Real training runs behind the dropout lesson's reference curves.

``python -m autograder.exercises.dropout.reference_runs`` trains the lesson's CNN three times
(without dropout, with the lesson's rate, with a much higher rate), each from the same seed, and
writes ``resources/reference_curves.json``: the History of each run and a ``data`` record saying
what they were trained on. The data are the real CIFAR-10 when Keras' cache holds it (or when
``--data cifar10`` allows a download), else the offline sample of ``autograder.data``, larger
than the grader's (``--sample-size``) so that the curves tell the lesson's story.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from .reference import HISTORY_KEYS, REFERENCE_FILE, RUN_KEYS

OUTPUT = Path(__file__).parent / "resources" / REFERENCE_FILE
HIGH_RATE = 0.9
SAMPLE_SIZE = 1000  # training images of the offline sample (validation: half as many)
EPOCHS = 10
SEED = 0
BATCH_SIZE = 32


def cifar10_cached() -> bool:
    """Whether Keras' cache holds CIFAR-10 (no download needed)."""
    home = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras")
    cache = home / "datasets"
    return any((cache / name).exists() for name in ("cifar-10-batches-py", "cifar-10-batches-py-target"))


def choose_source(requested: str) -> str:
    """``cifar10`` or ``sample``: ``auto`` means CIFAR-10 only when it is cached (never a download)."""
    if requested != "auto":
        return requested
    return "cifar10" if cifar10_cached() else "sample"


def run(source: str, rates: dict[str, float], sample_size: int = SAMPLE_SIZE, epochs: int = EPOCHS,
        seed: int = SEED, batch_size: int = BATCH_SIZE) -> dict:
    """Train once per rate and return the reference file's content."""
    import keras
    import tensorflow as tf

    from autograder import data as data_module
    from autograder.model import set_seed

    from .model import build_model_dropout

    if source == "sample":
        previous = os.environ.get(data_module.SAMPLE_SIZE_ENV_VAR)
        os.environ[data_module.SAMPLE_SIZE_ENV_VAR] = str(sample_size)
        try:
            train_ds, val_ds = data_module.load_datasets("sample", batch_size=batch_size)
            n_train, n_val = data_module.sample_size()
        finally:
            if previous is None:
                os.environ.pop(data_module.SAMPLE_SIZE_ENV_VAR, None)
            else:
                os.environ[data_module.SAMPLE_SIZE_ENV_VAR] = previous
    else:
        train_ds, val_ds = data_module.load_datasets("cifar10", batch_size=batch_size)
        n_train = int(train_ds.unbatch().reduce(0, lambda n, _: n + 1))
        n_val = int(val_ds.unbatch().reduce(0, lambda n, _: n + 1))

    runs: dict[str, dict] = {}
    for key, rate in rates.items():
        set_seed(seed)
        model = build_model_dropout(rate)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        started = time.perf_counter()
        history = model.fit(train_ds, epochs=epochs, validation_data=val_ds, verbose=0).history
        runs[key] = {
            "rate": rate,
            "label": "without dropout" if not rate else f"dropout {rate:g}",
            "seconds": round(time.perf_counter() - started, 1),
            "history": {k: [round(float(v), 4) for v in history[k]] for k in HISTORY_KEYS},
        }
    return {
        "data": {
            "source": source,
            "description": ("CIFAR-10 (Keras' copy; the last 20% of the training images validate)"
                            if source == "cifar10" else
                            "the offline sample of autograder.data.make_sample (synthetic CIFAR-like images)"),
            "train_images": n_train,
            "validation_images": n_val,
            "sample_size": sample_size if source == "sample" else None,
            "seed": seed,
            "epochs": epochs,
            "batch_size": batch_size,
            "model": "the first exercise's CNN, with Dropout(rate) after Flatten",
            "optimizer": "adam",
            "loss": "sparse_categorical_crossentropy",
            "keras": keras.__version__,
            "tensorflow": tf.__version__,
            "python": platform.python_version(),
            "command": "python -m autograder.exercises.dropout.reference_runs",
        },
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> None:
    """Recompute the reference curves and write them (or to ``--out``)."""
    from .model import LESSON_RATE

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=("auto", "cifar10", "sample"), default="auto",
                        help="auto: CIFAR-10 if Keras' cache has it, else the offline sample")
    parser.add_argument("--sample-size", type=int, default=SAMPLE_SIZE)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    source = choose_source(args.data)
    rates = dict(zip(RUN_KEYS, (0.0, LESSON_RATE, HIGH_RATE)))
    result = run(source, rates, sample_size=args.sample_size, epochs=args.epochs, seed=args.seed)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} (data: {source}, {result['data']['train_images']} training images)")
    for key, r in result["runs"].items():
        h = r["history"]
        print(f"  {r['label']:>16}: accuracy {h['accuracy'][-1]:.3f}, val_accuracy {h['val_accuracy'][-1]:.3f}, "
              f"gap {h['accuracy'][-1] - h['val_accuracy'][-1]:+.3f}")


if __name__ == "__main__":
    main()
