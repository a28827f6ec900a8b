"""SwapEMAWeights (against Keras 3) and RemoteMonitor (against a local http.server)."""

import json
import os
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest

import glassnet as gn

os.environ.setdefault("KERAS_BACKEND", "torch")
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def to_numpy(keras, value):
    return np.asarray(keras.ops.convert_to_numpy(value))


# --- SwapEMAWeights ---------------------------------------------------------------------------------------------------
def _model(m, weights):
    model = m.Sequential([m.Input((3,)), m.layers.Dense(2)])
    model.set_weights(weights)
    model.compile(optimizer=m.optimizers.SGD(0.2, use_ema=True, ema_momentum=0.5), loss="mse")
    return model


def test_swap_ema_weights_equals_keras_during_fit_and_evaluate(rng):
    keras = pytest.importorskip("keras")
    x, y = rng.standard_normal((8, 3)).astype("float32"), rng.standard_normal((8, 2)).astype("float32")
    weights = [rng.standard_normal((3, 2)).astype("float32"), np.zeros(2, "float32")]
    ours, theirs = _model(gn, weights), _model(keras, weights)
    fit = dict(epochs=3, batch_size=4, shuffle=False, verbose=0, validation_data=(x, y))
    our_history = ours.fit(x, y, callbacks=[gn.callbacks.SwapEMAWeights()], **fit).history
    their_history = theirs.fit(x, y, callbacks=[keras.callbacks.SwapEMAWeights()], **fit).history
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(our_history[key], their_history[key], rtol=1e-5)
    # fit ends with the averages in the weights (finalize_variable_values)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, to_numpy(keras, b), rtol=1e-5, atol=1e-6)
    for model in (ours, theirs):  # steps outside fit: the weights and their averages now differ
        model.train_on_batch(x[:4], y[:4])
        model.train_on_batch(x[4:], y[4:])
    raw = [w.copy() for w in ours.get_weights()]
    averages = [a.copy() for a in ours.optimizer._model_variables_moving_average]
    assert not np.allclose(raw[0], averages[0])
    their_loss = theirs.evaluate(x, y, verbose=0, callbacks=[keras.callbacks.SwapEMAWeights()])
    our_loss = ours.evaluate(x, y, verbose=0, callbacks=[gn.callbacks.SwapEMAWeights()])
    np.testing.assert_allclose(our_loss, their_loss, rtol=1e-5)
    with_averages = np.mean(((x @ averages[0] + averages[1]) - y) ** 2)
    np.testing.assert_allclose(our_loss, with_averages, rtol=1e-5)
    for after, before in zip(ours.get_weights(), raw):  # swapped back after evaluation
        np.testing.assert_array_equal(after, before)
    predicted = ours.predict(x, verbose=0, callbacks=[gn.callbacks.SwapEMAWeights()])
    np.testing.assert_allclose(predicted, x @ averages[0] + averages[1], rtol=1e-5, atol=1e-6)
    for after, before in zip(ours.get_weights(), raw):
        np.testing.assert_array_equal(after, before)


def test_swap_ema_weights_needs_use_ema(rng):
    model = gn.Sequential([gn.Input((3,)), gn.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    x = rng.standard_normal((4, 3)).astype("float32")
    with pytest.raises(ValueError, match="use_ema=True.*SGD with use_ema=False"):
        model.evaluate(x, x[:, :2], verbose=0, callbacks=[gn.callbacks.SwapEMAWeights()])


def test_swap_on_epoch_shows_the_averages_to_later_callbacks(rng):
    x, y = rng.standard_normal((8, 3)).astype("float32"), rng.standard_normal((8, 2)).astype("float32")
    model = _model(gn, [rng.standard_normal((3, 2)).astype("float32"), np.zeros(2, "float32")])
    seen = []

    def look(epoch, logs):
        seen.append((model.get_weights()[0].copy(), model.optimizer._model_variables_moving_average[0].copy()))

    model.fit(x, y, epochs=2, batch_size=4, verbose=0, callbacks=[
        gn.callbacks.SwapEMAWeights(swap_on_epoch=True), gn.callbacks.LambdaCallback(on_epoch_end=look)])
    first_weights, first_slot = seen[0]
    assert not np.allclose(first_weights, first_slot)
    # the last epoch: the slot holds the averages again, which fit then leaves in the weights
    np.testing.assert_array_equal(seen[1][0], seen[1][1])
    np.testing.assert_array_equal(model.get_weights()[0], seen[1][0])


# --- RemoteMonitor ------------------------------------------------------------------------------------------------------
class _Server:
    def __init__(self):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((self.path, dict(self.headers), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)  # a free loopback port
        self.root = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _fit(rng, callback, epochs=2):
    x, y = rng.standard_normal((8, 3)).astype("float32"), rng.standard_normal((8, 1)).astype("float32")
    model = gn.Sequential([gn.Input((3,)), gn.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return model.fit(x, y, epochs=epochs, verbose=0, callbacks=[callback]).history


def test_remote_monitor_posts_each_epochs_logs_as_a_form(rng):
    with _Server() as server:
        history = _fit(rng, gn.callbacks.RemoteMonitor(root=server.root, headers={"X-Run": "7"}))
    assert len(server.received) == 2
    for epoch, (path, headers, body) in enumerate(server.received):
        assert path == "/publish/epoch/end/" and headers["X-Run"] == "7"
        assert headers["Content-Type"] == "application/x-www-form-urlencoded"
        sent = json.loads(urllib.parse.parse_qs(body.decode())["data"][0])
        assert sent["epoch"] == epoch
        assert sent["loss"] == pytest.approx(history["loss"][epoch]) and sent["mae"] == pytest.approx(
            history["mae"][epoch])


def test_remote_monitor_posts_json_with_numpy_values_unwrapped(rng):
    with _Server() as server:
        monitor = gn.callbacks.RemoteMonitor(root=server.root, path="/logs", send_as_json=True)
        monitor.on_epoch_end(4, {"loss": np.float32(0.5), "lr": np.array(0.25), "name": "x"})
    path, headers, body = server.received[0]
    assert path == "/logs" and headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"epoch": 4, "loss": 0.5, "lr": 0.25, "name": "x"}


def test_remote_monitor_warns_when_the_server_is_unreachable(rng):
    with _Server() as server:
        root = server.root  # the port is free again after the server closes
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor root server at " + root):
        gn.callbacks.RemoteMonitor(root=root).on_epoch_end(0, {"loss": 1.0})
    with pytest.raises(ValueError, match="http:// or https:// URL.*'ftp://x'"):
        gn.callbacks.RemoteMonitor(root="ftp://x")
