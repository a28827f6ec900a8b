"""audio_dataset_from_directory: .wav decoding (as tf.audio.decode_wav scales PCM: x / 2^(bits-1)), padding and
truncation, labels, splits, resampling, errors. Keras' own version needs TensorFlow, which is not installed."""

import wave

import numpy as np
import pytest

from glassnet import utils


def _write(path, samples, rate=8000, width=2):
    samples = np.asarray(samples)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1 if samples.ndim == 1 else samples.shape[1])
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(samples.astype({1: "<u1", 2: "<i2", 4: "<i4"}[width]).tobytes())


@pytest.fixture
def folder(tmp_path):
    rng = np.random.default_rng(0)
    clips = {}
    for label, lengths in (("cat", [30, 50]), ("dog", [40, 20, 45])):
        (tmp_path / label).mkdir()
        for i, length in enumerate(lengths):
            samples = rng.integers(-32768, 32767, size=length)
            _write(tmp_path / label / f"{i}.wav", samples)
            clips[f"{label}/{i}.wav"] = samples / 32768.0
    (tmp_path / "dog" / "notes.txt").write_text("not audio")
    return tmp_path, clips


def test_decodes_pads_and_labels(folder):
    path, clips = folder
    dataset = utils.audio_dataset_from_directory(path, batch_size=5, shuffle=False, verbose=False)
    assert dataset.class_names == ["cat", "dog"]
    audio, labels = dataset[0]
    assert audio.shape == (5, 50, 1) and audio.dtype == np.float32
    assert labels.tolist() == [0, 0, 1, 1, 1]
    np.testing.assert_allclose(audio[0, :30, 0], clips["cat/0.wav"], atol=1e-7)
    assert np.all(audio[0, 30:] == 0)  # padded to the longest clip of the batch


def test_output_sequence_length_and_modes(folder):
    path, clips = folder
    dataset = utils.audio_dataset_from_directory(path, batch_size=2, output_sequence_length=35, shuffle=False,
                                                 label_mode="categorical", verbose=False)
    audio, labels = dataset[0]
    assert audio.shape == (2, 35, 1) and labels.shape == (2, 2)
    np.testing.assert_allclose(audio[1, :, 0], clips["cat/1.wav"][:35], atol=1e-7)
    unlabelled = utils.audio_dataset_from_directory(path, labels=None, batch_size=8, verbose=False)
    assert unlabelled[0].shape[0] == 5
    train, val = utils.audio_dataset_from_directory(path, validation_split=0.4, subset="both", seed=1, batch_size=8,
                                                    verbose=False)
    assert len(train.file_paths) == 3 and len(val.file_paths) == 2
    assert not set(train.file_paths) & set(val.file_paths)


def test_sample_widths_and_resampling(tmp_path):
    (tmp_path / "a").mkdir()
    _write(tmp_path / "a" / "eight.wav", np.array([0, 128, 255]), width=1)
    _write(tmp_path / "a" / "thirty_two.wav", np.array([-(2 ** 31), 0, 2 ** 30]), width=4)
    audio, _ = utils.audio_dataset_from_directory(tmp_path, shuffle=False, verbose=False)[0]
    np.testing.assert_allclose(audio[0, :, 0], [-1.0, 0.0, 127 / 128])
    np.testing.assert_allclose(audio[1, :, 0], [-1.0, 0.0, 0.5])
    (tmp_path / "b").mkdir()
    _write(tmp_path / "b" / "slow.wav", np.arange(0, 1000, 100), rate=4000)
    resampled = utils.audio_dataset_from_directory(tmp_path / "b", sampling_rate=8000, labels=None,
                                                   verbose=False)[0]
    assert resampled.shape == (1, 20, 1)
    np.testing.assert_allclose(resampled[0, ::2, 0], np.arange(0, 1000, 100) / 32768.0, atol=1e-7)


def test_bad_arguments(folder, tmp_path):
    path, _ = folder
    with pytest.raises(ValueError, match="ragged"):
        utils.audio_dataset_from_directory(path, ragged=True)
    with pytest.raises(ValueError, match="output_sequence_length"):
        utils.audio_dataset_from_directory(path, output_sequence_length=0)
    with pytest.raises(ValueError, match="does not exist"):
        utils.audio_dataset_from_directory(tmp_path / "missing")
    with pytest.raises(ValueError, match="binary"):
        (path / "bird").mkdir()
        _write(path / "bird" / "0.wav", np.zeros(5))
        utils.audio_dataset_from_directory(path, label_mode="binary", verbose=False)
