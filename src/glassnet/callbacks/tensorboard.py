"""TensorBoard: write the training curves (and weight histograms) as TensorBoard event files.

The files are the ones Keras 3 writes, in ``log_dir/train`` and
``log_dir/validation``: scalars ``epoch_loss``, ``epoch_accuracy``,
``epoch_learning_rate``... at each epoch (validation values, without their
``val_`` prefix, in ``validation/``), ``evaluation_<name>_vs_iterations``
after each evaluation, ``batch_<name>`` every ``update_freq`` batches, and
``<weight path>/histogram`` every ``histogram_freq`` epochs. View them with
``tensorboard --logdir logs``.

The writing is done by the ``tensorboard`` package (its event-file writer
and protocol buffers), imported only when this callback is created:
``pip install tensorboard``.
"""

import os
import struct
import time
import warnings
import zlib

import numpy as np

from glassnet.callbacks.callback import Callback

_HISTOGRAM_BUCKETS = 30  # tf.summary.histogram's default
_IMAGE_MAX_OUTPUTS = 3  # tf.summary.image's default


def _tensorboard():
    """The pieces of the tensorboard package this callback uses (imported lazily)."""
    try:
        from tensorboard.compat.proto import event_pb2, summary_pb2
        from tensorboard.plugins.histogram import metadata as histogram_metadata
        from tensorboard.plugins.image import metadata as image_metadata
        from tensorboard.plugins.scalar import metadata as scalar_metadata
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
        from tensorboard.util import tensor_util
    except ImportError as error:
        raise ImportError(
            "The TensorBoard callback writes its event files with the tensorboard package, which is not "
            f"installed ({error}). Install it with: pip install tensorboard   (or: pip install glassnet[tensorboard])"
        ) from error
    return {
        "EventFileWriter": EventFileWriter, "event_pb2": event_pb2, "summary_pb2": summary_pb2,
        "tensor_util": tensor_util, "scalar": scalar_metadata, "histogram": histogram_metadata,
        "image": image_metadata,
    }


def histogram_buckets(values, bucket_count=_HISTOGRAM_BUCKETS):
    """``[k, 3]`` rows of (left edge, right edge, count), as ``tf.summary.histogram`` computes them."""
    data = np.asarray(values, dtype=np.float64).reshape(-1)
    if bucket_count <= 0:
        return np.zeros((0, 3))
    if data.size == 0:
        return np.zeros((bucket_count, 3))
    low, high = data.min(), data.max()
    if high == low:
        edges = np.full(bucket_count, high)
        counts = np.zeros(bucket_count)
        counts[-1] = data.size
        return np.stack([edges, edges, counts], axis=1)
    width = (high - low) / bucket_count
    index = np.minimum(np.floor((data - low) / width).astype(np.int64), bucket_count - 1)
    counts = np.bincount(index, minlength=bucket_count).astype(np.float64)
    edges = np.linspace(low, high, bucket_count + 1)
    edges[-1] = high
    return np.stack([edges[:-1], edges[1:], counts], axis=1)


def encode_png(image):
    """PNG bytes of a ``(height, width, channels)`` uint8 array (1, 3 or 4 channels)."""
    height, width, channels = image.shape
    color_type = {1: 0, 3: 2, 4: 6}[channels]
    rows = np.zeros((height, 1 + width * channels), dtype=np.uint8)  # each row: filter byte 0, then pixels
    rows[:, 1:] = image.reshape(height, width * channels)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes()))
            + chunk(b"IEND", b""))


def _to_uint8(images):
    """Floats clipped to [0, 1] and scaled as ``tf.image.convert_image_dtype(..., saturate=True)`` does."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images
    return np.clip(np.floor(images.astype(np.float64) * 255.5), 0, 255).astype(np.uint8)


class SummaryWriter:
    """One event file in one folder: scalars, histograms, images, as TensorFlow 2's summaries."""

    def __init__(self, logdir):
        self._tb = _tensorboard()
        self.logdir = logdir
        self._writer = self._tb["EventFileWriter"](logdir, filename_suffix=".v2")
        self._metadata = {}
        self.closed = False

    def _meta(self, kind):
        if kind not in self._metadata:
            self._metadata[kind] = self._tb[kind].create_summary_metadata(display_name=None, description=None)
        return self._metadata[kind]

    def write(self, tag, tensor, metadata, step):
        """Add one summary value (a TensorProto with its plugin metadata) at ``step``."""
        summary = self._tb["summary_pb2"].Summary()
        summary.value.add(tag=tag, metadata=metadata, tensor=tensor)
        event = self._tb["event_pb2"].Event(wall_time=time.time(), step=int(step), summary=summary)
        self._writer.add_event(event)

    def scalar(self, tag, value, step):
        tensor = self._tb["tensor_util"].make_tensor_proto(np.asarray(value, dtype=np.float32))
        self.write(tag, tensor, self._meta("scalar"), step)

    def histogram(self, tag, values, step, buckets=_HISTOGRAM_BUCKETS):
        tensor = self._tb["tensor_util"].make_tensor_proto(histogram_buckets(values, buckets), dtype=np.float64)
        self.write(tag, tensor, self._meta("histogram"), step)

    def image(self, tag, images, step, max_outputs=_IMAGE_MAX_OUTPUTS):
        """``images``: ``(n, height, width, channels)``, floats in [0, 1] or uint8."""
        images = _to_uint8(images)[:max_outputs]
        height, width = images.shape[1:3]
        strings = [str(width).encode(), str(height).encode()] + [encode_png(image) for image in images]
        tensor = self._tb["tensor_util"].make_tensor_proto(np.array(strings, dtype=object))
        self.write(tag, tensor, self._meta("image"), step)

    def flush(self):
        self._writer.flush()

    def close(self):
        if not self.closed:
            self._writer.close()
            self.closed = True


class TensorBoard(Callback):
    """Write logs for TensorBoard (``keras.callbacks.TensorBoard``).

    Args:
        log_dir: the folder of the event files (``train/`` and ``validation/`` go inside).
        histogram_freq: every how many epochs to write weight histograms (0: never).
        write_graph: write the model's JSON config (``keras`` tag) for the graph dashboard,
            when the model can be serialized.
        write_images: with ``histogram_freq``, also write the weights as images.
        write_steps_per_second: also log training steps per second.
        update_freq: ``"epoch"``, ``"batch"`` (= 1) or an integer N: with a number,
            the batch logs are written (``batch_loss``...) every N batches.
        profile_batch: must be 0 (no profiler on NumPy, as Keras on its torch and numpy backends).
        embeddings_freq: every how many epochs to save the weights for the embedding projector.
        embeddings_metadata: a metadata file name for the embedding layers, or a dict
            mapping Embedding layer names to file names.

    Example:
        >>> tensorboard = TensorBoard(log_dir="./logs")
        >>> # model.fit(x, y, epochs=2, callbacks=[tensorboard]); then: tensorboard --logdir ./logs
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0, embeddings_freq=0,
                 embeddings_metadata=None):
        super().__init__()
        _tensorboard()  # fail here, with the install hint, rather than at the first epoch
        if update_freq not in ("epoch", "batch") and not (
                isinstance(update_freq, (int, np.integer)) and not isinstance(update_freq, bool) and update_freq > 0):
            raise ValueError(f"update_freq must be 'epoch', 'batch' or a positive integer, got {update_freq!r}")
        if profile_batch:
            raise ValueError(
                "Profiling is not available in glassnet (as in Keras with its torch and numpy backends). "
                f"Received: profile_batch={profile_batch} (must be 0)"
            )
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._global_train_batch = 0
        self._global_test_batch = 0
        self._previous_epoch_iterations = 0
        self._epoch_start_time = 0.0
        self._batch_start_time = 0.0
        self._writers = {}
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")

    # --- writers -----------------------------------------------------------------------------------
    def set_model(self, model):
        """Set the model; write its config for the graph dashboard when ``write_graph``."""
        self.model = model
        self._log_write_dir = self.log_dir
        self._train_dir = os.path.join(self._log_write_dir, "train")
        self._val_dir = os.path.join(self._log_write_dir, "validation")
        self._close_writers()
        if self.write_graph:
            self._write_keras_model_summary()
        if self.embeddings_freq:
            self._configure_embeddings()

    @property
    def _train_writer(self):
        if "train" not in self._writers:
            self._writers["train"] = SummaryWriter(self._train_dir)
        return self._writers["train"]

    @property
    def _val_writer(self):
        if "val" not in self._writers:
            self._writers["val"] = SummaryWriter(self._val_dir)
        return self._writers["val"]

    def _close_writers(self):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def _flush_writers(self):
        for writer in self._writers.values():
            writer.flush()

    def _write_keras_model_summary(self):
        """The model's JSON config under the tag ``keras`` (TensorBoard's Keras graph view)."""
        if type(self.model).__name__ not in ("Functional", "Sequential"):
            return
        to_json = getattr(self.model, "to_json", None)
        if to_json is None:
            return
        try:
            json_string = to_json()
        except Exception as exc:  # a model that cannot be serialized must not break training
            warnings.warn(f"Model failed to serialize as JSON. Ignoring... {exc}", stacklevel=2)
            return
        writer = self._train_writer
        summary_pb2 = writer._tb["summary_pb2"]
        metadata = summary_pb2.SummaryMetadata()
        metadata.plugin_data.plugin_name = "graph_keras_model"
        metadata.plugin_data.content = b"1"
        tensor = writer._tb["tensor_util"].make_tensor_proto(np.array(json_string.encode(), dtype=object))
        writer.write("keras", tensor, metadata, step=0)
        writer.flush()

    def _configure_embeddings(self):
        """Write ``projector_config.pbtxt`` naming the Embedding layers' weights."""
        from google.protobuf import text_format
        from tensorboard.plugins import projector

        from glassnet import layers

        embedding_class = getattr(layers, "Embedding", None)
        config = projector.ProjectorConfig()
        metadata = self.embeddings_metadata
        if isinstance(metadata, dict):
            metadata = dict(metadata)
        for layer in getattr(self.model, "layers", []):
            if embedding_class is not None and isinstance(layer, embedding_class):
                embedding = config.embeddings.add()
                embedding.tensor_name = "layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE"
                if metadata is not None:
                    if isinstance(metadata, str):
                        embedding.metadata_path = metadata
                    elif layer.name in metadata:
                        embedding.metadata_path = metadata.pop(layer.name)
        if metadata and not isinstance(metadata, str):
            raise ValueError(
                "Unrecognized `Embedding` layer names passed to `glassnet.callbacks.TensorBoard` "
                f"`embeddings_metadata` argument: {metadata.keys()}"
            )
        os.makedirs(self._log_write_dir, exist_ok=True)
        with open(os.path.join(self._log_write_dir, "projector_config.pbtxt"), "w") as f:
            f.write(text_format.MessageToString(config))

    # --- hooks ---------------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        self._previous_epoch_iterations = 0
        self._train_writer  # noqa: B018 -- create train/ now, as Keras does

    def on_train_end(self, logs=None):
        self._close_writers()

    def on_test_begin(self, logs=None):
        self._val_writer  # noqa: B018 -- create validation/ now, as Keras does

    def on_test_end(self, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "iterations"):
            writer = self._val_writer
            _write_scalars(writer, logs or {}, "evaluation_{}_vs_iterations", optimizer.iterations)
            writer.flush()

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    def on_train_batch_end(self, batch, logs=None):
        if self.update_freq == "epoch" or self._global_train_batch % self.update_freq:
            return
        writer = self._train_writer
        step = self._global_train_batch
        if self.write_steps_per_second:
            writer.scalar("batch_steps_per_second", 1.0 / max(time.time() - self._batch_start_time, 1e-12), step)
        if isinstance(logs, dict):
            _write_scalars(writer, logs, "batch_{}", step)

    def on_test_batch_begin(self, batch, logs=None):
        self._global_test_batch += 1

    def on_epoch_begin(self, epoch, logs=None):
        if self.write_steps_per_second:
            self._previous_epoch_iterations = float(self.model.optimizer.iterations)
            self._epoch_start_time = time.time()

    def on_epoch_end(self, epoch, logs=None):
        """Write the epoch's metrics, and the weight histograms when due."""
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._log_embeddings(epoch)
        self._flush_writers()

    # --- what is written --------------------------------------------------------------------------------
    def _collect_learning_rate(self, logs):
        optimizer = getattr(self.model, "optimizer", None)
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        if hasattr(optimizer, "optimizers"):
            for opt in optimizer.optimizers:
                logs[f"learning_rate_{opt.name}"] = float(opt.learning_rate)
        elif optimizer is not None and hasattr(optimizer, "learning_rate"):
            logs["learning_rate"] = float(optimizer.learning_rate)
        return logs

    def _compute_steps_per_second(self):
        elapsed = time.time() - self._epoch_start_time
        return (float(self.model.optimizer.iterations) - self._previous_epoch_iterations) / max(elapsed, 1e-12)

    def _log_epoch_metrics(self, epoch, logs):
        if not logs:
            return
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}  # written under the same tags
        train_logs = self._collect_learning_rate(train_logs)
        if self.write_steps_per_second:
            train_logs["steps_per_second"] = self._compute_steps_per_second()
        if train_logs:
            _write_scalars(self._train_writer, train_logs, "epoch_{}", epoch)
        if val_logs:
            _write_scalars(self._val_writer, val_logs, "epoch_{}", epoch)

    def _log_weights(self, epoch):
        """A histogram (and with ``write_images`` an image) of every weight of every layer."""
        writer = self._train_writer
        for layer in self.model.layers:
            for weight in layer.weights:
                name = weight.path.replace(":", "_")
                values = weight.numpy()
                writer.histogram(f"{name}/histogram", values, step=epoch)
                if self.write_images:
                    self._log_weight_as_image(values, f"{name}/image", epoch)
        writer.flush()

    def _log_weight_as_image(self, weight, name, epoch):
        image = np.squeeze(weight)
        shape = image.shape
        if len(shape) == 1:  # a bias
            image = image.reshape(1, shape[0], 1, 1)
        elif len(shape) == 2:  # a Dense kernel, wider than tall
            if shape[0] > shape[1]:
                image = image.T
                shape = image.shape
            image = image.reshape(1, shape[0], shape[1], 1)
        elif len(shape) == 3:  # one image per channel (channels last)
            from glassnet import config

            if config.image_data_format() == "channels_last":
                image = np.transpose(image, (2, 0, 1))
                shape = image.shape
            image = image.reshape(shape[0], shape[1], shape[2], 1)
        if image.ndim == 4 and image.shape[-1] in (1, 3, 4):
            self._train_writer.image(name, image, step=epoch)

    def _log_embeddings(self, epoch):
        path = os.path.join(self._log_write_dir, "train", f"keras_embedding.ckpt-{epoch}.weights.h5")
        self.model.save_weights(path)


def _write_scalars(writer, logs, tag, step):
    """Write each number in ``logs`` as the scalar ``tag.format(name)`` at ``step``; skip what is not a number."""
    for name, value in logs.items():
        value = _scalar_or_none(value)
        if value is not None:
            writer.scalar(tag.format(name), value, step=step)


def _scalar_or_none(value):
    """A float for a number (or 0-d / one-element array); None for anything else, which is skipped."""
    if type(value) is float:
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
