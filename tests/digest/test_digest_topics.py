"""The default complaint taxonomy: how keywords match, and how well it finds the demo's topics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alerts.digest.topics import TopicTaxonomy
from listener import cli
from listener.config import DEFAULT_DIGEST_TOPICS

DEMO_STREAM = Path(cli.__file__).parent / "demo" / "stream.jsonl"
# The demo generator's topics and the default taxonomy's names for them (installation and roaming have none).
GENERATOR_TOPICS = {"billing": "billing", "outage": "outage", "app": "app and website", "cancel": "cancellation",
                    "delivery": "delivery", "support": "staff", "speed": "product quality"}


def test_keywords_match_words_ignoring_case_and_accents():
    taxonomy = TopicTaxonomy(DEFAULT_DIGEST_TOPICS)
    assert taxonomy.topics_of("¡Me COBRARON dos veces!") == ["billing"]
    assert taxonomy.topics_of("Caída total, sin señal") == ["outage"]
    assert taxonomy.topics_of("the download was fine") == []  # 'down' is a whole word, not a prefix


def test_default_taxonomy_finds_the_topic_of_most_demo_complaints():
    if not DEMO_STREAM.exists():
        pytest.skip(f"the demo stream {DEMO_STREAM} has not been generated (python -m listener.demo.generate)")
    taxonomy = TopicTaxonomy(DEFAULT_DIGEST_TOPICS)
    found = total = 0
    for line in DEMO_STREAM.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        expected = record["expected"]  # ground truth, used here to measure the taxonomy, never by the digest
        topic = GENERATOR_TOPICS.get(expected.get("topic") or "")
        if expected.get("complaint") and topic:
            total += 1
            found += topic in taxonomy.topics_of(record["text"])
    assert total >= 50
    assert found / total >= 0.75


def test_a_topic_keyword_in_an_indic_script_is_a_whole_word():
    taxonomy = TopicTaxonomy({"outage": ["बंद"]})
    assert taxonomy.topics_of("नेटवर्क बंद है") == ["outage"]
    assert taxonomy.topics_of("वह बंदा आया") == []  # "बंदा" (guy): its vowel sign is part of the word
