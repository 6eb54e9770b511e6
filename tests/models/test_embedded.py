import json
import time
import unicodedata

import pytest

from listener.domain import without_lone_surrogates
from listener.function_words import only_function_words
from models.embedded_backend import EmbeddedClassifier
from models.errors import ModelNotAvailable
from models.no_problem import NO_PROBLEM_COMPLAINT_CEILING
from models.service_failure import FAILURE_COMPLAINT_FLOOR
from models.weights import META_FILE, WEIGHTS_DIR, WEIGHTS_FILE

SPANISH_COMPLAINT = "@Iberia me habéis cancelado el vuelo, llevo 3 horas esperando y nadie me da una solución"
PRAISE = "Muchas gracias @Iberia, el vuelo fue estupendo y la tripulación muy amable 😍"


def test_spanish_complaint_is_flagged_with_cues(embedded):
    [result] = embedded.classify([SPANISH_COMPLAINT])
    assert result.lang == "es"
    assert result.complaint_prob > 0.5
    assert result.sentiment == "negative"
    assert result.cues


def test_praise_is_not_flagged(embedded):
    [result] = embedded.classify([PRAISE])
    assert result.complaint_prob < 0.5
    assert result.sentiment == "positive"


def test_why_flagged_is_never_function_words_alone(embedded):
    """The model leans on "nicht", "no me" and "les" as much as on "paket": a reader learns nothing from
    them, and the first cue names the alert group, so they are left out; lexicon phrases such as
    "toujours pas" stay."""
    results = embedded.classify(["Das Paket ist immer noch nicht da, seit einer Woche",
                                 "No me llega el pedido, es la tercera vez",
                                 "Les colis ne sont toujours pas arrivés"])
    assert all(r.complaint_prob > 0.5 for r in results)
    assert [r.cues[0] for r in results] == ["woche", "vez", "toujours pas"]
    assert "paket" in results[0].cues and "pedido" in results[1].cues and "colis" in results[2].cues
    for result in results:
        assert not [cue for cue in result.cues[1:] if only_function_words(cue)], result.cues


def test_cues_are_shown_as_the_post_has_them_without_the_normalisers_placeholders(embedded):
    """":(" is read as the token emo_sad and a link as "http": a reader sees ":(" and no "http"."""
    [result] = embedded.classify(["@lumora llevo dos días sin internet y nadie responde :( https://t.co/abc"])
    assert ":(" in result.cues
    assert not [cue for cue in result.cues if "emo_" in cue or "http" in cue.split()], result.cues


def test_portuguese_and_english_complaints_are_flagged(embedded):
    results = embedded.classify(
        ["O voo foi cancelado e ninguém responde, péssimo atendimento", "My order never arrived and nobody answers my emails"]
    )
    assert [r.lang for r in results] == ["pt", "en"]
    assert all(r.complaint_prob > 0.5 for r in results)


def test_anybody_there_is_a_complaint_alone_and_with_a_lost_service(embedded):
    """The product's own question, "is anybody there?": alone, the model has no other word to go on (0.27
    for the Spanish one), and the phrase makes it a complaint, with the phrase as its cue."""
    alone = embedded.classify(["@lumora is anybody there?", "@lumora ¿Hay alguien ahí?", "@lumora tem alguém aí?"])
    assert [r.complaint_prob >= FAILURE_COMPLAINT_FLOOR for r in alone] == [True] * 3
    assert [r.cues[0] for r in alone] == ["anybody there", "hay alguien ahí", "tem alguém aí"]
    results = embedded.classify(["@lumora is anybody there? no signal since yesterday",
                                 "@Lumora_Ayuda ¿Hay alguien ahí? sin internet desde ayer"])
    assert [r.complaint_prob > 0.5 for r in results] == [True, True]
    assert [r.sentiment for r in results] == ["negative"] * 2
    assert results[0].cues[:2] == ("anybody there", "no signal")
    assert results[1].cues[:2] == ("hay alguien ahí", "sin internet")


def test_a_service_the_customer_cannot_get_into_is_a_complaint_and_getting_back_in_is_not(embedded):
    """App and access failures ("keeps crashing", "se cayó", "não consigo", "kann mich nicht") are
    flagged with those words as cues, and so is the Portuguese "is anybody there?"; "I can get in again,
    thanks" is not."""
    complaints = embedded.classify(["@lumora the app keeps crashing since the update",
                                    "@lumora se cayó la fibra otra vez",
                                    "@lumora não consigo entrar no app",
                                    "@lumora tem alguém aí? sem sinal desde ontem",
                                    "@lumora ich kann mich nicht einloggen",
                                    "@lumora non riesco ad accedere all'app"])
    fixed = embedded.classify(["@lumora gracias, ya puedo entrar, todo resuelto",
                               "@lumora thanks, I can log in again, all sorted"])
    assert [r.lang for r in complaints] == ["en", "es", "pt", "pt", "de", "it"]
    assert all(r.complaint_prob > 0.5 for r in complaints)
    cues = ["keeps crashing", "se cayó", "não consigo entrar", "tem alguém aí", "kann mich nicht einloggen",
            "non riesco ad accedere"]
    assert all(cue in result.cues for cue, result in zip(cues, complaints, strict=True))
    assert all(r.complaint_prob < 0.5 for r in fixed)


def test_a_post_that_says_the_service_fails_is_at_least_a_floor_likely_a_complaint(embedded):
    """The model reads "no puedo entrar ... desde ayer" as no complaint (0.14); the phrase makes it 0.8, with
    the phrase as its cue and not the words that pulled the model down. Case and accents do not matter,
    and a reading above the floor stays."""
    floored = embedded.classify(["@lumora no puedo entrar en la app desde ayer",
                                 "@lumora a fibra está FORA DO AR desde ontem",
                                 "@lumora NAO CONSIGO ENTRAR no app"])
    assert [r.complaint_prob >= FAILURE_COMPLAINT_FLOOR for r in floored] == [True] * 3
    assert floored[0].complaint_prob == pytest.approx(FAILURE_COMPLAINT_FLOOR)
    assert [r.cues[0] for r in floored] == ["no puedo entrar", "fora do ar", "não consigo entrar"]
    assert floored[0].cues == ("no puedo entrar",)
    assert "nao consigo" not in floored[2].cues  # the lexicon's cue, another spelling of words already shown
    [angry] = embedded.classify(["Lumora app won't load, can't log in at all. 🤬"])
    assert angry.complaint_prob > 0.95
    assert angry.cues[:3] == ("won't load", "can't log in", "🤬")


def test_a_post_that_says_the_service_has_given_no_problem_is_at_most_a_ceiling_likely_a_complaint(embedded):
    """The model reads "cero problemas" and "not a single outage" as negative complaints (0.85, 0.84:
    problem words); the phrase caps them and makes them positive, first among the cues, with no complaint
    word after it. A contrast ("hasta hoy") leaves the model's reading alone."""
    capped = embedded.classify(["Llevo 3 años con Lumora y cero problemas. No sé de qué se queja la gente.",
                                "3 years with Lumora and not a single outage. Touch wood 🤞"], ["es", "en"])
    assert [r.complaint_prob for r in capped] == [NO_PROBLEM_COMPLAINT_CEILING] * 2
    assert [r.sentiment for r in capped] == ["positive"] * 2  # the model read "problemas", "outage" as negative
    assert [r.cues[0] for r in capped] == ["cero problemas", "not a single outage"]
    assert "outage" not in capped[1].cues and "problemas" not in capped[0].cues
    [turned] = embedded.classify(["@iberia es la compañía más incompetente que he visto. Nunca he tenido problemas "
                                  "con nadie hasta hoy"], ["es"])
    assert turned.complaint_prob > 0.5 and "nunca he tenido problemas" not in turned.cues


def test_complaints_in_languages_without_complaint_labels_are_flagged_and_praise_is_not(embedded):
    """French, Italian and German have sentiment data but no complaint labels: their text alone must not
    read as "no complaint" (the head once flagged 0-2 % of such tweets)."""
    complaints = embedded.classify(["@lumora la fibre est en panne depuis hier, personne ne répond",
                                    "@lumora senza internet da ieri e nessuno risponde, vergogna",
                                    "@lumora seit gestern kein Internet, niemand antwortet"])
    praise = embedded.classify(["@lumora merci, tout est réglé, super service !",
                                "@lumora grazie mille, tutto risolto in un attimo"])
    assert [r.lang for r in complaints] == ["fr", "it", "de"]
    assert all(r.complaint_prob > 0.5 for r in complaints)
    assert all(r.complaint_prob < 0.5 for r in praise)


def test_unhappy_is_negative_not_positive(embedded):
    [result] = embedded.classify(["Very unhappy with you right now @lumora"])
    assert result.sentiment == "negative" and result.complaint_prob > 0.5


def test_probabilities_are_calibrated_values_in_unit_interval(embedded):
    results = embedded.classify([SPANISH_COMPLAINT, PRAISE, "", "ok", "🙂"])
    for result in results:
        assert 0.0 <= result.complaint_prob <= 1.0
        assert all(0.0 <= p <= 1.0 for p in result.sentiment_probs)
        assert sum(result.sentiment_probs) == pytest.approx(1.0, abs=1e-5)


def test_outputs_are_deterministic_and_independent_of_batching(embedded):
    texts = [SPANISH_COMPLAINT, PRAISE, "Worst airline ever"]
    together = embedded.classify(texts)
    alone = [embedded.classify([text])[0] for text in texts]
    assert [r.complaint_prob for r in together] == pytest.approx([r.complaint_prob for r in alone], abs=1e-6)
    assert together == embedded.classify(texts)


def test_language_hint_is_used_when_detection_is_unsure(embedded):
    [result] = embedded.classify(["ok"], ["pt"])
    assert result.lang == "pt"


def test_a_post_without_letters_is_in_its_hints_language_or_undetermined(embedded):
    results = embedded.classify(["🙏", "@lumora ???", "😡😡😡 https://t.co/x"], [None, "es", None])
    assert [r.lang for r in results] == ["und", "es", "und"]


def test_a_post_the_detector_has_no_evidence_on_is_undetermined_not_arabic(embedded):
    results = embedded.classify(["ok", "M v", "Gm??", "ok"], [None, None, None, "en"])
    assert [r.lang for r in results] == ["und", "und", "und", "en"]


def test_a_post_with_nothing_to_read_does_not_read_as_a_complaint(embedded):
    """A post of only punctuation, mentions, links or invisible characters gave the network no feature it
    had learnt: "___" read as 0.91 likely a complaint and "..." as 0.65, alerts with no "why flagged"."""
    posts = ["___", "...", "--", "!!!!", "@lumora @vireo", "https://t.co/abc", "@lumora ...", "\u2066\u2069"]
    results = embedded.classify(posts)
    assert [(r.complaint_prob, r.sentiment, r.cues) for r in results] == [(0.0, "neutral", ())] * len(posts)
    [emoji] = embedded.classify(["@lumora 😡😡"])
    assert emoji.complaint_prob > 0.9 and emoji.cues == ("😡",)


def test_an_invisible_character_inside_a_post_does_not_hide_its_complaint(embedded):
    """A zero-width space, a soft hyphen or a direction mark shows as nothing, but cut the words around it:
    "es\u200btafa" read as "es" and "tafa", and "no puedo\u200b entrar" was no failure phrase (0.38, not 0.8)."""
    post = "@lumora no puedo entrar en la app, es una estafa y nadie responde"
    [plain] = embedded.classify([post])
    pasted = [post.replace("entrar", "en\u200btrar").replace("estafa", "es\u200btafa"),
              post.replace("estafa", "es\u00adtafa").replace(" ", " \u200b"),
              "\u2067" + post.replace("@lumora", "\u2066@lumora\u2069") + "\u2069"]
    assert [(r.complaint_prob, r.cues) for r in embedded.classify(pasted)] == [(plain.complaint_prob, plain.cues)] * 3


def _shipped_model_with_complaint_sentiment_mix(folder, mix):
    folder.mkdir()
    (folder / WEIGHTS_FILE).symlink_to(WEIGHTS_DIR / WEIGHTS_FILE)
    meta = json.loads((WEIGHTS_DIR / META_FILE).read_text())
    (folder / META_FILE).write_text(json.dumps({**meta, "complaint_sentiment_mix": mix}))
    return EmbeddedClassifier.load(folder)


def test_a_spanish_complaint_probability_mixes_in_the_negative_one_by_the_models_weight(embedded, tmp_path):
    posts, langs = ["El técnico llegó puntual e instaló el router", "The engineer came on time"], ["es", "en"]
    head = _shipped_model_with_complaint_sentiment_mix(tmp_path / "head", {"*": 0.0}).classify(posts, langs)
    negative = _shipped_model_with_complaint_sentiment_mix(tmp_path / "neg", {"es": 1.0, "*": 0.0}).classify(posts, langs)
    shipped = embedded.classify(posts, langs)
    weight = embedded.meta.complaint_sentiment_mix["es"]
    assert 0.0 < weight < 1.0 and embedded.meta.complaint_sentiment_mix["en"] == 0.0
    assert negative[0].complaint_prob == pytest.approx(negative[0].sentiment_probs[0])
    assert shipped[0].complaint_prob == pytest.approx((1 - weight) * head[0].complaint_prob + weight * negative[0].complaint_prob)
    assert shipped[1].complaint_prob == head[1].complaint_prob == negative[1].complaint_prob


def test_shipped_model_loads_quickly():
    started = time.perf_counter()
    EmbeddedClassifier.load()
    assert time.perf_counter() - started < 2.0  # the target is < 1 s; slack for a busy CI machine


def test_missing_weights_say_how_to_train_them(tmp_path):
    with pytest.raises(ModelNotAvailable, match="python -m models.train"):
        EmbeddedClassifier.load(tmp_path)


def test_posts_with_a_broken_emoji_are_classified_without_it_as_a_cue(embedded):
    [result] = embedded.classify(["\ud83d the app is broken and nobody answers"])
    assert result.complaint_prob > 0.5
    assert not any("\ud83d" in cue for cue in result.cues)


def test_cues_do_not_show_the_replacement_character_a_stored_post_has_for_a_cut_emoji(embedded):
    """A mention keeps U+FFFD where its text had a lone surrogate (SQLite refuses those): it was a cue,
    and the only one of "@lumora 😡😡😡 worst" cut to "@lumora ��� worst"."""
    texts = [without_lone_surrogates(text) for text in ("bad \ud83d byte", "@lumora \ud83d\ud83d\ud83d worst")]
    assert not [cue for result in embedded.classify(texts) for cue in result.cues if "\ufffd" in cue]


def test_cues_do_not_show_marks_cut_from_their_letter_or_emoji(embedded):
    """The tokenizer cuts a word at its combining marks; a mark alone showed as a cue, or as nothing
    (the variation selector of "🏳️‍🌈" was one post's first cue, which names its alert group)."""
    posts = ["แอปเปิดไม่ได้เลย แย่มาก", "ऐप काम नहीं कर रहा, बहुत बुरा", "Lumora 🏳️‍🌈 worst service ever",
             "h̸̢̛̩̺̱͙̭̯̣̬̝̮̆̅͋̈́̄͐̅̌̚͝e̶͚̻̮̮͎̿͋͜l̵̨̡̥̪̙̰̈́̓̏̅́̀͜p̷̡̭̝̠͔̎̍̍̅̋̓ app broken"]
    results = embedded.classify(posts)
    marks_only = [word for result in results for cue in result.cues for word in cue.split()
                  if all(unicodedata.category(character).startswith("M") for character in word)]
    assert marks_only == []
    assert all(result.cues for result in results)


def test_cues_do_not_show_the_skin_tone_cut_from_an_emoji(embedded):
    """A skin tone (U+1F3FB-1F3FF) is an emoji of its own to the tokenizer: "🏽 never" was a cue of
    "worst service 👎🏽👎🏽 never again", a swatch of colour beside a word."""
    results = embedded.classify(["@lumora worst service 👎🏽👎🏽 never again", "@lumora sin internet 🙏🏿 otra vez"])
    assert not [cue for result in results for cue in result.cues if any(0x1F3FB <= ord(ch) <= 0x1F3FF for ch in cue)]
    assert all(result.cues for result in results)
