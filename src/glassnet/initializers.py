"""Weight initializers with Keras' names and defaults.

Kernels default to ``glorot_uniform`` (U(-l, l), l = sqrt(6 / (fan_in +
fan_out))) and biases to ``zeros``. Fans follow Keras: for a kernel of shape
(..., in, out) the receptive field (the product of the leading axes)
multiplies both fan_in = in * field and fan_out = out * field.
"""

import math

import numpy as np

from glassnet import config
from glassnet.random import make_generator
from glassnet.utils.registry import lookup


def compute_fans(shape):
    """Return (fan_in, fan_out) for a weight shape, as Keras computes them."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    field = math.prod(shape[:-2])
    return shape[-2] * field, shape[-1] * field


class Initializer:
    """Base class: ``init(shape, dtype)`` returns a NumPy array."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        """Create from ``get_config()``; Keras 3's unused ``input_axes``/``output_axes`` (None) are accepted."""
        config = {k: v for k, v in config.items() if not (k in ("input_axes", "output_axes") and v is None)}
        return cls(**config)


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None):
        return np.zeros(shape, dtype=dtype or config.floatx())


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        return np.ones(shape, dtype=dtype or config.floatx())


class Constant(Initializer):
    """Every value equal to ``value``."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return np.full(shape, self.value, dtype=dtype or config.floatx())

    def get_config(self):
        return {"value": self.value}


class _Random(Initializer):
    """An initializer that draws numbers; ``seed`` makes it repeat on its own."""

    def __init__(self, seed=None):
        self.seed = seed

    def _generator(self):
        return make_generator(self.seed)

    def get_config(self):
        return {"seed": self.seed}


class RandomNormal(_Random):
    """N(mean, stddev^2); Keras defaults mean 0, stddev 0.05."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        values = self._generator().normal(self.mean, self.stddev, size=shape)
        return values.astype(dtype or config.floatx())

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(_Random):
    """U(minval, maxval); Keras defaults -0.05, 0.05."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        values = self._generator().uniform(self.minval, self.maxval, size=shape)
        return values.astype(dtype or config.floatx())

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


def _truncated_normal(generator, mean, stddev, shape):
    """Normal values, those beyond two standard deviations redrawn."""
    values = generator.normal(0.0, 1.0, size=shape)
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = generator.normal(0.0, 1.0, size=int(outside.sum()))
        outside = np.abs(values) > 2.0
    return mean + stddev * values


class TruncatedNormal(_Random):
    """N(mean, stddev^2) truncated at two standard deviations; defaults 0, 0.05."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        values = _truncated_normal(self._generator(), self.mean, self.stddev, shape)
        return values.astype(dtype or config.floatx())

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class VarianceScaling(_Random):
    """Values with variance ``scale / n``, n = fan_in, fan_out or their mean (by ``mode``).

    distribution "truncated_normal": stddev = sqrt(scale / n) / 0.87962566 (the
    truncation's correction); "untruncated_normal": stddev = sqrt(scale / n);
    "uniform": U(-l, l) with l = sqrt(3 scale / n).
    """

    MODES = ("fan_in", "fan_out", "fan_avg")
    DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        if scale <= 0:
            raise ValueError(f"VarianceScaling: scale must be positive, got {scale}")
        if mode not in self.MODES:
            raise ValueError(f"VarianceScaling: mode must be one of {self.MODES}, got {mode!r}")
        if distribution not in self.DISTRIBUTIONS:
            raise ValueError(
                f"VarianceScaling: distribution must be one of {self.DISTRIBUTIONS}, got {distribution!r}"
            )
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)
        generator = self._generator()
        if self.distribution == "truncated_normal":
            values = _truncated_normal(generator, 0.0, math.sqrt(variance) / 0.87962566103423978, shape)
        elif self.distribution == "untruncated_normal":
            values = generator.normal(0.0, math.sqrt(variance), size=shape)
        else:
            limit = math.sqrt(3.0 * variance)
            values = generator.uniform(-limit, limit, size=shape)
        return values.astype(dtype or config.floatx())

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


def _variance_scaling_family(name, scale, mode, distribution, doc):
    def __init__(self, seed=None):
        VarianceScaling.__init__(self, scale=scale, mode=mode, distribution=distribution, seed=seed)

    def get_config(self):
        return {"seed": self.seed}

    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config, "__doc__": doc})


GlorotUniform = _variance_scaling_family(
    "GlorotUniform", 1.0, "fan_avg", "uniform", "U(-l, l), l = sqrt(6 / (fan_in + fan_out)).")
GlorotNormal = _variance_scaling_family(
    "GlorotNormal", 1.0, "fan_avg", "truncated_normal", "Truncated normal, stddev sqrt(2 / (fan_in + fan_out)).")
HeUniform = _variance_scaling_family(
    "HeUniform", 2.0, "fan_in", "uniform", "U(-l, l), l = sqrt(6 / fan_in).")
HeNormal = _variance_scaling_family(
    "HeNormal", 2.0, "fan_in", "truncated_normal", "Truncated normal, stddev sqrt(2 / fan_in).")
LecunUniform = _variance_scaling_family(
    "LecunUniform", 1.0, "fan_in", "uniform", "U(-l, l), l = sqrt(3 / fan_in).")
LecunNormal = _variance_scaling_family(
    "LecunNormal", 1.0, "fan_in", "truncated_normal", "Truncated normal, stddev sqrt(1 / fan_in).")


class Orthogonal(_Random):
    """A (scaled) orthogonal matrix from the QR decomposition of a normal matrix.

    For shapes of more than two axes the leading axes are flattened into rows.
    """

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) < 2:
            raise ValueError(f"Orthogonal initializer needs a shape of at least 2 axes, got {tuple(shape)}")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        flat = self._generator().normal(0.0, 1.0, size=(max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(flat)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q[:rows, :cols]).reshape(shape).astype(dtype or config.floatx())

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(f"Identity initializer needs a 2-D shape, got {tuple(shape)}")
        return (self.gain * np.eye(*shape)).astype(dtype or config.floatx())

    def get_config(self):
        return {"gain": self.gain}


_WINDOWS = {"hann": np.hanning, "hanning": np.hanning, "hamming": np.hamming, "blackman": np.blackman,
            "bartlett": np.bartlett, "boxcar": np.ones, "rectangular": np.ones}


def _window(name, length, periodic):
    """A window of ``length`` samples as SciPy's ``get_window(name, length, fftbins=periodic)`` gives it."""
    if name not in _WINDOWS:
        raise ValueError(f"STFT: unknown window {name!r}; glassnet has {sorted(_WINDOWS)}, or pass the window's values")
    return _WINDOWS[name](length + 1)[:-1] if periodic else _WINDOWS[name](length)


class STFT(Initializer):
    """Conv kernels of shape (T, 1, F // 2 + 1) computing a short-time Fourier transform (real or imaginary side).

        kernel[t, 0, f] = cos(-2 pi t f / F) (real) or sin(-2 pi t f / F) (imag), F = 2 (shape[-1] - 1)
        times window[t] / scaling, scaling = sqrt(sum(window^2)) ("density") or sum(|window|) ("spectrum")

    ``window``: a name (hann, hamming, blackman, bartlett, boxcar), the window's T
    values, or None; ``periodic`` windows are those of T + 1 samples cut to T.
    """

    def __init__(self, side="real", window="hann", scaling="density", periodic=False):
        if side not in ("real", "imag"):
            raise ValueError(f"STFT: side should be 'real' or 'imag', got {side!r}")
        if isinstance(window, str):
            _window(window, 1, False)
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError(f"STFT: scaling must be None, 'density' or 'spectrum', got {scaling!r}")
        self.side, self.window, self.scaling, self.periodic = side, window, scaling, periodic

    def __call__(self, shape, dtype=None):
        if len(shape) != 3:
            raise ValueError(f"STFT initializer needs a shape (frame_length, 1, fft_bins), got {tuple(shape)}")
        frame_length, _, bins = shape
        time = np.arange(frame_length, dtype="float64").reshape(frame_length, 1, 1)
        frequency = np.arange(bins, dtype="float64").reshape(1, 1, bins) / ((bins - 1) * 2)
        angle = -2.0 * time * frequency * np.pi
        kernel = np.cos(angle) if self.side == "real" else np.sin(angle)
        if self.window is not None:
            window = self.window
            window = _window(window, frame_length, self.periodic) if isinstance(window, str) else np.asarray(window)
            if window.shape != (frame_length,):
                raise ValueError(f"STFT: the window must have shape ({frame_length},), got {window.shape}")
            window = window.reshape(frame_length, 1, 1).astype("float64")
            scaling = {"density": lambda: np.sqrt(np.sum(window ** 2)), "spectrum": lambda: np.sum(np.abs(window)),
                       None: lambda: 1.0}[self.scaling]()
            kernel = kernel * window / scaling
        return np.broadcast_to(kernel, tuple(shape)).astype(dtype or config.floatx())

    def get_config(self):
        window = self.window.tolist() if isinstance(self.window, np.ndarray) else self.window
        return {"side": self.side, "window": window, "periodic": self.periodic, "scaling": self.scaling}


# Keras' other names for the same classes (keras.initializers.IdentityInitializer, keras.initializers.zeros...)
IdentityInitializer, OrthogonalInitializer, STFTInitializer = Identity, Orthogonal, STFT
constant, zeros, ones, identity, orthogonal, stft = Constant, Zeros, Ones, Identity, Orthogonal, STFT
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling, glorot_normal, glorot_uniform = VarianceScaling, GlorotNormal, GlorotUniform
he_normal, he_uniform, lecun_normal, lecun_uniform = HeNormal, HeUniform, LecunNormal, LecunUniform

ALL = {
    "zeros": Zeros, "ones": Ones, "constant": Constant, "stft": STFT,
    "random_normal": RandomNormal, "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform, "he_normal": HeNormal,
    "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal,
    "orthogonal": Orthogonal, "identity": Identity,
}
ALL.update({cls.__name__.lower(): cls for cls in list(ALL.values())})
ALL["uniform"] = RandomUniform
ALL["normal"] = RandomNormal


def get(identifier):
    """Return an initializer for a name, a class, an instance, a callable, or a config dict."""
    if identifier is None:
        return None
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        return lookup("initializer", identifier, ALL)()
    if isinstance(identifier, dict):
        cls = lookup("initializer", identifier["class_name"], ALL)
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"initializer must be a name, an Initializer or a callable, got {identifier!r}")


def serialize(initializer):
    """``{"module": "keras.initializers", "class_name": ..., "config": ..., "registered_name": ...}``, as Keras."""
    from glassnet.saving.serialization_lib import serialize_keras_object

    return serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    """The initializer a config dict describes (Keras' format, or the short ``{"class_name", "config"}``)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"An initializer config must be a dict with 'class_name' and 'config', got {config!r}")
    if "module" not in config:
        cls = (custom_objects or {}).get(config["class_name"]) or lookup("initializer", config["class_name"], ALL)
        return cls.from_config(config.get("config") or {})
    from glassnet.saving.serialization_lib import deserialize_keras_object

    return deserialize_keras_object(config, custom_objects=custom_objects)
