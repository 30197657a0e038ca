"""The papers folder, `content/papers/<slug>.md`: list, read and write paper files.

`load_papers` reads the whole folder, the way `check`, `serve`, `fetch` and tests do; the
build reads it through the parse cache (incremental/papercache.py), which calls
`read_paper` for each file it has not seen as it is now. The file format itself is
paperfile.py (data <-> `Paper`) and frontmatter.py (text <-> data).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from sitegen.errors import OutputError
from sitegen.model import Paper, Problem
from sitegen.store.paperfile import PaperFile, paper_to_text, parse_paper, problem
from sitegen.util.fileio import atomic_write_all, leaves
from sitegen.util.gcpause import gc_paused

__all__ = ["MAX_PAPER_BYTES", "PAPERS_DIR", "PaperFile", "check_duplicate", "keep_paper",
           "load_papers", "paper_files", "paper_names", "paper_path", "paper_to_text",
           "parse_paper", "read_paper", "read_paper_file", "write_papers"]

PAPERS_DIR = Path("content") / "papers"
#: Paper files are a few kB (the hostile corpus's 1 MB abstract is far beyond real ones).
MAX_PAPER_BYTES = 16 << 20


def read_paper_file(file: Path, root: Path) -> PaperFile:
    """Read one paper file; unreadable bytes become a problem, never an exception."""
    rel = file.relative_to(root).as_posix() if file.is_relative_to(root) else str(file)
    try:
        st = os.lstat(file)
    except OSError:
        st = None
    return read_paper(os.fspath(file), rel, st)


def read_paper(path: str, rel: str, st: os.stat_result | None) -> PaperFile:
    """`read_paper_file` for a path, its name relative to the site (`rel`, what problems
    say) and its `lstat` (None if that failed).

    Only a symlink can lead out of the papers folder, so only then is the path resolved
    (a resolve costs a system call per path component, for every file of the folder).
    """
    if "\\" in rel:  # a file name the writer refuses (as it could leave the output folder)
        return PaperFile(None, (problem(rel, "the file name holds a backslash, which no page "
                                        "path may; not read", "rename the file"),))
    if st is None or stat.S_ISLNK(st.st_mode):
        file = Path(path)
        try:
            outside = leaves(file, file.parent)
        except (RuntimeError, OSError):  # a symlink loop (`loop.md -> loop.md`)
            return PaperFile(None, (problem(rel, "is a symlink loop; not read",
                                            "replace the link by the paper file"),))
        if outside:  # a symlinked papers folder is fine, a linked file is not
            return PaperFile(None, (problem(rel, "links to a file outside the papers folder; "
                                            "not read",
                                            "copy the paper file in instead of linking"),))
    try:
        if st is None or stat.S_ISLNK(st.st_mode):
            st = os.stat(path)
        if st.st_size > MAX_PAPER_BYTES:
            return PaperFile(None, (problem(rel, f"over {MAX_PAPER_BYTES >> 20} MB; not read",
                                            "a paper file is a few kB"),))
        with open(path, "rb", buffering=0) as handle:
            text = handle.readall().decode("utf-8")
    except UnicodeDecodeError as exc:
        return PaperFile(None, (problem(rel, f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                                        "save the file as UTF-8"),))
    except OSError as exc:
        return PaperFile(None, (problem(rel, f"cannot read: {exc.strerror}"),))
    return parse_paper(text, rel.rpartition("/")[2].removesuffix(".md"), rel)


def paper_names(folder: Path) -> list[str]:
    """The names of the paper files in `folder`, sorted: `*.md` regular files (or links to
    them), not hidden."""
    try:
        entries = list(os.scandir(folder))
    except OSError:  # no folder yet
        return []
    return sorted(e.name for e in entries if e.name.endswith(".md")
                  and not e.name.startswith(".") and _is_paper_file(e))


def _is_paper_file(entry: os.DirEntry[str]) -> bool:
    """A regular file, or a link to one; also a link that leads nowhere (a loop, a missing
    target): reading it reports the problem, naming the file, instead of skipping it."""
    try:
        return entry.is_file() or (entry.is_symlink() and not entry.is_dir())
    except OSError:  # `loop.md -> loop.md`: ELOOP
        return True


def paper_files(root: Path) -> list[Path]:
    """The paper files of a site, in a stable order."""
    folder = root / PAPERS_DIR
    return [folder / name for name in paper_names(folder)]


def check_duplicate(paper: Paper, seen: dict[str, str]) -> Problem | None:
    """The problem of a paper whose arXiv id an earlier file (in `seen`: id -> path) had:
    that paper is left out. None (and the id noted) for the first file of an id."""
    arxiv_id = paper.arxiv_id
    if not arxiv_id:
        return None
    first = seen.setdefault(arxiv_id, paper.path)
    if first == paper.path:
        return None
    return problem(paper.path, f"duplicate id '{arxiv_id}', also in {first}; this file is "
                   "left out", "merge the two files into one")


def keep_paper(paper: Paper | None, seen: dict[str, str], papers: list[Paper],
               problems: list[Problem]) -> Paper | None:
    """Append a paper read from its file to `papers`, unless there is none or an earlier
    file had its arXiv id (then a problem says so); the paper kept, or None."""
    if paper is None:
        return None
    if paper.arxiv_id and (duplicate := check_duplicate(paper, seen)):
        problems.append(duplicate)
        return None
    papers.append(paper)
    return paper


def load_papers(root: Path, read: Callable[[Path, Path], PaperFile] | None = None
                ) -> tuple[list[Paper], list[Problem]]:
    """Read every paper file of the site; return the usable papers and all problems.

    `read` replaces `read_paper_file` (`serve` passes one that reuses unchanged files).
    The papers come with their stored tags (the build adds the rule tags).
    """
    folder = root / PAPERS_DIR
    base, rel_base = os.fspath(folder) + os.sep, PAPERS_DIR.as_posix() + "/"
    papers: list[Paper] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    with gc_paused():
        for name in paper_names(folder):
            if read is not None:
                result = read(folder / name, root)
            else:
                try:
                    st: os.stat_result | None = os.lstat(base + name)
                except OSError:
                    st = None
                result = read_paper(base + name, rel_base + name, st)
            problems.extend(result.problems)
            keep_paper(result.paper, seen, papers, problems)
    return papers, problems


def paper_path(root: Path, slug: str) -> Path:
    """Where the paper with this slug is stored."""
    return root / PAPERS_DIR / f"{slug}.md"


def write_papers(root: Path, papers: Iterable[Paper]) -> list[Path]:
    """Write papers whose text changed, each atomically; return the files written."""
    changed: list[tuple[Path, bytes]] = []
    for paper in papers:
        file = paper_path(root, paper.slug)
        text = paper_to_text(paper)
        try:
            if file.read_text(encoding="utf-8") == text:
                continue
        except (OSError, UnicodeDecodeError):  # missing, unreadable: (re)write it
            pass
        changed.append((file, text.encode("utf-8")))
    try:
        atomic_write_all(changed)
    except OSError as exc:
        where = exc.filename or str(root / PAPERS_DIR)
        raise OutputError(f"cannot write a paper file: {exc.strerror or exc}", str(where),
                          hint="check free disk space and permissions; every paper file is "
                          "whole, old or new") from None
    return [file for file, _ in changed]
