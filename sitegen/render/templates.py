"""The Jinja environment: autoescape, strict undefined, the site's filters, includes made
once a build where they can be; the one module that imports Jinja.

Lookup order for a template name (themes.py): the site's `templates/`, the site's
`themes/<theme>/templates/`, then the packaged theme. `{% extends "default:paper.html" %}`
reaches the packaged default theme's original, so an override can extend it.
"""

from __future__ import annotations

import datetime as dt
import types
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.compiler import CodeGenerator
from jinja2.utils import missing
from markupsafe import Markup

from sitegen.config import Config
from sitegen.errors import OutputError
from sitegen.links import paper_links
from sitegen.render.cards import card_of
from sitegen.render.citations import coins
from sitegen.render.fragments import FragmentStore, NoFragments
from sitegen.render.textrender import notes_to_html, preview, text_with_math
from sitegen.render.themes import check_links, packaged_theme_root, template_dirs
from sitegen.render.units import Base
from sitegen.site.people import people_rules, watched_pages
from sitegen.site.periods import RANKING_RULE, top_of_day
from sitegen.urls import Urls
from sitegen.util.sealed import read_sealed, write_sealed


def _format_date(value: dt.date, style: str = "long") -> str:
    if style == "iso":
        return value.isoformat()
    if style == "short":
        return f"{value:%b} {value.day}"
    return f"{value:%B} {value.day}, {value.year}"


_PLAIN_CALLABLES = frozenset({types.FunctionType, types.MethodType, types.BuiltinFunctionType,
                               types.BuiltinMethodType})
#: Values whose identity stands for their content within a build: the site's frozen data.
_IMMUTABLE = {str, int, float, bool, type(None), dt.date, Markup, tuple, frozenset}
_FROZEN: dict[type, bool] = {}


def _immutable(value: Any) -> bool:
    kind = type(value)
    known = _FROZEN.get(kind)
    if known is None:
        params = getattr(kind, "__dataclass_params__", None)
        known = _FROZEN[kind] = kind in _IMMUTABLE or params is not None and params.frozen
    return known


class _Context(jinja2.runtime.Context):
    """Jinja's context, with the names an include passed down (`passed`), and a shorter
    path for calling plain functions.

    The override of `call` is kept for speed: `url()` is called dozens of times per page,
    and `Context.call` looks up the `pass_context` markers of every callable twice
    (docs/performance.md). It gives the same result: what has a marker, or is not a plain
    function, goes to Jinja's own."""

    #: Names the includes that made this context passed to it (their loop variables and
    #: `{% with %}`/`{% set %}` names), and those passed to its includer.
    passed: frozenset[str] = frozenset()

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
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


class _CodeGenerator(CodeGenerator):
    """Jinja's code generator (`Environment.code_generator_class`), but an `{% include %}`
    of a template named by a constant, with its context, becomes a call of
    `SiteEnvironment.include` with the names it passes (the including template's loop,
    `with` and `set` variables, as Jinja passes them), which gives the same HTML."""

    def visit_Include(self, node: nodes.Include, frame: Any) -> None:  # noqa: N802
        if not _constant(node) or self.environment.is_async:
            super().visit_Include(node, frame)
            return
        name = node.template.value  # type: ignore[attr-defined]
        self.simple_write(f"environment.include(context, {name!r}, "
                          f"{self.dump_local_context(frame)}, {self.name!r})", frame, node)


class _NameTracker(meta.TrackingCodeGenerator):
    """`jinja2.meta.find_undeclared_variables`, but keeping the names of globals too: a
    page may shadow a global, and then a partial reading it depends on the page."""

    def enter_frame(self, frame: Any) -> None:
        CodeGenerator.enter_frame(self, frame)
        for action, param in frame.symbols.loads.values():
            if action == "resolve":
                self.undeclared_identifiers.add(param)


_COMPOSED = (nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport)


def _constant(include: nodes.Include) -> bool:
    """Whether an include names its template by a constant and passes its context: those
    `_CodeGenerator` compiles to a call of `SiteEnvironment.include`."""
    return (include.with_context and not include.ignore_missing
            and isinstance(include.template, nodes.Const)
            and isinstance(include.template.value, str))


class SiteEnvironment(jinja2.Environment):
    """Jinja's environment with includes made once per build where they can be, the short
    call path, and templates whose globals are a plain dict: Jinja's `ChainMap` is copied
    key by key into every page's (and every include's) context, ~20 Python-level lookups
    each time. The dict is a snapshot of the environment's globals when the template is
    loaded; the build sets them all first.

    An include is reused (`include`) when the partial includes, extends and imports
    nothing, and every name it reads is a global the page does not shadow or a name passed
    to it (a loop variable of the including template, a `{% with %}` or `{% set %}` name,
    or one passed to the template that includes it) holding the site's frozen data: the
    partial then makes the same HTML from the same values. It is kept for this build by
    the values' identities (`reused`, which keeps them alive: their ids stay theirs) and
    in `fragments` by their digests (across builds)."""

    code_generator_class = _CodeGenerator
    context_class = _Context

    def __init__(self, fragments: FragmentStore, **options: Any) -> None:
        super().__init__(**options)
        self.fragments = fragments
        #: what each partial reads (sorted), by name; None: it includes, extends or imports
        self.reads: dict[str, tuple[str, ...] | None] = {}
        #: this build's reused includes: (name, value names, value ids) -> HTML
        self.reused: dict[tuple[Any, ...], tuple[tuple[Any, ...], str]] = {}

    def make_globals(self, d: Any) -> Any:
        return {**self.globals, **(d or {})}

    def include(self, context: _Context, name: str, passed: dict[str, Any],
                parent: str | None) -> str:
        """`{% include name %}` in `context`, where the including template's own variables
        are `passed`: reused when it can be (see the class), else rendered as Jinja does."""
        reads = self.reads[name] if name in self.reads else self._reads(name)
        if reads is not None:
            values = self._values(context, passed, reads)
            if values is not None:
                return self._reuse(name, values, parent)
        template = self.get_template(name, parent)
        sub = template.new_context(context.get_all(), True, passed)
        down = context.passed.union(k for k, v in passed.items() if v is not missing)
        if down:
            sub.passed = down  # type: ignore[attr-defined]
        return self.concat(template.root_render_func(sub))  # type: ignore[attr-defined]

    def _values(self, context: _Context, passed: dict[str, Any],
                reads: tuple[str, ...]) -> dict[str, Any] | None:
        """The values partial names `reads` hold where it is included (globals left out:
        they are the same on every page); None if one is neither a global nor passed
        frozen data."""
        values: dict[str, Any] = {}
        env_globals = self.globals
        for name in reads:
            value = passed.get(name, missing)
            if value is missing:
                if name in context.passed:
                    value = context.resolve_or_missing(name)
                elif (name in env_globals and name not in context.vars
                      and context.parent.get(name, missing) is env_globals[name]):
                    continue
                if value is missing:
                    return None
            if not _immutable(value):
                return None
            values[name] = value
        return values

    def _reuse(self, name: str, values: dict[str, Any], parent: str | None) -> str:
        key = (name, *values, *map(id, values.values()))
        hit = self.reused.get(key)
        if hit is not None:
            return hit[1]
        stored = self.fragments.key(name, values)
        html = self.fragments.get(stored) if stored is not None else None
        if html is None:
            html = self.get_template(name, parent).render(values)
            if stored is not None:
                self.fragments.put(stored, html)
        self.reused[key] = (tuple(values.values()), html)
        return html

    def _reads(self, name: str) -> tuple[str, ...] | None:
        """The names template `name` reads (sorted: the store's keys follow this order);
        None if it includes, extends or imports others (what they read is not known
        here). By source in the fragment store: parsing is dear (docs/performance.md)."""
        assert self.loader is not None
        source = self.loader.get_source(self, name)[0]
        known = self.fragments.reads()
        found = known.get(source, False)
        if found is False:
            ast = self.parse(source, name)
            if any(True for _ in ast.find_all(_COMPOSED)):
                found = None
            else:
                tracker = _NameTracker(self)
                tracker.visit(ast)
                found = tuple(sorted(tracker.undeclared_identifiers))
            known[source] = found
        self.reads[name] = found
        return found

    def forget_reused(self) -> None:
        """Drop this build's reused includes: once the pages are made, they are only
        memory (a row per paper)."""
        self.reused = {}


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's `FileSystemBytecodeCache` (checked against each template's source), its
    files sealed with the user's key (util/sealed.py: Jinja unpickles and
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


def use_bytecode_cache(env: jinja2.Environment, folder: Path, version: str,
                       clean: bool = False) -> None:
    """Keep the compiled templates in `folder`: loading them costs a fraction of compiling
    (docs/performance.md). The files are named after `version` (sitegen's code: the
    environment's options and code generator are in it; Jinja checks each template's
    source and its own version); other versions' files are removed, and all of them with
    `clean`. An unwritable folder means no cache."""
    prefix = f"jinja-{version}-"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("jinja-*.cache"):
            if clean or not old.name.startswith(prefix):
                old.unlink()
    except OSError:
        return
    env.bytecode_cache = _BytecodeCache(str(folder), prefix + "%s.cache")


def template_folders(env: jinja2.Environment) -> tuple[Path, ...] | None:
    """The folders of every template the environment can load (any of them may be
    included); None if a loader is not of folders."""
    folders: list[Path] = []
    loaders = [env.loader]
    while loaders:
        loader = loaders.pop(0)
        if isinstance(loader, jinja2.ChoiceLoader):
            loaders.extend(loader.loaders)
        elif isinstance(loader, jinja2.PrefixLoader):
            loaders.extend(loader.mapping.values())
        elif isinstance(loader, jinja2.FileSystemLoader):
            folders.extend(Path(p) for p in loader.searchpath)
        else:
            return None
    return tuple(folders)


def environment_base(env: jinja2.Environment) -> Base:
    """What every page made with `env` depends on besides sitegen's code: its globals,
    filters and tests, and its templates."""
    return Base((env.globals, env.filters, env.tests), template_folders(env))


def make_environment(config: Config, urls: Urls, fragments: FragmentStore | None = None
                     ) -> SiteEnvironment:
    """A Jinja environment for one build: autoescape on, undefined names are errors;
    `fragments` keeps reusable includes beyond the build (default: nowhere)."""
    check_links(config)
    default_templates = packaged_theme_root() / "default" / "templates"
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader([str(d) for d in template_dirs(config)]),
        jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(str(default_templates))},
                            delimiter=":"),
    ])
    # auto_reload off: one environment serves one build, so templates are not re-checked
    # on disk for every page and every include (thousands of stat calls).
    env = SiteEnvironment(fragments if fragments is not None else NoFragments(),
                          loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
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
        cite_url=urls.cite_url,
        coins=coins,
        links_of=paper_links,
        card_of=card_of,
        top_of_day=top_of_day,
        ranking_rule=RANKING_RULE,
        thumbnails=config.theme["thumbnails"],
        watched_pages=watched_pages(people_rules(config.authors)),
        has_lists=False,  # the build sets it from the site's reading lists
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
