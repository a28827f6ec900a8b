"""save_weights / load_weights: round trips, checks before loading, atomic writes, and Keras 3 files both ways."""

import os

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers

os.environ["KERAS_BACKEND"] = "torch"  # before anything imports keras


def glassnet_model(dropout=True, hidden=32):
    stack = [keras.Input(shape=(8, 8)), layers.Flatten(), layers.Dense(hidden, activation="relu")]
    if dropout:
        stack.append(layers.Dropout(0.3))
    stack.append(layers.Dense(10, activation="softmax"))
    model = keras.Sequential(stack)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def digits(n=200):
    (x, y), (xt, _) = keras.datasets.digits.load_data()
    return x[:n].astype("float32") / 255.0, y[:n], xt.astype("float32") / 255.0


def assert_same_weights(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    assert len(wa) == len(wb)
    for x, y in zip(wa, wb):
        np.testing.assert_array_equal(x, y)


def test_round_trip_into_a_fresh_model(tmp_path):
    x, y, xt = digits()
    trained = glassnet_model()
    trained.fit(x, y, epochs=2, verbose=0)
    path = tmp_path / "model.weights.h5"
    trained.save_weights(path)
    fresh = glassnet_model()  # a second instance: its layers are named dense_2, dense_3, ...
    assert [layer.name for layer in fresh.layers] != [layer.name for layer in trained.layers]
    fresh.load_weights(path)
    assert_same_weights(trained, fresh)
    np.testing.assert_array_equal(fresh.predict(xt, verbose=0), trained.predict(xt, verbose=0))


def test_save_accepts_str_paths_and_overwrites(tmp_path):
    model = glassnet_model()
    path = str(tmp_path / "m.weights.h5")
    model.save_weights(path)
    model.layers[1].kernel.assign(np.zeros((64, 32), dtype="float32"))
    model.save_weights(path)
    other = glassnet_model()
    other.load_weights(path)
    np.testing.assert_array_equal(other.layers[1].kernel.numpy(), 0.0)


def test_overwrite_false_keeps_the_existing_file(tmp_path):
    path = tmp_path / "m.weights.h5"
    first = glassnet_model()
    first.save_weights(path)
    content = path.read_bytes()
    with pytest.raises(FileExistsError, match="overwrite=False"):
        glassnet_model().save_weights(path, overwrite=False)
    assert path.read_bytes() == content


def test_file_name_must_end_in_weights_h5(tmp_path):
    with pytest.raises(ValueError, match=r"\.weights\.h5.*'.*model\.h5'"):
        glassnet_model().save_weights(tmp_path / "model.h5")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_save_leaves_the_previous_file_and_no_litter(tmp_path, monkeypatch):
    from glassnet.saving import weights_h5

    path = tmp_path / "m.weights.h5"
    model = glassnet_model()
    model.save_weights(path)
    content = path.read_bytes()

    def explode(handle, model, include_optimizer=True):
        handle.create_group("layers")
        raise RuntimeError("disk full")

    monkeypatch.setattr(weights_h5, "write_weights", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        model.save_weights(path)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.weights.h5"]


def test_loading_into_a_different_architecture_changes_nothing(tmp_path):
    path = tmp_path / "m.weights.h5"
    glassnet_model(hidden=32).save_weights(path)
    other = glassnet_model(hidden=16)
    before = other.get_weights()
    with pytest.raises(ValueError) as info:
        other.load_weights(path)
    message = str(info.value)
    assert "(64, 16)" in message and "(64, 32)" in message and "dense" in message
    for a, b in zip(before, other.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_loading_a_file_missing_a_layer(tmp_path):
    path = tmp_path / "m.weights.h5"
    small = keras.Sequential([keras.Input(shape=(8, 8)), layers.Flatten(), layers.Dense(32)])
    small.save_weights(path)
    bigger = glassnet_model(dropout=False)  # layers flatten_1, dense_1, dense_2: stored as flatten, dense, dense_1
    before = bigger.get_weights()
    with pytest.raises(ValueError, match="no weights for layer 'dense_2' .stored as 'dense_1'.*different model"):
        bigger.load_weights(path)
    for a, b in zip(before, bigger.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_optimizer_state_is_saved(tmp_path):
    import h5py

    x, y, _ = digits(64)
    model = glassnet_model(dropout=False)
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    path = tmp_path / "m.weights.h5"
    model.save_weights(path)
    with h5py.File(path, "r") as handle:
        assert sorted(handle["layers"]) == ["dense", "dense_1", "flatten"]
        optimizer = [np.asarray(handle["optimizer"]["vars"][str(i)]) for i in range(len(handle["optimizer"]["vars"]))]
    assert int(optimizer[0]) == 4  # iterations: 64 samples / 16 per step
    assert float(optimizer[1]) == pytest.approx(0.001)
    # then Adam's m and v for each weight, in weight order
    shapes = [tuple(w.shape) for w in model.weights]
    assert [a.shape for a in optimizer[2:]] == [s for s in shapes for _ in range(2)]


# --- Keras 3 ------------------------------------------------------------------------------------------------------------
pytestmark_keras = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")


def keras_model(k, dropout=True, hidden=32):
    stack = [k.Input(shape=(8, 8)), k.layers.Flatten(), k.layers.Dense(hidden, activation="relu")]
    if dropout:
        stack.append(k.layers.Dropout(0.3))
    stack.append(k.layers.Dense(10, activation="softmax"))
    model = k.Sequential(stack)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


@pytestmark_keras
@pytest.mark.parametrize("dropout", [False, True])
def test_glassnet_weights_load_in_keras(tmp_path, dropout):
    k = pytest.importorskip("keras")
    x, y, xt = digits()
    ours = glassnet_model(dropout=dropout)
    ours.fit(x, y, epochs=2, verbose=0)
    path = tmp_path / "ours.weights.h5"
    ours.save_weights(path)
    keras_model(k, dropout=dropout)  # an earlier instance, so the next one's layer names differ from the file's
    theirs = keras_model(k, dropout=dropout)
    theirs.load_weights(str(path))
    np.testing.assert_allclose(theirs.predict(xt, verbose=0), ours.predict(xt, verbose=0), atol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(a, np.asarray(b))


@pytestmark_keras
@pytest.mark.parametrize("dropout", [False, True])
def test_keras_weights_load_in_glassnet(tmp_path, dropout):
    k = pytest.importorskip("keras")
    x, y, xt = digits()
    theirs = keras_model(k, dropout=dropout)
    theirs.fit(x, y, epochs=2, verbose=0)
    path = tmp_path / "theirs.weights.h5"
    theirs.save_weights(str(path))
    glassnet_model(dropout=dropout)
    ours = glassnet_model(dropout=dropout)  # layer names dense_2, dense_3: the file says dense, dense_1
    ours.load_weights(path)
    np.testing.assert_allclose(ours.predict(xt, verbose=0), theirs.predict(xt, verbose=0), atol=1e-5)


@pytestmark_keras
def test_optimizer_state_round_trips_through_keras(tmp_path):
    import h5py

    k = pytest.importorskip("keras")
    x, y, _ = digits(64)
    ours = glassnet_model(dropout=False)
    ours.fit(x, y, epochs=1, batch_size=16, verbose=0)
    path = tmp_path / "ours.weights.h5"
    ours.save_weights(path)
    theirs = keras_model(k, dropout=False)
    theirs.fit(x[:16], y[:16], epochs=1, batch_size=16, verbose=0)  # builds Keras' optimizer
    theirs.load_weights(str(path))
    assert int(theirs.optimizer.iterations.numpy()) == 4
    again = tmp_path / "again.weights.h5"
    theirs.save_weights(str(again))

    def read(file):
        with h5py.File(file, "r") as handle:
            group = handle["optimizer"]["vars"]
            return [np.asarray(group[str(i)]) for i in range(len(group))]

    mine, keras_copy = read(path), read(again)
    assert len(mine) == len(keras_copy)
    for a, b in zip(mine, keras_copy):
        np.testing.assert_allclose(np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64"), rtol=1e-6)
