"""The classifier's cues as an alert shows them ("why flagged") and groups by them: never a brand's own name."""

from __future__ import annotations

from datetime import datetime, timezone

from alerts.rules import RuleEngine
from listener.config import BrandConfig, RuleConfig
from listener.domain import Alert, Classification, Mention, StoredMention

BRANDS = [BrandConfig(name="Lumora", own_handles=["lumora_ayuda"]),
          BrandConfig(name="Vireo Net", terms={"*": ["Vireo Net", "@vireonet"]}, competitor=True)]
RULE = RuleConfig(name="complaints", complaint_threshold=0.7, default_keywords=False, channels=["console"])


def alert_for(text: str, cues: tuple[str, ...]) -> Alert:
    stored = StoredMention(1, Mention("x", "1", text, datetime(2026, 11, 25, tzinfo=timezone.utc), "Lumora"),
                           Classification("es", "negative", (0.8, 0.15, 0.05), 0.9, cues=cues))
    [alert] = RuleEngine([RULE], BRANDS).evaluate(stored)
    return alert


def test_the_brands_names_are_not_shown_as_why_a_post_was_flagged():
    """Every post names its brand: "lumora" as a cue tells the reader nothing, and "de Lumora",
    "Lumora Ayuda" (its own account, written out) and a competitor's name neither."""
    alert = alert_for("Lumora, otra vez sin internet. Me paso a Vireo Net",
                      ("lumora", "sin internet", "de Lumora", "lumora ayuda", "vireo net", "lumora app"))
    assert "cues: sin internet, lumora app" in alert.reasons


def test_an_alert_groups_by_its_first_cue_that_is_not_a_name():
    first = alert_for("Lumora sin internet desde ayer", ("lumora", "sin internet"))
    second = alert_for("Sin internet en casa, Lumora", ("sin internet", "casa"))
    assert first.group == second.group == "Lumora:cue:sin internet"


def test_a_question_groups_by_what_it_asks_about_not_by_its_function_words():
    """The lexicon's "why is" is shown (it is why the post reads as a complaint) but says nothing of the
    topic: two "why is" complaints about different things are two groups."""
    bill = alert_for("why is my bill so high @lumora", ("why is", "bill", "my bill"))
    app = alert_for("why is the app down again @lumora", ("why is", "app", "down"))
    assert "cues: why is, bill, my bill" in bill.reasons
    assert (bill.group, app.group) == ("Lumora:cue:bill", "Lumora:cue:app")


def test_a_post_whose_only_cue_is_the_brand_shows_no_cues():
    alert = alert_for("Lumora 😡", ("lumora",))
    assert alert.reasons == ("complaint 90% ≥ 70%",) and alert.group is None
