"""Search queries built from a brand's config, for the services that search by query string.

Kept free of any client library so that the config can check a query's length when it loads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

X_QUERY_MAX_LENGTH = 512
"""X API v2 recent search accepts queries of at most 512 characters (self-serve access)."""


class BrandTerms(Protocol):
    """What a query needs of a brand (``listener.config.BrandConfig`` has it)."""

    languages: list[str]

    def excluded_handles(self) -> list[str]:
        """The accounts whose posts are not the brand's mentions."""
        ...

    def terms_for(self, source: str) -> list[str]:
        """The brand's search terms for ``source``."""
        ...


def any_of(terms: Sequence[str]) -> str:
    """``terms`` OR-joined, phrases quoted: ``lumora OR "lumora app"``."""
    quoted = [f'"{term}"' if any(ch.isspace() for ch in term) else term for term in _clean(terms)]
    return " OR ".join(quoted)


def x_search_query(brand: BrandTerms, *, exclude_retweets: bool = True) -> str:
    """The X recent-search query for ``brand``: its terms, minus its own and ignored accounts, retweets and
    other languages.

    Example::

        >>> x_search_query(BrandConfig(name="Lumora", terms={"x": ["lumora", "lumora app"]},
        ...                            own_handles=["@lumora"], ignored_handles=["telcowire"],
        ...                            languages=["en", "es"]))
        '(lumora OR "lumora app") -from:lumora -from:telcowire -is:retweet (lang:en OR lang:es)'
    """
    parts = [f"({any_of(brand.terms_for('x'))})"]
    parts += [f"-from:{handle.lstrip('@')}" for handle in _clean(brand.excluded_handles())]
    if exclude_retweets:
        parts.append("-is:retweet")
    languages = [f"lang:{code}" for code in _clean(brand.languages)]
    if len(languages) == 1:
        parts.append(languages[0])
    elif languages:
        parts.append(f"({' OR '.join(languages)})")
    return " ".join(parts)


def reddit_search_query(brand: BrandTerms) -> str:
    """The Reddit search query for ``brand``: its Reddit terms OR-joined."""
    return any_of(brand.terms_for("reddit"))


def _clean(values: Sequence[str]) -> list[str]:
    return [value.strip() for value in values if value.strip()]
