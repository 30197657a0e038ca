"""Cache files sealed with the user's key: the one way the build cache reads and writes.

A repository can hold anything, including a `.sitegen-cache` folder (or a symlink to one of
its own folders) full of pickles or Jinja bytecode that would run code when loaded. So no
cache file is unpickled or unmarshalled unless it carries a MAC (HMAC-SHA256) made with a
random key that belongs to the user, kept outside every site (`key_folder`): a file this
user's sitegen did not write reads as nothing, a cold cache, never an error.

A sealed frame is `MAGIC`, the payload's length (8 bytes, big-endian), the MAC of those and
the payload, then the payload. Files are opened through their folder with `O_NOFOLLOW`:
neither the cache folder nor a file in it may be a symlink, and both must be the user's.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import stat
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from sitegen.util.fileid import owned_by_me
from sitegen.util.gcpause import gc_paused

MAGIC = b"sgcache1"
_MAC_SIZE = 32
HEADER_SIZE = len(MAGIC) + 8 + _MAC_SIZE
KEY_FILE = "cache-key"
_KEY_SIZE = 32
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class Rejected(ValueError):
    """A cache frame that is not sealed with this user's key (or is cut short)."""


# -- the key -------------------------------------------------------------------------------

def key_folder() -> Path | None:
    """Where the key lives: `$XDG_CACHE_HOME/sitegen` (when absolute), else
    `~/.cache/sitegen`; None without a home folder."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg) / "sitegen"
    try:
        return Path.home() / ".cache" / "sitegen"
    except RuntimeError:
        return None


def cache_key() -> bytes:
    """The user's key (made on first use, 0600); a key of this process alone when there
    is no usable key file (then no cache file outlives the process)."""
    folder = key_folder()
    key = _stored_key(str(folder)) if folder is not None else None
    return key if key is not None else _process_key()


@lru_cache(maxsize=1)
def _process_key() -> bytes:
    return os.urandom(_KEY_SIZE)


@lru_cache(maxsize=4)
def _stored_key(folder: str) -> bytes | None:
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    except OSError:
        return None
    try:
        try:
            return _read_key(fd)
        except FileNotFoundError:
            _make_key(fd)
            return _read_key(fd)
    except OSError:
        return None
    finally:
        os.close(fd)


def _read_key(folder_fd: int) -> bytes | None:
    """The key file's bytes if it is a regular file of this user's that only they can
    read or write (not a link), holding a key; else None."""
    fd = os.open(KEY_FILE, os.O_RDONLY | _NOFOLLOW | _CLOEXEC, dir_fd=folder_fd)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not owned_by_me(st) or st.st_mode & 0o077:
            return None
        key = os.read(fd, _KEY_SIZE + 1)
    finally:
        os.close(fd)
    return key if len(key) == _KEY_SIZE else None


def _make_key(folder_fd: int) -> None:
    """Write a new key whole, then link it into place (a concurrent first run keeps the
    key that was linked first)."""
    temp = f".{KEY_FILE}.{os.getpid()}.{os.urandom(4).hex()}"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600,
                 dir_fd=folder_fd)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(_KEY_SIZE))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp, KEY_FILE, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
        except FileExistsError:
            pass
    finally:
        os.unlink(temp, dir_fd=folder_fd)


# -- frames --------------------------------------------------------------------------------

def _mac(head: bytes, payload: bytes | memoryview) -> bytes:
    mac = hmac.new(cache_key(), head, hashlib.sha256)
    mac.update(payload)
    return mac.digest()


def header(payload: bytes | memoryview) -> bytes:
    """The header of `payload`'s frame (the frame is the header, then the payload)."""
    head = MAGIC + len(payload).to_bytes(8, "big")
    return head + _mac(head, payload)


def unseal(head: bytes, payload: bytes | memoryview) -> memoryview:
    """`payload` if `head` is its frame's header, sealed with this user's key; else
    `Rejected`."""
    if head[:8] != MAGIC or int.from_bytes(head[8:16], "big") != len(payload):
        raise Rejected("not a sealed cache file")
    if not hmac.compare_digest(head[16:HEADER_SIZE], _mac(head[:16], payload)):
        raise Rejected("not sealed with this user's key")
    return memoryview(payload)


# -- files ---------------------------------------------------------------------------------

def _folder_fd(folder: Path) -> int:
    """A descriptor of a cache folder that is a real folder of this user's (not a link)."""
    fd = os.open(folder, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC)
    if not owned_by_me(os.fstat(fd)):
        os.close(fd)
        raise PermissionError(f"{folder}: not the user's folder")
    return fd


def check_folder(folder: Path) -> None:
    """Raise OSError unless `folder` is a real folder of this user's (not a link): call it
    before removing files found in a cache folder by name."""
    os.close(_folder_fd(folder))


def _open_in(folder_fd: int, name: str, flags: int) -> int:
    """`name` in the folder, opened without following a link; for reading, only a regular
    file of this user's (a fifo is not waited for)."""
    reading = not flags & os.O_CREAT
    fd = os.open(name, flags | _NOFOLLOW | _CLOEXEC | (os.O_NONBLOCK if reading else 0), 0o600,
                 dir_fd=folder_fd)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or not owned_by_me(st):
        os.close(fd)
        raise PermissionError(f"{name}: not a regular file of the user's")
    if reading:
        os.set_blocking(fd, True)
    return fd


def open_file(path: Path, mode: str = "rb") -> IO[bytes]:
    """A cache file opened without following a link (in `path` or its folder): "rb" and
    "r+b" open this user's regular file; "wb" makes a new file (any old one is removed
    first, so a link in its place is never written through)."""
    flags = {"rb": os.O_RDONLY, "r+b": os.O_RDWR,
             "wb": os.O_WRONLY | os.O_CREAT | os.O_EXCL}[mode]
    folder_fd = _folder_fd(path.parent)
    try:
        if mode == "wb":
            try:
                os.unlink(path.name, dir_fd=folder_fd)
            except FileNotFoundError:
                pass
        return os.fdopen(_open_in(folder_fd, path.name, flags), mode)
    finally:
        os.close(folder_fd)


def _seal_name(name: str) -> str:
    return f".{name}.seal"


def _stat_mac(name: str, st: os.stat_result) -> bytes:
    """The MAC of one version of a file, by its stat: device, inode, size, mtime, ctime
    (which no one but the kernel sets: a file put there by git or a copy never has the
    ctime and inode of the one sitegen wrote)."""
    version = f"{name}\0{st.st_dev} {st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns}"
    return hmac.new(cache_key(), b"stat seal\0" + version.encode("utf-8", "surrogateescape"),
                    hashlib.sha256).digest()


def _stat_sealed(folder_fd: int, name: str, st: os.stat_result) -> bool:
    """Whether the seal beside `name` (`.<name>.seal`) was made for this version of it."""
    try:
        fd = _open_in(folder_fd, _seal_name(name), os.O_RDONLY)
        with os.fdopen(fd, "rb") as handle:
            mac = handle.read(_MAC_SIZE + 1)
    except OSError:
        return False
    return len(mac) == _MAC_SIZE and hmac.compare_digest(mac, _stat_mac(name, st))


def read_sealed(path: Path, by_stat: bool = False) -> memoryview | None:
    """The payload of a sealed file, or None when it is missing, unreadable, a link, not
    the user's, or not sealed with their key.

    `by_stat`: for files written with `write_sealed(by_stat=True)` and only ever replaced
    whole: when the file is the very version sitegen sealed (its seal file says so), the
    payload's MAC is not computed again (hashing a big parse cache is most of reading it)."""
    try:
        folder_fd = _folder_fd(path.parent)
        try:
            fd = _open_in(folder_fd, path.name, os.O_RDONLY)
            st = os.fstat(fd)
            trusted = by_stat and _stat_sealed(folder_fd, path.name, st)
        finally:
            os.close(folder_fd)
        size = st.st_size - HEADER_SIZE
        with os.fdopen(fd, "rb", buffering=0) as handle:  # unbuffered: the payload read at once
            head = handle.read(HEADER_SIZE)
            if head[:8] != MAGIC or int.from_bytes(head[8:16], "big") != size:
                return None  # checked before a buffer of the file's size is made
            data = handle.read(size)
        if len(data) != size:
            return None
        return memoryview(data) if trusted else unseal(head, data)
    except (OSError, Rejected):
        return None


def write_sealed(path: Path, payload: bytes | memoryview, by_stat: bool = False) -> None:
    """Replace `path` with the sealed `payload`, atomically (a new file, then a rename in
    the same folder); raises OSError when it cannot. `by_stat` also writes the seal of
    this version of the file, by its stat (`read_sealed`)."""
    folder_fd = _folder_fd(path.parent)
    try:
        _replace_in(folder_fd, path.name, (header(payload), payload))
        if by_stat:
            st = os.stat(path.name, dir_fd=folder_fd, follow_symlinks=False)
            _replace_in(folder_fd, _seal_name(path.name), (_stat_mac(path.name, st),))
    finally:
        os.close(folder_fd)


def _replace_in(folder_fd: int, name: str, parts: tuple[bytes | memoryview, ...]) -> None:
    """Write `parts` to a new file in the folder, then rename it to `name`."""
    temp = f".{name}.{os.urandom(6).hex()}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600,
                 dir_fd=folder_fd)
    try:
        with os.fdopen(fd, "wb") as handle:
            for part in parts:
                handle.write(part)
        os.replace(temp, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
    except BaseException:
        try:
            os.unlink(temp, dir_fd=folder_fd)
        except OSError:
            pass
        raise


def load_pickle(path: Path, by_stat: bool = False) -> Any | None:
    """The value a sealed file holds (`write_sealed` of a pickle), or None when it is
    missing or not sealed with this user's key, or does not unpickle."""
    payload = read_sealed(path, by_stat)
    if payload is None:
        return None
    with gc_paused():  # many objects, no cycles: no collections meanwhile
        try:
            return pickle.loads(payload)  # noqa: S301 (sealed: written by this user's sitegen)
        except Exception:  # sealed but damaged, or of a class that is gone: rebuild instead
            return None


# -- streams of frames (files written a pickle at a time) ------------------------------------

def dump(value: Any, handle: IO[bytes]) -> None:
    """Write `value` pickled as one sealed frame (`pickle.dump`, sealed)."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    handle.write(header(payload) + payload)


def load(handle: IO[bytes]) -> Any:
    """The next frame's value (`pickle.load`, sealed): `EOFError` at the end of the file,
    `Rejected` for a frame not sealed with this user's key or cut short."""
    head = handle.read(HEADER_SIZE)
    if not head:
        raise EOFError
    if len(head) < HEADER_SIZE or head[:8] != MAGIC:
        raise Rejected("not a sealed cache frame")
    size = int.from_bytes(head[8:16], "big")
    payload = handle.read(size)
    if len(payload) != size:
        raise Rejected("a sealed cache frame cut short")
    return pickle.loads(unseal(head, payload))  # noqa: S301 (sealed by this user's sitegen)
