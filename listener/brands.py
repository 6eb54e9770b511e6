"""Which configured brand a post is about, by its search terms, leaving out the brand's own accounts and
the ones it ignores."""

from __future__ import annotations

from collections.abc import Sequence

from listener.config import BrandConfig
from listener.folding import fold, phrase_pattern


def own_brands_first(brands: Sequence[BrandConfig]) -> list[BrandConfig]:
    """``brands`` with the own ones before the competitors, each group in config order.

    The order in which a post naming two brands is given to one of them: a complaint about Lumora
    that also names Vireo is Lumora's (competitors never alert), wherever Vireo stands in the config.

    Example::

        >>> [brand.name for brand in own_brands_first(settings.brands)]
        ['Lumora', 'Vireo Net']
    """
    return sorted(brands, key=lambda brand: brand.competitor)


class BrandMatcher:
    """Finds the brand a text mentions.

    A term matches as a whole word or phrase, ignoring case, accents, the kind of apostrophe and how many
    spaces or line breaks are between its words, as keywords do (``lumora`` matches "Lumora's app" and
    "@lumora" but not "illumoration"; "Telefónica" matches "telefonica"). Where terms overlap, the
    longest is taken: with brands "Uber" and "Uber Eats", "Uber Eats" in a post is no mention of Uber. Of
    the brands a post names, the first in :func:`own_brands_first` order is its brand.

    Example::

        >>> matcher = BrandMatcher(settings.brands, source="x")
        >>> matcher.brand_of("la app de Lumora no carga")
        'Lumora'
    """

    def __init__(self, brands: Sequence[BrandConfig], source: str) -> None:
        ordered = own_brands_first(brands)
        self._rank = {brand.name: rank for rank, brand in enumerate(ordered)}
        self._brands_by_term: dict[str, list[str]] = {}
        for brand in ordered:
            for term in {fold(term) for term in brand.terms_for(source) if term.strip()}:
                self._brands_by_term.setdefault(term, []).append(brand.name)
        pattern = phrase_pattern(self._brands_by_term)
        assert pattern is not None, "the config has a brand, and a brand a term: its name at least"
        self._pattern = pattern
        self._excluded_handles = {
            brand.name: {handle.lower().lstrip("@") for handle in brand.excluded_handles()} for brand in brands
        }
        self.names = {brand.name for brand in brands}

    def brand_of(self, text: str) -> str | None:
        """The first brand whose terms appear in ``text``, or ``None``."""
        named = {name for term in self._pattern.findall(fold(text)) for name in self._brands_by_term[term]}
        return min(named, key=self._rank.__getitem__, default=None)

    def brand_for(self, text: str, handle: str | None, named: str | None = None) -> str | None:
        """The brand a post is about (a :class:`~listener.sources.BrandOf`): ``named`` when the config has
        it, else the first whose terms ``text`` has; ``None`` for none, or when ``handle`` is one of that
        brand's own or ignored accounts."""
        brand = named if named in self.names else self.brand_of(text)
        return None if brand is None or self.is_excluded_author(brand, handle) else brand

    def is_excluded_author(self, brand: str, handle: str | None) -> bool:
        """Whether ``handle`` is one of ``brand``'s own or ignored accounts (its posts are not mentions)."""
        return handle is not None and handle.lower().lstrip("@") in self._excluded_handles.get(brand, set())

