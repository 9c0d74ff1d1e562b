"""Tests for autograder.data: the offline sample and the real CIFAR-10 path."""

from __future__ import annotations

import io
import pickle
import tarfile
import time
import urllib.error
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from autograder import data
from autograder.data import IMAGE_SHAPE, NUM_CLASSES, load_datasets, make_sample

# Keras' cifar10.load_data() insists on the real layout: five training
# batches and one test batch of exactly 10,000 images each.
FAKE_PER_BATCH = 10_000


def _as_arrays(ds: tf.data.Dataset) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = zip(*((x.numpy(), y.numpy()) for x, y in ds))
    return np.concatenate(xs), np.concatenate(ys)


# --- offline sample -------------------------------------------------------


def test_make_sample_shapes_dtypes_and_ranges():
    (x_train, y_train), (x_val, y_val) = make_sample()
    assert x_train.shape == (256, *IMAGE_SHAPE)
    assert x_val.shape == (128, *IMAGE_SHAPE)
    assert y_train.shape == (256,) and y_val.shape == (128,)
    for x in (x_train, x_val):
        assert x.dtype == np.float32
        assert x.min() >= 0.0 and x.max() <= 1.0
        assert x.std() > 0.1  # real images, not a constant
    for y in (y_train, y_val):
        assert np.issubdtype(y.dtype, np.integer)
        assert set(np.unique(y)) == set(range(NUM_CLASSES))


def test_make_sample_sizes_are_configurable():
    (x_train, y_train), (x_val, y_val) = make_sample(n_train=30, n_val=20)
    assert len(x_train) == len(y_train) == 30
    assert len(x_val) == len(y_val) == 20


def test_make_sample_is_deterministic_per_seed():
    first, second = make_sample(seed=3), make_sample(seed=3)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
    other = make_sample(seed=4)
    assert not np.array_equal(first[0][0], other[0][0])


def test_make_sample_train_and_val_images_differ():
    (x_train, _), (x_val, _) = make_sample()
    assert not np.array_equal(x_train[: len(x_val)], x_val)


def test_make_sample_is_fast():
    # Fresh seeds: make_sample caches, and the first call must be cheap too. CPU time, not wall
    # time, so a busy machine cannot fail it; the bound is over 10x the 0.03-0.06 s it needs.
    best = min(_cpu_seconds(lambda: make_sample(seed=seed)) for seed in (101, 102, 103))
    assert best < 1.0


def test_make_sample_returns_independent_copies():
    (x_train, y_train), _ = make_sample()
    x_train[:] = 0.0
    y_train[:] = 0
    (x_again, y_again), _ = make_sample()
    assert x_again.max() > 0.0 and y_again.max() > 0


def _cpu_seconds(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def test_load_datasets_sample_element_spec_and_content():
    train_ds, val_ds = load_datasets("sample", batch_size=32)
    for ds in (train_ds, val_ds):
        image_spec, label_spec = ds.element_spec
        assert image_spec.shape.as_list() == [None, *IMAGE_SHAPE]
        assert image_spec.dtype == tf.float32
        assert label_spec.shape.as_list() == [None]  # sparse labels, not one-hot
        assert label_spec.dtype in (tf.int32, tf.int64)
    first_images, _ = next(iter(train_ds))
    assert first_images.shape == (32, *IMAGE_SHAPE)

    (x_train, y_train), (x_val, y_val) = make_sample()
    got_x, got_y = _as_arrays(val_ds)
    np.testing.assert_array_equal(got_x, x_val)
    np.testing.assert_array_equal(got_y, y_val)
    assert len(_as_arrays(train_ds)[1]) == len(y_train)


def test_load_datasets_reads_source_from_environment(monkeypatch):
    monkeypatch.setenv(data.DATA_ENV_VAR, "sample")
    monkeypatch.setattr(data, "_load_cifar10", _must_not_be_called)
    _, val_ds = load_datasets()
    assert len(_as_arrays(val_ds)[1]) == 128


def _must_not_be_called():
    raise AssertionError("CIFAR-10 must not be loaded for source='sample'")


@pytest.mark.parametrize("source", ["mnist", "", "cifar100"])
def test_unknown_source_raises_value_error(source):
    with pytest.raises(ValueError, match="cifar10"):
        load_datasets(source)


def test_unknown_source_from_environment_raises(monkeypatch):
    monkeypatch.setenv(data.DATA_ENV_VAR, "imagenet")
    with pytest.raises(ValueError, match="sample"):
        load_datasets()


# --- real CIFAR-10 code path, against a fake Keras cache --------------------


@pytest.fixture
def keras_home(tmp_path, monkeypatch) -> Path:
    """An empty Keras home in tmp_path; downloads fail at once.

    Keras reads $KERAS_HOME only when it is first imported, so setting the
    environment variable here would be too late; patch the resolved value.
    """
    from keras.src.backend import config
    from keras.src.utils import file_utils

    monkeypatch.setattr(config, "_KERAS_DIR", str(tmp_path))

    def offline(url, *args, **kwargs):
        raise urllib.error.URLError(f"test is offline: {url}")

    monkeypatch.setattr(file_utils, "urlretrieve", offline)
    return tmp_path


def _fake_batch(index: int, n: int = FAKE_PER_BATCH) -> dict:
    """A CIFAR-style batch whose pixels encode image, pixel and batch index."""
    images = np.arange(n, dtype=np.uint8)[:, None] * np.uint8(7)
    pixels = np.arange(3072, dtype=np.uint8)[None, :] * np.uint8(3)
    return {
        b"batch_label": f"fake batch {index}".encode(),
        b"labels": [(i * 3 + index) % NUM_CLASSES for i in range(n)],
        # uint8 arithmetic wraps, keeping every value in 0-255.
        b"data": images + pixels + np.uint8(11 * index),
        b"filenames": [f"img_{i}.png".encode() for i in range(n)],
    }


def _write_fake_cifar10(home: Path) -> dict[str, dict]:
    """Write a CIFAR-10 archive where Keras' get_file looks for it.

    get_file(fname="cifar-10-batches-py-target", extract=True) checks for the
    *archive* ``datasets/cifar-10-batches-py-target_archive`` (an extracted
    folder alone is not enough: it would download) and re-extracts it into
    ``datasets/cifar-10-batches-py-target/`` on every call.
    """
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    batches = {name: _fake_batch(i) for i, name in enumerate(names)}
    archive = home / "datasets" / "cifar-10-batches-py-target_archive"
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "w:gz", compresslevel=1) as tar:
        for name, batch in batches.items():
            # Keras' restricted unpickler only allows numpy's array globals:
            # protocol 2 would pickle bytes via _codecs.encode, protocol 5
            # arrays via a buffer helper; protocol 4 needs neither.
            payload = pickle.dumps(batch, protocol=4)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    return batches


def _scaled_images(batch: dict) -> np.ndarray:
    """The batch as channels-last float images in [0, 1]."""
    images = batch[b"data"].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return images.astype(np.float32) / 255.0


def test_load_datasets_cifar10_reads_keras_cache(keras_home, monkeypatch):
    from keras.src.utils import file_utils

    batches = _write_fake_cifar10(keras_home)
    # The real sha256 cannot match a fake archive; accept it.
    monkeypatch.setattr(file_utils, "validate_file", lambda *a, **k: True)

    train_ds, val_ds = load_datasets("cifar10", batch_size=1000)

    # 40,000 training and 10,000 validation images (the last 20 %).
    assert int(train_ds.cardinality()) == 40
    assert int(val_ds.cardinality()) == 10
    assert train_ds.element_spec[0].dtype == tf.float32
    assert train_ds.element_spec[1].shape.as_list() == [None]

    first_x, first_y = next(iter(train_ds))
    np.testing.assert_allclose(
        first_x.numpy(), _scaled_images(batches["data_batch_1"])[:1000], atol=1e-6
    )
    np.testing.assert_array_equal(first_y, batches["data_batch_1"][b"labels"][:1000])
    train_labels = np.concatenate([y.numpy() for y in train_ds.map(lambda x, y: y)])
    want_labels = sum((batches[f"data_batch_{i}"][b"labels"] for i in range(1, 5)), [])
    np.testing.assert_array_equal(train_labels, want_labels)

    val_batch = batches["data_batch_5"]
    x_val, y_val = _as_arrays(val_ds)
    np.testing.assert_allclose(x_val, _scaled_images(val_batch), atol=1e-6)
    np.testing.assert_array_equal(y_val, val_batch[b"labels"])
    assert x_val.min() >= 0.0 and x_val.max() <= 1.0
    assert (keras_home / "datasets" / "cifar-10-batches-py-target").is_dir()


def test_cifar10_source_raises_without_cache(keras_home):
    with pytest.raises(Exception, match="URL fetch failure"):
        load_datasets("cifar10")


def test_auto_falls_back_to_sample_without_cache(keras_home, capsys):
    start = time.perf_counter()
    train_ds, val_ds = load_datasets("auto")
    assert time.perf_counter() - start < 5

    assert "AUTOGRADER_DATA=cifar10|sample" in capsys.readouterr().err
    (_, y_train), (x_val, _) = make_sample()
    np.testing.assert_array_equal(_as_arrays(val_ds)[0], x_val)
    assert len(_as_arrays(train_ds)[1]) == len(y_train)
