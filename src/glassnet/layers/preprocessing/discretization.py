"""Discretization: numbers to the index of the bin they fall in, with bins given or adapted to data."""

import itertools
import numbers

import numpy as np

from glassnet.autodiff.tensor import Tensor
from glassnet.layers.layer import Layer
from glassnet.layers.preprocessing.category_encoding import encode_categorical

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


def summarize(values, epsilon):
    """A (2, k) summary (values, weights) of a batch: every step-th sorted value (step = max(n epsilon, 1),
    starting at step - 1), each standing for ``step`` values."""
    values = np.sort(np.reshape(values, -1))
    step = max(values.size * epsilon, 1)
    points = values[int(step - 1)::int(step)]
    return np.stack([points, np.full_like(points, step)])


def compress_summary(summary, epsilon):
    """At most 1 / epsilon points: the values at cumulative weight fractions epsilon, 2 epsilon, ..., 1
    (linear interpolation), weighted by the cumulative weight between consecutive ones."""
    if summary.shape[1] * epsilon < 1:
        return summary
    fractions = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    share = cumulative / cumulative[-1]
    points = np.interp(fractions, share, summary[0])
    cumulative = np.interp(fractions, share, cumulative)
    weights = np.diff(cumulative, prepend=0.0)
    return np.stack([points, weights]).astype("float32")


def merge_summaries(first, second, epsilon):
    merged = np.concatenate([first, second], axis=1)
    return compress_summary(merged[:, np.argsort(merged[0], kind="stable")], epsilon)


class Discretization(Layer):
    """bin = number of boundaries <= x (``numpy.digitize``): with boundaries [0, 1], x < 0 -> 0,
    0 <= x < 1 -> 1, x >= 1 -> 2.

    Give ``bin_boundaries``, or ``num_bins`` and call ``adapt(data)``: the boundaries become the
    1/num_bins, 2/num_bins, ... quantiles of the data, estimated from a summary of at most 1 / epsilon
    weighted points per batch (Keras' algorithm, so the same data gives the same boundaries).
    ``output_mode`` "one_hot", "multi_hot" or "count" encodes the bins as CategoryEncoding does.
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int", sparse=False, dtype=None,
                 name=None):
        super().__init__(name=name, dtype=dtype)
        who = f"Discretization '{self.name}'"
        if output_mode not in OUTPUT_MODES:
            raise ValueError(f"{who}: `output_mode` must be one of {OUTPUT_MODES}, got output_mode={output_mode!r}")
        if sparse:
            raise ValueError(f"{who}: sparse=True is not supported (glassnet has no sparse tensors)")
        if num_bins is not None and (isinstance(num_bins, bool) or not isinstance(num_bins, numbers.Integral)
                                     or num_bins < 0):
            raise ValueError(f"{who}: `num_bins` must be an integer >= 0, got num_bins={num_bins!r}")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(f"{who}: set `num_bins` or `bin_boundaries`, not both; got num_bins={num_bins} and "
                             f"bin_boundaries={bin_boundaries}")
        if num_bins is None and bin_boundaries is None:
            raise ValueError(f"{who}: set either `num_bins` (then call adapt) or `bin_boundaries`")
        if bin_boundaries is not None:
            bin_boundaries = [float(b) for b in np.asarray(bin_boundaries, dtype=np.float64).reshape(-1)]
            if any(b > a for b, a in itertools.pairwise(bin_boundaries)):
                raise ValueError(f"{who}: `bin_boundaries` must be sorted, got {bin_boundaries}")
        self.bin_boundaries = bin_boundaries
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = False
        self.summary = None if bin_boundaries else np.zeros((2, 0), dtype="float32")

    @property
    def output_dtype(self):
        return "int32" if self.output_mode == "int" else self.dtype

    def adapt(self, data, steps=None):
        """Set the boundaries to the quantiles of ``data`` (an array, or an iterable of batches)."""
        if self.num_bins is None:
            raise ValueError(f"Discretization '{self.name}' was made with `bin_boundaries`; to adapt it, make it "
                             "with `num_bins` instead")
        if isinstance(data, (np.ndarray, Tensor)) or not hasattr(data, "__iter__"):
            batches = [data]
        else:
            batches = data if steps is None else (b for i, b in zip(range(steps), data))
        summary = np.zeros((2, 0), dtype="float32")
        for batch in batches:
            batch = batch.data if isinstance(batch, Tensor) else batch
            summary = merge_summaries(summarize(np.asarray(batch, dtype="float32"), self.epsilon), summary,
                                      self.epsilon)
        self.summary = summary
        self.bin_boundaries = compress_summary(summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def update_state(self, data):
        self.summary = merge_summaries(summarize(np.asarray(data, dtype="float32"), self.epsilon),
                                       self.summary, self.epsilon)

    def finalize_state(self):
        if self.num_bins is not None:
            self.bin_boundaries = compress_summary(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def reset_state(self):
        if self.num_bins is not None:
            self.summary = np.zeros((2, 0), dtype="float32")

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(f"Discretization '{self.name}': pass `bin_boundaries` when making it, or call "
                             "adapt(data) before using it")
        values = inputs.data if isinstance(inputs, Tensor) else np.asarray(inputs)
        indices = np.digitize(values.astype(np.float32), np.asarray(self.bin_boundaries, dtype=np.float32))
        return Tensor(encode_categorical(indices, self.output_mode, len(self.bin_boundaries) + 1,
                                         self.output_dtype))

    def _output_dtype(self, inputs):
        return self.output_dtype

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins
        if self.output_mode == "one_hot":
            if len(input_shape) > 1 and input_shape[-1] == 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        if len(input_shape) >= 2:
            return (input_shape[0],) + input_shape[2:] + (depth,)
        return (depth,)

    def get_config(self):
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": self.sparse, "name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config.pop("trainable", None)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = boundaries
            return layer
        return cls(**config)
