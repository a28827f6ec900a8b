"""BatchNormalization behaviour, against NumPy formulas: which statistics each mode uses, the moving
averages (momentum 0.99, biased variance), frozen layers, non-channels-last axes, and how its
weights are counted."""

import numpy as np
import pytest

import glassnet
from glassnet import layers


def data(*shape, seed=0, scale=2.0, shift=1.0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale + shift).astype("float32")


def set_stats(bn, rng, channels):
    gamma, beta = rng.uniform(0.5, 1.5, channels), rng.standard_normal(channels)
    mean, var = rng.standard_normal(channels), rng.uniform(0.5, 2.0, channels)
    values = [v.astype("float32") for v in (gamma, beta, mean, var)]
    bn.set_weights(values)
    return values


def summary_counts(model):
    lines = []
    model.summary(print_fn=lines.append)
    counts = {}
    for line in lines:
        for label in ("Total params:", "Trainable params:", "Non-trainable params:"):
            if line.strip().startswith(label):
                counts[label[:-len(" params:")]] = int(line.split(":")[1].split("(")[0].replace(",", ""))
    return counts


def test_moving_statistics_are_non_trainable_weights():
    bn = layers.BatchNormalization()
    bn.build((None, 4))
    assert [w.name for w in bn.trainable_weights] == ["gamma", "beta"]
    assert [w.name for w in bn.non_trainable_weights] == ["moving_mean", "moving_variance"]
    assert [w.name for w in bn.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    np.testing.assert_array_equal(bn.moving_mean.numpy(), np.zeros(4))
    np.testing.assert_array_equal(bn.moving_variance.numpy(), np.ones(4))


def test_summary_counts_moving_statistics_as_non_trainable():
    model = glassnet.Sequential([glassnet.Input((6, 6, 3)), layers.Conv2D(4, 3), layers.BatchNormalization(),
                                 layers.Flatten(), layers.Dense(2), layers.BatchNormalization(center=False)])
    conv, dense = 3 * 3 * 3 * 4 + 4, 4 * 4 * 4 * 2 + 2
    counts = summary_counts(model)
    assert counts == {"Total": conv + dense + 4 * 4 + 3 * 2, "Trainable": conv + dense + 2 * 4 + 2,
                      "Non-trainable": 2 * 4 + 2 * 2}


def test_frozen_batch_normalization_counts_every_weight_as_non_trainable():
    bn = layers.BatchNormalization()
    model = glassnet.Sequential([glassnet.Input((5,)), bn])
    bn.trainable = False
    assert bn.trainable_weights == []
    assert summary_counts(model) == {"Total": 20, "Trainable": 0, "Non-trainable": 20}


def test_training_uses_batch_statistics_and_updates_moving_averages(rng):
    bn = layers.BatchNormalization()
    bn.build((None, 4, 5, 3))
    gamma, beta, mean0, var0 = set_stats(bn, rng, 3)
    x = data(6, 4, 5, 3)
    y = bn(x, training=True).numpy()
    batch_mean, batch_var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))  # biased
    np.testing.assert_allclose(y, gamma * (x - batch_mean) / np.sqrt(batch_var + 1e-3) + beta, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.99 * mean0 + 0.01 * batch_mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.99 * var0 + 0.01 * batch_var, rtol=1e-5, atol=1e-6)
    unbiased = x.var(axis=(0, 1, 2), ddof=1)
    assert not np.allclose(bn.moving_variance.numpy(), 0.99 * var0 + 0.01 * unbiased, rtol=1e-6, atol=0)


@pytest.mark.parametrize("call", [dict(training=False), dict()], ids=["training_false", "default"])
def test_inference_uses_moving_statistics_and_leaves_them_alone(call, rng):
    bn = layers.BatchNormalization(epsilon=1e-2)
    bn.build((None, 7, 2))
    gamma, beta, mean, var = set_stats(bn, rng, 2)
    x = data(5, 7, 2)
    y = bn(x, **call).numpy()
    np.testing.assert_allclose(y, gamma * (x - mean) / np.sqrt(var + 1e-2) + beta, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), mean)
    np.testing.assert_array_equal(bn.moving_variance.numpy(), var)


def test_trainable_false_runs_in_inference_mode_even_when_training(rng):
    bn = layers.BatchNormalization()
    bn.build((None, 3))
    gamma, beta, mean, var = set_stats(bn, rng, 3)
    bn.trainable = False
    x = data(16, 3, scale=5.0, shift=-3.0)
    y = bn(x, training=True).numpy()
    np.testing.assert_allclose(y, gamma * (x - mean) / np.sqrt(var + 1e-3) + beta, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), mean)
    np.testing.assert_array_equal(bn.moving_variance.numpy(), var)
    bn.trainable = True  # unfreezing brings batch statistics back
    y = bn(x, training=True).numpy()
    np.testing.assert_allclose(y.mean(axis=0), beta, atol=1e-4)


def test_frozen_batch_normalization_inside_fit_changes_nothing(rng):
    bn = layers.BatchNormalization(name="bn")
    model = glassnet.Sequential([glassnet.Input((4,)), layers.Dense(3, name="d"), bn, layers.Dense(1)])
    values = set_stats(bn, rng, 3)
    bn.trainable = False
    model.compile(optimizer="sgd", loss="mse")
    dense_before = model.layers[0].kernel.numpy().copy()
    model.fit(data(32, 4), data(32, 1), epochs=2, batch_size=8, verbose=0)
    for weight, value in zip(bn.weights, values):
        np.testing.assert_array_equal(weight.numpy(), value)
    assert not np.array_equal(model.layers[0].kernel.numpy(), dense_before)  # the rest still trains


def test_fit_updates_moving_statistics_once_per_batch_and_predict_does_not():
    bn = layers.BatchNormalization(momentum=0.5)
    model = glassnet.Sequential([glassnet.Input((2,)), bn])
    model.compile(optimizer=glassnet.optimizers.SGD(learning_rate=0.0), loss="mse")
    x = data(8, 2, scale=3.0, shift=2.0)
    model.fit(x, np.zeros((8, 2), "float32"), batch_size=4, epochs=1, shuffle=False, verbose=0)
    mean, var = np.zeros(2), np.ones(2)
    for batch in (x[:4], x[4:]):
        mean = 0.5 * mean + 0.5 * batch.mean(axis=0)
        var = 0.5 * var + 0.5 * batch.var(axis=0)
    np.testing.assert_allclose(bn.moving_mean.numpy(), mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.numpy(), var, rtol=1e-5, atol=1e-6)
    prediction = model.predict(x, verbose=0)
    model.evaluate(x, np.zeros((8, 2), "float32"), verbose=0)
    np.testing.assert_allclose(bn.moving_mean.numpy(), mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(prediction, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)


def test_axis_1_on_4d_input_normalises_per_channel_of_axis_1(rng):
    bn = layers.BatchNormalization(axis=1)
    x = data(4, 3, 5, 6)
    y = bn(x, training=True).numpy()
    assert bn.gamma.shape == (3,) and bn.moving_mean.shape == (3,)
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.01 * mean.ravel(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.99 + 0.01 * var.ravel(), rtol=1e-6)
    gamma, beta, mm, mv = set_stats(bn, rng, 3)
    y = bn(x, training=False).numpy()
    shape = (1, 3, 1, 1)
    expected = gamma.reshape(shape) * (x - mm.reshape(shape)) / np.sqrt(mv.reshape(shape) + 1e-3) + beta.reshape(shape)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)


def test_negative_axis_other_than_last(rng):
    bn = layers.BatchNormalization(axis=-2)
    x = data(5, 4, 2)
    y = bn(x, training=True).numpy()
    mean, var = x.mean(axis=(0, 2), keepdims=True), x.var(axis=(0, 2), keepdims=True)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    assert bn.moving_mean.shape == (4,)


def test_training_output_has_zero_mean_unit_variance_per_channel():
    bn = layers.BatchNormalization(epsilon=1e-6)
    y = bn(data(64, 3, scale=7.0, shift=-4.0), training=True).numpy()
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(y.var(axis=0), 1.0, rtol=1e-4)


def test_gradients_flow_to_gamma_and_beta_but_not_to_moving_statistics():
    bn = layers.BatchNormalization()
    x = glassnet.Tensor(data(8, 3), requires_grad=True)
    out = bn(x, training=True)
    glassnet.ops.sum(glassnet.ops.multiply(out, data(8, 3, seed=1))).backward()
    assert bn.gamma.grad is not None and bn.beta.grad is not None
    assert bn.moving_mean.grad is None and bn.moving_variance.grad is None


@pytest.mark.parametrize("kwargs", [dict(momentum=1.5), dict(axis=[1, 2])])
def test_invalid_arguments(kwargs):
    with pytest.raises(ValueError, match="BatchNormalization"):
        layers.BatchNormalization(**kwargs)
