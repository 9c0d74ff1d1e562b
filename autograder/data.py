"""The lesson's data: CIFAR-10 (real) or a small, deterministic offline sample.

Both sources yield batched ``tf.data.Dataset`` objects of
``(image, label)`` with float32 images in [0, 1] of shape (32, 32, 3) and
sparse int64 labels 0-9 (not one-hot).
"""

from __future__ import annotations

import functools
import os
import sys

import keras
import numpy as np
import tensorflow as tf

CLASS_NAMES: tuple[str, ...] = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
NUM_CLASSES: int = len(CLASS_NAMES)
IMAGE_SHAPE: tuple[int, int, int] = (32, 32, 3)

DATA_ENV_VAR: str = "AUTOGRADER_DATA"
# Training images in the offline sample (validation: half as many). The grader sets a smaller
# one: its checks do not depend on how much the model learns, and fits take less time.
SAMPLE_SIZE_ENV_VAR: str = "AUTOGRADER_SAMPLE_SIZE"
SAMPLE_SIZE: int = 256
SOURCES: tuple[str, ...] = ("auto", "cifar10", "sample")
# Share of the CIFAR-10 training images held out (from the end) for validation.
VAL_FRACTION: float = 0.2

# Offline-sample knobs, tuned so that the lesson's small CNN learns the
# sample but overfits it within 10 epochs (see make_sample).
_PROTOTYPE_SEED = 1234
_MAX_SHIFT = 1  # pixels
_SIGNAL = 1.2  # contrast of the class prototype
_FAMILY_TINT = 0.3  # colour offset shared by the two classes of a family
_PAIR_CUE = 0.1  # how much of its own pattern a class adds to its family's
_CLUTTER = 0.3  # strength of the per-image low-frequency colour clutter
_NOISE_STD = 0.1  # per-pixel Gaussian noise

Arrays = tuple[np.ndarray, np.ndarray]


def load_datasets(
    source: str | None = None, batch_size: int = 32
) -> tuple[tf.data.Dataset, tf.data.Dataset]:
    """Return ``(train_ds, val_ds)`` for the lesson.

    ``source`` is "cifar10", "sample" or "auto"; if None it is read from the
    ``AUTOGRADER_DATA`` environment variable (unset or empty: "auto").

    - "cifar10": ``keras.datasets.cifar10.load_data()`` (Keras' cache, else a
      download). The last 20 % of the 50,000 training images (i.e. the
      10,000 images of ``data_batch_5``) become the validation set; the
      official test set is left untouched for a final evaluation.
    - "sample": the offline sample from :func:`make_sample`.
    - "auto": "cifar10", falling back to "sample" (with a notice on stderr)
      if CIFAR-10 cannot be loaded.

    Images are not shuffled: CIFAR-10 batches and the sample are already in
    random order.
    """
    if source is None:
        source = os.environ.get(DATA_ENV_VAR) or "auto"
    source = source.strip().lower()
    if source not in SOURCES:
        raise ValueError(
            f"Unknown data source {source!r}; expected one of "
            f"{', '.join(repr(s) for s in SOURCES)}."
        )

    if source == "sample":
        (x_train, y_train), (x_val, y_val) = make_sample(*sample_size())
    elif source == "cifar10":
        (x_train, y_train), (x_val, y_val) = _load_cifar10()
    else:
        try:
            (x_train, y_train), (x_val, y_val) = _load_cifar10()
        except Exception as exc:  # no cache and no network, corrupt cache, ...
            reason = (str(exc).splitlines() or [type(exc).__name__])[0][:120]
            print(
                f"autograder: CIFAR-10 unavailable ({reason}); using the small "
                f"offline sample instead. Set {DATA_ENV_VAR}=cifar10|sample to choose.",
                file=sys.stderr,
            )
            (x_train, y_train), (x_val, y_val) = make_sample(*sample_size())

    return (
        _to_dataset(x_train, y_train, batch_size),
        _to_dataset(x_val, y_val, batch_size),
    )


def _load_cifar10() -> tuple[Arrays, Arrays]:
    """Load CIFAR-10 via Keras and split off the validation images (uint8)."""
    (x_train, y_train), _test = keras.datasets.cifar10.load_data()
    y_train = y_train.reshape(-1).astype(np.int64)
    n_val = int(round(len(x_train) * VAL_FRACTION))
    split = len(x_train) - n_val
    return (x_train[:split], y_train[:split]), (x_train[split:], y_train[split:])


def _to_dataset(
    images: np.ndarray, labels: np.ndarray, batch_size: int
) -> tf.data.Dataset:
    """Batch ``(images, labels)``; uint8 images are scaled to [0, 1] lazily."""
    ds = tf.data.Dataset.from_tensor_slices((images, labels.astype(np.int64)))
    if images.dtype == np.uint8:
        # Scaling inside the pipeline keeps CIFAR-10 in memory as uint8
        # (150 MB) rather than float32 (600 MB).
        ds = ds.map(
            lambda x, y: (tf.cast(x, tf.float32) / 255.0, y),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def sample_size() -> tuple[int, int]:
    """(training, validation) sizes of the offline sample, from ``AUTOGRADER_SAMPLE_SIZE``."""
    raw = os.environ.get(SAMPLE_SIZE_ENV_VAR, "").strip()
    try:
        n = int(raw) if raw else SAMPLE_SIZE
    except ValueError:
        raise ValueError(f"{SAMPLE_SIZE_ENV_VAR} must be a whole number of images, not {raw!r}") from None
    if n < 20:
        raise ValueError(f"{SAMPLE_SIZE_ENV_VAR} must be at least 20 (2 images per class), not {n}")
    return n, max(10, n // 2)


def make_sample(
    n_train: int = 256, n_val: int = 128, seed: int = 0
) -> tuple[Arrays, Arrays]:
    """Deterministic synthetic CIFAR-like data: ``((x_train, y_train), (x_val, y_val))``.

    The ten classes come in five look-alike pairs (think cat/dog): each
    pair shares a colour tint and a pattern of stripes and a blob, and a
    class adds only a faint pattern of its own. Every image is its class
    prototype, shifted by up to one pixel, plus random low-frequency colour
    clutter and pixel noise. A small CNN quickly learns the pairs, but can
    only tell the two classes of a pair apart on the training images by
    memorising their clutter, so it overfits within a few epochs.

    Images are float32 in [0, 1] with shape (n, 32, 32, 3); labels are
    int64 in 0-9, balanced (every class appears when n >= 10). Train and
    validation images are different draws from the same distribution; the
    same ``seed`` always gives the same arrays (computed once, then copied).
    """
    (x_train, y_train), (x_val, y_val) = _cached_sample(n_train, n_val, seed)
    # Copies, so that a caller changing them cannot change the cache.
    return (x_train.copy(), y_train.copy()), (x_val.copy(), y_val.copy())


@functools.lru_cache(maxsize=4)
def _cached_sample(n_train: int, n_val: int, seed: int) -> tuple[Arrays, Arrays]:
    """Generate the sample once per arguments (read-only arrays)."""
    prototypes = _class_prototypes()
    rng = np.random.default_rng(seed)
    sample = (_draw(prototypes, n_train, rng), _draw(prototypes, n_val, rng))
    for pair in sample:
        for array in pair:
            array.setflags(write=False)
    return sample


def _class_prototypes() -> np.ndarray:
    """Fixed per-class patterns, shape (10, 32 + 2*shift, 32 + 2*shift, 3)."""
    rng = np.random.default_rng(_PROTOTYPE_SEED)
    size = IMAGE_SHAPE[0] + 2 * _MAX_SHIFT
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    patterns = np.empty((NUM_CLASSES, size, size, 3), dtype=np.float32)
    for c in range(NUM_CLASSES):
        colour = rng.uniform(0.2, 0.8, size=3)
        angle = np.pi * c / NUM_CLASSES
        freq = 2 * np.pi / rng.uniform(5.0, 9.0)
        stripes = np.sin(freq * (xx * np.cos(angle) + yy * np.sin(angle)))
        cy, cx = rng.uniform(8, size - 8, size=2)
        blob = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * 3.0**2))
        patterns[c] = colour + 0.5 * stripes[..., None] * colour
        patterns[c] += blob[..., None] * (1 - colour)
    # Centre each pattern so classes differ by structure, not brightness.
    patterns -= patterns.mean(axis=(1, 2, 3), keepdims=True)

    family = np.arange(NUM_CLASSES) // 2 * 2  # 0,0,2,2,...: first class of the pair
    tints = rng.uniform(-1.0, 1.0, size=(NUM_CLASSES // 2, 1, 1, 3))
    protos = (1 - _PAIR_CUE) * patterns[family] + _PAIR_CUE * patterns
    protos += _FAMILY_TINT / _SIGNAL * np.repeat(tints, 2, axis=0)
    return protos.astype(np.float32)


def _draw(
    prototypes: np.ndarray, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` shifted, cluttered, noisy images with balanced labels."""
    h, w, c = IMAGE_SHAPE
    labels = np.arange(n) % NUM_CLASSES
    rng.shuffle(labels)
    shifts = rng.integers(0, 2 * _MAX_SHIFT + 1, size=(n, 2))
    # Crop each image from its class prototype at a random offset.
    rows = shifts[:, 0, None] + np.arange(h)  # (n, h)
    cols = shifts[:, 1, None] + np.arange(w)  # (n, w)
    crops = prototypes[labels[:, None, None], rows[:, :, None], cols[:, None, :]]
    # Clutter: a random 4x4 colour grid blown up to 32x32 (8x8 blocks).
    grid = rng.normal(0.0, 1.0, size=(n, 4, 4, c)).astype(np.float32)
    clutter = grid.repeat(h // 4, axis=1).repeat(w // 4, axis=2)
    images = 0.5 + _SIGNAL * crops + _CLUTTER * clutter
    images += rng.normal(0.0, _NOISE_STD, size=images.shape).astype(np.float32)
    return np.clip(images, 0.0, 1.0).astype(np.float32), labels.astype(np.int64)
