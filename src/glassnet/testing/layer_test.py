"""``run_layer_test``: check a layer's shapes, weights, config and one training step in one call.

Public, so users can check their own layers the way glassnet checks its own.
"""

import numpy as np

from glassnet.autodiff.tensor import Tensor
from glassnet.layers.keras_tensor import KerasTensor


def run_layer_test(layer_class, init_kwargs=None, input_shape=(2, 3), input_data=None, expected_output_shape=None,
                   expected_num_trainable_weights=None, expected_num_non_trainable_weights=None,
                   run_training_check=True, seed=0):
    """Build ``layer_class(**init_kwargs)`` on ``input_shape`` and check it thoroughly.

    Checks: the eager output shape (against ``expected_output_shape`` and
    against ``compute_output_shape`` / a symbolic call), the weight counts,
    that ``from_config(get_config())`` gives a layer with the same output for
    the same weights, and (``run_training_check``) that a backward pass gives
    every trainable weight a finite gradient of the right shape. Returns the
    built layer.
    """
    init_kwargs = dict(init_kwargs or {})
    rng = np.random.default_rng(seed)
    data = rng.standard_normal(input_shape).astype("float32") if input_data is None else np.asarray(input_data)
    layer = layer_class(**init_kwargs)
    output = layer(data)
    out_shape = tuple(output.shape)
    if expected_output_shape is not None and out_shape != tuple(expected_output_shape):
        raise AssertionError(f"{layer_class.__name__}: output shape {out_shape}, expected {expected_output_shape}")
    symbolic = layer_class(**init_kwargs)(KerasTensor((None,) + tuple(data.shape[1:]), dtype=str(data.dtype)))
    if tuple(symbolic.shape[1:]) != out_shape[1:]:
        raise AssertionError(f"{layer_class.__name__}: symbolic output shape {symbolic.shape} disagrees with the "
                             f"eager output shape {out_shape}")
    if expected_num_trainable_weights is not None and len(layer.trainable_weights) != expected_num_trainable_weights:
        raise AssertionError(f"{layer_class.__name__}: {len(layer.trainable_weights)} trainable weights, expected "
                             f"{expected_num_trainable_weights}")
    if expected_num_non_trainable_weights is not None and \
            len(layer.non_trainable_weights) != expected_num_non_trainable_weights:
        raise AssertionError(f"{layer_class.__name__}: {len(layer.non_trainable_weights)} non-trainable weights, "
                             f"expected {expected_num_non_trainable_weights}")
    _check_config_round_trip(layer, data, output)
    if run_training_check:
        _check_gradients(layer, data)
    return layer


def _check_config_round_trip(layer, data, output):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    clone(data)
    clone.set_weights(layer.get_weights())
    again = clone(data)
    if not np.allclose(np.asarray(again.numpy()), np.asarray(output.numpy()), atol=1e-6):
        raise AssertionError(f"{type(layer).__name__}: from_config(get_config()) with the same weights gives "
                             "different outputs")


def _check_gradients(layer, data):
    for weight in layer.trainable_weights:
        weight.grad = None
    inputs = Tensor(data, requires_grad=data.dtype.kind == "f")
    output = layer(inputs, training=True)
    if not output.requires_grad:
        return
    (output * Tensor(np.ones(output.shape, dtype=output.dtype))).sum().backward()
    for weight in layer.trainable_weights:
        if weight.grad is None:
            raise AssertionError(f"{type(layer).__name__}: weight '{weight.path}' got no gradient")
        if weight.grad.shape != weight.shape or not np.all(np.isfinite(weight.grad)):
            raise AssertionError(f"{type(layer).__name__}: gradient of '{weight.path}' is malformed")
