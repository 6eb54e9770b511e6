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
