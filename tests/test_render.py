"""render.py: `fragment` (partials made once per build when they read nothing of the page)
and the Jinja context's short call path."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from feedtools import build, write_simple_paper
from markupsafe import Markup

from sitegen.config import load_config
from sitegen.render.templates import make_environment
from sitegen.urls import Urls


def _env(site: Path, **templates: str) -> jinja2.Environment:
    folder = site / "templates"
    for name, text in templates.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return make_environment(load_config(site), Urls("https://example.org/sub/"))


def test_a_page_independent_partial_is_made_once_and_reused(site: Path) -> None:
    env = _env(site, **{"p.html": "{% for n in items %}{{ fragment('row.html', n=n) }}|"
                                  "{{ fragment('static.html') }}{% endfor %}",
                        "row.html": "<{{ n.name }} {{ url('home') }} {{ calls() }}>",
                        "static.html": "{{ site.title }}{{ calls() }}"})
    made: list[int] = []
    env.globals["calls"] = lambda: made.append(1) or len(made)
    one, two = type("N", (), {"name": "<a>"})(), type("N", (), {"name": "b"})()
    html = env.get_template("p.html").render(items=[one, two, one, one])
    # `n` by identity: the first row is made once and reused; the static partial once.
    assert html == "<&lt;a&gt; /sub/ 1>|Test Papers2<b /sub/ 3>|Test Papers2" \
                   "<&lt;a&gt; /sub/ 1>|Test Papers2<&lt;a&gt; /sub/ 1>|Test Papers2"


def test_a_partial_reading_page_variables_is_rendered_each_time(site: Path) -> None:
    env = _env(site, **{"p.html": "{% for n in items %}{% set s = n * 10 %}"
                                  "{{ fragment('row.html', n=n) }}{% endfor %}{{ fragment('top.html') }}",
                        "row.html": "[{{ n }} {{ s }} {{ page }}]",
                        "top.html": "({{ page }})"})
    html = env.get_template("p.html").render(items=[1, 2], page="P")
    assert html == "[1 10 P][2 20 P](P)"
    # A page variable that shadows a global is the page's, not a cached global one.
    env2 = _env(site, **{"q.html": "{{ fragment('t.html') }}", "t.html": "{{ site }}"})
    assert env2.get_template("q.html").render(site="mine") == "mine"
    assert env2.get_template("q.html").render(site="other") == "other"


def test_partials_that_compose_others_are_not_cached(site: Path) -> None:
    env = _env(site, **{"p.html": "{% for n in items %}{{ fragment('outer.html', n=n) }}"
                                  "{% endfor %}",
                        "outer.html": "{% include 'inner.html' %}",
                        "inner.html": "{{ n }}"})
    assert env.get_template("p.html").render(items=[1, 2]) == "12"
    assert env.get_template("p.html").render(items=[3]) == "3"


def test_fragments_join_a_fragment_per_item_as_a_loop_would(site: Path) -> None:
    env = _env(site, **{
        "loop.html": "{% for n in items %}{{ fragment('row.html', n=n, k=k) }}{% endfor %}",
        "one.html": "{{ fragments('row.html', 'n', items, k=k) }}",
        "bare.html": "{{ fragments('bare_row.html', 'n', items) }}",
        "row.html": "<{{ n.name }} {{ k }} {{ url('home') }} {{ calls() }}>",
        "bare_row.html": "<{{ n.name }} {{ calls() }}>",
        "paged.html": "{% for n in items %}{% set s = n.name %}"
                      "{{ fragments('paged_row.html', 'n', [n]) }}{% endfor %}",
        "paged_row.html": "[{{ n.name }} {{ s }} {{ page }}]",
        "named.html": "{{ fragment('either.html', a=one) }}{{ fragment('either.html', b=one) }}",
        "either.html": "{{ a is defined }}{{ b is defined }}"})
    made: list[int] = []
    env.globals["calls"] = lambda: made.append(1) or len(made)
    one, two = type("N", (), {"name": "<a>"})(), type("N", (), {"name": "b"})()
    items = [one, two, one]
    loop = env.get_template("loop.html").render(items=items, k=1)
    made.clear()
    env.__dict__.pop("_sitegen_fragments")
    assert env.get_template("one.html").render(items=items, k=1) == loop
    assert loop == "<&lt;a&gt; 1 /sub/ 1><b 1 /sub/ 2><&lt;a&gt; 1 /sub/ 1>"
    assert env.get_template("bare.html").render(items=items) == "<&lt;a&gt; 3><b 4><&lt;a&gt; 3>"
    # a row reading the page is rendered each time; a value's name is part of its key
    assert env.get_template("paged.html").render(items=[one, two], page="P") == \
        "[&lt;a&gt; &lt;a&gt; P][b b P]"
    assert env.get_template("named.html").render(one=one) == "TrueFalseFalseTrue"


def test_site_overrides_of_header_and_rows_may_read_the_page(site: Path) -> None:
    """The default header and tag rows are made once; a site's override that reads page
    variables (the output path, the tag) is still rendered for each page."""
    templates = site / "templates" / "partials"
    templates.mkdir(parents=True)
    (templates / "header.html").write_text("<header>{{ output_path }}</header>\n")
    (templates / "paper_row.html").write_text("<li>{{ paper.title }} in {{ tag.name }}</li>\n")
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


def test_the_fragments_of_a_build_are_dropped_once_its_pages_are_made(site: Path) -> None:
    """The rows kept for reuse are memory only until the pages are made (100+ MB at
    50,000 papers, which would otherwise stay to the end of the build)."""
    from sitegen.build.outputs import SiteBuild, assemble_site
    from sitegen.store.papers import load_papers

    write_simple_paper(site, "p", "A paper", tags=["t"])
    config = load_config(site)
    papers, _ = load_papers(site)
    build = SiteBuild(config, assemble_site(config, papers))
    pages = build.pages()
    for _ in range(3):
        next(pages)  # the home page and the first day's: rows made, kept for reuse
    assert build.env.__dict__.get("_sitegen_fragments")
    list(pages)
    assert "_sitegen_fragments" not in build.env.__dict__


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
    assert (site / "_site" / "papers" / "p.html").read_bytes() == page.replace(
        b"A paper", b"A paper, renamed")


def _rows_site(site: Path, days: range) -> None:
    for day in days:
        write_simple_paper(site, f"p{day}", f"Paper of day {day}", date=f"2025-08-{day:02d}",
                           tags=["t"])


def test_fragments_are_kept_across_builds_and_made_anew_with_their_template(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tag page made again takes the rows of its older papers from the last build
    (render.FragmentStore); a changed row template makes them all anew."""
    from sitegen.build.pipeline import build_site
    from sitegen.render import templates as render

    made: list[str] = []
    real = render.FragmentStore.put

    def put(self, key, html):
        made.append(str(html))
        return real(self, key, html)

    monkeypatch.setattr(render.FragmentStore, "put", put)
    _rows_site(site, range(1, 6))
    build_site(load_config(site), site / "_site")
    assert any("Paper of day 3" in row for row in made)
    made.clear()
    _rows_site(site, range(6, 7))
    build_site(load_config(site), site / "_site")
    rows = [row for row in made if "Paper of day" in row]
    assert len(rows) == 1 and "Paper of day 6" in rows[0]  # the old rows were kept
    page = (site / "_site" / "tags" / "t" / "index.html").read_text(encoding="utf-8")
    assert all(f"Paper of day {day}" in page for day in range(1, 7))
    made.clear()
    (site / "templates" / "partials").mkdir(parents=True)
    (site / "templates" / "partials" / "paper_row.html").write_text(
        "<li>ROW {{ paper.title }}</li>\n", encoding="utf-8")
    build_site(load_config(site), site / "_site")
    page = (site / "_site" / "tags" / "t" / "index.html").read_text(encoding="utf-8")
    assert page.count("<li>ROW Paper of day") == 6
    assert len([row for row in made if "ROW" in row]) == 6


def test_a_damaged_fragment_store_is_no_error_and_it_does_not_grow_without_end(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sitegen.build.outputs import FRAGMENTS
    from sitegen.build.pipeline import build_site
    from sitegen.incremental.statefile import load_state
    from sitegen.render import templates as render

    _rows_site(site, range(1, 4))
    build_site(load_config(site), site / "_site")
    store = site / ".sitegen-cache" / FRAGMENTS
    assert store.exists()
    store.write_bytes(b"not a pickle")
    _rows_site(site, range(4, 5))
    build_site(load_config(site), site / "_site")
    assert "Paper of day 1" in (site / "_site" / "tags" / "t" / "index.html").read_text(
        encoding="utf-8")
    monkeypatch.setattr(render.FragmentStore, "SPARE", 2)
    used: list[int] = []
    real_save = render.FragmentStore.save

    def save(self):
        used.append(len(self.used))
        return real_save(self)

    monkeypatch.setattr(render.FragmentStore, "save", save)
    config = (site / "sitegen.toml").read_text(encoding="utf-8")
    sizes = []
    for day in range(5, 12):  # a new title each time: no fragment of a former build is used
        _rows_site(site, range(day, day + 1))
        (site / "sitegen.toml").write_text(config.replace("Test Papers", f"Papers {day}"),
                                           encoding="utf-8")
        build_site(load_config(site), site / "_site")
        sizes.append(len(load_state(store)["fragments"]))
        assert used[-1] <= sizes[-1] <= 2 * used[-1] + 2
    # the former build's fragments are kept while not many: every other build drops them
    assert [size == count for size, count in zip(sizes, used, strict=True)] == [
        False, True, False, True, False, True, False]
    monkeypatch.setattr(render.FragmentStore, "LIMIT", used[-1] - 1)  # a build of all pages
    _rows_site(site, range(12, 13))
    (site / "sitegen.toml").write_text(config, encoding="utf-8")
    build_site(load_config(site), site / "_site")
    assert len(load_state(store)["fragments"]) == sizes[-1]  # not written


def test_an_edited_partial_is_analysed_again_and_composing_partials_are_not_shared(
        site: Path) -> None:
    """What a partial reads is kept across builds by its source: an override that starts
    reading the page is rendered for each page from then on."""
    from sitegen.build.pipeline import build_site

    rows = site / "templates" / "partials" / "paper_row.html"
    rows.parent.mkdir(parents=True)
    rows.write_text("<li>{{ paper.title }}</li>\n", encoding="utf-8")
    write_simple_paper(site, "p1", "Paper one", tags=["Alpha", "Beta"])
    build_site(load_config(site), site / "_site")
    rows.write_text("<li>{{ paper.title }} in {{ tag.name }}</li>\n", encoding="utf-8")
    write_simple_paper(site, "p2", "Paper two", tags=["Alpha", "Beta"])
    build_site(load_config(site), site / "_site")
    for tag in ("alpha", "beta"):
        page = (site / "_site" / "tags" / tag / "index.html").read_text(encoding="utf-8")
        assert f"<li>Paper one in {tag}</li>" in page and f"<li>Paper two in {tag}</li>" in page
    env = _env(site, **{"p.html": "{% for n in items %}{{ fragment('outer.html', n=n) }}"
                                  "{% endfor %}",
                        "outer.html": "{{ fragments('inner.html', 'm', [n]) }}",
                        "inner.html": "{{ m }}{{ page }}"})
    assert env.get_template("p.html").render(items=[1], page="A") == "1A"
    assert env.get_template("p.html").render(items=[1], page="B") == "1B"
