"""TensorBoard: event files TensorBoard's own reader loads, with Keras 3's folders, tags, steps and values."""

import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest
from _callback_helpers import small_data, small_model

from glassnet.callbacks import LambdaCallback, TensorBoard

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing import event_accumulator as ea  # noqa: E402
from tensorboard.plugins.histogram.summary_v2 import histogram_pb  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402


def load(path):
    accumulator = ea.EventAccumulator(str(path), size_guidance={ea.TENSORS: 0})
    accumulator.Reload()
    return accumulator


def values(accumulator, tag):
    """[(step, value)] of a scalar tag."""
    return [(event.step, float(tensor_util.make_ndarray(event.tensor_proto))) for event in accumulator.Tensors(tag)]


def plugin(accumulator, tag):
    return accumulator.SummaryMetadata(tag).plugin_data.plugin_name


def fit(tmp_path, epochs=2, callbacks=(), **kwargs):
    x, y = small_data(40)
    model = small_model()
    board = TensorBoard(log_dir=tmp_path / "logs", **kwargs)
    history = model.fit(x, y, epochs=epochs, batch_size=10, validation_split=0.25, verbose=0,
                        callbacks=[*callbacks, board])
    return model, history, load(tmp_path / "logs" / "train"), load(tmp_path / "logs" / "validation")


def test_epoch_scalars_in_train_and_validation_folders(tmp_path):
    _, history, train, validation = fit(tmp_path)
    # (plus "keras", the model's config, when the model can be serialized)
    assert set(train.Tags()["tensors"]) - {"keras"} == {"epoch_loss", "epoch_accuracy", "epoch_learning_rate"}
    assert set(validation.Tags()["tensors"]) == {"epoch_loss", "epoch_accuracy", "evaluation_loss_vs_iterations",
                                                 "evaluation_accuracy_vs_iterations"}
    for name in ("loss", "accuracy"):
        assert [step for step, _ in values(train, f"epoch_{name}")] == [0, 1]
        np.testing.assert_allclose([v for _, v in values(train, f"epoch_{name}")], history.history[name], rtol=1e-6)
        np.testing.assert_allclose([v for _, v in values(validation, f"epoch_{name}")], history.history[f"val_{name}"],
                                   rtol=1e-6)
    assert values(train, "epoch_learning_rate") == [(0, pytest.approx(0.01)), (1, pytest.approx(0.01))]
    assert plugin(train, "epoch_loss") == "scalars"


def test_evaluation_scalars_are_stepped_by_iterations(tmp_path):
    _, history, _, validation = fit(tmp_path)
    # 30 training samples in batches of 10: 3 optimizer steps per epoch
    assert [step for step, _ in values(validation, "evaluation_loss_vs_iterations")] == [3, 6]
    np.testing.assert_allclose([v for _, v in values(validation, "evaluation_loss_vs_iterations")],
                               history.history["val_loss"], rtol=1e-6)


def test_learning_rate_logged_by_a_scheduler_is_written_once(tmp_path):
    from glassnet.callbacks import LearningRateScheduler

    scheduler = LearningRateScheduler(lambda epoch, lr: 0.1 * 0.5 ** epoch)
    _, history, train, _ = fit(tmp_path, epochs=3, callbacks=[scheduler])
    assert [v for _, v in values(train, "epoch_learning_rate")] == pytest.approx([0.1, 0.05, 0.025])
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.025])


@pytest.mark.parametrize("update_freq,steps", [("batch", [1, 2, 3, 4, 5, 6]), (2, [2, 4, 6]), (4, [4])])
def test_batch_scalars_every_update_freq_batches(tmp_path, update_freq, steps):
    batch_logs = []
    record = LambdaCallback(on_train_batch_end=lambda batch, logs: batch_logs.append(dict(logs)))
    _, _, train, _ = fit(tmp_path, callbacks=[record], update_freq=update_freq)
    assert {"batch_loss", "batch_accuracy"} <= set(train.Tags()["tensors"])
    written = values(train, "batch_loss")
    assert [step for step, _ in written] == steps
    np.testing.assert_allclose([v for _, v in written], [batch_logs[s - 1]["loss"] for s in steps], rtol=1e-6)


def test_no_batch_scalars_by_default(tmp_path):
    _, _, train, _ = fit(tmp_path, write_steps_per_second=True)
    assert not [tag for tag in train.Tags()["tensors"] if tag.startswith("batch_")]
    assert "epoch_steps_per_second" in train.Tags()["tensors"]
    assert all(v > 0 for _, v in values(train, "epoch_steps_per_second"))


def test_steps_per_second_per_batch(tmp_path):
    _, _, train, _ = fit(tmp_path, write_steps_per_second=True, update_freq=3)
    assert [step for step, _ in values(train, "batch_steps_per_second")] == [3, 6]


def test_weight_histograms_every_histogram_freq_epochs(tmp_path):
    model, _, train, _ = fit(tmp_path, epochs=3, histogram_freq=2)
    tags = {tag for tag in train.Tags()["tensors"] if tag.endswith("/histogram")}
    assert tags == {f"{w.path}/histogram" for w in model.weights}
    kernel = f"{model.layers[-1].kernel.path}/histogram"
    events = train.Tensors(kernel)
    assert [event.step for event in events] == [0, 2]
    assert plugin(train, kernel) == "histograms"
    buckets = tensor_util.make_ndarray(events[-1].tensor_proto)
    assert buckets.shape == (30, 3) and buckets[:, 2].sum() == model.layers[-1].kernel.numpy().size
    # the same buckets as TensorBoard's own (NumPy) implementation
    reference = tensor_util.make_ndarray(histogram_pb("k", model.layers[-1].kernel.numpy()).value[0].tensor)
    np.testing.assert_allclose(buckets, reference, rtol=1e-12)


def test_histogram_buckets_edge_cases_follow_tensorflow():
    from glassnet.callbacks.tensorboard import histogram_buckets

    constant = histogram_buckets(np.full(7, 0.25))  # one value: every edge at it, all counts in the last bucket
    assert constant.shape == (30, 3) and (constant[:, :2] == 0.25).all()
    assert constant[-1, 2] == 7 and constant[:-1, 2].sum() == 0
    np.testing.assert_array_equal(histogram_buckets(np.zeros(0)), np.zeros((30, 3)))
    spread = histogram_buckets(np.arange(10.0), bucket_count=3)
    np.testing.assert_allclose(spread, [[0, 3, 3], [3, 6, 3], [6, 9, 4]])  # the maximum goes in the last bucket


def test_weight_images(tmp_path):
    model, _, train, _ = fit(tmp_path, epochs=1, histogram_freq=1, write_images=True)
    kernel = model.layers[0].kernel  # (4, 5): written as one 4 x 5 grey image
    tag = f"{kernel.path}/image"
    assert plugin(train, tag) == "images"
    strings = tensor_util.make_ndarray(train.Tensors(tag)[0].tensor_proto)
    assert list(strings[:2]) == [b"5", b"4"]  # width, height, then the PNGs
    png = strings[2]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, color = struct.unpack(">IIBB", png[16:26])
    assert (width, height, depth, color) == (5, 4, 8, 0)
    idat = png[png.index(b"IDAT") + 4: png.index(b"IEND") - 8]
    rows = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(4, 6)[:, 1:]
    expected = np.clip(np.floor(kernel.numpy().astype(np.float64) * 255.5), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(rows, expected)


def test_model_config_for_the_graph_dashboard(tmp_path):
    x, y = small_data(40)
    model = small_model()
    model.to_json = lambda: '{"class_name": "Sequential", "config": {"layers": []}}'
    model.fit(x, y, epochs=1, verbose=0, callbacks=[TensorBoard(tmp_path)])
    train = load(tmp_path / "train")
    assert plugin(train, "keras") == "graph_keras_model"
    assert tensor_util.make_ndarray(train.Tensors("keras")[0].tensor_proto).item().startswith(b'{"class_name"')


def test_a_model_that_cannot_be_serialized_only_warns(tmp_path):
    x, y = small_data(40)
    model = small_model()

    def broken():
        raise TypeError("not serializable")

    model.to_json = broken
    with pytest.warns(UserWarning, match="Model failed to serialize as JSON"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[TensorBoard(tmp_path)])
    assert "epoch_loss" in load(tmp_path / "train").Tags()["tensors"]


def test_standalone_evaluate_writes_evaluation_scalars(tmp_path):
    x, y = small_data(40)
    model = small_model()
    loss, _ = model.evaluate(x, y, verbose=0, callbacks=[TensorBoard(tmp_path, write_graph=False)])
    validation = load(tmp_path / "validation")
    assert values(validation, "evaluation_loss_vs_iterations") == [(0, pytest.approx(loss, rel=1e-6))]


def test_event_files_are_named_like_tensorflows(tmp_path):
    fit(tmp_path)
    names = [p.name for p in (tmp_path / "logs").rglob("events.out.tfevents.*")]
    assert len(names) == 2 and all(name.endswith(".v2") for name in names)


def test_arguments_and_defaults():
    board = TensorBoard()
    assert (board.log_dir, board.histogram_freq, board.write_graph, board.write_images, board.write_steps_per_second,
            board.update_freq, board.embeddings_freq, board.embeddings_metadata) == \
        ("logs", 0, True, False, False, "epoch", 0, None)
    assert TensorBoard(update_freq="batch").update_freq == 1
    with pytest.raises(ValueError, match="Profiling is not available"):
        TensorBoard(profile_batch=2)
    with pytest.raises(ValueError, match="update_freq"):
        TensorBoard(update_freq="sometimes")


def test_a_clear_error_without_the_tensorboard_package(monkeypatch):
    for name in [name for name in sys.modules if name == "tensorboard" or name.startswith("tensorboard.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match="pip install tensorboard"):
        TensorBoard()


def test_importing_glassnet_does_not_import_tensorboard_or_matplotlib():
    script = ("import sys, glassnet; glassnet.callbacks.TensorBoard; glassnet.utils.plot_history; "
              "print(sorted(m for m in ('tensorboard', 'matplotlib') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_every_scalar_goes_through_one_writer_loop_that_skips_non_numbers():
    from glassnet.callbacks.tensorboard import _write_scalars

    class Recorder:
        def __init__(self):
            self.written = []

        def scalar(self, tag, value, step):
            self.written.append((tag, value, step))

    writer = Recorder()
    logs = {"loss": 0.5, "acc": np.float32(0.25), "lr": np.array(0.1), "outputs": np.zeros(3), "name": "x"}
    _write_scalars(writer, logs, "evaluation_{}_vs_iterations", 7)
    assert [(tag, step) for tag, _, step in writer.written] == [
        ("evaluation_loss_vs_iterations", 7), ("evaluation_acc_vs_iterations", 7), ("evaluation_lr_vs_iterations", 7)]
    assert [value for _, value, _ in writer.written] == pytest.approx([0.5, 0.25, 0.1])
    assert all(type(value) is float for _, value, _ in writer.written)
