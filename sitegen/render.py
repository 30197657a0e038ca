"""The Jinja environment: theme lookup, autoescape, strict undefined, the site's filters.

Lookup order for a template name: the site's `templates/`, the site's
`themes/<theme>/templates/`, then the packaged theme. `{% extends "default:paper.html" %}`
reaches the packaged default theme's original, so an override can extend it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .config import Config
from .errors import OutputError
from .fileio import leaves
from .links import paper_links
from .textrender import notes_to_html, preview, text_with_math
from .urls import Urls

PACKAGED_THEMES = Path(__file__).parent / "themes"
SOURCE_THEMES = Path(__file__).parent.parent / "themes"


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


def _format_date(value: dt.date, style: str = "long") -> str:
    if style == "iso":
        return value.isoformat()
    if style == "short":
        return f"{value:%b} {value.day}"
    return f"{value:%B} {value.day}, {value.year}"


def _check_links(config: Config) -> None:
    """Refuse site templates that are symlinks out of the site (they would be published)."""
    for folder in (config.root / "templates", config.root / "themes"):
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.is_symlink() and leaves(path, folder):
                    raise OutputError("a template or theme file links outside its folder",
                                      str(path), hint="copy the file in instead of linking")


def make_environment(config: Config, urls: Urls) -> jinja2.Environment:
    """A Jinja environment for one build: autoescape on, undefined names are errors."""
    _check_links(config)
    default_templates = packaged_theme_root() / "default" / "templates"
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader([str(d) for d in template_dirs(config)]),
        jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(str(default_templates))},
                            delimiter=":"),
    ])
    # auto_reload off: one environment serves one build, so templates are not re-checked
    # on disk for every page and every include (thousands of stat calls).
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             auto_reload=False)
    # Both return HTML built from escaped text and nh3-cleaned markup (textrender.py).
    env.filters["math"] = lambda text, links=True: Markup(  # noqa: S704
        text_with_math(text, links))
    env.filters["notes"] = lambda text: Markup(notes_to_html(text))  # noqa: S704
    env.filters["preview"] = preview
    env.filters["date"] = _format_date
    env.globals.update(
        url=urls.url,
        absolute=urls.absolute,
        links_of=paper_links,
        site=config.site,
        extra=config.extra,
        config=config,
    )
    return env


def render_template(env: jinja2.Environment, name: str, context: dict[str, Any]) -> bytes:
    """Render one page; template problems become an `OutputError` naming the template."""
    try:
        return env.get_template(name).render(context).encode("utf-8")
    except jinja2.TemplateSyntaxError as exc:
        raise OutputError(f"template syntax: {exc.message}", exc.filename or exc.name or name,
                          exc.lineno) from None
    except jinja2.TemplateNotFound as exc:
        raise OutputError(f"template not found: {exc.name}", name,
                          hint="check the name in {% extends %} or {% include %}") from None
    except jinja2.UndefinedError as exc:
        raise OutputError(f"while rendering: {exc.message}", _template_file(env, name),
                          hint="check the variable names in the template") from None
    except Exception as exc:  # a template may raise anything (bad filter arguments, ...)
        raise OutputError(f"while rendering: {type(exc).__name__}: {exc}",
                          _template_file(env, name)) from None


def _template_file(env: jinja2.Environment, name: str) -> str:
    try:
        return env.get_template(name).filename or name
    except Exception:
        return name
