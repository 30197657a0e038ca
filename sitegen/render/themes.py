"""Where a site's templates and static files come from: the site's own folders, its
theme's, then the packaged theme's (docs/themes.md)."""

from __future__ import annotations

from pathlib import Path

from sitegen.config import Config
from sitegen.errors import OutputError
from sitegen.util.fileio import leaves

PACKAGED_THEMES = Path(__file__).parent.parent / "themes"
SOURCE_THEMES = Path(__file__).parent.parent.parent / "themes"


def packaged_theme_root() -> Path:
    """Themes shipped with sitegen: in the wheel, or the repo's `themes/` when run from source."""
    return PACKAGED_THEMES if PACKAGED_THEMES.is_dir() else SOURCE_THEMES


def theme_dirs(config: Config) -> list[Path]:
    """The theme folders in lookup order (site's own theme first, packaged last)."""
    name = config.build["theme"]
    dirs = [config.root / "themes" / name, packaged_theme_root() / name]
    if name != "default":
        dirs.append(packaged_theme_root() / "default")
    existing = [d for d in dirs if d.is_dir()]
    if not existing:
        raise OutputError(f"theme '{name}' not found", "sitegen.toml",
                          hint="use 'default' or put the theme in themes/NAME/")
    return existing


def template_dirs(config: Config) -> list[Path]:
    """The template folders in lookup order, the site's own `templates/` first."""
    dirs = [config.root / "templates"] + [d / "templates" for d in theme_dirs(config)]
    return [d for d in dirs if d.is_dir()]


def static_dirs(config: Config) -> list[Path]:
    """Static-file folders, lowest priority first, so later ones override earlier files."""
    dirs = [d / "static" for d in reversed(theme_dirs(config))] + [config.root / "static"]
    return [d for d in dirs if d.is_dir()]


def check_links(config: Config) -> None:
    """Refuse site templates that are symlinks out of the site (they would be published)."""
    for folder in (config.root / "templates", config.root / "themes"):
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.is_symlink() and leaves(path, folder):
                    raise OutputError("a template or theme file links outside its folder",
                                      str(path), hint="copy the file in instead of linking")
