"""The built-in tag rules (site/tagrules.py) after their narrowing on real papers
(docs/tags-evaluation.md): words abstracts use in passing no longer tag."""

from __future__ import annotations

import datetime as dt

import pytest

from sitegen.model import Paper
from sitegen.site.tagging import compile_rules

RULES = compile_rules({"default_rules": True})


def _tags(title: str, abstract: str = "", **fields) -> tuple[str, ...]:
    return RULES.tags(Paper(slug="p", title=title, date=dt.date(2025, 8, 11),
                            abstract=abstract, **fields))


@pytest.mark.parametrize(("title", "abstract", "not_tag"), [
    ("Feature Alignment for Detection", "We align features across domains.", "safety"),
    ("Grounded Captions", "The model reduces hallucination in captions.", "safety"),
    ("Federated Statistics", "A method under differential privacy.", "safety"),
    ("Video Tracking", "An efficient, lightweight, training-free method with low latency.",
     "efficiency"),
    ("Video Tracking", "We reach state of the art on standard benchmarks.", "benchmark"),
    ("Code Agents", "Evaluated on LiveCodeBench.", "benchmark"),
    ("Temporal Grounding", "The model shows strong temporal reasoning.", "reasoning"),
    ("Path Planning for Drones", "A planning method.", "reasoning"),
    ("Jailbreaks of Chat Models", "The attack reaches 90% ASR.", "speech"),
    ("Video Anomaly Detection", "Clip-level pseudo labels from video clips.", "vision-language"),
    ("Stereo Matching", "Our source code is available.", "code"),
    ("Image Denoising", "A denoising network for photographs.", "diffusion"),
    ("Learning Rates", "A theoretical analysis of the method.", "theory"),
    ("Robust Detection", "Results under distribution shift and out-of-distribution data.",
     "domain adaptation"),
    ("Q-learning Exploration", "The agent learns to explore.", "agents"),
    ("Video Models", "Code at https://github.com/OSU-NLP-Group/x.", "nlp"),
])
def test_words_used_in_passing_no_longer_tag(title: str, abstract: str, not_tag: str) -> None:
    assert not_tag not in _tags(title, abstract)


@pytest.mark.parametrize(("title", "abstract", "tag"), [
    ("ParrotBench: Do Language Models Repeat?", "", "benchmark"),
    ("A Study", "We introduce ForeSci, a temporally controlled benchmark for agents.",
     "benchmark"),
    ("Bandits", "We benchmark posterior approximations.", "benchmark"),
    ("SwiftI2V: Efficient High-Resolution Video Generation", "", "efficiency"),
    ("Tiny Models", "We use knowledge distillation and 4-bit quantization.", "efficiency"),
    ("Thought-Level Beam Search for Reasoning", "", "reasoning"),
    ("A Hard-to-Beat Baseline for CLIP-based Adaptation", "", "vision-language"),
    ("OpenRT", "Jailbreak attacks on chat models.", "safety"),
    ("Deferred Poisoning", "A new poisoning attack.", "safety"),
    ("MOSS Transcribe Diarize", "Transcription with speaker diarization.", "speech"),
    ("Coding Agents That Remember", "", "code"),
])
def test_what_the_rules_still_tag(title: str, abstract: str, tag: str) -> None:
    assert tag in _tags(title, abstract)


def test_security_papers_are_not_tagged_safety_by_their_category() -> None:
    assert "safety" not in _tags("Smart Meter Attacks", "False data injection.",
                                 categories=("cs.CR",))
    assert "nlp" in _tags("A Parser", "", categories=("cs.CL",))  # other categories still map
