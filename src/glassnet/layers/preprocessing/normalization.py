"""Normalization: shift and scale features to mean 0 and variance 1 with statistics from ``adapt``."""

import math
import numbers

import numpy as np

from glassnet import config, ops
from glassnet.autodiff.tensor import Tensor
from glassnet.layers.layer import Layer


def _extract_batch(batch):
    """The inputs of a batch given as x, (x, y) or (x, y, sample_weight)."""
    return batch[0] if isinstance(batch, tuple) else batch


class Normalization(Layer):
    """y = (x - mean) / max(sqrt(variance), epsilon), one mean and variance per index of ``axis``.

    ``axis=-1`` (the default) keeps one statistic per feature of the last
    axis; a tuple keeps several axes; ``axis=None`` uses one scalar mean and
    variance. The statistics come from ``adapt(data)`` (population mean and
    variance over all other axes, stored as the non-trainable weights
    ``mean``, ``variance`` and Keras' legacy ``count``) or are given as
    ``mean=`` and ``variance=`` (then the layer has no weights).
    ``invert=True`` undoes the normalization: y = mean + x * max(sqrt(variance), epsilon).
    epsilon is ``glassnet.config.epsilon()`` (1e-7), as in Keras. The
    gradient with respect to x passes through.
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, numbers.Integral):
            axis = (axis,)
        try:
            axis = tuple(axis)
        except TypeError:
            axis = None
        if axis is None or not all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in axis):
            raise ValueError(f"Normalization '{self.name}': `axis` must be an integer, a tuple of integers or "
                             f"None, got axis={axis!r}")
        self.axis = tuple(int(a) for a in axis)
        if (mean is None) != (variance is None):
            raise ValueError(f"Normalization '{self.name}': give both `mean` and `variance` or neither, got "
                             f"mean={mean!r} and variance={variance!r}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(f"Normalization '{self.name}': `mean` and `variance` must have the same shape, "
                                 f"got {np.shape(mean)} and {np.shape(variance)}")
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(f"Normalization '{self.name}': `mean` has {len(np.shape(mean))} dimensions, more "
                                 f"than the {len(self.axis)} kept axes axis={self.axis}")
            if np.any(np.asarray(variance, dtype="float64") < 0):
                raise ValueError(f"Normalization '{self.name}': `variance` cannot be negative, got {variance!r}")
        self.input_mean = mean
        self.input_variance = variance
        self.invert = bool(invert)
        self.supports_masking = True
        self._mean = self._variance = None

    # --- building -------------------------------------------------------------
    def build(self, input_shape):
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(f"Normalization '{self.name}': axis={self.axis} is out of range for inputs with "
                             f"{ndim} dimensions (shape {tuple(input_shape)})")
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(f"Normalization '{self.name}': kept axis {d} of the input shape "
                                 f"{tuple(input_shape)} must have a known size (axis={self.axis})")
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = tuple(input_shape[d] if d in self._keep_axis else 1 for d in range(ndim))
        self._mean_and_var_shape = tuple(input_shape[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=self._mean_and_var_shape, initializer="zeros",
                                              trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=self._mean_and_var_shape,
                                                  initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int64", initializer="zeros",
                                         trainable=False)  # kept for Keras' weight layout; not updated
        else:
            self._mean = self._aligned(self.input_mean, "mean")
            self._variance = self._aligned(self.input_variance, "variance")
        self.built = True

    def _aligned(self, value, name):
        """A given mean or variance as a constant of the broadcast shape (its axes matched right to left)."""
        value = np.asarray(value, dtype=self.dtype)
        shape = [1] * len(self._broadcast_shape)
        for i in range(1, value.ndim + 1):
            shape[self._keep_axis[-i]] = value.shape[-i]
        try:
            return Tensor(np.ascontiguousarray(np.broadcast_to(value.reshape(shape), self._broadcast_shape)))
        except ValueError:
            raise ValueError(f"Normalization '{self.name}': `{name}` of shape {value.shape} does not broadcast "
                             f"to the kept axes {self._keep_axis} of size {self._mean_and_var_shape}") from None

    # --- adapting ---------------------------------------------------------------
    def adapt(self, data):
        """Set the mean and variance from ``data``: an array, a Tensor, or an iterable of batches.

        Batches may be (x, y) tuples; only x is used. Statistics are
        accumulated in float64, a chunk at a time, and stored as float32.
        """
        if self.input_mean is not None:
            raise ValueError(f"Normalization '{self.name}' was given a fixed `mean` and `variance`; "
                             "adapt() would have nothing to set. Create it without them to adapt it.")
        batches, first = self._batches(data)
        shape = tuple(first.shape)
        if not self.built:
            if len(shape) == 0:
                raise ValueError(f"Normalization '{self.name}': adapt() needs data with at least one "
                                 "dimension, got a scalar")
            keep = {a % len(shape) for a in self.axis if -len(shape) <= a < len(shape)}
            self._maybe_build(tuple(d if i in keep else None for i, d in enumerate(shape)) if 0 not in keep
                              else shape)
        self._check_shape(shape, "adapt() data")
        total_mean = total_var = None
        total_count = 0
        for batch in batches:
            batch = np.asarray(batch.data if isinstance(batch, Tensor) else batch, dtype=np.float64)
            self._check_shape(batch.shape, "an adapt() batch")
            count = math.prod(batch.shape[d] for d in self._reduce_axis) if self._reduce_axis else 1
            if count == 0:
                continue
            mean = batch.mean(axis=self._reduce_axis) if self._reduce_axis else batch
            var = batch.var(axis=self._reduce_axis) if self._reduce_axis else np.zeros_like(batch)
            if total_mean is None:
                total_mean, total_var, total_count = mean, var, count
                continue
            total_count += count
            weight = count / total_count
            new_mean = total_mean * (1 - weight) + mean * weight
            # lack-of-fit sum of squares: merge two groups' variances about the joint mean
            total_var = ((total_var + (total_mean - new_mean) ** 2) * (1 - weight)
                         + (var + (mean - new_mean) ** 2) * weight)
            total_mean = new_mean
        if total_mean is None:
            raise ValueError(f"Normalization '{self.name}': adapt() got no data")
        self.adapt_mean.assign(np.asarray(total_mean, dtype=self.dtype))
        self.adapt_variance.assign(np.asarray(total_var, dtype=self.dtype))

    def _batches(self, data, chunk=8192):
        """(iterable of batches, first batch): arrays are cut into chunks along axis 0 when it is reduced."""
        if isinstance(data, Tensor):
            data = data.data
        is_batch_list = isinstance(data, (list, tuple)) and data and all(
            hasattr(_extract_batch(b), "shape") for b in data)
        if isinstance(data, (list, tuple)) and not is_batch_list:
            data = np.asarray(data)
        if hasattr(data, "shape") and hasattr(data, "dtype"):
            array = np.asarray(data)
            reduce_first = self.built and 0 in self._reduce_axis or not self.built and all(
                a % array.ndim != 0 for a in self.axis if -array.ndim <= a < array.ndim)
            if array.ndim and reduce_first and array.shape[0] > chunk:
                return (array[i:i + chunk] for i in range(0, array.shape[0], chunk)), array
            return [array], array
        if is_batch_list:
            batches = [_extract_batch(b) for b in data]
            return batches, batches[0]
        if hasattr(data, "__iter__"):
            iterator = iter(data)
            first = next(iterator, None)
            if first is None:
                raise ValueError(f"Normalization '{self.name}': adapt() got an empty iterable of batches")
            first = _extract_batch(first)
            if not hasattr(first, "shape"):
                raise TypeError(f"Normalization '{self.name}': adapt() expects batches that are arrays, got "
                                f"{type(first).__name__}")

            def chain():
                yield first
                for batch in iterator:
                    yield _extract_batch(batch)

            return chain(), first
        raise TypeError(f"Normalization '{self.name}': adapt() expects an array, a Tensor or an iterable of "
                        f"batches, got {type(data).__name__}")

    def _check_shape(self, shape, what):
        built = self._build_shapes or ()
        if len(shape) != len(self._broadcast_shape) or any(
                shape[d] != self._broadcast_shape[d] for d in self._keep_axis):
            raise ValueError(f"Normalization '{self.name}' was built for inputs of shape {tuple(built)} "
                             f"(axis={self.axis}), but {what} has shape {tuple(shape)}")

    # --- calling ------------------------------------------------------------------
    def call(self, inputs):
        if inputs.dtype.kind != "f":
            inputs = Tensor(inputs.data.astype(self.dtype))
        if self.input_mean is None:
            mean = ops.reshape(self.adapt_mean, self._broadcast_shape)
            variance = ops.reshape(self.adapt_variance, self._broadcast_shape)
        else:
            mean, variance = self._mean, self._variance
        scale = ops.maximum(ops.sqrt(variance), config.epsilon())
        if self.invert:
            return ops.add(mean, ops.multiply(inputs, scale))
        return ops.divide(ops.subtract(inputs, mean), scale)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config_ = super().get_config()
        config_.update({
            "axis": list(self.axis),
            "invert": self.invert,
            "mean": None if self.input_mean is None else np.asarray(self.input_mean).tolist(),
            "variance": None if self.input_variance is None else np.asarray(self.input_variance).tolist(),
        })
        return config_
