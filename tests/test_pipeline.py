"""The whole pipeline on a real store: source → store → classify → rules → outbox → notifier."""

from __future__ import annotations

import json

import logging

from listener.app import Listener
from listener.config import load_settings
from listener.pipeline import Pipeline
from models.lexicon import LexiconClassifier
from replay_records import post, write_posts

POSTS = [
    post("1", "Lumora me cobró dos veces este mes, es una estafa, quiero mi dinero", 1, lang="es"),
    post("2", "Love the new Lumora app, great job!", 2, lang="en"),
    post("3", "Vireo Net cobrou duas vezes, péssimo atendimento, quero cancelar", 3, lang="pt"),
    post("4", "Lumora: my lawyer will hear about this", 4, lang="en"),
]


def alert_lines(tmp_path, name="alerts.jsonl"):
    path = tmp_path / name
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_cycle_stores_classifies_and_alerts_on_own_complaints_only(write_config, tmp_path):
    write_posts(tmp_path / "posts.jsonl", POSTS)
    with Listener(load_settings(write_config())) as app:
        report = app.poll_once()
        assert report.new_mentions == 4
        assert report.classified == 4
        alerted = {line["text"] for line in alert_lines(tmp_path)}
        assert POSTS[0]["text"] in alerted  # a complaint
        assert POSTS[3]["text"] in alerted  # a keyword that always alerts
        assert POSTS[1]["text"] not in alerted  # praise
        assert POSTS[2]["text"] not in alerted  # a competitor's complaint goes to the digest, not to us
        assert app.store.stats()["alerts_sent"] == len(alerted) == report.delivery.sent


def test_a_second_cycle_adds_nothing_and_sends_nothing(write_config, tmp_path):
    write_posts(tmp_path / "posts.jsonl", POSTS)
    with Listener(load_settings(write_config())) as app:
        app.poll_once()
        before = app.store.stats()
        report = app.poll_once()
        assert (report.new_mentions, report.alerts_queued, report.delivery.sent) == (0, 0, 0)
        assert app.store.stats() == before
    assert len(alert_lines(tmp_path)) == before["alerts_sent"]


def test_posts_appended_later_are_picked_up_by_the_next_cycle(write_config, tmp_path):
    path = write_posts(tmp_path / "posts.jsonl", POSTS[:2])
    with Listener(load_settings(write_config())) as app:
        app.poll_once()
        with path.open("a") as handle:
            handle.write(json.dumps(POSTS[3]) + "\n")
        report = app.poll_once()
        assert report.new_mentions == 1 and report.delivery.sent == 1


def test_alert_shows_the_post_author_reach_and_why_it_was_flagged(write_config, tmp_path):
    write_posts(tmp_path / "posts.jsonl", [
        post("9", "Lumora me cobró dos veces, es una estafa", 1, author_handle="ana", author_name="Ana",
             author_reach=25_000, url="https://x.com/ana/status/9"),
    ])
    with Listener(load_settings(write_config())) as app:
        app.poll_once()
    [line] = alert_lines(tmp_path)
    assert line["author"] == "Ana (@ana)" and line["reach"] == 25_000
    assert line["url"] == "https://x.com/ana/status/9"
    assert any(reason.startswith("complaint") for reason in line["reasons"])
    assert line["severity"] in {"high", "critical"}  # a wide audience raises the priority


class ChokesOn(LexiconClassifier):
    """The lexicon classifier, failing on any batch with a text that holds ``bad``: as the transformers
    backend did on a post with a literal escaped emoji, or one longer than its model reads."""

    def __init__(self, bad: str) -> None:
        super().__init__()
        self._bad = bad

    def classify(self, texts, lang_hints=None):
        if any(self._bad in text for text in texts):
            raise TypeError("TextEncodeInput must be Union[TextInputSequence, Tuple[InputSequence, InputSequence]]")
        return super().classify(texts, lang_hints)


def test_a_post_the_classifier_fails_on_does_not_hold_up_the_others_and_is_not_lost(write_config, tmp_path, caplog):
    write_posts(tmp_path / "posts.jsonl", [POSTS[0], post("5", "Lumora: CHOKE my lawyer will hear about this", 5),
                                           POSTS[3]])
    with caplog.at_level(logging.ERROR), Listener(load_settings(write_config()), classifier=ChokesOn("CHOKE")) as app:
        report = app.poll_once()
        assert (report.new_mentions, report.classified) == (3, 2)
        assert {line["text"] for line in alert_lines(tmp_path)} == {POSTS[0]["text"], POSTS[3]["text"]}
        [failed] = [record for record in caplog.records if record.getMessage() == "mention not classified"]
        assert (failed.count, failed.mention_ids) == (1, "2") and "TextEncodeInput" in failed.error
        assert app.poll_once().classified == 0  # tried again, once a cycle
    with Listener(load_settings(write_config())) as app:  # a classifier that reads it
        assert app.poll_once().classified == 1
    assert len(alert_lines(tmp_path)) == 3


def test_a_classifier_failing_on_every_post_logs_one_line_a_cycle_not_one_per_post(write_config, tmp_path, caplog):
    """Each mention it failed on alone was a line of its own: 150 pending posts, 150 error lines at every cycle."""
    write_posts(tmp_path / "posts.jsonl", [post(str(number), f"Lumora sin internet {number}", number % 60)
                                           for number in range(1, 151)])
    with caplog.at_level(logging.ERROR), Listener(load_settings(write_config()), classifier=ChokesOn("Lumora")) as app:
        assert app.poll_once().classified == 0
        [failed] = [record for record in caplog.records if record.getMessage() == "mention not classified"]
    assert failed.count == 150 and failed.mention_ids == "1,2,3,4,5,6,7,8,9,10,..." and "TextEncodeInput" in failed.error


class Down(LexiconClassifier):
    """The lexicon classifier, failing on every text while ``down``, as one out of memory does; counts its calls."""

    def __init__(self) -> None:
        super().__init__()
        self.down, self.calls = True, 0

    def classify(self, texts, lang_hints=None):
        self.calls += 1
        if self.down:
            raise RuntimeError("DefaultCPUAllocator: not enough memory")
        return super().classify(texts, lang_hints)


OPERATOR_CHANNEL = """
[[alerts.channels]]
name = "ops"
type = "jsonl"
path = "ops.jsonl"
"""


def _config_with_an_operator_channel(write_config, tmp_path):
    config = write_config(OPERATOR_CHANNEL).read_text()
    (tmp_path / "listener.toml").write_text(config.replace("[storage]", '[alerts]\noperator_channel = "ops"\n\n[storage]'))
    return load_settings(tmp_path / "listener.toml")


def test_a_classifier_down_is_not_called_for_each_mention_at_every_cycle_and_the_operator_is_told(
        write_config, tmp_path, caplog):
    """A classifier failing on everything was called once a batch and once a mention at every cycle (153 calls
    for 150 posts), with no word to the operator."""
    write_posts(tmp_path / "posts.jsonl", [post(str(number), f"Lumora sin internet {number}", number % 60)
                                           for number in range(1, 151)])
    classifier = Down()
    with caplog.at_level(logging.INFO), Listener(_config_with_an_operator_channel(write_config, tmp_path),
                                                 classifier=classifier) as app:
        calls = []
        for _ in range(3):
            classifier.calls = 0
            assert app.poll_once().classified == 0
            calls.append(classifier.calls)
        assert calls == [3, 0, 0]  # a batch, its first mention alone, a probe; then it pauses
        assert app.store.stats()["mentions"] == 150
    assert [line["title"] for line in alert_lines(tmp_path, "ops.jsonl")] == ["[operator] classifier-down: lexicon"]
    [paused] = [r for r in caplog.records if r.getMessage() == "classifier down: classification paused"]
    assert paused.pending == 150 and "not enough memory" in paused.error


def test_a_classifier_down_is_tried_less_and_less_often_and_every_mention_is_classified_once_it_works(
        write_config, tmp_path, caplog):
    write_posts(tmp_path / "posts.jsonl", [post(str(number), f"Lumora sin internet {number}", number % 60)
                                           for number in range(1, 151)])
    classifier, now = Down(), [0.0]
    with caplog.at_level(logging.INFO), Listener(_config_with_an_operator_channel(write_config, tmp_path)) as app:
        app.pipeline = Pipeline(app.store, classifier, app.alerting.rules, app.alerting.outbox, batch_size=64,
                                report_problem=app.alerting.notices.report, monotonic=lambda: now[0])
        calls = []
        for seconds in (0, 59, 60, 179, 180, 419, 420):  # paused for 60 s, then 120, then 240
            now[0] = seconds
            classifier.calls = 0
            assert app.poll_once().classified == 0
            calls.append(classifier.calls)
        assert calls == [3, 0, 3, 0, 3, 0, 3]
        classifier.down, now[0] = False, 10_000
        assert app.poll_once().classified == 150
        assert [r.failures for r in caplog.records if r.getMessage() == "classifier works again"] == [4]
    assert len(alert_lines(tmp_path)) == 150
    assert len(alert_lines(tmp_path, "ops.jsonl")) == 1
