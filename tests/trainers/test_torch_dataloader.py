"""A torch DataLoader as fit/evaluate/predict data: its list batches [x, y] are (x, y), and every epoch is a pass."""

import numpy as np
import pytest

import glassnet as keras

torch = pytest.importorskip("torch")


def _loader(n=32, batch_size=8):
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(n, 4, generator=generator)
    y = x.sum(dim=1, keepdim=True)
    dataset = torch.utils.data.TensorDataset(x, y)
    return torch.utils.data.DataLoader(dataset, batch_size=batch_size), x.numpy(), y.numpy()


def _model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    return model


def test_list_batches_are_x_and_y():
    loader, x, y = _loader()
    model = _model()
    logs = model.evaluate(loader, verbose=0, return_dict=True)
    predicted = model.predict(x, verbose=0)
    assert logs["loss"] == pytest.approx(float(np.mean((predicted - y) ** 2)), rel=1e-5)
    assert model.predict(loader, verbose=0).shape == (32, 1)


def test_every_epoch_is_a_full_pass():
    loader, _, _ = _loader()
    history = _model().fit(loader, epochs=3, verbose=0)
    losses = history.history["loss"]
    assert len(losses) == 3 and losses[2] < losses[0]

