"""The writer's memory of an output folder: each file's content hash and stat.

With it a build knows, by one `lstat` per file, which files of the output are exactly as
written (`verified`), and so which unchanged outputs need not be read or written again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from sitegen.util.fileid import CTIME, StatKey, digest, stat_key

#: What the writer remembers of one output file: its content hash (`HASH`) and its stat
#: as written (`STAT`; None: not to be trusted, the file is compared by its bytes). A plain
#: tuple read by these names: the manifest is read whole by every build, a no-op included,
#: and 20,000 named tuples unpickle in over twice the time (docs/performance.md).
ManifestEntry = tuple[bytes, StatKey | None]
HASH, STAT = 0, 1
#: output path -> its entry.
Manifest = dict[str, ManifestEntry]

def verified(out_dir: Path, manifest: Manifest) -> Manifest:
    """The manifest entries whose file is still exactly as written (same stat)."""
    intact: Manifest = {}
    base = str(out_dir) + os.sep
    lstat = os.lstat
    for path, entry in manifest.items():
        if entry[STAT] is None:
            continue
        try:
            st = lstat(base + path)
        except OSError:
            continue
        if (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) == entry[STAT]:
            intact[path] = entry
    return intact


def trusted_manifest(manifest: Manifest, out_dir: Path, now: Callable[[], int]) -> Manifest:
    """The manifest with only stats that are safe to trust next time.

    A stat as new as the file system's clock could hide an edit made in the same clock
    tick (git's "racily clean" problem). Such files (the last ones written) are checked
    once the clock has moved on: read back and compared with the hash; if that fails, the
    stat is blanked and the next build compares the file by reading it.
    """
    stamp = now()
    racy = [path for path, (_, key) in manifest.items()
            if key is not None and key[CTIME] >= stamp]
    if not racy:
        return manifest
    for _ in range(100):  # the clock ticks every few milliseconds
        if now() > stamp:
            break
        time.sleep(0.002)
    result = dict(manifest)
    settled = now()
    for path in racy:
        hashed, key = manifest[path]
        before = file_stat(out_dir / path)
        try:
            same = digest((out_dir / path).read_bytes()) == hashed
        except OSError:
            same = False
        ok = same and before is not None and before == file_stat(out_dir / path) \
            and before[2] < settled
        result[path] = (hashed, before if ok else None)
    return result


def file_stat(file: Path | str) -> StatKey | None:
    try:
        return stat_key(os.lstat(file))
    except OSError:
        return None

