"""How the alerting layer compares words: lower case, no accents, one kind of apostrophe."""

from __future__ import annotations

import sys
import unicodedata
from functools import cache

# Typographic apostrophes that phones and word processors type for "'": right and left single quotation
# marks, the modifier letter apostrophe, the acute accent and the grave accent used as one.
_APOSTROPHES = {0x2019: "'", 0x2018: "'", 0x02BC: "'", 0x00B4: "'", 0x60: "'"}


@cache
def _folding_table() -> dict[int, str | None]:
    """The apostrophes, and every combining mark (accents; not Indic vowel signs, whose combining class
    is 0) to delete: one ``str.translate`` instead of a loop over the characters."""
    marks = {code: None for code in range(sys.maxunicode + 1) if unicodedata.combining(chr(code))}
    return {**marks, **_APOSTROPHES}


def fold(text: str) -> str:
    """``text`` in lower case, without accents and with plain apostrophes, so that 'Facturación' and
    'facturacion', or "can’t" and "can't", compare equal.

    Example::

        >>> fold("Não consigo entrar, CAN’T log in")
        "nao consigo entrar, can't log in"
    """
    if text.isascii():
        return text.translate(_APOSTROPHES).lower()  # NFKD and casefold change no ASCII but the case
    table = _folding_table()
    return unicodedata.normalize("NFKD", text.translate(table).casefold()).translate(table)
