"""Correlation metrics: Pearson's r and Lin's concordance correlation, per sample along ``axis``, averaged.

The functions are written with glassnet ops, so they are differentiable
(usable in a custom loss) and accept arrays or Tensors, as Keras' are.
"""

from glassnet import config, ops
from glassnet.losses.loss import same_rank
from glassnet.metrics.probabilistic import LossFunctionMean


def _pair(y_true, y_pred):
    y_true = ops.cast(y_true, getattr(y_pred, "dtype", config.floatx()))
    return same_rank(y_true, ops.convert_to_tensor(y_pred))


def pearson_correlation(y_true, y_pred, axis=-1):
    """mean(z(y_true) * z(y_pred)) along ``axis``, z the values centred and divided by their standard deviation."""
    y_true, y_pred = _pair(y_true, y_pred)

    def standardised(x):
        centred = ops.subtract(x, ops.mean(x, axis=axis, keepdims=True))
        return ops.divide(centred, ops.std(centred, axis=axis, keepdims=True))

    return ops.mean(ops.multiply(standardised(y_true), standardised(y_pred)), axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """mean(2 (y_true - m_p)(y_pred - m_p) / (var_t + var_p + (m_t - m_p)^2 + epsilon)) along ``axis``.

    m and var are the means and variances along ``axis``; the centring of y_true on the predictions'
    mean m_p is Keras 3's formula.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    true_mean = ops.mean(y_true, axis=axis, keepdims=True)
    pred_mean = ops.mean(y_pred, axis=axis, keepdims=True)
    spread = ops.add(ops.var(y_true, axis=axis, keepdims=True), ops.var(y_pred, axis=axis, keepdims=True))
    norm = ops.add(ops.add(spread, ops.square(ops.subtract(true_mean, pred_mean))), config.epsilon())
    covariance = ops.multiply(ops.subtract(y_true, pred_mean), ops.subtract(y_pred, pred_mean))
    return ops.mean(ops.divide(ops.multiply(covariance, 2.0), norm), axis=axis)


class PearsonCorrelation(LossFunctionMean):
    """The mean over samples of Pearson's correlation between targets and predictions along ``axis``."""

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class ConcordanceCorrelation(LossFunctionMean):
    """The mean over samples of the concordance correlation between targets and predictions along ``axis``."""

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
