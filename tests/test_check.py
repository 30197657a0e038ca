"""`sitegen check`: each kind of problem is found, reported compiler-style, and fails the run."""

from __future__ import annotations

from pathlib import Path

from conftest import write_paper

from sitegen.commands.check import Resolver, check_site, scan_html
from sitegen.config import load_config
from sitegen.urls import Urls


def paper(arxiv_id: str, title: str = "A paper", date: str = "2025-08-11", notes: str = "",
          extra: str = "") -> str:
    return (f"---\nid: '{arxiv_id}'\ntitle: {title}\ndate: {date}\n{extra}"
            f"abstract: Something.\n---\n" + (f"\n{notes}\n" if notes else ""))


def good_site(site: Path) -> Path:
    write_paper(site, "2508.00001", paper("2508.00001", "First"))
    write_paper(site, "2508.00002", paper("2508.00002", "Second"))
    return site


def test_a_clean_site_passes_and_nothing_is_written(site: Path, run_cli) -> None:
    good_site(site)
    status, out, err = run_cli("check", "--root", str(site))
    assert status == 0, err
    assert "0 error(s), 0 warning(s)" in out
    assert not (site / "_site").exists()


def test_front_matter_error_is_reported_with_path_and_line(site: Path, run_cli) -> None:
    good_site(site)
    write_paper(site, "bad", "---\nid: '2508.00003'\ndate: 2025-08-11\n---\n")
    status, _, err = run_cli("check", "--root", str(site))
    assert status == 1
    assert "content/papers/bad.md" in err and "error: missing or empty 'title'" in err
    assert "check: 1 error(s)" in err


def test_invalid_date_is_an_error(site: Path, run_cli) -> None:
    good_site(site)
    write_paper(site, "when", paper("2508.00004", date="2025-13-45"))
    status, _, err = run_cli("check", "--root", str(site))
    assert status == 1
    assert "content/papers/when.md:4: error: front matter holds an impossible value" in err


def test_future_date_is_a_warning_that_strict_fails(site: Path, run_cli) -> None:
    good_site(site)  # the run_cli fixture pins today to 2026-11-28
    write_paper(site, "future", paper("2508.00005", date="2052-08-11"))
    status, out, err = run_cli("check", "--root", str(site))
    assert status == 0
    assert "content/papers/future.md: warning: date 2052-08-11 is in the future" in err
    status, _, err = run_cli("check", "--strict", "--root", str(site))
    assert status == 1


def test_duplicate_ids_are_an_error(site: Path, run_cli) -> None:
    good_site(site)
    write_paper(site, "copy", paper("2508.00001", "First, again"))
    status, _, err = run_cli("check", "--root", str(site))
    assert status == 1
    assert "duplicate id '2508.00001'" in err


def test_unknown_key_is_a_warning(site: Path, run_cli) -> None:
    good_site(site)
    write_paper(site, "typo", paper("2508.00006", extra="upvote: 3\n"))
    status, _, err = run_cli("check", "--root", str(site))
    assert status == 0
    assert "content/papers/typo.md:5: warning: unknown key 'upvote'" in err
    assert run_cli("check", "--strict", "--root", str(site))[0] == 1


def test_broken_link_in_notes_is_reported_at_the_notes_line(site: Path, run_cli) -> None:
    good_site(site)
    notes = ("Builds on [the first](2508.00001.html) and\n"
             "[a missing one](2508.09999.html), see [Second](/sub/papers/2508.00002.html#abstract-h).")
    path = write_paper(site, "2508.00007", paper("2508.00007", notes=notes))
    status, _, err = run_cli("check", "--root", str(site))
    assert status == 1
    line = path.read_text().splitlines().index(notes.splitlines()[1]) + 1
    assert (f"content/papers/2508.00007.md:{line}: error: in the notes: broken link "
            "'2508.09999.html': no page papers/2508.09999.html") in err
    assert "2508.00001" not in err and "2508.00002" not in err  # those two links work
    # Reported once, at the content file, not again on the built page.
    assert "_site/papers/2508.00007" not in err


def test_notes_link_outside_the_sub_path_and_bad_anchor(site: Path, run_cli) -> None:
    good_site(site)
    write_paper(site, "2508.00008", paper("2508.00008", notes=(
        "[root](/papers/2508.00001.html) and [anchor](2508.00001.html#nowhere)")))
    status, _, err = run_cli("check", "--root", str(site))
    assert status == 1
    assert "points outside the site's path /sub/" in err
    assert "broken anchor '2508.00001.html#nowhere'" in err


def test_broken_link_in_a_template_is_found_in_the_output(site: Path, run_cli) -> None:
    good_site(site)
    (site / "templates" / "partials").mkdir(parents=True)
    (site / "templates" / "partials" / "footer.html").write_text(
        '<footer>\n<a href="{{ url(\'archive\') }}">ok</a>\n'
        '<a href="{{ url(\'home\') }}nothing-here/">broken</a>\n'
        '<a href="#no-such-id">anchor</a>\n<a href="https://example.com/x">external</a>\n'
        '<a href="https://example.org/sub/2025/08/11/">own absolute</a></footer>\n')
    status, _, err = run_cli("check", "--root", str(site))
    assert status == 1
    lines = [line for line in err.splitlines() if "_site/index.html" in line]
    assert any("broken link '/sub/nothing-here/'" in line for line in lines), err
    assert any("broken anchor '#no-such-id'" in line for line in lines), err
    assert "example.com" not in err and "own absolute" not in err
    assert lines[0].startswith("_site/index.html:")
    assert int(lines[0].split(":")[1]) > 1


def test_malformed_xml_and_json_are_errors(site: Path, run_cli) -> None:
    good_site(site)
    (site / "static").mkdir()
    (site / "static" / "feed.xml").write_text("<feed><entry></feed>\n")
    (site / "static" / "feed.json").write_text('{"items": [}\n')
    (site / "static" / "ok.json").write_text('{"items": []}\n')
    status, _, err = run_cli("check", "--root", str(site))
    assert status == 1
    assert "_site/static/feed.xml:1: error: not well-formed XML" in err
    assert "_site/static/feed.json:1: error: not valid JSON" in err
    assert "ok.json" not in err


def test_check_an_existing_output_folder(site: Path, run_cli) -> None:
    good_site(site)
    assert run_cli("build", "--root", str(site))[0] == 0
    out = site / "_site"
    status, _, err = run_cli("check", "--out", str(out), "--root", str(site))
    assert status == 0, err
    # Delete a page others link to: the check of the folder notices.
    (out / "papers" / "2508.00002.html").unlink()
    status, _, err = run_cli("check", "--out", str(out), "--root", str(site))
    assert status == 1
    assert "broken link '/sub/papers/2508.00002.html'" in err
    assert run_cli("check", "--out", str(site / "nope"), "--root", str(site))[0] == 1


def test_base_url_option_moves_the_sub_path(site: Path, run_cli) -> None:
    good_site(site)
    status, _, err = run_cli("check", "--base-url", "https://user.github.io/repo/",
                             "--root", str(site))
    assert status == 0, err


def test_check_site_api_and_resolver(site: Path) -> None:
    good_site(site)
    assert check_site(load_config(site), __import__("datetime").date(2026, 1, 1)) == []
    urls = Urls("https://example.org/sub/")
    files = {"index.html": b'<p id="x">', "a/index.html": b"", "a/b.css": b""}
    resolve = Resolver(urls, files).problem
    assert resolve("a/index.html", "../#x") is None
    assert resolve("a/index.html", "b.css") is None
    assert resolve("a/index.html", "mailto:x@example.org") is None
    assert resolve("index.html", "a")[0] == "warning"  # missing trailing slash
    files["papers/p.html"] = b'<h1 id="t">'
    assert resolve("papers/p.html", "p.html#t") is None  # a flat paper page
    assert resolve("index.html", "papers/p")[0] == "warning"  # missing .html
    old = resolve("index.html", "/sub/papers/p/")  # the folder layout of older sites
    assert old[0] == "error" and "(the page is papers/p.html)" in old[1]
    assert resolve("index.html", "/sub/a/?q=1") is None
    assert resolve("index.html", "/other/")[0] == "error"
    assert scan_html(b'<a name="n"></a><img src="i.png"/>').ids == {"n"}


def test_new_site_story_check_catches_a_broken_link(tmp_path: Path, run_cli, sample_page) -> None:
    """`new` -> `import` -> `check` is clean; a curator's broken link is then caught."""
    root = tmp_path / "mysite"
    assert run_cli("new", str(root))[0] == 0
    assert run_cli("import", str(sample_page), "--year", "2025", "--root", str(root))[0] == 0
    status, out, err = run_cli("check", "--base-url", "https://me.github.io/papers/",
                               "--root", str(root))
    assert status == 0, err
    first = sorted((root / "content" / "papers").glob("*.md"))[0]
    first.write_text(first.read_text() + "\nSee [the follow-up](no-such-paper.html).\n")
    status, _, err = run_cli("check", "--root", str(root))
    assert status == 1
    assert f"content/papers/{first.name}:" in err and "broken link 'no-such-paper.html'" in err


class _Reference(__import__("html.parser").parser.HTMLParser):
    """html.parser's reading of links and ids: what the fast scanner must agree with."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, int]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        from sitegen.commands.check import LINK_ATTRIBUTES

        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            elif (tag, name) in LINK_ATTRIBUTES:
                self.links.append((value, self.getpos()[0]))

    handle_startendtag = handle_starttag


def test_fast_scanner_agrees_with_html_parser(tmp_path: Path, run_cli, sample_page) -> None:
    from sitegen.build.outputs import build_outputs
    from sitegen.store.papers import load_papers

    root = tmp_path / "s"
    run_cli("new", str(root))
    run_cli("import", str(sample_page), "--year", "2025", "--root", str(root))
    papers, _ = load_papers(root)
    _, outputs = build_outputs(load_config(root), papers)
    tricky = (b'<!doctype html><p id="a&amp;b">x</p>\n<!-- <a href="/in-comment/"> -->\n'
              b"<script src='/s.js' defer></script><script>var a = '<a href=\"/no/\">';</script>"
              b'\n<A HREF=/sub/up/ title="a > b">t</A><img src="/i.png"/><a name=top></a>'
              b'<style>a[href="/css/"]{}</style><a data-x="1"\n  href="/two/lines/">x</a>')
    pages = [o.data for o in outputs if o.path.endswith(".html")] + [tricky]
    assert len(pages) > 100
    for data in pages:
        reference = _Reference()
        reference.feed(data.decode())
        reference.close()
        fast = scan_html(data)
        assert fast.ids == reference.ids
        assert fast.links == reference.links


def test_same_page_anchor_is_resolved_per_page() -> None:
    """Regression: memoizing must not let one page's ids answer for another's."""
    urls = Urls("https://example.org/sub/")
    files = {"index.html": b'<p id="only-here">', "404.html": b"<p>"}
    resolver = Resolver(urls, files)
    assert resolver.problem("index.html", "#only-here") is None
    assert resolver.problem("404.html", "#only-here")[0] == "error"


def test_check_out_of_a_site_built_for_a_sub_path_uses_the_base_url_it_was_built_for(
        site: Path, run_cli) -> None:
    """Built with --base-url for GitHub Pages, checked without it: the folder's robots.txt
    says which address it was built for (it used to give hundreds of errors and no hint)."""
    good_site(site)
    status, _, err = run_cli("build", "--base-url", "https://me.github.io/papers/",
                             "--out", "pages", cwd=site)
    assert status == 0, err
    status, out, err = run_cli("check", "--out", "pages", cwd=site)
    assert status == 0, err
    assert "checking pages as built for https://me.github.io/papers/ (its robots.txt)" in out
    assert out.rstrip().endswith("check: 0 error(s), 0 warning(s)")
    status, _, err = run_cli("check", "--out", "pages", "--base-url", "https://x.org/y/",
                             cwd=site)
    assert status == 1  # an explicit --base-url wins, and the mismatch is said first
    assert err.startswith("sitegen: note: pages was built for https://me.github.io/papers/")
