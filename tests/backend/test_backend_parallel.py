"""Ops that split the batch over threads (backend/parallel.py) give the results of one part.

Each convolution and max-pooling case runs once with one worker and once with
three (the batch of 5 splits unevenly, 1 + 2 + 2), and the outputs and every
gradient must agree to float32 rounding.
"""

import threading

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers, ops
from glassnet.autodiff import Variable
from glassnet.backend import parallel
from glassnet.trainers import threads


@pytest.fixture
def tiny_parts(monkeypatch):
    """Split even the tiny test batches."""
    monkeypatch.setattr(parallel, "MIN_WORK_PER_PART", 1)


def test_one_worker_gives_the_whole_batch():
    assert parallel.get_workers() == 1
    assert parallel.batch_parts(128, 10**9) == [slice(0, 128)]


def test_parts_cover_the_batch_in_order(tiny_parts):
    with parallel.use_workers(3):
        assert parallel.batch_parts(5, 1) == [slice(0, 1), slice(1, 3), slice(3, 5)]
        assert parallel.batch_parts(2, 1) == [slice(0, 1), slice(1, 2)]  # never more parts than images
    assert parallel.get_workers() == 1  # restored


def test_little_work_stays_in_one_part():
    with parallel.use_workers(2):
        assert parallel.batch_parts(4, parallel.MIN_WORK_PER_PART // 4) == [slice(0, 4)]
        assert len(parallel.batch_parts(4, parallel.MIN_WORK_PER_PART)) == 2


def test_arrays_of_another_module_are_not_split(tiny_parts):
    other_module = object()
    with parallel.use_workers(2):
        assert parallel.batch_parts(8, 1, other_module) == [slice(0, 8)]


def test_use_workers_rejects_bad_counts():
    for bad in (0, -2, 1.5, "2", None):
        with pytest.raises(ValueError, match="positive integer"):
            with parallel.use_workers(bad):
                pass


def test_run_parts_returns_results_in_part_order_and_uses_another_thread(tiny_parts):
    names = []

    def task(part):
        names.append(threading.current_thread().name)
        return part.start

    with parallel.use_workers(2):
        assert parallel.run_parts(task, parallel.batch_parts(10, 1)) == [0, 5]
    assert any(name.startswith("glassnet-part") for name in names)


def test_a_part_inside_a_part_is_not_split_again(tiny_parts):
    with parallel.use_workers(2):
        inner = parallel.run_parts(lambda part: parallel.batch_parts(10, 1), parallel.batch_parts(10, 1))
    assert inner == [[slice(0, 10)], [slice(0, 10)]]


@pytest.mark.parametrize("failing", [0, 1])
def test_an_error_in_any_part_is_raised_after_all_parts_end(tiny_parts, failing):
    finished = []

    def task(index):
        if index == failing:
            raise ArithmeticError(f"part {index} failed")
        threading.Event().wait(0.05)
        finished.append(index)

    with parallel.use_workers(2), pytest.raises(ArithmeticError, match=f"part {failing} failed"):
        parallel.run_parts(task, [0, 1])
    assert finished == [1 - failing]  # the other part was waited for, not abandoned


def _forward_and_grads(op, arrays, workers):
    """op's output and the gradients of sum(output * weights) for each input, with ``workers`` threads."""
    variables = [Variable(a) for a in arrays]
    with parallel.use_workers(workers):
        out = op(*variables)
        weights = np.random.default_rng(7).standard_normal(out.shape).astype(np.float32)
        (out * weights).sum().backward()
    return out.numpy(), [v.grad for v in variables]


def _assert_same(op, arrays):
    one_out, one_grads = _forward_and_grads(op, arrays, 1)
    split_out, split_grads = _forward_and_grads(op, arrays, 3)
    np.testing.assert_allclose(split_out, one_out, rtol=1e-5, atol=1e-5)
    for split, one in zip(split_grads, one_grads):
        np.testing.assert_allclose(split, one, rtol=1e-4, atol=1e-4)


RNG = np.random.default_rng(5)
CONV_CASES = [
    ("valid_relu", (3, 3, 2, 4), {"activation": "relu"}),
    ("same", (3, 3, 2, 4), {"padding": "same"}),
    ("stride2_same_tanh", (3, 3, 2, 3), {"strides": 2, "padding": "same", "activation": "tanh"}),
    ("dilation2", (2, 2, 2, 3), {"dilation_rate": 2, "activation": "sigmoid"}),
    ("nonsquare_stride_pair", (1, 3, 2, 2), {"strides": (2, 1), "padding": "same"}),
    ("stride2_valid_last_row_unread", (3, 3, 2, 3), {"strides": 2}),  # 8 rows: row 7 is in no window
    ("dilation2_same", (3, 3, 2, 2), {"dilation_rate": 2, "padding": "same"}),
]


@pytest.mark.parametrize("kernel_shape,kwargs", [c[1:] for c in CONV_CASES], ids=[c[0] for c in CONV_CASES])
def test_conv_split_over_threads_matches_one_part(tiny_parts, kernel_shape, kwargs):
    x = RNG.standard_normal((5, 8, 6, kernel_shape[2])).astype(np.float32)
    kernel = RNG.standard_normal(kernel_shape).astype(np.float32)
    bias = RNG.standard_normal(kernel_shape[-1]).astype(np.float32)
    _assert_same(lambda x, k, b: ops.conv(x, k, b, **kwargs), [x, kernel, bias])


def test_conv_without_bias_or_input_gradient_splits_too(tiny_parts):
    x = RNG.standard_normal((5, 6, 6, 2)).astype(np.float32)  # a plain array: no input gradient wanted
    kernel = RNG.standard_normal((3, 3, 2, 3)).astype(np.float32)
    results = []
    for workers in (1, 3):
        k = Variable(kernel)
        with parallel.use_workers(workers):
            out = ops.conv(x, k, None, activation="relu")
            out.sum().backward()
        results.append((out.numpy(), k.grad))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-4, atol=1e-4)


def test_max_pool_with_ties_splits_like_one_part(tiny_parts):
    """Rectified, rounded values: most windows hold equal maxima (zeros), the first one takes the gradient."""
    x = np.maximum(np.round(RNG.standard_normal((5, 8, 7, 3)), 0), 0).astype(np.float32)
    _assert_same(lambda x: ops.max_pool(x, 2), [x])
    _assert_same(lambda x: ops.max_pool(x, 3, strides=2, padding="same"), [x])


@pytest.mark.parametrize("op", [
    lambda x, k, b: ops.conv(x, k, b, strides=2, padding="same", activation="tanh"),
    lambda x, k, b: ops.conv(x, k, b, dilation_rate=2),
], ids=["conv_stride2_same", "conv_dilation2"])
def test_conv_gradcheck_while_split(tiny_parts, op):
    from glassnet.autodiff import gradcheck

    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal((3, 7, 6, 2)), rng.standard_normal((2, 2, 2, 3)), rng.standard_normal(3)]
    with parallel.use_workers(3):
        assert parallel.batch_parts(3, 1) == [slice(0, 1), slice(1, 2), slice(2, 3)]
        assert gradcheck(op, arrays)


def test_max_pool_gradcheck_while_split(tiny_parts):
    from glassnet.autodiff import gradcheck

    x = np.random.default_rng(4).permutation(np.linspace(-2, 2, 3 * 6 * 5 * 2)).reshape(3, 6, 5, 2)
    with parallel.use_workers(3):
        assert gradcheck(lambda x: ops.max_pool(x, 2), [x])
        assert gradcheck(lambda x: ops.max_pool(x, 3, strides=2, padding="same"), [x])


def test_conv1d_and_separable_layers_split_like_one_part(tiny_parts):
    steps = RNG.standard_normal((5, 12, 3)).astype(np.float32)
    images = RNG.standard_normal((5, 9, 9, 3)).astype(np.float32)
    for layer, data in [(layers.Conv1D(4, 3, padding="causal", dilation_rate=2, activation="relu"), steps),
                        (layers.SeparableConv2D(4, 3, strides=2, padding="same"), images)]:
        results = []
        for workers in (1, 3):
            for weight in layer.weights:
                weight.grad = None
            inputs = Variable(data)
            with parallel.use_workers(workers):
                out = layer(inputs)
                (out * np.linspace(-1, 1, out.size).reshape(out.shape).astype(np.float32)).sum().backward()
            results.append([out.numpy(), inputs.grad] + [w.grad for w in layer.weights])
        assert len(results[0]) == 2 + len(layer.weights) and all(r is not None for r in results[0])
        for split, one in zip(results[1], results[0]):
            np.testing.assert_allclose(split, one, rtol=1e-4, atol=1e-4)


POOL_CASES = [
    ("2x2_tiled", (7, 6), {"pool_size": 2}),  # 7 rows: the last row is left out of every window
    ("3x3_stride2", (7, 7), {"pool_size": 3, "strides": 2}),
    ("2x2_same", (5, 7), {"pool_size": 2, "padding": "same"}),
    ("1x1", (4, 4), {"pool_size": 1}),
]


@pytest.mark.parametrize("hw,kwargs", [c[1:] for c in POOL_CASES], ids=[c[0] for c in POOL_CASES])
def test_max_pool_split_over_threads_matches_one_part(tiny_parts, hw, kwargs):
    x = RNG.permutation(np.linspace(-2, 2, 5 * hw[0] * hw[1] * 3)).reshape((5,) + hw + (3,)).astype(np.float32)
    _assert_same(lambda x: ops.max_pool(x, **kwargs), [x])


def test_fit_splits_a_convnet_over_every_core_with_one_blas_thread():
    model = keras.Sequential([keras.Input(shape=(8, 8, 1)), layers.Conv2D(2, 3), layers.MaxPooling2D(),
                              layers.Flatten(), layers.Dense(2)])
    dense_only = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)])
    assert threads.splits_batches(model) and not threads.splits_batches(dense_only)
    assert threads.choose(model, 32) == 1
    assert threads.batch_parts_for(model, 32) == min(threads.usable_cores(), threads.MAX_BATCH_PARTS)
    seen = []

    class Probe(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(parallel.get_workers())

    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.zeros((4, 8, 8, 1)), np.zeros((4, 2)), epochs=1, verbose=0, callbacks=[Probe()])
    assert seen == [threads.batch_parts_for(model, 32)]
    assert parallel.get_workers() == 1  # restored after fit


def test_with_many_cores_a_convnet_still_uses_one_blas_thread(monkeypatch):
    monkeypatch.setattr(threads, "usable_cores", lambda: 16)
    model = keras.Sequential([keras.Input(shape=(64, 64, 3)), layers.Conv2D(64, 3)])
    assert threads.choose(model, 128) == 1
    assert threads.batch_parts_for(model, 128) == threads.MAX_BATCH_PARTS
    big_dense = keras.Sequential([keras.Input(shape=(4096,)), layers.Dense(4096)])
    assert threads.choose(big_dense, 256) is None and threads.batch_parts_for(big_dense, 256) == 1


def test_worker_threads_flush_subnormals_when_the_loop_does(tiny_parts):
    from glassnet.backend import denormals

    subnormal = np.array([1e-39], dtype=np.float32)

    def flushed_here(part):
        return float((subnormal * np.float32(1.0))[0]) == 0.0

    with parallel.use_workers(2):
        assert parallel.run_parts(flushed_here, [0, 1]) == [False, False]
        with denormals.flush_denormals() as active:
            if not active:
                pytest.skip("flush-to-zero is set on x86-64 Linux only")
            assert denormals.is_flushing()
            assert parallel.run_parts(flushed_here, [0, 1]) == [True, True]
        assert not denormals.is_flushing()
        assert parallel.run_parts(flushed_here, [0, 1]) == [False, False]


def test_workers_belong_to_the_thread_that_set_them(tiny_parts):
    seen = []
    with parallel.use_workers(2):
        other = threading.Thread(target=lambda: seen.append(parallel.get_workers()))
        other.start()
        other.join()
        assert parallel.get_workers() == 2
    assert seen == [1]  # an op in another thread (a server, another fit) is not split


def test_parts_given_inside_a_part_run_one_after_another(tiny_parts):
    def inner(part):
        return parallel.run_parts(lambda p: (p, threading.current_thread().name), [0, 1])

    with parallel.use_workers(2):
        results = parallel.run_parts(inner, [0, 1])
    for outer in results:
        assert [p for p, _ in outer] == [0, 1]
        assert outer[0][1] == outer[1][1]  # both inner parts in the same thread: no deadlock on a busy pool


def test_worker_threads_stop_flushing_when_the_loop_stops(tiny_parts):
    from glassnet.backend import denormals

    subnormal = np.array([1e-39], dtype=np.float32)

    def flushed_here(part):
        return float((subnormal * np.float32(1.0))[0]) == 0.0

    parallel._forget_pool()  # the next pool's threads start inside the flushing block
    with parallel.use_workers(2):
        with denormals.flush_denormals() as active:
            if not active:
                pytest.skip("flush-to-zero is set on x86-64 Linux only")
            assert parallel.run_parts(flushed_here, [0, 1]) == [True, True]
        assert parallel.run_parts(flushed_here, [0, 1]) == [False, False]


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_a_forked_child_gets_its_own_pool(tiny_parts):
    import os
    import signal

    with parallel.use_workers(2):
        parallel.run_parts(lambda part: part, [0, 1])  # the parent's pool exists
        pid = os.fork()
        if pid == 0:  # the child: its copy of the pool has no threads
            signal.alarm(10)
            try:
                ok = parallel.run_parts(lambda part: part * 2, [1, 2]) == [2, 4]
            finally:
                os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def test_seeded_fits_with_split_batches_repeat_bit_for_bit():
    def train():
        keras.utils.set_random_seed(11)
        model = keras.Sequential([keras.Input(shape=(12, 12, 1)), layers.Conv2D(8, 3, activation="relu"),
                                  layers.MaxPooling2D(), layers.Flatten(), layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        data = np.random.default_rng(0).random((64, 12, 12, 1)).astype(np.float32)
        labels = np.arange(64) % 3
        model.fit(data, labels, batch_size=32, epochs=2, verbose=0)
        return [w.numpy() for w in model.weights]

    original = parallel.MIN_WORK_PER_PART
    parallel.MIN_WORK_PER_PART = 1
    try:
        first, second = train(), train()
    finally:
        parallel.MIN_WORK_PER_PART = original
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


BATCH_NORM_CASES = [
    ("images", (5, 4, 3, 6), (0, 1, 2), True),
    ("rows", (7, 5), (0,), True),
    ("no_gamma_beta", (5, 3, 4), (0, 1), False),
]


@pytest.mark.parametrize("shape,axes,affine", [c[1:] for c in BATCH_NORM_CASES], ids=[c[0] for c in BATCH_NORM_CASES])
def test_batch_normalization_split_over_threads_matches_one_part(tiny_parts, shape, axes, affine):
    x = (RNG.standard_normal(shape) * 3 + 1).astype(np.float32)
    if affine:
        gamma = RNG.standard_normal(shape[-1]).astype(np.float32)
        beta = RNG.standard_normal(shape[-1]).astype(np.float32)
        _assert_same(lambda x, g, b: ops.normalize_with_moments(x, g, b, axes=axes)[0], [x, gamma, beta])
    else:
        _assert_same(lambda x: ops.normalize_with_moments(x, axes=axes)[0], [x])


def test_batch_normalization_splits_but_layer_normalization_does_not(tiny_parts):
    x = Variable(RNG.standard_normal((6, 4, 3)).astype(np.float32))
    gamma, beta = Variable(np.ones(3, np.float32)), Variable(np.zeros(3, np.float32))
    with parallel.use_workers(3):
        batch_norm = ops.normalize_with_moments(x, gamma, beta, axes=(0, 1))
        layer_norm = ops.normalize_with_moments(x, gamma, beta, axes=(2,))
        mixed_dtype = ops.normalize_with_moments(x, np.ones(3, np.float64), None, axes=(0, 1))
    assert len(batch_norm[0].creator.parts) == 3
    assert len(layer_norm[0].creator.parts) == 1
    assert len(mixed_dtype[0].creator.parts) == 1
    np.testing.assert_allclose(batch_norm[1].numpy().ravel(), x.numpy().mean(axis=(0, 1)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(batch_norm[2].numpy().ravel(), x.numpy().var(axis=(0, 1)), rtol=1e-5, atol=1e-6)


def test_batch_normalization_gradcheck_while_split(tiny_parts):
    from glassnet.autodiff import gradcheck

    rng = np.random.default_rng(6)
    arrays = [rng.standard_normal((3, 4, 2, 3)), rng.standard_normal(3), rng.standard_normal(3)]
    with parallel.use_workers(3):
        assert gradcheck(lambda x, g, b: ops.normalize_with_moments(x, g, b, axes=(0, 1, 2))[0], arrays)
        assert gradcheck(lambda x: ops.normalize_with_moments(x, axes=(0, 1, 2))[0], arrays[:1])


@pytest.mark.parametrize("kwargs", [{}, {"pool_size": 3, "strides": 2, "padding": "same"}, {"pool_size": (2, 3)}],
                         ids=["2x2", "3x3_stride2_same", "2x3"])
def test_average_pool_split_over_threads_matches_one_part(tiny_parts, kwargs):
    x = RNG.standard_normal((5, 8, 7, 3)).astype(np.float32)
    _assert_same(lambda x: ops.average_pool(x, **kwargs), [x])
    with parallel.use_workers(3):
        assert len(ops.average_pool(Variable(x), **kwargs).creator.parts) == 3


def test_average_pool_gradcheck_while_split(tiny_parts):
    from glassnet.autodiff import gradcheck

    x = np.random.default_rng(8).standard_normal((3, 6, 5, 2))
    with parallel.use_workers(3):
        assert gradcheck(lambda x: ops.average_pool(x, 2), [x])
        assert gradcheck(lambda x: ops.average_pool(x, 3, strides=2, padding="same"), [x])


SPLIT_CONV_VARIANTS = [
    # (name, op, kernel shape, bias size): depthwise kernels are (kh, kw, C, M) with C*M biases,
    # transposed ones (kh, kw, F_out, C_in) with F_out biases; the inputs have 2 channels
    ("depthwise", lambda x, k, b: ops.depthwise_conv(x, k, b, padding="same"), (3, 3, 2, 2), 4),
    ("depthwise_stride2", lambda x, k, b: ops.depthwise_conv(x, k, b, strides=2, activation="relu"), (3, 3, 2, 1), 2),
    ("transpose", lambda x, k, b: ops.conv_transpose(x, k, b, strides=2, padding="same"), (3, 3, 3, 2), 3),
    ("transpose_valid", lambda x, k, b: ops.conv_transpose(x, k, b, strides=1), (2, 3, 3, 2), 3),
]


@pytest.mark.parametrize("op,kernel_shape,bias_size", [c[1:] for c in SPLIT_CONV_VARIANTS],
                         ids=[c[0] for c in SPLIT_CONV_VARIANTS])
def test_depthwise_and_transposed_convolutions_split_like_one_part(tiny_parts, op, kernel_shape, bias_size):
    x = RNG.standard_normal((5, 7, 6, 2)).astype(np.float32)
    kernel = RNG.standard_normal(kernel_shape).astype(np.float32)
    bias = RNG.standard_normal(bias_size).astype(np.float32)
    _assert_same(op, [x, kernel, bias])
    with parallel.use_workers(3):
        assert len(op(Variable(x), Variable(kernel), Variable(bias)).creator.parts) == 3


@pytest.mark.parametrize("op,kernel_shape,bias_size", [c[1:] for c in SPLIT_CONV_VARIANTS],
                         ids=[c[0] for c in SPLIT_CONV_VARIANTS])
def test_depthwise_and_transposed_convolutions_gradcheck_while_split(tiny_parts, op, kernel_shape, bias_size):
    from glassnet.autodiff import gradcheck

    rng = np.random.default_rng(9)
    arrays = [rng.standard_normal((3, 5, 4, 2)), rng.standard_normal(kernel_shape), rng.standard_normal(bias_size)]
    with parallel.use_workers(3):
        assert gradcheck(op, arrays)


def test_batch_normalization_of_odd_inputs_stays_in_one_part_and_works(tiny_parts):
    """Integer batches, Python-number or list gamma/beta, and a gamma with a batch axis are not split (each part
    would multiply its rows by the whole gamma); they give what one worker gives."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((6, 4, 3)).astype(np.float32)
    cases = [
        (rng.integers(0, 9, (6, 4, 3)), None, None),
        (x, 2.0, 0.5),
        (x, [1.0, 2.0, 3.0], None),
        (x, rng.standard_normal((6, 1, 3)).astype(np.float32), None),
    ]
    from glassnet.ops.normalization import Normalize

    for data, gamma, beta in cases:
        results = []
        for workers in (1, 3):
            with parallel.use_workers(workers):
                results.append(ops.normalize_with_moments(data, gamma, beta, axes=(0, 1))[0].numpy())
                op = Normalize((0, 1))
                op.forward(data, gamma, beta)
            assert len(op.parts) == 1
        np.testing.assert_array_equal(results[1], results[0])
        assert results[0].dtype.kind == "f"


def test_split_batch_normalization_keeps_a_float64_gradient_float64(tiny_parts):
    x = Variable(RNG.standard_normal((5, 4, 3)).astype(np.float32))
    with parallel.use_workers(3):
        y = ops.normalize_with_moments(x, axes=(0, 1))[0]
        assert len(y.creator.parts) == 3
        grads = y.creator.backward((np.ones(y.shape, np.float64), None, None))
    assert grads[0].dtype == np.float64
