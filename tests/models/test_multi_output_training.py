"""Training models with several inputs and outputs: losses, loss weights and metrics per output, as Keras 3."""

import os

import numpy as np
import pytest

import glassnet as keras


def _keras():
    os.environ["KERAS_BACKEND"] = "torch"
    return pytest.importorskip("keras")


def two_heads(k=keras, dict_outputs=False):
    a = k.Input(shape=(8,), name="a")
    b = k.Input(shape=(5,), name="b")
    h = k.layers.Dense(16, activation="relu", name="hidden")(k.layers.Concatenate(name="joined")([a, b]))
    score = k.layers.Dense(1, name="score")(h)
    label = k.layers.Dense(3, activation="softmax", name="label")(h)
    outputs = {"value": score, "kind": label} if dict_outputs else [score, label]
    return k.Model(inputs=[a, b], outputs=outputs)


def data(rng, n=64):
    x = [rng.random((n, 8)).astype("float32"), rng.random((n, 5)).astype("float32")]
    y = [rng.random((n, 1)).astype("float32"), rng.integers(0, 3, n)]
    return x, y


COMPILE_VARIANTS = {
    "lists": dict(loss=["mse", "sparse_categorical_crossentropy"], loss_weights=[1.0, 0.5],
                  metrics=[["mae"], ["accuracy"]]),
    "dicts": dict(loss={"score": "mse", "label": "sparse_categorical_crossentropy"},
                  loss_weights={"score": 2.0, "label": 1.0}, metrics={"label": ["accuracy"], "score": ["mae", "mse"]}),
    "one loss for all": dict(loss="mse", metrics=[None, ["mse"]]),
    "a loss on one output": dict(loss=[None, "sparse_categorical_crossentropy"], metrics=[["mae"], None]),
    "weighted metrics": dict(loss=["mse", "sparse_categorical_crossentropy"], metrics=[["mae"], ["accuracy"]],
                             weighted_metrics=[["mae"], ["accuracy"]]),
}


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")
@pytest.mark.parametrize("variant", list(COMPILE_VARIANTS))
def test_history_keys_and_values_match_keras(variant, rng):
    k = _keras()
    x, y = data(rng)
    if variant == "one loss for all":
        y = [y[0], keras.utils.to_categorical(y[1], 3)]
    ours, theirs = two_heads(), two_heads(k)
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    for model in (ours, theirs):
        model.compile(optimizer="sgd", **COMPILE_VARIANTS[variant])
    kwargs = dict(epochs=2, batch_size=16, shuffle=False, verbose=0, validation_split=0.25)
    mine, reference = ours.fit(x, y, **kwargs).history, theirs.fit(x, y, **kwargs).history
    assert sorted(mine) == sorted(reference)
    for key in reference:
        np.testing.assert_allclose(mine[key], reference[key], rtol=2e-4, atol=1e-5, err_msg=key)
    ours_eval, theirs_eval = ours.evaluate(x, y, verbose=0), theirs.evaluate(x, y, verbose=0)
    np.testing.assert_allclose(ours_eval, theirs_eval, rtol=2e-4, atol=1e-5)  # same order of values, too
    assert ours.evaluate(x, y, verbose=0, return_dict=True).keys() == \
        theirs.evaluate(x, y, verbose=0, return_dict=True).keys()


def test_total_loss_is_the_weighted_sum_of_the_output_losses(rng):
    x, y = data(rng, 32)
    model = two_heads()
    model.compile(optimizer="sgd", loss=["mse", "sparse_categorical_crossentropy"], loss_weights=[0.3, 2.0])
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    score, label = model.predict(x, verbose=0)
    mse = np.mean((score - y[0]) ** 2)
    cross_entropy = -np.mean(np.log(np.clip(label[np.arange(32), y[1]], 1e-7, 1)))
    assert logs["score_loss"] == pytest.approx(mse, rel=1e-4)  # each output's loss is tracked unweighted
    assert logs["label_loss"] == pytest.approx(cross_entropy, rel=1e-4)
    assert logs["loss"] == pytest.approx(0.3 * mse + 2.0 * cross_entropy, rel=1e-4)


def test_dict_outputs_take_targets_and_losses_by_output_key(rng):
    x, y = data(rng, 32)
    model = two_heads(dict_outputs=True)
    model.compile(optimizer="adam", loss={"value": "mse", "kind": "sparse_categorical_crossentropy"},
                  metrics={"kind": ["accuracy"]})
    history = model.fit(x, {"value": y[0], "kind": y[1]}, epochs=1, verbose=0).history
    assert sorted(history) == ["kind_accuracy", "kind_loss", "loss", "value_loss"]
    predictions = model.predict(x, verbose=0)
    assert sorted(predictions) == ["kind", "value"] and predictions["kind"].shape == (32, 3)


def test_inputs_and_targets_as_dicts_keyed_by_name(rng):
    x, y = data(rng, 32)
    model = two_heads()
    model.compile(optimizer="adam", loss=["mse", "sparse_categorical_crossentropy"])
    history = model.fit({"a": x[0], "b": x[1]}, {"score": y[0], "label": y[1]}, epochs=2, verbose=0).history
    assert history["loss"][1] < history["loss"][0] * 1.5 and len(history["score_loss"]) == 2


def test_training_a_two_input_model_lowers_both_losses(rng):
    x, y = data(rng, 256)
    y = [x[0].sum(1, keepdims=True) - x[1].sum(1, keepdims=True), (x[0][:, 0] > 0.5).astype(int)]
    model = two_heads()
    model.compile(optimizer="adam", loss=["mse", "sparse_categorical_crossentropy"], metrics=[[], ["accuracy"]])
    history = model.fit(x, y, epochs=30, batch_size=32, verbose=0).history
    assert history["score_loss"][-1] < 0.3 * history["score_loss"][0]
    assert history["label_accuracy"][-1] > 0.8


def test_mismatched_targets_and_losses_get_clear_errors(rng):
    x, y = data(rng, 16)
    model = two_heads()
    model.compile(optimizer="sgd", loss=["mse", "sparse_categorical_crossentropy"])
    with pytest.raises(ValueError, match="2 outputs.*single array"):
        model.fit(x, y[0], verbose=0)
    with pytest.raises(ValueError, match="holds 3 arrays, but the model has 2 outputs"):
        model.fit(x, y + [y[0]], verbose=0)
    with pytest.raises(ValueError, match="missing \\['label'\\]"):
        model.fit(x, {"score": y[0]}, verbose=0)
    with pytest.raises(ValueError, match="Loss 'sparse_categorical_crossentropy' expects class ids in \\[0, 3\\)"):
        model.fit(x, [y[0], y[1] + 5], verbose=0)
    model.compile(optimizer="sgd", loss={"score": "mse", "labels": "mse"})
    with pytest.raises(ValueError, match="no output is named \\['labels'\\]"):
        model.fit(x, y, verbose=0)
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    with pytest.raises(ValueError, match="one entry per output"):
        model.fit(x, [y[0], keras.utils.to_categorical(y[1], 3)], verbose=0)
