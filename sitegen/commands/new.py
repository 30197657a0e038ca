"""`sitegen new DIR`: copy the skeleton site; never clobber an existing folder's files."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from sitegen import __version__
from sitegen.commands.installsource import VENDOR, InstallSource, install_source
from sitegen.errors import SitegenError

SKELETON = Path(__file__).parent.parent / "skeleton"
#: Skeleton names that cannot be shipped as is (wheels and sdists may drop dotfiles and
#: dot-folders), renamed wherever they occur in a path.
RENAMES = {"gitignore": ".gitignore", "github": ".github"}
#: What may already be in the target folder: a fresh clone of an empty repository.
ALLOWED = frozenset({".git"})


@dataclass(frozen=True)
class NewSite:
    """What `create_site` did: the files written and the sitegen the site will install."""

    files: list[Path]
    source: InstallSource


def destination(target: Path, rel: Path) -> Path:
    """Where a skeleton file lands in the new site, dot-names restored."""
    return target.joinpath(*(RENAMES.get(part, part) for part in rel.parts))


def install_note(source: InstallSource) -> str:
    """The README paragraph on which sitegen the deploy workflow installs."""
    if source.reachable:
        return (f"`requirements.txt` pins the sitegen that made this site, {source.origin}:\n"
                "the workflow installs exactly that one. Change the line to upgrade.\n")
    return ("**Before the first push**, give the workflow a sitegen it can install.\n"
            f"This site was made by sitegen from {source.origin},\n"
            "which GitHub's runner cannot reach. Either vendor a wheel into this repository\n"
            f"(`requirements.txt` already points at `{source.requirement}`):\n\n"
            f"    {source.vendor_command}\n"
            f"    git add {VENDOR}/ && git commit -m 'Vendor sitegen'\n\n"
            "or install sitegen from a published source (a git URL or a package index) and\n"
            "write its line into `requirements.txt` instead (the form\n"
            "`sitegen @ git+URL@COMMIT` pins a commit of a git repository).\n")


def unreachable_warning(target: Path, source: InstallSource) -> str:
    """What `sitegen new` prints when the workflow could not install this sitegen."""
    return (f"{target / 'requirements.txt'}: warning: this sitegen comes from {source.origin}, "
            f"which the deploy workflow cannot install (hint: in {target}, run "
            f"`{source.vendor_command}` and commit {VENDOR}/, or install sitegen from a git "
            "URL or a package index and put its line in requirements.txt; README.md says how)")


def requirements_line(source: InstallSource) -> str:
    """requirements.txt's comment for this source, then its one requirement line."""
    if source.reachable:
        comment = f"# sitegen {__version__}, from {source.origin}."
    else:
        comment = (f"# sitegen {__version__} came from {source.origin}, which CI cannot reach:\n"
                   f"# vendor its wheel ({source.vendor_command}) and commit {VENDOR}/,\n"
                   "# or replace this line by a published source (README.md).")
    return f"{comment}\n{source.requirement}"


def fills(source: InstallSource) -> dict[str, dict[str, str]]:
    """Placeholders filled while copying: file (relative to the skeleton) -> token -> value."""
    return {"requirements.txt": {"@SITEGEN_REQUIREMENT@": requirements_line(source)},
            "sitegen.toml": {"@SITEGEN_SITE_ID@": str(uuid.uuid4())},
            "README.md": {"@SITEGEN_VERSION@": __version__,
                          "@SITEGEN_INSTALL_NOTE@": install_note(source)}}


def skeleton_files(source: InstallSource | None = None) -> list[tuple[Path, bytes]]:
    """(path relative to the new site, bytes) of every file `new` writes, placeholders filled."""
    filled = fills(source or install_source())
    files: list[tuple[Path, bytes]] = []
    for path in sorted(SKELETON.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(SKELETON)
        data = path.read_bytes()
        for token, value in filled.get(rel.as_posix(), {}).items():
            data = data.replace(token.encode(), value.encode())
        files.append((destination(Path(), rel), data))
    return files


def create_site(target: Path, source: InstallSource | None = None) -> NewSite:
    """Create a new site in `target` (missing, empty, or holding only `.git`)."""
    if target.exists() and not target.is_dir():
        raise SitegenError("exists and is not a folder", str(target))
    in_the_way = sorted(p.name for p in target.iterdir() if p.name not in ALLOWED) \
        if target.is_dir() else []
    if in_the_way:
        shown = ", ".join(in_the_way[:5]) + (", ..." if len(in_the_way) > 5 else "")
        raise SitegenError(f"folder is not empty ({shown}); refusing to overwrite it",
                           str(target), hint="choose a new folder, or one holding only .git")
    source = source or install_source()
    created: list[Path] = []
    for rel, data in skeleton_files(source):
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        with dest.open("xb") as handle:  # never replace a file that appeared meanwhile
            handle.write(data)
        created.append(dest)
    (target / "content" / "papers").mkdir(parents=True, exist_ok=True)
    return NewSite(created, source)
