"""Function words: the words that say nothing of their own about what a post is about or why it is a
complaint ("the", "que", "nicht", "في", "что", "है"), in English, Spanish, Portuguese, French, German and
Italian, then Arabic, Russian and Hindi. Incidents leave them out of their terms, and the classifier out
of its "why flagged" cues.
"""

from __future__ import annotations

from functools import lru_cache

from listener.folding import fold

# Folded (lower case, no accents). English contractions are split at the apostrophe: "don", "didn".
# The last line is romanised Hindi, as UMSAB's Hindi tweets are written.
_LATIN_SCRIPT = """
a al algo alguem alguien ante aqui asi aun ay cada com como con contigo da das de del desde do dos e el ela
ele ella em en entre era es esa ese eso esta este esto estoy eu foi ha hay hace isso ja la las le les lo los
mais mas me mesmo meu mi mis muy na nada nao nem ni no nos o os para pero por porque pra que se ser seu si
sin sobre su sus tan te tem ter todo toda todos tu um uma un una uno y ya yo
ahora antes despues ellos esse estar habia han hasta poco pues sea sem siquiera tampoco tanto tenido
about after again all also already am an and any anyone are as at be because been before being but by can
cant could did do does dont else even every for from get got had has have he her here him his how i im in
into is it its just me more much my never no not nothing now of off on only or other our out over really
said she should since so some still than that the their them then there these they this those through to
too until up us very was we were what when where which while who why will with would yet you your
aren couldn didn doesn don hasn haven isn shouldn wasn weren won wouldn rt via
aux avec ce ces cette dans depuis des elle encore est et ete ils je les leur mais mes moi mon ne nous pas
plus pour qui rien sont sur toujours tous tout une vous
auch auf aus bei bin das dem den der des die ein eine einem einen einer habe hat ich im immer ist kann kein
keine mehr mein meine mich mir mit nicht noch nur schon seit sie sind und von war was wieder wir zum zur
ancora che chi del dei della delle gli il ma mio mia nel nella non per piu questa questo sempre sono sto sul sulla
bhi hai ka ke ki ko
"""
# As written; folded when the module loads.
_OTHER_SCRIPTS = """
من في على الى إلى عن له منذ هذا هذه ذلك التي الذي كل لا لم لن ما مع عند او أو ثم قد كان يا والله بس شي انا أنا
احنا نحن هو هي انت أنت ليش ليه ايش شو مش مو كيف حتى بعد قبل عندي عندنا اليوم أستطيع استطيع اقدر أقدر
что это уже опять снова меня мне нас нам вас вам нет как так для все всё его она они был была было были или
когда где почему только даже ещё еще вообще мой моя мои моё мою наш наша очень просто сегодня могу может можно
है हैं नहीं मेरा मेरी मेरे मुझे हमें हमारा का की के को से में पर और भी यह ये वह वो हो रहा रही रहे गया गई गए
था थी थे कर करो कोई कुछ क्या क्यों अभी तक बार आप हम सब बहुत एक ही तो
"""

FUNCTION_WORDS = frozenset(fold(word) for word in (_LATIN_SCRIPT + _OTHER_SCRIPTS).split())
# Words that fold onto a function word without being one: in the data sets' train and dev splits, the
# only ones among the words that fold onto one (é, más, não, qué, después, ...).
_FOLDED_ONTO_ONE = frozenset({"schön", "má", "poço"})


# Cues and their words repeat from post to post; bounded for a long-running daemon.
@lru_cache(maxsize=65536)
def only_function_words(phrase: str) -> bool:
    """Whether every word of ``phrase`` is a function word, or a single letter, once folded; the parts
    of a word with an apostrophe count one by one ("can't" is one, "l'app" is not). Emoji, digits and
    "schön" (not "schon") or "má" (Portuguese "bad", not "ma") are not.

    Example::

        >>> only_function_words("why is"), only_function_words("No me"), only_function_words("no signal")
        (True, True, False)
    """
    return all(_is_function_word(word) for word in phrase.split())


def _is_function_word(word: str) -> bool:
    if word.casefold() in _FOLDED_ONTO_ONE:
        return False
    return all(part in FUNCTION_WORDS or (len(part) == 1 and part.isalpha()) for part in fold(word).split("'"))
