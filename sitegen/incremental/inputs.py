"""Everything a build reads, by file stats: the digest the no-change check compares."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sitegen.config import Config
from sitegen.incremental.digests import code_digest, stats_digest, value_digest
from sitegen.util.fileid import StatKey, digest

#: The stats of the files in one folder, by name, in the order the folder lists them.
FolderStats = dict[str, StatKey]


def _tree_stats(folder: str, found: list[tuple[str, FolderStats]],
                seen: set[tuple[int, int]] | None = None,
                files: dict[str, FolderStats] | None = None) -> None:
    """(folder, stats of its files) for every folder under `folder`, following symlinks (a
    linked papers folder is allowed), each folder once (a link back up would otherwise
    never end). `files` gets the regular files' stats by folder (for `load_papers`)."""
    seen = set() if seen is None else seen
    try:  # the folder by a descriptor: a stat of a file is then no walk of its whole path
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    here: FolderStats = {}
    odd: list[str] = []  # not regular files (a fifo, a socket): never read as papers
    try:
        st = os.fstat(fd)
        if (st.st_dev, st.st_ino) in seen:
            return
        seen.add((st.st_dev, st.st_ino))
        entries = list(os.scandir(fd))
        found.append((folder, here))
        for entry in entries:
            try:
                if entry.is_dir():
                    _tree_stats(os.path.join(folder, entry.name), found, seen, files)
                else:
                    st = entry.stat()
                    here[entry.name] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
                    if st.st_mode & 0o170000 != stat.S_IFREG:
                        odd.append(entry.name)
            except OSError:  # a symlink loop or a dangling link: listed by its own stat,
                try:  # so that loading the papers reports it as that file's problem
                    st = entry.stat(follow_symlinks=False)
                    here[entry.name] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
                except OSError:
                    pass
    except OSError:
        return
    finally:
        os.close(fd)
    if files is not None:
        files[folder] = {name: key for name, key in here.items() if name not in odd} \
            if odd else here


def inputs_digest(config: Config, target: Path,
                  files: dict[str, FolderStats] | None = None) -> bytes:
    """Everything a build reads, by file stats: if this is unchanged, so is the site.

    The content folder, the site's templates, themes and static files, the packaged
    themes, the config, sitegen's code and libraries, `SOURCE_DATE_EPOCH`, the output path.
    `files` gets the stats of the content folder's regular files (`_tree_stats`).
    """
    stats: list[tuple[str, FolderStats]] = []
    for name in ("content", "templates", "themes", "static"):
        _tree_stats(str(config.root / name), stats, None, files if name == "content" else None)
    package = Path(__file__).parent.parent  # the packaged themes: in the wheel, or the repo's
    for themes in (package / "themes", package.parent / "themes"):
        _tree_stats(str(themes), stats)
    parts = [code_digest(), value_digest(config, {}), stats_digest(stats),
             str(target).encode("utf-8", "surrogatepass"),
             os.environ.get("SOURCE_DATE_EPOCH", "").encode()]
    return digest(b"".join(parts))
