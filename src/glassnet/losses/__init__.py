"""Loss functions, as ``keras.losses``: classes, functions, names, ``get``, ``serialize`` and ``deserialize``.

One module per family: ``loss`` (the base class, reductions, masks),
``targets`` (what targets each loss takes, shared with the metrics),
``regression``, ``crossentropy``, ``probabilistic``, ``margin`` (hinge),
``segmentation`` (Dice, Tversky), ``similarity`` (Circle), ``sequence`` (CTC).
"""

from glassnet.losses.crossentropy import (
    BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy, CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy, SparseCategoricalCrossentropy, binary_crossentropy, binary_focal_crossentropy,
    categorical_crossentropy, categorical_focal_crossentropy, categorical_generalized_cross_entropy,
    sparse_categorical_crossentropy,
)
from glassnet.losses.loss import (
    REDUCTIONS, ElementwiseLoss, Loss, LossFunctionWrapper, OneHotLoss, SparseLoss, apply_mask, reduce_values,
)
from glassnet.losses.margin import CategoricalHinge, Hinge, SquaredHinge, categorical_hinge, hinge, squared_hinge
from glassnet.losses.probabilistic import KLDivergence, Poisson, kl_divergence, poisson
from glassnet.losses.regression import (
    CosineSimilarity, Huber, LogCosh, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError,
    MeanSquaredLogarithmicError, cosine_similarity, huber, log_cosh, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_error, mean_squared_logarithmic_error,
)
from glassnet.losses.segmentation import Dice, Tversky, dice, tversky
from glassnet.losses.sequence import CTC, ctc
from glassnet.losses.similarity import Circle, circle
from glassnet.losses.targets import (
    aligned_shapes, check_class_ids, check_one_hot_targets, check_same_shape, check_sparse_targets, shape_text,
    shapes_match,
)
from glassnet.utils.registry import lookup

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence
bce = BCE = binary_crossentropy

FUNCTIONS = {
    mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError,
    mean_absolute_percentage_error: MeanAbsolutePercentageError,
    mean_squared_logarithmic_error: MeanSquaredLogarithmicError, huber: Huber, log_cosh: LogCosh,
    cosine_similarity: CosineSimilarity, categorical_crossentropy: CategoricalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy, binary_crossentropy: BinaryCrossentropy,
    binary_focal_crossentropy: BinaryFocalCrossentropy, categorical_focal_crossentropy: CategoricalFocalCrossentropy,
    categorical_generalized_cross_entropy: CategoricalGeneralizedCrossEntropy, kl_divergence: KLDivergence,
    poisson: Poisson, hinge: Hinge, squared_hinge: SquaredHinge, categorical_hinge: CategoricalHinge, dice: Dice,
    tversky: Tversky, circle: Circle, ctc: CTC,
}
# Keras 3's names: each function's name and each class's name (lower-cased here), and the short aliases
ALL = {fn.__name__: cls for fn, cls in FUNCTIONS.items()}
ALL.update({"mse": MeanSquaredError, "mae": MeanAbsoluteError, "mape": MeanAbsolutePercentageError,
            "msle": MeanSquaredLogarithmicError, "kld": KLDivergence, "bce": BinaryCrossentropy,
            "huber_loss": Huber})
ALL.update({cls.__name__.lower(): cls for cls in set(ALL.values())})


def get(identifier):
    """Return a Loss for a name, a Loss, a loss class, a config dict, or a function ``fn(y_true, y_pred)``."""
    if identifier is None:
        return None
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, dict):
        return get(deserialize(identifier))
    if isinstance(identifier, str):
        found = lookup("loss", identifier, ALL)
        if not isinstance(found, type):  # a registered custom loss function
            return get(found)
        loss = found()
        loss.name = identifier
        return loss
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if identifier in FUNCTIONS:
        return FUNCTIONS[identifier]()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise ValueError(f"loss must be a name, a Loss or a function, got {identifier!r}")


def serialize(loss):
    """A Loss or loss function as Keras 3's config dict (``{"module": "keras.losses", "class_name": ...}``)."""
    from glassnet.saving.serialization_lib import serialize_keras_object

    return serialize_keras_object(loss)


def deserialize(config, custom_objects=None):
    """The Loss or loss function a config (from ``serialize``, or a name) describes."""
    from glassnet.saving.serialization_lib import deserialize_keras_object

    if isinstance(config, str):
        if custom_objects and config in custom_objects:
            return custom_objects[config]
        return lookup("loss", config, {**{fn.__name__: fn for fn in FUNCTIONS}, **_ALIASES,
                                       **{cls.__name__.lower(): cls for cls in FUNCTIONS.values()}})
    return deserialize_keras_object(config, custom_objects=custom_objects)


_ALIASES = {"mse": mse, "mae": mae, "mape": mape, "msle": msle, "kld": kld, "bce": bce}
