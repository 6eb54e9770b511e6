"""Built-in words that always alert, per category and language: legal threats, safety, leaving, and
a service the customer cannot get into.

They are phrases a community manager wants to see whatever the classifier says. A rule uses them
unless it sets ``default_keywords = false``, or only the categories it lists (``["legal", "safety"]``);
its own ``keywords`` are added either way. They match whole words, ignoring case, accents and the kind
of apostrophe (``alerts.folding``), so "nao consigo entrar" and "can’t log in" match too.

The ``outage`` phrases say that something does not work for the writer now: "no puedo entrar", "fora
do ar", "can't log in". The classifier learnt Spanish and Portuguese complaints from airline tweets,
so it can read such a post as no complaint (0.14 for "@lumora no puedo entrar en la app desde ayer").
Words that praise as often as they complain are left out: "no outage in years", and Portuguese "no
wifi", which means "on the wifi".
"""

from __future__ import annotations

from collections.abc import Collection

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
    "outage": {
        "en": ("can't log in", "cannot log in", "can't login", "cant log in", "can't sign in", "cannot sign in",
               "unable to log in", "can't access", "cannot access", "locked out of my account", "can't connect",
               "cannot connect", "won't load", "not loading", "keeps crashing", "no signal", "no internet",
               "service is down", "app is down", "site is down", "website is down"),
        "es": ("no puedo entrar", "no puedo acceder", "no puedo iniciar sesión", "no me deja entrar",
               "no me deja acceder", "no carga", "se cayó", "se ha caído", "sin servicio", "sin internet",
               "sin señal", "sin conexión", "sin cobertura", "caída del servicio"),
        "pt": ("não consigo entrar", "não consigo acessar", "não consigo logar", "não carrega", "fora do ar",
               "app caiu", "site caiu", "internet caiu", "sem internet", "sem sinal", "sem serviço", "sem conexão",
               "sem rede"),
        "fr": ("impossible de me connecter", "je n'arrive pas à me connecter", "ne charge pas", "en panne",
               "pas de réseau", "plus de réseau", "pas d'internet", "plus d'internet", "sans internet"),
        "de": ("kann mich nicht anmelden", "kann mich nicht einloggen", "lädt nicht", "kein Netz", "kein Internet",
               "kein Empfang", "Netzausfall"),
        "it": ("non riesco ad accedere", "non riesco a entrare", "non carica", "senza internet", "senza rete",
               "nessun segnale", "disservizio"),
    },
}


def default_keywords(categories: Collection[str] | None = None) -> list[tuple[str, str]]:
    """The built-in keywords of ``categories`` (every category when None) with their category, e.g.
    ``('abogado', 'legal')``."""
    return [(word, category) for category, by_lang in DEFAULT_KEYWORDS.items()
            if categories is None or category in categories for words in by_lang.values() for word in words]
