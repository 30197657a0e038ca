"""`sitegen new DIR`: copy the skeleton site; never clobber an existing folder's files."""

from __future__ import annotations

from pathlib import Path

from sitegen import PROJECT_URL, __version__
from sitegen.errors import SitegenError

SKELETON = Path(__file__).parent.parent / "skeleton"
#: Skeleton names that cannot be shipped as is (wheels and sdists may drop dotfiles and
#: dot-folders), renamed wherever they occur in a path.
RENAMES = {"gitignore": ".gitignore", "github": ".github"}
#: Where sitegen's source lives: the deploy workflow of a new site installs from there.
SOURCE_REPO = PROJECT_URL
#: The pinned requirement a new site's workflow installs (the name on PyPI is taken).
REQUIREMENT = f"sitegen @ git+{SOURCE_REPO}@v{__version__}"
#: Placeholders filled in while copying: file (relative to the skeleton) -> token -> value.
FILL = {"requirements.txt": {"@SITEGEN_REQUIREMENT@": REQUIREMENT}}


def destination(target: Path, rel: Path) -> Path:
    """Where a skeleton file lands in the new site, dot-names restored."""
    return target.joinpath(*(RENAMES.get(part, part) for part in rel.parts))


def skeleton_files() -> list[tuple[Path, bytes]]:
    """(path relative to the new site, bytes) of every file `new` writes, placeholders filled."""
    files: list[tuple[Path, bytes]] = []
    for source in sorted(SKELETON.rglob("*")):
        if not source.is_file() or "__pycache__" in source.parts:
            continue
        rel = source.relative_to(SKELETON)
        data = source.read_bytes()
        for token, value in FILL.get(rel.as_posix(), {}).items():
            data = data.replace(token.encode(), value.encode())
        files.append((destination(Path(), rel), data))
    return files


def create_site(target: Path) -> list[Path]:
    """Create a new site in `target` (missing or empty); return the files written."""
    if target.exists() and not target.is_dir():
        raise SitegenError("exists and is not a folder", str(target))
    if target.is_dir() and any(target.iterdir()):
        raise SitegenError("folder is not empty; refusing to overwrite it", str(target),
                           hint="choose a new folder name")
    created: list[Path] = []
    for rel, data in skeleton_files():
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        created.append(dest)
    (target / "content" / "papers").mkdir(parents=True, exist_ok=True)
    return created
