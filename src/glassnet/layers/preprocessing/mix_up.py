"""MixUp: blend each image (and its label) with another image of the batch, in training."""

import numbers

import numpy as np

from glassnet.autodiff.tensor import Tensor
from glassnet.layers.preprocessing.keras_image_augmentation import KerasImageAugmentation


def mix_labels(labels, order, weight):
    """w y + (1 - w) y[order], per sample (Zhang et al., 2018)."""
    labels = np.asarray(labels.data if isinstance(labels, Tensor) else labels, dtype=np.float32)
    weight = weight.reshape((-1,) + (1,) * (labels.ndim - 1)).astype(np.float32)
    return Tensor(weight * labels + (1.0 - weight) * labels[order])


class LabelMixing(KerasImageAugmentation):
    """Augmentations that mix pairs of samples: called on images, or on {"images": ..., "labels": ...}."""

    def call(self, inputs, training=None):
        if not isinstance(inputs, dict):
            return super().call(inputs, training=training)
        images = super().call(inputs["images"], training=training)
        out = dict(inputs, images=images)
        if training and "labels" in inputs:
            out["labels"] = mix_labels(inputs["labels"], self._order, self._label_weight)
        return out

    def compute_output_shape(self, input_shape):
        return input_shape


class MixUp(LabelMixing):
    """In training, x_i -> w_i x_i + (1 - w_i) x_j for a random permutation j of the batch, with
    w_i ~ Beta(alpha, alpha); labels, when given in a dict, are mixed with the same weights. Identity at
    inference."""

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or alpha <= 0:
            raise ValueError(f"{self._who()}: `alpha` must be a positive number, got alpha={alpha!r}")
        self.alpha = alpha

    def transform(self, images):
        batch = images.shape[0]
        self._order = self.generator.permutation(batch)
        weight = self.generator.beta(self.alpha, self.alpha, size=batch)
        self._label_weight = weight
        weight = weight.astype(images.dtype)[:, None, None, None]
        return weight * images + (1.0 - weight) * images[self._order]

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config
