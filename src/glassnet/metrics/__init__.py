"""Metrics, as ``keras.metrics``, and the rule that resolves ``"accuracy"``."""

from glassnet.metrics.accuracy import (
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy, accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy, top_k_categorical_accuracy,
)
from glassnet.metrics.auc import AUC
from glassnet.losses import (
    binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy, categorical_focal_crossentropy,
    categorical_hinge, hinge, huber, kl_divergence, log_cosh, poisson, sparse_categorical_crossentropy,
    squared_hinge,
)
from glassnet.metrics.confusion import (
    FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives,
)
from glassnet.metrics.correlation import (
    ConcordanceCorrelation, PearsonCorrelation, concordance_correlation, pearson_correlation,
)
from glassnet.metrics.f_score import F1Score, FBetaScore
from glassnet.metrics.iou import IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from glassnet.metrics.margin import CategoricalHinge, Hinge, SquaredHinge
from glassnet.metrics.metric import LossMean, Mean, MeanMetricWrapper, Metric, Sum
from glassnet.metrics.probabilistic import (
    BinaryCrossentropy, CategoricalCrossentropy, KLDivergence, Poisson, SparseCategoricalCrossentropy,
)
from glassnet.metrics.r2_score import R2Score
from glassnet.metrics.regression import (
    CosineSimilarity, LogCoshError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError,
    MeanSquaredLogarithmicError, RootMeanSquaredError, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_error, mean_squared_logarithmic_error,
)
from glassnet.metrics.sensitivity import (
    PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity, SensitivitySpecificityBase,
    SpecificityAtSensitivity,
)
from glassnet.utils.registry import lookup

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error

ALL = {
    "accuracy": Accuracy,
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
    "root_mean_squared_error": RootMeanSquaredError, "rmse": RootMeanSquaredError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError, "mape": MeanAbsolutePercentageError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError, "msle": MeanSquaredLogarithmicError,
    "precision": Precision, "recall": Recall,
    # Keras 3's names: the snake_case of each class name (keras.metrics.get accepts these)
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "auc": AUC,
    "true_positives": TruePositives, "false_positives": FalsePositives,
    "true_negatives": TrueNegatives, "false_negatives": FalseNegatives,
    "f1_score": F1Score, "f_beta_score": FBetaScore,
    "io_u": IoU, "mean_io_u": MeanIoU, "binary_io_u": BinaryIoU, "one_hot_io_u": OneHotIoU,
    "one_hot_mean_io_u": OneHotMeanIoU,
    "binary_crossentropy": BinaryCrossentropy, "bce": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "kl_divergence": KLDivergence, "poisson": Poisson,
    "hinge": Hinge, "squared_hinge": SquaredHinge, "categorical_hinge": CategoricalHinge,
    "cosine_similarity": CosineSimilarity, "log_cosh_error": LogCoshError, "r2_score": R2Score,
    "pearson_correlation": PearsonCorrelation, "concordance_correlation": ConcordanceCorrelation,
    "precision_at_recall": PrecisionAtRecall, "recall_at_precision": RecallAtPrecision,
    "sensitivity_at_specificity": SensitivityAtSpecificity, "specificity_at_sensitivity": SpecificityAtSensitivity,
}
ALL.update({cls.__name__.lower(): cls for cls in set(ALL.values())})
FUNCTIONS = {
    accuracy: Accuracy, binary_accuracy: BinaryAccuracy, categorical_accuracy: CategoricalAccuracy,
    sparse_categorical_accuracy: SparseCategoricalAccuracy, mean_squared_error: MeanSquaredError,
    mean_absolute_error: MeanAbsoluteError, top_k_categorical_accuracy: TopKCategoricalAccuracy,
    mean_absolute_percentage_error: MeanAbsolutePercentageError,
    mean_squared_logarithmic_error: MeanSquaredLogarithmicError,
    sparse_top_k_categorical_accuracy: SparseTopKCategoricalAccuracy,
    binary_crossentropy: BinaryCrossentropy, categorical_crossentropy: CategoricalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy, kl_divergence: KLDivergence, poisson: Poisson,
    hinge: Hinge, squared_hinge: SquaredHinge, categorical_hinge: CategoricalHinge,
    pearson_correlation: PearsonCorrelation, concordance_correlation: ConcordanceCorrelation,
}


def get(identifier):
    """Return a Metric for a name, a Metric, a metric class, a config dict, or a function ``fn(y_true, y_pred)``."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        return get(deserialize(identifier))
    if isinstance(identifier, str):
        loss = _loss(identifier)
        if loss is not None:  # Keras accepts loss names as metrics: the mean loss
            return LossMean(loss, name=identifier)
        found = lookup("metric", identifier, {**ALL, "acc": Accuracy})
        # a class (made with no arguments), or a registered custom function
        return _instantiate(identifier, found) if isinstance(found, type) else get(found)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if identifier in FUNCTIONS:
        return FUNCTIONS[identifier]()
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise ValueError(f"metric must be a name, a Metric or a function, got {identifier!r}")


def serialize(metric):
    """A Metric or metric function as Keras 3's config dict (``{"module": "keras.metrics", "class_name": ...}``)."""
    from glassnet.saving.serialization_lib import serialize_keras_object

    return serialize_keras_object(metric)


def deserialize(config, custom_objects=None):
    """The Metric or metric function a config (from ``serialize``, or a name) describes."""
    from glassnet.saving.serialization_lib import deserialize_keras_object

    if isinstance(config, str):
        if custom_objects and config in custom_objects:
            return custom_objects[config]
        return lookup("metric", config, {**{fn.__name__: fn for fn in FUNCTIONS}, **ALL})
    return deserialize_keras_object(config, custom_objects=custom_objects)


def _instantiate(name, cls):
    """``cls()``, or a clear error when the metric cannot be made from its name alone (MeanIoU needs num_classes)."""
    import inspect

    required = [p.name for p in inspect.signature(cls.__init__).parameters.values()
                if p.name != "self" and p.default is inspect.Parameter.empty
                and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    if required:
        arguments = ", ".join(f"{r}=..." for r in required)
        raise ValueError(f"Metric {name!r} needs arguments ({', '.join(required)}) and cannot be given by name; "
                         f"pass glassnet.metrics.{cls.__name__}({arguments}) instead")
    return cls()


def _loss(name):
    """The built-in Loss called ``name``, for names that are losses but not metrics."""
    from glassnet import losses

    if name.lower() in ALL:
        return None
    loss_class = losses.ALL.get(name.lower())
    return None if loss_class is None else loss_class()


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
