"""What machines read on a paper page: Highwire Press tags (Google Scholar), OpenGraph,
JSON-LD `ScholarlyArticle`, and a BibTeX entry (on the page and as a `.bib` file).

All values come from untrusted paper data. Meta tags are escaped by the template; the
JSON-LD is escaped here so `</script>` in a title cannot end its script element; BibTeX
escapes TeX's special characters outside `$...$` math, and keeps math only when it holds
nothing but inert math commands (`texsafe.py`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

from sitegen.links import arxiv_abs_url, arxiv_pdf_url, classify_link, is_http_url
from sitegen.model import Day, Output, Paper, Site
from sitegen.render.texsafe import is_safe_math
from sitegen.render.textrender import escape_text, preview
from sitegen.render.units import Job, Stage, Unit, run_units
from sitegen.urls import Urls, is_arxiv_id, slugify

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                 "\u2028": "\\u2028", "\u2029": "\\u2029"}
_CATEGORY = re.compile(r"^[a-z-]+(?:\.[A-Za-z-]+)?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
# TeX specials in text; braces become commands because BibTeX counts even `\{` as a brace.
_TEX_TEXT = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
             "%": r"\%", "&": r"\&", "#": r"\#", "_": r"\_", "$": r"\$",
             "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_TEX_TEXT_RE = re.compile("|".join(re.escape(c) for c in _TEX_TEXT))
_TEX_MATH_RE = re.compile(r"(?<!\\)[%&#]")
_MATH = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]*?[^\s$\\])\$(?!\d)")
_STOP_WORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "towards",
               "toward", "is", "are", "do", "does", "can", "how", "what", "why", "when"}


def json_script(data: Any) -> Markup:
    """JSON safe inside `<script type="application/ld+json">`: `<`, `>`, `&` as `\\u003c`...

    Compact (no indent): `json` then uses its C encoder, several times faster per page.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _JSON_ESCAPES.items():
        if char in text:
            text = text.replace(char, escaped)
    return Markup(text)  # noqa: S704


def publication_date(paper: Paper) -> str:
    """The date Scholar should cite: arXiv publication date when known, else the listing day."""
    return (paper.published or paper.date).isoformat()


def scholarly_article(paper: Paper, urls: Urls) -> dict[str, Any]:
    """schema.org `ScholarlyArticle` for a paper page."""
    page = urls.absolute("paper", paper)
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "ScholarlyArticle",
        "headline": paper.title, "name": paper.title, "url": page, "mainEntityOfPage": page,
        "datePublished": publication_date(paper),
    }
    if paper.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in paper.authors]
    if paper.abstract:
        data["abstract"] = paper.abstract
    if paper.tags:
        data["keywords"] = list(paper.tags)
    if paper.arxiv_id:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "arXiv",
                              "value": paper.arxiv_id}
        data["sameAs"] = arxiv_abs_url(paper.arxiv_id)
    if paper.doi:
        data["sameAs"] = [*([data["sameAs"]] if "sameAs" in data else []),
                          f"https://doi.org/{paper.doi}"]
    if is_http_url(paper.thumbnail):
        data["image"] = paper.thumbnail
    return data


def highwire_tags(paper: Paper, urls: Urls) -> list[tuple[str, str]]:
    """(name, content) of the `citation_*` meta tags Google Scholar reads, in its order."""
    tags = [("citation_title", paper.title)]
    tags += [("citation_author", name) for name in paper.authors]
    tags.append(("citation_publication_date", publication_date(paper).replace("-", "/")))
    tags.append(("citation_online_date", paper.date.isoformat().replace("-", "/")))
    if paper.arxiv_id:
        tags.append(("citation_arxiv_id", paper.arxiv_id))
        tags.append(("citation_pdf_url", arxiv_pdf_url(paper.arxiv_id)))
    else:
        pdfs = [url for url in paper.links if urlsplit(url).path.lower().endswith(".pdf")]
        if pdfs:
            tags.append(("citation_pdf_url", pdfs[0]))
    if paper.doi:
        tags.append(("citation_doi", paper.doi))
    tags.append(("citation_abstract_html_url", urls.absolute("paper", paper)))
    return tags


def social_tags(paper: Paper, urls: Urls, site_title: str) -> list[tuple[str, str, str]]:
    """(attribute, name, content) of the OpenGraph and Twitter card meta tags."""
    description = preview(paper.abstract, 200) if paper.abstract else paper.title
    tags = [("property", "og:type", "article"), ("property", "og:title", paper.title),
            ("property", "og:description", description),
            ("property", "og:url", urls.absolute("paper", paper)),
            ("property", "og:site_name", site_title),
            ("property", "article:published_time", paper.date.isoformat())]
    tags += [("property", "article:tag", tag) for tag in paper.tags]
    image = paper.thumbnail if is_http_url(paper.thumbnail) else None
    if image:  # a thumbnail: a large card (the escaping is meta_tags' or the template's)
        tags.append(("property", "og:image", image))
    tags += [("name", "twitter:card", "summary_large_image" if image else "summary"),
             ("name", "twitter:title", paper.title),
             ("name", "twitter:description", description)]
    if image:
        tags.append(("name", "twitter:image", image))
    return tags


def bib_escape(text: str) -> str:
    """User text -> BibTeX field text: TeX specials escaped, `$...$` math kept only when
    every command in it is an inert math command (`texsafe.is_safe_math`); other math is
    escaped as text, so a citing document runs none of it (`$\\input{...}$`)."""
    text = _CONTROL.sub(" ", text)
    parts, position = [], 0
    for match in _MATH.finditer(text):
        math = match.group(1)
        if is_safe_math(math):
            parts.append(_TEX_TEXT_RE.sub(lambda m: _TEX_TEXT[m.group()],
                                          text[position:match.start()]))
            parts.append("$" + _TEX_MATH_RE.sub(lambda m: "\\" + m.group(), math) + "$")
            position = match.end()
    parts.append(_TEX_TEXT_RE.sub(lambda m: _TEX_TEXT[m.group()], text[position:]))
    return "".join(parts)


def _bib_name(name: str) -> str:
    escaped = bib_escape(" ".join(name.split()))
    # "Last, First" or a name containing " and " would be split by BibTeX: keep it whole.
    if "," in escaped or re.search(r"\sand\s", escaped, re.IGNORECASE):
        return "{" + escaped + "}"
    return escaped


def bibtex_key(paper: Paper) -> str:
    """`lastname2025firstword`, ASCII only (Google Scholar's style); without an author (or
    one with no ASCII letters), `firstword2025secondword` from the title; `paper2025`
    when the title has no ASCII word either."""
    last = ""
    if paper.authors and paper.authors[0].split():
        last = slugify(paper.authors[0].split()[-1]).replace("-", "")
    words = [w for w in slugify(paper.title).split("-") if w and w not in _STOP_WORDS]
    year = (paper.published or paper.date).year
    if last:
        return f"{last}{year}{words[0] if words else ''}"
    if words:
        return f"{words[0]}{year}{words[1] if len(words) > 1 else ''}"
    return f"paper{year}"


def cited_url(paper: Paper) -> str | None:
    """The URL a BibTeX entry cites: the arXiv abstract, else the paper's own project
    page or PDF; never this site's copy of it (not the publisher). None if there is none."""
    if paper.arxiv_id and is_arxiv_id(paper.arxiv_id):
        return arxiv_abs_url(paper.arxiv_id)
    for url in paper.links:
        if classify_link(url).kind == "project":
            return url
    return None


def bibtex(paper: Paper, urls: Urls) -> str:
    """An arXiv-style `@misc` entry (eprint, archivePrefix, primaryClass when known); a
    paper without arXiv id or DOI gets title, authors and year (and its project page):
    the paper page says so (`cited_url`)."""
    return f"@misc{{{bibtex_key(paper)},\n{bibtex_fields(paper)}\n}}\n"


def bibtex_fields(paper: Paper) -> str:
    """The fields of a paper's entry, one a line, escaped: the entry without its key (a
    file citing many papers gives each its key, unique in the file: render/citations.py)."""
    fields = [("title", bib_escape(paper.title))]
    if paper.authors:
        fields.append(("author", " and ".join(_bib_name(n) for n in paper.authors)))
    fields.append(("year", str((paper.published or paper.date).year)))
    if paper.arxiv_id and is_arxiv_id(paper.arxiv_id):
        fields.append(("eprint", paper.arxiv_id))
        fields.append(("archivePrefix", "arXiv"))
        primary = [c for c in (paper.primary_category, *paper.categories)
                   if c and _CATEGORY.match(c)]
        if primary:
            fields.append(("primaryClass", primary[0]))
    if paper.doi:
        fields.append(("doi", re.sub(r"[{}\s\\]", "", paper.doi)))
    url = cited_url(paper)
    if url:
        fields.append(("url", re.sub(r"[{}\s\\]", "", url)))
    return ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)


def bib_stage(site: Site, urls: Urls) -> Stage:
    """A `.bib` file beside every paper page, as a stage: a unit per day, keyed by its
    papers (its files' fingerprints by each paper), so that a day added makes its own
    entries only. Entries depend on no template: the stage's base is the code alone."""
    kind = "bibtex"
    return Stage([Unit("bib " + day.date.isoformat(), kind, (day.papers,),
                       partial(_bib_jobs, kind, urls, day), size=len(day.papers))
                  for day in site.days], partial(_bib_entries, urls))


def _bib_jobs(kind: str, urls: Urls, day: Day) -> list[Job]:
    return [Job(kind, urls.output_path("paper_bib", paper), {"paper": paper})
            for paper in day.papers]


def _bib_entries(urls: Urls, jobs: Sequence[Job]) -> Iterator[bytes]:
    for job in jobs:
        yield bibtex(job.context["paper"], urls).encode("utf-8")


def bib_outputs(site: Site, urls: Urls) -> list[Output]:
    """Every `.bib` file, made."""
    return list(run_units(bib_stage(site, urls)))


def meta_tags(paper: Paper, urls: Urls, site_title: str) -> Markup:
    """The `<meta>` elements of a paper page (Highwire, then OpenGraph and Twitter), one a
    line, values escaped: what a template loop over `highwire_tags` and `social_tags`
    makes, built here once instead of through ~40 template expressions per page."""
    lines = ['<meta name="' + escape_text(name) + '" content="' + escape_text(content) + '">\n'
             for name, content in highwire_tags(paper, urls)]
    lines += ["<meta " + escape_text(attribute) + '="' + escape_text(name) + '" content="'
              + escape_text(content) + '">\n'
              for attribute, name, content in social_tags(paper, urls, site_title)]
    return Markup("".join(lines))  # noqa: S704


def template_globals(urls: Urls, site_title: str) -> dict[str, Any]:
    """The functions paper.html uses."""
    return {
        "highwire_tags": lambda paper: highwire_tags(paper, urls),
        "social_tags": lambda paper: social_tags(paper, urls, site_title),
        "meta_tags": lambda paper: meta_tags(paper, urls, site_title),
        "json_ld": lambda paper: json_script(scholarly_article(paper, urls)),
        "bibtex": lambda paper: bibtex(paper, urls),
    }
