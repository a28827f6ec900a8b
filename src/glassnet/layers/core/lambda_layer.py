"""Lambda: wrap a function of tensors as a layer, ``Lambda(lambda x: x ** 2)``.

The function gets Tensors and must use glassnet ops (or Python operators on
Tensors), so gradients flow through it. Saving writes a named function by
name (give it to ``load_model`` via ``custom_objects`` or register it) and
a Python ``lambda`` as bytecode, as Keras does. Bytecode is code: loading it
is refused unless ``safe_mode=False``. Prefer a named, registered function,
or a small ``Layer`` subclass, for anything you mean to keep.
"""

import types

from glassnet.layers.layer import Layer


class Lambda(Layer):
    """``Lambda(function, output_shape=None, mask=None, arguments=None)``.

    Args:
        function: ``f(inputs, **arguments)``; it may also take ``training``
            and ``mask`` keyword arguments.
        output_shape: the output shape without the batch axis (a tuple), or
            a function of the input shape; found by running the function on
            zeros when not given.
        arguments: extra keyword arguments for ``function``.
    """

    _reads_raw_config = True  # from_config resolves the function itself (and refuses bytecode in safe mode)

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        import inspect

        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda '{self.name}': function must be callable, got {function!r}")
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = mask is not None
        self._output_shape = tuple(output_shape) if isinstance(output_shape, list) else output_shape
        try:
            names = inspect.signature(function).parameters
        except (TypeError, ValueError):
            names = {}
        self._takes_training = "training" in names
        self._takes_mask = "mask" in names

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._takes_mask:
            kwargs["mask"] = mask
        if self._takes_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        first = input_shape[0] if isinstance(input_shape, list) else input_shape
        return (first[0],) + tuple(self._output_shape)

    def get_config(self):
        from glassnet.saving.serialization_lib import serialize_keras_object

        config = {"function": _function_config(self.function)}
        if self._output_shape is not None:
            config["output_shape"] = _function_config(self._output_shape) if callable(self._output_shape) \
                else list(self._output_shape)
        if self.mask is not None:
            config["mask"] = _function_config(self.mask) if callable(self.mask) else serialize_keras_object(self.mask)
        config["arguments"] = serialize_keras_object(self.arguments)
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Resolve the function: a named one from the registry/custom objects; bytecode only outside safe mode."""
        from glassnet.saving.serialization_lib import deserialize_keras_object, loading_scope

        config = dict(config)
        with loading_scope(custom_objects, None):
            config["function"] = deserialize_keras_object(config["function"])
            if "output_shape" in config:
                shape = deserialize_keras_object(config["output_shape"])
                config["output_shape"] = tuple(shape) if isinstance(shape, list) else shape
            if "mask" in config:
                config["mask"] = deserialize_keras_object(config["mask"])
            if "arguments" in config:
                config["arguments"] = deserialize_keras_object(config["arguments"])
            if isinstance(config.get("dtype"), dict):
                config["dtype"] = deserialize_keras_object(config["dtype"])
        return super().from_config(config)


def _function_config(fn):
    """Keras' form: a lambda as ``__lambda__`` bytecode, any other callable by name."""
    from glassnet.saving.serialization_lib import function_dump, serialize_keras_object

    if isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>":
        import warnings

        warnings.warn("Saving a Lambda layer that wraps a Python lambda: the file stores its bytecode, which loads "
                      "only with safe_mode=False and the same Python version. Prefer a named function registered "
                      "with @glassnet.saving.register_keras_serializable().", stacklevel=4)
        code, defaults, closure = function_dump(fn)
        return {"class_name": "__lambda__", "config": {"code": code, "defaults": defaults, "closure": closure}}
    return serialize_keras_object(fn)
