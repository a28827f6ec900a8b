"""History: the per-epoch logs of ``fit``, returned by it and kept as ``model.history``."""

from glassnet.callbacks.callback import Callback


class History(Callback):
    """``history.history`` maps each log name (``loss``, ``accuracy``, ``val_loss``, ...)
    to one value per epoch; ``history.epoch`` lists the epoch numbers.

    ``fit`` adds it after the callbacks you pass, so it also records what they
    put in the logs (``learning_rate`` from ``LearningRateScheduler`` or
    ``ReduceLROnPlateau``).
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)
        self.model.history = self

    def plot(self, filename="curves.png", metrics=None):
        """Save the loss and metric curves (train and validation) as a PNG; returns its path.

        See ``glassnet.utils.plot_history``; needs matplotlib.
        """
        from glassnet.utils.plot import plot_history

        return plot_history(self, filename=filename, metrics=metrics)
