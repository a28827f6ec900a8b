"""``glassnet.tree`` against ``keras.tree`` (torch backend) on nested lists, tuples, namedtuples and dicts."""

import collections
import os

import numpy as np
import pytest

from glassnet import tree

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras")

# Fields in sorted order and dicts inside namedtuples in sorted order: Keras' torch tree numbers a namedtuple's fields
# by sorted name and leaves dicts inside namedtuples unsorted, where its optree version (jax, tensorflow) and
# glassnet use positions and sorted keys (see test_namedtuple_paths_are_positions).
Point = collections.namedtuple("Point", ["x", "y"])
Other = collections.namedtuple("Point", ["x", "y"])

STRUCTURES = [
    1, None, "text", [], (), {}, [1, 2, 3], (1, (2, 3)), [[1, 2, 3], [4, [5], [[6]]]],
    {"b": 1, "a": 2, "c": [3, 4]}, {100: "world!", 6: "Hello"}, [{"foo": 42}], Point(1, [2, 3]),
    {"z": Point(x={"j": None, "k": 3}, y=(1, 2)), "a": [None, "s"]},
    collections.OrderedDict([("b", 1), ("a", (2, 3))]), [(1,)], (np.zeros(2), [np.ones(3)]),
]


def same(a, b):
    """Equal with the same container types all the way down (dict key order not compared)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b)
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return set(a) == set(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


@pytest.mark.parametrize("structure", STRUCTURES, ids=repr)
def test_flatten_and_is_nested_match_keras(structure):
    assert tree.is_nested(structure) == keras.tree.is_nested(structure)
    mine, theirs = tree.flatten(structure), keras.tree.flatten(structure)
    assert len(mine) == len(theirs) and all(same(a, b) for a, b in zip(mine, theirs))


@pytest.mark.parametrize("structure", STRUCTURES, ids=repr)
def test_flatten_with_path_matches_keras(structure):
    mine, theirs = tree.flatten_with_path(structure), keras.tree.flatten_with_path(structure)
    assert [path for path, _ in mine] == [path for path, _ in theirs]


@pytest.mark.parametrize("structure", STRUCTURES, ids=repr)
def test_pack_sequence_as_matches_keras_and_undoes_flatten(structure):
    values = [f"v{i}" for i in range(len(tree.flatten(structure)))]
    packed = tree.pack_sequence_as(structure, values)
    assert same(packed, keras.tree.pack_sequence_as(structure, values))
    assert tree.flatten(packed) == values
    if isinstance(structure, dict):
        assert list(packed) == list(structure)  # the original key order is kept


@pytest.mark.parametrize("structure", STRUCTURES, ids=repr)
def test_map_structure_and_traversals_match_keras(structure):
    def double(x):
        return None if x is None else x * 2

    assert same(tree.map_structure(double, structure), keras.tree.map_structure(double, structure))
    assert same(tree.lists_to_tuples(structure), keras.tree.lists_to_tuples(structure))
    mine, theirs = [], []
    tree.traverse(lambda s: mine.append(tree.flatten(s)), structure, top_down=False)
    keras.tree.traverse(lambda s: theirs.append(keras.tree.flatten(s)), structure, top_down=False)
    assert len(mine) == len(theirs)


def test_map_structure_several_structures_and_none_leaves():
    a, b = {"x": [1, 2], "y": (3, None)}, {"y": (30, None), "x": [10, 20]}
    expected = keras.tree.map_structure(lambda p, q: None if p is None else p + q, a, b, none_is_leaf=False)
    assert same(tree.map_structure(lambda p, q: p + q, a, b, none_is_leaf=False), expected)
    assert tree.map_structure(lambda p: p, None, none_is_leaf=False) is None


def test_map_structure_up_to_matches_keras():
    structure = [[1, 1], [2, 2]]
    assert tree.map_structure_up_to([None, None], len, structure) == keras.tree.map_structure_up_to(
        [None, None], len, structure)
    assert tree.map_structure_up_to([None, [None, None]], str, structure) == ["[1, 1]", ["2", "2"]]
    shallow, deep = {"a": None, "b": None}, {"b": [1, 2], "a": (3,)}
    assert same(tree.map_structure_up_to(shallow, len, deep), keras.tree.map_structure_up_to(shallow, len, deep))
    with pytest.raises(ValueError):
        tree.map_structure_up_to([None, [None, None]], str, [1, 2])


@pytest.mark.parametrize("a,b", [
    ([(0, 1)], [(2, 3)]), (Point(0, 1), Point(2, 3)), ({"a": 1, "b": [2]}, collections.OrderedDict(b=[3], a=4)),
    ([1, [2]], [1, 2]), ([1, 2], (1, 2)), (Point(0, 1), Other(0, 1)), ([1, 2], [1, 2, 3]), ({"a": 1}, {"b": 1}),
    (1, [1]), (None, 1), ([None], [[1]]),
])
def test_assert_same_structure_agrees_with_keras(a, b):
    try:
        keras.tree.assert_same_structure(a, b)
        keras_accepts = True
    except (ValueError, TypeError):
        keras_accepts = False
    if keras_accepts:
        tree.assert_same_structure(a, b)
    else:
        with pytest.raises(ValueError, match="same nested structure"):
            tree.assert_same_structure(a, b)


def test_assert_same_paths():
    tree.assert_same_paths([0, 1], (2, 3))
    tree.assert_same_paths(Point(0, 1), Other(2, 3))
    keras.tree.assert_same_paths({"a": [1]}, {"a": (2,)})
    tree.assert_same_paths({"a": [1]}, {"a": (2,)})
    with pytest.raises(ValueError, match="missing"):
        tree.assert_same_paths({"a": 1}, {"b": 1})


def test_traverse_top_down_replaces_and_stops():
    structure = [(1, 2), [3], {"a": 4}]
    visited = []
    assert tree.traverse(visited.append, structure) == structure
    assert visited == [structure, (1, 2), 1, 2, [3], 3, {"a": 4}, 4]
    visited = []
    tree.traverse(visited.append, structure, top_down=False)
    assert visited == [1, 2, (1, 2), 3, [3], 4, {"a": 4}, structure]
    replaced = tree.traverse(lambda s: "T" if isinstance(s, tuple) else None, structure)
    assert replaced == keras.tree.traverse(lambda s: "T" if isinstance(s, tuple) else None, structure)
    assert tree.traverse(lambda s: tree.MAP_TO_NONE if s == [3] else None, structure) == [(1, 2), None, {"a": 4}]


def test_map_shape_structure_matches_keras():
    shapes = {"a": (None, 3), "b": [(2,), [4, 5]], "c": ()}
    mine = tree.map_shape_structure(lambda s: ("shape",) + tuple(s), shapes)
    assert same(mine, keras.tree.map_shape_structure(lambda s: ("shape",) + tuple(s), shapes))


def test_bad_input_gets_clear_errors():
    with pytest.raises(ValueError, match="2 leaves but the flat sequence has 3"):
        tree.pack_sequence_as([1, [2]], [1, 2, 3])
    with pytest.raises(TypeError, match="flat sequence"):
        tree.pack_sequence_as([1], 5)
    with pytest.raises(TypeError, match="sorted"):
        tree.flatten({1: "a", "b": 2})
    with pytest.raises(ValueError, match="at least one"):
        tree.map_structure(len)


def test_namedtuple_paths_are_positions_and_inner_dicts_sorted():
    Reversed = collections.namedtuple("Reversed", ["y", "x"])
    structure = Reversed(y=1, x={"k": 2, "j": 3})
    assert tree.flatten_with_path(structure) == [((0,), 1), ((1, "j"), 3), ((1, "k"), 2)]
    assert tree.pack_sequence_as(structure, [1, 3, 2]) == structure


def test_keras_tensor_helpers_use_the_tree():
    from glassnet.layers import keras_tensor

    structure = {"b": [1, (2, 3)], "a": Point(4, 5)}
    assert keras_tensor.flatten(structure) == tree.flatten(structure) == [4, 5, 1, 2, 3]
    packed = keras_tensor.pack_like(structure, list("vwxyz"))
    assert same(packed, tree.pack_sequence_as(structure, list("vwxyz")))
