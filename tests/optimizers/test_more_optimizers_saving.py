"""The state of the added optimizers travels in .keras files both ways with Keras 3 (torch backend)."""

import os

import numpy as np
import pytest

import glassnet

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")

OPTIMIZERS = ["Adadelta", "Adafactor", "Adamax", "Ftrl", "Lamb", "Lion", "Nadam", "Muon", "ScheduleFreeAdamW"]


def trained(k, name):
    model = k.Sequential([k.Input(shape=(5,)), k.layers.Dense(4, activation="tanh"), k.layers.Dense(1)])
    model.compile(optimizer=getattr(k.optimizers, name)(learning_rate=0.01), loss="mse")
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((24, 5)).astype("float32"), rng.standard_normal((24, 1)).astype("float32")
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    return model, x, y


def keras_state(model):
    return [np.asarray(keras.ops.convert_to_numpy(v)) for v in model.optimizer.variables]


def glassnet_state(model):
    from glassnet.saving.weights_h5 import optimizer_arrays

    return [np.asarray(a) for a in optimizer_arrays(model.optimizer)]


def assert_same_state(mine, reference):
    assert [a.shape for a in mine] == [b.shape for b in reference]
    for a, b in zip(mine, reference):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_keras_file_loads_in_glassnet_and_trains_alike(name, tmp_path):
    keras.utils.set_random_seed(0)
    theirs, x, y = trained(keras, name)
    path = tmp_path / "model.keras"
    theirs.save(path)
    ours = glassnet.models.load_model(path)
    assert type(ours.optimizer).__name__ == name
    assert_same_state(glassnet_state(ours), keras_state(theirs))
    if name == "ScheduleFreeAdamW":
        return  # Keras' torch backend steps it differently (test_more_optimizers_keras_parity.py says how)
    for model in (ours, theirs):
        model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(ours.predict(x, verbose=0), keras.ops.convert_to_numpy(theirs.predict(x, verbose=0)),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_glassnet_file_loads_in_keras(name, tmp_path):
    glassnet.utils.set_random_seed(0)
    ours, _, _ = trained(glassnet, name)
    path = tmp_path / "model.keras"
    ours.save(path)
    theirs = keras.models.load_model(path)
    assert type(theirs.optimizer).__name__ == name
    assert_same_state(glassnet_state(ours), keras_state(theirs))
    reloaded = glassnet.models.load_model(path)
    assert_same_state(glassnet_state(reloaded), glassnet_state(ours))


@pytest.mark.parametrize("name", ["Nadam", "Adafactor", "Muon"])
def test_legacy_h5_files_keep_the_whole_state(name, tmp_path):
    glassnet.utils.set_random_seed(0)
    ours, _, _ = trained(glassnet, name)
    path = tmp_path / "model.h5"
    ours.save(path)
    reloaded = glassnet.models.load_model(path)
    assert_same_state(glassnet_state(reloaded), glassnet_state(ours))
    if name == "Adafactor":
        return  # Keras 3.15 cannot write Adafactor's state to a legacy file (its placeholder variables share names)
    keras.utils.set_random_seed(0)  # Keras 3.15 cannot read its own legacy file compiled with loss="mse": one way
    theirs, _, _ = trained(keras, name)
    theirs.save(tmp_path / "keras.h5")
    assert_same_state(glassnet_state(glassnet.models.load_model(tmp_path / "keras.h5")), keras_state(theirs))
