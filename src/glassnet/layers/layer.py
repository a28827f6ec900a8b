"""Layer: the base class of every layer, and of models.

A layer owns weights (Variables made with ``add_weight``) and sub-layers
(tracked when assigned as attributes), creates its weights lazily in
``build(input_shape)`` the first time it sees an input, and computes
``call(inputs, training=None)`` with ``glassnet.ops``.

Calling a layer on arrays or Tensors computes; calling it on KerasTensors
(from ``keras.Input``) records a node of a functional graph instead.
"""


import contextlib

import numpy as np

from glassnet import config, constraints, dtype_policies, initializers, ops, regularizers
from glassnet.autodiff.grad_mode import no_grad
from glassnet.autodiff.tensor import Tensor
from glassnet.autodiff.variable import Variable
from glassnet.layers.input_spec import InputSpec, check_input
from glassnet.layers.keras_tensor import KerasTensor, Node, is_symbolic
from glassnet.state import current
from glassnet.utils.naming import to_snake_case, unique_name

_CALL_SIGNATURES = {}


@contextlib.contextmanager
def forward_hook(hook):
    """Within the block, ``hook(layer, inputs, outputs)`` runs after every layer call of this thread."""
    previous = current.forward_hooks
    current.forward_hooks = previous + (hook,)
    try:
        yield
    finally:
        current.forward_hooks = previous


def _call_accepts(layer_class):
    """Which of ``training`` and ``mask`` the class's ``call`` takes (cached)."""
    accepts = _CALL_SIGNATURES.get(layer_class)
    if accepts is None:
        code = layer_class.call.__code__
        names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
        takes_any_keyword = bool(code.co_flags & 0x08)  # CO_VARKEYWORDS: call(self, x, **kwargs)
        accepts = ("training" in names or takes_any_keyword, "mask" in names)
        _CALL_SIGNATURES[layer_class] = accepts
    return accepts


def to_tensor(value):
    """Wrap call inputs as Tensors; float arrays become floatx (float32)."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(to_tensor(v) for v in value)
    if isinstance(value, dict):
        return {k: to_tensor(v) for k, v in value.items()}
    array = value if type(value) is np.ndarray else np.asarray(value)
    if array.dtype.kind == "f" and array.dtype.name != config.floatx():
        array = array.astype(config.floatx())
    return Tensor(array)


def shape_of(structure):
    """Shapes of a (nested) structure of tensors."""
    if isinstance(structure, (list, tuple)):
        return [shape_of(s) for s in structure]
    if isinstance(structure, dict):
        return {k: shape_of(v) for k, v in structure.items()}
    return tuple(structure.shape)


def dtype_name(dtype):
    """A dtype's name (``"float32"``) from a string, a NumPy dtype, or Keras' DTypePolicy dict.

    Keras 3 writes ``{"class_name": "DTypePolicy", "config": {"name": "float32"}}``
    in its configs. None is the global policy's dtype; the mixed-precision
    policies give float32, with a warning (``glassnet.dtype_policies``).
    """
    if dtype is None:
        return dtype_policies.dtype_policy().variable_dtype
    if isinstance(dtype, dict):
        inner = dtype.get("config") if isinstance(dtype.get("config"), dict) else {}
        dtype = inner.get("name", dtype.get("name"))
    if isinstance(dtype, dtype_policies.DTypePolicy) or isinstance(dtype, str) and dtype in dtype_policies.MIXED:
        return dtype_policies.get(dtype).variable_dtype
    name = getattr(dtype, "name", dtype) if not isinstance(dtype, str) else dtype
    try:
        return np.dtype(name).name
    except TypeError:
        raise ValueError(f"Unknown dtype {dtype!r}: expected a name such as 'float32'") from None


def dtype_policy_config(name):
    """The DTypePolicy entry Keras 3 writes for a layer's ``dtype``."""
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name}, "registered_name": None}


def _uses_default_get_config(cls):
    """True for user classes that do not write ``get_config`` (their arguments are recorded)."""
    for klass in cls.__mro__:
        if "get_config" in klass.__dict__:
            return klass is Layer or (klass.__name__ == "Model" and klass.__module__ == "glassnet.models.model")
    return False


def _recorded_arguments(cls, args, kwargs):
    """The constructor arguments by name, for the automatic ``get_config`` (Keras' auto-config)."""
    import inspect

    try:
        bound = inspect.signature(cls.__init__).bind(None, *args, **kwargs)
    except TypeError:
        return None  # the constructor itself will report the bad call
    arguments = {}
    for name, value in list(bound.arguments.items())[1:]:
        parameter = bound.signature.parameters[name]
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            arguments.update(value)
        elif parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            if value:
                return None
        else:
            arguments[name] = value
    return arguments


def _input_shape_from_kwargs(kwargs):
    """The batch input shape from Keras' legacy ``input_shape``/``batch_input_shape``/``batch_size``."""
    batch_size = kwargs.pop("batch_size", None)
    if "batch_input_shape" in kwargs:
        return tuple(kwargs.pop("batch_input_shape"))
    if "input_shape" in kwargs:
        shape = kwargs.pop("input_shape")
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        return (batch_size,) + shape
    return None


class Layer:
    """Base class for layers: weights, lazy building, config, and calling.

    Subclasses implement ``build(input_shape)`` (create weights with
    ``add_weight``), ``call(inputs, training=None)``, and ``get_config()``
    returning the constructor arguments.
    """

    def __new__(cls, *args, **kwargs):
        layer = super().__new__(cls)
        if cls.__dict__.get("_auto_config_checked") is not True:
            cls._default_config = _uses_default_get_config(cls)
            cls._auto_config_checked = True
        if cls._default_config:
            layer.__dict__["_auto_config"] = _recorded_arguments(cls, args, kwargs)
        return layer

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs):
        self._tracking = False
        self._batch_input_shape = _input_shape_from_kwargs(kwargs)
        kwargs.pop("autocast", None)
        kwargs.pop("input_dim", None)
        if kwargs:
            raise TypeError(
                f"{type(self).__name__} got unexpected keyword argument(s) {sorted(kwargs)}"
            )
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self.dtype = dtype_name(dtype)
        self._trainable = bool(trainable)
        self.built = False
        self.input_spec = None
        self.supports_masking = type(self).compute_mask is not Layer.compute_mask
        self.activity_regularizer = None
        self._trainable_variables = []
        self._non_trainable_variables = []
        self._layers = []
        self._inbound_nodes = []
        self._build_shapes = None
        self._checked_shape = None  # the last input shape that passed input_spec (checked once per shape)
        self._tracking = True

    # --- attribute tracking -------------------------------------------------
    def __setattr__(self, name, value):
        if getattr(self, "_tracking", False) and not name.startswith("_"):
            self._track(value)
            if name == "input_spec":
                object.__setattr__(self, "_checked_shape", None)
        object.__setattr__(self, name, value)

    def _track(self, value):
        """Remember sub-layers (also inside lists and dicts) and stray Variables."""
        if isinstance(value, Layer):
            if not any(value is layer for layer in self._layers):
                self._layers.append(value)
        elif isinstance(value, Variable):
            known = self._trainable_variables + self._non_trainable_variables
            if not any(value is v for v in known):
                (self._trainable_variables if value.trainable else self._non_trainable_variables).append(value)
        elif isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, (Layer, Variable)):
                    self._track(item)
        elif isinstance(value, dict):
            for item in value.values():
                if isinstance(item, (Layer, Variable)):
                    self._track(item)

    # --- weights --------------------------------------------------------------
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True, autocast=True,
                   regularizer=None, constraint=None, aggregation="none", name=None, **kwargs):
        """Create a Variable owned by this layer (glorot_uniform floats, zeros otherwise)."""
        shape = () if shape is None else tuple(int(d) for d in shape)
        dtype = dtype or self.dtype
        if initializer is None:
            initializer = "glorot_uniform" if np.dtype(dtype).kind == "f" else "zeros"
        variable = Variable(
            initializers.get(initializer), shape=shape, dtype=dtype, trainable=trainable, name=name,
            regularizer=regularizers.get(regularizer), constraint=constraints.get(constraint),
        )
        variable.path = f"{self.name}/{name}" if name else self.name
        if trainable and not self._trainable:
            variable.trainable = False
            self._trainable_variables.append(variable)
        elif trainable:
            self._trainable_variables.append(variable)
        else:
            self._non_trainable_variables.append(variable)
        return variable

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        value = bool(value)
        self._trainable = value
        for variable in self._trainable_variables:
            variable.trainable = value
        for layer in self._layers:
            layer.trainable = value

    def _unique(self, variables):
        seen, unique = set(), []
        for v in variables:
            if id(v) not in seen:
                seen.add(id(v))
                unique.append(v)
        return unique

    @property
    def weights(self):
        """All weights: this layer's (trainable first), then its sub-layers'."""
        own = self._trainable_variables + self._non_trainable_variables
        return self._unique(own + [w for layer in self._layers for w in layer.weights])

    @property
    def trainable_weights(self):
        """The weights an optimizer updates (none when the layer is frozen)."""
        if not self.trainable:
            return []
        return [w for w in self.weights if w.trainable]

    @property
    def non_trainable_weights(self):
        """Weights kept out of training (frozen ones, moving statistics)."""
        if not self.trainable:
            return self.weights
        return [w for w in self.weights if not w.trainable]

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def get_weights(self):
        """Copies of the weight values, as NumPy arrays, in ``weights`` order."""
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights):
        """Overwrite the weight values; count and shapes must match exactly."""
        params = self.weights
        if len(weights) != len(params):
            raise ValueError(
                f"Layer '{self.name}' expects {len(params)} weight arrays "
                f"({[tuple(p.shape) for p in params]}), got {len(weights)}"
            )
        for param, value in zip(params, weights):
            if tuple(np.shape(value)) != tuple(param.shape):
                raise ValueError(
                    f"Layer '{self.name}': weight '{param.path}' has shape {tuple(param.shape)}, "
                    f"got an array of shape {tuple(np.shape(value))}"
                )
        for param, value in zip(params, weights):
            param.assign(value)

    def count_params(self):
        """The number of scalars in all weights."""
        if not self.built:
            raise ValueError(
                f"Layer '{self.name}' is not built yet, so it has no weights to count. "
                "Call it on data or build it with an input shape first."
            )
        return int(sum(np.prod(w.shape) for w in self.weights))

    # --- losses -------------------------------------------------------------------
    def add_loss(self, loss):
        """Add a tensor to the training loss; dropped when the next outermost layer call of this thread begins.

        Added losses are kept per thread (``glassnet.state``), so a ``predict``
        in another thread never adds to the loss that ``fit`` minimises.
        """
        current.losses.setdefault(self, []).append(loss)

    @property
    def losses(self):
        """Added losses (of this thread's last call) and weight penalties of this layer and its sub-layers."""
        collected = list(current.losses.get(self, ()))
        for variable in self._trainable_variables:
            if variable.regularizer is not None and variable.trainable:
                collected.append(variable.regularizer(variable))
        for layer in self._layers:
            collected.extend(layer.losses)
        return collected

    def _clear_losses(self):
        current.losses.pop(self, None)
        for layer in self._layers:
            layer._clear_losses()

    # --- building ---------------------------------------------------------------
    def build(self, input_shape):
        """Create the weights for inputs of ``input_shape`` (batch axis included)."""
        self.built = True

    def _maybe_build(self, input_shape):
        if not self.built:
            self._build_shapes = input_shape
            self.build(input_shape)
            self.built = True

    def compute_output_shape(self, input_shape):
        """The output shape for ``input_shape``: by default, found by running ``call`` on zeros."""
        def dummy(shape):
            if isinstance(shape, list):
                return [dummy(s) for s in shape]
            if isinstance(shape, dict):
                return {k: dummy(v) for k, v in shape.items()}
            return Tensor(np.zeros([1 if d is None else d for d in shape], dtype=self.dtype))

        with no_grad():
            outputs = self.call(dummy(input_shape), **self._default_call_kwargs(False))

        def symbolic_shape(tensor, like):
            shape = tuple(tensor.shape)
            return (None,) + shape[1:] if like and like[0] is None else shape

        first = input_shape[0] if isinstance(input_shape, list) else input_shape
        if isinstance(outputs, (list, tuple)):
            return [symbolic_shape(o, first) for o in outputs]
        return symbolic_shape(outputs, first)

    def _default_call_kwargs(self, training):
        accepts_training, _ = _call_accepts(type(self))
        return {"training": training} if accepts_training else {}

    # --- calling ----------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if args:
            inputs, args = args[0], args[1:]
        else:
            inputs = kwargs.pop("inputs")
        if type(inputs) is not Tensor:
            if is_symbolic(inputs) or is_symbolic([list(args), kwargs]):  # e.g. a saved power(2.0, x) node
                return self._symbolic_call(inputs, args, kwargs)
            inputs = to_tensor(inputs)
        if not self.built:
            if self.input_spec is not None:  # bad input is rejected before any weight is made
                self._check_inputs(self.input_spec, inputs)
            self._maybe_build(shape_of(inputs))
        spec = self.input_spec
        if spec is not None:
            shape = inputs.shape if type(inputs) is Tensor else None
            if shape is None or shape != self._checked_shape:
                self._check_inputs(spec, inputs)
                self._checked_shape = shape
        state = current
        training = kwargs.get("training")
        if training is None:
            training = state.training  # Keras' call context: the flag of the enclosing call
        accepts_training, accepts_mask = _call_accepts(type(self))
        if not accepts_training:
            kwargs.pop("training", None)
        elif training is not None:
            kwargs["training"] = training
        previous_mask = kwargs.get("mask")
        if previous_mask is None:
            previous_mask = inputs._keras_mask if type(inputs) is Tensor else mask_of(inputs)
            if accepts_mask and previous_mask is not None:
                kwargs["mask"] = previous_mask
        if not accepts_mask:
            kwargs.pop("mask", None)
        outer_training, depth = state.training, state.call_depth
        if depth == 0 and state.losses:
            self._clear_losses()  # an outermost call: this layer's tree drops the losses of its previous call
        state.training, state.call_depth = training, depth + 1
        try:
            if state.anomaly_trace is None and not state.forward_hooks:
                outputs = self.call(inputs, *args, **kwargs)
            else:
                outputs = self._observed_call(inputs, args, kwargs)
            if self.activity_regularizer is not None:  # in every mode, as Keras 3 (evaluate reports it)
                self._add_activity_loss(outputs)
        finally:
            state.training, state.call_depth = outer_training, depth
        if previous_mask is not None or _makes_masks(type(self)):  # else no mask to pass on or make
            if self.supports_masking:
                self._attach_mask(inputs, outputs, previous_mask)
            elif previous_mask is not None:
                _warn_mask_destroyed(self)
        return outputs

    def compute_mask(self, inputs, mask=None):
        """The mask of the outputs, given the inputs and their mask: by default the mask passes through.

        A layer whose outputs have other timesteps (or none) overrides this;
        ``Embedding(mask_zero=True)`` makes a mask from its inputs.
        """
        return mask

    def _attach_mask(self, inputs, outputs, previous_mask):
        """Keras' rule: outputs that carry no mask yet get ``compute_mask(inputs, previous_mask)``."""
        flat_outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        if all(getattr(t, "_keras_mask", None) is not None for t in flat_outputs):
            return
        masks = self.compute_mask(inputs, previous_mask)
        if masks is None:
            return
        flat_masks = masks if isinstance(masks, (list, tuple)) else [masks] * len(flat_outputs)
        for tensor, mask in zip(flat_outputs, flat_masks):
            if isinstance(tensor, Tensor) and tensor._keras_mask is None and mask is not None:
                tensor._keras_mask = mask

    def _observed_call(self, inputs, args, kwargs):
        """``call`` with the anomaly trace told which layer runs, and the forward hooks shown the result."""
        trace = current.anomaly_trace
        if trace is not None:
            trace.enter_layer(self)
        try:
            outputs = self.call(inputs, *args, **kwargs)
        finally:
            if trace is not None:
                trace.exit_layer()
        for hook in current.forward_hooks:
            hook(self, inputs, outputs)
        return outputs

    def _add_activity_loss(self, outputs):
        """Keras 3: the activity penalty of each output, divided by its batch size."""
        for output in outputs if isinstance(outputs, (list, tuple)) else [outputs]:
            loss = self.activity_regularizer(output)
            if output.ndim > 0 and output.shape[0]:
                loss = ops.divide(loss, float(output.shape[0]))
            self.add_loss(loss)

    def _check_inputs(self, spec, inputs):
        if isinstance(spec, InputSpec):
            check_input(self, spec, inputs.shape if not isinstance(inputs, (list, tuple)) else inputs[0].shape)
            return
        for index, (one_spec, tensor) in enumerate(zip(spec, inputs)):
            if one_spec is not None:
                check_input(self, one_spec, tensor.shape, index)

    def _symbolic_call(self, inputs, args, kwargs):
        """Build on symbolic shapes and record a node; nothing is computed."""
        input_shape = shape_of(inputs)
        if not self.built:
            if self.input_spec is not None:
                self._check_inputs(self.input_spec, inputs)
            self._maybe_build(input_shape)
        if self.input_spec is not None:
            self._check_inputs(self.input_spec, inputs)
        previous_mask = kwargs.get("mask")
        if previous_mask is None:
            previous_mask = mask_of(inputs)
        accepts_mask = _call_accepts(type(self))[1]
        default_shape = type(self).compute_output_shape is Layer.compute_output_shape
        if default_shape and (is_symbolic([list(args), kwargs]) or (accepts_mask and previous_mask is not None)):
            # call(a, b) or call(x, mask=...): every tensor argument counts, as when the layer runs
            call_kwargs = {**kwargs, "mask": previous_mask} if accepts_mask and previous_mask is not None else kwargs
            output_shape = self._shape_from_call(inputs, args, call_kwargs)
        else:
            output_shape = self.compute_output_shape(input_shape)
        if isinstance(output_shape, list):
            outputs = [KerasTensor(s, dtype=self.dtype) for s in output_shape]
        else:
            outputs = KerasTensor(output_shape, dtype=self._output_dtype(inputs))
        if isinstance(kwargs.get("mask"), KerasTensor) and kwargs["mask"]._keras_history is None:
            kwargs = {k: v for k, v in kwargs.items() if k != "mask"}  # an input's own mask: it comes with the input
        Node(self, inputs, outputs, args, kwargs)
        if self.supports_masking and (previous_mask is not None or _makes_masks(type(self))):
            self._attach_symbolic_mask(inputs, outputs, previous_mask)
        elif previous_mask is not None and not self.supports_masking:
            _warn_mask_destroyed(self)
        return outputs

    def _attach_symbolic_mask(self, inputs, outputs, previous_mask):
        """Keras' rule on symbolic tensors: each output gets the symbolic mask ``compute_mask`` would give.

        ``compute_mask`` runs on stand-ins (zeros for the inputs, all-true masks); only the masks' shapes
        are kept, with the batch axis unknown. The real masks are made when the model runs.
        """
        with no_grad():
            masks = self.compute_mask(_stand_in(inputs), _stand_in(previous_mask))
        if masks is None:
            return
        flat_outputs = outputs if isinstance(outputs, list) else [outputs]
        flat_masks = list(masks) if isinstance(masks, (list, tuple)) else [masks] * len(flat_outputs)
        first = _flatten_shapes(shape_of(inputs))
        unknown = [d is None for d in first] if isinstance(first, tuple) else []
        for tensor, mask in zip(flat_outputs, flat_masks):
            if mask is not None:  # a mask's axes are the inputs' leading ones (batch, time)
                shape = np.shape(mask_array(mask))
                tensor._keras_mask = KerasTensor(
                    [None if axis < len(unknown) and unknown[axis] else d for axis, d in enumerate(shape)], "bool")

    def _shape_from_call(self, inputs, args, kwargs):
        """The output shape of a call with several tensor arguments, by running ``call`` on zeros for each."""
        call_kwargs = {**self._default_call_kwargs(False), **_stand_in(kwargs)}
        with no_grad():
            outputs = self.call(_stand_in(inputs), *_stand_in(list(args)), **call_kwargs)
        first = _flatten_shapes(shape_of(inputs))
        batch_unknown = bool(first) and first[0] is None
        shapes = [tuple(o.shape) for o in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]
        shapes = [(None,) + shape[1:] if batch_unknown and shape else shape for shape in shapes]
        return shapes if isinstance(outputs, (list, tuple)) else shapes[0]

    def _output_dtype(self, inputs):
        return self.dtype

    def call(self, inputs, *args, **kwargs):
        """The computation; the default passes inputs through."""
        return inputs

    @property
    def output(self):
        """The symbolic output of the layer's first call on KerasTensors."""
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called on symbolic inputs, so it has no output")
        return self._inbound_nodes[0].outputs

    @property
    def input(self):
        """The symbolic input of the layer's first call on KerasTensors."""
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called on symbolic inputs, so it has no input")
        return self._inbound_nodes[0].inputs

    # --- configuration -----------------------------------------------------------
    def get_config(self):
        """The constructor arguments that recreate this layer (weights excluded).

        ``dtype`` is written as Keras 3 writes it (a DTypePolicy entry). A
        subclass that does not write its own ``get_config`` gets the arguments
        its constructor was called with, as in Keras, when they can be saved
        (numbers, strings, lists, dicts and objects with ``get_config``).
        """
        config = {"name": self.name, "trainable": self.trainable, "dtype": dtype_policy_config(self.dtype)}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        if "_auto_config" in self.__dict__:
            config.update(self._automatic_config())
        return config

    def _automatic_config(self):
        """The recorded constructor arguments, or a clear error when they cannot be saved."""
        from glassnet.saving.serialization_lib import is_serializable

        arguments = self.__dict__.get("_auto_config")
        if arguments is None:
            arguments = {}
        bad = [name for name, value in arguments.items() if not is_serializable(value)]
        if bad:
            raise NotImplementedError(
                f"{type(self).__name__} '{self.name}' was created with argument(s) {bad} that cannot be written to "
                f"a config automatically. Write a get_config() method returning its constructor arguments, e.g. "
                f"def get_config(self): return {{**super().get_config(), {', '.join(repr(b) + ': ...' for b in bad)}}}"
            )
        return dict(arguments)

    @classmethod
    def from_config(cls, config):
        """Create a layer from ``get_config()``'s output.

        ``name``, ``trainable`` and ``dtype`` are set after construction when
        the constructor does not take them (a custom layer whose ``__init__``
        has neither these parameters nor ``**kwargs``).
        """
        import inspect

        config = dict(config)
        parameters = inspect.signature(cls.__init__).parameters
        takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
        after = {}
        if not takes_any:
            for key in ("name", "trainable", "dtype"):
                if key in config and key not in parameters:
                    after[key] = config.pop(key)
        layer = cls(**config)
        if "name" in after:
            layer.name = after["name"]
        if "trainable" in after:
            layer.trainable = after["trainable"]
        if "dtype" in after:
            layer.dtype = dtype_name(after["dtype"])
        return layer

    def get_build_config(self):
        """The input shape the layer was built with, to rebuild it on load."""
        if self._build_shapes is None:
            return None
        return {"input_shape": self._build_shapes}

    def build_from_config(self, config):
        if config and "input_shape" in config and not self.built:
            self._maybe_build(_as_shape(config["input_shape"]))

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


_MAKES_MASKS = {}


def _makes_masks(layer_class):
    """Whether the class's ``compute_mask`` is its own (it may make a mask from unmasked inputs)."""
    makes = _MAKES_MASKS.get(layer_class)
    if makes is None:
        makes = _MAKES_MASKS[layer_class] = layer_class.compute_mask is not Layer.compute_mask
    return makes


def mask_of(inputs):
    """The mask carried by ``inputs`` (a list of masks for a list of inputs), or None when none carries one."""
    if type(inputs) is Tensor or type(inputs) is KerasTensor:
        return inputs._keras_mask
    if isinstance(inputs, (list, tuple)):
        masks = [getattr(t, "_keras_mask", None) for t in inputs]
        return masks if any(m is not None for m in masks) else None
    return None


def _stand_in(item):
    """Concrete stand-ins for symbolic tensors: zeros of their shape (all true for masks), batch of 1."""
    if isinstance(item, KerasTensor):
        shape = [1 if d is None else d for d in item.shape]
        return Tensor(np.ones(shape, dtype=bool) if item.dtype == "bool" else np.zeros(shape, dtype=item.dtype))
    if isinstance(item, (list, tuple)):
        return type(item)(_stand_in(i) for i in item)
    if isinstance(item, dict):
        return {key: _stand_in(value) for key, value in item.items()}
    return item


def mask_array(mask):
    """A mask as a boolean array (masks may be given as Tensors or arrays)."""
    return mask.data if isinstance(mask, Tensor) else mask


def _flatten_shapes(shape):
    """The first plain shape in a nested list of shapes."""
    while isinstance(shape, list) and shape and isinstance(shape[0], (list, tuple)):
        shape = shape[0]
    return shape


def _warn_mask_destroyed(layer):
    import warnings

    warnings.warn(
        f"Layer '{layer.name}' (of type {type(layer).__name__}) was passed an input with a mask attached to it. "
        "However, this layer does not support masking and will therefore destroy the mask information. "
        "Downstream layers will not see the mask.", stacklevel=3,
    )


def _as_shape(shape):
    """Lists from JSON back to shape tuples (nested lists for several inputs)."""
    if shape and isinstance(shape[0], (list, tuple)):
        return [tuple(s) for s in shape]
    return tuple(shape)
