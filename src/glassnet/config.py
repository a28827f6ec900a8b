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
