"""Looking objects up by name, with an error that lists the valid names."""


def lookup(kind, identifier, table):
    """Return ``table[identifier]`` or raise a ValueError naming the valid choices."""
    key = identifier.lower() if isinstance(identifier, str) else identifier
    if key in table:
        return table[key]
    choices = ", ".join(sorted(repr(k) for k in table))
    raise ValueError(f"Unknown {kind} {identifier!r}. Valid {kind} names: {choices}")
