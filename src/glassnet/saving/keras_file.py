"""The ``.keras`` file: Keras 3's zip of ``metadata.json``, ``config.json`` and ``model.weights.h5``.

    model.save("digits.keras")
    model = glassnet.models.load_model("digits.keras")

``config.json`` is the model's serialized config (architecture, build and
compile config) in Keras 3's format, ``model.weights.h5`` the weights and
optimizer state in Keras 3's layout (``weights_h5.py``); members are stored
uncompressed, as Keras stores them. Keras 3 loads glassnet's files and
glassnet loads Keras 3's (for the layers both have).

A layer (or model) with ``save_assets(dir_path)`` writes files into a
folder of its own, stored under ``assets/<its path>/`` in the zip (the path
its weights have in ``model.weights.h5``, e.g.
``assets/layers/text_vectorization/vocabulary.txt``), and gets them back
through ``load_assets(dir_path)`` after the weights are loaded, as Keras does.

Saving serializes everything in memory first, then writes a temporary file
beside the target and renames it: an interrupted or failed save leaves any
earlier file intact. Loading never unpickles and never runs code from the
file (see ``serialization_lib``); a damaged, truncated or foreign file gets
an error that says what is wrong with it.
"""

import datetime
import io
import json
import os
import tempfile
import warnings
import zipfile
import zlib

from glassnet.saving import legacy_h5, serialization_lib
from glassnet.saving.atomic import atomic_path
from glassnet.saving.file_errors import reading

CONFIG_NAME = "config.json"
METADATA_NAME = "metadata.json"
WEIGHTS_NAME = "model.weights.h5"
ASSETS_DIR = "assets"
KERAS_VERSION = "3.15.1"  # the Keras version whose format is written (Keras checks nothing more)
_MAX_EXPANSION = 100  # a member that inflates more than this (and past 64 MiB) is treated as a zip bomb
_BOMB_FLOOR = 64 << 20


# --- saving ---------------------------------------------------------------------------------------------------------
def save_model(model, filepath, overwrite=True, zipped=None, include_optimizer=True, **kwargs):
    """Write ``model`` to ``filepath`` (``.keras``, or ``.h5``/``.hdf5``: Keras' legacy format) via a temporary file."""
    if zipped is not False and legacy_h5.is_legacy_path(filepath):
        save_format = kwargs.pop("save_format", None)
        if kwargs:
            raise TypeError(f"save() got unexpected keyword argument(s) {sorted(kwargs)}")
        if save_format:
            warnings.warn("The `save_format` argument is deprecated in Keras 3. We recommend removing this argument "
                          f"as it can be inferred from the file path. Received: save_format={save_format}",
                          stacklevel=3)
        legacy_h5.save_model(model, filepath, overwrite=overwrite, include_optimizer=include_optimizer)
        return
    if kwargs.pop("save_format", None) not in (None, "keras"):
        raise ValueError("glassnet saves models in Keras 3's .keras format only (save_format='keras')")
    if kwargs:
        raise TypeError(f"save() got unexpected keyword argument(s) {sorted(kwargs)}")
    if zipped is False:
        raise ValueError("zipped=False (a folder instead of a .keras file) is not supported; use a .keras file")
    filepath = os.fspath(filepath)
    if not filepath.endswith(".keras"):
        raise ValueError(f"model.save writes Keras 3's .keras format, so the file name must end in '.keras' (as Keras "
                         f"3 requires), got {filepath!r}. For weights only, use save_weights('....weights.h5')")
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    payload = model_file_bytes(model, include_optimizer=include_optimizer)  # everything that can fail, before any file
    with atomic_path(filepath) as temporary:
        with open(temporary, "wb") as handle:
            handle.write(payload)


def model_file_bytes(model, include_optimizer=True):
    """The bytes of a ``.keras`` file for ``model``."""
    config_text = json.dumps(serialization_lib.serialize_keras_object(model))
    metadata_text = json.dumps({"keras_version": KERAS_VERSION, "glassnet_version": _glassnet_version(),
                                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")})
    weights = weights_bytes(model, include_optimizer)
    assets = assets_members(model)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(METADATA_NAME, metadata_text)
        archive.writestr(CONFIG_NAME, config_text)
        archive.writestr(WEIGHTS_NAME, weights)
        for name, data in assets:
            archive.writestr(name, data)
    return buffer.getvalue()


def _asset_hooks(model, hook):
    """``[(path, object)]`` of the objects below ``model`` (itself included) that have the method ``hook``."""
    from glassnet.saving.weights_h5 import walk

    found = []
    walk(model, lambda obj, path: found.append((path, obj)) if callable(getattr(obj, hook, None)) else None)
    return found


def _assets_prefix(path):
    return f"{ASSETS_DIR}/{path}/" if path else f"{ASSETS_DIR}/"


def assets_members(model):
    """``[(zip member name, bytes)]``: what every ``save_assets(dir_path)`` hook wrote, under ``assets/<path>/``."""
    members = []
    for path, obj in _asset_hooks(model, "save_assets"):
        with tempfile.TemporaryDirectory() as folder:
            obj.save_assets(folder)
            for root, _, files in sorted(os.walk(folder)):
                for name in sorted(files):
                    full = os.path.join(root, name)
                    relative = os.path.relpath(full, folder).replace(os.sep, "/")
                    with open(full, "rb") as handle:
                        members.append((_assets_prefix(path) + relative, handle.read()))
    return members


def weights_bytes(model, include_optimizer=True):
    """``model.weights.h5`` as bytes, written in memory."""
    import h5py

    from glassnet.saving.weights_h5 import write_weights

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as handle:
        write_weights(handle, model, include_optimizer=include_optimizer)
    return buffer.getvalue()


def _glassnet_version():
    import glassnet

    return glassnet.__version__


# --- loading --------------------------------------------------------------------------------------------------------
def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Rebuild the model saved in ``filepath`` (by glassnet or Keras 3), weights and optimizer state included.

    Args:
        custom_objects: ``{"Name": class_or_function}`` for custom layers,
            losses, metrics or functions that are not registered.
        compile: compile the model as it was saved (optimizer state included).
        safe_mode: refuse Python lambdas stored as bytecode (the default).

    A ``.h5``/``.hdf5`` file that is not a zip archive is read as Keras'
    legacy HDF5 model (``legacy_h5.load_model``), as Keras does.
    """
    filepath = os.fspath(filepath)
    if legacy_h5.is_legacy_path(filepath) and os.path.isfile(filepath) and not zipfile.is_zipfile(filepath):
        return legacy_h5.load_model(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)
    with open_archive(filepath) as archive, reading(filepath):
        config = read_config(archive, filepath)
        weights = _read_member(archive, WEIGHTS_NAME, filepath)
        assets = {name: _read_member(archive, name, filepath) for name in _asset_names(archive, filepath)}
    if not compile:
        config.pop("compile_config", None)
    model = _model_from_config(config, custom_objects, safe_mode, filepath)
    _load_weights_bytes(model, weights, filepath, skip_mismatch=False)
    load_assets(model, assets)
    return model


def _asset_names(archive, filepath):
    """The file members under ``assets/``; a name that would leave its folder (``..``, absolute) is refused."""
    names = []
    for name in archive.namelist():
        if not name.startswith(ASSETS_DIR + "/") or name.endswith("/"):
            continue
        parts = name.split("/")
        if any(part in ("", ".", "..") for part in parts) or "\\" in name or ":" in name:
            raise ValueError(f"{filepath!r}: the asset member {name!r} has an unsafe path; the file is damaged or "
                             "not a .keras file")
        names.append(name)
    return names


def load_assets(model, assets):
    """Give every ``load_assets(dir_path)`` hook a folder holding its files from ``assets`` ({member: bytes})."""
    for path, obj in _asset_hooks(model, "load_assets"):
        prefix = _assets_prefix(path)
        mine = {name[len(prefix):]: data for name, data in assets.items() if name.startswith(prefix)}
        if not mine:
            continue
        with tempfile.TemporaryDirectory() as folder:
            for relative, data in mine.items():
                target = os.path.join(folder, *relative.split("/"))
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "wb") as handle:
                    handle.write(data)
            obj.load_assets(folder)


def open_archive(filepath):
    """The zip archive at ``filepath``, or an error naming what the file is instead."""
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No such file: {filepath!r}")
    with reading(filepath):
        return _open_archive(filepath)


def _open_archive(filepath):
    if os.path.isdir(filepath):
        raise ValueError(f"{filepath!r} is a folder; load_model reads a .keras file (Keras 3's zipped format)")
    with open(filepath, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"\x89HDF"):
        hint = "build the model and call load_weights" if filepath.endswith(".weights.h5") else \
            "a legacy HDF5 model file (Keras' model.save('x.h5')) loads when its name ends in '.h5'"
        raise ValueError(f"{filepath!r} is an HDF5 file, not a .keras archive: {hint}")
    if not head.startswith(b"PK"):
        raise ValueError(f"{filepath!r} is not a .keras file: a .keras file is a zip archive, this file starts with "
                         f"{head!r}")
    try:
        archive = zipfile.ZipFile(filepath, "r")
    except zipfile.BadZipFile as error:
        raise ValueError(f"{filepath!r} is damaged or truncated: it starts like a zip archive but cannot be read "
                         f"({error}). Save the model again") from None
    for info in archive.infolist():  # before anything is decompressed (the checksum test included)
        if info.file_size > _BOMB_FLOOR and info.file_size > _MAX_EXPANSION * max(info.compress_size, 1):
            archive.close()
            raise ValueError(f"{filepath!r}: member '{info.filename}' claims {info.file_size} bytes from "
                             f"{info.compress_size} stored; refusing a possible decompression bomb")
    bad = archive.testzip() if _small_enough_to_test(archive) else None
    if bad is not None:
        archive.close()
        raise ValueError(f"{filepath!r} is damaged: the checksum of '{bad}' does not match its contents")
    return archive


def _small_enough_to_test(archive):
    return sum(info.file_size for info in archive.infolist()) < (1 << 30)


def _read_member(archive, name, filepath):
    names = archive.namelist()
    if name not in names:
        if CONFIG_NAME not in names:
            raise ValueError(f"{filepath!r} is a zip archive but not a Keras model file: it has no {CONFIG_NAME} "
                             f"(its members: {names[:10]})")
        other = [n for n in names if n.startswith("model.weights")]
        hint = f" (it has {other}: only the .h5 weights format is supported)" if other else ""
        raise ValueError(f"{filepath!r} has no {name}: the model's weights are missing{hint}")
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error, NotImplementedError, RuntimeError) as error:
        raise ValueError(f"{filepath!r} is damaged: cannot read '{name}' ({type(error).__name__}: {error})") \
            from None


def read_config(archive, filepath):
    """``config.json`` parsed, with a clear error when it is not the config of a model."""
    text = _read_member(archive, CONFIG_NAME, filepath)
    try:
        config = json.loads(text.decode("utf-8"))
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError, JSONDecodeError, too many digits, too deep
        raise ValueError(f"{filepath!r}: {CONFIG_NAME} is not valid JSON ({type(error).__name__}: {error}); the file "
                         "was damaged or edited") from None
    try:
        serialization_lib.check_nesting(config)
    except ValueError as error:
        raise ValueError(f"{filepath!r}: {CONFIG_NAME} {error}") from None
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        keys = sorted(config) if isinstance(config, dict) else type(config).__name__
        raise ValueError(f"{filepath!r}: {CONFIG_NAME} is not a serialized model (expected 'class_name' and 'config' "
                         f"entries, found {keys})")
    return config


def _model_from_config(config, custom_objects, safe_mode, filepath):
    from glassnet.models.model import Model

    try:
        model = serialization_lib.deserialize_keras_object(config, custom_objects=custom_objects,
                                                           safe_mode=safe_mode)
    except ValueError as error:
        raise ValueError(f"{filepath!r}: {error}") from None
    except (KeyError, IndexError, AttributeError, TypeError, OverflowError, RecursionError) as error:
        raise ValueError(f"{filepath!r}: {CONFIG_NAME} does not describe a valid model ({type(error).__name__}: "
                         f"{error})") from error
    if not isinstance(model, Model):
        raise ValueError(f"{filepath!r} holds a {type(model).__name__}, not a model")
    return model


def _load_weights_bytes(model, data, filepath, skip_mismatch):
    """Check everything ``model.weights.h5`` holds for ``model``, then assign it (nothing if a check fails)."""
    import h5py

    from glassnet.saving.weights_h5 import assign_weights, check_weights

    try:
        handle = h5py.File(io.BytesIO(data), "r")
    except OSError as error:
        raise ValueError(f"{filepath!r}: {WEIGHTS_NAME} is not a valid HDF5 file ({error}); the file is damaged") \
            from None
    with handle, reading(filepath, WEIGHTS_NAME):
        plan = check_weights(handle, model, skip_mismatch=skip_mismatch)
    assign_weights(model, plan)


def load_weights_from_keras_file(model, filepath, skip_mismatch=False):
    """``model.load_weights("x.keras")``: only the weights of a saved model, into a model built the same way."""
    with open_archive(filepath) as archive, reading(filepath):
        data = _read_member(archive, WEIGHTS_NAME, filepath)
    _load_weights_bytes(model, data, filepath, skip_mismatch)


def model_from_json(json_string, custom_objects=None):
    """A model (without weights) from ``model.to_json()``'s output (glassnet's or Keras 3's)."""
    try:
        config = json.loads(json_string)
    except (ValueError, RecursionError) as error:
        raise ValueError(f"model_from_json: the text is not valid JSON ({type(error).__name__}: {error})") from None
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("model_from_json expects the JSON of a serialized model (with 'class_name' and 'config')")
    try:
        serialization_lib.check_nesting(config)
    except ValueError as error:
        raise ValueError(f"model_from_json: the JSON {error}") from None
    return serialization_lib.deserialize_keras_object(config, custom_objects=custom_objects)
