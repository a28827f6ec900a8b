"""Stateful metrics: ``update_state`` per batch, ``result`` at any time, ``reset_state``.

Metrics read arrays only (never the graph). A mean-type metric keeps a
weighted total and a count: result = total / count. A metric whose targets
follow rules states them in ``check_targets``, which the trainer calls
before training uses a batch, so a wrong target fails before the first step.
"""

import numpy as np

from glassnet.autodiff.tensor import Tensor
from glassnet.utils.naming import to_snake_case


def as_array(value):
    """The NumPy array behind a Tensor or array-like."""
    if type(value) is np.ndarray:
        return value
    if isinstance(value, Tensor):
        return value.numpy()
    return np.asarray(value)


def same_rank(y_true, y_pred):
    """Keras' ``squeeze_or_expand_to_same_rank`` on arrays: (n,) against (n, 1), either way round,
    is lined up instead of broadcast to (n, n)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        if y_pred.ndim == 1:
            return y_true, y_pred[:, None]
        return y_true[..., 0], y_pred
    if y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        if y_true.ndim == 1:
            return y_true[:, None], y_pred
        return y_true, y_pred[..., 0]
    return y_true, y_pred


class Metric:
    """Base class for metrics (``keras.metrics.Metric``)."""

    def __init__(self, name=None, dtype=None):
        self.name = name or to_snake_case(type(self).__name__)
        self.dtype = dtype or "float32"
        self._tracked_variables = []

    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """A non-trainable state variable, set back to its initial value by the default ``reset_state``.

        Keras 3's Metric API: ``self.true_positives = self.add_variable(shape=(), initializer="zeros",
        name="tp")`` in ``__init__``, then ``self.true_positives.assign(...)`` in ``update_state``.
        ``aggregation`` ("sum", "mean", "only_first_replica" or "none") is how replicas combine it in Keras;
        glassnet keeps it beside the variable.
        """
        from glassnet import initializers
        from glassnet.autodiff.variable import Variable

        if aggregation not in ("sum", "mean", "only_first_replica", "none", None):
            raise ValueError("add_variable: aggregation must be 'sum', 'mean', 'only_first_replica' or 'none', "
                             f"received {aggregation!r}")
        shape = () if shape is None else tuple(shape)
        init = initializers.get(initializer)
        variable = Variable(init, shape=shape, dtype=dtype or self.dtype, trainable=False,
                            name=name or f"variable_{len(self.variables)}")
        if "_tracked_variables" not in self.__dict__:  # a subclass that set state before Metric.__init__
            self._tracked_variables = []
        self._tracked_variables.append((variable, init, aggregation))
        return variable

    def add_weight(self, shape=(), initializer="zeros", dtype=None, aggregation="sum", name=None):
        """``add_variable`` under its other Keras 3 name."""
        return self.add_variable(shape, initializer, dtype=dtype, aggregation=aggregation, name=name)

    @property
    def variables(self):
        """The state variables made by ``add_variable``, in order."""
        return [entry[0] for entry in self.__dict__.get("_tracked_variables", ())]

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def reset_state(self):
        """Put every ``add_variable`` variable back to its initial value (override for other state)."""
        tracked = self.__dict__.get("_tracked_variables")
        if not tracked:
            raise NotImplementedError(f"{type(self).__name__} keeps no add_variable() state: write reset_state()")
        for variable, init, _ in tracked:
            variable.assign(init(variable.shape, dtype=variable.dtype))

    def check_targets(self, y_true, y_pred_shape):
        """Raise a ValueError, before any training step, when this metric cannot take targets ``y_true``.

        ``y_true`` is a NumPy array of one batch (or of all samples); ``y_pred_shape``
        the shape of the predictions, None where a size varies between batches.
        The base class accepts anything.
        """

    def __call__(self, *args, **kwargs):
        """Update with one batch and return the result so far."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


class Mean(Metric):
    """The (weighted) mean of the values given to ``update_state``."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reset_state()

    def reset_state(self):
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values, sample_weight=None):
        values = values if type(values) is np.ndarray else as_array(values)
        if sample_weight is None:
            total = np.count_nonzero(values) if values.dtype == bool else values.sum()
            self.total += float(total)
            self.count += values.size
            return
        weight = np.broadcast_to(as_array(sample_weight).reshape(values.shape[: np.ndim(sample_weight)] + (1,) * (
            values.ndim - np.ndim(sample_weight))), values.shape)
        self.total += float((values * weight).sum())
        self.count += float(weight.sum())

    def add(self, total, count):
        """Fast path for the trainer: add a precomputed total over ``count`` items."""
        self.total += total
        self.count += count

    def result(self):
        return self.total / self.count if self.count else 0.0


class Sum(Metric):
    """The running sum of the values."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reset_state()

    def reset_state(self):
        self.total = 0.0

    def update_state(self, values, sample_weight=None):
        values = as_array(values)
        if sample_weight is not None:
            values = values * as_array(sample_weight)
        self.total += float(values.sum())

    def result(self):
        return self.total


class MeanMetricWrapper(Mean):
    """The mean over samples of ``fn(y_true, y_pred)`` (one value per sample)."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", "metric"), dtype=dtype)
        self.fn, self.fn_kwargs = fn, kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self.fn(as_array(y_true), as_array(y_pred), **self.fn_kwargs)
        super().update_state(values, sample_weight)

    def get_config(self):
        return {**super().get_config(), **self.fn_kwargs}


class LossMean(MeanMetricWrapper):
    """The mean over samples of a loss (``metrics=["binary_crossentropy"]``); its targets follow the loss's rules."""

    def __init__(self, loss, name=None, dtype=None):
        super().__init__(loss.fn, name=name or loss.name, dtype=dtype)  # the loss's defaults, as Keras' metric
        self.loss = loss

    def check_targets(self, y_true, y_pred_shape):
        self.loss.check_targets(y_true, y_pred_shape)
