"""Phrases that say a service has given its writer no problem ("cero problemas", "not a single outage",
"nenhuma queda"), and the complaint probability that a post saying one gets at most.

A bag of words reads such praise as a complaint: its problem words ("problemas", "outage", "queda") are
complaint words, and the negation in front of them is a word like any other. The embedded model reads
"Llevo 3 años con Lumora y cero problemas" as 0.85 likely a complaint and "3 years with Lumora and not a
single outage" as 0.84, and such posts would alert as complaints. So a post with one of these phrases is
at most :data:`NO_PROBLEM_COMPLAINT_CEILING` likely a complaint, and no more negative than positive
(:mod:`models.phrases`), unless it also has a word that turns the praise round ("until", "pero",
"agora": "no problems until today"), a negative word of the lexicons besides the phrase (a comparison:
"con Vireo cero problemas, con Lumora un desastre") or a service failure phrase
(:mod:`models.service_failure`), which wins.

Measured on the labelled sets (train and dev splits, 2026-12-07): of the 6 posts with a phrase and no
contrast word, none is a complaint or negative (4 in the sets the model is trained on, without
``airline_us``; 5 labelled positive, 1 neutral, of which the model reads 3 as negative), and one of them
has a negative word besides (the airport code "MAD", read as English "mad"), so is left alone; of the 3
with a contrast word, 2 are complaints; on the project's demo stream 0 of 35 (all praise), none with a
negative word besides. With none in 6, the share of complaints among such posts is under 0.39 at 95 %
confidence (one-sided Clopper-Pearson), hence the ceiling, 0.4: under the 0.5 at which a post counts as
a complaint, and no lower than 6 posts can show. The list was written after reading those posts and the
demo's; the sets have too few such posts to hold some out.

Left out are the bare "no problems", "no issues", "ningún problema", "nenhum problema", "aucun problème",
"keine Probleme" and "nessun problema", which a complaint uses for someone else: "my bank says no issues
their side", "I fly with @united and have no problems", "vuelos seguidos con @snbrussels y ningún
problema. El primero en meses con @Iberia y la estáis liando". A phrase never holds a service failure
phrase ("disservizio").
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from listener.folding import PhraseFinder, fold, phrase_pattern
from models.lexicons import CueLexicon
from models.text import normalize, tokenize

NO_PROBLEM_COMPLAINT_CEILING = 0.4

NO_PROBLEM_PHRASES: dict[str, tuple[str, ...]] = {
    "en": ("never had a problem", "never had any problems", "never had problems", "never had a single problem",
           "never had an issue", "never had any issues", "never had issues", "never have any issues",
           "never have any problems", "never had an outage", "never had a single outage", "not a single problem",
           "not a single issue", "not a single outage", "not one outage", "not one drop", "not a single drop",
           "no problems at all", "no issues at all", "no problems whatsoever", "zero problems", "zero issues",
           "zero outages", "no complaints"),
    "es": ("nunca he tenido problemas", "nunca he tenido ningún problema", "nunca tuve problemas",
           "nunca tuve ningún problema", "nunca me ha dado problemas", "nunca me ha fallado", "cero problemas",
           "cero cortes", "cero caídas", "ni un problema", "ni un solo problema", "ni un corte", "ni un solo corte",
           "sin un solo corte", "sin ningún problema", "sin ningún corte", "sin problemas", "sin problema", "sin quejas",
           "ninguna queja", "nada que reclamar"),
    "pt": ("nunca tive problema", "nunca tive problemas", "nunca tive nenhum problema", "nunca tive dor de cabeça",
           "nunca me deu problema", "nunca caiu", "nenhuma queda", "zero problemas", "zero quedas",
           "sem nenhum problema", "sem problemas", "sem queda", "sem quedas", "nem uma queda", "sem reclamações",
           "nada a reclamar"),
    "fr": ("jamais eu de problème", "jamais eu de problèmes", "jamais eu de souci", "jamais eu de soucis",
           "jamais eu de panne", "aucun souci", "sans aucun problème", "sans souci", "pas une seule panne",
           "zéro problème", "zéro panne", "aucune plainte", "rien à redire"),
    "de": ("nie Probleme", "noch nie Probleme", "keine Probleme gehabt", "keinerlei Probleme gehabt",
           "ohne Probleme", "keine Ausfälle", "kein einziger Ausfall", "null Probleme", "keine Beschwerden"),
    "it": ("mai avuto problemi", "mai un problema", "zero problemi", "senza problemi", "senza interruzioni",
           "nessuna lamentela", "niente da ridire"),
}

# Words that turn "no problem" round: a limit in time ("until today", "hasta hoy"), a contrast ("but",
# "pero"), or the present against the past ("now", "agora"). "más" folds onto Portuguese "mas" (but), so
# "más rápido" counts too: it only ever leaves the model's reading alone.
CONTRAST_WORDS: tuple[str, ...] = (
    "until", "till", "but", "though", "although", "except", "now", "today", "anymore", "lately",
    "hasta", "pero", "aunque", "excepto", "salvo", "ahora", "hoy", "ya no", "últimamente",
    "até", "mas", "porém", "embora", "exceto", "agora", "hoje", "ultimamente",
    "jusqu'à", "jusqu'ici", "mais", "sauf", "maintenant", "aujourd'hui",
    "bis", "aber", "außer", "jetzt", "heute",
    "fino", "finora", "però", "tranne", "adesso", "oggi",
)


class NoProblemFinder:
    """Finds the "no problem" phrases, as listed, in a post that has no contrast word and no negative word
    besides them.

    Example::

        >>> NoProblemFinder().find("Llevo 3 años con Lumora y CERO PROBLEMAS")
        ('cero problemas',)
        >>> NoProblemFinder().find("Nunca he tenido problemas con nadie hasta hoy")
        ()
        >>> NoProblemFinder().find("Con Vireo cero problemas, con Lumora un desastre")
        ()
    """

    def __init__(self, more: Iterable[str] = ()) -> None:
        """Finds the built-in phrases and ``more``."""
        self._phrases = PhraseFinder(
            itertools.chain((phrase for by_lang in NO_PROBLEM_PHRASES.values() for phrase in by_lang), more))
        self._contrast = phrase_pattern(CONTRAST_WORDS)
        self._lexicon = CueLexicon()

    def find(self, text: str, folded: str | None = None) -> tuple[str, ...]:
        """The phrases in ``text`` in text order, or none when a contrast word or a negative word besides
        them turns them round; ``folded`` is ``fold(text)`` when the caller has it."""
        folded = fold(text) if folded is None else folded
        found = self._phrases.find_folded(folded)
        if not found or (self._contrast is not None and self._contrast.search(folded)):
            return ()
        in_phrases = {word for phrase in found for word in fold(phrase).split()}
        if any(cue.kind == "negative" and not set(fold(cue.text).split()) <= in_phrases
               for cue in self._lexicon.find(tokenize(normalize(text)))):
            return ()
        return found
