"""The early-warning job on a real store: spike → one incident alert, growth → follow-ups, restarts, spread."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest
from early_warning_helpers import START, background, make_job, post

from listener.domain import Engagement
from listener.store import Store
from tests.older_schema import as_schema_version

LOGIN = [
    "No puedo iniciar sesión en la app de @lumora, me da error",
    "Lumora app won't load, can't log in at all",
    "Não consigo fazer login no app da Lumora, alguém mais?",
    "¿Se ha caído la app de Lumora? No puedo iniciar sesión",
    "@lumora can't log in to the app, is it down?",
    "o app da @lumora caiu? Não consigo entrar de jeito nenhum",
    "no me carga la app de Lumora, pantalla de login en blanco",
    "Anyone else unable to log in to the Lumora app?",
]
BURST_AT = START + timedelta(days=2, hours=10)


def burst(store, first: int, count: int) -> None:
    """``count`` login complaints, one a minute, numbered from ``first``."""
    for index in range(first, first + count):
        post(store, f"login{index}", LOGIN[index % len(LOGIN)], BURST_AT + timedelta(minutes=index))


def test_burst_caught_up_in_one_run_alerts_as_the_live_job_would(open_store, clock, config) -> None:
    store = open_store()
    background(store)
    burst(store, 0, 12)
    clock.now = BURST_AT + timedelta(minutes=12)
    report = make_job(store, config, clock).run()
    alerts = [stored.alert for stored in store.alerts()]
    first = [alert for alert in alerts if ":step:1:" in alert.key]
    grown = [alert for alert in alerts if ":step:1:" not in alert.key]
    assert sorted(alert.channel for alert in first) == sorted(alert.channel for alert in grown) == ["console", "file"]
    title = first[0].title
    assert title.startswith("Lumora: ") and " complaints in " in title and "app" in title
    facts = first[0].reasons[1]  # the incident as it was when the spike was seen, not 12 minutes later
    assert facts.startswith("incident #") and "12 complaints" not in facts
    assert all("grows to 12 complaints" in alert.title for alert in grown)
    assert len({alert.group for alert in alerts}) == 1
    biggest = max(report.incidents, key=lambda incident: incident.size)
    assert biggest.size == 12


def test_live_runs_see_the_same_spike_as_one_catch_up_run(tmp_path, clock, config) -> None:
    """A live run reads the history back as hourly counts and the last hour's complaints, not as new ones."""
    caught_up = Store.open(tmp_path / "caught_up.db", clock)
    background(caught_up)
    burst(caught_up, 0, 12)
    clock.now = BURST_AT + timedelta(minutes=12)
    make_job(caught_up, config, clock).run()

    live = Store.open(tmp_path / "live.db", clock)
    background(live)
    clock.now = BURST_AT
    make_job(live, config, clock).run()
    for index in range(12):
        burst(live, index, 1)
        clock.now = BURST_AT + timedelta(minutes=index)
        make_job(live, config, clock).run()

    def spikes(store: Store) -> list[str]:
        return [stored.alert.reasons[0] for stored in store.alerts() if ":step:1:" in stored.alert.key]

    assert spikes(live) and spikes(live) == spikes(caught_up)


def test_background_alone_raises_nothing(open_store, clock, config) -> None:
    store = open_store()
    background(store, days=3)
    clock.now = START + timedelta(days=3)
    make_job(store, config, clock).run()
    assert store.alerts() == []


def test_a_source_added_later_is_not_a_spike_on_its_first_day(open_store, clock, config) -> None:
    """Its series is watched from its own first post: the days before it was polled are no silence."""
    store = open_store()
    x_texts = ["la factura de Lumora viene mal otra vez", "Lumora the wifi is slow tonight",
               "o suporte da Lumora nunca responde", "Lumora me cobró dos veces este mes"]
    for index in range(3 * 24 * 10):  # X alone for three days, ten complaints an hour
        post(store, f"x{index}", x_texts[index % 4], START + timedelta(minutes=6 * index))
    clock.now = START + timedelta(days=3)
    make_job(store, config, clock).run()
    reddit_texts = ["Lumora customer service is a joke, waited 2 hours", "anyone else's Lumora bill went up again?",
                    "Lumora router keeps rebooting every night", "Switched to Lumora last month, already regret it",
                    "Lumora charged me an installation fee nobody mentioned", "Lumora app keeps logging me out"]
    for index, text in enumerate(reddit_texts):  # then Reddit too: one ordinary complaint every ten minutes
        at = clock.now + timedelta(minutes=10 * index)
        post(store, f"r{index}", text, at, source="reddit", reach=None)
        post(store, f"x-more{index}", x_texts[index % 4], at + timedelta(minutes=1))
    clock.now += timedelta(hours=1)
    report = make_job(store, config, clock).run()
    assert (report.spikes, store.alerts()) == (0, [])


def test_growth_after_restart_is_a_follow_up_not_a_repeat(open_store, clock, config) -> None:
    store = open_store()
    background(store)
    burst(store, 0, 8)
    clock.now = BURST_AT + timedelta(minutes=8)
    make_job(store, config, clock).run()
    first_keys = {stored.alert.key for stored in store.alerts()}
    store.close()

    store = open_store()  # restart
    burst(store, 8, 12)
    clock.now = BURST_AT + timedelta(minutes=20)
    make_job(store, config, clock).run()
    make_job(store, config, clock).run()  # nothing new: nothing more
    new = [stored.alert for stored in store.alerts() if stored.alert.key not in first_keys]
    assert len(first_keys) == 2 and len(new) == 2
    assert all("grows to 20 complaints" in alert.title for alert in new)
    assert {alert.group for alert in new} == {store.alerts()[-1].alert.group}  # threads under the first
    assert all(":step:1:" in key for key in first_keys) and all(":step:3:" in alert.key for alert in new)


def test_alerts_show_the_posts_most_like_the_incident_also_after_a_restart(open_store, clock, config) -> None:
    """The incident's first post is a joke that shares a word with the outage: no alert shows it."""
    store = open_store()
    background(store)
    joke = post(store, "joke", "jajaja la app de Lumora tiene un gato de mascota", BURST_AT - timedelta(minutes=1))
    burst(store, 0, 8)
    clock.now = BURST_AT + timedelta(minutes=8)
    make_job(store, config, clock).run()
    store.close()

    store = open_store()  # restart: the samples are read back, not the first members
    burst(store, 8, 12)
    clock.now = BURST_AT + timedelta(minutes=20)
    make_job(store, config, clock).run()
    alerts = [stored.alert for stored in store.alerts()]
    members = {mention for (mention,) in store.db.execute("SELECT mention_id FROM incident_members")}
    assert len(alerts) == 4 and joke in members
    assert all(alert.mention_id in members - {joke} for alert in alerts)
    assert not any("gato" in reason for alert in alerts for reason in alert.reasons)
    assert all(len([reason for reason in alert.reasons if reason.startswith("similar: ")]) == 2 for alert in alerts)


def test_incident_saved_before_samples_were_stored_shows_its_first_members_until_it_grows(
        open_store, clock, config) -> None:
    store = open_store()
    background(store)
    burst(store, 0, 8)
    clock.now = BURST_AT + timedelta(minutes=8)
    make_job(store, config, clock).run()
    store.db.execute("UPDATE incidents SET terms = json_remove(terms, '$.samples')")  # as saved before 792a5eb
    store.close()

    store = open_store()
    assert store.db.execute("SELECT count(*) FROM incidents WHERE json_extract(terms, '$.samples') IS NOT NULL"
                            ).fetchone() == (0,)
    burst(store, 8, 12)
    clock.now = BURST_AT + timedelta(minutes=20)
    make_job(store, config, clock).run()
    grown = [stored.alert for stored in store.alerts() if "grows to 20" in stored.alert.title]
    samples = store.db.execute("SELECT json_extract(terms, '$.samples') FROM incidents WHERE size = 20").fetchone()
    members = {mention for (mention,) in store.db.execute("SELECT mention_id FROM incident_members")}
    assert len(grown) == 2 and all(alert.mention_id in members for alert in grown)
    assert len(json.loads(samples[0])) == 3


def test_crash_while_queueing_the_alert_neither_loses_nor_repeats_it(open_store, clock, config) -> None:
    store = open_store()
    background(store)
    burst(store, 0, 12)
    clock.now = BURST_AT + timedelta(minutes=12)
    # The outbox write fails after the incident is saved, as a full disk or a kill would; a temporary
    # trigger lives and dies with this connection, like the crashed process.
    store.db.execute("CREATE TEMP TRIGGER outbox_fails BEFORE INSERT ON alerts "
                     "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(sqlite3.DatabaseError, match="disk full"):
        make_job(store, config, clock).run()
    store.close()

    store = open_store()  # restart
    make_job(store, config, clock).run()
    make_job(store, config, clock).run()
    steps = sorted((stored.alert.channel, stored.alert.key.split(":step:")[1]) for stored in store.alerts())
    assert steps == [("console", "1:console"), ("console", "2:console"), ("file", "1:file"), ("file", "2:file")]


def test_a_reply_in_a_later_run_joins_the_incident_of_the_post_it_answers(open_store, clock, config) -> None:
    store = open_store()
    first = post(store, "outage", "Lumora sin internet en todo el barrio desde la mañana", START)
    clock.now = START + timedelta(minutes=5)
    make_job(store, config, clock).run()
    late = START + timedelta(minutes=100)  # the incident is still open, its post older than a spike window
    reply = post(store, "plus1", "+1", late, parent_id="outage")
    clock.now = late + timedelta(minutes=1)
    make_job(store, config, clock).run()
    rows = store.db.execute("SELECT mention_id, incident_id FROM incident_members ORDER BY mention_id").fetchall()
    assert [mention for mention, _ in rows] == [first, reply] and rows[0][1] == rows[1][1]


def test_spreading_complaint_is_escalated_once(open_store, clock, config) -> None:
    store = open_store()
    posted = START + timedelta(hours=1)
    clock.now = posted + timedelta(minutes=10)
    mention_id = post(store, "viral", "Lumora me dejó sin internet tres días", posted)
    make_job(store, config, clock).run()
    assert store.alerts() == []

    clock.now = posted + timedelta(minutes=40)  # the re-poll sees it travel: +90 reposts in 30 minutes
    post(store, "viral", "Lumora me dejó sin internet tres días", posted, engagement=Engagement(reposts=90))
    make_job(store, config, clock).run()
    clock.now = posted + timedelta(minutes=70)
    post(store, "viral", "Lumora me dejó sin internet tres días", posted, engagement=Engagement(reposts=400))
    make_job(store, config, clock).run()
    alerts = [stored.alert for stored in store.alerts()]
    assert len(alerts) == 2 and {alert.mention_id for alert in alerts} == {mention_id}
    assert all(alert.rule == "spread" and "reposts +180/h" in alert.reasons[0] for alert in alerts)


def test_a_few_replies_minutes_after_posting_do_not_escalate_a_complaint(open_store, clock, config) -> None:
    """Growth over a span of minutes used to be read as a rate over 5: 3 replies (the brand's support and
    the customer answering) 2 minutes after posting were '+36 replies/h', a critical escalation."""
    store = open_store()
    posted = START + timedelta(hours=1)
    clock.now = posted + timedelta(minutes=2)
    post(store, "talk", "Lumora me dejó sin internet tres días", posted, engagement=Engagement(replies=3))
    make_job(store, config, clock).run()
    assert store.alerts() == []

    clock.now = posted + timedelta(minutes=10)  # a post that does travel that fast still escalates at once
    post(store, "viral", "Lumora me dejó sin internet tres días", posted, engagement=Engagement(reposts=40))
    make_job(store, config, clock).run()
    assert [stored.alert.reasons for stored in store.alerts()][0] == ("reposts +160/h (≥ 30/h)",)


def test_likes_withdrawn_and_given_again_do_not_escalate_a_complaint(open_store, clock, config) -> None:
    """Growth used to be counted from the last counts seen: 1000 likes, 880 half an hour later (likes
    withdrawn, or a count the service left out), 1000 again read as +240 likes/h, a critical escalation."""
    store = open_store()
    posted = START + timedelta(hours=1)
    for minutes, likes in ((600, 1000), (630, 880), (660, 1000)):
        clock.now = posted + timedelta(minutes=minutes)
        post(store, "steady", "Lumora me dejó sin internet tres días", posted, engagement=Engagement(likes=likes))
        make_job(store, config, clock).run()
    assert store.alerts() == []

    clock.now = posted + timedelta(minutes=690)  # then it does spread: +150 likes beyond the 1000 in 30 minutes
    post(store, "steady", "Lumora me dejó sin internet tres días", posted, engagement=Engagement(likes=1150))
    make_job(store, config, clock).run()
    assert [stored.alert.reasons for stored in store.alerts()][0] == ("likes +300/h (≥ 200/h)",)


def test_complaint_from_a_big_account_is_escalated(open_store, clock, config) -> None:
    store = open_store()
    post(store, "big", "Lumora lleva todo el día caída", START, reach=2_000_000)
    clock.now = START + timedelta(minutes=5)
    make_job(store, config, clock).run()
    assert [stored.alert.reasons for stored in store.alerts()][0] == ("author reach 2,000,000 (≥ 100,000)",)


def test_a_reddit_complaint_is_not_escalated_for_its_subreddits_size(open_store, clock, config) -> None:
    store = open_store()
    post(store, "r1", "Lumora lleva todo el día caída", START, reach=380_000, source="reddit")  # r/spain's subscribers
    clock.now = START + timedelta(minutes=5)
    make_job(store, config, clock).run()
    assert store.alerts() == []


def test_database_grouped_before_series_were_stored_still_alerts_on_a_burst(open_store, clock, config) -> None:
    store = open_store()
    background(store)
    clock.now = BURST_AT
    make_job(store, config, clock).run()
    grouped = store.db.execute("SELECT COUNT(*) FROM incident_members").fetchone()[0]
    # The database as schema version 3 left it: complaints grouped, their series and incidents' terms not stored.
    as_schema_version(store.db, 3)
    store.close()

    store = open_store()  # the upgrade migrates it
    burst(store, 0, 12)
    clock.now = BURST_AT + timedelta(minutes=12)
    make_job(store, config, clock).run()
    named = store.db.execute("SELECT COUNT(DISTINCT mention_id) FROM complaint_series").fetchone()[0]
    assert named == grouped + 12
    assert store.db.execute("SELECT COUNT(*) FROM complaint_series_pending").fetchone()[0] == 0
    assert sorted(stored.alert.key.split(":step:")[1] for stored in store.alerts()) == [
        "1:console", "1:file", "2:console", "2:file"]


def test_a_topics_spike_says_its_count_is_the_topics(open_store, clock, config) -> None:
    """On a busy brand a handful of app complaints spikes the app topic, not the brand: the title says whose
    count it gives, so it is not read as the brand's volume (nor as the incident's size)."""
    store = open_store()
    billing = ["la factura de Lumora viene mal otra vez", "Lumora me cobró dos veces este mes",
               "Lumora charged me twice this month", "a fatura da Lumora veio errada de novo"]
    for index in range(2 * 24 * 12):  # a billing complaint every five minutes for two days
        post(store, f"bill{index}", billing[index % len(billing)], START + timedelta(minutes=5 * index))
    burst(store, 0, 6)
    clock.now = BURST_AT + timedelta(minutes=6)
    make_job(store, config, clock).run()
    alerts = [stored.alert for stored in store.alerts()]
    assert alerts and {alert.reasons[0].split(":")[0] for alert in alerts} == {"spike on Lumora/topic"}
    assert all(alert.title.startswith("Lumora: 5 complaints about login in 15 min: ") for alert in alerts)
