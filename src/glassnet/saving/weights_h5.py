"""Weights in Keras 3's HDF5 layout (``model.weights.h5``), read and written with h5py.

Keras 3 saves each object that has state (a layer, a model, the optimizer)
at a path made of the attribute names that lead to it, its own variables in
``<path>/vars/0, 1, ...``. A model's layers come first, under ``layers/``,
keyed not by ``layer.name`` (auto-generated names differ between two
instances of one model) but by the snake_case class name, numbered per
class in order: ``layers/dense``, ``layers/dense_1``, ... A nested model's
layers sit under its own key (``layers/functional/layers/dense``); a
subclassed model's layers under the attributes that hold them
(``dense1/vars``, ``blocks/dense_1/vars``). The optimizer's state is at
``optimizer/vars``: iterations, the learning rate (absent for a schedule),
then its slots in Keras' order. ``keras/src/saving/saving_lib.py``
(``_save_state``, ``_walk_saveable``) defines the walk reproduced here, so
a file written by glassnet loads in Keras 3 and the other way round.

Loading checks every path and shape before assigning anything, refuses
HDF5 links and external or virtual datasets, and reads a dataset only after
its declared shape and type match what the model expects.
"""

import os
import warnings

import numpy as np

from glassnet.saving.atomic import atomic_path


# --- which objects have state, and in what order Keras visits them ------------------------------------------------
def _is_saveable(obj):
    from glassnet.layers.layer import Layer
    from glassnet.optimizers.optimizer import Optimizer

    return isinstance(obj, (Layer, Optimizer))


_skipped = {}


def _skip_set(obj):
    """Attribute names the walk ignores: a bare Layer's own (as Keras skips ``dir(Layer())``)."""
    if "layer" not in _skipped:
        from glassnet.layers.layer import Layer

        _skipped["layer"] = set(vars(Layer(name="__probe__"))) | {"input_spec"}
    skip = _skipped["layer"]
    from glassnet.models.functional import Functional
    from glassnet.models.sequential import Sequential

    if isinstance(obj, Sequential):
        return skip | {"_input_layer", "_output_shapes"}
    if isinstance(obj, Functional):
        return skip | {"inputs", "outputs", "_inputs_struct", "_outputs_struct", "_nodes_by_depth", "_nodes", "_plan"}
    return skip


def _name_key(name):
    return "~" + name if name.startswith("_") else name


def children(obj):
    """``(attribute name, value)`` pairs in the order Keras' ``_walk_saveable`` visits them."""
    from glassnet.layers.layer import Layer
    from glassnet.models.functional import Functional
    from glassnet.models.model import Model
    from glassnet.models.sequential import Sequential

    if not isinstance(obj, Layer):
        inner = getattr(obj, "inner_optimizer", None)  # LossScaleOptimizer: the wrapped optimizer, at Keras' path
        return [("inner_optimizer", inner)] if inner is not None else []
    found = []
    if isinstance(obj, (Sequential, Functional)):
        found.append(("layers", obj.layers))
    names = set(vars(obj)) - _skip_set(obj)
    if isinstance(obj, Model):
        names.add("layers")
    for name in sorted(names, key=_name_key):
        value = obj.layers if name == "layers" else vars(obj)[name]
        if _is_saveable(value) or isinstance(value, (list, tuple, dict)):
            found.append((name, value))
    return found


def _unique(name, used):
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def walk(obj, visit, path="", visited=None):
    """Call ``visit(obj, path)`` for ``obj`` and every stateful object below it, each once, at Keras' paths."""
    visited = set() if visited is None else visited
    if id(obj) in visited:
        return
    visit(obj, path)
    visited.add(id(obj))
    for name, child in children(obj):
        child_path = f"{path}/{name}" if path else name
        if _is_saveable(child):
            walk(child, visit, child_path, visited)
        else:
            _walk_container(child, visit, child_path, visited, set())


def _walk_container(container, visit, path, visited, seen_containers):
    from glassnet.utils.naming import to_snake_case

    if id(container) in seen_containers:
        return
    seen_containers.add(id(container))
    used = {}
    for item in (container.values() if isinstance(container, dict) else container):
        if _is_saveable(item):
            walk(item, visit, f"{path}/{_unique(to_snake_case(type(item).__name__), used)}", visited)
        elif isinstance(item, (list, tuple, dict)):
            _walk_container(item, visit, f"{path}/{_unique('container', used)}", visited, seen_containers)


# --- each object's own state ------------------------------------------------------------------------------------
_SLOT_GROUPS = {  # Keras creates these slots group by group, each group interleaved over the variables
    "Adam": [("momentum", "velocity"), ("velocity_hat",)],
    "RMSprop": [("velocity",), ("momentum",), ("average_gradient",)],
    "SGD": [("momentum",)],
    "Adagrad": [("accumulator",)],
}


def _slot_groups(optimizer):
    for cls in type(optimizer).__mro__:
        if cls.__name__ in _SLOT_GROUPS:
            return _SLOT_GROUPS[cls.__name__]
    return [tuple(optimizer.slot_names)]


def optimizer_arrays(optimizer):
    """The optimizer's state in Keras' order: iterations, learning rate (not for a schedule), then the slots."""
    arrays = [np.array(optimizer.iterations, dtype="int32")]
    if optimizer.learning_rate_schedule is None:
        arrays.append(np.array(optimizer.learning_rate, dtype="float32"))
    return arrays + _slot_views(optimizer)


def _slot_views(optimizer):
    if not optimizer.built or optimizer._store is None:
        return []
    if hasattr(optimizer, "saved_slots"):  # state that is not one array per weight and slot (Nadam, Adafactor)
        return optimizer.saved_slots()
    per_variable = [optimizer.slots_of(v) for v in optimizer._trainable_variables]
    return [per_variable[i][name] for name, i in _slot_order(optimizer, optimizer.slot_names, len(per_variable))]


def _slot_order(optimizer, slot_names, count):
    """``(slot name, variable index)`` in Keras' order: group by group, each group interleaved over the variables."""
    names = set(slot_names)
    groups = [("average",)] if "average" in names else []  # use_ema: Keras makes the averages first
    groups += [tuple(n for n in group if n in names) for group in _slot_groups(optimizer)]
    covered = {n for group in groups for n in group}
    groups.append(tuple(n for n in slot_names if n not in covered))
    return [(name, i) for group in groups for i in range(count) for name in group]


def _own_state(obj):
    """The arrays ``obj`` itself stores (its variables, not its sub-layers')."""
    from glassnet.optimizers.optimizer import Optimizer

    if isinstance(obj, Optimizer):
        if not obj.built:
            return []
        if hasattr(obj, "inner_optimizer"):  # LossScaleOptimizer: iteration, learning_rate, step_counter,
            return [np.array(0, dtype="int32"), np.array(0.0, dtype="float32"),  # dynamic_scale, then the inner's
                    np.array(obj.step_counter, dtype="int32"), np.array(obj.dynamic_scale, dtype="float32"),
                    *optimizer_arrays(obj.inner_optimizer)]
        return optimizer_arrays(obj)
    return [v.data for v in obj._trainable_variables + obj._non_trainable_variables]


def _model_stateful(model, include_optimizer):
    """[(path, object)] for everything the model's file holds."""
    found = []
    walk(model, lambda obj, path: found.append((path, obj)))
    optimizer = getattr(model, "optimizer", None)
    inner = getattr(optimizer, "inner_optimizer", None)  # a LossScaleOptimizer's
    return [(p, o) for p, o in found if include_optimizer or (o is not optimizer and o is not inner)]


# --- writing ------------------------------------------------------------------------------------------------------
def write_weights(handle, model, include_optimizer=True):
    """Write the model's weights (and optimizer state) into an open h5py File or Group."""
    for path, obj in _model_stateful(model, include_optimizer):
        arrays = _own_state(obj)
        vars_group = handle.create_group(f"{path}/vars" if path else "vars")
        vars_group.attrs["name"] = obj.name
        for index, array in enumerate(arrays):
            vars_group.create_dataset(str(index), data=np.asarray(array))


def save_weights(model, filepath, overwrite=True):
    """Save to ``filepath`` (``.weights.h5``) through a temporary file."""
    import h5py

    filepath = os.fspath(filepath)
    if not filepath.endswith(".weights.h5"):
        raise ValueError(f"save_weights writes Keras' .weights.h5 format: the file name must end in "
                         f"'.weights.h5', got {filepath!r}")
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    if not model.built:
        raise ValueError(f"Model '{model.name}' has no weights yet: build it (call it on data, fit it, or start it "
                         "with keras.Input) before save_weights")
    with atomic_path(filepath) as temporary:
        with open(temporary, "r+b") as stream, h5py.File(stream, "w") as handle:  # HDF5's own lock would clash
            write_weights(handle, model)


# --- reading ------------------------------------------------------------------------------------------------------
def _group(handle, path):
    """The h5py group at ``path``, or None; links to elsewhere are refused."""
    import h5py

    current = handle
    for part in [p for p in path.split("/") if p]:
        if part not in current:
            return None
        link = current.get(part, getlink=True)
        if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)):
            raise ValueError(f"Refusing the weights file: '{path}' is an HDF5 {type(link).__name__}")
        current = current[part]
        if not isinstance(current, h5py.Group):
            raise ValueError(f"Invalid weights file: '{path}' should be a group, it is a {type(current).__name__}")
    return current


def _datasets(group, path):
    """The datasets of a ``vars`` group in order, checked to hold plain numbers in the file (not read yet)."""
    import h5py

    datasets = []
    for index in range(len(group)):
        key = str(index)
        link = group.get(key, getlink=True)
        if link is None:
            raise ValueError(f"Invalid weights file: '{path}/vars' has {len(group)} entries but no '{key}'")
        if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)):
            raise ValueError(f"Refusing the weights file: '{path}/vars/{key}' is an HDF5 {type(link).__name__}")
        dataset = group[key]
        if not isinstance(dataset, h5py.Dataset):
            raise ValueError(f"Invalid weights file: '{path}/vars/{key}' should be a dataset")
        if dataset.external or dataset.is_virtual:
            raise ValueError(f"Refusing the weights file: '{path}/vars/{key}' refers to data outside the file")
        if dataset.dtype.kind not in "fiub" or dataset.dtype.subdtype is not None:
            raise ValueError(f"Invalid weights file: '{path}/vars/{key}' holds {dataset.dtype}, not numbers")
        datasets.append(dataset)
    return datasets


def _vars_of(handle, path):
    return _group(handle, f"{path}/vars" if path else "vars")


def _describe(obj, path):
    kind = "the optimizer" if not hasattr(obj, "_inbound_nodes") else "model" if hasattr(obj, "compile") else "layer"
    return f"{kind} '{obj.name}' (stored as '{path.split('/')[-1] or '/'}' at '{path or '/'}')"


def read_weights(handle, model, skip_mismatch=False, include_optimizer=True):
    """Check every array the file holds for ``model`` (and its optimizer), then assign them all.

    Nothing is assigned unless every check passes: a file that fails leaves
    the model and its optimizer exactly as they were.
    """
    assign_weights(model, check_weights(handle, model, skip_mismatch, include_optimizer))


def check_weights(handle, model, skip_mismatch=False, include_optimizer=True):
    """Read and check everything the file holds for ``model``; returns the plan ``assign_weights`` carries out.

    Every array is checked for its shape, its type (plain numbers), and its
    values: they must fit the variable's dtype, and the optimizer's state
    must be finite, with a whole, non-negative step count and a finite
    learning rate >= 0.
    """
    from glassnet.optimizers.optimizer import Optimizer

    if "layers" not in handle and "vars" not in handle:
        raise ValueError(f"the file holds no Keras 3 weights (top-level entries: {sorted(handle)}); was it written by "
                         "save_weights or model.save?")
    assignments, not_finite = [], []
    for path, obj in _model_stateful(model, include_optimizer=False):
        targets = obj._trainable_variables + obj._non_trainable_variables
        datasets = _matching_datasets(handle, path, obj, targets, skip_mismatch)
        for index, (variable, dataset) in enumerate(zip(targets, datasets or ())):
            where = f"'{path}/vars/{index}' ({_describe(obj, path)}, weight '{variable.name}')"
            value = _cast(np.asarray(dataset[()]), variable.dtype, where)
            if value.dtype.kind == "f" and not np.isfinite(value).all():
                not_finite.append(where)
            assignments.append((variable, value))
    if not_finite:
        warnings.warn(f"The weights file holds NaN or infinite values in {len(not_finite)} weight(s), first "
                      f"{not_finite[0]}: the model will predict NaN. Was it saved after training diverged?",
                      stacklevel=4)
    optimizer = getattr(model, "optimizer", None)
    state = None
    if include_optimizer and isinstance(optimizer, Optimizer):
        if hasattr(optimizer, "inner_optimizer"):
            state = _checked_loss_scale_state(handle, model, optimizer)
        else:
            state = _checked_optimizer_state(handle, model, optimizer)
    return assignments, state


def _checked_loss_scale_state(handle, model, optimizer):
    """A LossScaleOptimizer's ``(step_counter, dynamic_scale, the inner optimizer's state)``, or None."""
    own = _vars_of(handle, "optimizer")
    inner = _checked_optimizer_state(handle, model, optimizer.inner_optimizer, "optimizer/inner_optimizer")
    if inner is None or own is None or len(own) < 4:
        return None
    step, scale = (np.asarray(d[()]) for d in _datasets(own, "optimizer")[2:4])
    if step.shape != () or scale.shape != () or not np.isfinite(scale) or not scale > 0 \
            or step.dtype.kind not in "iu" or step < 0:
        raise ValueError(f"the optimizer state is invalid: LossScaleOptimizer needs a step_counter >= 0 and a "
                         f"dynamic_scale > 0, got {step!r} and {scale!r}")
    return ("loss_scale", int(step), np.float32(scale), inner)


def _matching_datasets(handle, path, obj, targets, skip_mismatch):
    """The datasets stored for ``obj`` when their number and shapes match its variables, else None (or an error)."""
    group = _vars_of(handle, path)
    if group is None:
        if targets and not skip_mismatch:
            raise ValueError(f"the file has no weights for {_describe(obj, path)}; was it saved from a different "
                             f"model? Top-level entries: {sorted(handle)}")
        return None
    expected = [tuple(v.shape) for v in targets]
    if len(group) != len(expected):
        if skip_mismatch:
            return None
        raise ValueError(f"{_describe(obj, path)} has {len(expected)} weights of shapes {expected}, the file has "
                         f"{len(group)}")
    datasets = _datasets(group, path)
    found = [tuple(d.shape) for d in datasets]
    if expected != found:
        if skip_mismatch:
            return None
        raise ValueError(f"{_describe(obj, path)} expects weights of shapes {expected}, the file has {found}")
    return datasets


def _cast(value, dtype, where):
    """``value`` in ``dtype``, refusing values the cast would change beyond rounding (overflow, fractions)."""
    dtype = np.dtype(dtype)
    with np.errstate(all="ignore"):
        cast = value.astype(dtype)
    if dtype.kind == "f":
        if value.dtype.kind == "f":
            overflow = np.isfinite(value) & ~np.isfinite(cast)
        else:
            overflow = ~np.isfinite(cast)
        if overflow.any():
            raise ValueError(f"{where} holds values beyond the range of {dtype} (such as {value[overflow][0]!r})")
        return cast
    exact = np.isfinite(value) if value.dtype.kind == "f" else np.ones(value.shape, bool)
    with np.errstate(all="ignore"):
        exact &= cast.astype(value.dtype) == value
    if not exact.all():
        raise ValueError(f"{where} holds {value[~exact].ravel()[0]!r}, which is not a {dtype} value")
    return cast


def _optimizer_shapes(model, optimizer):
    """The shapes of the optimizer's state in the file's order, as they will be once it is built on ``model``."""
    from glassnet.optimizers.flat_store import FlatVariable

    if optimizer.built:
        return [tuple(np.shape(a)) for a in optimizer_arrays(optimizer)]
    variables = list(model.trainable_weights)
    shapes = [()] if optimizer.learning_rate_schedule is not None else [(), ()]
    if not variables:
        return shapes
    dtypes = {v.data.dtype for v in variables}
    if len(dtypes) > 1:
        raise ValueError(f"the optimizer cannot hold state for trained weights of several dtypes "
                         f"({sorted(map(str, dtypes))})")
    if hasattr(optimizer, "saved_slot_shapes"):
        return shapes + [tuple(shape) for shape in optimizer.saved_slot_shapes(variables)]
    names = list(optimizer.all_slots(FlatVariable(np.zeros(0, dtype=dtypes.pop()))))
    return shapes + [tuple(variables[i].shape) for _, i in _slot_order(optimizer, names, len(variables))]


def _checked_optimizer_state(handle, model, optimizer, path="optimizer"):
    """The optimizer's state read and checked, or None when the file has none or it belongs to another optimizer."""
    group = _vars_of(handle, path)
    if group is None or len(group) == 0:
        return None
    expected = _optimizer_shapes(model, optimizer)
    datasets = _datasets(group, path) if len(group) == len(expected) else None
    return checked_optimizer_state(model, optimizer, datasets, len(group), lambda i: f"{path}/vars/{i}")


def checked_optimizer_state(model, optimizer, datasets, count, name_of):
    """``(iterations, learning rate, slots)`` read from ``datasets`` (Keras' order) and checked, or None.

    ``datasets`` is None or a list of h5py datasets; ``count`` is how many
    arrays the file holds and ``name_of(index)`` names one in messages. When
    their shapes are not those the optimizer has on ``model`` (another
    optimizer, other weights), a warning says so and None is returned.
    """
    from glassnet.optimizers.optimizer import check_iterations, check_learning_rate

    expected = _optimizer_shapes(model, optimizer)
    found = [tuple(d.shape) for d in datasets] if datasets is not None else None
    if found != expected:
        found_text = f"{len(found)} ({found[:6]}{'...' if len(found) > 6 else ''})" if found else f"{count}"
        warnings.warn(f"Skipping the optimizer state in the file: optimizer '{optimizer.name}' has {len(expected)} "
                      f"variables of shapes {expected[:6]}{'...' if len(expected) > 6 else ''}, the file has "
                      f"{found_text}. Was it saved with another optimizer, or with other trainable weights?",
                      stacklevel=6)
        return None
    arrays = [np.asarray(d[()]) for d in datasets]
    try:
        iterations = check_iterations(arrays[0])
        rate = check_learning_rate(arrays[1]) if optimizer.learning_rate_schedule is None else None
    except ValueError as error:
        raise ValueError(f"the optimizer state is invalid: {error}") from None
    slots = arrays[1 if rate is None else 2:]
    dtype = None
    if slots:
        dtype = optimizer._store.params.dtype if optimizer._store is not None else model.trainable_weights[0].dtype
    checked = []
    for index, value in enumerate(slots, start=len(arrays) - len(slots)):
        where = f"'{name_of(index)}' (a slot of optimizer '{optimizer.name}')"
        value = _cast(value, dtype, where)
        if not np.isfinite(value).all():
            raise ValueError(f"{where} holds NaN or infinite values: the next training step would make every "
                             "weight NaN")
        checked.append(value)
    return iterations, rate, checked


def assign_weights(model, plan):
    """Carry out ``check_weights``' plan: nothing here can fail on the file's contents."""
    assignments, state = plan
    optimizer = getattr(model, "optimizer", None)
    if state is not None and state[0] == "loss_scale":
        _, step, scale, state = state
        if not optimizer.built and model.trainable_weights:
            optimizer.build(model.trainable_weights)
        optimizer.step_counter, optimizer.dynamic_scale = step, scale
        optimizer = optimizer.inner_optimizer
    if state is not None and not optimizer.built and model.trainable_weights:
        optimizer.build(model.trainable_weights)  # checked to succeed by _optimizer_shapes
    for variable, value in assignments:
        variable.assign(value)
    if state is not None:
        _assign_optimizer(optimizer, *state)


def _assign_optimizer(optimizer, iterations, rate, slots):
    optimizer.iterations = iterations
    if rate is not None and not callable(optimizer._learning_rate):  # a function of no arguments keeps its value
        if np.float32(optimizer.learning_rate) != np.float32(rate):  # kept in float32: only a real change counts
            optimizer.learning_rate = rate
    for view, value in zip(_slot_views(optimizer), slots):
        view[...] = value


def load_weights(model, filepath, skip_mismatch=False, by_name=None, **kwargs):
    """Load weights saved by ``save_weights`` (glassnet's or Keras 3's), after checking them all.

    A ``.h5``/``.hdf5`` name other than ``.weights.h5`` is Keras' legacy
    HDF5 file (``legacy_h5.load_weights``), the only one ``by_name`` is for.
    """
    import h5py

    from glassnet.saving import legacy_h5
    from glassnet.saving.file_errors import reading

    if kwargs:
        raise ValueError(f"Invalid keyword arguments: {kwargs}")
    filepath = os.fspath(filepath)
    if by_name is not None and not legacy_h5.is_legacy_path(filepath):
        raise ValueError(f"`by_name` only supports loading legacy '.h5' or '.hdf5' files. Received: {filepath}")
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No weights file at {filepath!r}")
    if legacy_h5.is_legacy_path(filepath):
        legacy_h5.load_weights(model, filepath, skip_mismatch=skip_mismatch, by_name=bool(by_name))
        return
    if filepath.endswith(".keras"):
        from glassnet.saving.keras_file import load_weights_from_keras_file

        load_weights_from_keras_file(model, filepath, skip_mismatch=skip_mismatch)
        return
    if not model.built:
        raise ValueError(f"Model '{model.name}' has no weights to load into yet: build it first (call it on data, or "
                         "start it with keras.Input)")
    try:
        handle = h5py.File(filepath, "r")
    except OSError as error:
        raise ValueError(f"{filepath!r} is not a readable HDF5 weights file ({error})") from None
    with handle, reading(filepath):
        plan = check_weights(handle, model, skip_mismatch=skip_mismatch)
    assign_weights(model, plan)
