"""Dtype policies, as ``keras.dtype_policies`` (and ``keras.mixed_precision``).

A policy names the dtype a layer keeps its weights in (``variable_dtype``)
and computes in (``compute_dtype``). ``DTypePolicy("float32")`` has both
float32; layers created without a ``dtype`` take the global policy
(``set_dtype_policy``), which defaults to ``config.floatx()``.

Mixed precision: Keras' "mixed_float16" and "mixed_bfloat16" keep weights in
float32 and compute in 16 bits. glassnet computes on NumPy, where 16-bit
arithmetic is slower than float32 and bfloat16 does not exist, so it accepts
these names (files and code that use them load and run) and computes in
float32: ``compute_dtype`` says "float32", and a warning says so once.
"""

import warnings

import numpy as np

from glassnet import config

MIXED = ("mixed_float16", "mixed_bfloat16")
_warned = set()
_GLOBAL = {"policy": None}  # None: a float policy of config.floatx()


def _warn_mixed(name):
    if name not in _warned:
        _warned.add(name)
        warnings.warn(f"DTypePolicy {name!r}: glassnet computes in float32 on NumPy (16-bit arithmetic there is "
                      f"slower, and bfloat16 does not exist), so layers with this policy keep float32 weights and "
                      f"compute in float32. The name is kept, so files still say {name!r}.", stacklevel=3)


class DTypePolicy:
    """The dtypes of a layer's weights and computations (``keras.DTypePolicy``).

    ``name`` is a dtype name ("float32", "float64", "float16") or "mixed_float16" /
    "mixed_bfloat16" (accepted, computed in float32: see the module's doc);
    None means ``config.floatx()``.
    """

    def __init__(self, name=None):
        if name is None:
            name = config.floatx()
        if not isinstance(name, str):
            raise TypeError(f"DTypePolicy expects a string name such as 'float32' or 'mixed_float16', got "
                            f"{type(name).__name__} {name!r}")
        self._name = name
        if name in MIXED:
            _warn_mixed(name)
            self._dtype = "float32"
            return
        try:
            dtype = np.dtype(name)
        except TypeError:
            dtype = None
        if dtype is None or dtype.name != name:
            raise ValueError(f"Cannot convert {name!r} to a dtype policy: expected a dtype name such as 'float32', "
                             f"or 'mixed_float16' / 'mixed_bfloat16'")
        self._dtype = dtype.name

    @property
    def name(self):
        return self._name

    @property
    def compute_dtype(self):
        """The dtype layers compute in (float32 for the mixed policies in glassnet)."""
        return self._dtype

    @property
    def variable_dtype(self):
        """The dtype layers keep their weights in."""
        return self._dtype

    @property
    def quantization_mode(self):
        """None: glassnet has no quantized policies."""
        return None

    def get_config(self):
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __eq__(self, other):
        return isinstance(other, DTypePolicy) and other.name == self.name

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return f'<DTypePolicy "{self.name}">'


class FloatDTypePolicy(DTypePolicy):
    """Keras' older name for DTypePolicy, kept for code and files that use it."""


def get(identifier):
    """A DTypePolicy from a policy, a name, or a serialized config dict."""
    if isinstance(identifier, DTypePolicy):
        return identifier
    if identifier is None or isinstance(identifier, str):
        return DTypePolicy(identifier)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise ValueError(f"Cannot interpret {identifier!r} as a dtype policy: expected a DTypePolicy, a name such as "
                     f"'float32', or a config dict")


def serialize(policy):
    """The entry Keras 3 writes for a policy."""
    return {"module": "keras", "class_name": type(policy).__name__, "config": policy.get_config(),
            "registered_name": None}


def deserialize(config, custom_objects=None):
    """The policy a serialized entry describes (``{"class_name": "DTypePolicy", "config": {"name": ...}}``)."""
    if not isinstance(config, dict) or config.get("class_name") not in ("DTypePolicy", "FloatDTypePolicy"):
        raise ValueError(f"Expected a DTypePolicy config, got {config!r}")
    inner = config.get("config") or {}
    return DTypePolicy(inner.get("name"))


def dtype_policy():
    """The global policy: what layers created without a ``dtype`` use."""
    return _GLOBAL["policy"] or DTypePolicy(config.floatx())


def set_dtype_policy(policy):
    """Set the global policy from a DTypePolicy or a name."""
    if not isinstance(policy, (DTypePolicy, str)):
        raise ValueError(f"set_dtype_policy expects a DTypePolicy or a name such as 'mixed_float16', got {policy!r}")
    _GLOBAL["policy"] = get(policy)


global_policy = dtype_policy
set_global_policy = set_dtype_policy
