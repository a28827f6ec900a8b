"""Names of a package imported on first use (PEP 562), so that ``import glassnet`` stays fast.

    __getattr__, __dir__, load_all = lazy_exports(globals(), {"LSTM": "glassnet.layers.rnn", ...})

``from package import LSTM`` and ``package.LSTM`` import the module the first
time and keep the name in the package; ``load_all()`` imports them all (the
saving registry calls it before it lists the classes).
"""

import importlib


def lazy_exports(namespace, names):
    """The ``__getattr__``, ``__dir__`` and ``load_all`` of a package whose ``names`` load lazily."""

    def __getattr__(name):
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__():
        return sorted(set(namespace) | set(names))

    def load_all():
        for name in names:
            if name not in namespace:
                __getattr__(name)

    return __getattr__, __dir__, load_all
