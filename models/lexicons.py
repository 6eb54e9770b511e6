"""Hand-written cue lexicons: complaint signals and sentiment words in six languages.

An entry is a phrase of normalised tokens (see :func:`models.text.tokenize`); a token ending in
``*`` matches any word that starts with it (``cancel*`` matches ``cancelled`` and ``cancelación``).
The lists are short on purpose: they hold words a customer-care person would point at when asked
"why is this a complaint?", not every word that leans negative. They feed the rule-based
``lexicon`` backend and are also features of the embedded model, which is how what it learns from
English and Spanish complaints carries over to Portuguese, French, German and Italian.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

CueKind = Literal["complaint", "negative", "positive"]

_COMPLAINT: dict[str, str] = {
    "en": """refund*|cancel*|delay*|still waiting|been waiting|waiting for|no response|no reply|
        never arrived|hasn't arrived|not arrived|didn't arrive|doesn't work|does not work|not working|
        stopped working|won't work|broke*|broken|lost|missing|damaged|charged|overcharg*|scam|fraud|
        rip off|ripoff|worst|terrible|horrible|awful|unacceptable|ridiculous|disgust*|disappoint*|
        fix|fix this|complain*|customer service|on hold|hold for|stuck|stranded|outage|down again|
        no one|nobody|why is|why does|why can't|how long|what's going on|still no|ever again|
        fail*|useless|poor service|bad service|rude|late|hours|wrong|error|issue|problem*|help|
        no signal|no internet|no service|no connection|no wifi|cut off|anybody there|anyone there|
        unhappy|dissatisfied|not happy|fed up|can't log in|cant log in|cannot log in|can't login|
        cant login|can't sign in|can't access|cannot access|can't connect|cant connect|unable to|
        won't load|wont load|not loading|won't connect|keeps crashing|keeps freezing|crashing|crashed|
        logged out|locked out|is down|went down|keeps dropping""",
    "es": """reembols*|devol*|devuelv*|cancel*|retras*|esperando|sin respuesta|nadie responde|
        nadie contesta|no contestan|no responden|no funciona|no va|sin servicio|sin internet|sin luz|
        roto|rota|averiad*|perdid*|perdieron|extravi*|maleta|equipaje|cobr*|estafa*|fraude|robo|
        ladrones|peor|pésim*|pesim*|horrible|terrible|vergüenza|verguenza|vergonzoso|inaceptable|
        indignant*|lamentable|asco|queja*|reclamaci*|reclamo|reclamar|denuncia*|atención al cliente|
        servicio al cliente|nunca más|nunca mas|tirados|tirado|colgad*|horas|overbooking|huelga|
        caos|desastre|fatal|mal servicio|problema*|incidencia|error|solución|solucion|ayuda|
        alguien ahí|alguien ahi|sin señal|sin senal|sin cobertura|sin conexión|sin conexion|
        no puedo entrar|no me deja|no puedo acceder|no carga|no conecta|se cae|se cayó|se cayo|
        se ha caído|se ha caido|caída|caida|caído|caido|bloquead*""",
    "pt": """reembols*|estorn*|devolu*|devolv*|cancel*|atras*|esperando|sem resposta|ninguém responde|
        ninguem responde|não funciona|nao funciona|sem serviço|sem servico|sem internet|sem luz|
        quebrad*|estragad*|defeito|perdid*|extravi*|mala|bagagem|cobr*|golpe|fraude|roubo|
        ladrões|ladroes|pior|péssim*|pessim*|horrível|horrivel|terrível|terrivel|vergonha|
        inaceitável|inaceitavel|absurdo|lamentável|lamentavel|nojo|reclama*|queixa*|procon|
        atendimento|sac|nunca mais|horas|descaso|desrespeito|problema*|erro|solução|solucao|ajuda|
        alguém aí|alguem ai|sem sinal|sem conexão|sem conexao|não consigo|nao consigo|não carrega|
        nao carrega|não conecta|nao conecta|não me deixa|nao me deixa|fora do ar|caiu|travad*|travou""",
    "fr": """rembours*|annul*|retard*|toujours pas|attends|attente|sans réponse|aucune réponse|
        personne ne répond|ne fonctionne pas|ne marche pas|marche pas|en panne|panne|cassé*|
        perdu*|bagage*|valise|facturé*|prélev*|arnaque|escroc*|vol|pire|nul|nulle|horrible|
        honte|inadmissible|inacceptable|scandal*|lamentable|déçu*|plainte*|réclamation*|
        service client|plus jamais|heures|bloqué*|problème*|erreur|solution|aide|sans internet|sans réseau|
        pas de réseau|impossible de|n'arrive pas|ne charge pas|ne se connecte pas|planté""",
    "de": """erstatt*|rückerstatt*|storn*|verspät*|warte*|keine antwort|niemand antwortet|
        funktioniert nicht|geht nicht|kaputt|defekt|ausfall|störung|verloren|koffer|gepäck|
        abgebucht|abzocke|betrug|betrüger|schlimm*|schlechteste*|schrecklich|furchtbar|
        unverschämt*|frechheit|skandal*|inakzeptabel|enttäusch*|beschwerde*|reklamation*|
        kundenservice|kundendienst|nie wieder|stunden|problem*|fehler|lösung|hilfe|kein internet|kein netz|
        kein empfang|kann mich nicht|komme nicht rein|lädt nicht|stürzt ab|abgestürzt|gesperrt""",
    "it": """rimbors*|cancell*|annull*|ritard*|aspetto|attesa|nessuna risposta|nessuno risponde|
        non funziona|guasto|rott*|pers*|bagagli*|valigia|addebit*|truffa*|ladri|peggior*|
        pessim*|orribile|terribile|vergogna|inaccettabile|scandal*|delus*|reclam*|lamentel*|
        servizio clienti|assistenza|mai più|mai piu|ore|disservizio|problem*|errore|soluzione|aiuto|
        senza internet|senza linea|senza rete|non riesco|non carica|non si connette|bloccat*""",
}

_NEGATIVE: dict[str, str] = {
    "en": """bad|hate|sucks|suck|angry|mad|annoyed|annoying|frustrat*|upset|sad|worse|worst|
        terrible|horrible|awful|disgust*|disappoint*|pathetic|ugh|wtf|shame|fail*|useless|unhappy|
        dissatisfied|not happy|fed up|
        emo_sad|emo_annoyed|😡|😠|🤬|😤|😒|😞|😢|😭|👎|💩|🙄""",
    "es": """mal|malo|mala|odio|fatal|enfadad*|cabread*|harto|harta|triste|peor|pésim*|horrible|
        terrible|asco|vergüenza|lamentable|decepci*|indignad*|desastre|basura|mierda|insatisfech*|descontent*|
        emo_sad|emo_annoyed|😡|😠|🤬|😤|😒|😞|😢|😭|👎|💩|🙄""",
    "pt": """mal|ruim|odeio|odio|raiva|irritad*|triste|pior|péssim*|horrível|terrível|nojo|
        vergonha|lamentável|decepç*|decepcion*|indignad*|desastre|lixo|merda|porcaria|insatisfeit*|
        emo_sad|emo_annoyed|😡|😠|🤬|😤|😒|😞|😢|😭|👎|💩|🙄""",
    "fr": """mal|mauvais*|déteste|nul|nulle|énervé*|triste|pire|horrible|honte|lamentable|
        déçu*|décevant*|catastroph*|merde|naze|dégoût*|
        emo_sad|emo_annoyed|😡|😠|🤬|😤|😒|😞|😢|😭|👎|💩|🙄""",
    "de": """schlecht*|hasse|scheiß*|scheiss*|mist|ärger*|wütend|traurig|schlimm*|schrecklich|
        furchtbar|peinlich|enttäusch*|katastroph*|nervig|
        emo_sad|emo_annoyed|😡|😠|🤬|😤|😒|😞|😢|😭|👎|💩|🙄""",
    "it": """male|brutt*|odio|schifo|arrabbiat*|triste|peggio|peggior*|pessim*|orribile|
        terribile|vergogna|delus*|deludente|disastro|merda|
        emo_sad|emo_annoyed|😡|😠|🤬|😤|😒|😞|😢|😭|👎|💩|🙄""",
}

_POSITIVE: dict[str, str] = {
    "en": """thank*|thx|great|love*|awesome|amazing|excellent|perfect|best|good|nice|happy|
        glad|wonderful|fantastic|appreciate*|helpful|well done|congrat*|
        emo_happy|emo_laugh|emo_love|emo_wink|😀|😃|😄|😁|😊|😍|🥰|😘|❤|❤️|👍|👏|🙌|🎉|💙|💕""",
    "es": """gracias|genial|encanta*|me gusta|excelente|perfect*|mejor|buen|bueno|buena|feliz|
        maravillos*|fantástic*|increíble|enhorabuena|felicidades|amable|estupend*|guapísim*|
        emo_happy|emo_laugh|emo_love|emo_wink|😀|😃|😄|😁|😊|😍|🥰|😘|❤|❤️|👍|👏|🙌|🎉|💙|💕""",
    "pt": """obrigad*|valeu|ótim*|otim*|adoro|amo|amei|excelente|perfeit*|melhor|bom|boa|feliz|
        maravilhos*|fantástic*|incrível|parabéns|parabens|lind*|show|top|
        emo_happy|emo_laugh|emo_love|emo_wink|😀|😃|😄|😁|😊|😍|🥰|😘|❤|❤️|👍|👏|🙌|🎉|💙|💕""",
    "fr": """merci|génial|genial|adore|j'adore|aime|excellent*|parfait*|meilleur*|bon|bonne|
        heureu*|super|magnifique|formidable|bravo|félicitations|top|
        emo_happy|emo_laugh|emo_love|emo_wink|😀|😃|😄|😁|😊|😍|🥰|😘|❤|❤️|👍|👏|🙌|🎉|💙|💕""",
    "de": """danke*|toll|super|liebe|großartig|grossartig|ausgezeichnet|perfekt|beste*|gut|
        glücklich|wunderbar|fantastisch|klasse|prima|geil|schön|glückwunsch|
        emo_happy|emo_laugh|emo_love|emo_wink|😀|😃|😄|😁|😊|😍|🥰|😘|❤|❤️|👍|👏|🙌|🎉|💙|💕""",
    "it": """grazie|fantastic*|amo|adoro|eccellente|perfett*|miglior*|buon*|bell*|felice|
        meraviglios*|stupend*|complimenti|brav*|ottim*|
        emo_happy|emo_laugh|emo_love|emo_wink|😀|😃|😄|😁|😊|😍|🥰|😘|❤|❤️|👍|👏|🙌|🎉|💙|💕""",
}

LEXICON_LANGUAGES: tuple[str, ...] = tuple(_COMPLAINT)


@dataclass(frozen=True)
class Cue:
    """One lexicon entry that matched: its kind and the words of the text that matched it."""

    kind: CueKind
    text: str


def _parse(entries: str) -> tuple[tuple[str, ...], ...]:
    """Split a ``|``-separated block of phrases into token tuples."""
    return tuple(tuple(e.split()) for e in (x.strip() for x in entries.split("|")) if e)


def _token_matches(pattern: str, token: str) -> bool:
    """Whether ``token`` is ``pattern``, or starts with it when ``pattern`` ends in ``*``."""
    if pattern.endswith("*"):
        return token.startswith(pattern[:-1])
    return token == pattern


class CueLexicon:
    """Finds complaint and sentiment cues in tokenised text.

    Lexicons of every language are searched, whatever the detected language: brand mentions mix
    languages, and a cue word rarely means the opposite in a neighbouring language.

    Example::

        >>> [c.text for c in CueLexicon().find(["nadie", "responde", "😡"])]
        ['nadie responde', '😡']
    """

    def __init__(self) -> None:
        self._phrases: dict[CueKind, tuple[tuple[str, ...], ...]] = {
            kind: tuple(dict.fromkeys(p for block in table.values() for p in _parse(block)))
            for kind, table in (
                ("complaint", _COMPLAINT), ("negative", _NEGATIVE), ("positive", _POSITIVE)
            )
        }
        self._by_first: dict[str, list[tuple[CueKind, tuple[str, ...]]]] = {}
        # Prefix patterns are indexed by their first two letters so a token is compared with few.
        self._prefixed: dict[str, list[tuple[CueKind, tuple[str, ...]]]] = {}
        for kind, phrases in self._phrases.items():
            for phrase in phrases:
                if phrase[0].endswith("*"):
                    self._prefixed.setdefault(phrase[0][:2], []).append((kind, phrase))
                else:
                    self._by_first.setdefault(phrase[0], []).append((kind, phrase))

    def find(self, tokens: Iterable[str]) -> list[Cue]:
        """Return every cue in ``tokens``, in text order, each phrase once per kind."""
        tokens = list(tokens)
        found: dict[tuple[CueKind, str], None] = {}
        for i, token in enumerate(tokens):
            candidates = self._by_first.get(token, []) + self._prefixed.get(token[:2], [])
            for kind, phrase in candidates:
                window = tokens[i : i + len(phrase)]
                if len(window) == len(phrase) and all(map(_token_matches, phrase, window)):
                    found[(kind, " ".join(window))] = None
        return [Cue(kind, text) for kind, text in found]

    def complaint_cues(self, tokens: Iterable[str]) -> tuple[str, ...]:
        """The complaint and negative cues in ``tokens``, each once: what a model that names no
        words of its own shows as "why flagged"."""
        return tuple(dict.fromkeys(cue.text for cue in self.find(tokens) if cue.kind != "positive"))
