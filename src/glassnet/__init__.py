"""glassnet: a readable deep-learning framework on NumPy with the Keras API.

    import glassnet as keras
    from glassnet import layers

    model = keras.Sequential([keras.Input(shape=(28, 28)), layers.Flatten(),
                              layers.Dense(128, activation="relu"), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

Importing glassnet imports NumPy and glassnet's own modules only; tqdm,
threadpoolctl, h5py and matplotlib load when first needed.
"""

from glassnet import (
    activations, backend, callbacks, config, constraints, datasets, dtype_policies, initializers, layers, losses,
    metrics, mixed_precision, models, ops, optimizers, preprocessing, random, regularizers, saving, tree, utils,
)
from glassnet.dtype_policies import DTypePolicy
from glassnet.autodiff import Tensor, Variable, no_grad
from glassnet.layers import Input, Layer
from glassnet.models import Model, Sequential

__version__ = "0.1.0"


def __getattr__(name):
    """``glassnet.applications`` (the big ready-made models) is imported on first use, to keep this import fast."""
    if name == "applications":
        import importlib

        return importlib.import_module("glassnet.applications")
    raise AttributeError(f"module 'glassnet' has no attribute {name!r}")

__all__ = [
    "DTypePolicy", "Input", "Layer", "Model", "Sequential", "Tensor", "Variable", "activations", "backend",
    "callbacks", "config", "constraints", "datasets", "dtype_policies", "initializers", "layers", "losses", "metrics",
    "mixed_precision", "models", "no_grad", "ops",
    "optimizers", "preprocessing", "random", "regularizers", "saving", "tree", "utils",
]
