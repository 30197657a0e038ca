"""Which output files are as the last build wrote them, found by forked walks.

A rebuild needs the `lstat` of every output file (a file edited or removed by hand is not
kept) and the staging folder's listing (the writer updates it in place): a system call
per file, 0.1 s together at 10,000 papers. On a big site, with two processes, forked
children take them while the build checks its inputs and loads the papers, and send back
only what differs from the last build's manifest (docs/performance.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sitegen.util.fileid import INODE
from sitegen.util.parallel import Forked, fork_call
from sitegen.write.manifest import STAT, Manifest
from sitegen.write.staging import walk
from sitegen.write.writer import MARKER, staging_names, verified

#: Output folders with fewer files check them in this process (forking costs more).
WALK_FORK_MIN_FILES = 5000

#: What the staging folder's walk finds: its entries that differ from the manifest
#: (path -> inode), the manifest's files it lacks, and its folders.
StageDelta = tuple[dict[str, int], list[str], set[str]]


@dataclass
class Walks:
    """The forked walks of `start_walks`: the `lstat` of every output file (the output
    files not as written come back) and, once started (`list_stage`), the staging folder's
    listing (`StageDelta`)."""

    outputs: Forked
    stage: Forked | None = None

    def list_stage(self, target: Path, manifest: Manifest) -> None:
        """Fork the second walk: the staging folder's listing, which only a build that
        writes needs (not the no-change check, which this would slow)."""
        stage = staging_names(target)[0]

        def staged() -> StageDelta:
            files, dirs = walk(str(stage))
            expected = expected_stage(manifest)
            delta = {path: inode for path, inode in files.items()
                     if expected.get(path) != inode}
            missing = [path for path in expected if path not in files]
            return delta, missing, dirs

        self.stage = fork_call(staged)

    def cancel(self) -> None:
        """Stop both (the build failed, or needs neither)."""
        for child in (self.outputs, self.stage):
            if child is not None:
                child.cancel()


def start_walks(target: Path, manifest: Manifest | None, processes: int) -> Walks | None:
    """Fork a child that takes the `lstat` of every output file (`verified`) while this
    process checks the inputs (and, `Walks.list_stage`, another one that lists the staging
    folder while it loads the papers): a system call per file (0.1 s together at 10,000
    papers, 0.7 s at 50,000). They send back only what differs from the last build's
    manifest, so this process does not unpickle a stat per file. None when there is
    nothing to check, one process, or a small site."""
    if processes < 2 or manifest is None or len(manifest) < WALK_FORK_MIN_FILES \
            or not (target / MARKER).exists():
        return None

    def outputs() -> list[str]:
        intact = verified(target, manifest)
        return [path for path in manifest if path not in intact]

    first = fork_call(outputs)
    return Walks(first) if first is not None else None


def expected_stage(manifest: Manifest) -> dict[str, int]:
    """The staging folder as the manifest predicts it: each file a hard link to the output's
    (the writer links unchanged files), so with the output file's inode."""
    return {path: entry[STAT][INODE] for path, entry in manifest.items()
            if entry[STAT] is not None}


def walked(walks: Walks | None, target: Path, manifest: Manifest, stage: bool = True
            ) -> tuple[Manifest, tuple[dict[str, int], set[str]] | None]:
    """The intact manifest entries (from the first walk of `start_walks`, or this process
    checks them) and the staging folder's listing (from the second, or None: the writer
    lists it itself); `stage=False`: not needed (the second walk is stopped if started)."""
    broken = walks.outputs.result() if walks is not None else None
    if broken is None:
        intact = verified(target, manifest)
    elif not broken:  # the usual case: the manifest itself (which nothing changes)
        intact = manifest
    else:
        skip = set(broken)
        intact = {path: entry for path, entry in manifest.items() if path not in skip}
    if walks is None or walks.stage is None:
        return intact, None
    if not stage:
        walks.stage.cancel()
        return intact, None
    found = walks.stage.result()
    if found is None:
        return intact, None
    delta, missing, dirs = found
    files = expected_stage(manifest)
    for path in missing:
        del files[path]
    files.update(delta)
    return intact, (files, dirs)
