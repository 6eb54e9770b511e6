"""Built-in words that always alert, per category and language: legal threats, safety, leaving.

They are phrases a community manager wants to see whatever the classifier says. A rule uses them
unless it sets ``default_keywords = false``; its own ``keywords`` are added either way.
"""

from __future__ import annotations

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
}


def default_keywords() -> list[tuple[str, str]]:
    """Every built-in keyword with its category, e.g. ``('abogado', 'legal')``."""
    return [(word, category) for category, by_lang in DEFAULT_KEYWORDS.items()
            for words in by_lang.values() for word in words]
