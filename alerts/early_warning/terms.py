"""What a complaint says, as language-neutral terms: the features incidents are grouped by.

HTML entities are decoded ("&amp;" is "&"), links, user names and the brand's own names are dropped,
and each word (a run of letters and marks in any script, so "خدمة", "связь" and "खराब" are words too)
is folded (lower case, no accents) and becomes a term: a *concept* when the small synonym map below
knows it in English, Spanish, Portuguese, French, German or Italian (the languages of the classifier's
cue lexicons: "iniciar sesión", "log in", "fazer login" and "anmelden" are all ``login``), otherwise
its first five letters (so "carga", "cargando" and "cargar" meet). Concepts also name the topics the
spike detector watches per brand. Words of other languages group by their stems alone, without a
stopword list. Incident titles show each term as it was written (in lower case, with its accents and
marks: "caída", "войти", "नेटवर्क"), not folded.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import regex

from alerts.digest.topics import fold

# concept -> words and phrases (folded) in en, es, pt, fr, de and it. Phrases are matched before single words.
CONCEPTS: dict[str, tuple[str, ...]] = {
    "login": ("login", "log in", "logs me", "log me", "logged out", "sign in", "iniciar sesion", "sesion",
              "fazer login", "logar", "entrar", "acceder", "acessar", "access", "contrasena", "password", "senha",
              "me connecter", "se connecter", "identifiant", "mot de passe", "anmelden", "anmeldung", "einloggen",
              "passwort", "kennwort", "accedere", "accesso", "credenziali"),
    "app": ("app", "apps", "aplicacion", "aplicativo", "application", "appli", "applicazione"),
    "loading": ("carga", "cargar", "cargando", "carrega", "carregar", "load", "loading", "loads", "abre", "abrir",
                "open", "opens", "travado", "stuck", "pantalla", "screen", "chargement", "ecran", "laden", "ladt",
                "bildschirm", "caricamento", "schermo"),
    "down": ("caido", "caida", "cadia", "cayo", "caiu", "down", "fora", "outage", "averia", "apagon",
             "no funciona", "not working", "nao funciona", "queda", "panne", "hors service", "ne marche pas",
             "ne fonctionne pas", "ausfall", "storung", "geht nicht", "funktioniert nicht", "guasto",
             "disservizio", "non funziona"),
    "connection": ("internet", "fibra", "fibre", "fiber", "wifi", "conexion", "conexao", "connection", "router",
                   "senal", "sinal", "signal", "rede", "broadband", "connexion", "reseau", "verbindung", "netz",
                   "empfang", "wlan", "glasfaser", "connessione", "rete", "segnale"),
    "error": ("error", "erro", "went wrong", "falla", "fallo", "falha", "erreur", "fehler", "errore"),
    "billing": ("factura", "fatura", "bill", "billing", "billed", "cobro", "cobrado", "cobran", "charge",
                "charged", "cargo", "refund", "reembolso", "estorno", "precio", "preco", "price", "pagar", "pay",
                "facture", "facturation", "prelevement", "remboursement", "prix", "rechnung", "abbuchung",
                "abgebucht", "erstattung", "preis", "fattura", "bolletta", "addebito", "rimborso", "prezzo"),
    "speed": ("lento", "lenta", "slow", "velocidad", "velocidade", "speed", "megas", "mbps", "lent", "lente",
              "vitesse", "langsam", "geschwindigkeit", "velocita"),
    "support": ("soporte", "suporte", "support", "atencion", "atendimento", "agente", "agent", "chat",
                "nadie responde", "nobody answers", "ninguem responde", "customer service", "service client",
                "personne ne repond", "conseiller", "kundenservice", "kundendienst", "hotline", "assistenza",
                "servizio clienti", "nessuno risponde", "operatore"),
    "cancel": ("cancelar", "cancel", "baja", "cancelamento", "portabilidad", "portabilidade", "switching",
               "resilier", "resiliation", "kundigen", "kundigung", "disdetta", "disdire"),
    "delivery": ("entrega", "envio", "pedido", "paquete", "delivery", "parcel", "encomenda", "courier",
                 "livraison", "colis", "lieferung", "consegna", "pacco", "spedizione"),
    "roaming": ("roaming", "itinerancia", "extranjero", "abroad", "etranger", "ausland", "estero"),
}
# Words that carry no topic in the six languages (folded; English contractions lose their "t": "don", "didn").
STOPWORDS = frozenset("""
a al algo alguem alguien ante aqui asi aun ay cada com como con contigo da das de del desde do dos e el ela
ele ella em en entre era es esa ese eso esta este esto estoy eu foi ha hay hace isso ja la las le les lo los
mais mas me mesmo meu mi mis muy na nada nao nem ni no nos o os para pero por porque pra que se ser seu si
sin sobre su sus tan te tem ter todo toda todos tu um uma un una uno y ya yo
about after again all also already am an and any anyone are as at be because been before being but by can
cant could did do does dont else even every for from get got had has have he her here him his how i im in
into is it its just me more much my never no not nothing now of off on only or other our out over really
said she should since so some still than that the their them then there these they this those through to
too until up us very was we were what when where which while who why will with would yet you your
aren couldn didn doesn don hasn haven isn shouldn wasn weren won wouldn
aux avec ce ces cette dans depuis des elle encore est et ete ils je les leur mais mes moi mon ne nous pas
plus pour qui rien sont sur toujours tous tout une vous
auch auf aus bei bin das dem den der des die ein eine einem einen einer habe hat ich im immer ist kann kein
keine mein meine mich mir mit nicht noch nur schon seit sie sind und von war was wieder wir zum zur
ancora che del dei della delle gli il mio mia nel nella non per piu questa questo sempre sono sul sulla
""".split())
_URL = re.compile(r"(?:https?://|www\.)\S+")
_HANDLE = re.compile(r"@\w+")
# A word: letters and the marks that belong to them (Devanagari vowel signs, Thai tone marks), in any script.
_WORD = regex.compile(r"[\p{L}\p{M}]+")
_PHRASES = sorted(((phrase, concept) for concept, words in CONCEPTS.items() for phrase in words if " " in phrase),
                  key=lambda pair: -len(pair[0]))
_WORDS = {word: concept for concept, words in CONCEPTS.items() for word in words if " " not in word}
STEM_LENGTH = 5


@dataclass(frozen=True)
class Terms:
    """The terms of one text, with the surface word each came from (for incident titles)."""

    counts: Counter[str]
    surfaces: dict[str, str]

    @property
    def concepts(self) -> list[str]:
        """The concepts among the terms (the topics the text is about)."""
        return [term for term in self.counts if term in CONCEPTS]


class TermExtractor:
    """Turns complaint texts into language-neutral terms, ignoring the brand's own names.

    Example::

        >>> TermExtractor(["Lumora"]).terms("No puedo iniciar sesión en la app de @lumora").counts
        Counter({'login': 1, 'app': 1, 'puedo': 1})
    """

    def __init__(self, brand_names: Iterable[str]) -> None:
        self._brands = sorted({fold(name).replace(" ", "") for name in brand_names if name}, key=len, reverse=True)

    def terms(self, text: str) -> Terms:
        """The terms of ``text``."""
        cleaned = _HANDLE.sub(" ", _URL.sub(" ", html.unescape(text).casefold()))
        written = _WORD.findall(unicodedata.normalize("NFC", cleaned))
        words = [_fold_word(word) for word in written]
        counts: Counter[str] = Counter()
        surfaces: dict[str, str] = {}
        taken = [False] * len(words)
        joined = f" {' '.join(words)} "
        for phrase, concept in _PHRASES:
            if f" {phrase} " not in joined:
                continue
            parts = phrase.split()
            found = [start for start in range(len(words) - len(parts) + 1)
                     if words[start:start + len(parts)] == parts and not any(taken[start:start + len(parts)])]
            for start in found:
                taken[start:start + len(parts)] = [True] * len(parts)
            if found:
                counts[concept] += 1
                surfaces.setdefault(concept, " ".join(written[found[0]:found[0] + len(parts)]))
        for index, word in enumerate(words):
            if taken[index]:
                continue
            kept = self._without_brand(word)
            if len(kept) < 3 or kept in STOPWORDS:
                continue
            term = _WORDS.get(kept) or kept[:STEM_LENGTH]
            counts[term] += 1
            surfaces.setdefault(term, written[index] if kept == word else kept)
        return Terms(counts, surfaces)

    def _without_brand(self, word: str) -> str:
        """``word`` without a brand name in it: '#LumoraCaída' says 'caida'."""
        for brand in self._brands:
            if brand and brand in word:
                return word.replace(brand, "")
        return word


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    """``word`` folded as terms compare words (words repeat: cached)."""
    return fold(word)
