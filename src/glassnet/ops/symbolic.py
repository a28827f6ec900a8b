"""Ops called on symbolic tensors (``keras.Input``) while a functional model is built.

``ops`` knows nothing of layers; the layers package registers which argument
types are symbolic and a handler that records an operation node for the call
(``register``). Every public function of ``glassnet.ops`` is wrapped by
``dispatching``: with no symbolic argument it is called as is; with one, the
handler gets (name, function, args, kwargs) and returns symbolic outputs.
"""

import functools

_registry = {"types": (), "handler": None}
_SEQUENCES = (list, tuple)


def register(types, handler):
    """Route calls with an argument of ``types`` (a class or tuple) to ``handler(name, fn, args, kwargs)``."""
    _registry["types"] = types if isinstance(types, tuple) else (types,)
    _registry["handler"] = handler


def _contains(value, types):
    if isinstance(value, types):
        return True
    if isinstance(value, (list, tuple)):
        return any(_contains(v, types) for v in value)
    if isinstance(value, dict):
        return any(_contains(v, types) for v in value.values())
    return False


def dispatching(name, function):
    """``function``, or the registered handler when an argument is symbolic."""

    @functools.wraps(function)
    def op(*args, **kwargs):
        types = _registry["types"]
        if types:  # a flat loop first: this runs on every op call
            for value in args:
                if isinstance(value, types) or (type(value) in _SEQUENCES and _contains(value, types)):
                    return _registry["handler"](name, function, args, kwargs)
            if kwargs and _contains(kwargs, types):
                return _registry["handler"](name, function, args, kwargs)
        return function(*args, **kwargs)

    op.__wrapped_op__ = function
    return op
