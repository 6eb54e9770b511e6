"""Built-in words that always alert, per category and language: legal threats, safety, leaving, a
service the customer cannot get into, and support that does not answer them.

They are phrases a community manager wants to see whatever the classifier says. A rule uses them
unless it sets ``default_keywords = false``, or only the categories it lists (``["legal", "safety"]``);
its own ``keywords`` are added either way. They match whole words, ignoring case, accents and the kind
of apostrophe (``listener.folding``), so "nao consigo entrar" and "can’t log in" match too.

The ``outage`` phrases say that something does not work for the writer now: "no puedo entrar", "fora
do ar", "can't log in". They are the classifier's service failure phrases
(``models.service_failure``), which also make such a post at least 80 % likely a complaint; as
keywords they alert on it in a rule that has no complaint threshold, or a higher one. The ``unanswered``
phrases ("¿hay alguien ahí?", "ninguém responde", "been on hold") are the classifier's phrases for support
that has not answered the writer, and do the same.
"""

from __future__ import annotations

from collections.abc import Collection

from models.service_failure import SERVICE_FAILURE_PHRASES, UNANSWERED_PHRASES

# Categories that make an alert at least "high"; the others make it at least "normal".
URGENT_CATEGORIES = frozenset({"legal", "safety"})

DEFAULT_KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "legal": {
        "en": ("lawyer", "attorney", "lawsuit", "sue you", "legal action", "class action", "small claims"),
        "es": ("abogado", "demanda", "denuncia", "acciones legales", "hoja de reclamaciones", "FACUA", "OCU"),
        "pt": ("advogado", "processo judicial", "ação judicial", "procon", "Reclame Aqui"),
        "fr": ("avocat", "porter plainte", "action en justice", "UFC-Que Choisir"),
        "de": ("Anwalt", "verklagen", "Klage einreichen", "rechtliche Schritte", "Verbraucherzentrale"),
        "it": ("avvocato", "denuncia", "azione legale", "Altroconsumo"),
    },
    "safety": {
        "en": ("caught fire", "electric shock", "exploded", "injured", "food poisoning", "safety hazard"),
        "es": ("se incendió", "descarga eléctrica", "explotó", "intoxicación", "peligro de incendio"),
        "pt": ("pegou fogo", "choque elétrico", "explodiu", "intoxicação"),
        "fr": ("a pris feu", "électrocuté", "a explosé", "intoxication"),
        "de": ("Feuer gefangen", "Stromschlag", "explodiert", "Vergiftung"),
        "it": ("preso fuoco", "scossa elettrica", "esploso", "intossicazione"),
    },
    "churn": {
        "en": ("cancel my account", "cancel my subscription", "closing my account", "switching to"),
        "es": ("cancelar mi cuenta", "darme de baja", "me doy de baja", "me cambio a"),
        "pt": ("cancelar minha conta", "cancelar meu plano", "vou cancelar", "portabilidade"),
        "fr": ("résilier mon abonnement", "résilier mon compte", "je résilie"),
        "de": ("Vertrag kündigen", "Konto kündigen", "ich kündige"),
        "it": ("disdire l'abbonamento", "chiudere il mio account", "disdetta"),
    },
    "outage": SERVICE_FAILURE_PHRASES,
    "unanswered": UNANSWERED_PHRASES,
}


def default_keywords(categories: Collection[str] | None = None) -> list[tuple[str, str]]:
    """The built-in keywords of ``categories`` (every category when None) with their category, e.g.
    ``('abogado', 'legal')``."""
    return [(word, category) for category, by_lang in DEFAULT_KEYWORDS.items()
            if categories is None or category in categories for words in by_lang.values() for word in words]
