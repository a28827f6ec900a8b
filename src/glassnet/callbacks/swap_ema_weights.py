"""SwapEMAWeights: evaluate (and predict) with the optimizer's moving average of the weights."""

import numpy as np

from glassnet.callbacks.callback import Callback


class SwapEMAWeights(Callback):
    """Swap the model's weights with the optimizer's EMA weights around evaluation (``keras.callbacks.SwapEMAWeights``).

    The optimizer must be made with ``use_ema=True``: it then keeps, for each
    trained weight, ``average = ema_momentum * average + (1 - ema_momentum) * w``
    after every step (Polyak averaging). Before validation, ``evaluate`` and
    ``predict`` this callback exchanges weights and averages in place; after,
    it exchanges them back, so training goes on from the raw weights.

    Args:
        swap_on_epoch: also swap at the end of each epoch (and back at the
            start of the next), so that callbacks placed after this one
            (``ModelCheckpoint``) see the EMA weights. Default False.
    """

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _ema_optimizers(self):
        optimizer = self.model.optimizer
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)  # a LossScaleOptimizer
        if hasattr(optimizer, "optimizers"):  # a MultiOptimizer
            chosen = [one for one in optimizer.optimizers if getattr(one, "use_ema", False)]
            if not chosen:
                raise ValueError("SwapEMAWeights must be used when at least one inner optimizer has use_ema=True; "
                                 "got a MultiOptimizer whose inner optimizers all have use_ema=False")
            return chosen
        if not getattr(optimizer, "use_ema", False):
            raise ValueError(f"SwapEMAWeights must be used with an optimizer made with use_ema=True, got "
                             f"{type(optimizer).__name__} with use_ema={getattr(optimizer, 'use_ema', None)}")
        return [optimizer]

    def _swap_variables(self):
        for optimizer in self._ema_optimizers():
            for variable, average in zip(optimizer._trainable_variables, optimizer._model_variables_moving_average):
                value = np.array(variable.data, copy=True)
                variable.assign(average)
                average[...] = value

    def _finalize_ema_values(self):
        for optimizer in self._ema_optimizers():
            for variable, average in zip(optimizer._trainable_variables, optimizer._model_variables_moving_average):
                average[...] = variable.data

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch and self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True
            # after the last epoch fit copies the averages into the weights (finalize_variable_values):
            # the averages must hold the EMA values again, which the swap has just put into the model
            if epoch == self.params["epochs"] - 1:
                self._finalize_ema_values()

    def on_test_begin(self, logs=None):
        if not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True

    def on_test_end(self, logs=None):
        if self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False

    on_predict_begin = on_test_begin
    on_predict_end = on_test_end  # Keras 3.15 tests `not in model` here and leaves the EMA weights in; we swap back
