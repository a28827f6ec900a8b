"""HashedCrossing: cross scalar categorical features into one of ``num_bins`` bins."""

import numpy as np

from glassnet.autodiff.tensor import Tensor
from glassnet.layers.keras_tensor import is_symbolic
from glassnet.layers.layer import Layer
from glassnet.layers.preprocessing.category_encoding import one_hot
from glassnet.layers.preprocessing.hash_functions import CROSS_HASH_KEY, fingerprint64, fingerprint_cat64
from glassnet.layers.preprocessing.hashing import check_hash_layer_arguments

OUTPUT_MODES = ("int", "one_hot")


def _feature_words(values):
    """One 64-bit word per value: Fingerprint64 of a string, the two's-complement integer itself."""
    if values.dtype.kind in "iub":
        return [int(v) & ((1 << 64) - 1) for v in values.astype(np.int64).tolist()]
    return [fingerprint64(v) for v in values.tolist()]


class HashedCrossing(Layer):
    """bin = FingerprintCat64(... FingerprintCat64(0xDECAFCAFFE, f1) ..., fn) mod num_bins, the
    ``tf.sparse.cross_hashed`` of Keras, where fi is Fingerprint64 of a string feature or an integer
    feature's value. Inputs are a tuple of features of shape (batch,), (batch, 1) or (); ``output_mode``
    "one_hot" encodes the bins.
    """

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None, **kwargs):
        if dtype is None:
            dtype = "int64" if output_mode == "int" else None
        super().__init__(name=name, dtype=dtype, **kwargs)
        who = f"HashedCrossing '{self.name}'"
        check_hash_layer_arguments(who, num_bins, output_mode, OUTPUT_MODES, self.dtype, sparse)
        self.num_bins = int(num_bins)
        self.output_mode = output_mode
        self.sparse = False

    def __call__(self, inputs, *args, **kwargs):
        if not isinstance(inputs, (tuple, list)) or len(inputs) < 2:
            raise ValueError(f"HashedCrossing '{self.name}' expects a tuple of at least two features, "
                             f"got {type(inputs).__name__}")
        if not is_symbolic(inputs):
            inputs = tuple(f if isinstance(f, Tensor) else Tensor(np.asarray(f)) for f in inputs)
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs):
        features = [np.asarray(f.data if isinstance(f, Tensor) else f) for f in inputs]
        shapes = {f.shape for f in features}
        if len(shapes) != 1 or features[0].ndim > 2 or features[0].ndim == 2 and features[0].shape[1] != 1:
            raise ValueError(f"HashedCrossing '{self.name}' expects scalar features of the same shape (batch,), "
                             f"(batch, 1) or (), got shapes {[f.shape for f in features]}")
        shape = features[0].shape
        crossed = [CROSS_HASH_KEY] * int(np.prod(shape, dtype=np.int64))
        for feature in features:
            crossed = [fingerprint_cat64(c, w) for c, w in zip(crossed, _feature_words(feature.reshape(-1)))]
        bins = np.asarray([c % self.num_bins for c in crossed], dtype=np.int64).reshape(shape)
        if self.output_mode == "int":
            return Tensor(bins.astype(self.dtype))
        if bins.ndim == 2:
            bins = bins[:, 0]
        return Tensor(one_hot(bins, self.num_bins, self.dtype))

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape[0])
        if self.output_mode == "int":
            return shape
        return (shape[:1] if shape else ()) + (self.num_bins,)

    def get_config(self):
        config = super().get_config()
        config.update({"num_bins": self.num_bins, "output_mode": self.output_mode, "sparse": self.sparse})
        return config
