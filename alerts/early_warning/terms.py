"""What a complaint says, as language-neutral terms: the features incidents are grouped by.

HTML entities are decoded ("&amp;" is "&"), links, user names and the brand's own names are dropped,
and each word (a run of letters and marks in any script, so "خدمة", "связь" and "खराब" are words too)
is folded (lower case, no accents; Arabic words also lose their article, conjunction and one suffix,
so "الفاتورة" and "فاتورة" meet) and becomes a term: a *concept* when the small synonym map below
knows it in English, Spanish, Portuguese, French, German, Italian, Arabic, Russian or Hindi
("iniciar sesión", "log in", "anmelden", "تسجيل الدخول", "войти" and "लॉगिन" are all ``login``), or
knows its plural in -s or -es ("prices", "facturas", "conexiones"), otherwise its first five letters
(so "carga", "cargando" and "cargar" meet). Concepts also name the topics the spike detector watches
per brand. Words of other languages group by their stems alone, without a stopword list. Incident
titles show each term as it was written (in lower case, with its accents and marks: "caída", "войти",
"नेटवर्क"), not folded.
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

from listener.folding import fold
from listener.function_words import FUNCTION_WORDS

# concept -> words and phrases in en, es, pt, fr, de and it, then ar, ru and hi, written as people write
# them and folded (and Arabic light-stemmed) when the module loads. Phrases are matched before single
# words; a word ending in "*" stands for every word that starts with it (Russian endings: "интернет*").
CONCEPTS: dict[str, tuple[str, ...]] = {
    "login": ("login", "log in", "logs me", "log me", "logged out", "sign in", "iniciar sesion", "sesion",
              "fazer login", "logar", "entrar", "acceder", "acessar", "access", "contrasena", "password", "senha",
              "me connecter", "se connecter", "identifiant", "mot de passe", "anmelden", "anmeldung", "einloggen",
              "passwort", "kennwort", "accedere", "accesso", "credenziali",
              "تسجيل الدخول", "الدخول", "ادخل", "كلمة المرور", "كلمة السر", "باسورد",
              "войти", "вход*", "зайти", "захож*", "логин*", "парол*", "авториз*",
              "लॉगिन", "लॉग इन", "लॉगइन", "पासवर्ड", "साइन इन"),
    "app": ("app", "apps", "aplicacion", "aplicativo", "application", "appli", "applicazione",
            "تطبيق", "ابليكيشن", "приложени*", "ऐप", "एप", "ऐप्प", "एप्लिकेशन"),
    "loading": ("carga", "cargar", "cargando", "carrega", "carregar", "load", "loading", "loads", "abre", "abrir",
                "open", "opens", "travado", "stuck", "pantalla", "screen", "chargement", "ecran", "laden", "ladt",
                "bildschirm", "caricamento", "schermo",
                "يفتح", "تحميل", "شاشة", "يعلق", "загруж*", "грузит*", "открыва*", "открыть", "экран*", "завис*",
                "खुल*", "लोड", "स्क्रीन", "अटक*"),
    "down": ("caido", "caida", "cadia", "cayo", "caiu", "down", "fora", "outage", "averia", "apagon",
             "no funciona", "not working", "nao funciona", "queda", "panne", "hors service", "ne marche pas",
             "ne fonctionne pas", "ausfall", "storung", "geht nicht", "funktioniert nicht", "guasto",
             "disservizio", "non funziona",
             "عطل", "معطل", "متوقف", "واقف", "انقطاع", "مقطوع", "لا يعمل", "ما يشتغل", "مايشتغل",
             "не работает", "упал*", "лежит", "сбой*", "авари*", "отключ*",
             "बंद", "ठप", "डाउन", "आउटेज", "काम नहीं कर", "नहीं चल"),
    "connection": ("internet", "fibra", "fibre", "fiber", "wifi", "conexion", "conexao", "connection", "router",
                   "senal", "sinal", "signal", "rede", "broadband", "connexion", "reseau", "verbindung", "netz",
                   "empfang", "wlan", "glasfaser", "connessione", "rete", "segnale",
                   "انترنت", "نت", "شبكة", "اتصال", "واي فاي", "وايفاي", "فايبر", "راوتر", "تغطية", "ارسال",
                   "интернет*", "связ*", "сеть", "сети", "вайфай", "роутер*", "оптоволок*", "сигнал*", "покрыт*",
                   "इंटरनेट", "नेट", "नेटवर्क", "वाईफाई", "वाई फाई", "सिग्नल", "राउटर", "फाइबर", "कनेक्शन"),
    "error": ("error", "erro", "went wrong", "falla", "fallo", "falha", "erreur", "fehler", "errore",
              "خطأ", "خطا", "ошибк*", "एरर", "त्रुटि"),
    "billing": ("factura", "fatura", "bill", "billing", "billed", "cobro", "cobrado", "cobran", "charge",
                "charged", "cargo", "refund", "reembolso", "estorno", "precio", "preco", "price", "pagar", "pay",
                "facture", "facturation", "prelevement", "remboursement", "prix", "rechnung", "abbuchung",
                "abgebucht", "erstattung", "preis", "fattura", "bolletta", "addebito", "rimborso", "prezzo",
                "فاتورة", "فواتير", "خصم", "مبلغ", "فلوس", "استرداد", "رصيد", "سعر", "اسعار", "دفع",
                "счет*", "списа*", "деньг*", "оплат*", "возврат*", "тариф*", "платеж*", "квитанц*",
                "बिल", "पैसे", "पैसा", "रिफंड", "चार्ज", "भुगतान", "कटौती", "रिचार्ज"),
    "speed": ("lento", "lenta", "slow", "velocidad", "velocidade", "speed", "megas", "mbps", "lent", "lente",
              "vitesse", "langsam", "geschwindigkeit", "velocita",
              "بطيء", "بطئ", "بطء", "سرعة", "ميجا", "ميغا", "медленн*", "скорост*", "тормоз*", "мбит*",
              "धीमा", "धीमी", "स्पीड", "स्लो"),
    "support": ("soporte", "suporte", "support", "atencion", "atendimento", "agente", "agent", "chat",
                "nadie responde", "nobody answers", "ninguem responde", "customer service", "service client",
                "personne ne repond", "conseiller", "kundenservice", "kundendienst", "hotline", "assistenza",
                "servizio clienti", "nessuno risponde", "operatore",
                "خدمة العملاء", "الدعم", "محد يرد", "ما حد يرد", "لا احد يرد", "موظف", "كول سنتر",
                "поддержк*", "техподдержк*", "оператор*", "никто не отвечает", "горячая линия", "чат*",
                "कस्टमर केयर", "कस्टमर सर्विस", "कोई जवाब", "सपोर्ट", "हेल्पलाइन", "एजेंट"),
    "cancel": ("cancelar", "cancel", "baja", "cancelamento", "portabilidad", "portabilidade", "switching",
               "resilier", "resiliation", "kundigen", "kundigung", "disdetta", "disdire",
               "الغاء", "الغي", "расторг*", "отказаться", "कैंसिल", "रद्द", "पोर्ट"),
    "delivery": ("entrega", "envio", "pedido", "paquete", "delivery", "parcel", "encomenda", "courier",
                 "livraison", "colis", "lieferung", "consegna", "pacco", "spedizione",
                 "توصيل", "شحنة", "доставк*", "посылк*", "डिलीवरी"),
    "roaming": ("roaming", "itinerancia", "extranjero", "abroad", "etranger", "ausland", "estero",
                "تجوال", "رومينغ", "роуминг*", "रोमिंग"),
}

_URL = re.compile(r"(?:https?://|www\.)\S+")
_HANDLE = re.compile(r"@\w+")
# A word: letters and the marks that belong to them (Devanagari vowel signs, Thai tone marks), in any script.
_WORD = regex.compile(r"[\p{L}\p{M}]+")
_HASHTAG = regex.compile(r"#([\p{L}\p{M}]+)")
# Arabic light stemming (Larkey, Ballesteros & Connell 2002, "light10"): "الفاتورة" and "فاتورة" meet.
_ARABIC_LETTER = regex.compile(r"\p{Arabic}")
_ARABIC_ARTICLES = ("وال", "بال", "كال", "فال", "لل", "ال")
_ARABIC_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")  # light10's, with final ة read as ه
STEM_LENGTH = 5


def _light_stem_arabic(word: str) -> str:
    """An Arabic word without its conjunction "و", its article and one suffix, when at least two
    letters (three after "و") are left; "ى" is read as "ي" and "ة" as "ه"."""
    word = word.replace("ى", "ي").replace("ة", "ه")
    if word.startswith("و") and len(word) >= 4:
        word = word[1:]
    for article in _ARABIC_ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= 2:
            word = word[len(article):]
            break
    for suffix in _ARABIC_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[: -len(suffix)]
    return word


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    """``word`` as terms compare words: folded, and light-stemmed when Arabic (words repeat: cached)."""
    folded = fold(word)
    return _light_stem_arabic(folded) if _ARABIC_LETTER.search(folded) else folded


def _normalised(written: str) -> str:
    """A concept word, phrase or stopword as written, in the form the text's words are compared in."""
    return " ".join(_fold_word(word) for word in written.split())


_PHRASES = sorted(((_normalised(phrase), concept) for concept, words in CONCEPTS.items() for phrase in words
                   if " " in phrase), key=lambda pair: -len(pair[0]))
_WORDS = {_normalised(word): concept for concept, words in CONCEPTS.items() for word in words
          if " " not in word and not word.endswith("*")}
_PREFIXES = sorted(((_normalised(word[:-1]), concept) for concept, words in CONCEPTS.items() for word in words
                    if word.endswith("*")), key=lambda pair: -len(pair[0]))
# Function words, compared as the text's words are (Arabic ones light-stemmed).
STOPWORDS = frozenset(_normalised(word) for word in FUNCTION_WORDS)


@lru_cache(maxsize=65536)
def _concept_of(word: str) -> str | None:
    """The concept a compared word names, if any: a listed word or its plural in -s or -es ("prices",
    "facturas", "errores"), or the longest listed prefix."""
    return (_WORDS.get(word) or (word.endswith("s") and _WORDS.get(word[:-1]))
            or (word.endswith("es") and _WORDS.get(word[:-2]))
            or next((concept for prefix, concept in _PREFIXES if word.startswith(prefix)), None))


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
        Counter({'login': 1, 'puedo': 1, 'app': 1})
    """

    def __init__(self, brand_names: Iterable[str]) -> None:
        self._brands = sorted({fold(name).replace(" ", "") for name in brand_names if name}, key=len, reverse=True)

    def terms(self, text: str) -> Terms:
        """The terms of ``text``."""
        cleaned = _HANDLE.sub(" ", _URL.sub(" ", html.unescape(text).casefold()))
        written = _WORD.findall(unicodedata.normalize("NFC", cleaned))
        words = [_fold_word(word) for word in written]
        hashtags = {_fold_word(tag) for tag in _HASHTAG.findall(cleaned)}
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
            if word in self._brands:
                continue
            kept = self._without_brand(word) if word in hashtags else word
            concept = _concept_of(kept)
            if concept is None and (len(kept) < 3 or kept in STOPWORDS):
                continue
            term = concept or kept[:STEM_LENGTH]
            counts[term] += 1
            surfaces.setdefault(term, written[index] if kept == word else kept)
        return Terms(counts, surfaces)

    def _without_brand(self, hashtag: str) -> str:
        """A hashtag's word without a brand name in it: '#LumoraCaída' says 'caida'. Only hashtags are cut,
        and not those that name a concept: a short brand's name is part of other words ("NET" of "internet",
        "EE" of "speed"). A word that is a brand's name alone is no term at all."""
        if _concept_of(hashtag) is not None:
            return hashtag
        for brand in self._brands:
            if brand and brand in hashtag:
                return hashtag.replace(brand, "")
        return hashtag

