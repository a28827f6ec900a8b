"""History: the per-epoch logs of ``fit``, returned by it and kept as ``model.history``."""

from glassnet.callbacks.callback import Callback


class History(Callback):
    """``history.history`` maps each log name (``loss``, ``accuracy``, ``val_loss``, ...)
    to one value per epoch; ``history.epoch`` lists the epoch numbers."""

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
