"""ZeroPadding1D/2D, Cropping1D/2D, UpSampling1D/2D, RepeatVector and Permute: values against NumPy,
Keras 3 and PyTorch, gradients (finite differences and torch), shapes, configs and argument errors."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported

import glassnet  # noqa: E402
from glassnet import layers, ops  # noqa: E402
from glassnet.autodiff import Tensor, gradcheck  # noqa: E402
from glassnet.layers.keras_tensor import KerasTensor  # noqa: E402
from glassnet.testing import run_layer_test  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")


def images(shape=(2, 5, 4, 3), seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def keras_module():
    if os.environ.get("KERAS_BACKEND") != "torch":
        pytest.skip("these comparisons use Keras on its torch backend")
    return pytest.importorskip("keras")


# --- ZeroPadding2D ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("padding,pads", [
    (1, ((1, 1), (1, 1))),
    ((2, 0), ((2, 2), (0, 0))),
    (((1, 2), (3, 0)), ((1, 2), (3, 0))),
    (0, ((0, 0), (0, 0))),
])
def test_zero_padding2d_forms_and_values(padding, pads):
    x = images()
    out = layers.ZeroPadding2D(padding)(x).numpy()
    np.testing.assert_array_equal(out, np.pad(x, ((0, 0), *pads, (0, 0))))
    assert out.dtype == np.float32


def test_zero_padding2d_default_is_one_pixel_on_every_side():
    x = np.arange(4, dtype="float32").reshape(1, 2, 2, 1)
    out = layers.ZeroPadding2D()(x).numpy()[0, :, :, 0]
    np.testing.assert_array_equal(out, [[0, 0, 0, 0], [0, 0, 1, 0], [0, 2, 3, 0], [0, 0, 0, 0]])


def test_zero_padding2d_gradient_is_the_centre():
    x = Tensor(images(), requires_grad=True)
    out = layers.ZeroPadding2D(((1, 2), (0, 3)))(x)
    upstream = images(out.shape, seed=1)
    out.backward(grad=upstream)
    np.testing.assert_array_equal(x.grad, upstream[:, 1:-2, 0:-3, :])


def test_zero_padding1d():
    x = images((2, 3, 4))
    np.testing.assert_array_equal(layers.ZeroPadding1D()(x).numpy(), np.pad(x, ((0, 0), (1, 1), (0, 0))))
    np.testing.assert_array_equal(layers.ZeroPadding1D((0, 2))(x).numpy(), np.pad(x, ((0, 0), (0, 2), (0, 0))))


# --- Cropping2D ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cropping,index", [
    (1, np.s_[:, 1:-1, 1:-1]),
    ((1, 0), np.s_[:, 1:-1, :]),
    (((0, 2), (1, 0)), np.s_[:, 0:-2, 1:]),
    (((1, 1), (0, 2)), np.s_[:, 1:-1, 0:-2]),
    (((0, 0), (0, 0)), np.s_[:, :, :]),
])
def test_cropping2d_forms_and_values(cropping, index):
    x = images((2, 6, 5, 3))
    np.testing.assert_array_equal(layers.Cropping2D(cropping)(x).numpy(), x[index])


def test_cropping2d_default_crops_nothing():
    x = images()
    np.testing.assert_array_equal(layers.Cropping2D()(x).numpy(), x)


def test_cropping2d_gradient_scatters_into_zeros():
    x = Tensor(images((1, 5, 5, 2)), requires_grad=True)
    out = layers.Cropping2D(((1, 2), (2, 1)))(x)
    ops.sum(out).backward()
    expected = np.zeros((1, 5, 5, 2), "float32")
    expected[:, 1:3, 2:4, :] = 1
    np.testing.assert_array_equal(x.grad, expected)


def test_cropping_everything_is_an_error_naming_the_layer():
    with pytest.raises(ValueError, match=r"Cropping2D 'crop'.*cropping"):
        layers.Cropping2D(((2, 3), (0, 0)), name="crop")(images((1, 5, 5, 1)))
    with pytest.raises(ValueError, match=r"Cropping1D 'crop1'.*cropping"):
        layers.Cropping1D((2, 2), name="crop1")(images((1, 4, 2)))
    with pytest.raises(ValueError, match="Cropping2D"):
        layers.Cropping2D(3)(KerasTensor((None, 6, 8, 1)))


def test_cropping1d():
    x = images((2, 6, 3))
    np.testing.assert_array_equal(layers.Cropping1D()(x).numpy(), x[:, 1:-1])
    np.testing.assert_array_equal(layers.Cropping1D((2, 0))(x).numpy(), x[:, 2:])


# --- UpSampling -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, (2, 3), (1, 1), (3, 1)])
def test_upsampling2d_nearest_repeats_rows_and_columns(size):
    x = images()
    rows, cols = (size, size) if isinstance(size, int) else size
    out = layers.UpSampling2D(size)(x).numpy()
    np.testing.assert_array_equal(out, x.repeat(rows, axis=1).repeat(cols, axis=2))


def test_upsampling2d_nearest_gradient_sums_each_block():
    x = Tensor(images((1, 2, 3, 1)), requires_grad=True)
    out = layers.UpSampling2D((2, 3))(x)
    upstream = images(out.shape, seed=3)
    out.backward(grad=upstream)
    expected = upstream.reshape(1, 2, 2, 3, 3, 1).sum(axis=(2, 4))
    np.testing.assert_allclose(x.grad, expected, rtol=1e-6)


def test_upsampling2d_bilinear_keeps_constants_and_interpolates_between_centres():
    np.testing.assert_allclose(
        layers.UpSampling2D(interpolation="bilinear")(np.full((1, 3, 3, 2), 7.0, "float32")).numpy(), 7.0)
    row = np.array([0.0, 4.0], "float32").reshape(1, 1, 2, 1)
    out = layers.UpSampling2D((1, 2), interpolation="bilinear")(row).numpy().ravel()
    # half-pixel centres: output columns sample the input at -0.25 (clamped), 0.25, 0.75, 1.25 (clamped)
    np.testing.assert_allclose(out, [0.0, 1.0, 3.0, 4.0])


def test_upsampling1d_and_repeat_vector():
    x = images((2, 3, 4))
    np.testing.assert_array_equal(layers.UpSampling1D()(x).numpy(), x.repeat(2, axis=1))
    np.testing.assert_array_equal(layers.UpSampling1D(3)(x).numpy(), x.repeat(3, axis=1))
    v = images((2, 5))
    out = layers.RepeatVector(3)(v).numpy()
    assert out.shape == (2, 3, 5) and out.flags.writeable
    np.testing.assert_array_equal(out, np.stack([v] * 3, axis=1))


def test_permute():
    x = images((2, 3, 4, 5))
    np.testing.assert_array_equal(layers.Permute((3, 1, 2))(x).numpy(), x.transpose(0, 3, 1, 2))
    np.testing.assert_array_equal(layers.Permute((2, 1))(x[..., 0]).numpy(), x[..., 0].transpose(0, 2, 1))


# --- gradients against finite differences ------------------------------------------------------------------------


@pytest.mark.parametrize("make,shape", [
    (lambda: layers.ZeroPadding2D(((1, 0), (2, 1))), (2, 3, 2, 2)),
    (lambda: layers.Cropping2D(((1, 0), (0, 1))), (2, 3, 3, 2)),
    (lambda: layers.UpSampling2D((2, 3)), (2, 2, 3, 2)),
    (lambda: layers.UpSampling2D((3, 2), interpolation="bilinear"), (2, 3, 2, 2)),
    (lambda: layers.ZeroPadding1D((2, 1)), (2, 3, 2)),
    (lambda: layers.Cropping1D((1, 1)), (2, 4, 2)),
    (lambda: layers.UpSampling1D(3), (2, 3, 2)),
    (lambda: layers.RepeatVector(4), (3, 2)),
    (lambda: layers.Permute((2, 3, 1)), (2, 3, 2, 4)),
])
def test_layer_gradients_match_finite_differences(make, shape):
    layer = make()
    layer.dtype = "float64"
    gradcheck(lambda x: layer(x), [np.random.default_rng(1).standard_normal(shape)])


def test_outputs_and_gradients_stay_float32():
    x = Tensor(images(), requires_grad=True)
    for layer in (layers.ZeroPadding2D(), layers.Cropping2D(1), layers.UpSampling2D(),
                  layers.UpSampling2D(interpolation="bilinear")):
        x.grad = None
        out = layer(x)
        assert out.dtype == np.float32
        ops.sum(out).backward()
        assert x.grad.dtype == np.float32


# --- parity with Keras 3 and PyTorch -----------------------------------------------------------------------------


@pytest.mark.parametrize("name,kwargs", [
    ("ZeroPadding2D", {}),
    ("ZeroPadding2D", {"padding": 2}),
    ("ZeroPadding2D", {"padding": (1, 3)}),
    ("ZeroPadding2D", {"padding": ((0, 2), (3, 1))}),
    ("Cropping2D", {}),
    ("Cropping2D", {"cropping": 1}),
    ("Cropping2D", {"cropping": (2, 1)}),
    ("Cropping2D", {"cropping": ((0, 2), (1, 0))}),
    ("UpSampling2D", {}),
    ("UpSampling2D", {"size": (3, 2)}),
    ("UpSampling2D", {"size": (2, 3), "interpolation": "bilinear"}),
    ("UpSampling2D", {"size": 4, "interpolation": "bilinear"}),
])
def test_2d_layers_match_keras(name, kwargs):
    k = keras_module()
    x = images((2, 6, 5, 3))
    ours = getattr(layers, name)(**kwargs)(x).numpy()
    theirs = k.ops.convert_to_numpy(getattr(k.layers, name)(**kwargs)(x))
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name,kwargs,shape", [
    ("ZeroPadding1D", {"padding": (1, 2)}, (2, 4, 3)),
    ("Cropping1D", {"cropping": (1, 2)}, (2, 5, 3)),
    ("UpSampling1D", {"size": 3}, (2, 4, 3)),
    ("RepeatVector", {"n": 3}, (2, 4)),
    ("Permute", {"dims": (2, 1)}, (2, 4, 3)),
])
def test_1d_layers_match_keras(name, kwargs, shape):
    k = keras_module()
    x = images(shape)
    ours = getattr(layers, name)(**kwargs)(x).numpy()
    np.testing.assert_allclose(ours, k.ops.convert_to_numpy(getattr(k.layers, name)(**kwargs)(x)), rtol=1e-6)


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_upsampling2d_forward_and_backward_match_torch(mode):
    torch = pytest.importorskip("torch")
    x = images((2, 5, 4, 3))
    gx = Tensor(x.copy(), requires_grad=True)
    out = layers.UpSampling2D((2, 3), interpolation=mode)(gx)
    tx = torch.tensor(x.transpose(0, 3, 1, 2).copy(), requires_grad=True)
    extra = {"align_corners": False} if mode == "bilinear" else {}
    tout = torch.nn.functional.interpolate(tx, scale_factor=(2, 3), mode=mode, **extra)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy().transpose(0, 2, 3, 1), rtol=1e-5, atol=1e-6)
    upstream = images(out.shape, seed=5)
    out.backward(grad=upstream)
    tout.backward(torch.from_numpy(upstream.transpose(0, 3, 1, 2).copy()))
    np.testing.assert_allclose(gx.grad, tx.grad.numpy().transpose(0, 2, 3, 1), rtol=1e-5, atol=1e-5)


def test_zero_padding2d_matches_torch_pad_with_gradient():
    torch = pytest.importorskip("torch")
    x = images((2, 3, 4, 2))
    gx = Tensor(x.copy(), requires_grad=True)
    out = layers.ZeroPadding2D(((1, 2), (3, 0)))(gx)
    tx = torch.tensor(x.copy(), requires_grad=True)
    tout = torch.nn.functional.pad(tx, (0, 0, 3, 0, 1, 2))  # last axis first: channels, width, height
    np.testing.assert_array_equal(out.numpy(), tout.detach().numpy())
    upstream = images(out.shape, seed=6)
    out.backward(grad=upstream)
    tout.backward(torch.from_numpy(upstream.copy()))
    np.testing.assert_array_equal(gx.grad, tx.grad.numpy())


# --- shapes, configs, run_layer_test ------------------------------------------------------------------------------


@pytest.mark.parametrize("cls,kwargs,input_shape,expected", [
    (layers.ZeroPadding2D, {"padding": ((1, 2), (3, 4))}, (2, 5, 4, 3), (2, 8, 11, 3)),
    (layers.Cropping2D, {"cropping": ((1, 2), (0, 1))}, (2, 5, 4, 3), (2, 2, 3, 3)),
    (layers.UpSampling2D, {"size": (2, 3)}, (2, 5, 4, 3), (2, 10, 12, 3)),
    (layers.UpSampling2D, {"interpolation": "bilinear"}, (2, 5, 4, 3), (2, 10, 8, 3)),
    (layers.ZeroPadding1D, {"padding": 2}, (2, 5, 3), (2, 9, 3)),
    (layers.Cropping1D, {"cropping": (1, 0)}, (2, 5, 3), (2, 4, 3)),
    (layers.UpSampling1D, {"size": 2}, (2, 5, 3), (2, 10, 3)),
    (layers.RepeatVector, {"n": 4}, (2, 3), (2, 4, 3)),
    (layers.Permute, {"dims": (2, 1)}, (2, 5, 3), (2, 3, 5)),
])
def test_run_layer_test(cls, kwargs, input_shape, expected):
    layer = run_layer_test(cls, kwargs, input_shape=input_shape, expected_output_shape=expected,
                           expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)
    clone = cls.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()


def test_symbolic_shapes_with_unknown_sizes():
    assert layers.ZeroPadding2D(1)(KerasTensor((None, None, 4, 3))).shape == (None, None, 6, 3)
    assert layers.Cropping2D(1)(KerasTensor((None, 6, None, 3))).shape == (None, 4, None, 3)
    assert layers.UpSampling2D(2)(KerasTensor((None, None, 4, 3))).shape == (None, None, 8, 3)
    assert layers.UpSampling1D(2)(KerasTensor((None, None, 3))).shape == (None, None, 3)


def test_layers_in_a_sequential_model_train():
    model = glassnet.Sequential([
        glassnet.Input(shape=(6, 6, 1)), layers.ZeroPadding2D(1), layers.Cropping2D(((1, 0), (0, 1))),
        layers.UpSampling2D(interpolation="bilinear"), layers.Flatten(), layers.RepeatVector(2),
        layers.Permute((2, 1)), layers.Flatten(), layers.Dense(1),
    ])
    model.compile(optimizer="sgd", loss="mse")
    x = images((8, 6, 6, 1))
    history = model.fit(x, x.reshape(8, -1).mean(axis=1, keepdims=True), epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert model.predict(x, verbose=0).shape == (8, 1)


def test_configs_match_keras_keys():
    k = keras_module()
    for name, kwargs in [("ZeroPadding2D", {}), ("Cropping2D", {}), ("UpSampling2D", {}), ("ZeroPadding1D", {}),
                         ("Cropping1D", {}), ("UpSampling1D", {}), ("RepeatVector", {"n": 2}),
                         ("Permute", {"dims": (1,)})]:
        ours = set(getattr(layers, name)(**kwargs).get_config())
        theirs = set(getattr(k.layers, name)(**kwargs).get_config())
        assert theirs <= ours, (name, theirs - ours)


# --- argument errors ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make,match", [
    (lambda: layers.ZeroPadding2D(-1, name="pad"), r"ZeroPadding2D 'pad'.*padding"),
    (lambda: layers.ZeroPadding2D((1, 2, 3), name="pad"), r"ZeroPadding2D 'pad'.*padding"),
    (lambda: layers.ZeroPadding2D(((1, -2), (0, 0)), name="pad"), r"ZeroPadding2D 'pad'.*padding\[0\]"),
    (lambda: layers.ZeroPadding2D("same", name="pad"), r"ZeroPadding2D 'pad'.*padding"),
    (lambda: layers.ZeroPadding2D(data_format="channels_first", name="pad"), r"ZeroPadding2D 'pad'.*data_format"),
    (lambda: layers.Cropping2D(-2, name="crop"), r"Cropping2D 'crop'.*cropping"),
    (lambda: layers.Cropping2D(((1, 1), (1.5, 0)), name="crop"), r"Cropping2D 'crop'.*cropping\[1\]"),
    (lambda: layers.UpSampling2D(0, name="up"), r"UpSampling2D 'up'.*size"),
    (lambda: layers.UpSampling2D((2, 2.5), name="up"), r"UpSampling2D 'up'.*size"),
    (lambda: layers.UpSampling2D(interpolation="bicubic", name="up"), r"UpSampling2D 'up'.*interpolation"),
    (lambda: layers.UpSampling1D(0, name="up1"), r"UpSampling1D 'up1'.*size"),
    (lambda: layers.ZeroPadding1D((1, 2, 3), name="pad1"), r"ZeroPadding1D 'pad1'.*padding"),
    (lambda: layers.Cropping1D(-1, name="crop1"), r"Cropping1D 'crop1'.*cropping"),
    (lambda: layers.RepeatVector(0, name="rep"), r"RepeatVector 'rep'.*`n`"),
    (lambda: layers.RepeatVector(2.0, name="rep"), r"RepeatVector 'rep'.*`n`"),
    (lambda: layers.Permute((0, 1), name="perm"), r"Permute 'perm'.*dims"),
    (lambda: layers.Permute((1, 3), name="perm"), r"Permute 'perm'.*dims"),
])
def test_bad_arguments_name_the_layer_and_the_argument(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_wrong_input_rank_names_the_layer():
    with pytest.raises(ValueError, match=r"ZeroPadding2D 'zp'.*4 dimensions"):
        layers.ZeroPadding2D(name="zp")(images((2, 5, 4)))
    with pytest.raises(ValueError, match=r"RepeatVector 'rv'.*2 dimensions"):
        layers.RepeatVector(2, name="rv")(images((2, 5, 4)))
