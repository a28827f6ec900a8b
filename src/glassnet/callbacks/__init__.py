"""Callbacks, as ``keras.callbacks``."""

from glassnet.callbacks.callback import Callback
from glassnet.callbacks.callback_list import CallbackList
from glassnet.callbacks.history import History
from glassnet.callbacks.progbar_logger import ProgbarLogger
