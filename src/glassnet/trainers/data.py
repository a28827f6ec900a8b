"""The one place batches are unpacked, read, validated and cast.

Every batch ``fit``, ``evaluate``, ``predict`` and the ``*_on_batch``
methods see comes through here, whether it was sliced from arrays or
yielded by a generator, an iterable or a PyDataset:

- ``unpack_x_y_sample_weight`` splits ``x``, ``(x,)``, ``(x, y)`` or
  ``(x, y, sample_weight)`` (Keras 3's rule: a list counts as a tuple);
  ``pack_x_y_sample_weight`` is its inverse, the form ``train_step`` gets.
- ``read_arrays`` turns x, y and sample_weight into NumPy arrays and checks
  them: real numbers or booleans only, one batch axis of one length, no NaN
  or infinity (weights included). x may hold strings only for a model that
  reads text (``strings=True``: a ``keras.Input(dtype="string")``, or a
  first layer with ``reads_strings``, such as TextVectorization).
- ``as_floatx`` is the one float cast: float arrays become ``floatx``
  (float32); integers and booleans stay as they are (ids for Embedding,
  labels for the losses).

Whole arrays are read once, before training; generator batches are read
one by one as they come.
"""

import numpy as np

from glassnet import config
from glassnet.autodiff.tensor import Tensor

# NumPy dtype kinds a model can take: booleans, signed and unsigned integers, real floats.
REAL_KINDS = "biuf"
# ... and, for a model that reads text, str, bytes and Python objects (strings, checked by the text layer).
STRING_KINDS = "USO"

_HINTS = {
    "U": "strings must be turned into numbers first (e.g. a vocabulary of ids, or float(...) for numeric text)",
    "S": "bytes must be decoded and turned into numbers first",
    "c": "complex numbers are not supported; pass the real and imaginary parts as separate features",
    "M": "dates must be turned into numbers first (e.g. days since a start date)",
    "m": "time spans must be turned into numbers first (e.g. seconds)",
}


def unpack_x_y_sample_weight(data):
    """``(x, y, sample_weight)`` from a batch given as ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``.

    As in Keras 3, a list is read as a tuple, and anything else is ``x`` alone.
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError("A batch must be x, (x,), (x, y) or (x, y, sample_weight); "
                     f"got a {type(data).__name__} of {len(data)} items")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``: a batch as ``train_step(data)`` receives it."""
    if y is None:
        return (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def flatten_arrays(structure):
    """The arrays of x or y, which may be one array, a list/tuple or a dict of them."""
    if structure is None:
        return []
    if isinstance(structure, (list, tuple)):
        return [a for item in structure for a in flatten_arrays(item)]
    if isinstance(structure, dict):
        return [a for key in structure for a in flatten_arrays(structure[key])]
    return [structure]


def map_arrays(fn, structure):
    """Apply ``fn`` to every array of a (nested) structure."""
    if structure is None:
        return None
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_arrays(fn, item) for item in structure)
    if isinstance(structure, dict):
        return {key: map_arrays(fn, value) for key, value in structure.items()}
    return fn(structure)


def to_array(value, name, strings=False):
    """A NumPy array of real numbers or booleans (or strings if ``strings``) from an array-like (pandas objects
    included), or a clear error."""
    if isinstance(value, Tensor):
        value = value.numpy()
    elif hasattr(value, "to_numpy"):
        value = value.to_numpy()
    try:
        array = np.asarray(value)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{name} could not be read as an array: its samples have different lengths ({error}). "
                         "Pad them to one length first (e.g. keras.utils.pad_sequences)") from None
    check_dtype(array, name, strings)
    return array


def check_dtype(array, name, strings=False):
    """Raise unless ``array`` holds real numbers or booleans (or strings if ``strings``), naming the argument
    and the dtype received."""
    kind = array.dtype.kind
    if kind in REAL_KINDS or (strings and kind in STRING_KINDS):
        return
    if kind == "O":
        raise ValueError(
            f"{name} must hold real numbers or booleans, got an array of Python objects (shape {array.shape}); "
            "are the samples of different lengths? Pad them to one length first"
        )
    hint = _HINTS.get(kind, "convert it to numbers first")
    raise ValueError(f"{name} must hold real numbers or booleans, got dtype {array.dtype}: {hint}")


def check_finite(array, name):
    """Raise if a float array holds NaN or infinity, naming the first bad sample."""
    if array.dtype.kind != "f":
        return
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.sum(array, dtype=np.float64)):
            return
    bad = ~np.isfinite(array.reshape(len(array), -1)).all(axis=1) if array.ndim else ~np.isfinite(array)
    if not bad.any():
        return  # the sum overflowed but every value is finite
    first = int(np.argmax(bad))
    kind = "NaN" if np.isnan(array).any() else "infinite"
    raise ValueError(
        f"{name} contains {kind} values ({int(bad.sum())} samples, the first at index {first}). "
        "Training on them gives a NaN loss; remove or impute them first"
    )


def count_samples(x, y, sample_weight):
    """The common number of samples, or an error naming the lengths that differ."""
    lengths = {}
    for name, structure in (("x", x), ("y", y), ("sample_weight", sample_weight)):
        for array in flatten_arrays(structure):
            if array.ndim == 0:
                raise ValueError(f"{name} must have a batch axis, got a scalar")
            lengths.setdefault(name, set()).add(len(array))
    sizes = {n for group in lengths.values() for n in group}
    if len(sizes) > 1:
        described = ", ".join(f"{name} has {sorted(group)[0] if len(group) == 1 else sorted(group)} samples"
                              for name, group in lengths.items())
        raise ValueError(f"x and y must have the same number of samples: {described}")
    if not sizes or sizes == {0}:
        raise ValueError("Received empty input: x has 0 samples. fit/evaluate/predict need at least one sample")
    return sizes.pop()


def _read(structure, name, strings=False):
    """``structure`` as arrays: a plain (nested) list of numbers is one array, a list of arrays several
    inputs, as in Keras."""
    if isinstance(structure, (list, tuple)) and structure \
            and not isinstance(structure[0], (np.ndarray, Tensor, dict)) and not hasattr(structure[0], "to_numpy"):
        return to_array(structure, name, strings)
    return map_arrays(lambda a: a if type(a) is np.ndarray and a.dtype.kind in REAL_KINDS
                      else to_array(a, name, strings), structure)


def read_arrays(x, y=None, sample_weight=None, strings=False):
    """x, y and sample_weight as checked NumPy arrays (structures of them for several inputs/outputs).

    Checks: real numbers or booleans only; one length for all; not empty;
    no NaN or infinity in x, y or sample_weight. Sample weights become
    ``floatx``; x and y are not cast here (batches are, as they are taken).
    """
    if x is None:
        raise ValueError("x is required: pass the input samples as the first argument")
    x, y = _read(x, "x", strings), _read(y, "y")
    sample_weight = map_arrays(as_sample_weights, _read(sample_weight, "sample_weight"))
    count_samples(x, y, sample_weight)
    for name, structure in (("x", x), ("y", y), ("sample_weight", sample_weight)):
        for array in flatten_arrays(structure):
            check_finite(array, name)
    return x, y, sample_weight


def floatx_dtype(array):
    """The dtype ``array`` takes in a batch: ``floatx`` for floats, its own for integers and booleans."""
    floatx = config.floatx()
    return floatx if array.dtype.kind == "f" and array.dtype.name != floatx else array.dtype


def as_floatx(array):
    """The one float cast: float arrays as ``floatx``, others unchanged (no copy when nothing changes)."""
    dtype = floatx_dtype(array)
    return array if dtype == array.dtype else array.astype(dtype)


def read_batch(batch, strings=False):
    """One batch from a generator, iterable or PyDataset: unpacked, read, checked and cast."""
    x, y, sample_weight = unpack_x_y_sample_weight(batch)
    x, y, sample_weight = read_arrays(x, y, sample_weight, strings)
    return map_arrays(as_floatx, x), map_arrays(as_floatx, y), sample_weight


def as_sample_weights(array):
    """Sample weights as ``floatx`` whatever their dtype (integer weights are counts)."""
    floatx = config.floatx()
    return array if array.dtype.name == floatx else array.astype(floatx)
