"""Language identification: the languages a brand names are the ones the detector chooses among."""

from __future__ import annotations

import pytest

from listener.config import ClassifierConfig
from models.errors import ModelNotAvailable
from models.factory import load_classifier
from models.language import shared_detector


@pytest.mark.parametrize("backend", ["embedded", "lexicon"])
def test_a_brand_that_names_its_customers_languages_gets_them_for_short_posts(backend):
    """Over the 19 default languages py3langid reads "@lumora ok gracias" as Polish; a source's language
    outside the brand's list still wins over the restricted detector."""
    default, restricted = (load_classifier(ClassifierConfig(backend=backend, languages=languages))
                           for languages in ([], ["es", "en", "pt"]))
    posts, hints = ["@lumora ok gracias", "Le service client ne répond jamais"], [None, "fr"]
    assert default.classify(posts[:1])[0].lang == "pl"
    assert [r.lang for r in restricted.classify(posts, hints)] == ["es", "fr"]


def test_a_language_the_detector_has_no_model_for_is_named():
    with pytest.raises(ModelNotAvailable, match=r"no model for 'xx' \(classifier.languages\); it knows .*\bes\b"):
        load_classifier(ClassifierConfig(languages=["es", "xx"]))


def test_hindi_in_latin_letters_is_hindi_when_hindi_is_one_of_the_languages():
    """py3langid calls romanised Hindi English or Indonesian: two of its function words say Hindi."""
    posts = ["bhai ye app kaam nahi kar raha", "Lumora ka network bahut slow hai aaj", "Ki Sung loves the new app"]
    assert [r.lang for r in load_classifier(ClassifierConfig(backend="lexicon")).classify(posts)] == ["hi", "hi", "en"]
    restricted = load_classifier(ClassifierConfig(backend="lexicon", languages=["en", "es", "pt"]))
    assert restricted.classify(posts[:1])[0].lang != "hi"


def test_a_source_tag_in_capitals_is_passed_on_in_lower_case():
    """A route or a count compares the language exactly: a post tagged "pt-BR" matched no route's "pt-br"."""
    assert shared_detector().detect("ok", hint="pt-BR") == "pt-br"


def test_a_post_its_source_tags_und_does_not_hide_the_language_it_is_in():
    """X tags "und" the posts it can't tell; it won over every detection, so routes by language missed them."""
    detector = shared_detector()
    assert detector.detect("no me funciona la app desde ayer, qué desastre de servicio", hint="und") == "es"
    assert detector.detect("@lumora 🙏", hint="UND") == "und"


@pytest.mark.parametrize("tag", ["qme", "zxx", "qht", "qam", "qct", "qst", "QME"])
def test_x_tags_for_no_language_do_not_hide_the_language_a_post_is_in(tag: str):
    """X tags a post with media "qme", one of hashtags only "qht", ...: the tag won over every detection, so
    a Spanish complaint with a photo was in language "qme" and no route by language reached it."""
    detector = shared_detector()
    assert detector.detect("@lumora llevo tres días sin internet, qué desastre https://t.co/x", hint=tag) == "es"
    assert detector.detect("@lumora 🙏", hint=tag) == "und"
