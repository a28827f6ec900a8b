"""compile(jit_compile="auto") replays a traced step: every result must be the eager one, bit for bit.

Each case trains the same model twice from the same seed, once with
``jit_compile="auto"`` and once with ``jit_compile=False``, and compares the
history (loss and metrics of every epoch, validation included), every weight
and every optimizer variable with exact equality. The cases that must use
the plan also check that it replayed steps; the fallback cases check that it
did not.
"""

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers

N = 150  # 150 / 32: four full batches and a partial one of 22


def _data(shape, classes=10, n=N, seed=1, one_hot=False):
    rng = np.random.default_rng(seed)
    x = rng.random((n,) + shape).astype("float32")
    y = rng.integers(0, classes, n)
    return x, (np.eye(classes, dtype="float32")[y] if one_hot else y)


def _train(build, jit_compile, x, y, loss="sparse_categorical_crossentropy", optimizer="adam", epochs=2,
           metrics=("accuracy",), **fit_kwargs):
    gn.utils.set_random_seed(0)
    model = build()
    opt = optimizer() if callable(optimizer) else optimizer
    model.compile(loss=loss, optimizer=opt, metrics=list(metrics), jit_compile=jit_compile)
    history = model.fit(x, y, epochs=epochs, verbose=0, **fit_kwargs)
    return model, history.history


def _assert_same(build, x, y, expect_replays=True, **kwargs):
    compiled, compiled_history = _train(build, "auto", x, y, **kwargs)
    eager, eager_history = _train(build, False, x, y, **kwargs)
    assert eager._compiled_step is None
    assert compiled_history == eager_history  # floats compared exactly
    weights_a, weights_b = compiled.get_weights(), eager.get_weights()
    assert len(weights_a) == len(weights_b) > 0
    for a, b in zip(weights_a, weights_b):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    for a, b in zip(compiled.optimizer.variables, eager.optimizer.variables):
        assert np.array_equal(a, b)
    replays = compiled._compiled_step.replays
    if expect_replays:
        assert replays > 0
    else:
        assert replays == 0
    return compiled, compiled_history


def _mlp():
    return gn.Sequential([gn.Input(shape=(28, 28)), layers.Flatten(), layers.Dense(32, activation="relu"),
                          layers.Dense(10, activation="softmax")])


def _mlp_dropout():
    return gn.Sequential([gn.Input(shape=(12,)), layers.Dense(16, activation="tanh"), layers.Dropout(0.4),
                          layers.Dense(8, activation="sigmoid"), layers.Dense(3, activation="softmax")])


def _convnet():
    return gn.Sequential([
        gn.Input(shape=(12, 12, 1)),
        layers.Conv2D(4, kernel_size=(3, 3), activation="relu"), layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(6, kernel_size=(3, 3), activation="relu"), layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(), layers.Dropout(0.5), layers.Dense(10, activation="softmax"),
    ])


def test_tutorial_mlp_is_bit_identical_and_replayed():
    x, y = _data((28, 28))
    model, history = _assert_same(_mlp, x, y, batch_size=32)
    steps = model._compiled_step
    # epoch 1: two full batches traced, two replayed, the partial one traced; epoch 2: the first full batch
    # checked against its plan by a trace, three replayed, the partial one traced again (now it has a plan)
    assert (steps.traces, steps.replays) == (3 + 2, 2 + 3)
    assert len(history["loss"]) == 2


def test_batch_128_and_one_batch_epochs():
    x, y = _data((28, 28), n=300)
    _assert_same(_mlp, x, y, batch_size=128, epochs=3)


def test_dropout_masks_come_from_the_same_generator():
    x, y = _data((12,), classes=3)
    _assert_same(_mlp_dropout, x, y, batch_size=16)


def test_convnet_with_dropout_categorical():
    x, y = _data((12, 12, 1), one_hot=True)
    _assert_same(_convnet, x, y, loss="categorical_crossentropy", batch_size=32)


@pytest.mark.parametrize("cell", ["LSTM", "GRU", "SimpleRNN"])
def test_recurrent_layers(cell):
    x, y = _data((7, 5), classes=4)

    def build():
        return gn.Sequential([gn.Input(shape=(7, 5)), getattr(layers, cell)(6), layers.Dense(4, activation="softmax")])

    _assert_same(build, x, y, batch_size=32)


def test_functional_with_merges_and_two_inputs():
    rng = np.random.default_rng(3)
    a, b = rng.random((N, 6)).astype("float32"), rng.random((N, 6)).astype("float32")
    y = rng.random((N, 1)).astype("float32")

    def build():
        in_a, in_b = gn.Input(shape=(6,)), gn.Input(shape=(6,))
        ha = layers.Dense(8, activation="relu")(in_a)
        hb = layers.Dense(8, activation="relu")(in_b)
        merged = layers.Concatenate()([layers.Add()([ha, hb]), hb])
        return gn.Model([in_a, in_b], layers.Dense(1)(merged))

    _assert_same(build, [a, b], y, loss="mse", metrics=("mae",), batch_size=32)


def test_class_weight_and_sample_weight():
    x, y = _data((28, 28))
    _assert_same(_mlp, x, y, batch_size=32, class_weight={i: 1.0 + i / 10 for i in range(10)})
    weights = np.random.default_rng(5).random(N).astype("float32")
    _assert_same(_mlp, x, y, batch_size=32, sample_weight=weights)


def test_validation_split_and_data():
    x, y = _data((28, 28), n=200)
    _, history = _assert_same(_mlp, x, y, batch_size=32, validation_split=0.2)
    assert "val_loss" in history and "val_accuracy" in history
    _assert_same(_mlp, x[:150], y[:150], batch_size=32, validation_data=(x[150:], y[150:]))


@pytest.mark.parametrize("optimizer", [
    lambda: gn.optimizers.SGD(0.05, momentum=0.9), lambda: gn.optimizers.RMSprop(),
    lambda: gn.optimizers.AdamW(weight_decay=0.01), lambda: gn.optimizers.Adam(clipnorm=0.5),
])
def test_other_optimizers(optimizer):
    x, y = _data((12,), classes=3)
    _assert_same(_mlp_dropout, x, y, optimizer=optimizer, batch_size=32)


def test_binary_crossentropy_and_regularizers():
    rng = np.random.default_rng(4)
    x, y = rng.random((N, 10)).astype("float32"), rng.integers(0, 2, (N, 1)).astype("float32")

    def build():
        return gn.Sequential([gn.Input(shape=(10,)), layers.Dense(8, activation="relu", kernel_regularizer="l2"),
                              layers.Dense(1, activation="sigmoid")])

    _assert_same(build, x, y, loss="binary_crossentropy", batch_size=32)


# --- fallbacks: still the eager results -----------------------------------------------------------------------


class _RateChanger(gn.callbacks.Callback):
    """Changes the dropout rate between batches: a plan traced before would draw the wrong masks."""

    def on_train_batch_end(self, batch, logs=None):
        dropout = self.model.layers[1]
        dropout.rate = 0.1 if dropout.rate > 0.3 else 0.5


def test_callback_with_batch_hooks_falls_back():
    x, y = _data((12,), classes=3)
    _assert_same(_mlp_dropout, x, y, batch_size=16, callbacks=[_RateChanger()], expect_replays=False)


class _EpochRateChanger(gn.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.model.layers[1].rate = 0.1 + 0.3 * epoch


def test_epoch_level_changes_are_retraced():
    x, y = _data((12,), classes=3)
    _assert_same(_mlp_dropout, x, y, batch_size=16, callbacks=[_EpochRateChanger()])


class _Branchy(gn.Model):
    """A call whose Python control flow depends on the data."""

    def __init__(self):
        super().__init__()
        self.a = layers.Dense(10, activation="softmax")
        self.b = layers.Dense(10, activation="softmax")
        self.flatten = layers.Flatten()

    def call(self, inputs):
        h = self.flatten(inputs)
        return self.a(h) if float(h.numpy().mean()) > 0.5 else self.b(h)


def test_data_dependent_control_flow_stays_eager():
    x, y = _data((28, 28))
    x[64:96] *= 0.5  # the third batch takes the other branch
    _assert_same(_Branchy, x, y, batch_size=32, shuffle=False, expect_replays=False)


def test_batch_normalization_updates_moving_statistics():
    x, y = _data((12, 12, 1), one_hot=True)

    def build():
        return gn.Sequential([gn.Input(shape=(12, 12, 1)), layers.Conv2D(4, (3, 3)), layers.BatchNormalization(),
                              layers.Activation("relu"), layers.MaxPooling2D(), layers.Flatten(),
                              layers.Dense(8), layers.BatchNormalization(momentum=0.9),
                              layers.Dense(10, activation="softmax")])

    model, _ = _assert_same(build, x, y, loss="categorical_crossentropy", batch_size=32,
                            validation_split=0.2)
    assert not np.array_equal(model.layers[1].moving_mean.numpy(), 0)


@pytest.mark.parametrize("cell", ["LSTM", "GRU"])
def test_embedding_and_recurrent(cell):
    rng = np.random.default_rng(2)
    ids, y = rng.integers(0, 30, (N, 9)), rng.integers(0, 2, (N, 1)).astype("float32")

    def build():
        return gn.Sequential([gn.Input(shape=(9,)), layers.Embedding(30, 8), getattr(layers, cell)(6),
                              layers.Dense(1, activation="sigmoid")])

    _assert_same(build, ids, y, loss="binary_crossentropy", batch_size=32)


def test_embedding_still_checks_ids_in_replayed_steps():
    ids = np.random.default_rng(2).integers(0, 30, (N, 9))
    ids[140, 3] = -1  # in the last batch (no shuffling): an eager step raises, so must a replayed one
    y = np.zeros((N, 1), dtype="float32")
    for jit_compile in ("auto", False):
        gn.utils.set_random_seed(0)
        model = gn.Sequential([gn.Input(shape=(9,)), layers.Embedding(30, 4), layers.Flatten(), layers.Dense(1)])
        model.compile(loss="mse", optimizer="adam", jit_compile=jit_compile)
        with pytest.raises(ValueError, match="ids must lie in"):
            model.fit(ids, y, batch_size=10, shuffle=False, epochs=1, verbose=0)
        if jit_compile:
            assert model._compiled_step.replays > 0


def test_masks_stay_eager():
    _, y = _data((12,), classes=3)
    ids = np.random.default_rng(2).integers(0, 20, (N, 6))
    ids[::3, 4:] = 0

    def masked():
        return gn.Sequential([gn.Input(shape=(6,)), layers.Embedding(20, 4, mask_zero=True), layers.LSTM(5),
                              layers.Dense(10, activation="softmax")])

    _assert_same(masked, ids, y, batch_size=32, expect_replays=False)


def test_batch_dependent_constants_reject_the_plan():
    """Label smoothing is computed outside the ops: the two traces differ, the step stays eager."""
    x, y = _data((28, 28), one_hot=True)
    loss = gn.losses.CategoricalCrossentropy(label_smoothing=0.1)
    _assert_same(_mlp, x, y, loss=loss, batch_size=32, expect_replays=False)


def test_jit_compile_false_and_config():
    x, y = _data((28, 28))
    model, _ = _train(_mlp, False, x, y, batch_size=32)
    assert model._compiled_step is None
    model.compile(optimizer="adam", loss="mse")
    assert model.get_compile_config()["jit_compile"] is False  # as Keras 3 writes "auto"
    model.compile(optimizer="adam", loss="mse", jit_compile=True)
    assert model.get_compile_config()["jit_compile"] is True
    model.compile(optimizer="adam", loss="mse", run_eagerly=True)
    assert model._compiled_step is None


def test_gradients_visible_after_replayed_steps():
    x, y = _data((28, 28))
    compiled, _ = _train(_mlp, "auto", x[:128], y[:128], batch_size=32, epochs=1)
    eager, _ = _train(_mlp, False, x[:128], y[:128], batch_size=32, epochs=1)
    assert compiled._compiled_step.replays == 2
    for a, b in zip(compiled.trainable_weights, eager.trainable_weights):
        assert np.array_equal(a.grad, b.grad)


def test_unsupported_layer_stays_eager():
    x, y = _data((12,), classes=3)

    def build():
        return gn.Sequential([gn.Input(shape=(12,)), layers.GaussianNoise(0.3), layers.Dense(3, activation="softmax")])

    _assert_same(build, x, y, batch_size=32, expect_replays=False)


def test_freezing_a_layer_between_fits_retraces():
    x, y = _data((28, 28))
    models = []
    for jit_compile in ("auto", False):
        gn.utils.set_random_seed(0)
        model = _mlp()
        model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", jit_compile=jit_compile)
        first = model.fit(x, y, batch_size=32, epochs=1, verbose=0).history
        model.layers[1].trainable = False
        model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", jit_compile=jit_compile)
        second = model.fit(x, y, batch_size=32, epochs=2, verbose=0).history
        model.layers[1].trainable = True
        third = model.fit(x, y, batch_size=32, epochs=1, verbose=0).history
        models.append((model, first, second, third))
    (a, *logs_a), (b, *logs_b) = models
    assert logs_a == logs_b
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        assert np.array_equal(wa, wb)
    assert a._compiled_step.replays > 0


def test_diagnostics_sees_every_epoch_as_in_the_eager_step():
    """Diagnostics wraps the model's train_step and the optimizer's apply on the instances: no plan is used."""
    import contextlib
    import io

    import glassnet as keras

    def report(jit_compile):
        keras.utils.clear_session()
        keras.utils.set_random_seed(0)
        x = np.random.default_rng(0).random((640, 8)).astype("float32")
        y = (x.sum(axis=1) > 4).astype("int32")
        model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                                  keras.layers.Dense(2, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy", jit_compile=jit_compile)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            model.fit(x, y, epochs=3, verbose=0, callbacks=[keras.callbacks.Diagnostics(every=5)])
        return printed.getvalue()

    compiled = report("auto")
    assert compiled == report(False)
    assert compiled.count("grad norm") == 3 and compiled.count("dense_1 ") == 3


# --- every supported layer and loss, each in a small model of its own -------------------------------------------


def _sequential(input_shape, middle, classes=5):
    """A builder of Input -> the layers ``middle()`` makes -> Dense(classes, softmax)."""
    return lambda: gn.Sequential([gn.Input(shape=input_shape), *middle(),
                                  layers.Dense(classes, activation="softmax")])


def _merged(merge):
    def build():
        inputs = gn.Input(shape=(6,))
        a = layers.Dense(4, activation="tanh")(inputs)
        b = layers.Dense(4, activation="sigmoid")(inputs)
        return gn.Model(inputs, layers.Dense(5, activation="softmax")(merge()([a, b])))
    return build


LAYER_CASES = {  # supported layer -> (model builder, input shape of x)
    "InputLayer": (_merged(layers.Add), (6,)),
    "Dense": (_sequential((6,), lambda: [layers.Dense(4, activation="relu")]), (6,)),
    "Flatten": (_sequential((3, 4), lambda: [layers.Flatten()]), (3, 4)),
    "Reshape": (_sequential((12,), lambda: [layers.Reshape((3, 4)), layers.Flatten()]), (12,)),
    "Permute": (_sequential((3, 4), lambda: [layers.Permute((2, 1)), layers.Flatten()]), (3, 4)),
    "Dropout": (_sequential((6,), lambda: [layers.Dense(8), layers.Dropout(0.3)]), (6,)),
    "Activation": (_sequential((6,), lambda: [layers.Dense(4), layers.Activation("tanh")]), (6,)),
    "ReLU": (_sequential((6,), lambda: [layers.Dense(4), layers.ReLU()]), (6,)),
    "Softmax": (lambda: gn.Sequential([gn.Input(shape=(6,)), layers.Dense(5), layers.Softmax()]), (6,)),
    "Conv1D": (_sequential((10, 3), lambda: [layers.Conv1D(4, 3, activation="relu"), layers.Flatten()]), (10, 3)),
    "Conv2D": (_sequential((8, 8, 2), lambda: [layers.Conv2D(3, 3, padding="same"), layers.Flatten()]), (8, 8, 2)),
    "MaxPooling1D": (_sequential((10, 3), lambda: [layers.MaxPooling1D(2), layers.Flatten()]), (10, 3)),
    "MaxPooling2D": (_sequential((8, 8, 2), lambda: [layers.MaxPooling2D(2), layers.Flatten()]), (8, 8, 2)),
    "AveragePooling1D": (_sequential((10, 3), lambda: [layers.AveragePooling1D(2), layers.Flatten()]), (10, 3)),
    "AveragePooling2D": (_sequential((8, 8, 2), lambda: [layers.AveragePooling2D(2), layers.Flatten()]),
                         (8, 8, 2)),
    "GlobalAveragePooling1D": (_sequential((10, 3), lambda: [layers.GlobalAveragePooling1D()]), (10, 3)),
    "GlobalMaxPooling1D": (_sequential((10, 3), lambda: [layers.GlobalMaxPooling1D()]), (10, 3)),
    "GlobalAveragePooling2D": (_sequential((8, 8, 2), lambda: [layers.Conv2D(3, 3), layers.GlobalAveragePooling2D()]),
                               (8, 8, 2)),
    "GlobalMaxPooling2D": (_sequential((8, 8, 2), lambda: [layers.Conv2D(3, 3), layers.GlobalMaxPooling2D()]),
                           (8, 8, 2)),
    "Add": (_merged(layers.Add), (6,)),
    "Subtract": (_merged(layers.Subtract), (6,)),
    "Multiply": (_merged(layers.Multiply), (6,)),
    "Average": (_merged(layers.Average), (6,)),
    "Maximum": (_merged(layers.Maximum), (6,)),
    "Minimum": (_merged(layers.Minimum), (6,)),
    "Concatenate": (_merged(layers.Concatenate), (6,)),
    "LSTM": (_sequential((5, 3), lambda: [layers.LSTM(4)]), (5, 3)),
    "GRU": (_sequential((5, 3), lambda: [layers.GRU(4)]), (5, 3)),
    "SimpleRNN": (_sequential((5, 3), lambda: [layers.SimpleRNN(4)]), (5, 3)),
    "LayerNormalization": (_sequential((6,), lambda: [layers.Dense(4), layers.LayerNormalization()]), (6,)),
    "BatchNormalization": (_sequential((6,), lambda: [layers.Dense(4), layers.BatchNormalization()]), (6,)),
    "Embedding": (_sequential((7,), lambda: [layers.Embedding(20, 4), layers.GlobalAveragePooling1D()]), (7,)),
    "Conv1DTranspose": (_sequential((6, 3), lambda: [layers.Conv1DTranspose(2, 3, strides=2), layers.Flatten()]),
                        (6, 3)),
    "Conv2DTranspose": (_sequential((4, 4, 2), lambda: [layers.Conv2DTranspose(3, 3, strides=2, padding="same"),
                                                        layers.Flatten()]), (4, 4, 2)),
    "DepthwiseConv1D": (_sequential((10, 3), lambda: [layers.DepthwiseConv1D(3), layers.Flatten()]), (10, 3)),
    "DepthwiseConv2D": (_sequential((8, 8, 2), lambda: [layers.DepthwiseConv2D(3, depth_multiplier=2),
                                                        layers.Flatten()]), (8, 8, 2)),
    "SeparableConv1D": (_sequential((10, 3), lambda: [layers.SeparableConv1D(4, 3), layers.Flatten()]), (10, 3)),
    "SeparableConv2D": (_sequential((8, 8, 2), lambda: [layers.SeparableConv2D(4, 3), layers.Flatten()]),
                        (8, 8, 2)),
    "ZeroPadding1D": (_sequential((10, 3), lambda: [layers.ZeroPadding1D(2), layers.Conv1D(2, 3), layers.Flatten()]),
                      (10, 3)),
    "ZeroPadding2D": (_sequential((6, 6, 2), lambda: [layers.ZeroPadding2D(1), layers.Conv2D(2, 3),
                                                      layers.Flatten()]), (6, 6, 2)),
    "Cropping1D": (_sequential((10, 3), lambda: [layers.Cropping1D((1, 2)), layers.Flatten()]), (10, 3)),
    "Cropping2D": (_sequential((6, 6, 2), lambda: [layers.Cropping2D(1), layers.Flatten()]), (6, 6, 2)),
    "UpSampling1D": (_sequential((5, 3), lambda: [layers.UpSampling1D(2), layers.Conv1D(2, 3), layers.Flatten()]),
                     (5, 3)),
    "UpSampling2D": (_sequential((4, 4, 2), lambda: [layers.UpSampling2D(2), layers.Conv2D(2, 3),
                                                     layers.Flatten()]), (4, 4, 2)),
    "RepeatVector": (_sequential((6,), lambda: [layers.Dense(3), layers.RepeatVector(4), layers.LSTM(3)]), (6,)),
    "Identity": (_sequential((6,), lambda: [layers.Dense(4), layers.Identity()]), (6,)),
    "Rescaling": (_sequential((6,), lambda: [layers.Rescaling(1 / 2, offset=-1.0), layers.Dense(4)]), (6,)),
    "EinsumDense": (_sequential((6,), lambda: [layers.EinsumDense("ab,bc->ac", output_shape=4, bias_axes="c")]),
                    (6,)),
    "MultiHeadAttention": (None, (5, 4)),  # built below: it is called on two inputs
    "Bidirectional": (_sequential((5, 3), lambda: [layers.Bidirectional(layers.LSTM(3))]), (5, 3)),
}


def _self_attention():
    inputs = gn.Input(shape=(5, 4))
    attended = layers.MultiHeadAttention(num_heads=2, key_dim=3)(inputs, inputs)
    pooled = layers.GlobalAveragePooling1D()(layers.Add()([inputs, attended]))
    return gn.Model(inputs, layers.Dense(5, activation="softmax")(pooled))


LAYER_CASES["MultiHeadAttention"] = (_self_attention, (5, 4))


def test_every_supported_layer_has_a_case():
    from glassnet.trainers.compiled_step import SUPPORTED_LAYERS

    assert set(LAYER_CASES) == set(SUPPORTED_LAYERS)


@pytest.mark.parametrize("name", sorted(LAYER_CASES))
def test_every_supported_layer_is_bit_identical_and_replayed(name):
    build, shape = LAYER_CASES[name]
    x, y = _data(shape, classes=5, n=70)
    if name == "Embedding":
        x = np.random.default_rng(2).integers(0, 20, (70,) + shape)
    model, _ = _assert_same(build, x, y, batch_size=16)
    assert name in {type(layer).__name__ for layer in model._flatten_layers()}


LOSS_CASES = {  # supported loss -> (its object, the model's last activation, targets from class ids y)
    "SparseCategoricalCrossentropy": (lambda: gn.losses.SparseCategoricalCrossentropy(), "softmax", lambda y: y),
    "CategoricalCrossentropy": (lambda: gn.losses.CategoricalCrossentropy(), "softmax",
                                lambda y: np.eye(5, dtype="float32")[y]),
    "BinaryCrossentropy": (lambda: gn.losses.BinaryCrossentropy(), "sigmoid",
                           lambda y: np.eye(5, dtype="float32")[y]),
    "MeanSquaredError": (lambda: gn.losses.MeanSquaredError(), None, lambda y: np.eye(5, dtype="float32")[y]),
    "MeanAbsoluteError": (lambda: gn.losses.MeanAbsoluteError(), None, lambda y: np.eye(5, dtype="float32")[y]),
}


def test_every_supported_loss_has_a_case():
    from glassnet.trainers.compiled_step import SUPPORTED_LOSSES

    assert set(LOSS_CASES) == set(SUPPORTED_LOSSES)


@pytest.mark.parametrize("name", sorted(LOSS_CASES))
def test_every_supported_loss_is_bit_identical_and_replayed(name):
    make_loss, activation, targets = LOSS_CASES[name]
    x, y = _data((6,), classes=5, n=70)

    def build():
        return gn.Sequential([gn.Input(shape=(6,)), layers.Dense(8, activation="relu"),
                              layers.Dense(5, activation=activation)])

    _assert_same(build, x, targets(y), loss=make_loss(), metrics=(), batch_size=16)


def test_plan_signatures_tell_slices_apart_by_value():
    from glassnet.autodiff.plan import _describe

    def key(start, stop):
        return _describe(("const", (slice(start, stop), Ellipsis)))

    assert key(0, 3) == key(0, 3)
    assert key(0, 3) != key(2, 5)
    assert key(np.int64(0), np.int64(3)) == key(np.int64(0), np.int64(3))
    described = {key(np.int64(s), np.int64(s + 3)) for s in range(50)}
    assert len(described) == 50  # NumPy-integer bounds compare by value too, never by a temporary's id
    assert key(0, 3) != key(np.int64(0), np.int64(3))
