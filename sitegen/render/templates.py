"""The Jinja environment: theme lookup, autoescape, strict undefined, the site's filters.

Lookup order for a template name: the site's `templates/`, the site's
`themes/<theme>/templates/`, then the packaged theme. `{% extends "default:paper.html" %}`
reaches the packaged default theme's original, so an override can extend it.
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.compiler import CodeGenerator
from markupsafe import Markup

from sitegen.config import Config
from sitegen.errors import OutputError
from sitegen.incremental.digests import code_digest
from sitegen.incremental.pagecache import PageCache
from sitegen.incremental.statefile import load_state, save_state
from sitegen.links import paper_links
from sitegen.render.textrender import notes_to_html, preview, text_with_math
from sitegen.urls import Urls
from sitegen.util.fileio import leaves
from sitegen.util.sealed import read_sealed, write_sealed

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


_PLAIN_CALLABLES = frozenset({types.FunctionType, types.MethodType, types.BuiltinFunctionType,
                               types.BuiltinMethodType})


class _Context(jinja2.runtime.Context):
    """Jinja's context, with a shorter path for calling plain functions (`url()` is called
    dozens of times per page): the same result as `Context.call`, which looks up the
    `pass_context` markers of every callable twice."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        if __obj is fragment and len(args) == 1:  # no derived context per call in a loop
            local = {**(kwargs.pop("_loop_vars", None) or {}),
                     **(kwargs.pop("_block_vars", None) or {})}
            return _fragment(__self, local, args[0], kwargs)
        if __obj is fragments and len(args) == 3:
            local = {**(kwargs.pop("_loop_vars", None) or {}),
                     **(kwargs.pop("_block_vars", None) or {})}
            return _fragments(__self, local, *args, kwargs)
        if type(__obj) in _PLAIN_CALLABLES and not hasattr(__obj, "jinja_pass_arg"):
            if kwargs:
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception")
        return super().call(__obj, *args, **kwargs)


class _NameTracker(meta.TrackingCodeGenerator):
    """`jinja2.meta.find_undeclared_variables`, but keeping the names of globals too: a
    page may shadow a global, and then a partial reading it depends on the page."""

    def enter_frame(self, frame: Any) -> None:
        CodeGenerator.enter_frame(self, frame)
        for action, param in frame.symbols.loads.values():
            if action == "resolve":
                self.undeclared_identifiers.add(param)


class _Environment(jinja2.Environment):
    """Jinja's environment with the short call path, and templates whose globals are a
    plain dict: Jinja's `ChainMap` is copied key by key into every page's (and every
    include's) context, ~20 Python-level lookups each time. The dict is a snapshot of the
    environment's globals when the template is loaded; the build sets them all first."""

    context_class = _Context

    def make_globals(self, d: Any) -> Any:
        return {**self.globals, **(d or {})}


_COMPOSED = (nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport)


def _free_names(env: jinja2.Environment, name: str) -> frozenset[str] | None:
    """The names template `name` reads from its context; None if it includes, extends or
    imports other templates, or calls `fragment` or `fragments` (what those read is not
    known here). Kept across builds by the `FragmentStore` (parsing costs ms a template)."""
    found = env.__dict__.setdefault("_sitegen_free_names", {})
    if name not in found:
        assert env.loader is not None
        source = env.loader.get_source(env, name)[0]
        store: FragmentStore | None = env.__dict__.get("_sitegen_store")
        known = store.names().get(source, False) if store is not None else False
        if known is not False:
            found[name] = known
            return known
        ast = env.parse(source, name)
        composed = any(True for _ in ast.find_all(_COMPOSED)) or any(
            isinstance(call.node, nodes.Name) and call.node.name in ("fragment", "fragments")
            for call in ast.find_all(nodes.Call))
        if composed:
            found[name] = None
        else:
            tracker = _NameTracker(env)
            tracker.visit(ast)
            found[name] = frozenset(tracker.undeclared_identifiers)
        if store is not None:
            store.names()[source] = found[name]
    return found[name]


@jinja2.pass_context
def fragment(context: jinja2.runtime.Context, name: str, **values: Any) -> Markup:
    """`{% include name %}` with `values` added to the context, rendered once per build
    when it can be: a partial that reads only the site's globals and `values` (the header,
    the footer, a paper's row on tag pages) gives the same HTML on every page, so it is
    kept and reused (per environment, that is per build). A partial that reads anything
    of the page (a site's own override may) is rendered on every call, like an include."""
    return _fragment(context, {}, name, values)


@jinja2.pass_context
def fragments(context: jinja2.runtime.Context, name: str, key: str, items: Iterable[Any],
              **values: Any) -> Markup:
    """`fragment(name, key=item, **values)` for each of `items`, joined: a list of rows
    (`partials/paper_rows.html`) in one call, which costs a lookup per kept row instead
    of a template call."""
    return _fragments(context, {}, name, key, items, values)


def _shared(context: jinja2.runtime.Context, local: dict[str, Any], name: str,
            values: dict[str, Any]) -> bool:
    """Whether partial `name` reads only the globals and `values` (whose names count)
    where it is called: then it gives the same HTML wherever it is called with them."""
    env = context.environment
    free = _free_names(env, name)
    return free is not None and all(
        n in values or (n in env.globals and n not in local and n not in context.vars
                        and context.parent.get(n) is env.globals[n]) for n in free)


def _fragment(context: jinja2.runtime.Context, local: dict[str, Any], name: str,
              values: dict[str, Any]) -> Markup:
    """`fragment` with the caller's loop and block variables (`local`) passed apart, so
    that a cached fragment costs no derived context."""
    if _shared(context, local, name, values):
        env = context.environment
        return _kept(env, env.__dict__.setdefault("_sitegen_fragments", {}), context.name,
                     name, values)
    template = context.environment.get_template(name, parent=context.name)
    return Markup(template.render({**context.get_all(), **local, **values}))  # noqa: S704


def _fragments(context: jinja2.runtime.Context, local: dict[str, Any], name: str, key: str,
               items: Iterable[Any], values: dict[str, Any]) -> Markup:
    if not _shared(context, local, name, {**values, key: None}):
        return Markup("".join([_fragment(context, local, name, {**values, key: item})  # noqa: S704
                               for item in items]))
    env = context.environment
    memo = env.__dict__.setdefault("_sitegen_fragments", {})
    parent = context.name
    if not values:  # a row per paper: its memo entry found without a call
        html = []
        for item in items:
            hit = memo.get((name, key, id(item)))
            html.append(hit[1] if hit is not None and hit[0][0] is item
                        else _kept(env, memo, parent, name, {key: item}))
        return Markup("".join(html))  # noqa: S704
    return Markup("".join([_kept(env, memo, parent, name, {**values, key: item})  # noqa: S704
                           for item in items]))


def _kept(env: jinja2.Environment, memo: dict[tuple, tuple[tuple, Markup]], parent: str | None,
          name: str, values: dict[str, Any]) -> Markup:
    """A shared fragment: from this build's `memo` (by the values' identities: the memo
    keeps them alive, so their ids stay theirs), from the `FragmentStore` of former
    builds, or rendered."""
    key = (name, *values, *map(id, values.values()))
    hit = memo.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], values.values(), strict=True)):
        return hit[1]
    store: FragmentStore | None = env.__dict__.get("_sitegen_store")
    stored = store.key(name, values) if store is not None else None
    kept = store.get(stored) if store is not None and stored is not None else None
    if kept is not None:
        html = Markup(kept)  # noqa: S704
    else:
        html = Markup(env.get_template(name, parent=parent).render(values))  # noqa: S704
        if store is not None and stored is not None:
            store.put(stored, html)
    memo[key] = (tuple(values.values()), html)
    return html


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's `FileSystemBytecodeCache` (checked against each template's source), its
    files sealed with the user's key (incremental/sealed.py: Jinja unpickles and
    unmarshals them, so a file this user's sitegen did not write is never loaded), on
    which a file that does not load or cannot be written is no error: the template is
    compiled again, as without a cache."""

    def load_bytecode(self, bucket: Any) -> None:
        payload = read_sealed(Path(self._get_cache_filename(bucket)))
        if payload is None:
            return
        try:
            bucket.bytecode_from_string(bytes(payload))
        except Exception:  # a damaged file: compile instead
            bucket.reset()

    def dump_bytecode(self, bucket: Any) -> None:
        try:
            write_sealed(Path(self._get_cache_filename(bucket)), bucket.bytecode_to_string())
        except OSError:
            pass


def use_bytecode_cache(env: jinja2.Environment, folder: Path, clean: bool = False) -> None:
    """Keep the compiled templates in the build cache `folder`: compiling a theme's
    templates costs 50-80 ms a build, loading them 4 ms. The files are named after
    sitegen's code digest (the environment's options are in the code; Jinja checks each
    template's source and its own version); other versions' files are removed, and all
    of them with `clean`. An unwritable cache folder means no cache."""
    from sitegen.incremental.digests import code_digest

    prefix = f"jinja-{code_digest().hex()[:16]}-"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("jinja-*.cache"):
            if clean or not old.name.startswith(prefix):
                old.unlink()
    except OSError:
        return
    env.bytecode_cache = _BytecodeCache(str(folder), prefix + "%s.cache")


class FragmentStore:
    """Fragments kept across builds (`fragment`): the HTML of a partial that reads only
    the globals and its values, by a digest of the page cache's base (code, templates,
    globals, filters), its name and its values (`PageCache.digest_of`). A tag's main page
    shows its newest 100-199 papers as rows: a day adds about 30 rows, the others come
    from here instead of being rendered again (1,600 rows a day at 10,000 papers).

    Read from `path` when first needed; `save` writes the fragments this build used (and
    those it read, while they are not many more: the file does not grow without end), or
    none if it used more than `LIMIT`."""

    SPARE = 2000  # fragments of former builds kept beside this build's
    #: a build that used more made (nearly) every page: its fragments are not kept (10,000s
    #: of rows, most never needed again; the next build keeps those it uses)
    LIMIT = 10_000

    def __init__(self, cache: PageCache, path: Path) -> None:
        self.cache, self.path = cache, path
        self.old: dict[bytes, str] | None = None
        self.used: dict[bytes, str] = {}
        self.full = False  # more than LIMIT used: none kept
        #: `_free_names` of template sources (sitegen's code is in the file's key)
        self.free_names: dict[str, frozenset[str] | None] | None = None
        self.loaded_names: set[str] = set()

    def _load(self) -> None:
        state = load_state(self.path)
        if state is None or state.get("code") != code_digest():
            state = {}
        fragments, names = state.get("fragments"), state.get("names")
        self.old = fragments if isinstance(fragments, dict) else {}
        self.free_names = names if isinstance(names, dict) else {}
        self.loaded_names = set(self.free_names)

    def names(self) -> dict[str, frozenset[str] | None]:
        """The names each template source reads (`_free_names`), by source."""
        if self.free_names is None:
            self._load()
        assert self.free_names is not None
        return self.free_names

    def key(self, name: str, values: dict[str, Any]) -> bytes | None:
        """The key of partial `name` rendered with `values`; None if uncacheable."""
        return self.cache.digest_of("fragment\0" + name, values)

    def get(self, key: bytes) -> str | None:
        """A fragment kept by a former build, or None."""
        if self.old is None:
            self._load()
            assert self.old is not None
        html = self.old.get(key)
        if html is not None and not self.full:
            self.used[key] = html
        return html

    def put(self, key: bytes, html: str) -> None:
        """A fragment rendered by this build."""
        if self.full:
            return
        self.used[key] = str(html)
        if len(self.used) > self.LIMIT:  # not kept (`save`): no memory held for them
            self.used.clear()
            self.full = True

    def save(self) -> None:
        """Write the fragments (nothing when none was needed and no template is new)."""
        if self.old is None and self.free_names is None:
            return
        old, used, names = self.old or {}, self.used, self.free_names or {}
        if all(key in old for key in used) and names.keys() == self.loaded_names:
            return
        kept = {**old, **used} if not used or len(old) <= len(used) + self.SPARE else used
        save_state(self.path, {"fragments": kept, "names": names, "code": code_digest()})


def use_fragment_store(env: jinja2.Environment, cache: PageCache, path: Path) -> None:
    """Keep shared fragments across builds in `path` (`FragmentStore`)."""
    env.__dict__["_sitegen_store"] = FragmentStore(cache, path)


def save_fragment_store(env: jinja2.Environment) -> None:
    """Write the environment's `FragmentStore`, if it has one."""
    store = env.__dict__.get("_sitegen_store")
    if store is not None:
        store.save()


def forget_fragments(env: jinja2.Environment) -> None:
    """Drop the fragments kept for reuse (`fragment`): once the pages are made, they are
    only memory (a row per paper: over 100 MB at 50,000 papers)."""
    env.__dict__.pop("_sitegen_fragments", None)


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
    env = _Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
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
        fragment=fragment,
        fragments=fragments,
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
