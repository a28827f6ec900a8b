"""The Callback base class: hooks the training loop calls at each stage.

Subclass it and override any hook; ``self.model`` is the model being
trained and ``self.params`` holds ``verbose``, ``epochs`` and ``steps``.
Set ``self.model.stop_training = True`` to stop after the current batch
(from a batch hook) or epoch.

Batch hooks run at every step, so the loop calls them only on callbacks that
implement them: a subclass that overrides the method, or an instance given
the hook as an attribute (``LambdaCallback`` does this).
"""


class Callback:
    """Base class for callbacks (``keras.callbacks.Callback``)."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    # training
    def on_train_begin(self, logs=None):
        """Called once when ``fit`` starts."""

    def on_train_end(self, logs=None):
        """Called once when ``fit`` ends (also after an interruption)."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of each epoch (``epoch`` counts from 0)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of each epoch; ``logs`` has the epoch's metrics and ``val_`` ones."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before each training step (by default, calls ``on_batch_begin``, as in Keras)."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after each training step; ``logs`` has the running metrics.

        By default, calls ``on_batch_end`` (the Keras 2 name), as in Keras.
        """
        self.on_batch_end(batch, logs=logs)

    # evaluation
    def on_test_begin(self, logs=None):
        """Called when ``evaluate`` (or validation) starts."""

    def on_test_end(self, logs=None):
        """Called when ``evaluate`` (or validation) ends."""

    def on_test_batch_begin(self, batch, logs=None):
        """Called before each evaluation step."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after each evaluation step."""

    # prediction
    def on_predict_begin(self, logs=None):
        """Called when ``predict`` starts."""

    def on_predict_end(self, logs=None):
        """Called when ``predict`` ends."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before each prediction step."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after each prediction step; ``logs["outputs"]`` holds the batch's predictions."""

    # Keras 2 names
    def on_batch_begin(self, batch, logs=None):
        """Alias of ``on_train_batch_begin``."""

    def on_batch_end(self, batch, logs=None):
        """Alias of ``on_train_batch_end``."""
