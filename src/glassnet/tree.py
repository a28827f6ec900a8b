"""Nested structures of lists, tuples, namedtuples, dicts and deques, as ``keras.tree``.

A structure is a leaf or a container of structures. Containers are lists,
tuples, namedtuples, deques and dicts (OrderedDict and defaultdict too);
anything else, None and strings included, is a leaf. The order of the
leaves is Keras' order:

    sequences      by position
    dict           by sorted key (keys must be sortable), whatever the insertion order
    OrderedDict    by insertion order

``pack_sequence_as`` reads values in the same order, so it undoes
``flatten``; rebuilt dicts keep their original key order. This module is the
one place glassnet walks nested structures (functional models' inputs and
outputs, RNN states).
"""

import collections

NESTED_TYPES = (list, tuple, dict, collections.deque)


class MAP_TO_NONE:
    """Returned by a ``traverse`` function to put None in place of a sub-structure."""


# --- containers ------------------------------------------------------------------------------------------------------
def is_nested(structure):
    """True for a list, tuple, namedtuple, deque or dict (a container); False for a leaf."""
    return isinstance(structure, NESTED_TYPES)


def _is_namedtuple(structure):
    return isinstance(structure, tuple) and hasattr(type(structure), "_fields")


def _keys(mapping):
    """A dict's keys in flattening order: sorted, except an OrderedDict's own order."""
    if isinstance(mapping, collections.OrderedDict):
        return list(mapping)
    try:
        return sorted(mapping)
    except TypeError:
        raise TypeError(f"keras.tree needs dict keys that can be sorted, got keys {list(mapping)!r}") from None


def _children(structure):
    """The direct sub-structures of a container, in flattening order."""
    if isinstance(structure, dict):
        return [structure[key] for key in _keys(structure)]
    return list(structure)


def _child_keys(structure):
    """The path component of each child: its key for a dict, its position otherwise."""
    return _keys(structure) if isinstance(structure, dict) else list(range(len(structure)))


def _rebuild(structure, children):
    """A container like ``structure`` holding ``children`` (given in flattening order)."""
    if isinstance(structure, dict):
        by_key = dict(zip(_keys(structure), children))
        items = [(key, by_key[key]) for key in structure]  # the original key order
        if isinstance(structure, collections.defaultdict):
            return type(structure)(structure.default_factory, items)
        return type(structure)(items)
    if _is_namedtuple(structure):
        return type(structure)(*children)
    if isinstance(structure, collections.deque):
        return collections.deque(children, maxlen=structure.maxlen)
    return type(structure)(children)


# --- flattening ------------------------------------------------------------------------------------------------------
def flatten(structure):
    """The leaves of ``structure`` as a list, in Keras' order (``flatten(1) == [1]``, ``flatten(None) == [None]``)."""
    leaves = []
    _flatten_into(structure, leaves)
    return leaves


def _flatten_into(structure, leaves):
    if isinstance(structure, (list, tuple)):
        for item in structure:
            _flatten_into(item, leaves)
    elif isinstance(structure, NESTED_TYPES):
        for item in _children(structure):
            _flatten_into(item, leaves)
    else:
        leaves.append(structure)


def flatten_with_path(structure):
    """``[(path, leaf), ...]``: each leaf with the tuple of keys and positions that leads to it."""
    found = []

    def visit(item, path):
        if not is_nested(item):
            found.append((path, item))
            return
        for key, child in zip(_child_keys(item), _children(item)):
            visit(child, path + (key,))

    visit(structure, ())
    return found


def pack_sequence_as(structure, flat_sequence):
    """The values of ``flat_sequence`` put into the shape of ``structure`` (the inverse of ``flatten``)."""
    try:
        values = list(flat_sequence)
    except TypeError:
        raise TypeError(f"pack_sequence_as needs a flat sequence of values, got {type(flat_sequence).__name__} "
                        f"{flat_sequence!r}") from None
    expected = len(flatten(structure))
    if len(values) != expected:
        raise ValueError(f"pack_sequence_as: the structure has {expected} leaves but the flat sequence has "
                         f"{len(values)} values. Structure: {_short(structure)}")
    position = iter(values)

    def pack(item):
        if not is_nested(item):
            return next(position)
        return _rebuild(item, [pack(child) for child in _children(item)])

    return pack(structure)


# --- comparing -------------------------------------------------------------------------------------------------------
def _same_kind(a, b):
    """Containers match if of the same type; any two dicts match if their keys do."""
    if isinstance(a, dict) and isinstance(b, dict):
        return set(a) == set(b)
    return type(a) is type(b) and len(a) == len(b)


def _mismatch(a, b, path):
    where = f" at {path!r}" if path else ""
    return ValueError(f"The two structures don't have the same nested structure{where}: {_short(a)} vs {_short(b)}")


def _check_same(a, b, path=()):
    a_nested, b_nested = is_nested(a), is_nested(b)
    if not a_nested and not b_nested:
        return
    if a_nested != b_nested or not _same_kind(a, b):
        raise _mismatch(a, b, path)
    if isinstance(a, dict):
        for key in _keys(a):
            _check_same(a[key], b[key], path + (key,))
        return
    for index, (x, y) in enumerate(zip(a, b)):
        _check_same(x, y, path + (index,))


def assert_same_structure(a, b, check_types=None):
    """Raise a ValueError unless ``a`` and ``b`` nest alike: same container types and lengths, same dict keys.

    Lists, tuples, deques and namedtuples of different classes do not match;
    dict, OrderedDict and defaultdict with the same keys do. ``check_types``
    is accepted and ignored, as in Keras 3.
    """
    _check_same(a, b)


def assert_same_paths(a, b):
    """Raise a ValueError unless ``a`` and ``b`` have the same leaf paths (container types are not compared)."""
    a_paths = {path for path, _ in flatten_with_path(a)}
    b_paths = {path for path, _ in flatten_with_path(b)}
    if a_paths != b_paths:
        raise ValueError(f"`a` and `b` don't have the same paths. Paths in `a` missing in `b`: "
                         f"{sorted(a_paths - b_paths, key=repr)}; paths in `b` missing in `a`: "
                         f"{sorted(b_paths - a_paths, key=repr)}")


# --- mapping ---------------------------------------------------------------------------------------------------------
def map_structure(func, *structures, none_is_leaf=True):
    """``func`` applied to the leaves of ``structures`` (nested alike), in the shape of the first.

    With ``none_is_leaf=False``, None leaves stay None and ``func`` never sees them.
    """
    if not structures:
        raise ValueError("map_structure needs at least one structure")
    for other in structures[1:]:
        assert_same_structure(structures[0], other)
    if not none_is_leaf:
        original = func

        def func(*leaves):
            if leaves[0] is None:
                if any(leaf is not None for leaf in leaves):
                    raise ValueError(f"Structure mismatch: some arguments are None, others are not: {leaves}")
                return None
            return original(*leaves)

    def apply(*items):
        if not is_nested(items[0]):
            return func(*items)
        children = [_children(item) for item in items]
        return _rebuild(items[0], [apply(*group) for group in zip(*children)])

    return apply(*structures)


def map_structure_up_to(shallow_structure, func, *structures):
    """``func`` applied to the sub-structures of ``structures`` found at the leaves of ``shallow_structure``.

    ``map_structure_up_to([None, None], len, [[1, 1], [2, 2]]) == [2, 2]``. The
    structures may nest deeper than ``shallow_structure``, not less deep.
    """
    if not structures:
        raise ValueError("map_structure_up_to needs at least one structure")

    def apply(shallow, items, path):
        if not is_nested(shallow):
            return func(*items)
        for item in items:
            if not is_nested(item) or not _same_kind(shallow, item):
                raise _mismatch(shallow, item, path)
        keys = _child_keys(shallow)
        children = [_children(item) for item in items]
        results = [apply(child, [group[i] for group in children], path + (key,))
                   for i, (key, child) in enumerate(zip(keys, _children(shallow)))]
        return _rebuild(shallow, results)

    return apply(shallow_structure, structures, ())


def map_shape_structure(func, structure):
    """``func`` applied to each shape in ``structure``: a list or tuple of ints and Nones counts as one leaf."""
    if _is_shape(structure) or not is_nested(structure):
        return func(structure)
    return _rebuild(structure, [map_shape_structure(func, child) for child in _children(structure)])


def _is_shape(value):
    return isinstance(value, (list, tuple)) and all(isinstance(d, (int, type(None))) for d in value)


def traverse(func, structure, top_down=True):
    """Call ``func`` on every sub-structure, depth first; a non-None result replaces that sub-structure.

    Top down, a non-None result also stops the descent into it; bottom up,
    ``func`` sees sub-structures already traversed. Return ``MAP_TO_NONE`` to
    put None in the result.
    """
    def result_or(value, default):
        if value is None:
            return default
        return None if value is MAP_TO_NONE else value

    def descend(item):
        if not is_nested(item):
            return item
        return _rebuild(item, [traverse(func, child, top_down) for child in _children(item)])

    if top_down:
        replaced = func(structure)
        return descend(structure) if replaced is None else result_or(replaced, None)
    traversed = descend(structure)
    return result_or(func(traversed), traversed)


def lists_to_tuples(structure):
    """``structure`` with every list turned into a tuple."""
    return traverse(lambda item: tuple(item) if isinstance(item, list) else None, structure, top_down=False)


def _short(structure, limit=120):
    text = repr(structure)
    return text if len(text) <= limit else text[:limit] + "..."
