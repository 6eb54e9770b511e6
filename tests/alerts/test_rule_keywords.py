"""Keyword rules: a configured keyword alerts on a whole word in any script, never on part of a longer one."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from alerts.rules import RuleEngine
from listener.config import BrandConfig, RuleConfig
from listener.domain import Classification, Mention, StoredMention

BRANDS = [BrandConfig(name="Lumora")]
# Keywords only: the complaint score is under any threshold, so a keyword is the only reason to alert.
RULE = RuleConfig(name="words", complaint_threshold=None, default_keywords=False, channels=["console"],
                  keywords=["बंद", "Ausfall", "отключили"])


def reasons_for(text: str) -> list[str]:
    stored = StoredMention(1, Mention("x", "1", text, datetime(2026, 11, 25, tzinfo=timezone.utc), "Lumora"),
                           Classification("hi", "neutral", (0.1, 0.8, 0.1), 0.05))
    return [reason for alert in RuleEngine([RULE], BRANDS).evaluate(stored) for reason in alert.reasons]


@pytest.mark.parametrize("text, keyword", [
    ("@Lumora नेटवर्क बंद है सुबह से", "बंद"),  # Hindi: the network is down since morning
    ("Lumora: kompletter AUSFALL seit heute früh", "Ausfall"),
    ("Lumora, интернет отключили!", "отключили"),
])
def test_a_keyword_alerts_on_the_whole_word_in_any_script_and_case(text, keyword):
    assert f"keyword '{keyword}'" in reasons_for(text)


@pytest.mark.parametrize("text", [
    "@Lumora वह बंदा बहुत अच्छा था",  # "बंदा" (guy): the vowel sign after बंद is part of the word
    "Lumora Ausfallzeit geplant",
])
def test_a_keyword_does_not_alert_inside_a_longer_word(text):
    assert reasons_for(text) == []


def test_a_keyword_of_the_rules_own_that_is_also_built_in_is_one_reason():
    rule = RuleConfig(name="words", complaint_threshold=None, channels=["console"], keywords=["Abogado", "procon"])
    stored = StoredMention(1, Mention("x", "1", "Lumora, hablaré con mi abogado y con Procon",
                                      datetime(2026, 11, 25, tzinfo=timezone.utc), "Lumora"),
                           Classification("es", "neutral", (0.1, 0.8, 0.1), 0.05))
    [alert] = RuleEngine([rule], BRANDS).evaluate(stored)
    assert [reason for reason in alert.reasons if "abogado" in reason.lower()] == ["keyword 'abogado' (legal)"]
    assert len([reason for reason in alert.reasons if "procon" in reason.lower()]) == 1


def test_an_alert_raised_by_a_keyword_alone_is_not_titled_a_complaint():
    """The complaint score is under the threshold here: the title says what did raise it."""
    [alert] = RuleEngine([RULE], BRANDS).evaluate(
        StoredMention(1, Mention("x", "1", "Lumora, интернет отключили!", datetime(2026, 11, 25, tzinfo=timezone.utc),
                                 "Lumora", author_handle="ivan"), Classification("ru", "neutral", (0.1, 0.8, 0.1), 0.05)))
    assert alert.title == "Lumora: post with 'отключили' from @ivan on x"
