"""render/cards.py: what a card shows of a paper, the one place for it."""

from __future__ import annotations

import datetime as dt

from sitegen.model import Paper
from sitegen.render.cards import card_of, first_sentence

DAY = dt.date(2025, 8, 11)


def test_first_sentence_skips_abbreviations_initials_and_math() -> None:
    text = ("We use e.g. CLIP and J. Smith's method with $x. Y$ terms, cf. Fig. 2. "
            "Then more follows. And more.")
    assert first_sentence(text) == ("We use e.g. CLIP and J. Smith's method with $x. Y$ "
                                    "terms, cf. Fig. 2.")
    assert first_sentence("No end in sight") == "No end in sight"
    long = "word " * 100 + ". Next."
    assert first_sentence(long).endswith("…") and len(first_sentence(long)) <= 281


def test_a_card_of_a_hf_paper_and_of_a_copied_one() -> None:
    hf = Paper(slug="2508.00001", title="T", date=DAY, arxiv_id="2508.00001",
               authors=("A", "B", "C", "D", "E"), organization="Lab", upvotes=0,
               github_stars=None, comments=2, ai_summary="Short  summary.",
               abstract="First. Second.",
               links=("https://github.com/a/b", "https://huggingface.co/papers/2508.00001",
                      "https://lab.example/p", "https://gitlab.com/x/y"))
    card = card_of(hf)
    assert card.authors == ("A", "B", "C") and card.more_authors == 2
    assert (card.upvotes, card.stars, card.comments) == (0, None, 2)
    assert (card.tldr, card.tldr_source) == ("Short summary.", "summary")
    assert [(link.kind, link.label) for link in card.links] == [
        ("arxiv", "arXiv"), ("pdf", "PDF"), ("code", "Code"), ("project", "Project"),
        ("hf", "HF")]  # one code link: the first
    assert card.find == ()
    four = card_of(Paper(slug="s", title="T", date=DAY, authors=("A", "B", "C", "D")))
    assert four.authors == ("A", "B", "C", "D") and four.more_authors == 0  # no "et al." for one
    copied = card_of(Paper(slug="s", title="A $x$ & <b>", date=DAY, abstract="One. Two."))
    assert (copied.tldr, copied.tldr_source) == ("One.", "abstract")
    assert [link.url for link in copied.find] == [
        "https://huggingface.co/papers?q=A+%24x%24+%26+%3Cb%3E",
        "https://arxiv.org/search/?searchtype=title&query=A+%24x%24+%26+%3Cb%3E"]
    assert card_of(Paper(slug="s", title="T", date=DAY)).tldr_source == ""
