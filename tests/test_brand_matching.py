"""Which brand a post is about, as a new user configures several brands and a competitor: read from a
replayed file, so what a brand's terms miss is a mention lost."""

from __future__ import annotations

import unicodedata

from listener.brands import BrandMatcher
from listener.config import BrandConfig
from listener.sources.replay import ReplaySource
from replay_records import post, write_posts

BRANDS = [
    BrandConfig(name="Telefónica", terms={"*": ["Telefónica", "@telefonica"]}),
    BrandConfig(name="Vireo Net", terms={"*": ["Vireo Net"]}, competitor=True),
]


def brands_of(tmp_path, texts: list[str], brands: list[BrandConfig] = BRANDS) -> list[str | None]:
    """The brand each of ``texts`` is stored under when replayed (None: skipped, not stored)."""
    path = write_posts(tmp_path / "posts.jsonl", [post(str(number), text) for number, text in enumerate(texts)])
    [batch] = list(ReplaySource(path, BrandMatcher(brands, "replay")).fetch({}))
    stored = {mention.external_id: mention.brand for mention in batch.mentions}
    return [stored.get(str(number)) for number in range(len(texts))]


def test_a_post_written_without_the_brands_accents_or_spacing_is_not_skipped(tmp_path):
    """"La telefonica me cobra de más" was skipped as about no brand: terms matched case, not accents, so a
    customer who left out the accent (most do), a phone that sends 'ó' decomposed, a double space or a line
    break inside "Vireo Net" lost the mention, where keywords match all of these."""
    texts = ["La telefonica me cobra de más", "#TELEFONICA caída otra vez",
             unicodedata.normalize("NFD", "Telefónica sin señal"), "Vireo  Net sin señal", "Vireo\nNet caído"]
    assert brands_of(tmp_path, texts) == ["Telefónica", "Telefónica", "Telefónica", "Vireo Net", "Vireo Net"]


def test_a_post_about_a_brand_whose_name_holds_another_brands_is_not_given_to_the_other():
    """With "Uber" and "Uber Eats" both configured, "mi pedido de Uber Eats no llega" was Uber's (listed
    first): its alert went to Uber's rules and channels, and the digest counted it for Uber. A term is
    looked for as a whole, so "Uber" inside "Uber Eats" is no mention of Uber; a post naming both is the
    first listed brand's, and a competitor's name holding ours still leaves a post naming ours ours."""
    brands = [BrandConfig(name="Uber"), BrandConfig(name="Uber Eats"),
              BrandConfig(name="Uber Eats Falso", competitor=True)]
    matcher = BrandMatcher(brands, "replay")
    assert [matcher.brand_of(text) for text in [
        "mi pedido de Uber Eats no llega", "pedí un Uber y luego Uber Eats", "Uber Eats Falso me estafó",
        "Uber Eats Falso es peor que Uber Eats",
    ]] == ["Uber Eats", "Uber", "Uber Eats Falso", "Uber Eats"]


def test_a_latin_brand_name_written_against_chinese_japanese_or_thai_does_not_lose_the_post(tmp_path):
    """"Lumoraのアプリが繋がらない" was skipped as about no brand: a term was looked for as a whole word, and
    the letter of Japanese, Chinese or Thai written against it (those scripts put no space between words,
    nor around a Latin name) counted as more of the word, so such posts were lost unless a space stood
    beside the name. A word of another Latin word still does not: "Lumoras" and "xLumora" are no mention."""
    texts = ["Lumoraのアプリが繋がらない", "我的Lumora账户被封了", "แอพLumoraเข้าไม่ได้", "ＬＵＭＯＲＡ落ちた",
             "Telefónicaの回線", "xLumoraの話", "Lumorasの話"]
    brands = [BrandConfig(name="Lumora"), *BRANDS]
    assert brands_of(tmp_path, texts, brands) == ["Lumora", "Lumora", "Lumora", "Lumora", "Telefónica", None, None]


def test_a_brand_name_in_styled_capitals_does_not_lose_the_post(tmp_path):
    """"𝐋𝐔𝐌𝐎𝐑𝐀 me cobró dos veces" (the mathematical bold letters "fancy text" generators and phones offer
    for emphasis) was skipped as about no brand: folding decomposed "𝐋" to a capital "L" after it had
    folded the case, so the text kept capitals that no term, folded to lower case, could match."""
    texts = ["𝐋𝐔𝐌𝐎𝐑𝐀 me cobró dos veces", "𝑻𝒆𝒍𝒆𝒇𝒐́𝒏𝒊𝒄𝒂 sin señal", "𝐕𝐈𝐑𝐄𝐎 𝐍𝐄𝐓 caído"]
    brands = [BrandConfig(name="Lumora"), *BRANDS]
    assert brands_of(tmp_path, texts, brands) == ["Lumora", "Telefónica", "Vireo Net"]


def test_a_brand_name_with_a_trade_mark_sign_does_not_lose_the_post(tmp_path):
    """"La app Lumora™ no funciona" was skipped as about no brand once terms were matched folded: folding
    decomposes "™" to the letters "TM", which made "lumoratm" of the name, no whole word "lumora" (matched
    as written, before, the sign ended the word). A term written with the sign still matches without it."""
    texts = ["La app Lumora™ no funciona", "Vireo Net℠ caído", "Lumora™Pay no carga"]
    brands = [BrandConfig(name="Lumora"), *BRANDS]
    assert brands_of(tmp_path, texts, brands) == ["Lumora", "Vireo Net", "Lumora"]
    assert BrandMatcher([BrandConfig(name="Lumora Pay™")], "replay").brand_of("Lumora Pay no carga") == "Lumora Pay™"


def test_a_turkish_brand_name_typed_without_its_dotless_i_does_not_lose_the_post(tmp_path):
    """"yapi kredi uygulamasi acilmiyor" and "YAPI KREDİ kartım bloke" were skipped as about no brand once terms
    were matched folded: "ı" (dotless) folded to itself, "I" and "İ" to "i", so Yapı Kredi matched only when
    written with its "ı" in lower case, where matching case as written had taken "I" and "ı" for one letter."""
    texts = ["yapi kredi uygulamasi acilmiyor", "YAPI KREDİ kartım bloke oldu", "TÜRK HAVA YOLLARI bagajımı kaybetti",
             "Yapı Kredi yine çöktü"]
    brands = [BrandConfig(name="Yapı Kredi"), BrandConfig(name="Türk Hava Yolları")]
    assert brands_of(tmp_path, texts, brands) == ["Yapı Kredi", "Yapı Kredi", "Türk Hava Yolları", "Yapı Kredi"]
