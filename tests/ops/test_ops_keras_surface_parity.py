"""glassnet.ops against Keras 3's keras.ops (torch backend) on the same inputs, and the namespace rules:
``ops.shape`` is a function and no internal module hides a Keras op."""

import os
import types

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported

from glassnet import ops  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")

RNG = np.random.default_rng(3)
IMAGES = RNG.uniform(0, 1, (2, 5, 7, 3)).astype("float32")
X = RNG.standard_normal((3, 4)).astype("float32")
PROBS = RNG.uniform(0.05, 0.95, (4, 3)).astype("float32")
ONE_HOT = np.eye(3, dtype="float32")[[0, 2, 1, 1]]
LABELS = np.array([0, 2, 1, 1])

# Keras' namespaces under keras.ops; every other module in glassnet.ops is an implementation module
KERAS_NAMESPACES = {"image", "linalg", "nn", "numpy"}
IMPLEMENTATION_MODULES = {
    "convolution", "convolution3d", "core", "creation", "ctc", "einops", "einsum", "embedding", "folding",
    "fused_activation", "linalg", "logic", "math", "normalization", "operators", "pooling", "pooling3d", "products",
    "reduce", "rnn", "segment", "shaping", "sorting", "special", "spectral", "statistics", "symbolic", "windows",
}

PARITY = [
    ("resize_bilinear_up", lambda o: o.image.resize(IMAGES, (9, 11))),
    ("resize_bilinear_down", lambda o: o.image.resize(IMAGES, (3, 4))),
    ("resize_nearest_up", lambda o: o.image.resize(IMAGES, (8, 10), interpolation="nearest")),
    ("resize_nearest_down", lambda o: o.image.resize(IMAGES, (2, 3), interpolation="nearest")),
    ("resize_crop", lambda o: o.image.resize(IMAGES, (4, 4), crop_to_aspect_ratio=True)),
    ("resize_pad", lambda o: o.image.resize(IMAGES, (4, 4), pad_to_aspect_ratio=True, fill_value=0.5)),
    ("resize_unbatched", lambda o: o.image.resize(IMAGES[0], (6, 6))),
    ("resize_channels_first", lambda o: o.image.resize(IMAGES.transpose(0, 3, 1, 2), (6, 4),
                                                       data_format="channels_first")),
    ("extract_patches", lambda o: o.image.extract_patches(IMAGES, 2)),
    ("extract_patches_strided_same", lambda o: o.image.extract_patches(IMAGES, (3, 2), strides=(2, 1),
                                                                       padding="same")),
    ("binary_crossentropy", lambda o: o.binary_crossentropy(ONE_HOT, PROBS)),
    ("binary_crossentropy_logits", lambda o: o.nn.binary_crossentropy(ONE_HOT, PROBS - 0.5,
                                                                       from_logits=True)),
    ("categorical_crossentropy", lambda o: o.categorical_crossentropy(ONE_HOT, PROBS)),
    ("categorical_crossentropy_logits", lambda o: o.nn.categorical_crossentropy(ONE_HOT, PROBS * 3,
                                                                                from_logits=True)),
    ("sparse_categorical_crossentropy", lambda o: o.sparse_categorical_crossentropy(LABELS, PROBS)),
    ("sparse_categorical_crossentropy_logits", lambda o: o.nn.sparse_categorical_crossentropy(
        LABELS, PROBS * 3, from_logits=True)),
    ("one_hot", lambda o: o.one_hot(LABELS, 4)),
    ("nn_one_hot_axis0", lambda o: o.nn.one_hot(LABELS, 3, axis=0)),
    ("top_k_values", lambda o: o.top_k(X, 3)[0]),
    ("top_k_indices", lambda o: o.top_k(X, 3)[1]),
    ("norm", lambda o: o.norm(X, axis=-1)),
    ("linalg_norm", lambda o: o.linalg.norm(X, ord="fro")),
    ("std", lambda o: o.std(X, axis=1)),
    ("cumprod", lambda o: o.cumprod(X, axis=0)),
    ("argmax_default_axis", lambda o: o.argmax(X)),
    ("argsort", lambda o: o.argsort(X, axis=0)),
    ("arange", lambda o: o.arange(2, 9, 3)),
    ("arange_float", lambda o: o.arange(0.5, 3)),
    ("linspace", lambda o: o.linspace(-1, 2, 7)),
    ("ones", lambda o: o.ones((2, 3))),
    ("full_int", lambda o: o.full((2,), 4)),
    ("zeros_like", lambda o: o.zeros_like(X)),
    ("eye", lambda o: o.eye(3, 2)),
    ("tile", lambda o: o.tile(X, (2, 1))),
    ("split", lambda o: o.split(X, 2, axis=1)[0]),
    ("roll", lambda o: o.roll(X, 1, axis=0)),
    ("repeat", lambda o: o.repeat(X, 2, axis=1)),
    ("cast", lambda o: o.cast(X * 3, "int32")),
    ("convert_list", lambda o: o.convert_to_tensor([1.5, 2.0])),
    ("expand_squeeze", lambda o: o.squeeze(o.expand_dims(X, 0), 0)),
    ("where", lambda o: o.where(X > 0, X, 0.0)),
    ("clip", lambda o: o.clip(X, -0.3, 0.3)),
    ("softmax", lambda o: o.nn.softmax(X, axis=0)),
    ("log_sigmoid", lambda o: o.nn.log_sigmoid(X)),
    ("relu6", lambda o: o.nn.relu6(X * 8)),
    ("tensordot", lambda o: o.tensordot(X, X, axes=([0], [0]))),
    ("dot", lambda o: o.dot(X, X.T)),
    ("meshgrid_ij", lambda o: o.meshgrid(np.arange(3), np.arange(2), indexing="ij")[0]),
    ("diag", lambda o: o.diag(np.arange(3.0, dtype="float32"), 1)),
    ("triu", lambda o: o.triu(X, -1)),
    ("nn_conv_1d", lambda o: o.nn.conv(X[None, :, :], np.ones((2, 4, 5), "float32"), padding="same")),
    ("nn_max_pool_2d", lambda o: o.nn.max_pool(IMAGES, 2)),
    ("nn_average_pool_1d", lambda o: o.nn.average_pool(X[None], 2, strides=1)),
    ("nn_normalize", lambda o: o.nn.normalize(X)),
    ("normalize_top_level", lambda o: o.normalize(X, axis=0, order=1)),
    ("mean_keepdims", lambda o: o.mean(X, axis=0, keepdims=True)),
]


@pytest.mark.parametrize("name, call", PARITY, ids=[p[0] for p in PARITY])
def test_matches_keras(name, call):
    keras = pytest.importorskip("keras")
    theirs = keras.ops.convert_to_numpy(call(keras.ops))
    ours = ops.convert_to_numpy(call(ops))
    assert ours.shape == theirs.shape
    if name == "top_k_indices":  # int64 on Keras' torch backend, int32 on JAX and TensorFlow (and here)
        assert ours.dtype == np.int32
    else:
        assert ours.dtype == theirs.dtype, f"{name}: {ours.dtype} vs Keras {theirs.dtype}"
    np.testing.assert_allclose(ours.astype("float64"), theirs.astype("float64"), rtol=1e-5, atol=1e-5)


def test_shape_is_a_function_returning_a_tuple():
    assert callable(ops.shape) and not isinstance(ops.shape, types.ModuleType)
    assert ops.shape(np.zeros((2, 3))) == (2, 3)
    assert isinstance(ops.shape(ops.ones((4,))), tuple)


def test_no_module_hides_a_public_name():
    for name in dir(ops):
        value = getattr(ops, name)
        if name.startswith("_") or not isinstance(value, types.ModuleType):
            continue
        assert name in KERAS_NAMESPACES | IMPLEMENTATION_MODULES, (
            f"glassnet.ops.{name} is a module that is not a Keras namespace; name it so it cannot hide an op")


def test_keras_namespaces_are_modules_holding_keras_functions():
    for namespace in KERAS_NAMESPACES:
        assert isinstance(getattr(ops, namespace), types.ModuleType)
    assert ops.image.resize and ops.image.extract_patches and ops.linalg.norm
    assert ops.nn.relu is ops.relu and ops.nn.one_hot is ops.one_hot and ops.numpy.reshape is ops.reshape


def test_no_keras_op_name_is_a_module():
    keras = pytest.importorskip("keras")
    for module in (keras.ops, keras.ops.nn, keras.ops.image, keras.ops.linalg, keras.ops.numpy):
        ours = ops if module is keras.ops else getattr(ops, module.__name__.rsplit(".", 1)[-1])
        for name in dir(module):
            if name.startswith("_") or isinstance(getattr(module, name), types.ModuleType):
                continue
            if hasattr(ours, name):
                assert callable(getattr(ours, name)) and not isinstance(getattr(ours, name), types.ModuleType), name


GUIDE_NAMES = """ones zeros full ones_like zeros_like full_like cast split arange linspace one_hot tile eye identity
expand_dims squeeze reshape transpose concatenate stack where clip abs sign floor ceil round exp log log1p sqrt
square power sin cos tanh erf minimum maximum argmax argmin argsort sort top_k cumsum cumprod any all equal not_equal
greater greater_equal less less_equal logical_and logical_or logical_not isnan isfinite mean sum max min prod std var
matmul dot tensordot norm softmax log_softmax sigmoid relu gelu silu take take_along_axis slice slice_update scatter
scatter_update pad flip roll repeat meshgrid triu tril diag convert_to_tensor convert_to_numpy stop_gradient cond
fori_loop scan while_loop custom_gradient shape size ndim is_tensor vectorized_map sparse_categorical_crossentropy
binary_crossentropy categorical_crossentropy einsum""".split()  # noqa: SIM905


@pytest.mark.parametrize("name", GUIDE_NAMES)
def test_every_function_the_guides_use_exists(name):
    assert callable(getattr(ops, name)) and not isinstance(getattr(ops, name), types.ModuleType)
