"""The model's entry point: ``keras.Input(shape=...)`` and the InputLayer behind it."""

from glassnet.layers.core import operation_node  # noqa: F401 - ops called on KerasTensors record nodes
from glassnet.layers.keras_tensor import KerasTensor, Node
from glassnet.layers.layer import Layer


class InputLayer(Layer):
    """Holds the input shape; its output is the KerasTensor ``Input`` returns."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, optional=False, name=None, ragged=False, **kwargs):
        legacy = kwargs.pop("input_shape", None)
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        is_string = dtype is str or dtype in ("string", "str")  # text fed to TextVectorization or StringLookup
        super().__init__(name=name, dtype=None if is_string else dtype, **kwargs)
        if is_string:
            self.dtype = "string"
        shape = legacy if shape is None else shape
        if batch_shape is None:
            if shape is None:
                raise ValueError("Input needs a shape, e.g. keras.Input(shape=(28, 28))")
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            batch_shape = (batch_size,) + shape
        self.batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        if ragged:
            raise ValueError("Ragged inputs are not supported by glassnet; pad the sequences to one length")
        self.sparse = bool(sparse)
        self.optional = optional
        self.built = True
        tensor = KerasTensor(self.batch_shape, dtype=self.dtype, name=self.name)
        Node(self, [], tensor)
        self.output_tensor = tensor

    def compute_output_shape(self, input_shape):
        return self.batch_shape

    def get_config(self):
        return {"batch_shape": list(self.batch_shape), "dtype": self.dtype, "sparse": self.sparse, "ragged": False,
                "name": self.name, "optional": self.optional}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None, tensor=None,
          optional=False):
    """A symbolic input of ``shape`` (batch axis excluded): ``keras.Input(shape=(28, 28))``."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse, batch_shape=batch_shape,
                       name=name, input_tensor=tensor, optional=optional)
    return layer.output_tensor
