"""Language identification: the languages a brand names are the ones the detector chooses among."""

from __future__ import annotations

import pytest

from listener.config import ClassifierConfig
from models.errors import ModelNotAvailable
from models.factory import load_classifier


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
