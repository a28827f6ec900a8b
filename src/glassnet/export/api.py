"""``Model.export(filepath, format="onnx", ...)``: Keras 3's method, writing ONNX.

Keras 3 exports ``tf_saved_model``, ``onnx``, ``openvino`` and ``litert``;
glassnet writes ONNX only, and says so for the others. The file is written
under a temporary name and renamed, as every file glassnet saves.
"""

import os

from glassnet.export.builder import OPSET

FORMATS = ("onnx",)


def export_model(model, filepath, format="onnx", verbose=None, input_signature=None, opset_version=None, **kwargs):
    """Write ``model`` to ``filepath`` as an ONNX file that computes ``model.predict``.

    Args:
        filepath: the file to write (conventionally ``.onnx``).
        format: "onnx" (the only format glassnet writes).
        verbose: print where the file went (True by default, as Keras).
        input_signature: shapes (or objects with ``.shape``), one per model input, replacing the declared ones.
        opset_version: the ONNX opset; glassnet writes opset 17.
    """
    format = "onnx" if format in (None, "") else str(format).lower()
    if format not in FORMATS:
        raise ValueError(f"glassnet exports ONNX only (format='onnx'); format={format!r} is a Keras/TensorFlow "
                         "format that glassnet cannot write. Export with format='onnx' and convert from there "
                         "if you need it")
    if kwargs:
        raise TypeError(f"export() got unexpected keyword arguments {sorted(kwargs)}")
    if opset_version not in (None, OPSET):
        raise ValueError(f"glassnet writes ONNX opset {OPSET}; got opset_version={opset_version!r}")
    filepath = os.fspath(filepath)
    _check_target(filepath)
    from glassnet.export.graph import to_onnx
    from glassnet.saving.atomic import atomic_path

    proto = to_onnx(model, input_signature=input_signature, opset=OPSET)
    with atomic_path(filepath) as temporary, open(temporary, "wb") as handle:
        handle.write(proto.SerializeToString())
    if verbose is None or verbose:
        print(f"Saved artifact at '{filepath}'. Inputs: {[i.name for i in proto.graph.input]}, outputs: "
              f"{[o.name for o in proto.graph.output]} (ONNX opset {OPSET})")
    return proto


def _check_target(filepath):
    """A clear error for a path that cannot receive the file, before any work."""
    if os.path.isdir(filepath):
        raise IsADirectoryError(f"export: {filepath!r} is a folder; give a file name such as 'model.onnx'")
    folder = os.path.dirname(os.path.abspath(filepath))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"export: the folder {folder!r} does not exist")
