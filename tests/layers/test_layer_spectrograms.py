"""MelSpectrogram and STFTSpectrogram against Keras 3 on the same signals, shapes, configs both ways, .keras
files, gradients."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

import glassnet
from glassnet import layers

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")
keras = pytest.importorskip("keras")

RNG = np.random.default_rng(0)
AUDIO = RNG.normal(size=(2, 1500)).astype("float32")
SIGNALS = RNG.normal(size=(2, 200, 2)).astype("float32")

MEL_CASES = [
    {"fft_length": 256, "sequence_stride": 64, "num_mel_bins": 20},
    {"fft_length": 512, "sequence_length": 400, "sequence_stride": 160, "num_mel_bins": 40, "power_to_db": False,
     "mag_exp": 1.0, "sampling_rate": 8000, "min_freq": 50.0, "max_freq": 3000.0},
    {"fft_length": 128, "sequence_stride": 32, "num_mel_bins": 16, "top_db": 20.0, "ref_power": 5.0},
]


@pytest.mark.parametrize("kwargs", MEL_CASES)
def test_mel_spectrogram_against_keras(kwargs):
    ours = layers.MelSpectrogram(**kwargs)
    out = ours(AUDIO).numpy()
    theirs = keras.ops.convert_to_numpy(keras.layers.MelSpectrogram(**kwargs)(AUDIO))
    assert out.shape == theirs.shape == ours.compute_output_shape(AUDIO.shape) and out.dtype == theirs.dtype
    np.testing.assert_allclose(out, theirs, rtol=1e-4, atol=1e-4 * np.abs(theirs).max())
    single = ours(AUDIO[0]).numpy()
    assert single.shape == out.shape[1:]


STFT_CASES = [
    {"frame_length": 32},
    {"frame_length": 30, "frame_step": 10, "fft_length": 64, "padding": "same", "expand_dims": True,
     "scaling": "spectrum", "window": "hamming"},
    {"frame_length": 16, "data_format": "channels_first", "periodic": True, "scaling": None},
]


@pytest.mark.parametrize("mode", ["log", "magnitude", "psd", "real", "imag", "angle", "stft"])
@pytest.mark.parametrize("kwargs", STFT_CASES)
def test_stft_spectrogram_against_keras(mode, kwargs):
    signals = SIGNALS.transpose(0, 2, 1).copy() if kwargs.get("data_format") == "channels_first" else SIGNALS
    ours = layers.STFTSpectrogram(mode=mode, **kwargs)
    out = ours(signals).numpy()
    theirs = keras.ops.convert_to_numpy(keras.layers.STFTSpectrogram(mode=mode, **kwargs)(signals))
    assert out.shape == theirs.shape == ours.compute_output_shape(signals.shape)
    if mode == "angle":  # atan2 at imag = +-0 on the real axis is +-pi: compare on the circle
        out, theirs = np.cos(out) + 1j * np.sin(out), np.cos(theirs) + 1j * np.sin(theirs)
    # the angle of a near-zero coefficient (imag ~ 1e-7) is ill-conditioned: a looser tolerance for it
    np.testing.assert_allclose(out, theirs, atol=2e-3 if mode == "angle" else 1e-4)


@pytest.mark.parametrize("cls,kwargs", [("MelSpectrogram", MEL_CASES[1]), ("STFTSpectrogram", STFT_CASES[1])])
def test_configs_both_ways(cls, kwargs):
    ours, theirs = getattr(layers, cls)(**kwargs), getattr(keras.layers, cls)(**kwargs)
    config = ours.get_config()
    assert set(config) == set(theirs.get_config())
    assert getattr(layers, cls).from_config(config).get_config() == config
    getattr(keras.layers, cls).from_config(config)


def test_stft_spectrogram_keras_file_both_ways(tmp_path):
    model = glassnet.Sequential([glassnet.Input((200, 2)), layers.STFTSpectrogram(mode="magnitude", frame_length=32)])
    model.layers[-1].real_kernel.assign(model.layers[-1].real_kernel.numpy() * 2)  # not the initial weights
    path = str(tmp_path / "s.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loaded(SIGNALS)), model(SIGNALS).numpy(), atol=1e-4)
    again = glassnet.saving.load_model(path)
    np.testing.assert_allclose(again(SIGNALS).numpy(), model(SIGNALS).numpy(), atol=1e-6)


def test_stft_spectrogram_trains():
    from glassnet.autodiff import Tensor

    layer = layers.STFTSpectrogram(mode="magnitude", frame_length=16)
    x = Tensor(SIGNALS[:, :64])
    out = layer(x)
    glassnet.ops.sum(out).backward()
    assert layer.real_kernel.grad is not None and np.abs(layer.real_kernel.grad).sum() > 0


def test_bad_arguments():
    with pytest.raises(ValueError, match="fft_length"):
        layers.MelSpectrogram(fft_length=128, sequence_length=256)
    with pytest.raises(ValueError, match="mode"):
        layers.STFTSpectrogram(mode="power")
    with pytest.raises(ValueError, match="frame_step"):
        layers.STFTSpectrogram(frame_length=16, frame_step=32)
    with pytest.raises(ValueError, match="rank 3"):
        layers.STFTSpectrogram()(AUDIO)
