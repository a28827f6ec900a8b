"""ops.fft, fft2, ifft2, rfft, irfft, stft, istft, extract_sequences, view_as_complex / view_as_real:
values against NumPy (np.fft) and Keras 3 (torch backend), dtypes and shapes, float64 gradient checks."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported

from glassnet import ops
from glassnet.autodiff import Tensor, gradcheck

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")

RNG = np.random.default_rng(5)
RE = RNG.standard_normal((2, 3, 6)).astype("float32")
IM = RNG.standard_normal((2, 3, 6)).astype("float32")
SIGNAL = RNG.standard_normal((2, 21)).astype("float32")


def numpy_of(result):
    return tuple(np.asarray(ops.convert_to_numpy(r)) for r in result) if isinstance(result, tuple) else (
        np.asarray(ops.convert_to_numpy(result)),)


# --- against NumPy --------------------------------------------------------------

NUMPY_CASES = [
    ("fft", lambda o: o.fft((RE, IM)), lambda: np.fft.fft(RE + 1j * IM)),
    ("fft2", lambda o: o.fft2((RE, IM)), lambda: np.fft.fft2(RE + 1j * IM)),
    ("ifft2", lambda o: o.ifft2((RE, IM)), lambda: np.fft.ifft2(RE + 1j * IM)),
    ("rfft", lambda o: o.rfft(RE), lambda: np.fft.rfft(RE)),
    ("rfft_pad", lambda o: o.rfft(RE, 9), lambda: np.fft.rfft(RE, 9)),
    ("rfft_crop", lambda o: o.rfft(RE, 4), lambda: np.fft.rfft(RE, 4)),
    ("irfft", lambda o: o.irfft((RE, IM)), lambda: np.fft.irfft(RE + 1j * IM)),
    ("irfft_odd", lambda o: o.irfft((RE, IM), 11), lambda: np.fft.irfft(RE + 1j * IM, 11)),
    ("irfft_crop", lambda o: o.irfft((RE, IM), 6), lambda: np.fft.irfft(RE + 1j * IM, 6)),
]


@pytest.mark.parametrize("name, ours, numpy", NUMPY_CASES, ids=[c[0] for c in NUMPY_CASES])
def test_matches_numpy_fft(name, ours, numpy):
    got, expected = numpy_of(ours(ops)), numpy()
    parts = (expected.real, expected.imag) if np.iscomplexobj(expected) else (expected,)
    assert len(got) == len(parts)
    for g, e in zip(got, parts):
        assert g.dtype == np.float32 and g.shape == e.shape
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-4)


def test_float64_stays_float64_and_ints_become_float32():
    real, imag = ops.fft((RE.astype("float64"), IM.astype("float64")))
    assert real.dtype == np.float64 and imag.dtype == np.float64
    assert ops.rfft(np.arange(6))[0].dtype == np.float32
    assert ops.stft(SIGNAL.astype("float64"), 8, 2, 8)[0].dtype == np.float64


def test_extract_sequences_matches_a_sliding_window():
    x = np.arange(24).reshape(2, 12)
    got = ops.convert_to_numpy(ops.extract_sequences(x, 5, 3))
    expected = np.lib.stride_tricks.sliding_window_view(x, 5, axis=-1)[:, ::3]
    assert got.dtype == x.dtype
    np.testing.assert_array_equal(got, expected)


# --- against Keras ----------------------------------------------------------------

WINDOW = RNG.uniform(0.5, 1.5, 6).astype("float32")
KERAS_CASES = [
    ("fft", lambda o: o.fft((RE, IM))),
    ("fft2", lambda o: o.fft2((RE, IM))),
    ("ifft2", lambda o: o.ifft2((RE, IM))),
    ("rfft", lambda o: o.rfft(RE)),
    ("rfft_length", lambda o: o.rfft(RE, 8)),
    ("irfft", lambda o: o.irfft((RE, IM))),
    ("irfft_length", lambda o: o.irfft((RE, IM), 9)),
    ("extract_sequences", lambda o: o.extract_sequences(SIGNAL, 4, 3)),
    ("stft_hann", lambda o: o.stft(SIGNAL, 8, 3, 8)),
    ("stft_hamming_longer_fft", lambda o: o.stft(SIGNAL, 6, 2, 9, window="hamming")),
    ("stft_no_window_not_centred", lambda o: o.stft(SIGNAL, 8, 2, 8, window=None, center=False)),
    ("stft_tensor_window", lambda o: o.stft(SIGNAL, 6, 4, 6, window=WINDOW)),
    ("istft_hann", lambda o: o.istft(o.stft(SIGNAL, 8, 2, 8), 8, 2, 8)),
    ("istft_hamming_length", lambda o: o.istft(o.stft(SIGNAL, 8, 3, 8, window="hamming"), 8, 3, 8, length=15,
                                                   window="hamming")),
    ("view_as_complex", lambda o: o.view_as_complex(np.stack([RE, IM], -1))),
    ("view_as_real", lambda o: o.view_as_real(RE + 1j * IM)),
]


@pytest.mark.parametrize("name, call", KERAS_CASES, ids=[c[0] for c in KERAS_CASES])
def test_matches_keras(name, call):
    keras = pytest.importorskip("keras")
    theirs = call(keras.ops)
    theirs = tuple(keras.ops.convert_to_numpy(t) for t in theirs) if isinstance(theirs, tuple) else (
        keras.ops.convert_to_numpy(theirs),)
    ours = numpy_of(call(ops))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a.shape == b.shape and a.dtype == b.dtype, f"{name}: {a.shape} {a.dtype} vs Keras {b.shape} {b.dtype}"
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


def test_stft_without_window_transforms_whole_fft_length_frames():
    """window=None: Keras' NumPy and JAX backends take every frame's fft_length samples unwindowed (its torch
    backend keeps sequence_length of them); we follow NumPy and JAX."""
    frames = np.lib.stride_tricks.sliding_window_view(SIGNAL, 8, axis=-1)[:, ::3]
    expected = np.fft.rfft(frames)
    real, imag = numpy_of(ops.stft(SIGNAL, 5, 3, 8, window=None, center=False))
    np.testing.assert_allclose(real, expected.real, atol=1e-5)
    np.testing.assert_allclose(imag, expected.imag, atol=1e-5)


ROUND_TRIPS = [(8, 2, 8, "hann", True), (6, 2, 8, "hann", True), (8, 3, 8, "hamming", False),
               (7, 3, 8, "hann", True)]


@pytest.mark.parametrize("length, stride, fft_length, window, center", ROUND_TRIPS)
def test_istft_inverts_stft(length, stride, fft_length, window, center):
    spectrum = ops.stft(SIGNAL, length, stride, fft_length, window=window, center=center)
    back = ops.convert_to_numpy(ops.istft(spectrum, length, stride, fft_length, window=window, center=center))
    assert back.dtype == np.float32
    np.testing.assert_allclose(back, SIGNAL[:, :back.shape[-1]], atol=1e-5)


@pytest.mark.parametrize("length, stride, fft_length, window, center",
                         [*ROUND_TRIPS, (8, 2, 8, None, True), (5, 2, 8, None, False)])
def test_istft_matches_keras_numpy_backend_scipy(length, stride, fft_length, window, center):
    """Keras' NumPy backend: scipy.signal.istft with the window centred in fft_length, rescaled."""
    signal = pytest.importorskip("scipy.signal")
    spectrum = [np.asarray(ops.convert_to_numpy(p), "float64") for p in
                ops.stft(SIGNAL.astype("float64"), length, stride, fft_length, window=window, center=center)]
    if window is None:
        win = np.ones(fft_length)
    else:
        win = np.pad(signal.get_window(window, length), ((fft_length - length) // 2, (fft_length - length + 1) // 2))
    _, expected = signal.istft(spectrum[0] + 1j * spectrum[1], window=win, nperseg=fft_length,
                               noverlap=fft_length - stride, nfft=fft_length, boundary=False, time_axis=-2,
                               freq_axis=-1)
    expected = expected / (win.sum() if window is not None else stride)
    if center:
        expected = expected[..., fft_length // 2:-(fft_length // 2)]
    ours = ops.convert_to_numpy(ops.istft(spectrum, length, stride, fft_length, window=window, center=center))
    np.testing.assert_allclose(ours, expected, atol=1e-10)


# --- gradients --------------------------------------------------------------------


def normal(*shape):
    return RNG.standard_normal(shape)


GRADIENT_CASES = [
    ("fft", lambda r, i: ops.fft((r, i)), [normal(2, 5), normal(2, 5)]),
    ("fft2", lambda r, i: ops.fft2((r, i)), [normal(3, 4), normal(3, 4)]),
    ("ifft2", lambda r, i: ops.ifft2((r, i)), [normal(2, 3, 3), normal(2, 3, 3)]),
    ("fft_real_part_only", lambda r, i: ops.fft((r, i))[0], [normal(4), normal(4)]),
    ("rfft", lambda x: ops.rfft(x), [normal(2, 6)]),
    ("rfft_odd_padded", lambda x: ops.rfft(x, 7), [normal(5)]),
    ("rfft_cropped", lambda x: ops.rfft(x, 4), [normal(6)]),
    ("irfft", lambda r, i: ops.irfft((r, i)), [normal(2, 4), normal(2, 4)]),
    ("irfft_odd", lambda r, i: ops.irfft((r, i), 7), [normal(4), normal(4)]),
    ("irfft_padded", lambda r, i: ops.irfft((r, i), 10), [normal(3), normal(3)]),
    ("extract_sequences", lambda x: ops.extract_sequences(x, 3, 2), [normal(2, 8)]),
    ("stft", lambda x: ops.stft(x, 4, 2, 6), [normal(11)]),
    ("istft", lambda r, i: ops.istft((r, i), 6, 2, 6), [normal(5, 4), normal(5, 4)]),
    ("istft_no_window", lambda r, i: ops.istft((r, i), 4, 2, 4, window=None, center=False),
     [normal(4, 3), normal(4, 3)]),
]


@pytest.mark.parametrize("name, fn, inputs", GRADIENT_CASES, ids=[c[0] for c in GRADIENT_CASES])
def test_gradcheck(name, fn, inputs):
    assert gradcheck(fn, inputs)


@pytest.mark.parametrize("name, fn, inputs", GRADIENT_CASES, ids=[c[0] for c in GRADIENT_CASES])
def test_float32_gradients(name, fn, inputs):
    tensors = [Tensor(np.asarray(a, "float32"), requires_grad=True) for a in inputs]
    out = fn(*tensors)
    outs = out if isinstance(out, tuple) else (out,)
    total = ops.sum(outs[0])
    for extra in outs[1:]:
        total = total + ops.sum(extra)
    total.backward()
    for t in tensors:
        assert t.grad is not None and t.grad.dtype == np.float32 and t.grad.shape == t.shape, name


def test_fft_gradient_matches_torch():
    torch = pytest.importorskip("torch")
    re, im = normal(3, 5), normal(3, 5)
    weight_re, weight_im = normal(3, 5), normal(3, 5)
    tr = torch.tensor(re, requires_grad=True)
    ti = torch.tensor(im, requires_grad=True)
    y = torch.fft.fft(torch.complex(tr, ti))
    (y.real * torch.tensor(weight_re) + y.imag * torch.tensor(weight_im)).sum().backward()
    gr, gi = Tensor(re, requires_grad=True), Tensor(im, requires_grad=True)
    yr, yi = ops.fft((gr, gi))
    ops.sum(yr * weight_re + yi * weight_im).backward()
    np.testing.assert_allclose(gr.grad, tr.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(gi.grad, ti.grad.numpy(), atol=1e-10)


# --- bad input ------------------------------------------------------------------


def test_bad_input_errors_say_what_was_expected():
    with pytest.raises(ValueError, match="tuple \\(real, imag\\)"):
        ops.fft(RE)
    with pytest.raises(ValueError, match="same shape"):
        ops.fft((RE, IM[..., :3]))
    with pytest.raises(ValueError, match="float tensors"):
        ops.fft((np.ones(3, "int32"), np.ones(3, "int32")))
    with pytest.raises(ValueError, match="rank >= 2"):
        ops.fft2((RE[0, 0], IM[0, 0]))
    with pytest.raises(TypeError, match="float32 or float64"):
        ops.stft(np.ones(10, "int32"), 4, 2, 4)
    with pytest.raises(ValueError, match="sequence_stride"):
        ops.stft(SIGNAL, 4, 0, 4)
    with pytest.raises(ValueError, match="fft_length"):
        ops.stft(SIGNAL, 8, 2, 4)
    with pytest.raises(ValueError, match="window"):
        ops.stft(SIGNAL, 4, 2, 4, window="blackman")
    with pytest.raises(ValueError, match="last dimension of size 2"):
        ops.view_as_complex(np.ones((3, 3)))
