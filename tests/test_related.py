"""Related papers (site/related.py, incremental/relatedstore.py, the paper page's block)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import write_paper

from sitegen.build.pipeline import build_site
from sitegen.config import load_config
from sitegen.incremental.relatedstore import CachedRelatedStore
from sitegen.model import Paper
from sitegen.site.assemble import assemble
from sitegen.site.related import SHOWN, each_related, related_papers

DAY1, DAY2, DAY3 = dt.date(2025, 8, 11), dt.date(2025, 8, 12), dt.date(2025, 8, 13)

TEXTS = {  # slug: (day, title, abstract)
    "protein-a": (DAY1, "Protein structure prediction with folding transformers",
                  "We predict protein structure and folding from amino acid sequences."),
    "image-a": (DAY1, "Diffusion models for image synthesis",
                "A denoising diffusion model generates images from noise."),
    "speech-a": (DAY1, "Speech recognition with conformers",
                 "Conformer encoders transcribe speech audio into text."),
    "protein-b": (DAY2, "Folding proteins: amino acid language models",
                  "Language models of amino acid sequences predict protein folding."),
    "image-b": (DAY2, "Latent diffusion for high resolution images",
                "Latent denoising diffusion synthesises high resolution images."),
    "graph-b": (DAY2, "Graph neural networks for molecules",
                "Message passing graph networks predict molecule properties."),
}


def paper(slug: str, day: dt.date | None = None, title: str | None = None,
          abstract: str | None = None, rank: int = 1) -> Paper:
    known_day, known_title, known_abstract = TEXTS.get(slug, (DAY3, slug, slug))
    return Paper(slug=slug, title=title or known_title, date=day or known_day,
                 abstract=abstract or known_abstract, rank=rank)


def corpus(*extra: Paper) -> list[Paper]:
    return [paper(slug, rank=rank) for rank, slug in enumerate(TEXTS)] + list(extra)


def lists_by_slug(papers: list[Paper], store=None) -> dict[str, list[tuple[str, tuple]]]:
    site = assemble(papers, None)
    return {item.slug: [(related.slug, related.why) for related in found]
            for item, found in each_related(related_papers(site, store), site.days)}


def test_each_paper_lists_the_papers_on_its_topic_with_the_shared_terms() -> None:
    lists = lists_by_slug(corpus())
    assert lists["protein-b"][0][0] == "protein-a"
    assert {"protein", "folding", "amino"} & set(lists["protein-b"][0][1])
    assert lists["image-b"][0][0] == "image-a"
    assert "diffusion" in lists["image-b"][0][1]
    # shared words are spelled as the paper spells them (not as stems: "images", "folding")
    assert all(term.isalpha() for _, why in lists["image-b"] for term in why)
    assert len(lists["image-b"]) <= SHOWN
    assert "image-b" not in [slug for slug, _ in lists["image-b"]]  # never itself


def test_a_paper_lists_papers_of_its_own_day_and_older_only() -> None:
    lists = lists_by_slug(corpus())
    # protein-b (day 2) is the best match of protein-a, but it is newer
    assert all(TEXTS[slug][0] <= DAY1 for slug, _ in lists["protein-a"])
    assert "protein-a" in [slug for slug, _ in lists["protein-b"]]  # older: listed
    # the same day counts: the day-1 papers on other topics match nothing much of theirs
    assert lists["graph-b"] == [] or lists["graph-b"][0][0] != "image-a"


def test_a_new_day_never_changes_the_lists_of_the_older_days() -> None:
    before = lists_by_slug(corpus())
    newer = [paper(f"new-{i}", DAY3, "Protein folding diffusion of amino acid images",
                   "Diffusion models of protein folding, amino acid images.", i)
             for i in range(4)]
    after = lists_by_slug(corpus(*newer))
    assert {slug: after[slug] for slug in before} == before
    assert after["new-0"]  # the new papers are listed, with the old ones as candidates


def test_an_unrelated_paper_lists_nothing() -> None:
    lists = lists_by_slug(corpus(paper("lonely", DAY3, "Quokka", "Marsupials hop.")))
    assert lists["lonely"] == []


def test_the_cached_store_gives_the_plain_lists(tmp_path: Path) -> None:
    """Day by day, with an edit of an old day and a removed day, the store's lists are
    those made from scratch."""
    path = tmp_path / "related.pickle"
    steps = [
        corpus(),
        corpus(paper("new-1", DAY3, "Amino acid protein folding", "Protein folding.")),
        # an old paper edited: the lists from its day on are made again
        [p if p.slug != "image-a" else paper("image-a", title="Speech conformer audio")
         for p in corpus(paper("new-1", DAY3, "Amino acid protein folding", "Folding."))],
        corpus(),  # the newest day removed
    ]
    for papers in steps:
        assert lists_by_slug(papers, CachedRelatedStore(path)) == lists_by_slug(papers)
    assert path.exists()


def test_the_store_goes_on_from_the_kept_archive_on_a_new_day(tmp_path: Path) -> None:
    path = tmp_path / "related.pickle"
    lists_by_slug(corpus(), CachedRelatedStore(path))
    store = CachedRelatedStore(path)
    site = assemble(corpus(paper("new-1", DAY3)), None)
    resume = store.resume(site.days[::-1])
    assert resume.days == 2 and resume.archive is not None  # only day 3 is to make
    assert resume.archive.papers == len(TEXTS)


PAGE = """---
title: '{title}'
date: {date}
abstract: '{abstract}'
---
"""


def write(site: Path, slug: str, day: dt.date, title: str, abstract: str) -> None:
    write_paper(site, slug, PAGE.format(title=title.replace("'", "''"),
                                        date=day.isoformat(), abstract=abstract))


def seed(site: Path) -> None:
    for slug, (day, title, abstract) in TEXTS.items():
        write(site, slug, day, title, abstract)


def pages(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "papers").glob("*.html"))}


def test_a_new_day_keeps_the_old_paper_pages_byte_identical(site: Path) -> None:
    seed(site)
    config = load_config(site)
    build_site(config, site / "_site")
    before = pages(site / "_site")
    assert b'class="related"' in before["protein-b.html"]
    assert b"/sub/papers/protein-a.html" in before["protein-b.html"]
    write(site, "protein-c", DAY3, "Protein folding at scale",
          "Amino acid protein folding models at scale.")
    result = build_site(load_config(site), site / "_site")
    after = pages(site / "_site")
    assert {name: after[name] for name in before} == before
    kept = {o.path for o in result.outputs if type(o).__name__ == "Kept"}
    assert {f"papers/{name}" for name in before} <= kept  # not made again at all
    assert b"/sub/papers/protein-b.html" in after["protein-c.html"]
    build_site(load_config(site), site / "_clean", clean=True)
    assert pages(site / "_clean") == after


def test_user_text_in_the_related_list_is_escaped(site: Path) -> None:
    seed(site)
    write(site, "evil", DAY1, "<script>alert(1)</script> protein folding & amino",
          "Protein folding of amino acids.")
    write(site, "good", DAY2, "Protein folding of amino acids", "Amino acid protein folding.")
    build_site(load_config(site), site / "_site")
    html = (site / "_site" / "papers" / "good.html").read_text()
    block = html[html.index('class="related"'):]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; protein folding &amp; amino" in block
    assert "<script>alert" not in html


@pytest.mark.browser
def test_a_related_paper_opens_from_a_paper_page(site: Path, run_cli, serve_dir,
                                                 browser) -> None:
    seed(site)
    status, _, err = run_cli("build", cwd=site)
    assert status == 0, err
    base = serve_dir(site / "_site", "/sub/")
    page = browser.new_page()
    try:
        page.goto(base + "papers/protein-b.html")
        link = page.locator("section.related a", has_text="Protein structure prediction")
        assert "shares" in page.locator("section.related").inner_text()
        link.click()
        page.wait_for_url("**/papers/protein-a.html")
        assert page.locator("h1").inner_text() == TEXTS["protein-a"][1]
    finally:
        page.close()


def test_a_new_day_digests_only_its_own_papers_texts(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The kept days are known by their papers' digests (from loading), not by hashing
    their texts again: a new day costs its own papers."""
    from sitegen.incremental import relatedstore

    path = tmp_path / "related.pickle"
    lists_by_slug(corpus(), CachedRelatedStore(path))
    hashed: list[str] = []
    real = relatedstore.day_key

    def day_key(day):
        hashed.append(day.date.isoformat())
        return real(day)

    monkeypatch.setattr(relatedstore, "day_key", day_key)
    lists_by_slug(corpus(paper("new-1", DAY3)), CachedRelatedStore(path))
    assert hashed == [DAY3.isoformat()]
