"""Finding the published ImageNet weights (and the class index) on disk, or downloading them.

A file is looked for in glassnet's model cache (``$GLASSNET_HOME/models``,
by default ``~/.glassnet/models``), then in Keras' (``~/.keras/models``), so
weights Keras already downloaded are used as they are. Otherwise it is
downloaded into glassnet's cache by ``glassnet.datasets.download``: written
to a temporary name and renamed only once its hash matches.

Keras publishes these files' hashes as MD5 only, so that is what is checked
(a weaker check than the SHA-256 of glassnet's datasets, but the one the
publisher gives); for MobileNetV2's weights Keras gives no hash at all, and
they are taken unchecked, with a warning.
"""

import os
import warnings

KERAS_APPLICATIONS = "https://storage.googleapis.com/tensorflow/keras-applications/"


class WeightsNotFoundError(FileNotFoundError):
    """A weights file is neither on disk nor downloadable."""


def cache_dir():
    """glassnet's model cache: ``$GLASSNET_HOME/models`` or ``~/.glassnet/models``."""
    home = os.environ.get("GLASSNET_HOME") or os.path.join(os.path.expanduser("~"), ".glassnet")
    return os.path.join(home, "models")


def search_dirs():
    """The folders searched for weights files, in order."""
    return [cache_dir(), os.path.join(os.path.expanduser("~"), ".keras", "models")]


def weights_file(file_name, url, md5=None):
    """Path to ``file_name``: found in a model cache, or downloaded from ``url`` and checked against ``md5``."""
    for directory in search_dirs():
        candidate = os.path.join(directory, file_name)
        if os.path.isfile(candidate):
            return candidate
    import http.client

    from glassnet.datasets.download import download

    if md5 is None:
        warnings.warn(f"No hash is published for {url}: the downloaded file is used unchecked.", stacklevel=3)
    destination = os.path.join(cache_dir(), file_name)
    try:
        return download(url, destination, None, md5=md5)
    except (OSError, http.client.HTTPException) as error:
        places = "\n  ".join(search_dirs())
        hash_note = f" (MD5 {md5})" if md5 else ""
        raise WeightsNotFoundError(
            f"Weights file '{file_name}' was not found and could not be downloaded ({error}).\n"
            f"Download it from {url}{hash_note} and put it in one of:\n  {places}\n"
            "or pass weights=None for random initial weights, or weights='path/to/file.h5'."
        ) from None
