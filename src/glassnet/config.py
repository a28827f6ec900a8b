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


# --- switches named as in keras.config ------------------------------------------------------------------------------
# Read by saving (unsafe deserialization), the progress bar and summary (interactive logging) and fit/evaluate/
# predict (the epoch and step limits); traceback filtering and flash attention are flags only: glassnet's tracebacks
# are never filtered and it has no flash attention kernel.

_SWITCHES = {"unsafe_deserialization": False, "interactive_logging": True, "traceback_filtering": True,
             "flash_attention": None}


def enable_unsafe_deserialization():
    """Let every later load run Python lambdas stored as bytecode, as ``safe_mode=False`` does (Keras' switch)."""
    _SWITCHES["unsafe_deserialization"] = True


def is_unsafe_deserialization_enabled():
    """True after ``enable_unsafe_deserialization()``."""
    return _SWITCHES["unsafe_deserialization"]


def enable_interactive_logging():
    """Progress bars and summaries print to stdout (the default)."""
    _SWITCHES["interactive_logging"] = True


def disable_interactive_logging():
    """Progress bars and summaries go to the ``logging`` module (logger "glassnet", level INFO) instead of stdout."""
    _SWITCHES["interactive_logging"] = False


def is_interactive_logging_enabled():
    """True unless ``disable_interactive_logging()`` was called."""
    return _SWITCHES["interactive_logging"]


def enable_traceback_filtering():
    """Keras' flag, kept for code that sets it: glassnet never filters tracebacks."""
    _SWITCHES["traceback_filtering"] = True


def disable_traceback_filtering():
    """Keras' flag, kept for code that sets it: glassnet never filters tracebacks."""
    _SWITCHES["traceback_filtering"] = False


def is_traceback_filtering_enabled():
    """The flag's value (True by default, as in Keras)."""
    return _SWITCHES["traceback_filtering"]


def enable_flash_attention():
    """Keras' flag (None, "let the backend decide", by default); glassnet's attention is the same either way."""
    _SWITCHES["flash_attention"] = None


def disable_flash_attention():
    """Keras' flag; glassnet's attention is the same either way."""
    _SWITCHES["flash_attention"] = False


def is_flash_attention_enabled():
    """The flag's value: None (the default, and after ``enable_flash_attention()``) or False, as in Keras."""
    return _SWITCHES["flash_attention"]


def _limit(name, value):
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"{name} must be a positive integer or None, got {value!r}")
    return value


def _limit_from_environment(variable):
    import os

    text = os.environ.get(variable)
    if not text:
        return None
    try:
        return _limit(variable, int(text))
    except ValueError:
        raise ValueError(f"The environment variable {variable} must be a positive integer, got {text!r}") from None


_LIMITS = {"max_epochs": _limit_from_environment("KERAS_MAX_EPOCHS"),
           "max_steps_per_epoch": _limit_from_environment("KERAS_MAX_STEPS_PER_EPOCH")}


def set_max_epochs(max_epochs):
    """Cap the epochs of every ``fit`` (None: no cap); for quick debugging runs, also ``KERAS_MAX_EPOCHS``."""
    _LIMITS["max_epochs"] = _limit("max_epochs", max_epochs)


def max_epochs():
    """The cap on ``fit``'s epochs, or None."""
    return _LIMITS["max_epochs"]


def set_max_steps_per_epoch(max_steps_per_epoch):
    """Cap the steps of each epoch of fit/evaluate/predict (None: no cap); also ``KERAS_MAX_STEPS_PER_EPOCH``."""
    _LIMITS["max_steps_per_epoch"] = _limit("max_steps_per_epoch", max_steps_per_epoch)


def max_steps_per_epoch():
    """The cap on the steps of each epoch of fit/evaluate/predict, or None."""
    return _LIMITS["max_steps_per_epoch"]


def dtype_policy():
    """The global DTypePolicy (``glassnet.dtype_policies``): the dtype of layers created without one."""
    from glassnet.dtype_policies import dtype_policy as global_policy

    return global_policy()


def set_dtype_policy(policy):
    """Set the global DTypePolicy from a policy or a name ("float32", "mixed_float16"...)."""
    from glassnet.dtype_policies import set_dtype_policy as set_global

    set_global(policy)
