"""What the search stage asks for, and the plain store that makes all of it.

`index.search_outputs` makes the search files from parts it asks a `SearchStore` for: the
papers in number order, their analyses and doc records, files of the last build that can
be kept as they are, and the recent segment to go on from. `PlainStore` makes every part
and keeps nothing (tests, the benchmark); `incremental.searchstore.CachedSearchStore`
keeps them between builds. The stage never knows which it has: keys and digests are the
store's business.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from sitegen.model import Paper, Site
from sitegen.search.analyser import Analysis
from sitegen.search.documents import Maker, paper_order
from sitegen.search.segment import Appendable
from sitegen.urls import Urls


class FileHash(NamedTuple):
    """A search file made (or kept) and a digest of its bytes (the versions hash them)."""

    path: str
    digest: bytes


@dataclass(frozen=True)
class SegmentFiles:
    """A segment's files with their digests (its doc-store buckets too) and its entry in
    the manifest."""

    files: tuple[FileHash, ...]
    entry: dict[str, Any]


@dataclass(frozen=True)
class MadeIndex:
    """What a build made: every search file (base, recent, manifest), the base segment's
    files when they were made (not kept), and the recent segment (to go on from)."""

    files: tuple[FileHash, ...]
    base: SegmentFiles | None
    recent: Appendable


class SearchStore(Protocol):
    """Where the search stage gets the parts of the index."""

    def numbered(self, site: Site) -> Sequence[Paper]:
        """The site's papers in number order (`documents.paper_order`). Asked first."""

    def kept_index(self) -> Sequence[str] | None:
        """The paths of the last build's search files, if every one is as this build
        would make it and intact in the output folder."""

    def kept_base(self, stop: int) -> SegmentFiles | None:
        """The last build's base segment (papers [0, stop)), if its files are as this
        build would make them and intact in the output folder."""

    def analyses(self, start: int, stop: int) -> Iterator[Analysis]:
        """The analyses of papers [start, stop), one at a time."""

    def records(self, start: int, stop: int) -> list[str]:
        """The doc-store records (JSON) of papers [start, stop)."""

    def recent(self, start: int) -> Appendable | None:
        """The last build's recent segment, if its papers are this build's first papers
        from number `start` on (the stage adds the others)."""

    def finish(self, made: MadeIndex) -> None:
        """Told what the build made, once every file is out."""


class PlainStore:
    """Makes every part, keeps nothing."""

    def __init__(self, urls: Urls) -> None:
        self.maker = Maker(urls)
        self.papers: Sequence[Paper] = ()

    def numbered(self, site: Site) -> Sequence[Paper]:
        self.papers = paper_order(site.papers, site.days)
        return self.papers

    def kept_index(self) -> Sequence[str] | None:
        return None

    def kept_base(self, stop: int) -> SegmentFiles | None:
        return None

    def analyses(self, start: int, stop: int) -> Iterator[Analysis]:
        return map(self.maker.analysis, self.papers[start:stop])

    def records(self, start: int, stop: int) -> list[str]:
        return list(map(self.maker.record, self.papers[start:stop]))

    def recent(self, start: int) -> Appendable | None:
        return None

    def finish(self, made: MadeIndex) -> None:
        pass
