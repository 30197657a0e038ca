"""What identifies a file version without reading it, and content hashes.

A stat (size, mtime, ctime, inode) stands for a file's bytes while it is older than the
moment it was recorded: git's "racily clean" rule (`fs_now`, `trusted`), so an edit in
the same clock tick is never missed.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

StatKey = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
#: Where a `StatKey` holds its change time and its inode. Stat keys stay plain tuples: a
#: build reads tens of thousands of them (the manifest) before it knows it has work.
CTIME, INODE = 2, 3


def stat_key(st: os.stat_result) -> StatKey:
    """What identifies one version of a file without reading it."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def owned_by_me(st: os.stat_result) -> bool:
    """Whether this process's user owns the file. Where there are no user ids (Windows has
    no `os.geteuid`, and every `st_uid` is 0) every file counts as the user's own."""
    geteuid = getattr(os, "geteuid", None)
    return geteuid is None or st.st_uid == geteuid()


def digest(data: bytes) -> bytes:
    """A short content hash (BLAKE2b, 128 bits)."""
    return hashlib.blake2b(data, digest_size=16).digest()


def fs_now(folder: Path) -> int:
    """The file system's clock now (ns): stats newer than this cannot be trusted yet.

    Its stamp file is written without following a link: a link in its place is replaced,
    a linked `folder` raises OSError (the caller then keeps no cache)."""
    os.makedirs(folder, exist_ok=True)
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    folder_fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | nofollow)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | nofollow | os.O_NONBLOCK
    try:
        try:
            fd = os.open(".stamp", flags, 0o600, dir_fd=folder_fd)
        except OSError:  # a link, a fifo, a folder...: not sitegen's stamp
            _remove(".stamp", folder_fd)
            fd = os.open(".stamp", flags | os.O_EXCL, 0o600, dir_fd=folder_fd)
        try:  # the truncation marks the ctime: the clock as the file system keeps it
            return os.fstat(fd).st_ctime_ns
        finally:
            os.close(fd)
    finally:
        os.close(folder_fd)


def _remove(name: str, folder_fd: int) -> None:
    try:
        os.unlink(name, dir_fd=folder_fd)
    except IsADirectoryError:
        os.rmdir(name, dir_fd=folder_fd)


def trusted(entries: dict[str, Any], key_of, now_ns: int) -> dict[str, Any]:
    """The entries whose recorded stat is older than `now_ns` (the racily-clean rule)."""
    return {path: entry for path, entry in entries.items() if key_of(entry)[2] < now_ns}
