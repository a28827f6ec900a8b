"""The Layer base class: lazy building, weights, freezing, names, config, sub-layers, losses, input checks."""

import math

import numpy as np
import pytest

import glassnet
from glassnet import layers, ops
from glassnet.layers import InputSpec, KerasTensor, Layer


def _scalar(value):
    return float(np.asarray(value.numpy() if hasattr(value, "numpy") else value))


class Scale(Layer):
    """A minimal custom layer: one trainable vector, one non-trainable counter."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.counter = self.add_weight(shape=(), initializer="zeros", trainable=False, name="counter")
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

    def call(self, inputs):
        return ops.multiply(ops.multiply(inputs, self.w), self.factor)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class Block(Layer):
    """A custom layer holding sub-layers directly, in a list and in a dict."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = layers.Dense(4, name="first")
        self.stack = [layers.Dense(3, name="second"), layers.Dropout(0.5)]
        self.heads = {"out": layers.Dense(2, name="third")}
        self.alpha = self.add_weight(shape=(1,), initializer="ones", name="alpha")

    def call(self, inputs, training=None):
        x = self.first(inputs)
        for layer in self.stack:
            x = layer(x, training=training)
        return ops.multiply(self.heads["out"](x), self.alpha)


# --- building -------------------------------------------------------------------------------


def test_layer_builds_lazily_on_first_call_with_the_input_shape(rng):
    layer = Scale()
    assert not layer.built
    assert layer.weights == []
    out = layer(rng.standard_normal((3, 5)).astype("float32"))
    assert layer.built
    assert layer.w.shape == (5,)
    np.testing.assert_array_equal(layer.w.numpy(), np.ones(5, "float32"))
    assert out.shape == (3, 5)
    # A second call does not rebuild: the weight object is kept.
    w = layer.w
    layer(rng.standard_normal((2, 5)).astype("float32"))
    assert layer.w is w


def test_count_params_needs_a_built_layer():
    layer = layers.Dense(3)
    with pytest.raises(ValueError, match="not built"):
        layer.count_params()
    layer(np.zeros((1, 4), "float32"))
    assert layer.count_params() == 4 * 3 + 3


def test_add_weight_defaults_match_keras():
    layer = Layer(name="holder")
    glassnet.utils.set_random_seed(0)
    w = layer.add_weight(shape=(30, 20), name="w")
    assert w.dtype == np.float32
    assert w.trainable and w.requires_grad
    assert w.path == "holder/w"
    # Default float initializer is glorot_uniform: inside +-sqrt(6/(fan_in+fan_out)) and not all equal.
    limit = math.sqrt(6.0 / (30 + 20))
    assert np.all(np.abs(w.numpy()) <= limit)
    assert w.numpy().std() > limit / 3
    # Integer weights default to zeros.
    count = layer.add_weight(shape=(2,), dtype="int32", trainable=False, name="count")
    assert count.dtype == np.int32
    np.testing.assert_array_equal(count.numpy(), [0, 0])
    scalar = layer.add_weight(initializer="ones", name="s")
    assert scalar.shape == ()


def test_weights_order_trainable_first_then_sublayers(rng):
    layer = Scale(name="scale")
    layer(rng.standard_normal((2, 3)).astype("float32"))
    # counter was created first, but trainable weights come first.
    assert [w.path for w in layer.weights] == ["scale/w", "scale/counter"]
    assert [w.path for w in layer.trainable_weights] == ["scale/w"]
    assert [w.path for w in layer.non_trainable_weights] == ["scale/counter"]

    block = Block(name="block")
    block(rng.standard_normal((2, 5)).astype("float32"))
    assert [w.path for w in block.weights] == [
        "block/alpha", "first/kernel", "first/bias", "second/kernel", "second/bias", "third/kernel", "third/bias",
    ]
    assert len(block.trainable_weights) == 7
    assert block.non_trainable_weights == []


def test_get_weights_returns_copies_in_weights_order(rng):
    layer = layers.Dense(3)
    layer(rng.standard_normal((2, 4)).astype("float32"))
    kernel, bias = layer.get_weights()
    assert kernel.shape == (4, 3) and bias.shape == (3,)
    kernel[...] = 99.0  # a copy: the layer is untouched
    assert not np.any(layer.kernel.numpy() == 99.0)


def test_set_weights_assigns_values(rng):
    layer = layers.Dense(3)
    x = rng.standard_normal((2, 4)).astype("float32")
    layer(x)
    kernel = rng.standard_normal((4, 3)).astype("float32")
    bias = rng.standard_normal(3).astype("float32")
    layer.set_weights([kernel, bias])
    np.testing.assert_array_equal(layer.kernel.numpy(), kernel)
    np.testing.assert_allclose(layer(x).numpy(), x @ kernel + bias, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("bad", ["count", "shape"])
def test_set_weights_rejects_wrong_count_or_shape_and_assigns_nothing(bad):
    layer = layers.Dense(3, name="my_dense")
    layer(np.zeros((2, 4), "float32"))
    before = layer.get_weights()
    if bad == "count":
        new = [np.ones((4, 3), "float32")]
    else:  # right kernel, wrong bias: the kernel must not be written either
        new = [np.ones((4, 3), "float32"), np.ones((4,), "float32")]
    with pytest.raises(ValueError) as info:
        layer.set_weights(new)
    message = str(info.value)
    assert "my_dense" in message
    if bad == "count":
        assert "2" in message and "1" in message
    else:
        assert "(3,)" in message and "(4,)" in message
    for old, now in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(old, now)


# --- freezing -------------------------------------------------------------------------------


def test_trainable_false_freezes_weights(rng):
    layer = layers.Dense(3, trainable=False)
    x = glassnet.Tensor(rng.standard_normal((4, 5)).astype("float32"), requires_grad=True)
    out = layer(x)
    assert layer.trainable_weights == []
    assert len(layer.non_trainable_weights) == 2
    ops.sum(out).backward()
    assert layer.kernel.grad is None and layer.bias.grad is None
    assert x.grad is not None  # gradients still flow through to the input
    np.testing.assert_allclose(x.grad, np.tile(layer.kernel.numpy().sum(axis=1), (4, 1)), rtol=1e-5)

    layer.trainable = True
    assert [w.path for w in layer.trainable_weights] == ["dense/kernel", "dense/bias"]
    out = layer(x)
    ops.sum(out).backward()
    np.testing.assert_allclose(layer.bias.grad, np.full(3, 4.0), rtol=1e-6)


def test_freezing_a_parent_freezes_its_sublayers(rng):
    block = Block()
    block(rng.standard_normal((2, 5)).astype("float32"))
    block.trainable = False
    assert block.trainable_weights == []
    assert block.first.trainable_weights == []
    assert not block.first.kernel.requires_grad
    assert len(block.non_trainable_weights) == 7


def test_frozen_layer_drops_its_weight_penalties(rng):
    layer = layers.Dense(3, kernel_regularizer="l2")
    layer(rng.standard_normal((2, 4)).astype("float32"))
    assert len(layer.losses) == 1
    layer.trainable = False
    assert layer.losses == []


# --- names --------------------------------------------------------------------------------------


def test_unique_names_count_up_per_class():
    names = [layers.Dense(2).name for _ in range(3)]
    assert names == ["dense", "dense_1", "dense_2"]
    assert layers.Dropout(0.1).name == "dropout"
    assert layers.Flatten().name == "flatten"
    assert Scale().name == "scale"
    assert layers.Dense(2, name="custom").name == "custom"
    glassnet.utils.clear_session()
    assert layers.Dense(2).name == "dense"


def test_rejected_dense_uses_up_no_name():
    # Keras checks units before naming the layer.
    with pytest.raises(ValueError):
        layers.Dense(0)
    assert layers.Dense(1).name == "dense"


def test_unknown_constructor_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="unit"):
        layers.Dense(3, unit=4)


# --- config ------------------------------------------------------------------------------------


def test_custom_layer_config_round_trip(rng):
    layer = Scale(factor=3.5, name="sc", trainable=False)
    config = layer.get_config()
    assert config["factor"] == 3.5 and config["name"] == "sc" and config["trainable"] is False
    assert config["dtype"] == {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
                               "registered_name": None}  # as Keras 3 writes it
    clone = Scale.from_config(config)
    assert clone.factor == 3.5 and clone.name == "sc" and clone.trainable is False
    assert clone.get_config() == config
    x = rng.standard_normal((2, 3)).astype("float32")
    np.testing.assert_allclose(clone(x).numpy(), 3.5 * x, rtol=1e-6)


def test_base_layer_config_round_trip_keeps_input_shape():
    layer = layers.Dense(4, input_shape=(7,), name="first")
    config = layer.get_config()
    assert config["batch_input_shape"] == [None, 7]
    clone = layers.Dense.from_config(config)
    assert clone.get_config() == config


# --- sub-layers ---------------------------------------------------------------------------------


def test_sublayers_are_tracked_in_attributes_lists_and_dicts(rng):
    block = Block()
    assert [type(l).__name__ for l in block._layers] == ["Dense", "Dense", "Dropout", "Dense"]
    x = rng.standard_normal((3, 5)).astype("float32")
    out = block(x)
    assert out.shape == (3, 2)
    # Eval mode: the forward pass is the composition of the three Dense layers.
    expected = x @ block.first.kernel.numpy() + block.first.bias.numpy()
    expected = expected @ block.stack[0].kernel.numpy() + block.stack[0].bias.numpy()
    expected = (expected @ block.heads["out"].kernel.numpy() + block.heads["out"].bias.numpy()) * block.alpha.numpy()
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_sublayer_weights_get_gradients(rng):
    block = Block()
    x = rng.standard_normal((3, 5)).astype("float32")
    ops.sum(block(x, training=True)).backward()
    for weight in block.trainable_weights:
        assert weight.grad is not None and weight.grad.shape == weight.shape


# --- losses -------------------------------------------------------------------------------------


def test_add_loss_collects_and_sublayer_losses_propagate(rng):
    class Penalised(Layer):
        def call(self, inputs):
            self.add_loss(ops.multiply(ops.sum(ops.square(inputs)), 0.5))
            return inputs

    class Outer(Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.inner = Penalised()
            self.dense = layers.Dense(2, kernel_regularizer=glassnet.regularizers.L1(0.1))

        def call(self, inputs):
            return self.dense(self.inner(inputs))

    x = rng.standard_normal((2, 3)).astype("float32")
    outer = Outer()
    outer(x)
    values = sorted(_scalar(v) for v in outer.losses)
    expected = sorted([0.5 * float(np.sum(x.astype("float64") ** 2)),
                       0.1 * float(np.abs(outer.dense.kernel.numpy()).sum())])
    np.testing.assert_allclose(values, expected, rtol=1e-5)
    outer._clear_losses()
    assert len(outer.losses) == 1  # the kernel penalty is computed from the weight, not stored


# --- input checks ----------------------------------------------------------------------------------


def test_dense_wrong_last_dimension_error_names_layer_expected_and_got():
    layer = layers.Dense(10)
    layer(np.zeros((1, 784), "float32"))
    kernel = layer.kernel.numpy()
    with pytest.raises(ValueError) as info:
        layer(np.zeros((32, 100), "float32"))
    message = str(info.value)
    assert "dense" in message and "784" in message and "(32, 100)" in message
    np.testing.assert_array_equal(layer.kernel.numpy(), kernel)


def test_dense_given_images_hints_flatten():
    layer = layers.Dense(10)
    layer.build((None, 784))
    with pytest.raises(ValueError, match="Flatten"):
        layer(np.zeros((32, 28, 28), "float32"))


def test_dense_built_by_first_call_hints_flatten_for_images():
    layer = layers.Dense(10)
    layer(np.zeros((2, 784), "float32"))
    with pytest.raises(ValueError) as info:
        layer(np.zeros((32, 28, 28), "float32"))
    assert "Flatten" in str(info.value) and "(32, 28, 28)" in str(info.value)


def test_dense_given_one_sample_without_batch_axis_says_so():
    layer = layers.Dense(3)
    with pytest.raises(ValueError) as info:
        layer(np.zeros((4,), "float32"))
    message = str(info.value)
    assert "dense" in message and "(4,)" in message and "batch" in message
    # Rejected before building (as Keras checks input_spec first): no weights were made,
    # so the corrected call still works with any input size.
    assert not layer.built and layer.weights == []
    assert layer(np.zeros((2, 5), "float32")).shape == (2, 3)


def test_custom_input_spec_rank_is_checked():
    class Rank3(Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.input_spec = InputSpec(ndim=3)

    layer = Rank3(name="needs_three")
    assert layer(np.zeros((2, 3, 4), "float32")).shape == (2, 3, 4)
    with pytest.raises(ValueError) as info:
        layer(np.zeros((2, 3), "float32"))
    assert "needs_three" in str(info.value) and "3 dimensions" in str(info.value)


# --- symbolic calls ----------------------------------------------------------------------------------


def test_symbolic_calls_give_keras_tensors_with_shapes():
    inputs = glassnet.Input(shape=(28, 28))
    assert isinstance(inputs, KerasTensor)
    assert inputs.shape == (None, 28, 28)
    x = layers.Flatten()(inputs)
    assert isinstance(x, KerasTensor) and x.shape == (None, 784)
    dense = layers.Dense(32, activation="relu")
    x = dense(x)
    assert x.shape == (None, 32) and x.dtype == "float32"
    assert dense.built and dense.kernel.shape == (784, 32)
    assert dense.output is x
    x = layers.Dropout(0.5)(x)
    assert x.shape == (None, 32)
    x = layers.Reshape((4, -1))(x)
    assert x.shape == (None, 4, 8)
    x = layers.Activation("softmax")(x)
    assert x.shape == (None, 4, 8)
    assert layers.Dense(5)(x).shape == (None, 4, 5)


def test_symbolic_call_with_wrong_shape_raises():
    layer = layers.Dense(3)
    layer(glassnet.Input(shape=(8,)))
    with pytest.raises(ValueError, match="8"):
        layer(glassnet.Input(shape=(9,)))


def test_input_with_batch_size_keeps_it():
    inputs = glassnet.Input(shape=(3,), batch_size=16)
    assert inputs.shape == (16, 3)
    assert layers.Dense(2)(inputs).shape == (16, 2)


def test_unfreezing_keeps_truly_non_trainable_weights_out(rng):
    layer = Scale(name="scale")
    layer(rng.standard_normal((2, 3)).astype("float32"))
    layer.trainable = False
    assert layer.trainable_weights == []
    assert [w.path for w in layer.non_trainable_weights] == ["scale/w", "scale/counter"]
    layer.trainable = True
    assert [w.path for w in layer.trainable_weights] == ["scale/w"]
    assert [w.path for w in layer.non_trainable_weights] == ["scale/counter"]
    assert not layer.counter.requires_grad


def test_weights_created_while_frozen_become_trainable_when_unfrozen(rng):
    layer = layers.Dense(2, trainable=False)
    layer(rng.standard_normal((1, 3)).astype("float32"))
    assert not layer.kernel.requires_grad
    layer.trainable = True
    assert layer.kernel.requires_grad and len(layer.trainable_weights) == 2


def test_set_weights_on_unbuilt_layer_is_a_clear_error():
    layer = layers.Dense(2, name="fresh")
    with pytest.raises(ValueError, match="fresh"):
        layer.set_weights([np.zeros((3, 2)), np.zeros(2)])


def test_dense_needs_a_known_last_dimension():
    with pytest.raises(ValueError, match="last input dimension"):
        layers.Dense(3)(glassnet.Input(shape=(None,)))


def test_input_layer_config_round_trip():
    from glassnet.layers import InputLayer

    layer = InputLayer(shape=(4, 2), name="pixels")
    config = layer.get_config()
    assert config["batch_shape"] == [None, 4, 2] and config["name"] == "pixels"
    clone = InputLayer.from_config(config)
    assert clone.batch_shape == (None, 4, 2) and clone.output_tensor.shape == (None, 4, 2)
    with pytest.raises(ValueError, match="shape"):
        InputLayer()
