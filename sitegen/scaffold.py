"""`sitegen new DIR`: copy the skeleton site; never clobber an existing folder's files."""

from __future__ import annotations

from pathlib import Path

from .errors import SitegenError

SKELETON = Path(__file__).parent / "skeleton"
#: Skeleton names that cannot be shipped as is (a wheel drops dotfiles in some tools).
RENAMES = {"gitignore": ".gitignore"}


def create_site(target: Path) -> list[Path]:
    """Create a new site in `target` (missing or empty); return the files written."""
    if target.exists() and not target.is_dir():
        raise SitegenError("exists and is not a folder", str(target))
    if target.is_dir() and any(target.iterdir()):
        raise SitegenError("folder is not empty; refusing to overwrite it", str(target),
                           hint="choose a new folder name")
    created: list[Path] = []
    for source in sorted(SKELETON.rglob("*")):
        if not source.is_file() or "__pycache__" in source.parts:
            continue
        rel = source.relative_to(SKELETON)
        dest = target / rel.parent / RENAMES.get(rel.name, rel.name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(source.read_bytes())
        created.append(dest)
    (target / "content" / "papers").mkdir(parents=True, exist_ok=True)
    return created
