"""keep_freed_memory: malloc keeps blocks for reuse during training, and returns them afterwards."""

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers
from glassnet.backend import allocator


def _released_pages_during(loop):
    """Minor page faults of this process while ``loop`` runs (a fresh page costs one)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    loop()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def _allocate_and_free_repeatedly():
    for _ in range(20):
        block = np.empty(4 * 1024 * 1024, dtype=np.float32)  # 16 MB, above glibc's default threshold
        block.fill(1.0)
        del block


def test_freed_blocks_are_reused_inside_the_block():
    libc = allocator._load_libc()
    if not libc:
        pytest.skip("malloc tuning is for glibc Linux only")
    libc.mallopt(allocator.M_MMAP_THRESHOLD, 128 * 1024)  # glibc's starting value: big blocks go back at once
    libc.malloc_trim(0)  # free memory that earlier tests left in the heap would serve the blocks without new pages
    try:
        returned_each_time = _released_pages_during(_allocate_and_free_repeatedly)
        assert returned_each_time >= 20  # at least one fresh page per block
        with allocator.keep_freed_memory() as active:
            assert active is True
            _allocate_and_free_repeatedly()  # warm: the heap grows once
            assert _released_pages_during(_allocate_and_free_repeatedly) < returned_each_time / 10
    finally:
        libc.mallopt(allocator.M_MMAP_THRESHOLD, allocator.KEPT_MMAP_THRESHOLD)


def test_can_be_turned_off_and_fit_still_works(monkeypatch):
    entered = []
    monkeypatch.setattr(allocator, "keep_freed_memory", lambda *args: entered.append(args) or _nothing())
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    keras.config.set_speed_options(keep_freed_memory=False)
    try:
        model.fit(np.ones((4, 3)), np.ones((4, 2)), epochs=1, verbose=0)
    finally:
        keras.config.set_speed_options(keep_freed_memory=True)
    assert entered == []
    model.fit(np.ones((4, 3)), np.ones((4, 2)), epochs=1, verbose=0)
    assert entered == [(True,)]


def _nothing():
    import contextlib

    return contextlib.nullcontext()


class FakeLibc:
    """Records what keep_freed_memory asks of malloc."""

    def __init__(self):
        self.calls = []

    def mallopt(self, param, value):
        self.calls.append(("mallopt", param, value))
        return 1

    def malloc_trim(self, pad):
        self.calls.append(("trim",))
        return 1


@pytest.fixture
def fake_libc(monkeypatch):
    libc = FakeLibc()
    monkeypatch.setattr(allocator, "_load_libc", lambda: libc)
    return libc


def test_nested_blocks_trim_once_at_the_outermost_exit(fake_libc):
    with allocator.keep_freed_memory():
        with allocator.keep_freed_memory() as inner:  # a predict() inside a callback of fit()
            assert inner is True
        assert ("trim",) not in fake_libc.calls
        assert fake_libc.calls[-1] == ("mallopt", allocator.M_TRIM_THRESHOLD, allocator.KEPT_TRIM_THRESHOLD)
    assert fake_libc.calls[-2:] == [("mallopt", allocator.M_TRIM_THRESHOLD, allocator.AFTER_TRIM_THRESHOLD),
                                    ("trim",)]


def test_train_on_batch_keeps_memory_and_fit_returns_it(fake_libc):
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    for _ in range(3):
        model.train_on_batch(np.ones((4, 3)), np.ones((4, 2)))
    assert ("trim",) not in fake_libc.calls
    model.fit(np.ones((4, 3)), np.ones((4, 2)), epochs=1, verbose=0)
    assert fake_libc.calls.count(("trim",)) == 1


def test_without_glibc_nothing_is_set(monkeypatch):
    monkeypatch.setattr(allocator, "_load_libc", lambda: False)
    with allocator.keep_freed_memory() as active:
        assert active is False
