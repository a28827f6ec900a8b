"""Write files through a temporary name renamed over the target, as every file glassnet saves is written.

    with atomic_path("model.keras") as temporary:
        write_everything_to(temporary)        # then renamed over model.keras

What this guarantees:

- An interrupted or failed save never destroys the previous file: the new
  one replaces it in one rename, after its data is on disk.
- A new file gets the mode ``open()`` would give it (0666 less the umask,
  or the folder's default ACL); an existing file keeps its mode (and, where
  the user may set it, its group).
- Saving to a symbolic link writes the file it points to; the link stays.
- The temporary file is ``.NAME.XXXXXXXX.tmp`` beside the target, locked
  while its save runs. Each save of a path first removes that path's
  temporary files nobody holds locked: the leftovers of a save that was
  killed. A save running at the same time holds its lock and is left alone;
  no other file ever matches the pattern.
"""

import contextlib
import os
import random
import re
import stat

try:
    import fcntl
except ImportError:  # Windows: an open file cannot be deleted there, which protects a running save just as well
    fcntl = None

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789_"  # tempfile's, so leftovers of earlier versions match too
_LETTERS = 8
_random = random.SystemRandom()


def temporary_name_pattern(name):
    """The regular expression that the temporary files of a save to a file called ``name`` match, and nothing else."""
    return re.compile(r"\." + re.escape(name) + r"\.[" + re.escape(_ALPHABET) + "]{%d}\\.tmp\\Z" % _LETTERS)


def resolve_target(path):
    """The file a save to ``path`` replaces: ``path`` itself, or the file its symbolic link points to."""
    path = os.path.abspath(os.fspath(path))
    if os.path.islink(path):
        target = os.path.realpath(path)
        if os.path.islink(target):
            raise OSError(f"Cannot save to {path!r}: its symbolic links form a loop")
        return target
    return path


@contextlib.contextmanager
def atomic_path(path):
    """Yield the name of an empty temporary file beside ``path``'s target; rename it there if the block succeeds."""
    target = resolve_target(path)
    if os.path.isdir(target):
        raise IsADirectoryError(f"Cannot save to {os.fspath(path)!r}: it is a folder")
    if os.path.exists(target) and not os.access(target, os.W_OK):  # as open() would refuse it
        raise PermissionError(f"Cannot save to {os.fspath(path)!r}: the file is read-only")
    folder, name = os.path.split(target)
    os.makedirs(folder, exist_ok=True)
    remove_leftovers(folder, name)
    kept = _existing_mode(target)
    handle, temporary = _create_locked(folder, name)
    try:
        yield temporary
        os.fsync(handle)  # the data is on disk before the name points to it
        _set_mode(temporary, handle, kept)
        if os.name == "nt":  # Windows renames only closed files
            os.close(handle)
            handle = None
        os.replace(temporary, target)
        _sync_folder(folder)
    finally:
        if handle is not None:
            os.close(handle)
        if os.path.lexists(temporary):
            os.remove(temporary)


def _existing_mode(target):
    """(permission bits, group) of the file being replaced, or None for a new file."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return None
    return stat.S_IMODE(info.st_mode), getattr(info, "st_gid", None)


def _create_locked(folder, name):
    """A new temporary file (mode as open() gives it), locked, as (descriptor, path)."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        letters = "".join(_random.choice(_ALPHABET) for _ in range(_LETTERS))
        temporary = os.path.join(folder, f".{name}.{letters}.tmp")
        try:
            handle = os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
        if _lock(handle) and _still_named(handle, temporary):
            return handle, temporary
        os.close(handle)  # another save's cleanup took this name between open and lock: take another
    raise FileExistsError(f"Could not create a temporary file for {name!r} in {folder!r}")


def _lock(handle):
    """Take the lock that marks a save as running; False if someone else holds it."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _still_named(handle, path):
    try:
        return os.path.samestat(os.fstat(handle), os.lstat(path))
    except OSError:
        return False


def _set_mode(temporary, handle, kept):
    """Give the finished temporary file the mode (and group) of the file it replaces."""
    if kept is None:
        return
    mode, group = kept
    info = os.fstat(handle)
    if group is not None and hasattr(os, "fchown") and info.st_gid != group:
        with contextlib.suppress(OSError):  # allowed only when the user belongs to that group
            os.fchown(handle, -1, group)
    if stat.S_IMODE(info.st_mode) != mode or group is not None:  # chown may have cleared setgid bits: set again
        if hasattr(os, "fchmod"):
            os.fchmod(handle, mode)
        else:
            os.chmod(temporary, mode)


def _sync_folder(folder):
    """Put the rename itself on disk (POSIX; best effort)."""
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def remove_leftovers(folder, name):
    """Delete the temporary files of saves to ``folder/name`` that were killed (those no running save locks)."""
    pattern = temporary_name_pattern(name)
    try:
        names = [n for n in os.listdir(folder) if pattern.match(n)]
    except OSError:
        return
    for leftover in names:
        with contextlib.suppress(OSError):
            _remove_if_unlocked(os.path.join(folder, leftover))


def _remove_if_unlocked(path):
    if not stat.S_ISREG(os.lstat(path).st_mode):
        return
    if fcntl is None:
        os.remove(path)  # fails while a running save holds the file open
        return
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises while its save is running
        if _still_named(handle, path):
            os.remove(path)
    finally:
        os.close(handle)
