"""One kind of error for a damaged or hostile file: a ValueError that names the file and the problem.

Reading a file runs zipfile, zlib, json and h5py, which signal damage with
``zlib.error``, ``EOFError``, ``RecursionError``, h5py's ``KeyError`` or
``RuntimeError``, and more. Inside ``with reading(path):`` any of them
becomes ``ValueError("'path' is damaged or not a valid ... file (...)")``,
and a ValueError raised by glassnet's own checks gets the file's name in
front, so every failed load says which file is at fault and why.
"""

import contextlib
import zlib

DAMAGE = (OSError, EOFError, RuntimeError, KeyError, IndexError, TypeError, OverflowError, RecursionError,
          NotImplementedError, zlib.error)


@contextlib.contextmanager
def reading(filepath, member=None):
    """Turn any error raised while ``filepath`` (or its ``member``) is read into a ValueError naming it."""
    where = repr(str(filepath)) + (f" ({member})" if member else "")
    try:
        yield
    except ValueError as error:
        if str(error).startswith(repr(str(filepath))):
            raise
        raise ValueError(f"{where}: {error}") from None
    except DAMAGE as error:
        detail = str(error) or _MEANING.get(type(error).__name__, "")
        raise ValueError(f"{where} is damaged or not a valid file: {type(error).__name__}: {detail}") from error


_MEANING = {"EOFError": "the file ends before its data does (truncated?)",
            "error": "its compressed data is corrupt",
            "RecursionError": "it nests data too deeply"}
