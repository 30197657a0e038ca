"""The outbound links of a paper, labelled: arXiv abstract and PDF, code, project pages."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sitegen.model import Link, Paper

#: An absolute http(s) URL with nothing that could end an attribute or start markup, and no
#: control character (`\Z`, not `$`, which would let a final newline through).
HTTP_URL = re.compile(r"^https?://[^\s<>\"'`\x00-\x1f\x7f-\x9f]+\Z", re.IGNORECASE)
#: A DOI as Crossref/DataCite issue them (`10.<registrant>/<suffix>`); it is put after
#: `https://doi.org/`, so the suffix may not hold spaces, quotes, angle brackets or `\`.
DOI = re.compile(r"^10\.\d{4,9}(\.\d+)*/[^\s<>\"'`\\{}\x00-\x1f\x7f-\x9f]+\Z")


#: A Hugging Face user or organisation name, as it appears in `huggingface.co/<name>`.
HANDLE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\Z")


def is_handle(value: str | None) -> bool:
    """True for a Hugging Face user or organisation name (safe in a URL path)."""
    return bool(value) and HANDLE.match(value or "") is not None and ".." not in (value or "")


def is_http_url(value: str | None) -> bool:
    """True for a URL safe to put in an href or src (http or https only)."""
    return bool(value) and HTTP_URL.match(value or "") is not None


def is_doi(value: str | None) -> bool:
    """True for a DOI safe to show and to link as https://doi.org/<doi>."""
    return bool(value) and DOI.match(value or "") is not None


_CODE_HOSTS = {"github.com": "Code (GitHub)", "gitlab.com": "Code (GitLab)"}


def classify_link(url: str) -> Link:
    """Label a stored link by its host."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    if host in _CODE_HOSTS:
        return Link("code", _CODE_HOSTS[host], url)
    if host == "huggingface.co" or host.endswith(".hf.space"):
        return Link("hf", "Hugging Face", url)
    if host in ("arxiv.org", "export.arxiv.org"):
        return Link("arxiv", "arXiv", url)
    return Link("project", "Project page", url)


def paper_links(paper: Paper) -> tuple[Link, ...]:
    """arXiv abstract and PDF (from the id), then the stored links in their order."""
    links: list[Link] = []
    if paper.arxiv_id:
        links.append(Link("arxiv", "arXiv", arxiv_abs_url(paper.arxiv_id)))
        links.append(Link("pdf", "PDF", arxiv_pdf_url(paper.arxiv_id)))
    seen = {link.url for link in links}
    for url in paper.links:
        if url not in seen:
            links.append(classify_link(url))
            seen.add(url)
    return tuple(links)


def arxiv_abs_url(arxiv_id: str) -> str:
    """The arXiv abstract page of an id."""
    return f"https://arxiv.org/abs/{arxiv_id}"


def arxiv_pdf_url(arxiv_id: str) -> str:
    """The arXiv PDF of an id."""
    return f"https://arxiv.org/pdf/{arxiv_id}"
