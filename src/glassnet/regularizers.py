"""Weight penalties added to the training loss, as ``keras.regularizers``.

L1: l1 * sum(|w|);  L2: l2 * sum(w^2);  L1L2: both. Keras' defaults are
0.01 for ``L1()``/``L2()`` and 0.0 for ``L1L2()``.
"""

from glassnet import ops
from glassnet.utils.registry import lookup


class Regularizer:
    """Base class: ``regularizer(weight) -> scalar penalty Tensor``."""

    def __call__(self, x):
        return 0.0

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    """``l1 * sum(|w|) + l2 * sum(w^2)``."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x):
        penalty = None
        if self.l1:
            penalty = ops.multiply(ops.sum(ops.abs(x)), self.l1)
        if self.l2:
            term = ops.multiply(ops.sum(ops.square(x)), self.l2)
            penalty = term if penalty is None else ops.add(penalty, term)
        return penalty if penalty is not None else 0.0

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """``l1 * sum(|w|)``, l1 = 0.01 by default."""

    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    """``l2 * sum(w^2)``, l2 = 0.01 by default."""

    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2-D kernel to be orthogonal to each other.

        n_i = w_i / max(||w_i||, epsilon)   (rows, or columns with mode="columns")
        penalty = factor * 0.5 * sum_{i != j} |n_i . n_j| / (k (k - 1) / 2),  k the number of rows (columns)

    Keras' defaults: factor 0.01, mode "rows".
    """

    def __init__(self, factor=0.01, mode="rows"):
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0 <= factor < float("inf"):
            raise ValueError(f"OrthogonalRegularizer: factor must be a non-negative number, got {factor!r}")
        if mode not in ("rows", "columns"):
            raise ValueError(f"OrthogonalRegularizer: mode must be 'rows' or 'columns', got {mode!r}")
        self.factor, self.mode = float(factor), mode

    def __call__(self, x):
        if len(x.shape) != 2:
            raise ValueError(f"Inputs to OrthogonalRegularizer must have rank 2, got shape {tuple(x.shape)}")
        if self.mode == "rows":
            unit = ops.nn.normalize(x, axis=1)
            product, size = ops.matmul(unit, ops.transpose(unit)), x.shape[0]
        else:
            unit = ops.nn.normalize(x, axis=0)
            product, size = ops.matmul(ops.transpose(unit), unit), x.shape[1]
        off_diagonal = ops.multiply(product, 1.0 - ops.eye(size, dtype=product.dtype))
        pairs = size * (size - 1.0) / 2.0
        return ops.multiply(ops.sum(ops.abs(off_diagonal)), self.factor * 0.5 / pairs)

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


ALL = {"l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2, "orthogonal_regularizer": OrthogonalRegularizer}
l1, l2 = L1, L2  # Keras' lowercase aliases: keras.regularizers.l2(1e-4)
orthogonal_regularizer = OrthogonalRegularizer


def serialize(regularizer):
    """``{"module": "keras.regularizers", "class_name": ..., "config": ..., "registered_name": ...}``, as Keras."""
    from glassnet.saving.serialization_lib import serialize_keras_object

    return serialize_keras_object(regularizer)


def deserialize(config, custom_objects=None):
    """The regularizer a config dict describes (Keras' format, or the short ``{"class_name", "config"}``)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"A regularizer config must be a dict with 'class_name' and 'config', got {config!r}")
    if "module" not in config:
        cls = (custom_objects or {}).get(config["class_name"])
        return cls.from_config(config.get("config") or {}) if cls else get(config)
    from glassnet.saving.serialization_lib import deserialize_keras_object

    return deserialize_keras_object(config, custom_objects=custom_objects)


def get(identifier):
    """Return a regularizer for a name ("l1", "l2", "l1_l2"), an instance, a callable or a config."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        return lookup("regularizer", identifier, ALL)()
    if isinstance(identifier, dict):
        cls = lookup("regularizer", identifier["class_name"], {**ALL, **{c.__name__.lower(): c for c in ALL.values()}})
        return cls.from_config(identifier.get("config", {}))
    if callable(identifier):
        return identifier
    raise ValueError(f"regularizer must be a name, a Regularizer or a callable, got {identifier!r}")


def l1_l2(l1=0.01, l2=0.01):
    """Keras' shortcut: an L1L2 regularizer with both factors 0.01 by default."""
    return L1L2(l1=l1, l2=l2)
