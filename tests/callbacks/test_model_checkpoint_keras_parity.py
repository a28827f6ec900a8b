"""ModelCheckpoint against the installed Keras 3: same logs, same files; its files load in Keras 3."""

import itertools
import os

import numpy as np
import pytest

os.environ["KERAS_BACKEND"] = "torch"  # before keras is imported

import glassnet as gn  # noqa: E402
from _callback_helpers import drive, small_data, small_model  # noqa: E402

k = pytest.importorskip("keras")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def keras_model(optimizer=None):
    model = k.Sequential([k.Input(shape=(4,)), k.layers.Dense(5, activation="relu"),
                          k.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizer or k.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


@pytest.fixture(scope="module")
def model_pair():
    x, y = small_data(8)
    ours, theirs = small_model(optimizer=gn.optimizers.SGD(0.1)), keras_model()
    ours.evaluate(x, y, verbose=0)  # builds the metrics, which mode="auto" looks up
    theirs.evaluate(x, y, verbose=0)
    return ours, theirs


def sequences(count, length=8, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        steps = rng.choice([-0.2, -0.05, 0.0, 0.0, 0.03, 0.1], size=length)
        yield np.round(0.9 + np.cumsum(steps), 2)


CONFIGS = [
    dict(monitor=monitor, mode=mode, initial_value_threshold=threshold)
    for monitor, mode, threshold in itertools.product(("val_loss", "val_accuracy", "loss"), ("auto", "min", "max"),
                                                       (None, 0.8))
]


def test_best_only_writes_the_files_keras_writes(model_pair, tmp_path):
    ours_model, theirs_model = model_pair
    for number, config in enumerate(CONFIGS):
        for index, values in enumerate(sequences(3, seed=number)):
            folders = [tmp_path / f"{number}-{index}-{side}" for side in ("ours", "theirs")]
            ours = gn.callbacks.ModelCheckpoint(str(folders[0] / "{epoch:02d}.weights.h5"), save_best_only=True,
                                                save_weights_only=True, **config)
            theirs = k.callbacks.ModelCheckpoint(str(folders[1] / "{epoch:02d}.weights.h5"), save_best_only=True,
                                                 save_weights_only=True, **config)
            written = []
            for callback, model, folder in ((ours, ours_model, folders[0]), (theirs, theirs_model, folders[1])):
                drive(callback, model, {config["monitor"]: values})
                written.append(sorted(os.listdir(folder)) if folder.exists() else [])
            where = f"{config} {values}"
            assert written[0] == written[1], where
            assert (ours.best is None and theirs.best is None) or float(ours.best) == float(theirs.best), where


def test_save_every_epoch_and_a_fixed_name_like_keras(model_pair, tmp_path):
    ours_model, theirs_model = model_pair
    for side, module, model in (("ours", gn, ours_model), ("theirs", k, theirs_model)):
        every = module.callbacks.ModelCheckpoint(str(tmp_path / side / "e{epoch}-{val_loss:.3f}.weights.h5"),
                                                 save_weights_only=True)
        drive(every, model, {"val_loss": [0.5, 0.25, 0.125]})
    assert sorted(os.listdir(tmp_path / "ours")) == sorted(os.listdir(tmp_path / "theirs")) == [
        "e1-0.500.weights.h5", "e2-0.250.weights.h5", "e3-0.125.weights.h5"]


def test_integer_save_freq_saves_after_the_same_batches_as_keras(tmp_path):
    x, y = small_data(44)  # batch 8: six steps an epoch, the last one short
    for side in ("ours", "theirs"):
        model = small_model() if side == "ours" else keras_model()
        module = gn if side == "ours" else k
        checkpoint = module.callbacks.ModelCheckpoint(str(tmp_path / side / "{epoch}-{batch}.weights.h5"),
                                                      save_weights_only=True, save_freq=4)
        model.fit(x, y, epochs=3, batch_size=8, verbose=0, callbacks=[checkpoint])
    ours, theirs = sorted(os.listdir(tmp_path / "ours")), sorted(os.listdir(tmp_path / "theirs"))
    assert ours == theirs and len(ours) == 4  # 18 steps: after 4, 8, 12 and 16


@pytest.mark.parametrize("path,weights_only", [
    ("m.keras", False), ("m", False), ("m.keras", True), ("m.h5", True),
    ("m.weights.h5", True), ("{epoch}.keras", False), ("{epoch}.ckpt", True), ("m.h5", False), ("m.hdf5", False),
])
def test_suffix_rules_are_keras_rules(path, weights_only):
    def refused(module):
        try:
            module.callbacks.ModelCheckpoint(path, save_weights_only=weights_only)
        except ValueError:
            return True
        return False

    assert refused(gn) == refused(k)


def test_weights_h5_name_for_a_whole_model_is_refused_where_keras_would_write_the_legacy_format():
    k.callbacks.ModelCheckpoint("m.weights.h5")  # Keras 3 writes a legacy whole-model .h5 under that name
    with pytest.raises(ValueError, match="pass save_weights_only=True"):
        gn.callbacks.ModelCheckpoint("m.weights.h5")
    k.callbacks.ModelCheckpoint("m.h5")  # the legacy HDF5 model file: accepted by both (tests/saving/test_legacy_h5.py)
    gn.callbacks.ModelCheckpoint("m.h5")


def test_checkpoint_files_load_in_keras(tmp_path):
    x, y = small_data(40)
    model = small_model(optimizer="adam")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[
        gn.callbacks.ModelCheckpoint(str(tmp_path / "m-{epoch}.keras")),
        gn.callbacks.ModelCheckpoint(str(tmp_path / "w-{epoch}.weights.h5"), save_weights_only=True),
    ])
    expected = model.predict(x, verbose=0)
    theirs = k.models.load_model(tmp_path / "m-2.keras")
    np.testing.assert_allclose(k.ops.convert_to_numpy(theirs.predict(x, verbose=0)), expected, rtol=1e-5, atol=1e-6)
    assert int(k.ops.convert_to_numpy(theirs.optimizer.iterations)) == 10
    ours = gn.models.load_model(tmp_path / "m-2.keras")
    np.testing.assert_array_equal(ours.predict(x, verbose=0), expected)

    weights_model = keras_model(optimizer="adam")
    weights_model.optimizer.build(weights_model.trainable_variables)  # Keras loads slots into a built optimizer only
    weights_model.load_weights(tmp_path / "w-2.weights.h5")
    for theirs_weight, ours_weight in zip(weights_model.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(theirs_weight, ours_weight)
    theirs_slots = [k.ops.convert_to_numpy(v) for v in weights_model.optimizer.variables]
    assert int(theirs_slots[0]) == 10  # the optimizer state came along, in Keras' order
