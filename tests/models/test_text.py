import tracemalloc

import pytest

from listener.config import ClassifierConfig
from models.factory import load_classifier
from models.text import as_written, normalize, tokenize


def test_mentions_links_and_hashtags_are_normalised():
    assert normalize("@Iberia mira https://t.co/abc #retraso") == "@user mira http retraso"


def test_html_entities_and_literal_escapes_are_decoded():
    assert normalize("Tom &amp; Jerry can\\u2019t") == "tom & jerry can't"


def test_a_literal_escaped_emoji_does_not_leave_lone_surrogates():
    assert normalize("late again \\ud83d\\ude21") == "late again 😡"
    assert normalize("cut \\ud83d here, and \ud800 here") == "cut \ufffd here, and \ufffd here"


def test_elongations_are_shortened_and_emoticons_named():
    assert normalize("Nooooo :( sooo baaad :)") == "noo emo_sad soo baad emo_happy"


def test_emoji_are_kept_as_tokens():
    assert tokenize(normalize("no funciona 😡")) == ["no", "funciona", "😡"]


def test_every_emoticon_reads_back_as_an_emoticon():
    written = as_written(normalize(":-) :D xD ;) :'( :| <3 </3"))
    assert "emo_" not in written
    assert written == ":) :D :D ;) :( :/ <3 :("


@pytest.mark.parametrize("backend", ["embedded", "lexicon"])
def test_a_post_of_megabytes_does_not_take_gigabytes_to_classify(backend):
    """Every word of a post became features and rows: a 21 MB line of a replay file took 5.7 GB (this one
    of 1.3 MB: 343 MB and 20 s with the embedded model, 28 MB and 20 s with the lexicon). A classifier reads
    the first MAX_READ_CHARS characters."""
    classifier = load_classifier(ClassifierConfig(backend=backend))
    post = "@lumora llevo una semana sin internet y nadie responde " * 25_000
    classifier.classify([post[:100]])  # loaded and warmed up before measuring
    tracemalloc.start()
    try:
        [result] = classifier.classify([post])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000
    assert result.complaint_prob >= 0.8 and "sin internet" in result.cues
