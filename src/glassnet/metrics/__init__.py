"""Metrics, as ``keras.metrics``, and the rule that resolves ``"accuracy"``."""

from glassnet.metrics.accuracy import (
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, accuracy, binary_accuracy,
    categorical_accuracy, sparse_categorical_accuracy,
)
from glassnet.metrics.confusion import Precision, Recall
from glassnet.metrics.metric import Mean, MeanMetricWrapper, Metric, Sum
from glassnet.metrics.regression import (
    MeanAbsoluteError, MeanSquaredError, RootMeanSquaredError, mean_absolute_error, mean_squared_error,
)
from glassnet.utils.registry import lookup

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error

ALL = {
    "accuracy": Accuracy,
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
    "root_mean_squared_error": RootMeanSquaredError, "rmse": RootMeanSquaredError,
    "precision": Precision, "recall": Recall,
}
ALL.update({cls.__name__.lower(): cls for cls in set(ALL.values())})
FUNCTIONS = {
    accuracy: Accuracy, binary_accuracy: BinaryAccuracy, categorical_accuracy: CategoricalAccuracy,
    sparse_categorical_accuracy: SparseCategoricalAccuracy, mean_squared_error: MeanSquaredError,
    mean_absolute_error: MeanAbsoluteError,
}


def get(identifier):
    """Return a Metric for a name, a Metric, a metric class, or a function ``fn(y_true, y_pred)``."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        loss_function = _loss_function(identifier)
        if loss_function is not None:  # Keras accepts loss names as metrics: the mean loss
            return MeanMetricWrapper(loss_function, name=identifier)
        return lookup("metric", identifier, {**ALL, "acc": Accuracy})()
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if identifier in FUNCTIONS:
        return FUNCTIONS[identifier]()
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise ValueError(f"metric must be a name, a Metric or a function, got {identifier!r}")


def _loss_function(name):
    """The per-sample loss function called ``name``, for names that are losses but not metrics."""
    from glassnet import losses

    if name.lower() in ALL:
        return None
    loss_class = losses.ALL.get(name.lower())
    for function, cls in losses.FUNCTIONS.items():
        if cls is loss_class:
            return function
    return None


def resolve_accuracy(y_true_shape, y_pred_shape, loss=None):
    """Pick the accuracy Keras would for ``"accuracy"``: binary, sparse or categorical.

    Keras 3 (``compile_utils.get_metric``): a single output unit means binary;
    labels with fewer axes than the predictions (or a last axis of 1 against
    several classes) mean sparse categorical; otherwise categorical.
    """
    if y_pred_shape[-1] == 1:
        return BinaryAccuracy
    if len(y_true_shape) < len(y_pred_shape) or (y_true_shape[-1] == 1 and y_pred_shape[-1] > 1):
        return SparseCategoricalAccuracy
    return CategoricalAccuracy
