"""The CPU settings of fit/evaluate/predict: BLAS threads and flush-to-zero, restored afterwards."""

import platform
import sys

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers
from glassnet.backend import denormals
from glassnet.trainers import threads

X86_LINUX = sys.platform.startswith("linux") and platform.machine() in ("x86_64", "AMD64")
SUBNORMAL = np.array([1e-39], dtype=np.float32)


def is_flushed():
    return float((SUBNORMAL * np.float32(1.0))[0]) == 0.0


@pytest.mark.skipif(not X86_LINUX, reason="flush-to-zero is set on x86-64 Linux only")
def test_flush_denormals_inside_and_restored_after():
    assert not is_flushed()
    with denormals.flush_denormals() as active:
        assert active is True
        assert is_flushed()
    assert not is_flushed()


@pytest.mark.skipif(not X86_LINUX, reason="flush-to-zero is set on x86-64 Linux only")
def test_flush_is_restored_even_after_an_error_in_fit():
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    seen = []

    class Probe(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(is_flushed())
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        model.fit(np.ones((4, 3)), np.ones((4, 2)), epochs=1, verbose=0, callbacks=[Probe()])
    assert seen == [True]  # training ran with flush-to-zero
    assert not is_flushed()


@pytest.mark.skipif(not X86_LINUX, reason="flush-to-zero is set on x86-64 Linux only")
def test_flushing_can_be_turned_off():
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    seen = []
    probe = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(is_flushed()))
    keras.config.set_speed_options(flush_denormals=False)
    try:
        model.fit(np.ones((4, 3)), np.ones((4, 2)), epochs=1, verbose=0, callbacks=[probe])
    finally:
        keras.config.set_speed_options(flush_denormals=True)
    assert seen == [False]


def test_small_models_use_one_blas_thread_large_ones_are_left_alone(monkeypatch):
    small = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(128), layers.Dense(10)])
    big = keras.Sequential([keras.Input(shape=(4096,)), layers.Dense(4096)])
    monkeypatch.setattr(threads, "usable_cores", lambda: 8)
    assert threads.choose(small, 32) == 1
    assert threads.choose(big, 256) is None
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)  # two cores: large products still use both
    assert threads.choose(small, 32) == 1
    assert threads.choose(big, 256) is None
    monkeypatch.setattr(threads, "usable_cores", lambda: 1)
    assert threads.choose(big, 256) == 1


def test_the_thread_choice_counts_every_convolution_layer(monkeypatch):
    """SeparableConv2D has two kernels and no ``kernel``: its estimate must not raise on machines with > 2 cores."""
    model = keras.Sequential([keras.Input(shape=(8, 8, 3)), layers.SeparableConv2D(4, 3, depth_multiplier=2),
                              layers.DepthwiseConv2D(3), layers.Conv2D(5, 1)])
    monkeypatch.setattr(threads, "usable_cores", lambda: 8)
    separable = 6 * 6 * (3 * 3 * 3 * 2 + 3 * 2 * 4)  # depthwise + pointwise products at each output position
    depthwise = 4 * 4 * (3 * 3 * 4 * 1)
    pointwise = 4 * 4 * (4 * 5)
    assert model.multiply_adds_per_sample() == separable + depthwise + pointwise
    assert threads.choose(model, 32) == 1
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.zeros((4, 8, 8, 3)), np.zeros((4, 4, 4, 5)), epochs=1, verbose=0)


def test_blas_threads_option():
    model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(2)])
    try:
        keras.config.set_speed_options(blas_threads=3)
        assert keras.config.speed_options()["blas_threads"] == 3 and threads.choose(model, 32) == 3
        keras.config.set_speed_options(blas_threads=None)
        assert threads.choose(model, 32) is None
        for bad in (0, -1, 2.5, "four"):
            with pytest.raises(ValueError, match="positive integer"):
                keras.config.set_speed_options(blas_threads=bad)
    finally:
        keras.config.set_speed_options(blas_threads="auto")
    assert keras.config.speed_options()["blas_threads"] == "auto"


def test_recurrent_models_get_two_blas_threads_unless_they_split_batches(monkeypatch):
    lstm = keras.Sequential([keras.Input(shape=(5, 3)), layers.LSTM(4)])
    bidirectional = keras.Sequential([keras.Input(shape=(5, 3)), layers.Bidirectional(layers.GRU(4))])
    with_conv = keras.Sequential([keras.Input(shape=(9, 3)), layers.Conv1D(4, 3), layers.LSTM(4)])
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)
    assert threads.choose(lstm, 64) == 2 and threads.choose(bidirectional, 64) == 2
    assert threads.choose(with_conv, 64) == 1
    monkeypatch.setattr(threads, "usable_cores", lambda: 1)
    assert threads.choose(lstm, 64) == 1
