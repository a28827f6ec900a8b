"""MelSpectrogram: audio signals to (log-)power spectrograms on the mel scale."""

import numpy as np

from glassnet import ops
from glassnet.autodiff.tensor import Tensor
from glassnet.layers.layer import Layer

MEL_BREAK_FREQUENCY_HERTZ = 700.0
MEL_HIGH_FREQUENCY_Q = 1127.0


def hertz_to_mel(frequencies):
    """The HTK mel scale: m = 1127 ln(1 + f / 700)."""
    return MEL_HIGH_FREQUENCY_Q * np.log(1.0 + np.asarray(frequencies, dtype=np.float64) / MEL_BREAK_FREQUENCY_HERTZ)


def linear_to_mel_weight_matrix(num_mel_bins=20, num_spectrogram_bins=129, sampling_rate=8000, lower_edge_hertz=125.0,
                                upper_edge_hertz=3800.0, dtype="float32"):
    """The (num_spectrogram_bins, num_mel_bins) matrix of triangular mel filters (tf.signal's).

    The edges lower_edge_hertz .. upper_edge_hertz are cut into num_mel_bins + 2 points evenly spaced in
    mels; filter k rises linearly (in mels) from point k to point k + 1 and falls to point k + 2. The
    spectrogram bins are at 0 .. sampling_rate / 2 Hz; the DC bin gets no weight.
    """
    bins_mel = hertz_to_mel(np.linspace(0.0, sampling_rate / 2.0, num_spectrogram_bins)[1:])[:, None]
    edges = np.linspace(hertz_to_mel(lower_edge_hertz), hertz_to_mel(upper_edge_hertz), num_mel_bins + 2)
    lower, center, upper = edges[:-2][None], edges[1:-1][None], edges[2:][None]
    rising = (bins_mel - lower) / (center - lower)
    falling = (upper - bins_mel) / (upper - center)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return np.pad(weights, [(1, 0), (0, 0)]).astype(dtype)


class MelSpectrogram(Layer):
    """(batch, samples) -> (batch, num_mel_bins, frames): |STFT|^mag_exp (Hann-windowed frames of
    ``sequence_length`` samples every ``sequence_stride``, centred, ``fft_length``-point FFT), through the
    mel filters, then with ``power_to_db`` 10 log10(max(S, min_power) / max(|ref_power|, min_power)),
    floored at its maximum (over the whole batch, as Keras) minus ``top_db``. Differentiable.
    """

    def __init__(self, fft_length=2048, sequence_stride=512, sequence_length=None, window="hann", sampling_rate=16000,
                 num_mel_bins=128, min_freq=20.0, max_freq=None, power_to_db=True, top_db=80.0, mag_exp=2.0,
                 min_power=1e-10, ref_power=1.0, **kwargs):
        self.fft_length = fft_length
        self.sequence_stride = sequence_stride
        self.sequence_length = sequence_length or fft_length
        if self.fft_length < self.sequence_length:
            raise ValueError(f"MelSpectrogram: `fft_length` must be >= `sequence_length`, got fft_length="
                             f"{fft_length} and sequence_length={self.sequence_length}")
        self.window, self.sampling_rate, self.num_mel_bins = window, sampling_rate, num_mel_bins
        self.min_freq, self.max_freq = min_freq, max_freq or int(sampling_rate / 2)
        self.power_to_db, self.top_db, self.mag_exp = power_to_db, top_db, mag_exp
        self.min_power, self.ref_power = min_power, ref_power
        super().__init__(**kwargs)

    def call(self, inputs):
        if inputs.dtype.kind != "f" or inputs.dtype != np.float32:
            inputs = Tensor(np.asarray(inputs.data, dtype=np.float32))
        real, imag = ops.stft(inputs, self.sequence_length, self.sequence_stride, self.fft_length,
                              window=self.window, center=True)
        magnitude = ops.sqrt(ops.add(ops.square(real), ops.square(imag)))
        spectrum = ops.power(magnitude, self.mag_exp)
        matrix = linear_to_mel_weight_matrix(self.num_mel_bins, self.fft_length // 2 + 1, self.sampling_rate,
                                             self.min_freq, self.max_freq)
        outputs = ops.tensordot(spectrum, matrix, axes=1)
        if self.power_to_db:
            outputs = self._decibels(outputs)
        return ops.cast(ops.swapaxes(outputs, -1, -2), self.dtype)

    def _decibels(self, power):
        decibels = ops.multiply(10.0, ops.log10(ops.maximum(power, self.min_power)))
        reference = 10.0 * np.log10(max(abs(self.ref_power), self.min_power))
        decibels = ops.subtract(decibels, np.float32(reference))
        if self.top_db is None:
            return decibels
        return ops.maximum(decibels, float(np.max(decibels.data)) - self.top_db)

    def compute_output_shape(self, input_shape):
        frames = (input_shape[-1] + self.sequence_stride + 1) // self.sequence_stride \
            if input_shape[-1] is not None else None
        if len(input_shape) == 1:
            return (self.num_mel_bins, frames)
        return (input_shape[0], self.num_mel_bins, frames)

    def get_config(self):
        config = super().get_config()
        config.update({"fft_length": self.fft_length, "sequence_stride": self.sequence_stride,
                       "sequence_length": self.sequence_length, "window": self.window,
                       "sampling_rate": self.sampling_rate, "num_mel_bins": self.num_mel_bins,
                       "min_freq": self.min_freq, "max_freq": self.max_freq, "power_to_db": self.power_to_db,
                       "top_db": self.top_db, "mag_exp": self.mag_exp, "min_power": self.min_power,
                       "ref_power": self.ref_power})
        return config
