"""STFTSpectrogram: signals to spectrograms by a convolution with (trainable) Fourier kernels."""

import math
import warnings

from glassnet import initializers, ops
from glassnet.layers.layer import Layer

MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


class STFTSpectrogram(Layer):
    """(batch, time, channels) -> (batch, frames, channels * bins) (or (batch, frames, bins, channels) with
    ``expand_dims``), as Keras: each channel is convolved (stride ``frame_step``, default frame_length // 2)
    with the real and imaginary STFT kernels of ``initializers.STFT`` (windowed cosines and sines of
    ``fft_length`` // 2 + 1 frequencies, scaled by ``scaling``), which start as the Fourier transform and
    are trainable weights.

    ``mode``: "real", "imag", "stft" (both, concatenated), "angle" = atan2(imag, real),
    "magnitude" = sqrt(max(re^2 + im^2, epsilon)), "log" = log(max(magnitude, epsilon)) and "psd" =
    re^2 + im^2 with the inner bins doubled (a one-sided power spectral density).
    """

    def __init__(self, mode="log", frame_length=256, frame_step=None, fft_length=None, window="hann", periodic=False,
                 scaling="density", padding="valid", expand_dims=False, data_format=None, **kwargs):
        if frame_step is not None and (frame_step > frame_length or frame_step < 1):
            raise ValueError(f"STFTSpectrogram: `frame_step` must be a positive integer not greater than "
                             f"`frame_length`, got frame_step={frame_step}, frame_length={frame_length}")
        if fft_length is not None and fft_length < frame_length:
            raise ValueError(f"STFTSpectrogram: `fft_length` must be at least `frame_length`, got fft_length="
                             f"{fft_length}, frame_length={frame_length}")
        if fft_length is not None and (fft_length & -fft_length) != fft_length:
            warnings.warn(f"`fft_length` is recommended to be a power of two. Received fft_length={fft_length}")
        if mode not in MODES:
            raise ValueError(f"STFTSpectrogram: `mode` must be one of {', '.join(MODES)}, got mode={mode!r}")
        if scaling not in (None, "density", "spectrum"):
            raise ValueError(f"STFTSpectrogram: `scaling` must be None, 'density' or 'spectrum', got {scaling!r}")
        if padding not in ("valid", "same"):
            raise ValueError(f"STFTSpectrogram: `padding` must be 'valid' or 'same', got padding={padding!r}")
        super().__init__(**kwargs)
        from glassnet import config

        self.mode, self.frame_length, self.frame_step, self.fft_length = mode, frame_length, frame_step, fft_length
        self._frame_step = frame_step or frame_length // 2
        self._fft_length = fft_length or 2 ** math.ceil(math.log2(frame_length))
        self.window, self.periodic, self.scaling, self.padding = window, periodic, scaling, padding
        self.expand_dims = expand_dims
        self.data_format = data_format or config.image_data_format()

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"STFTSpectrogram '{self.name}' expects inputs of rank 3 (batch, time, channels), "
                             f"got shape {tuple(input_shape)}")
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)
        if self.mode != "imag":
            self.real_kernel = self.add_weight(shape=shape, name="real_kernel", initializer=initializers.STFT(
                "real", self.window, self.scaling, self.periodic))
        if self.mode != "real":
            self.imag_kernel = self.add_weight(shape=shape, name="imag_kernel", initializer=initializers.STFT(
                "imag", self.window, self.scaling, self.periodic))
        self.built = True

    def _convolve(self, signals, kernel):
        """(batch * channels, time, 1) signals -> (batch, channels, bins, frames)."""
        batch, channels = self._batch_channels
        out = ops.nn.conv(signals, kernel, strides=self._frame_step, padding=self.padding, data_format="channels_last")
        out = ops.transpose(out, (0, 2, 1))
        return ops.reshape(out, (batch, channels) + tuple(out.shape[1:]))

    def _arrange(self, outputs):
        batch, channels, bins, frames = outputs.shape
        if self.data_format == "channels_last":
            if self.expand_dims:
                return ops.transpose(outputs, (0, 3, 2, 1))
            return ops.transpose(ops.reshape(outputs, (batch, channels * bins, frames)), (0, 2, 1))
        if self.expand_dims:
            return ops.transpose(outputs, (0, 1, 3, 2))
        return ops.reshape(outputs, (batch, channels * bins, frames))

    def call(self, inputs):
        if inputs.dtype.kind != "f":
            raise TypeError(f"STFTSpectrogram '{self.name}' expects float inputs, got dtype {inputs.dtype}")
        if self.data_format == "channels_last":
            batch, time, channels = inputs.shape
            signals = ops.reshape(ops.transpose(inputs, (0, 2, 1)), (-1, time, 1))
        else:
            batch, channels, time = inputs.shape
            signals = ops.reshape(inputs, (-1, time, 1))
        self._batch_channels = (batch, channels)
        real = self._convolve(signals, self.real_kernel) if self.mode != "imag" else None
        imag = self._convolve(signals, self.imag_kernel) if self.mode != "real" else None
        if self.mode in ("real", "imag"):
            return self._arrange(real if self.mode == "real" else imag)
        if self.mode == "angle":
            return self._arrange(ops.arctan2(imag, real))
        if self.mode == "stft":
            return self._arrange(ops.concatenate([real, imag], axis=2))
        power = ops.add(ops.square(real), ops.square(imag))
        if self.mode == "psd":
            inner = ops.pad(power[:, :, 1:-1, :], [[0, 0], [0, 0], [1, 1], [0, 0]])
            return self._arrange(ops.add(power, inner))
        from glassnet import config

        magnitude = self._arrange(ops.sqrt(ops.maximum(power, config.epsilon())))
        if self.mode == "magnitude":
            return magnitude
        return ops.log(ops.maximum(magnitude, config.epsilon()))

    def compute_output_shape(self, input_shape):
        channels = input_shape[-1] if self.data_format == "channels_last" else input_shape[1]
        time = input_shape[1] if self.data_format == "channels_last" else input_shape[-1]
        bins = (self._fft_length // 2 + 1) * (2 if self.mode == "stft" else 1)
        if time is None:
            frames = None
        elif self.padding == "same":
            frames = -(-time // self._frame_step)
        else:
            frames = (time - self.frame_length) // self._frame_step + 1
        if self.expand_dims:
            return ((input_shape[0], frames, bins, channels) if self.data_format == "channels_last"
                    else (input_shape[0], channels, frames, bins))
        return ((input_shape[0], frames, bins * channels) if self.data_format == "channels_last"
                else (input_shape[0], bins * channels, frames))

    def get_config(self):
        config = super().get_config()
        config.update({"mode": self.mode, "frame_length": self.frame_length, "frame_step": self.frame_step,
                       "fft_length": self.fft_length, "window": self.window, "periodic": self.periodic,
                       "scaling": self.scaling, "padding": self.padding, "data_format": self.data_format,
                       "expand_dims": self.expand_dims})
        return config
