"""Keyword rules: a configured keyword alerts on a whole word in any script, never on part of a longer one."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from listener.folding import fold, phrase_pattern
from alerts.keywords import DEFAULT_KEYWORDS
from alerts.rules import RuleEngine
from listener import cli
from listener.config import KEYWORD_CATEGORIES, BrandConfig, RuleConfig
from listener.domain import Alert, Classification, Mention, StoredMention

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


@pytest.mark.parametrize("text, keyword", [
    ("Lumoraのアプリがまた繋がらない", "繋がらない"),  # Japanese: the app won't connect again
    ("Lumora移动又断网了", "断网"),  # Chinese: the connection is cut again
    ("ผมใช้Lumoraแล้วใช้ไม่ได้เลย", "ใช้ไม่ได้"),  # Thai: it does not work at all
])
def test_a_keyword_in_a_script_written_without_spaces_does_not_wait_for_spaces_around_it(text, keyword):
    """Chinese, Japanese and Thai put no space between words, so a keyword in them, looked for as a whole
    word, was found only beside a space or a punctuation mark: "繋がらない" never alerted in a sentence."""
    rule = RuleConfig(name="words", complaint_threshold=None, default_keywords=False, channels=["console"],
                      keywords=["繋がらない", "断网", "ใช้ไม่ได้"])
    stored = StoredMention(1, Mention("x", "1", text, datetime(2026, 11, 25, tzinfo=timezone.utc), "Lumora"),
                           Classification("ja", "neutral", (0.1, 0.8, 0.1), 0.05))
    assert [reason for alert in RuleEngine([rule], BRANDS).evaluate(stored) for reason in alert.reasons] \
        == [f"keyword '{keyword}'"]


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


BUILT_IN = RuleConfig(name="built-in", complaint_threshold=None, channels=["console"])
DEMO_STREAM = Path(cli.__file__).parent / "demo" / "stream.jsonl"


def alerts_for(text: str, lang: str = "es", complaint: float = 0.14, cues: tuple[str, ...] = (),
               rule: RuleConfig = BUILT_IN) -> list[Alert]:
    """What ``rule`` raises on ``text``, classified as not a complaint (0.14) unless told otherwise."""
    stored = StoredMention(1, Mention("x", "1", text, datetime(2026, 11, 25, tzinfo=timezone.utc), "Lumora"),
                           Classification(lang, "neutral", (0.3, 0.6, 0.1), complaint, cues=cues))
    return RuleEngine([rule], BRANDS).evaluate(stored)


def built_in_reasons_for(text: str, lang: str = "es", **classified: Any) -> list[str]:
    return [reason for alert in alerts_for(text, lang, **classified) for reason in alert.reasons]


@pytest.mark.parametrize("text, lang, keyword", [
    ("@lumora no puedo entrar en la app desde ayer", "es", "no puedo entrar"),
    ("@Lumora nao consigo entrar no app", "pt", "não consigo entrar"),  # written without its accent
    ("Can’t log in to Lumora and I need to top up", "en", "can't log in"),  # a typographic apostrophe
    ("Lumora: la fibre est EN PANNE depuis ce matin", "fr", "en panne"),
])
def test_a_service_the_customer_cannot_get_into_alerts_whatever_the_complaint_score(text, lang, keyword):
    assert f"keyword '{keyword}' (outage)" in built_in_reasons_for(text, lang)


@pytest.mark.parametrize("text, lang, keyword", [
    ("@lumora ¿Hay alguien ahí?", "es", "hay alguien ahí"),
    ("Tem alguem ai? @lumora mandei DM faz 3 dias", "pt", "tem alguém aí"),
    ("@lumora 40 minutes on hold for nothing", "en", "on hold for"),
])
def test_a_customer_nobody_answers_alerts_whatever_the_complaint_score(text, lang, keyword):
    assert f"keyword '{keyword}' (unanswered)" in built_in_reasons_for(text, lang)


def test_a_question_to_the_crowd_is_not_an_unanswered_customer():
    assert built_in_reasons_for("¿Hay alguien que sepa si Lumora tiene fibra en Vigo?") == []
    assert built_in_reasons_for("Alguém aí tem a fibra da Lumora em Recife?", "pt") == []


def test_an_alert_raised_by_a_keyword_against_the_classifier_does_not_show_its_cues_as_why():
    """Under ½ the model's cues are what made it read "no complaint": "puedo, desde" would explain nothing."""
    def reasons(complaint: float) -> list[str]:
        return built_in_reasons_for("@lumora no puedo entrar en la app desde ayer", complaint=complaint,
                                    cues=("puedo", "desde"))

    assert reasons(0.14) == ["keyword 'no puedo entrar' (outage)"]
    assert reasons(0.55) == ["keyword 'no puedo entrar' (outage)", "cues: puedo, desde"]


def test_keyword_alerts_the_classifier_missed_group_by_their_keyword_not_by_its_cues():
    def group(text: str, cue: str) -> str | None:
        [alert] = alerts_for(text, cues=(cue,))
        return alert.group

    assert group("@lumora no puedo entrar desde ayer", "desde") == group("@lumora NO PUEDO ENTRAR en la app", "app")
    assert group("@lumora no puedo entrar desde ayer", "desde") != group("@lumora se ha caído la web desde ayer", "desde")


@pytest.mark.parametrize("text, lang", [
    ("10 years with Lumora and not a single outage. Touch wood", "en"),
    ("Fibra da Lumora ta voando aqui, 607 mega no wifi", "pt"),  # "no wifi": on the wifi
])
def test_praise_that_names_an_outage_raises_no_keyword_alert(text, lang):
    assert built_in_reasons_for(text, lang) == []


def test_a_rule_that_lists_built_in_categories_alerts_on_those_only():
    """A brand that wants legal threats flagged but handles outages on a status page lists the ones it wants."""
    rule = RuleConfig(name="legal", complaint_threshold=None, channels=["console"], default_keywords=["legal"])

    def reasons(text: str) -> list[str]:
        return built_in_reasons_for(text, rule=rule)

    assert "keyword 'abogado' (legal)" in reasons("@lumora lo verá mi abogado")
    assert reasons("@lumora no puedo entrar en la app desde ayer") == []
    assert reasons("@lumora voy a cancelar mi cuenta") == []


def test_the_categories_a_rule_can_list_are_the_built_in_ones():
    assert set(KEYWORD_CATEGORIES) == set(DEFAULT_KEYWORDS)


def test_the_outage_phrases_find_demo_complaints_and_no_demo_praise():
    """Measured on the project's own demo stream: what the phrases match is a complaint, every time."""
    if not DEMO_STREAM.exists():
        pytest.skip(f"the demo stream {DEMO_STREAM} has not been generated (python -m listener.demo.generate)")
    outage = phrase_pattern(word for words in DEFAULT_KEYWORDS["outage"].values() for word in words)
    records = [json.loads(line) for line in DEMO_STREAM.read_text(encoding="utf-8").splitlines()]
    matched = [record["expected"]["complaint"] for record in records if outage.search(fold(record["text"]))]
    assert len(matched) >= 20
    assert all(matched)


def test_two_rules_on_one_channel_send_the_more_severe_alert_whichever_is_listed_first():
    routine = RuleConfig(name="complaints", complaint_threshold=0.6, default_keywords=False, channels=["slack"])
    legal = RuleConfig(name="legal", complaint_threshold=None, default_keywords=["legal"], channels=["slack"])
    stored = StoredMention(7, Mention("x", "1", "Lumora charged me twice, I'm calling my lawyer",
                                      datetime(2026, 11, 25, tzinfo=timezone.utc), "Lumora", author_reach=50),
                           Classification("en", "negative", (0.8, 0.1, 0.1), 0.7))
    for rules in ([routine, legal], [legal, routine]):
        [alert] = RuleEngine(rules, BRANDS).evaluate(stored)
        assert (alert.channel, alert.rule, alert.severity) == ("slack", "legal", "high")
    [alert] = RuleEngine([routine, RuleConfig(name="also", channels=["slack"], default_keywords=False)],
                         BRANDS).evaluate(stored)
    assert alert.rule == "complaints"  # as severe: the first listed


@pytest.mark.parametrize("keyword", ["lawyer ", " lawyer"])
def test_a_keyword_with_spaces_around_it_matches_as_the_word(keyword):
    rule = RuleConfig(name="words", complaint_threshold=None, default_keywords=False, channels=["console"],
                      keywords=[keyword])
    stored = StoredMention(1, Mention("x", "1", "Lumora, talk to my lawyer.", datetime(2026, 11, 25, tzinfo=timezone.utc),
                                      "Lumora"), Classification("en", "neutral", (0.1, 0.8, 0.1), 0.05))
    [alert] = RuleEngine([rule], BRANDS).evaluate(stored)
    assert alert.reasons == ("keyword 'lawyer'",)


def test_a_latin_keyword_written_against_chinese_or_japanese_does_not_go_unnoticed():
    """A keyword of a script with spaces ("lawyer", "Procon") written against Chinese or Japanese letters,
    as those scripts write a foreign word, was taken for part of a longer word and never alerted."""
    rule = RuleConfig(name="words", complaint_threshold=None, default_keywords=False, channels=["console"],
                      keywords=["lawyer"])
    stored = StoredMention(1, Mention("x", "1", "Lumora的账户被封了，我要找lawyer了",
                                      datetime(2026, 11, 25, tzinfo=timezone.utc), "Lumora"),
                           Classification("zh", "neutral", (0.1, 0.8, 0.1), 0.05))
    assert [reason for alert in RuleEngine([rule], BRANDS).evaluate(stored) for reason in alert.reasons] \
        == ["keyword 'lawyer'"]


@pytest.mark.parametrize("text, reasons", [
    ("Lumoraのサーバーがダウンしてる", ["keyword 'ダウン'"]),  # the server is down
    ("Lumoraのｻｰﾊﾞｰがﾀﾞｳﾝ", ["keyword 'ダウン'"]),  # half-width kana, as some phones type them
    ("Lumoraタウン店のケーキ美味しい", []),  # Lumora Town's cake is delicious
    ("Lumoraのアプリ、ハクション大魔王みたい", []),  # "achoo", not "bug"
    ("แอพLumoraล่มอีกแล้ว", ["keyword 'ล่ม'"]),  # Thai: the Lumora app crashed again
    ("วันนี้ลมแรงมาก ไปร้านLumoraไม่ได้", []),  # the wind is strong today, can't go to the Lumora shop
])
def test_a_keyword_in_japanese_or_thai_does_not_alert_on_the_word_its_marks_tell_it_from(text, reasons):
    """Folding took the kana sound marks (゛ ゜) and Thai tone marks for accents and deleted them, so "ダウン"
    (down) was "タウン" (town), "バグ" (bug) "ハク" and Thai "ล่ม" (crashed) "ลม" (wind): found wherever they
    stand in those scripts, they alerted on a post about Lumora Town's cake, a sneeze, or the wind."""
    rule = RuleConfig(name="words", complaint_threshold=None, default_keywords=False, channels=["console"],
                      keywords=["ダウン", "バグ", "ล่ม"])
    stored = StoredMention(1, Mention("x", "1", text, datetime(2026, 11, 25, tzinfo=timezone.utc), "Lumora"),
                           Classification("ja", "neutral", (0.1, 0.8, 0.1), 0.05))
    assert [reason for alert in RuleEngine([rule], BRANDS).evaluate(stored) for reason in alert.reasons] == reasons
