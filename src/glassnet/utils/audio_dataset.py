"""audio_dataset_from_directory: batches of (audio, labels) read from a folder of .wav files (``keras.utils``).

The folders are read as ``text_dataset_from_directory`` reads them (one
subfolder per class, Keras' file order, ``shuffle``, ``seed``,
``validation_split``, ``subset``, label modes): see ``text_dataset.py``.
Each file is decoded with the standard library's ``wave`` module (PCM of 8,
16, 24 or 32 bits) into float32 samples in [-1, 1), shape (samples,
channels), as ``tf.audio.decode_wav`` gives them. With
``output_sequence_length`` every clip is cut or zero-padded to that length;
without it a batch is zero-padded to its longest clip (Keras'
``padded_batch``). ``sampling_rate`` resamples clips recorded at another
rate by linear interpolation (Keras uses TensorFlow I/O's resampler, which
filters first, so values differ slightly). Ragged batches do not exist in
glassnet: ``ragged=True`` is refused.
"""

import numbers
import wave

import numpy as np

from glassnet.utils.indexed_batches import IndexedBatches, check_batch_size, draw_seed
from glassnet.utils.text_dataset import (
    LABEL_MODES, check_validation_split, directory_datasets, encode_labels, index_directory,
)

NAME = "audio_dataset_from_directory"
AUDIO_EXTENSIONS = (".wav",)


def read_wav(path):
    """(float32 samples (frames, channels) in [-1, 1), sampling rate) of a PCM .wav file."""
    with wave.open(str(path), "rb") as handle:
        width, channels, rate = handle.getsampwidth(), handle.getnchannels(), handle.getframerate()
        raw = handle.readframes(handle.getnframes())
    if width == 1:
        samples = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width == 3:
        bytes3 = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        values = bytes3[:, 0] | (bytes3[:, 1] << 8) | (bytes3[:, 2] << 16)
        samples = (np.where(values >= 1 << 23, values - (1 << 24), values) / float(1 << 23)).astype(np.float32)
    elif width in (2, 4):
        dtype = np.dtype(f"<i{width}")
        samples = (np.frombuffer(raw, dtype=dtype) / float(1 << (8 * width - 1))).astype(np.float32)
    else:
        raise ValueError(f"{NAME}: {path} has {8 * width}-bit samples; 8, 16, 24 or 32-bit PCM is supported")
    return samples.reshape(-1, channels), rate


def _resample(samples, rate, target):
    if target is None or rate == target:
        return samples
    count = round(len(samples) * target / rate)
    times = np.arange(count) * (rate / target)
    source = np.arange(len(samples))
    return np.stack([np.interp(times, source, samples[:, c]) for c in range(samples.shape[1])],
                    axis=1).astype(np.float32)


def _fit(samples, length):
    """``samples`` cut or zero-padded to ``length`` frames."""
    if len(samples) >= length:
        return samples[:length]
    return np.pad(samples, ((0, length - len(samples)), (0, 0)))


class AudioDataset(IndexedBatches):
    """Audio files and their labels, decoded a batch at a time."""

    def __init__(self, file_paths, labels, label_mode, num_classes, class_names, batch_size, shuffle, seed,
                 sampling_rate, output_sequence_length):
        super().__init__(np.arange(len(file_paths)), batch_size, shuffle, seed)
        self.file_paths, self.labels, self.label_mode = list(file_paths), labels, label_mode
        self.num_classes, self.class_names = num_classes, class_names
        self.sampling_rate, self.output_sequence_length = sampling_rate, output_sequence_length

    def _clip(self, path):
        samples, rate = read_wav(path)
        return _resample(samples, rate, self.sampling_rate)

    def make_batch(self, indices):
        clips = [self._clip(self.file_paths[i]) for i in indices]
        length = self.output_sequence_length or max(len(c) for c in clips)
        channels = {c.shape[1] for c in clips}
        if len(channels) != 1:
            raise ValueError(f"{NAME}: the files of one batch have different numbers of channels {sorted(channels)}")
        audio = np.stack([_fit(c, length) for c in clips])
        if self.label_mode is None:
            return audio
        return audio, encode_labels(self.labels[indices], self.label_mode, self.num_classes)


def audio_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                 sampling_rate=None, output_sequence_length=None, ragged=False, shuffle=True,
                                 seed=None, validation_split=None, subset=None, follow_links=False, verbose=True):
    """A dataset of (audio, labels) batches from ``directory``; see the module docstring."""
    import os

    if not os.path.isdir(directory):
        raise ValueError(f"{NAME}: directory {str(directory)!r} does not exist or is not a folder")
    if ragged:
        raise ValueError(f"{NAME}: ragged=True is not supported (glassnet has no ragged tensors); give "
                         "output_sequence_length, or leave it None to pad each batch to its longest clip")
    for name, value in (("sampling_rate", sampling_rate), ("output_sequence_length", output_sequence_length)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0):
            raise ValueError(f"{NAME}: `{name}` must be a positive integer or None, received {name}={value!r}")
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple, np.ndarray)):
        raise ValueError(f"{NAME}: labels must be 'inferred', None, or a list of integer labels, got {labels!r}")
    if label_mode not in LABEL_MODES:
        raise ValueError(f"{NAME}: label_mode must be one of 'int', 'categorical', 'binary' or None, "
                         f"got {label_mode!r}")
    check_batch_size(batch_size, NAME)
    check_validation_split(validation_split, subset, shuffle, seed, NAME)
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    seed = draw_seed(seed)
    file_paths, labels, class_names = index_directory(directory, labels, class_names, shuffle, seed, follow_links,
                                                      AUDIO_EXTENSIONS, NAME)
    return directory_datasets(
        directory, file_paths, labels, class_names, label_mode, subset, shuffle, validation_split, verbose, NAME,
        ".wav files", lambda paths, part_labels, num_classes, names, shuffled: AudioDataset(
            paths, part_labels, label_mode, num_classes, names, batch_size, shuffled, seed, sampling_rate,
            output_sequence_length))
