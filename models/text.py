"""Social-media text normalisation and tokenisation shared by every model in this package.

Posts are rewritten so that what varies without changing meaning looks the same to a model:
HTML entities are unescaped, compatibility forms are folded (NFKC: Arabic presentation forms,
full-width letters), invisible characters are deleted (a zero-width space, a direction mark), user mentions become ``@user``, links become ``http``, hashtags lose
their ``#`` (the word keeps its meaning), elongations are shortened (``noooo`` → ``noo``), emoticons
become named tokens (``:(`` → ``emo_sad``) and text is lower-cased. Emoji are kept: they are
single characters that the character n-grams see as they are.
"""

from __future__ import annotations

import html
import re
import unicodedata

from listener.folding import INVISIBLE

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"@\w+")
_HASHTAG = re.compile(r"#(\w+)")
_ELONGATION = re.compile(r"(\w)\1{2,}")
_REPEATED_PUNCT = re.compile(r"([!?.])\1{2,}")
_LITERAL_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_SPACES = re.compile(r"\s+")
# The most of a post the classifiers read. Real posts are shorter (a tweet: 280 characters; an X Premium
# post or a Reddit post's text at most 25,000 and 40,000, seldom near them), and what a model reads of one
# takes ~330 bytes a character: a 21 MB line in a replay file took 5.7 GB. A batch of 64 posts this long
# takes under 200 MB.
MAX_READ_CHARS = 10_000
# Arabic short-vowel marks and the tatweel stretch a word without changing it.
_ARABIC_MARKS = re.compile(r"[\u064B-\u065F\u0670\u0640]")

# Emoticons as written in tweets, mapped to a token every language shares. Longer forms first so
# that ":-(" is not read as ":-" followed by "(".
_EMOTICONS: dict[str, str] = {
    ":-)": " emo_happy ", ":)": " emo_happy ", "(:": " emo_happy ", "=)": " emo_happy ",
    ":-d": " emo_laugh ", ":d": " emo_laugh ", "xd": " emo_laugh ",
    ";-)": " emo_wink ", ";)": " emo_wink ",
    ":-(": " emo_sad ", ":(": " emo_sad ", "):": " emo_sad ", ":'(": " emo_sad ", "=(": " emo_sad ",
    ":-/": " emo_annoyed ", ":/": " emo_annoyed ", ":-|": " emo_annoyed ", ":|": " emo_annoyed ",
    "<3": " emo_love ", "</3": " emo_sad ",
}
# How each emoticon name is shown to a reader ("why flagged"): one of the emoticons it stands for.
_WRITTEN_EMOTICONS: dict[str, str] = {
    "emo_happy": ":)", "emo_laugh": ":D", "emo_wink": ";)", "emo_sad": ":(", "emo_annoyed": ":/", "emo_love": "<3",
}
LINK_TOKEN = "http"
MENTION_TOKEN = "@user"
_EMOTICON = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(e) for e in sorted(_EMOTICONS, key=len, reverse=True)) + r")(?!\w)"
)
_TOKEN = re.compile(rf"emo_\w+|{re.escape(MENTION_TOKEN)}|[^\W\d_]+(?:'[^\W\d_]+)?|\d+|[^\w\s]", re.UNICODE)


def _unescape_literal(match: re.Match[str]) -> str:
    """Turn a literal ``\\u2019`` left in published tweets back into its character."""
    return chr(int(match.group(1), 16))


def _whole_characters(text: str) -> str:
    """``text`` with each surrogate pair (what a literal ``\\ud83d\\ude21`` unescapes to) made the character it
    stands for and each lone surrogate U+FFFD: a tokenizer, like UTF-8, refuses surrogates."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def read_part(text: str) -> str:
    """The part of a post that the classifiers read: its first :data:`MAX_READ_CHARS` characters (the post
    is stored whole)."""
    return text[:MAX_READ_CHARS]


def normalize(text: str) -> str:
    """Return ``text`` normalised for the classifiers.

    Example::

        >>> normalize("@Iberia Nooooo!!! perdí mi vuelo &amp; nadie responde :( https://t.co/x #fail")
        '@user noo!!! perdí mi vuelo & nadie responde emo_sad http fail'
    """
    text = html.unescape(html.unescape(text))
    text = _ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", text)).translate(INVISIBLE)
    text = _whole_characters(_LITERAL_ESCAPE.sub(_unescape_literal, text))
    text = _URL.sub(f" {LINK_TOKEN} ", text)
    text = _MENTION.sub(f" {MENTION_TOKEN} ", text)
    text = _HASHTAG.sub(r"\1", text)
    text = text.lower().replace("\u2019", "'")
    text = _EMOTICON.sub(lambda m: _EMOTICONS[m.group(1)], text)
    text = _ELONGATION.sub(r"\1\1", text)
    text = _REPEATED_PUNCT.sub(r"\1\1\1", text)
    return _SPACES.sub(" ", text).strip()


def tokenize(normalized: str) -> list[str]:
    """Split normalised text into words, numbers and single symbols (emoji and punctuation).

    Example::

        >>> tokenize("no me devuelven el dinero 😡!!")
        ['no', 'me', 'devuelven', 'el', 'dinero', '😡', '!', '!']
    """
    return _TOKEN.findall(normalized)


def as_written(phrase: str) -> str:
    """A phrase of tokens as a reader finds it in the post: emoticon names become an emoticon again.

    Example::

        >>> as_written("nadie responde emo_sad")
        'nadie responde :('
    """
    return " ".join(_WRITTEN_EMOTICONS.get(token, token) for token in phrase.split(" "))
