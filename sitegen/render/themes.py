"""Where a site's templates and static files come from: the site's own folders, its
theme's, then the packaged theme's (docs/themes.md)."""

from __future__ import annotations

import difflib
from pathlib import Path

from sitegen.config import CONFIG_FILE, Config
from sitegen.errors import ConfigError, OutputError
from sitegen.util.fileio import leaves

PACKAGED_THEMES = Path(__file__).parent.parent / "themes"
SOURCE_THEMES = Path(__file__).parent.parent.parent / "themes"


def packaged_theme_root() -> Path:
    """Themes shipped with sitegen: in the wheel, or the repo's `themes/` when run from source."""
    return PACKAGED_THEMES if PACKAGED_THEMES.is_dir() else SOURCE_THEMES


def known_themes(config: Config) -> list[str]:
    """The theme names this site can use: its own `themes/NAME/` and the packaged ones."""
    folders = [config.root / "themes", packaged_theme_root()]
    return sorted({d.name for folder in folders if folder.is_dir()
                   for d in folder.iterdir() if d.is_dir() and not d.name.startswith(".")})


def unknown_theme(config: Config, name: str) -> ConfigError:
    """`[build] theme` names no theme: an error at its line, with the closest name."""
    path = config.root / CONFIG_FILE
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        line = next((n for n, text in enumerate(lines, 1)
                     if text.strip().startswith("theme") and "=" in text), None)
    except (OSError, UnicodeDecodeError):
        line = None
    known = known_themes(config)
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean '{close[0]}'?" if close else \
        f"known: {', '.join(known)}; or put your theme in themes/{name}/"
    return ConfigError(f"[build] theme: no theme named {name!r}", str(path), line, hint)


def theme_dirs(config: Config) -> list[Path]:
    """The theme folders in lookup order (site's own theme first, packaged last). A name
    that is neither a folder of the site's `themes/` nor a packaged theme is an error (a
    typo must not build with the default theme and say nothing)."""
    name = config.build["theme"]
    dirs = [config.root / "themes" / name, packaged_theme_root() / name]
    if not any(d.is_dir() for d in dirs):
        raise unknown_theme(config, name)
    if name != "default":
        dirs.append(packaged_theme_root() / "default")
    return [d for d in dirs if d.is_dir()]


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
