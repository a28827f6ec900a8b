"""Weights in Keras 3's HDF5 layout (``model.weights.h5``), read and written with h5py.

    layers/<layer name>/vars/0, 1, ...    each layer's weights in ``layer.weights`` order
    optimizer/vars/0, 1, ...              iterations, learning rate, then each slot per weight
    vars                                  the model's own weights (none for Sequential)

A file written here loads in Keras 3 and the other way round. Loading checks
every layer name and shape before changing anything.
"""

import numpy as np

from glassnet.saving.atomic import atomic_path


def _layer_entries(model):
    """(key, layer) for each layer, keyed as Keras 3 keys them in the file.

    Keras does not use ``layer.name`` (auto-generated names differ between two
    instances of the same model: ``dense`` vs ``dense_2``) but the snake_case
    class name, numbered per class in layer order: ``dense``, ``dense_1``, ...
    (``keras/src/saving/saving_lib.py``, ``_save_container_state``).
    """
    from glassnet.utils.naming import to_snake_case

    used, entries = {}, []
    for layer in model.layers:
        key = to_snake_case(type(layer).__name__)
        if key in used:
            used[key] += 1
            key = f"{key}_{used[key]}"
        else:
            used[key] = 0
        entries.append((key, layer))
    return entries


def _write_vars(group, name, arrays):
    vars_group = group.create_group("vars")
    vars_group.attrs["name"] = name
    for index, array in enumerate(arrays):
        vars_group.create_dataset(str(index), data=np.asarray(array))


def optimizer_arrays(optimizer):
    """The optimizer's state in Keras' order: iterations, learning rate, slots interleaved per weight."""
    head = [np.array(optimizer.iterations, dtype="int32"), np.array(optimizer.learning_rate, dtype="float32")]
    return head + optimizer.variables[1:]


def write_weights(handle, model, include_optimizer=True):
    """Write the model's weights (and optimizer state) into an open h5py File or Group."""
    layers_group = handle.create_group("layers")
    for name, layer in _layer_entries(model):
        _write_vars(layers_group.create_group(name), name, [w.numpy() for w in layer.weights])
    optimizer = getattr(model, "optimizer", None)
    if include_optimizer and optimizer is not None and optimizer.built:
        _write_vars(handle.create_group("optimizer"), optimizer.name, optimizer_arrays(optimizer))
    _write_vars(handle, model.name, [])


def save_weights(model, filepath, overwrite=True):
    """Save to ``filepath`` (``.weights.h5``) through a temporary file."""
    import os

    import h5py

    filepath = os.fspath(filepath)
    if not filepath.endswith(".weights.h5"):
        raise ValueError(f"save_weights writes Keras' .weights.h5 format: the file name must end in "
                         f"'.weights.h5', got {filepath!r}")
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    with atomic_path(filepath) as temporary:
        with h5py.File(temporary, "w") as handle:
            write_weights(handle, model)


def _read_vars(group):
    if "vars" not in group:
        return []
    vars_group = group["vars"]
    return [np.asarray(vars_group[str(i)]) for i in range(len(vars_group))]


def read_weights(handle, model, skip_mismatch=False):
    """Check, then assign, every layer's weights from an open h5py File or Group."""
    if "layers" not in handle:
        raise ValueError("The file holds no 'layers' group: it is not a Keras 3 weights file")
    plan = []
    for name, layer in _layer_entries(model):
        if name not in handle["layers"]:
            if layer.weights and not skip_mismatch:
                raise ValueError(f"The file has no weights for layer '{layer.name}' (stored as '{name}'; the "
                                 f"file has {sorted(handle['layers'])}); was it saved from a different model?")
            continue
        arrays = _read_vars(handle["layers"][name])
        expected = [tuple(w.shape) for w in layer.weights]
        found = [tuple(a.shape) for a in arrays]
        if expected != found:
            if skip_mismatch:
                continue
            raise ValueError(f"Layer '{layer.name}' expects weights of shapes {expected}, the file has {found} "
                             f"(stored as '{name}')")
        plan.append((layer, arrays))
    for layer, arrays in plan:
        for variable, array in zip(layer.weights, arrays):
            variable.assign(array)
    return handle


def load_weights(model, filepath, skip_mismatch=False):
    """Load weights saved by ``save_weights`` (glassnet's or Keras 3's)."""
    import h5py

    with h5py.File(filepath, "r") as handle:
        read_weights(handle, model, skip_mismatch=skip_mismatch)
