"""render/templates.py: the environment; includes made once a build where they read only
globals and the values passed to them (`SiteEnvironment.include`), with the HTML Jinja
makes; the Jinja context's short call path; compiled templates kept."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2
import pytest
from feedtools import build, write_simple_paper
from markupsafe import Markup

from sitegen.config import load_config
from sitegen.render.templates import SiteEnvironment, make_environment
from sitegen.urls import Urls


@dataclass(frozen=True)
class N:
    name: str


def _env(site: Path, **templates: str) -> SiteEnvironment:
    folder = site / "templates"
    for name, text in templates.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return make_environment(load_config(site), Urls("https://example.org/sub/"))


def _counting(env: jinja2.Environment) -> list[int]:
    made: list[int] = []
    env.globals["calls"] = lambda: made.append(1) or len(made)
    return made


def test_an_include_reading_globals_and_passed_names_is_made_once_a_build(site: Path) -> None:
    env = _env(site, **{"p.html": "{% for n in items %}{% include 'row.html' %}|"
                                  "{% include 'static.html' %}{% endfor %}",
                        "row.html": "<{{ n.name }} {{ url('home') }} {{ calls() }}>",
                        "static.html": "{{ site.title }}{{ calls() }}"})
    _counting(env)
    one, two = N("<a>"), N("b")
    html = env.get_template("p.html").render(items=[one, two, one, one])
    # `n` by identity: the first row is made once and reused; the static partial once.
    assert html == "<&lt;a&gt; /sub/ 1>|Test Papers2<b /sub/ 3>|Test Papers2" \
                   "<&lt;a&gt; /sub/ 1>|Test Papers2<&lt;a&gt; /sub/ 1>|Test Papers2"
    # another page of the same build: the same rows
    assert env.get_template("p.html").render(items=[two]) == "<b /sub/ 3>|Test Papers2"


def test_an_include_reading_the_page_is_rendered_each_time(site: Path) -> None:
    env = _env(site, **{"p.html": "{% for n in items %}{% set s = n.name * 2 %}"
                                  "{% include 'row.html' %}{% endfor %}{% include 'top.html' %}",
                        "row.html": "[{{ n.name }} {{ s }} {{ page }} {{ calls() }}]",
                        "top.html": "({{ page }} {{ calls() }})"})
    _counting(env)
    one = N("a")
    assert env.get_template("p.html").render(items=[one, one], page="P") == \
        "[a aa P 1][a aa P 2](P 3)"
    # A page variable that shadows a global is the page's, not a kept global one.
    env2 = _env(site, **{"q.html": "{% include 't.html' %}", "t.html": "{{ site }}"})
    assert env2.get_template("q.html").render(site="mine") == "mine"
    assert env2.get_template("q.html").render(site="other") == "other"


def test_only_frozen_values_are_reused_by_identity(site: Path) -> None:
    """A list or the loop's state can change between two includes with the same object:
    such an include is rendered each time."""
    env = _env(site, **{"p.html": "{% for xs in lists %}{% include 'xs.html' %}{% endfor %}",
                        "xs.html": "{{ xs|join(',') }};",
                        "l.html": "{% for n in items %}{{ loop.index }}{% include 'i.html' %}"
                                  "{% endfor %}",
                        "i.html": "({{ loop.index }} {{ n.name }})"})
    numbers = [1]
    assert env.get_template("p.html").render(lists=[numbers, numbers]) == "1;1;"
    numbers.append(2)
    assert env.get_template("p.html").render(lists=[numbers]) == "1,2;"
    one = N("a")
    assert env.get_template("l.html").render(items=[one, one]) == "1(1 a)2(2 a)"


def test_names_passed_to_a_partial_reach_what_it_includes(site: Path) -> None:
    """A partial that includes another is rendered each time; what it includes is reused
    for the values passed down to it (a day page's card and the card's tag list)."""
    env = _env(site, **{"p.html": "{% for n in items %}{% include 'outer.html' %}{% endfor %}",
                        "outer.html": "[{% include 'inner.html' %}{{ calls() }}]",
                        "inner.html": "{{ n.name }}{{ calls() }}",
                        "q.html": "{% include 'outer.html' %}"})
    _counting(env)
    one, two = N("a"), N("b")
    assert env.get_template("p.html").render(items=[one, two, one]) == "[a12][b34][a15]"
    # `n` as a page variable, not passed: the inner partial is rendered each time
    assert env.get_template("q.html").render(n=one) == "[a67]"
    assert env.get_template("q.html").render(n=one) == "[a89]"


def test_an_include_of_itself_is_rendered_as_jinja_does(site: Path) -> None:
    @dataclass(frozen=True)
    class Node:
        name: str
        kids: tuple = ()

    tree = Node("a", (Node("b", (Node("c"),)), Node("d")))
    env = _env(site, **{"node.html": "<{{ n.name }}{% for n in n.kids %}"
                                     "{% include 'node.html' %}{% endfor %}>",
                        "p.html": "{% for n in [tree] %}{% include 'node.html' %}{% endfor %}"})
    assert env.get_template("p.html").render(tree=tree) == "<a<b<c>><d>>"
    assert env.reads["node.html"] is None


def test_includes_give_what_jinja_gives(site: Path) -> None:
    """The same templates in sitegen's environment and in Jinja's own give the same HTML:
    includes in loops, `with` and `set` blocks, macros, captured blocks, ignored missing
    templates, names from variables, without context, nested."""
    templates = {
        "page.html": "{% set title = 'T' %}{% for n in items %}{% include 'row.html' %}"
                     "{% else %}none{% endfor %}\n{% with n = items[0] %}"
                     "{% include 'row.html' %}{% endwith %}{% set cap %}"
                     "{% include 'row.html' ignore missing %}{% endset %}[{{ cap }}]"
                     "{% macro m(n) %}{% include 'row.html' %}{% endmacro %}{{ m(items[-1]) }}"
                     "{% include 'nope.html' ignore missing %}{% include name %}"
                     "{% include 'plain.html' without context %}{% include 'nest.html' %}\n",
        "row.html": "<{{ n.name }}|{{ title }}|{{ site.title }}>\n",
        "plain.html": "{{ site.title }}",
        "nest.html": "{% for n in items|reverse %}{% include 'row.html' %}{% endfor %}",
    }
    ours = _env(site, **templates)
    theirs = jinja2.Environment(loader=ours.loader, autoescape=True, trim_blocks=True,
                                undefined=jinja2.StrictUndefined, lstrip_blocks=True,
                                keep_trailing_newline=True)
    theirs.globals.update(ours.globals)
    for items in ([N("<a>"), N("b"), N("<a>")], [N("c")], []):
        context = {"items": items, "name": "plain.html", "n": N("top")}
        if not items:
            context["items"] = [N("x")]
        assert ours.get_template("page.html").render(context) == \
            theirs.get_template("page.html").render(context)


def test_a_partial_read_by_a_page_and_passed_names_is_keyed_by_both(site: Path) -> None:
    env = _env(site, **{"p.html": "{% for n in items %}{% with k = key %}"
                                  "{% include 'row.html' %}{% endwith %}{% endfor %}",
                        "row.html": "<{{ n.name }} {{ k }} {{ calls() }}>"})
    _counting(env)
    one = N("a")
    assert env.get_template("p.html").render(items=[one, one], key="x") == "<a x 1><a x 1>"
    assert env.get_template("p.html").render(items=[one], key="y") == "<a y 2>"


def test_site_overrides_of_header_and_rows_may_read_the_page(site: Path) -> None:
    """The default header and tag-page cards are made once; a site's override that reads page
    variables (the output path, the tag) is still rendered for each page."""
    templates = site / "templates" / "partials"
    templates.mkdir(parents=True)
    (templates / "header.html").write_text("<header>{{ output_path }}</header>\n")
    (templates / "paper_card.html").write_text(
        "{% if size == 'row' %}<li>{{ paper.title }} in {{ tag.name }}</li>{% endif %}\n")
    write_simple_paper(site, "p1", "Paper <1>", tags=["Alpha", "Beta"])
    out = build(site)
    assert "<header>papers/p1.html</header>" in out["papers/p1.html"].decode()
    assert "<header>index.html</header>" in out["index.html"].decode()
    assert "<li>Paper &lt;1&gt; in alpha</li>" in out["tags/alpha/index.html"].decode()
    assert "<li>Paper &lt;1&gt; in beta</li>" in out["tags/beta/index.html"].decode()


def test_plain_and_context_functions_are_called_as_jinja_does(site: Path) -> None:
    env = _env(site, **{"p.html": "{% for i in [1] %}{{ f(i, k=2) }} {{ g() }} {{ h() is undefined }}"
                                  "{% endfor %}"})
    env.globals["f"] = lambda i, k: Markup(f"<{i}{k}>")  # noqa: S704
    env.globals["g"] = jinja2.pass_context(lambda ctx: ctx["site"]["title"])

    def stop() -> None:
        raise StopIteration

    env.globals["h"] = stop
    assert env.get_template("p.html").render() == "<12> Test Papers True"
    with pytest.raises(TypeError):
        env.from_string("{{ f(1) }}").render()


def test_reused_includes_are_dropped_once_the_pages_are_made(site: Path) -> None:
    """The includes kept for reuse are memory only until the pages are made (a row per
    paper: 100+ MB at 50,000 papers, which would otherwise stay to the end of the build)."""
    from sitegen.build.outputs import SiteBuild, assemble_site
    from sitegen.store.papers import load_papers

    write_simple_paper(site, "p", "A paper", tags=["t"])
    config = load_config(site)
    papers, _ = load_papers(site)
    build = SiteBuild(config, assemble_site(config, papers))
    pages = build.pages()
    for _ in range(3):
        next(pages)  # the home page and the first day's: header, rows made, kept for reuse
    assert build.env.reused
    list(pages)
    assert not build.env.reused


def test_compiled_templates_are_kept_in_the_build_cache_and_damage_is_no_error(
        site: Path) -> None:
    from sitegen.build.pipeline import build_site

    write_simple_paper(site, "p", "A paper", tags=["t"])
    build_site(load_config(site), site / "_site")
    cached = sorted((site / ".sitegen-cache").glob("jinja-*.cache"))
    assert len(cached) >= 5
    page = (site / "_site" / "papers" / "p.html").read_bytes()
    for file in cached:  # Jinja's header kept, the compiled code cut: unloadable
        file.write_bytes(file.read_bytes()[:40])
    (site / "templates").mkdir()
    (site / "templates" / "404.html").write_text("<p>gone</p>\n", encoding="utf-8")
    build_site(load_config(site), site / "_site", clean=True)
    assert (site / "_site" / "papers" / "p.html").read_bytes() == page
    assert (site / "_site" / "404.html").read_bytes() == b"<p>gone</p>\n"
    # `--clean` made them anew; another version's files are removed
    assert all(len(f.read_bytes()) > 40 for f in (site / ".sitegen-cache").glob("jinja-*"))
    stale = site / ".sitegen-cache" / "jinja-0000000000000000-x.cache"
    stale.write_bytes(b"old")
    write_simple_paper(site, "q", "Another paper")
    build_site(load_config(site), site / "_site")
    assert not stale.exists()


def test_damaged_compiled_templates_are_compiled_again(site: Path) -> None:
    from sitegen.build.pipeline import build_site

    write_simple_paper(site, "p", "A paper")
    build_site(load_config(site), site / "_site")
    page = (site / "_site" / "papers" / "p.html").read_bytes()
    for file in (site / ".sitegen-cache").glob("jinja-*.cache"):
        file.write_bytes(file.read_bytes()[:40])
    write_simple_paper(site, "p", "A paper, renamed")
    build_site(load_config(site), site / "_site")
    again = (site / "_site" / "papers" / "p.html").read_bytes()
    assert again.count(b"A paper, renamed") == page.count(b"A paper") > 0
    assert b"A paper<" not in again
