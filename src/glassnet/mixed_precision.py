"""``keras.mixed_precision``: the global dtype policy under its mixed-precision names.

glassnet accepts "mixed_float16" and "mixed_bfloat16" and computes in float32
(see ``glassnet.dtype_policies``).
"""

from glassnet.dtype_policies import (
    DTypePolicy,
    dtype_policy,
    global_policy,
    set_dtype_policy,
    set_global_policy,
)

Policy = DTypePolicy

__all__ = ["DTypePolicy", "Policy", "dtype_policy", "global_policy", "set_dtype_policy", "set_global_policy"]
