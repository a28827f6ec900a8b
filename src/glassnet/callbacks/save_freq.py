"""Saving every N batches (``save_freq=N``): the batch count ModelCheckpoint and BackupAndRestore share.

The loop numbers batches from 0 in each epoch, so a batch number not above
the last one seen starts a new epoch and counts ``batch + 1`` batches;
otherwise the batches since the last one seen are added. Once ``save_freq``
batches have been counted since the last save, the count restarts and the
callback saves: with 10 batches an epoch and ``save_freq=4``, after global
batches 4, 8, 12... across epoch ends.
"""


def should_save_on_batch(callback, batch):
    """Count ``batch`` towards ``callback.save_freq``; True when it is time to save.

    Reads and updates the callback's ``_last_batch_seen`` (None or 0 before the first batch) and
    ``_batches_seen_since_last_saving`` (Keras' names). ``save_freq`` ``"epoch"`` or False: never.
    Used as the method ``_should_save_on_batch`` of both callbacks.
    """
    if callback.save_freq == "epoch" or callback.save_freq is False:
        return False
    last = callback._last_batch_seen
    added = batch + 1 if last is None or batch <= last else batch - last
    callback._batches_seen_since_last_saving += added
    callback._last_batch_seen = batch
    if callback._batches_seen_since_last_saving >= callback.save_freq:
        callback._batches_seen_since_last_saving = 0
        return True
    return False
