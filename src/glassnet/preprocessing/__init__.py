"""``keras.preprocessing``: the dataset builders under their older home, as Keras 3 keeps them.

``preprocessing.image_dataset_from_directory``, ``text_dataset_from_directory``
and ``timeseries_dataset_from_array`` are the ``keras.utils`` functions;
``preprocessing.sequence.pad_sequences`` and ``preprocessing.image``
(``load_img``, ``img_to_array``, ``array_to_img``, ``smart_resize``) live in
the submodules.
"""

from glassnet.preprocessing import image, sequence
from glassnet.utils.image_dataset import image_dataset_from_directory
from glassnet.utils.text_dataset import text_dataset_from_directory
from glassnet.utils.timeseries_dataset import timeseries_dataset_from_array

__all__ = ["image", "image_dataset_from_directory", "sequence", "text_dataset_from_directory",
           "timeseries_dataset_from_array"]
