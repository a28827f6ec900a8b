"""Predict request bodies in, JSON answers out: TensorFlow Serving's two formats.

Row format: ``{"instances": [x0, x1, ...]}`` answers ``{"predictions": [...]}``;
for several inputs each instance is an object by input name. Columnar:
``{"inputs": x}`` (or ``{"inputs": {"a": ..., "b": ...}}``) answers
``{"outputs": ...}``. Several outputs come back the way TF Serving returns
them: one object per instance (rows), or one object of arrays (columns).

Every problem raises ``RequestError`` with the HTTP status and a message that
says what was expected and what came, before the model is called.
"""

import json

import numpy as np


class RequestError(Exception):
    """A request the server refuses: ``status`` (400, 404, 413, ...) and the message."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


class PredictRequest:
    """A parsed predict request: ``arrays`` by input name, ``columnar`` or row format, ``size`` instances."""

    def __init__(self, arrays, columnar):
        self.arrays, self.columnar = arrays, columnar
        self.size = len(next(iter(arrays.values())))


def parse_predict(body, signature):
    """``body`` (bytes) as a ``PredictRequest`` checked against ``signature``."""
    body = body.encode() if isinstance(body, str) else body
    document = _load_json(body)
    keys = [key for key in ("instances", "inputs") if key in document]
    if len(keys) != 1:
        raise RequestError('the request must be a JSON object with exactly one of "instances" (row format) or '
                           f'"inputs" (columnar format); got keys {sorted(document)}')
    columnar = keys[0] == "inputs"
    values = _columns(document["inputs"], signature) if columnar else _rows(document["instances"], signature)
    booleans = b"true" in body or b"false" in body  # numpy would read them as 1 and 0: look only when present
    arrays = {spec.name: _to_array(values[spec.name], spec, booleans) for spec in signature.inputs}
    sizes = {name: len(array) for name, array in arrays.items()}
    if len(set(sizes.values())) > 1:
        raise RequestError(f"all inputs must hold the same number of instances; got {sizes}")
    if not next(iter(sizes.values())):
        raise RequestError("the request holds no instances")
    return PredictRequest(arrays, columnar)


def _load_json(body):
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise RequestError(f"malformed JSON: {error}") from None
    except RecursionError:
        raise RequestError("malformed JSON: nested too deeply") from None
    if not isinstance(document, dict):
        raise RequestError(f"the request must be a JSON object, got {type(document).__name__}")
    return document


def _rows(instances, signature):
    """Row format: a list of instances, each an object by input name when it is an object."""
    if not isinstance(instances, list):
        raise RequestError(f'"instances" must be a list, got {type(instances).__name__}')
    if not instances:
        raise RequestError('"instances" is empty')
    names = signature.input_names
    if not any(isinstance(instance, dict) for instance in instances):
        if len(names) > 1:
            raise RequestError(f"the model has {len(names)} inputs {names}: give each instance as an object "
                               'by input name, e.g. {"instances": [{"' + names[0] + '": ...}]}')
        return {names[0]: instances}
    columns = {name: [] for name in names}
    for index, instance in enumerate(instances):
        _check_names(instance, names, f"instance {index}")
        for name in names:
            columns[name].append(instance[name])
    return columns


def _columns(inputs, signature):
    """Columnar format: one batch for a single input, an object of batches by name for several."""
    names = signature.input_names
    if isinstance(inputs, dict) and not (len(names) == 1 and "b64" in inputs):
        _check_names(inputs, names, '"inputs"')
        return inputs
    if len(names) > 1:
        raise RequestError(f'the model has {len(names)} inputs {names}: give "inputs" as an object by input name')
    return {names[0]: inputs}


def _check_names(value, names, where):
    if not isinstance(value, dict):
        raise RequestError(f"{where} must be an object with the inputs {names}, got {type(value).__name__}")
    missing, unknown = [n for n in names if n not in value], sorted(set(value) - set(names))
    if missing or unknown:
        raise RequestError(f"{where} must hold the inputs {names}; missing {missing}, unknown {unknown}")


def _to_array(value, spec, booleans=False):
    """``value`` (nested lists of numbers) as an array of ``spec``'s dtype and shape, or RequestError."""
    if isinstance(value, dict) and "b64" in value or _first_leaf_is_b64(value):
        raise RequestError(f"input {spec.name!r} is {spec.dtype}: binary {{\"b64\": ...}} values are only for "
                           "string inputs; send numbers")
    try:
        array = np.asarray(value)
    except ValueError:
        raise RequestError(f"input {spec.name!r}: ragged array (rows of different lengths); every instance "
                           f"must have the shape {_instance_shape(spec)}") from None
    mixed_booleans = booleans and spec.dtype != "bool" and array.dtype.kind != "b" and _holds_bool(value)
    if array.dtype.kind not in ("biuf" if spec.dtype == "bool" else "iuf") or mixed_booleans:
        raise RequestError(f"input {spec.name!r} must hold numbers only (a {spec.dtype} tensor); found "
                           f"{_describe_kind(array)}")
    _check_shape(array, spec)
    if np.dtype(spec.dtype).kind in "iu" and array.dtype.kind == "f" and not np.all(np.mod(array, 1) == 0):
        raise RequestError(f"input {spec.name!r} is {spec.dtype}: send whole numbers")
    return array.astype(spec.dtype, copy=False)


def _check_shape(array, spec):
    expected = spec.shape
    fits = array.ndim == len(expected) and all(e is None or e == g for e, g in zip(expected[1:], array.shape[1:]))
    if not fits:
        received = "(" + ", ".join(str(d) for d in array.shape) + ")"
        hint = ""
        if array.ndim == len(expected) - 1:
            hint = " (one instance without the batch dimension? send a list of instances)"
        raise RequestError(f"input {spec.name!r} expects shape {spec.describe()} (each instance "
                           f"{_instance_shape(spec)}), received shape {received}{hint}")


def _instance_shape(spec):
    dims = ["-1" if d is None else str(d) for d in spec.shape[1:]]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _describe_kind(array):
    if array.dtype.kind in "US":
        return "strings"
    if array.dtype.kind in "biuf":
        return "true/false"
    return "null, objects or strings"


def _holds_bool(value):
    if isinstance(value, list):
        return any(_holds_bool(item) for item in value)
    return isinstance(value, bool)


def _first_leaf_is_b64(value):
    while isinstance(value, list) and value:
        value = value[0]
    return isinstance(value, dict) and "b64" in value


def format_answer(outputs, request):
    """The JSON body (bytes) for ``outputs`` ``{name: array}``: predictions by row, or outputs by column."""
    names = list(outputs)
    if request.columnar:
        body = {"outputs": outputs[names[0]].tolist() if len(names) == 1
                else {name: array.tolist() for name, array in outputs.items()}}
    elif len(names) == 1:
        body = {"predictions": outputs[names[0]].tolist()}
    else:
        columns = {name: array.tolist() for name, array in outputs.items()}
        body = {"predictions": [{name: columns[name][i] for name in names} for i in range(request.size)]}
    return json.dumps(body, separators=(",", ":")).encode()


def error_body(message):
    """``{"error": message}`` as bytes."""
    return json.dumps({"error": message}).encode()
