"""``keras.config`` switches: each has its effect (safe mode, logging, epoch and step caps) and the flags hold."""

import logging
import os
import warnings

import numpy as np
import pytest

import glassnet
from glassnet import config, layers

os.environ["KERAS_BACKEND"] = "torch"


@pytest.fixture(autouse=True)
def restore_switches():
    switches, limits = dict(config._SWITCHES), dict(config._LIMITS)
    yield
    config._SWITCHES.update(switches)
    config._LIMITS.update(limits)


def small_model():
    model = glassnet.Sequential([glassnet.Input(shape=(3,)), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def data(n=40):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 3)).astype("float32"), rng.standard_normal((n, 2)).astype("float32")


def test_unsafe_deserialization_lets_lambda_files_load(tmp_path):
    model = glassnet.Sequential([glassnet.Input(shape=(3,)), layers.Lambda(lambda t: t * 2.0)])
    path = tmp_path / "lambda.keras"
    model.save(path)
    with pytest.raises(ValueError, match="safe_mode=False"):
        glassnet.models.load_model(path)
    assert not config.is_unsafe_deserialization_enabled()
    config.enable_unsafe_deserialization()
    assert config.is_unsafe_deserialization_enabled()
    loaded = glassnet.models.load_model(path)  # safe_mode=True by default: the global switch overrides it, as in Keras
    x = np.ones((2, 3), "float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), 2 * x)


def test_interactive_logging_switch_sends_progress_and_summary_to_logging(capsys, caplog):
    x, y = data()
    model = small_model()
    assert config.is_interactive_logging_enabled() and glassnet.utils.is_interactive_logging_enabled()
    model.fit(x, y, epochs=1, verbose=2)
    model.summary()
    printed = capsys.readouterr().out
    assert "Epoch 1/1" in printed and "Total params" in printed
    glassnet.utils.disable_interactive_logging()
    assert not config.is_interactive_logging_enabled()
    with caplog.at_level(logging.INFO, logger="glassnet"):
        model.fit(x, y, epochs=1, verbose=2)
        model.summary()
    assert capsys.readouterr().out == ""
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Epoch 1/1" in logged and "loss" in logged and "Total params" in logged
    glassnet.utils.enable_interactive_logging()
    assert config.is_interactive_logging_enabled()


def test_max_epochs_caps_fit_with_a_warning():
    x, y = data()
    config.set_max_epochs(2)
    assert config.max_epochs() == 2
    with pytest.warns(UserWarning, match="Limiting epochs to 2"):
        history = small_model().fit(x, y, epochs=5, verbose=0)
    assert len(history.history["loss"]) == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(small_model().fit(x, y, epochs=1, verbose=0).history["loss"]) == 1  # under the cap: untouched
    config.set_max_epochs(None)
    assert len(small_model().fit(x, y, epochs=3, verbose=0).history["loss"]) == 3


def test_max_steps_per_epoch_caps_fit_evaluate_and_predict():
    x, y = data(40)  # 2 batches of 32 and 8
    model = small_model()
    steps = []
    counter = glassnet.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: steps.append(batch))
    config.set_max_steps_per_epoch(1)
    assert config.max_steps_per_epoch() == 1
    with pytest.warns(UserWarning, match="Limiting steps_per_epoch to 1"):
        model.fit(x, y, epochs=2, verbose=0, callbacks=[counter])
    assert steps == [0, 0]
    with pytest.warns(UserWarning, match="Limiting steps_per_epoch"):
        assert model.predict(x, verbose=0).shape == (32, 2)
    with pytest.warns(UserWarning, match="Limiting steps_per_epoch"):
        capped = model.evaluate(x, y, verbose=0)
    np.testing.assert_allclose(capped, model.evaluate(x[:32], y[:32], verbose=0), rtol=1e-6)
    config.set_max_steps_per_epoch(None)
    assert model.predict(x, verbose=0).shape == (40, 2)


@pytest.mark.parametrize("setter", [config.set_max_epochs, config.set_max_steps_per_epoch])
@pytest.mark.parametrize("bad", [0, -1, 2.5, "3", True])
def test_limits_must_be_positive_integers(setter, bad):
    with pytest.raises(ValueError, match="positive integer"):
        setter(bad)


def test_flags_match_keras_defaults_and_toggle():
    keras = pytest.importorskip("keras")
    assert config.is_traceback_filtering_enabled() == keras.config.is_traceback_filtering_enabled()
    assert config.is_flash_attention_enabled() == keras.config.is_flash_attention_enabled()
    assert config.max_epochs() == keras.config.max_epochs() and config.max_steps_per_epoch() is None
    config.disable_traceback_filtering()
    assert config.is_traceback_filtering_enabled() is False
    config.enable_traceback_filtering()
    assert config.is_traceback_filtering_enabled() is True
    config.disable_flash_attention()
    assert config.is_flash_attention_enabled() is False
    config.enable_flash_attention()
    assert config.is_flash_attention_enabled() is None
