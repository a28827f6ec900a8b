"""Utilities, as ``keras.utils``."""

from glassnet.backend import is_keras_tensor, standardize_dtype
from glassnet.random import set_random_seed
from glassnet.utils.confusion import confusion_matrix
from glassnet.utils.io_utils import (
    disable_interactive_logging, enable_interactive_logging, is_interactive_logging_enabled,
)
from glassnet.utils.numerical import normalize, to_categorical
from glassnet.utils.plot import plot_history
from glassnet.utils.plot_model import model_to_dot, plot_model
from glassnet.utils.progbar import Progbar
from glassnet.saving import deserialize_keras_object, serialize_keras_object
from glassnet.saving.object_registration import (
    custom_object_scope, get_custom_objects, get_registered_name, get_registered_object, register_keras_serializable,
)
from glassnet.utils.py_dataset import PyDataset, Sequence
from glassnet.utils.image_dataset import image_dataset_from_directory
from glassnet.utils.sequence_padding import pad_sequences
from glassnet.utils.text_dataset import text_dataset_from_directory
from glassnet.utils.timeseries_dataset import timeseries_dataset_from_array
from glassnet.utils.lazy_exports import lazy_exports

CustomObjectScope = custom_object_scope

# loaded on first use: the image files (Pillow), downloads and dataset splitting
__getattr__, __dir__, load_all = lazy_exports(globals(), {
    **dict.fromkeys(["array_to_img", "img_to_array", "load_img", "save_img"], "glassnet.utils.image_utils"),
    "get_file": "glassnet.utils.file_download",
    "split_dataset": "glassnet.utils.dataset_split",
    "get_source_inputs": "glassnet.utils.source_inputs",
    "audio_dataset_from_directory": "glassnet.utils.audio_dataset",
})


def clear_session(free_memory=True):
    """Reset layer names (``dense``, ``dense_1``...) and this thread's running state, as a fresh session would."""
    from glassnet import state
    from glassnet.utils.naming import reset_names

    reset_names()
    state.reset()


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """A batch as ``fit`` takes it: ``x`` alone (``(x,)`` when x is itself a tuple or list), ``(x, y)`` or
    ``(x, y, sample_weight)``."""
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    return (x, y) if sample_weight is None else (x, y, sample_weight)


def unpack_x_y_sample_weight(data):
    """Split a batch given as x, (x, y) or (x, y, sample_weight)."""
    from glassnet.trainers.trainer import unpack_x_y_sample_weight as unpack

    return unpack(data)
