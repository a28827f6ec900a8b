"""Looking objects up by name, with an error that lists the valid names."""


def lookup(kind, identifier, table):
    """Return ``table[identifier]``, else a registered custom object of that name, else raise.

    Custom objects are the ones given to ``register_keras_serializable`` or
    made available by ``custom_object_scope`` / ``load_model(custom_objects=...)``.
    The error names the valid built-in choices and how to add a custom one.
    """
    key = identifier.lower() if isinstance(identifier, str) else identifier
    if key in table:
        return table[key]
    if isinstance(identifier, str):
        from glassnet.saving.object_registration import get_registered_object

        found = get_registered_object(identifier)
        if found is not None:
            return found
    choices = ", ".join(sorted(repr(k) for k in table))
    raise ValueError(
        f"Unknown {kind} {identifier!r}. Valid {kind} names: {choices}. For a custom {kind}, pass the object "
        f"itself, or register it with @glassnet.saving.register_keras_serializable()"
    )
