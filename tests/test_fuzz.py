"""A short fuzzing run of the importer, the front-matter reader and the renderers.

`bench/fuzz.py` runs the same targets long (hypothesis or atheris); its figures are in
docs/security.md. SITEGEN_FUZZ_EXAMPLES sets how many examples each test tries here.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile import corpus
from tests.hostile.fuzz_targets import (
    fuzz_front_matter,
    fuzz_import,
    fuzz_render,
    page_texts,
    paper_texts,
    raw_bytes,
)

pytestmark = pytest.mark.fuzz
EXAMPLES = int(os.environ.get("SITEGEN_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@FUZZ
@given(st.one_of(page_texts.map(str.encode), raw_bytes))
def test_fuzz_importer(data):
    fuzz_import(data)


@FUZZ
@given(st.one_of(paper_texts.map(str.encode), raw_bytes))
def test_fuzz_front_matter_reader(data):
    fuzz_front_matter(data)


@FUZZ
@given(page_texts.map(str.encode))
def test_fuzz_renderers(data):
    fuzz_render(data)


@pytest.mark.parametrize("text", [t for _, t in corpus.PAYLOADS] + list(corpus.DEEP_NOTES.values()))
def test_every_corpus_payload_through_every_target(text):
    fuzz_render(text.encode())
    fuzz_import(f"Aug 11, 2025\n\n{' '.join(text.split()) or 'x'}\n\n{text}\n".encode())
    fuzz_front_matter(("---\ntitle: T\ndate: 2025-08-11\n---\n" + text).encode())
