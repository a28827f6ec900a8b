"""The 3-D convolution and pooling ops (ops/convolution3d.py, ops/pooling3d.py): float64 finite-difference
gradient checks, and forward values and gradients (inputs and kernels) against PyTorch's conv3d,
conv_transpose3d, max_pool3d and avg_pool3d, and the adaptive poolings against torch's adaptive pools.
"""

import numpy as np
import pytest

from glassnet import ops
from glassnet.autodiff import gradcheck
from glassnet.autodiff.tensor import Tensor
from glassnet.ops.convolution3d import conv3d, conv3d_transpose
from glassnet.ops.pooling3d import average_pool3d, max_pool3d

torch = pytest.importorskip("torch")
F = torch.nn.functional
RNG = np.random.default_rng(2024)


def normal(*shape):
    return RNG.standard_normal(shape)


def distinct(*shape):
    size = int(np.prod(shape))
    return RNG.permutation(np.linspace(-2.0, 2.0, size)).reshape(shape)


def to_torch(x):  # NDHWC -> NCDHW
    return torch.tensor(np.ascontiguousarray(np.moveaxis(x, -1, 1)), requires_grad=True)


def from_torch(t):
    return np.moveaxis(t.detach().numpy(), 1, -1)


CONV_CASES = [
    ("valid", (2, 4, 5, 4, 2), (2, 3, 2, 2, 3), {}),
    ("same_strides", (1, 5, 4, 5, 2), (3, 2, 3, 2, 2), {"strides": (2, 1, 2), "padding": "same"}),
    ("dilated", (1, 5, 5, 4, 1), (2, 2, 2, 1, 2), {"dilation_rate": (2, 1, 2)}),
]


@pytest.mark.parametrize("x_shape,k_shape,kwargs", [c[1:] for c in CONV_CASES], ids=[c[0] for c in CONV_CASES])
def test_conv3d_gradcheck(x_shape, k_shape, kwargs):
    inputs = [normal(*x_shape), normal(*k_shape) * 0.5, normal(k_shape[-1]) * 0.3]
    assert gradcheck(lambda x, k, b: conv3d(x, k, b, **kwargs), inputs)


TRANSPOSE_CASES = [
    ("valid", (1, 3, 2, 3, 2), (2, 3, 2, 2, 2), {}),
    ("same_stride2", (1, 2, 3, 2, 2), (3, 3, 2, 2, 2), {"strides": 2, "padding": "same"}),
    ("output_padding", (1, 2, 2, 3, 1), (3, 2, 3, 2, 1), {"strides": (2, 3, 2), "output_padding": (1, 2, 0)}),
    ("dilated", (1, 3, 2, 2, 2), (2, 2, 2, 1, 2), {"dilation_rate": (2, 1, 2)}),
]


@pytest.mark.parametrize("x_shape,k_shape,kwargs", [c[1:] for c in TRANSPOSE_CASES],
                         ids=[c[0] for c in TRANSPOSE_CASES])
def test_conv3d_transpose_gradcheck(x_shape, k_shape, kwargs):
    inputs = [normal(*x_shape), normal(*k_shape) * 0.5, normal(k_shape[-2]) * 0.3]
    assert gradcheck(lambda x, k, b: conv3d_transpose(x, k, b, **kwargs), inputs)


POOL_CASES = [
    ("valid", (2, 4, 4, 4, 2), {"pool_size": 2}),
    ("strided", (1, 5, 4, 5, 2), {"pool_size": (2, 3, 2), "strides": (1, 1, 2)}),
    ("same", (1, 5, 3, 4, 1), {"pool_size": (2, 2, 3), "strides": 2, "padding": "same"}),
]


@pytest.mark.parametrize("pool", [max_pool3d, average_pool3d], ids=["max", "average"])
@pytest.mark.parametrize("shape,kwargs", [c[1:] for c in POOL_CASES], ids=[c[0] for c in POOL_CASES])
def test_pool3d_gradcheck(pool, shape, kwargs):
    assert gradcheck(lambda x: pool(x, **kwargs), [distinct(*shape)])


def _glassnet_grads(fn, arrays, weights):
    tensors = [Tensor(a.astype("float32"), requires_grad=True) for a in arrays]
    y = fn(*tensors)
    (y * Tensor(weights.astype("float32"))).sum().backward()
    return y.numpy(), [t.grad for t in tensors]


def assert_close(got, want):
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * max(1.0, float(np.abs(want).max())))


def _torch_kwargs(kwargs):
    keys = {"strides": "stride", "dilation_rate": "dilation"}
    return {keys[k]: v for k, v in kwargs.items() if k in keys}


@pytest.mark.parametrize("x_shape,k_shape,kwargs", [c[1:] for c in CONV_CASES if "padding" not in c[3]],
                         ids=[c[0] for c in CONV_CASES if "padding" not in c[3]])
def test_conv3d_matches_torch(x_shape, k_shape, kwargs):
    x, k, b = normal(*x_shape), normal(*k_shape), normal(k_shape[-1])
    y_shape = conv3d(x.astype("float32"), k.astype("float32"), None, **kwargs).shape
    w = normal(*y_shape)
    y, (gx, gk, gb) = _glassnet_grads(lambda x, k, b: conv3d(x, k, b, **kwargs), [x, k, b], w)
    tx = to_torch(x.astype("float32"))
    tk = torch.tensor(np.ascontiguousarray(k.astype("float32").transpose(4, 3, 0, 1, 2)), requires_grad=True)
    tb = torch.tensor(b.astype("float32"), requires_grad=True)
    ty = F.conv3d(tx, tk, tb, **_torch_kwargs(kwargs))
    (ty * to_torch(w.astype("float32")).detach()).sum().backward()
    assert_close(y, from_torch(ty))
    assert_close(gx, from_torch(tx.grad))
    assert_close(gk, tk.grad.numpy().transpose(2, 3, 4, 1, 0))
    assert_close(gb, tb.grad.numpy())


@pytest.mark.parametrize("x_shape,k_shape,kwargs", [c[1:] for c in TRANSPOSE_CASES if "padding" not in c[3]],
                         ids=[c[0] for c in TRANSPOSE_CASES if "padding" not in c[3]])
def test_conv3d_transpose_matches_torch(x_shape, k_shape, kwargs):
    x, k, b = normal(*x_shape), normal(*k_shape), normal(k_shape[-2])
    y_shape = conv3d_transpose(x.astype("float32"), k.astype("float32"), None, **kwargs).shape
    w = normal(*y_shape)
    y, (gx, gk, gb) = _glassnet_grads(lambda x, k, b: conv3d_transpose(x, k, b, **kwargs), [x, k, b], w)
    tx = to_torch(x.astype("float32"))
    tk = torch.tensor(np.ascontiguousarray(k.astype("float32").transpose(4, 3, 0, 1, 2)), requires_grad=True)
    tb = torch.tensor(b.astype("float32"), requires_grad=True)
    ty = F.conv_transpose3d(tx, tk, tb, output_padding=kwargs.get("output_padding", 0), **_torch_kwargs(kwargs))
    (ty * to_torch(w.astype("float32")).detach()).sum().backward()
    assert_close(y, from_torch(ty))
    assert_close(gx, from_torch(tx.grad))
    assert_close(gk, tk.grad.numpy().transpose(2, 3, 4, 1, 0))
    assert_close(gb, tb.grad.numpy())


@pytest.mark.parametrize("ours,theirs", [(max_pool3d, F.max_pool3d), (average_pool3d, F.avg_pool3d)],
                         ids=["max", "average"])
@pytest.mark.parametrize("shape,kwargs", [c[1:] for c in POOL_CASES if "padding" not in c[2]],
                         ids=[c[0] for c in POOL_CASES if "padding" not in c[2]])
def test_pool3d_matches_torch(ours, theirs, shape, kwargs):
    x = distinct(*shape)
    y_shape = ours(x.astype("float32"), **kwargs).shape
    w = normal(*y_shape)
    y, (gx,) = _glassnet_grads(lambda x: ours(x, **kwargs), [x], w)
    tx = to_torch(x.astype("float32"))
    ty = theirs(tx, kwargs["pool_size"], kwargs.get("strides"))
    (ty * to_torch(w.astype("float32")).detach()).sum().backward()
    assert_close(y, from_torch(ty))
    assert_close(gx, from_torch(tx.grad))


@pytest.mark.parametrize("kind", ["average", "max"])
@pytest.mark.parametrize("shape,size", [((2, 7, 3), (3,)), ((1, 5, 7, 2), (2, 3)), ((1, 5, 4, 6, 2), (2, 3, 4))])
def test_adaptive_pools_match_torch(kind, shape, size):
    rank = len(size)
    ours = ops.adaptive_average_pool if kind == "average" else ops.adaptive_max_pool
    theirs = getattr(F, f"adaptive_{'avg' if kind == 'average' else 'max'}_pool{rank}d")
    x = distinct(*shape)
    w = normal(shape[0], *size, shape[-1])
    y, (gx,) = _glassnet_grads(lambda x: ours(x, size), [x], w)
    tx = torch.tensor(np.ascontiguousarray(np.moveaxis(x.astype("float32"), -1, 1)), requires_grad=True)
    ty = theirs(tx, size)
    (ty * torch.tensor(np.ascontiguousarray(np.moveaxis(w.astype("float32"), -1, 1)))).sum().backward()
    assert_close(y, np.moveaxis(ty.detach().numpy(), 1, -1))
    assert_close(gx, np.moveaxis(tx.grad.numpy(), 1, -1))
