"""Finding dataset files on disk, or downloading them with SHA-256 verification.

A file is looked for, in order, in ``$GLASSNET_DATASETS``, in glassnet's
cache (``$GLASSNET_HOME/datasets``, by default ``~/.glassnet/datasets``) and
in Keras' cache (``~/.keras/datasets``). If it is nowhere, it is downloaded
into glassnet's cache: written to a temporary name, checked against its
published SHA-256, then renamed, so a broken download never leaves a file
that looks complete. Without network, the error says which file is missing,
where to get it, and where to put it.
"""

import os


class DatasetNotFoundError(FileNotFoundError):
    """A dataset file is neither on disk nor downloadable."""


def cache_dir():
    """glassnet's dataset cache: ``$GLASSNET_HOME/datasets`` or ``~/.glassnet/datasets``."""
    home = os.environ.get("GLASSNET_HOME") or os.path.join(os.path.expanduser("~"), ".glassnet")
    return os.path.join(home, "datasets")


def search_dirs():
    """The folders searched for dataset files, in order."""
    dirs = []
    configured = os.environ.get("GLASSNET_DATASETS")
    if configured:
        dirs.append(configured)
    dirs.append(cache_dir())
    dirs.append(os.path.join(os.path.expanduser("~"), ".keras", "datasets"))
    return dirs


def find_file(relative_paths):
    """The first existing path among ``relative_paths`` in the search folders, or None."""
    for directory in search_dirs():
        for relative in relative_paths:
            candidate = os.path.join(directory, relative)
            if os.path.isfile(candidate):
                return candidate
    return None


def sha256_of(path):
    return digest_of(path, "sha256")


def digest_of(path, algorithm):
    """The hex digest of a file's bytes under ``algorithm`` ("sha256", or "md5" where only that is published)."""
    import hashlib

    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(url, destination, sha256, timeout=30, md5=None):
    """Download ``url`` to ``destination`` atomically, verifying its SHA-256.

    Where a publisher gives only an MD5 (Keras' ImageNet weights), pass
    ``sha256=None, md5=...``: the file is checked against that weaker hash.
    With neither (Keras publishes no hash for MobileNetV2's weights) the
    file is taken unchecked; callers say so to the user.

    Written as glassnet saves its files (``saving/atomic.py``): a locked temporary file renamed into
    place only once its checksum matches, with the mode ``open()`` gives under the umask; a download
    killed midway leaves a temporary file that the next download of the same name removes.
    """
    import urllib.request

    from glassnet.saving.atomic import atomic_path

    with atomic_path(destination) as temporary:
        with open(temporary, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            for block in iter(lambda: response.read(1 << 20), b""):
                out.write(block)
        algorithm, expected = ("sha256", sha256) if sha256 is not None or md5 is None else ("md5", md5)
        actual = digest_of(temporary, algorithm)
        if expected is not None and actual != expected:
            raise OSError(f"{url} downloaded, but its {algorithm.upper().replace('SHA', 'SHA-')} is {actual}, "
                          f"expected {expected}; not using it")
    return destination


def get_file(relative_path, url, sha256, alternatives=()):
    """Path to a dataset file: found on disk, or downloaded into the cache.

    ``alternatives`` are other relative paths under which the same file may
    already be stored (e.g. the layout of ``../shared/data``).
    """
    found = find_file((relative_path,) + tuple(alternatives))
    if found:
        return found
    import http.client

    destination = os.path.join(cache_dir(), relative_path)
    try:
        return download(url, destination, sha256)
    except (OSError, http.client.HTTPException) as error:  # HTTPException: e.g. IncompleteRead, a cut download
        places = "\n  ".join(search_dirs())
        raise DatasetNotFoundError(
            f"Dataset file '{relative_path}' was not found and could not be downloaded ({error}).\n"
            f"Download it from {url} (SHA-256 {sha256}) and put it in one of:\n  {places}\n"
            "or set GLASSNET_DATASETS to the folder that holds it."
        ) from None
