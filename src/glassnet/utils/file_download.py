"""``keras.utils.get_file``: a file from a URL, cached, verified, and unpacked when asked.

The file lands in ``cache_dir/cache_subdir`` (by default ``~/.keras/datasets``,
the folder Keras uses, so the two share their downloads). It is downloaded by
glassnet's verified downloader (``glassnet.datasets.download``): written to a
temporary name, checked against ``file_hash`` (SHA-256, or MD5 for a
32-character hash as Keras' "auto" decides), then renamed, so a broken or
forged download never takes the place of a file. A cached file whose hash does
not match is downloaded again. Archives are unpacked without following paths
or links that lead outside the extraction folder.
"""

import os
import tarfile
import tempfile
import urllib.parse
import warnings
import zipfile

__all__ = ["get_file"]

ARCHIVE_FORMATS = ("tar", "zip")


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None, cache_subdir="datasets",
             hash_algorithm="auto", extract=False, archive_format="auto", cache_dir=None, force_download=False):
    """The local path of ``origin``'s file, downloaded once into ``cache_dir/cache_subdir``.

    With ``extract`` (or the older ``untar``) a tar or zip archive is unpacked and the extraction
    folder is returned: ``<name>_extracted`` when ``fname`` has an extension, else ``<name>``.
    """
    if origin is None:
        raise ValueError('get_file: please specify the "origin" argument (URL of the file to download)')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    if hash_algorithm not in ("auto", "sha256", "md5"):
        raise ValueError(f"get_file: hash_algorithm must be 'auto', 'sha256' or 'md5', received {hash_algorithm!r}")
    folder = os.path.join(_writable_base(cache_dir), cache_subdir)
    target, extraction_dir = _targets(fname, origin, folder, extract or untar)
    os.makedirs(folder, exist_ok=True)
    algorithm = _algorithm(hash_algorithm, file_hash)
    if force_download or not os.path.exists(target) or not _matches(target, file_hash, algorithm):
        if os.path.exists(target) and not force_download:
            print(f"A local file was found, but it seems to be incomplete or outdated because the {algorithm} "
                  f"file hash does not match the original value of {file_hash} so we will re-download the data.")
        _download(origin, target, file_hash, algorithm)
    if not (extract or untar):
        return target
    formats = "tar" if untar else archive_format
    if not _extract_archive(target, extraction_dir, formats):
        warnings.warn("Could not extract archive.", stacklevel=2)
    return extraction_dir


def _writable_base(cache_dir):
    base = os.path.expanduser(cache_dir) if cache_dir else os.path.join(os.path.expanduser("~"), ".keras")
    if os.path.isdir(base) and not os.access(base, os.W_OK):
        base = os.path.join(tempfile.gettempdir(), ".keras")
    return base


def _targets(fname, origin, folder, extract):
    """(download path, extraction folder) as Keras names them."""
    given = fname is not None and str(fname) != ""
    name = os.fspath(fname) if given else os.path.basename(urllib.parse.urlsplit(origin).path)
    if not name:
        raise ValueError(f"get_file: can't parse the file name from the origin {origin!r}; pass `fname`")
    if os.sep in name:
        raise ValueError(f"get_file: `fname` must be a file name, not a path (use `cache_dir` for the folder), "
                         f"received fname={name!r}")
    if not extract:
        return os.path.join(folder, name), None
    if given and "." in name:
        stem = name[:name.find(".")]
        return os.path.join(folder, name), os.path.join(folder, f"{stem}_extracted")
    return os.path.join(folder, f"{name}_archive"), os.path.join(folder, name)


def _algorithm(hash_algorithm, file_hash):
    """Keras' "auto": SHA-256 for a 64-character hash, MD5 otherwise."""
    if hash_algorithm == "sha256" or hash_algorithm == "auto" and file_hash is not None and len(file_hash) == 64:
        return "sha256"
    return "md5"


def _matches(path, file_hash, algorithm):
    from glassnet.datasets.download import digest_of

    return file_hash is None or digest_of(path, algorithm) == str(file_hash)


def _download(origin, target, file_hash, algorithm):
    from glassnet.datasets.download import download

    print(f"Downloading data from {origin}")
    hashes = {"sha256": None, "md5": None}
    if file_hash is not None:
        hashes[algorithm] = str(file_hash)
    try:
        download(origin, target, sha256=hashes["sha256"], md5=hashes["md5"])
    except OSError as error:
        if file_hash is not None and "expected" in str(error):
            raise ValueError(f"Incomplete or corrupted file detected. The {algorithm} file hash does not match "
                             f"the provided value of {file_hash}.") from None
        raise OSError(f"URL fetch failure on {origin}: {error}") from error


def _extract_archive(path, destination, archive_format="auto"):
    """Unpack a tar or zip archive into ``destination``; False when ``path`` is neither."""
    if archive_format is None:
        return False
    formats = list(ARCHIVE_FORMATS) if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    for kind in formats:
        if kind not in ARCHIVE_FORMATS:
            raise ValueError(f"get_file: archive_format must be 'auto', 'tar', 'zip' or None, received {kind!r}")
        if kind == "tar" and tarfile.is_tarfile(path):
            with tarfile.open(path) as archive:
                archive.extractall(destination, filter="data")
            return True
        if kind == "zip" and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                _check_zip_members(archive, destination)
                archive.extractall(destination)
            return True
    return False


def _check_zip_members(archive, destination):
    root = os.path.realpath(destination)
    for name in archive.namelist():
        where = os.path.realpath(os.path.join(root, name))
        if os.path.commonpath([root, where]) != root:
            raise ValueError(f"get_file: the archive's member {name!r} would be written outside {destination}")
