"""Fourier transforms and short-time spectra, as ``keras.ops``: fft, fft2, ifft2, rfft, irfft, stft, istft,
extract_sequences, view_as_complex, view_as_real.

Complex numbers travel as Keras writes them: a ``(real, imag)`` pair of float
tensors of one shape. A discrete Fourier transform is a linear map ``y = F x``
on complex vectors; seen as a real map on (real, imag) pairs, its gradient is
the adjoint ``F^H`` applied to ``g = g_real + i g_imag``:

    fft  over n points:  y_k = sum_t x_t e^{-2 pi i k t / n}     F^H g = n ifft(g)
    ifft over n points:  y_t = 1/n sum_k x_k e^{+2 pi i k t / n}  F^H g = fft(g) / n

rfft keeps the n // 2 + 1 non-negative frequencies of the fft of a real
signal; irfft rebuilds the real signal from them (the other half of the
spectrum is their complex conjugate). ``stft`` cuts the signal into windowed
frames (``extract_sequences``) and takes the rfft of each; ``istft`` takes the
irfft of each frame, windows it again and overlap-adds the frames (the
adjoint of ``extract_sequences``), dividing by the overlap-added squared
window so that ``istft(stft(x)) == x``.
"""

import numpy as np

from glassnet.autodiff.function import Function
from glassnet.autodiff.tensor import Tensor
from glassnet.backend import get_array_module
from glassnet.ops import core, math, shaping
from glassnet.ops._convert import as_input, data_of


def _complex_pair(x, name):
    """The (real, imag) inputs of ``name``, checked: a pair of float tensors of one shape."""
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"{name} expects x as a tuple (real, imag) of two float tensors, got {type(x).__name__}")
    real, imag = as_input(x[0]), as_input(x[1])
    real_shape, imag_shape = np.shape(data_of(real)), np.shape(data_of(imag))
    if real_shape != imag_shape:
        raise ValueError(f"{name}: the real and imaginary parts must have the same shape, got {real_shape} "
                         f"and {imag_shape}")
    for part in (real, imag):
        if np.dtype(_dtype(part)).kind != "f":
            raise ValueError(f"{name}: the real and imaginary parts must be float tensors, got {_dtype(part)}")
    return real, imag


def _dtype(x):
    data = data_of(x)
    return data.dtype if hasattr(data, "dtype") else np.asarray(data).dtype


def _check_rank(shape, rank, name):
    if len(shape) < rank:
        raise ValueError(f"{name} expects inputs of rank >= {rank}, got shape {tuple(shape)}")


class FourierTransform(Function):
    """y = F x over ``axes`` (the fft, or with ``inverse`` the ifft);  dx = F^H dy (n ifft, or fft / n)"""

    def __init__(self, axes, inverse=False):
        self.axes, self.inverse = axes, inverse

    def _transform(self, z, inverse):
        xp = get_array_module(z)
        return xp.fft.ifftn(z, axes=self.axes) if inverse else xp.fft.fftn(z, axes=self.axes)

    def forward(self, real, imag):
        dtype = np.result_type(real.dtype, imag.dtype)
        y = self._transform(real + 1j * imag, self.inverse)
        return y.real.astype(dtype), y.imag.astype(dtype)

    def backward(self, grads):
        g_real, g_imag = grads
        n = int(np.prod([g_real.shape[a] for a in self.axes]))
        g = self._transform(g_real + 1j * g_imag, not self.inverse)
        g = g / n if self.inverse else g * n
        return g.real.astype(g_real.dtype), g.imag.astype(g_imag.dtype)


class RealFourierTransform(Function):
    """y = rfft(x, n) (the first n // 2 + 1 terms of fft(x cropped or zero-padded to n));
    dx = Re(n ifft(dy zero-padded to n)), cropped or padded back to len(x)"""

    def __init__(self, n):
        self.n = n

    def forward(self, x):
        self.length = x.shape[-1]
        y = get_array_module(x).fft.rfft(x, n=self.n, axis=-1)
        return y.real.astype(x.dtype), y.imag.astype(x.dtype)

    def backward(self, grads):
        g_real, g_imag = grads
        xp = get_array_module(g_real)
        full = xp.fft.ifft(g_real + 1j * g_imag, n=self.n, axis=-1).real * self.n
        return _fit_last_axis(full, self.length).astype(g_real.dtype)


class InverseRealFourierTransform(Function):
    """x = irfft(y, n): the real signal whose rfft is y (cropped or zero-padded to n // 2 + 1 terms);
    dy_k = c_k / n rfft(dx)_k with c_k = 1 at frequency 0 and n / 2, else 2 (the mirrored half)"""

    def __init__(self, n):
        self.n = n

    def forward(self, real, imag):
        dtype = np.result_type(real.dtype, imag.dtype)
        self.length = real.shape[-1]
        return get_array_module(real).fft.irfft(real + 1j * imag, n=self.n, axis=-1).astype(dtype)

    def backward(self, gx):
        xp = get_array_module(gx)
        g = xp.fft.rfft(gx, axis=-1)
        weights = xp.full(g.shape[-1], 2.0 / self.n)
        weights[0] = 1.0 / self.n
        if self.n % 2 == 0:
            weights[-1] = 1.0 / self.n
        g = _fit_last_axis(g * weights, self.length)
        return g.real.astype(gx.dtype), g.imag.astype(gx.dtype)


def _fit_last_axis(a, length):
    """``a`` cropped or zero-padded on the last axis to ``length``."""
    if a.shape[-1] >= length:
        return a[..., :length]
    widths = [(0, 0)] * (a.ndim - 1) + [(0, length - a.shape[-1])]
    return get_array_module(a).pad(a, widths)


class ExtractSequences(Function):
    """y[..., i, j] = x[..., i * stride + j];  dx = the frames of dy added back where they came from"""

    def __init__(self, length, stride):
        self.length, self.stride = length, stride

    def forward(self, x):
        self.size = x.shape[-1]
        count = (self.size - self.length) // self.stride + 1
        starts = np.arange(count)[:, None] * self.stride + np.arange(self.length)
        return x[..., starts]

    def backward(self, gy):
        return _overlap_add(gy, self.stride, self.size)


class OverlapAdd(Function):
    """y[..., t] = sum over frames i of x[..., i, t - i * stride];  dx = extract_sequences(dy)"""

    def __init__(self, stride):
        self.stride = stride

    def forward(self, x):
        self.length = x.shape[-1]
        return _overlap_add(x, self.stride, (x.shape[-2] - 1) * self.stride + self.length)

    def backward(self, gy):
        count = (gy.shape[-1] - self.length) // self.stride + 1
        starts = np.arange(count)[:, None] * self.stride + np.arange(self.length)
        return gy[..., starts]


def _overlap_add(frames, stride, size):
    """Add (..., count, length) frames into a (..., size) signal, frame i starting at i * stride."""
    xp = get_array_module(frames)
    count, length = frames.shape[-2:]
    out = xp.zeros(frames.shape[:-2] + (size,), dtype=frames.dtype)
    for offset in range(length):  # one vectorised addition per position inside a frame
        stop = offset + (count - 1) * stride + 1
        out[..., offset:stop:stride] += frames[..., offset]
    return out


# --- the keras.ops functions ----------------------------------------------------


def fft(x):
    """Fast Fourier transform along the last axis of ``x = (real, imag)``; returns (real, imag)."""
    real, imag = _complex_pair(x, "fft")
    _check_rank(np.shape(data_of(real)), 1, "fft")
    return FourierTransform.apply(real, imag, axes=(-1,))


def fft2(x):
    """2-D fast Fourier transform over the last two axes of ``x = (real, imag)``; returns (real, imag)."""
    real, imag = _complex_pair(x, "fft2")
    _check_rank(np.shape(data_of(real)), 2, "fft2")
    return FourierTransform.apply(real, imag, axes=(-2, -1))


def ifft2(x):
    """2-D inverse fast Fourier transform over the last two axes of ``x = (real, imag)``."""
    real, imag = _complex_pair(x, "ifft2")
    _check_rank(np.shape(data_of(real)), 2, "ifft2")
    return FourierTransform.apply(real, imag, axes=(-2, -1), inverse=True)


def _float_input(x, name, allowed=None):
    """``x`` as an op input; integer inputs become float32, or raise when only ``allowed`` dtypes are."""
    x = as_input(x)
    dtype = np.dtype(_dtype(x))
    if allowed is not None and dtype.name not in allowed:
        raise TypeError(f"{name} expects a float32 or float64 input, got {dtype}")
    if dtype.kind != "f":
        x = core.cast(x, "float32") if isinstance(x, Tensor) else np.asarray(data_of(x), dtype="float32")
    return x


def _fft_length(value, name):
    if value is None:
        return None
    if not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name}: fft_length must be a positive integer or None, got {value!r}")
    return int(value)


def rfft(x, fft_length=None):
    """FFT of a real signal along the last axis: the fft_length // 2 + 1 non-negative frequencies.

    ``fft_length`` (default: the last axis' length) crops or zero-pads the signal first.
    """
    x = _float_input(x, "rfft")
    _check_rank(np.shape(data_of(x)), 1, "rfft")
    n = _fft_length(fft_length, "rfft") or np.shape(data_of(x))[-1]
    return RealFourierTransform.apply(x, n=n)


def irfft(x, fft_length=None):
    """Inverse of ``rfft``: the real signal of ``fft_length`` samples (default 2 * (last axis - 1))."""
    real, imag = _complex_pair(x, "irfft")
    _check_rank(np.shape(data_of(real)), 1, "irfft")
    n = _fft_length(fft_length, "irfft") or 2 * (np.shape(data_of(real))[-1] - 1)
    if n <= 0:
        raise ValueError(f"irfft: cannot infer fft_length from a last axis of {np.shape(data_of(real))[-1]}; "
                         "pass fft_length")
    return InverseRealFourierTransform.apply(real, imag, n=n)


def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of ``sequence_length`` along the last axis, every ``sequence_stride``: (..., count, length)."""
    x = as_input(x)
    shape = np.shape(data_of(x))
    _check_rank(shape, 1, "extract_sequences")
    for value, name in ((sequence_length, "sequence_length"), (sequence_stride, "sequence_stride")):
        if not isinstance(value, (int, np.integer)) or value <= 0:
            raise ValueError(f"extract_sequences: {name} must be a positive integer, got {value!r}")
    if sequence_length > shape[-1]:
        raise ValueError(f"extract_sequences: sequence_length {sequence_length} is longer than the last axis "
                         f"of the input, shape {shape}")
    return ExtractSequences.apply(x, length=int(sequence_length), stride=int(sequence_stride))


def _window(window, sequence_length, fft_length, dtype, name):
    """The analysis window, zero-padded on both sides to ``fft_length`` (None: all ones)."""
    if window is None:
        return np.ones(fft_length, dtype=dtype)
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError(f"{name}: window must be 'hann', 'hamming', a tensor or None, got {window!r}")
        a0 = 0.5 if window == "hann" else 0.54  # periodic windows: a0 - (1 - a0) cos(2 pi t / N)
        window = a0 - (1.0 - a0) * np.cos(2.0 * np.pi * np.arange(sequence_length) / sequence_length)
    window = np.asarray(data_of(window), dtype=dtype)
    if window.shape != (sequence_length,):
        raise ValueError(f"{name}: window must have shape ({sequence_length},) (sequence_length), "
                         f"got {window.shape}")
    left = (fft_length - sequence_length) // 2
    return np.pad(window, (left, fft_length - sequence_length - left))


def _check_stft_args(sequence_length, sequence_stride, fft_length, name):
    if not isinstance(sequence_stride, (int, np.integer)) or sequence_stride <= 0:
        raise ValueError(f"{name}: sequence_stride must be a positive integer, got {sequence_stride!r}")
    if not isinstance(sequence_length, (int, np.integer)) or sequence_length <= 0:
        raise ValueError(f"{name}: sequence_length must be a positive integer, got {sequence_length!r}")
    if not isinstance(fft_length, (int, np.integer)) or fft_length < sequence_length:
        raise ValueError(f"{name}: fft_length must be an integer >= sequence_length ({sequence_length}), "
                         f"got {fft_length!r}")


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform along the last axis: (real, imag) of shape (..., frames, fft_length // 2 + 1).

    Frame t covers samples [t * stride, t * stride + fft_length) of the signal, reflect-padded by
    fft_length // 2 on both sides when ``center``; it is multiplied by the window (centred in
    fft_length) and rfft-transformed.
    """
    _check_stft_args(sequence_length, sequence_stride, fft_length, "stft")
    x = _float_input(x, "stft", allowed=("float32", "float64"))
    _check_rank(np.shape(data_of(x)), 1, "stft")
    win = _window(window, sequence_length, fft_length, _dtype(x), "stft")
    if center:
        widths = [(0, 0)] * (len(np.shape(data_of(x))) - 1) + [(fft_length // 2, fft_length // 2)]
        x = shaping.pad(x, widths, mode="reflect")
    frames = extract_sequences(x, fft_length, sequence_stride)
    return rfft(math.multiply(frames, win), fft_length)


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann", center=True):
    """Inverse of ``stft``: each frame's irfft, windowed, overlap-added and divided by the
    overlap-added squared window (where it is not ~0), so that ``istft(stft(x)) == x``.

    With ``window=None`` the frames are added and divided by how many overlap, times
    fft_length / stride. ``center`` drops the fft_length // 2 padded samples at each end;
    ``length`` keeps that many samples from there.
    """
    _check_stft_args(sequence_length, sequence_stride, fft_length, "istft")
    real, imag = _complex_pair(x, "istft")
    shape = np.shape(data_of(real))
    _check_rank(shape, 2, "istft")
    dtype = np.result_type(_dtype(real), _dtype(imag))
    win = _window(window, sequence_length, fft_length, dtype, "istft")
    frames = irfft((real, imag), fft_length)
    size = (shape[-2] - 1) * sequence_stride + fft_length
    envelope = _overlap_add(np.broadcast_to(win * win, (shape[-2], fft_length)), sequence_stride, size)
    if window is None:
        envelope = envelope * (sequence_stride / fft_length)
    envelope = np.where(envelope > 1e-10, envelope, 1.0).astype(dtype)
    signal = math.divide(OverlapAdd.apply(math.multiply(frames, win), stride=int(sequence_stride)), envelope)
    start = fft_length // 2 if center else 0
    if length is not None:
        stop = start + int(length)
    else:
        stop = size - fft_length // 2 if center else size
    return shaping.get_item(signal, (Ellipsis, slice(start, stop)))


def view_as_complex(x):
    """(..., 2) real tensor -> complex64 tensor of shape (...): x[..., 0] + i x[..., 1] (not differentiable)."""
    data = np.asarray(data_of(as_input(x)))
    if data.ndim < 1 or data.shape[-1] != 2:
        raise ValueError(f"view_as_complex expects a last dimension of size 2 (real, imag), got shape {data.shape}")
    return Tensor((data[..., 0] + 1j * data[..., 1]).astype("complex64"))


def view_as_real(x):
    """Complex tensor -> real tensor of shape (..., 2) holding (real, imag) (not differentiable)."""
    data = np.asarray(data_of(as_input(x)))
    xp = get_array_module(data)
    return Tensor(xp.stack((data.real, data.imag), axis=-1))
