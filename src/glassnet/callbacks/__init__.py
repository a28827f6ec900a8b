"""Callbacks, as ``keras.callbacks``."""

from glassnet.callbacks.backup_and_restore import BackupAndRestore
from glassnet.callbacks.callback import Callback
from glassnet.callbacks.callback_list import CallbackList
from glassnet.callbacks.csv_logger import CSVLogger
from glassnet.callbacks.diagnostics import Diagnostics
from glassnet.callbacks.early_stopping import EarlyStopping
from glassnet.callbacks.history import History
from glassnet.callbacks.lambda_callback import LambdaCallback
from glassnet.callbacks.learning_rate_scheduler import LearningRateScheduler
from glassnet.callbacks.model_checkpoint import ModelCheckpoint
from glassnet.callbacks.progbar_logger import ProgbarLogger
from glassnet.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from glassnet.callbacks.remote_monitor import RemoteMonitor
from glassnet.callbacks.swap_ema_weights import SwapEMAWeights
from glassnet.callbacks.tensorboard import TensorBoard
from glassnet.callbacks.terminate_on_nan import TerminateOnNaN
