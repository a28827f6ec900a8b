"""Which function converts which layer class.

    @converts(Dense)
    def dense(g, layer, inputs, kwargs):
        ...                      # add nodes to g; return the output name(s)

A converter gets the ``GraphBuilder``, the layer, the ``Value`` of each
input tensor of the call (in call order) and the call's keyword arguments,
and returns one output name or a list of them. Classes match exactly: a
subclass with its own ``call`` is not silently exported as its base.
"""

CONVERTERS = {}


def converts(*classes):
    """Register the decorated function for ``classes``."""
    def register(function):
        for cls in classes:
            CONVERTERS[cls] = function
        return function
    return register


class ExportError(ValueError):
    """A model cannot be written as ONNX; the message names the layer and why."""


def unsupported(layer, reason):
    """The ExportError for ``layer``: its name, its class and the reason."""
    return ExportError(f"Cannot export layer '{layer.name}' ({type(layer).__name__}) to ONNX: {reason}")


def converter_for(layer):
    """The converter of ``layer``'s class, or an ExportError naming the layer."""
    function = CONVERTERS.get(type(layer))
    if function is None:
        raise unsupported(layer, "glassnet has no ONNX converter for this class. Supported: "
                          + ", ".join(sorted({cls.__name__ for cls in CONVERTERS})))
    return function
