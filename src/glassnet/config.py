"""Global settings, named as in ``keras.config``.

floatx is the dtype of every weight and activation ("float32"); epsilon is
the fuzz factor that keeps logs and divisions finite (1e-7); the image data
format is "channels_last" (NHWC), the only layout convolutions use.
"""

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_VALID_FLOATX = ("float16", "float32", "float64")


def floatx():
    """Return the default float dtype name, ``"float32"`` unless changed."""
    return _FLOATX


def set_floatx(value):
    """Set the default float dtype: one of "float16", "float32", "float64"."""
    global _FLOATX
    if value not in _VALID_FLOATX:
        raise ValueError(f"floatx must be one of {_VALID_FLOATX}, got {value!r}")
    _FLOATX = str(value)


def epsilon():
    """Return the fuzz factor used in numeric expressions (1e-7)."""
    return _EPSILON


def set_epsilon(value):
    """Set the fuzz factor used in numeric expressions."""
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    """Return ``"channels_last"``: images are (batch, height, width, channels)."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(value):
    """Only ``"channels_last"`` is supported; anything else is refused."""
    if value != "channels_last":
        raise ValueError(
            f"glassnet supports image_data_format 'channels_last' only, got {value!r}"
        )


def backend():
    """The name of the compute backend, for code that asks ``keras.config.backend()``."""
    return "numpy"


# --- glassnet's speed switches (not in Keras) -------------------------------------------------------
# fit/evaluate/predict apply these, in one place (backend/speed.py), only while they run.

_SPEED_OPTIONS = {"blas_threads": "auto", "batch_splitting": True, "flush_denormals": True, "keep_freed_memory": True}


def speed_options():
    """A copy of the speed switches that fit/evaluate/predict apply while they run (backend/speed.py).

    blas_threads       "auto" (one thread for small products and on <= 2 cores), a positive int,
                       or None (leave BLAS as it is)
    batch_splitting    convolutions and pooling split each batch over the cores (backend/parallel.py)
    flush_denormals    subnormal floats computed as zero (backend/denormals.py)
    keep_freed_memory  malloc keeps freed blocks for the next step (backend/allocator.py)
    """
    return dict(_SPEED_OPTIONS)


def set_speed_options(**options):
    """Change speed switches by name, e.g. ``set_speed_options(batch_splitting=False, blas_threads=4)``."""
    unknown = sorted(set(options) - set(_SPEED_OPTIONS))
    if unknown:
        raise ValueError(f"Unknown speed option(s) {unknown}; expected some of {sorted(_SPEED_OPTIONS)}")
    threads = options.get("blas_threads", "auto")
    if threads not in ("auto", None) and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise ValueError(f"blas_threads must be a positive integer, 'auto' or None, got {threads!r}")
    for name, value in options.items():
        if name != "blas_threads" and not isinstance(value, bool):
            raise ValueError(f"{name} must be True or False, got {value!r}")
    _SPEED_OPTIONS.update(options)
