"""Saved files: the mode open() would give, symlinks followed, killed saves harmless and their leftovers removed."""

import contextlib
import os
import signal
import stat
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import glassnet as keras
from glassnet import layers
from glassnet.saving import atomic

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes, symlinks and SIGKILL as on POSIX")


def small_model(seed=0):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, layers.Dense(2)(layers.Dense(4, activation="relu")(inputs)))
    model.compile(optimizer="adam", loss="mse")
    return model


def save(model, path):
    if str(path).endswith(".keras"):
        model.save(path)
    else:
        model.save_weights(path)


def load_weights_of(path):
    """The weights stored in ``path``, read into a fresh model."""
    if str(path).endswith(".keras"):
        return keras.saving.load_model(path).get_weights()
    model = small_model(seed=99)
    model.load_weights(path)
    return model.get_weights()


def leftovers(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


@contextlib.contextmanager
def umask(mask):
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


SUFFIXES = ["model.keras", "model.weights.h5"]


# --- modes --------------------------------------------------------------------------------------------------------
@posix_only
@pytest.mark.parametrize("name", SUFFIXES)
@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_a_new_file_gets_the_mode_open_would_give(tmp_path, name, mask, expected):
    path = tmp_path / name
    with umask(mask):
        save(small_model(), path)
        with open(tmp_path / "by_open", "w"):
            pass
    assert stat.S_IMODE(os.stat(path).st_mode) == expected == stat.S_IMODE(os.stat(tmp_path / "by_open").st_mode)


@posix_only
@pytest.mark.parametrize("name", SUFFIXES)
@pytest.mark.parametrize("mode", [0o664, 0o600, 0o640])
def test_an_existing_file_keeps_its_mode(tmp_path, name, mode):
    path = tmp_path / name
    save(small_model(), path)
    os.chmod(path, mode)
    with umask(0o022):
        save(small_model(seed=1), path)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode
    np.testing.assert_array_equal(load_weights_of(path)[0], small_model(seed=1).get_weights()[0])


@posix_only
def test_callbacks_write_files_with_the_users_mode(tmp_path):
    """ModelCheckpoint and BackupAndRestore write through the same atomic save."""
    x, y = np.ones((8, 3), "float32"), np.ones((8, 2), "float32")
    backup = tmp_path / "backup"
    callbacks = [keras.callbacks.ModelCheckpoint(str(tmp_path / "ckpt.keras")),
                 keras.callbacks.ModelCheckpoint(str(tmp_path / "ckpt.weights.h5"), save_weights_only=True),
                 keras.callbacks.BackupAndRestore(str(backup), delete_checkpoint=False)]
    with umask(0o002):
        small_model().fit(x, y, epochs=2, verbose=0, callbacks=callbacks)
    written = [tmp_path / "ckpt.keras", tmp_path / "ckpt.weights.h5"] + [backup / name for name in os.listdir(backup)]
    assert backup / "training_metadata.json" in written and len(written) == 4, written  # + one backup-*.weights.h5
    for path in written:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o664, path


@posix_only
def test_a_read_only_file_is_not_replaced(tmp_path, monkeypatch):
    path = tmp_path / "model.keras"
    save(small_model(), path)
    os.chmod(path, 0o444)
    if os.geteuid() == 0:  # root may write anything: pretend to be a user whom the mode stops, as open() would
        real = os.access
        monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == str(path) else real(p, mode))
    with pytest.raises(PermissionError, match="read-only"):
        save(small_model(seed=1), path)
    np.testing.assert_array_equal(load_weights_of(path)[0], small_model().get_weights()[0])


# --- symbolic links ---------------------------------------------------------------------------------------------
@posix_only
@pytest.mark.parametrize("name", SUFFIXES)
@pytest.mark.parametrize("relative", [False, True])
def test_saving_to_a_symlink_writes_its_target(tmp_path, name, relative):
    store = tmp_path / "store"
    store.mkdir()
    target = store / name
    save(small_model(), target)
    os.chmod(target, 0o664)
    link = tmp_path / f"current.{name}"
    os.symlink(os.path.relpath(target, tmp_path) if relative else target, link)
    save(small_model(seed=1), link)
    assert link.is_symlink() and os.readlink(link) == (os.path.relpath(target, tmp_path) if relative else str(target))
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o664
    expected = small_model(seed=1).get_weights()[0]
    np.testing.assert_array_equal(load_weights_of(target)[0], expected)
    np.testing.assert_array_equal(load_weights_of(link)[0], expected)
    assert leftovers(tmp_path) == [] and leftovers(store) == []


@posix_only
def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "model.keras"
    target = tmp_path / "real.keras"
    os.symlink(target, link)
    save(small_model(), link)
    assert link.is_symlink() and target.is_file()


def test_saving_to_a_folder_fails_before_writing(tmp_path):
    folder = tmp_path / "model.keras"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match="is a folder"):
        save(small_model(), folder)
    assert leftovers(tmp_path) == []


# --- killed saves -------------------------------------------------------------------------------------------------
STOP_BEFORE_RENAME = """
    import os
    def stop(source, destination):
        print("STOPPED", flush=True)
        time.sleep(120)
    os.replace = stop
"""
STOP_HALF_WRITTEN = """
    from glassnet.saving import weights_h5
    def half(handle, model, include_optimizer=True):
        handle.create_group("layers/dense/vars").create_dataset("0", data=np.zeros((3, 4), "float32"))
        handle.flush()
        print("STOPPED", flush=True)
        time.sleep(120)
    weights_h5.write_weights = half
"""


def killed_save(path, stop):
    """Start saving a new model to ``path`` in another process, SIGKILL it at the point ``stop`` marks."""
    script = textwrap.dedent("""
        import sys, time
        import numpy as np
        import glassnet as keras
        from glassnet import layers
        keras.utils.set_random_seed(5)
        inputs = keras.Input(shape=(3,))
        model = keras.Model(inputs, layers.Dense(2)(layers.Dense(4, activation="relu")(inputs)))
        model.compile(optimizer="adam", loss="mse")
    """) + textwrap.dedent(stop) + textwrap.dedent("""
        path = sys.argv[1]
        model.save(path) if path.endswith(".keras") else model.save_weights(path)
        print("FINISHED", flush=True)
    """)
    process = subprocess.Popen([sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.strip() == "STOPPED", line
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
        process.stdout.close()
    assert process.returncode == -signal.SIGKILL


@posix_only
@pytest.mark.parametrize("name, stop", [("model.keras", STOP_BEFORE_RENAME), ("model.weights.h5", STOP_BEFORE_RENAME),
                                        ("model.weights.h5", STOP_HALF_WRITTEN)],
                         ids=["keras_before_rename", "weights_before_rename", "weights_half_written"])
def test_a_killed_save_keeps_the_old_file_and_the_next_save_removes_its_leftovers(tmp_path, name, stop):
    """(A .keras file is serialized in memory first, then written in one call: its only stop is before the rename.)"""
    path = tmp_path / name
    old = small_model(seed=0)
    save(old, path)
    killed_save(path, stop)
    assert len(leftovers(tmp_path)) == 1  # the killed save's temporary file
    for a, b in zip(load_weights_of(path), old.get_weights()):  # the old file is intact
        np.testing.assert_array_equal(a, b)
    (tmp_path / "other.keras").write_bytes(b"unrelated")  # other files stay
    save(small_model(seed=2), path)
    assert leftovers(tmp_path) == []
    assert sorted(os.listdir(tmp_path)) == sorted([name, "other.keras"])
    np.testing.assert_array_equal(load_weights_of(path)[0], small_model(seed=2).get_weights()[0])


@pytest.mark.skipif(atomic.fcntl is None, reason="running saves are told apart by their flock")
def test_only_our_unlocked_temporary_files_are_removed(tmp_path):
    """A save removes only the exact temporary names of its own path, and never those a running save holds."""
    import fcntl

    path = tmp_path / "model.keras"
    killed = tmp_path / ".model.keras.abcd_123.tmp"
    running = tmp_path / ".model.keras.zzzzzzzz.tmp"
    others = [".model.keras.abc.tmp", ".model.keras.ABCDEFGH.tmp", ".other.keras.abcdefgh.tmp",
              "model.keras.abcdefgh.tmp", ".model.keras.abcdefgh.tmp.bak", ".xmodel.keras.abcdefgh.tmp"]
    for name in [killed.name, running.name] + others:
        (tmp_path / name).write_bytes(b"partial")
    with open(running, "rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # as a save in progress holds it
        save(small_model(), path)
        assert not killed.exists() and running.exists()
    assert sorted(os.listdir(tmp_path)) == sorted(["model.keras", running.name] + others)


def test_the_temporary_name_pattern_matches_what_is_written(tmp_path, monkeypatch):
    seen = []
    real = atomic.os.replace

    def spy(source, destination):
        seen.append(os.path.basename(source))
        real(source, destination)

    monkeypatch.setattr(atomic.os, "replace", spy)
    save(small_model(), tmp_path / "a.b.weights.h5")
    assert len(seen) == 1 and atomic.temporary_name_pattern("a.b.weights.h5").match(seen[0]), seen
    assert not atomic.temporary_name_pattern("a.b.weights.h5").match(".aXb.weights.h5" + seen[0][15:])


def test_a_failed_save_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    from glassnet.saving import weights_h5

    path = tmp_path / "model.weights.h5"
    save(small_model(), path)

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(weights_h5, "write_weights", fail)
    with pytest.raises(OSError, match="disk full"):
        save(small_model(seed=1), path)
    assert leftovers(tmp_path) == []
    np.testing.assert_array_equal(load_weights_of(path)[0], small_model().get_weights()[0])
