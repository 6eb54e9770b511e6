"""The SQLite store: no duplicates, atomic batches, migrations."""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from listener.app import Listener
from listener.config import load_settings
from listener.domain import Alert, Classification, Engagement, Mention
from listener.store import SCHEMA_VERSION, IncidentChange, IncidentRecord, Store, StoreError
from tests.alerts.alert_helpers import FakeClock
from tests.older_schema import as_schema_version


def mention(external_id: str, likes: int = 0, source: str = "x") -> Mention:
    return Mention(source=source, external_id=external_id, text=f"post {external_id} about Lumora",
                   created_at=datetime(2026, 11, 19, 10, tzinfo=timezone.utc), brand="Lumora",
                   engagement=Engagement(likes=likes))


def test_seeing_a_post_again_updates_engagement_and_never_duplicates(tmp_path):
    store = Store.open(tmp_path / "l.db")
    assert store.save_batch("x", [mention("1", likes=2)]).new == 1
    result = store.save_batch("x", [mention("1", likes=40)])
    assert (result.new, result.updated) == (0, 1)
    assert store.stats()["mentions"] == 1
    assert store.mention_by_key("x", "1").mention.engagement.likes == 40


def test_an_edited_post_is_classified_again_and_evaluated_again_only_if_it_never_alerted(tmp_path):
    """An edit that makes a post a complaint can alert; one of a post that alerted never alerts again."""
    store = Store.open(tmp_path / "l.db")
    store.save_batch("x", [mention("alerted"), mention("quiet")])
    alerted, quiet = (store.mention_by_key("x", key).id for key in ("alerted", "quiet"))
    verdict = Classification("en", "neutral", (0.2, 0.6, 0.2), complaint_prob=0.3)
    store.save_classifications([(alerted, verdict), (quiet, verdict)])
    store.enqueue_alerts([alerted, quiet], [Alert(f"mention:{alerted}:file", "file", "Lumora", "keywords", "normal",
                                                  "Lumora: post alerted", (), mention_id=alerted)])

    edits = [replace(mention(key), text=f"post {key} about Lumora, edited: charged twice", edit_version=2.0)
             for key in ("alerted", "quiet")]
    result = store.save_batch("x", edits)

    assert (result.updated, result.edited) == (2, 2)
    assert store.mention(quiet).mention.text == edits[1].text
    assert [stored.id for stored in store.unclassified(10)] == [alerted, quiet]
    store.save_classifications([(alerted, verdict), (quiet, verdict)])
    assert [stored.id for stored in store.unevaluated(10)] == [quiet]


def test_a_post_seen_again_with_another_text_it_was_not_edited_to_keeps_its_text(tmp_path):
    """A Reddit post removed since reads "[removed]": that is no edit, and the complaint's words stay."""
    store = Store.open(tmp_path / "l.db")
    store.save_batch("reddit", [mention("1", source="reddit")])
    result = store.save_batch("reddit", [replace(mention("1", source="reddit"), text="Lumora\n\n[removed]")])
    assert (result.updated, result.edited) == (1, 0)
    assert store.mention_by_key("reddit", "1").mention.text == mention("1").text


def test_an_older_version_of_an_edited_post_read_later_does_not_put_its_text_back(tmp_path):
    """A saved file imported after the live poll read the newer version: its older text replaced the newer."""
    store = Store.open(tmp_path / "l.db")
    newest = replace(mention("1"), text="Lumora cut my internet, calling my lawyer", edit_version=3.0)
    store.save_batch("x", [newest])
    result = store.save_batch("x", [replace(mention("1"), text="Lumora cut my internet", edit_version=2.0)])
    assert (result.updated, result.edited) == (1, 0)
    assert store.mention_by_key("x", "1").mention.text == newest.text


def test_an_edit_stored_before_edit_versions_were_is_not_overwritten_by_an_older_one(tmp_path):
    """The upgrade reads the versions from the raw records already stored: NULL read as older than any."""
    store = Store.open(tmp_path / "l.db")
    newest = replace(mention("101"), text="Lumora cut my internet, calling my lawyer",
                     raw={"id": "103", "edit_history_tweet_ids": ["101", "102", "103"]})
    store.save_batch("x", [newest])
    as_schema_version(store.db, 5)
    store.close()

    store = Store.open(tmp_path / "l.db")
    result = store.save_batch("x", [replace(mention("101"), text="Lumora cut my internet", edit_version=2.0)])
    assert result.edited == 0 and store.mention_by_key("x", "101").mention.text == newest.text


def test_the_upgrade_does_not_drop_alerts_held_before_it_from_the_digest(tmp_path):
    """Schema version 7 records when quiet hours held an alert; those held before it are taken as held when raised."""
    raised = datetime(2026, 11, 19, 23, 30, tzinfo=timezone.utc)
    store = Store.open(tmp_path / "l.db")
    store.save_batch("x", [mention("1")])
    store.enqueue_alerts([], [Alert(key="k", channel="file", brand="Lumora", rule="r", severity="normal", title="t",
                                    reasons=(), mention_id=1, created_at=raised)])
    store.db.execute("UPDATE alerts SET status = 'held'")
    as_schema_version(store.db, 6)
    store.close()

    store = Store.open(tmp_path / "l.db")
    assert store.db.execute("SELECT held_at FROM alerts").fetchone()[0] == raised.isoformat()


def test_same_id_on_two_sources_is_two_mentions(tmp_path):
    store = Store.open(tmp_path / "l.db")
    store.save_batch("x", [mention("1")])
    store.save_batch("reddit", [mention("1", source="reddit")])
    assert store.stats()["mentions"] == 2


def test_a_failed_batch_stores_nothing_and_leaves_the_cursor(tmp_path):
    store = Store.open(tmp_path / "l.db")
    store.save_batch("x", [mention("1")], cursor={"since_id": "1"})
    # A real SQLite failure half-way through the batch: a trigger that aborts on one row.
    store.db.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON mentions WHEN NEW.external_id = '3' "
        "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END"
    )
    with pytest.raises(sqlite3.IntegrityError):
        store.save_batch("x", [mention("2"), mention("3")], cursor={"since_id": "3"})
    assert store.cursor("x") == {"since_id": "1"}
    assert store.mention_by_key("x", "2") is None


def test_database_is_in_wal_mode_with_the_current_schema_version(tmp_path):
    store = Store.open(tmp_path / "l.db")
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.schema_version == SCHEMA_VERSION
    store.close()
    assert Store.open(tmp_path / "l.db").schema_version == SCHEMA_VERSION


def test_a_database_from_a_newer_version_is_refused(tmp_path):
    Store.open(tmp_path / "l.db").db.execute("UPDATE schema_version SET version = 999")
    with pytest.raises(StoreError, match="Upgrade complaint-listener"):
        Store.open(tmp_path / "l.db")


def test_retention_deletes_only_old_mentions(tmp_path):
    now = datetime(2027, 6, 1, tzinfo=timezone.utc)
    store = Store.open(tmp_path / "l.db", clock=lambda: now)
    fresh = Mention(source="x", external_id="new", text="Lumora", created_at=now, brand="Lumora")
    store.save_batch("x", [mention("old"), fresh])
    assert store.delete_older_than(days=30) == 1
    assert store.mention_by_key("x", "new") is not None


def test_a_batch_leaves_out_mentions_already_older_than_the_retention_and_counts_them(tmp_path):
    """Retention would delete them, and the next import of the same file would store and alert them again."""
    now = datetime(2027, 6, 1, tzinfo=timezone.utc)
    store = Store.open(tmp_path / "l.db", clock=lambda: now)
    fresh = Mention(source="x", external_id="new", text="Lumora", created_at=now, brand="Lumora")
    result = store.save_batch("x", [mention("old"), fresh], {"since_id": "2"}, retention_days=30)
    assert (result.new, result.updated, result.too_old) == (1, 0, 1)
    assert store.mention_by_key("x", "old") is None and store.cursor("x") == {"since_id": "2"}
    assert store.save_batch("x", [mention("old")], retention_days=10**9).new == 1, "a retention before year 1 keeps all"


def test_a_new_mention_never_takes_the_id_of_one_retention_deleted(tmp_path):
    """Ids name alerts ("mention:3:slack"): a backfill of old posts deleted by retention must not hand its
    ids to new complaints, whose alerts would then be taken for already sent."""
    now = datetime(2027, 6, 1, tzinfo=timezone.utc)
    store = Store.open(tmp_path / "l.db", clock=lambda: now)
    fresh = Mention(source="x", external_id="new", text="Lumora", created_at=now, brand="Lumora")
    store.save_batch("x", [fresh, mention("old1"), mention("old2")])  # ids 1, 2, 3; the backfill is newest
    assert store.delete_older_than(days=30) == 2
    store.close()
    store = Store.open(tmp_path / "l.db", clock=lambda: now)
    store.save_batch("x", [Mention(source="x", external_id=f"later{n}", text="Lumora", created_at=now, brand="Lumora")
                           for n in range(2)])
    assert [store.mention_by_key("x", f"later{n}").id for n in range(2)] == [4, 5]


def test_opening_a_current_database_takes_no_write_lock(tmp_path):
    """`listener stats` beside a daemon in the middle of a write: it reads at once instead of waiting 30 s."""
    Store.open(tmp_path / "l.db").close()
    writer = sqlite3.connect(tmp_path / "l.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        store = Store.open(tmp_path / "l.db")
        assert store.stats()["mentions"] == 0
        store.close()
    finally:
        writer.execute("ROLLBACK")


def test_alerts_messages_and_incidents_past_the_retention_do_not_stay_in_the_database_for_ever(tmp_path):
    """Housekeeping deleted old mentions only: every alert, message, acknowledgement and incident stayed, for as
    long as the listener ran (a thousand alert rows a day for a busy brand). Now the ones of the mentions it
    deletes go too; the newer ones, and the newest row's id (which names keys), stay."""
    clock = FakeClock(datetime(2027, 1, 1, tzinfo=timezone.utc))
    store = Store.open(tmp_path / "l.db", clock=clock)

    def alert_and_incident(name: str, *, acknowledge: bool = True) -> int:
        """A post alerted on, its message sent (and acknowledged), an incident of it and a spike mark, now."""
        store.save_batch("x", [replace(mention(name), created_at=clock())])
        mention_id = store.mention_by_key("x", name).id
        store.save_classifications([(mention_id, Classification("en", "negative", (0.8, 0.1, 0.1), 0.9))])
        store.enqueue_alerts([mention_id], [Alert(f"mention:{mention_id}:file", "file", "Lumora", "complaints",
                                                  "normal", "Lumora: a complaint", (), mention_id=mention_id)])
        alert = store.alerts()[0]
        store.finish_delivery(store.begin_delivery(alert.alert.key, "file", [alert.id]).id, alert.alert.key)
        if acknowledge:
            store.acknowledge(alert.id, "ana")
        record = IncidentRecord(None, "Lumora", name, clock(), clock(), 1, {"x": 1})
        store.save_incidents([IncidentChange(record, [mention_id], lambda incident_id: ())], {f"Lumora/{name}": clock()})
        return alert.id

    old = alert_and_incident("old")
    clock.advance(days=20)
    fresh = alert_and_incident("fresh", acknowledge=False)
    clock.advance(days=20)
    assert store.delete_older_than(days=30) == 1

    deleted = store.delete_history_older_than(days=30)

    assert deleted == {"deliveries": 1, "alerts": 1, "incidents": 1, "spike_marks": 1, "digests_made": 0}
    assert [stored.id for stored in store.alerts()] == [fresh]
    tables = ("deliveries", "acknowledgements", "incidents", "spike_marks")
    assert {table: store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in tables} == \
        {"deliveries": 1, "acknowledgements": 0, "incidents": 1, "spike_marks": 1}
    assert old < fresh


def test_when_each_digest_was_made_does_not_stay_in_the_database_for_ever(tmp_path):
    """A row a day per brand stayed for as long as the listener ran; the days whose posts retention no longer keeps
    go (one more is kept: a digest's day is local, and its posts of then may still be kept)."""
    clock = FakeClock(datetime(2027, 1, 1, 10, tzinfo=timezone.utc))
    store = Store.open(tmp_path / "l.db", clock=clock)
    for day in range(1, 11):
        store.record_digest_sending("Lumora", date(2027, 1, day), clock())
        store.record_digest_sent("Lumora", date(2027, 1, day))
    clock.advance(days=10)  # 2027-01-11 10:00: 3 days of retention keep the posts from 2027-01-08 10:00 on

    assert store.delete_history_older_than(days=3)["digests_made"] == 6

    assert sorted(store.digests_made("Lumora", [date(2027, 1, day) for day in range(1, 11)])) == \
        [date(2027, 1, day) for day in range(7, 11)]
    assert store.digest_sent_through("Lumora") == date(2027, 1, 10)


def test_the_newest_alert_past_the_retention_stays_so_its_id_is_never_given_out_again(tmp_path):
    """Keys name alert ids ("followup:12:14"): a quiet brand's last alert deleted would hand its id to the next."""
    clock = FakeClock(datetime(2027, 1, 1, tzinfo=timezone.utc))
    store = Store.open(tmp_path / "l.db", clock=clock)
    store.enqueue_alerts([], [Alert(f"operator:test:{n}", "file", "", "operator", "high", "notice", ())
                              for n in range(2)])
    store.hold([1, 2])  # not to be delivered any more, as quiet hours hold them
    clock.advance(days=40)
    assert store.delete_history_older_than(days=30)["alerts"] == 1
    store.enqueue_alerts([], [Alert("operator:test:later", "file", "", "operator", "high", "notice", ())])
    assert [stored.id for stored in store.alerts()] == [3, 2]


def save_days_of_posts(store: Store, clock: FakeClock, days: int, text: str = "Lumora #{day}-{n}") -> None:
    """Save 200 posts of 1 KB of raw JSON a day for ``days`` days, the clock a day on after each."""
    for day in range(days):
        store.save_batch("x", [Mention("x", f"{day}-{n}", text.format(day=day, n=n), clock(), "Lumora",
                                       raw={"text": "x" * 1000}) for n in range(200)])
        clock.advance(days=1)


@pytest.mark.parametrize("made", ["by this version", "before the file could shrink"])
def test_the_first_purge_of_months_does_not_leave_the_database_file_and_its_wal_their_size(write_config, tmp_path, made):
    """Housekeeping deleted 90% of the mentions and left the file its size (65.7 MB, 83% of it free) and a 55 MB
    -wal file beside it for as long as the daemon ran. Now the room goes back to the file system and the WAL is
    emptied; a database made before the file could shrink (auto_vacuum none) is rewritten once."""
    database = tmp_path / "listener.db"
    if made != "by this version":
        Store.open(database).close()
        sqlite3.connect(database).executescript("PRAGMA auto_vacuum = NONE; VACUUM;")
    clock = FakeClock(datetime(2027, 1, 1, tzinfo=timezone.utc))
    (tmp_path / "posts.jsonl").touch()
    settings = load_settings(write_config())
    settings.storage.retention_days = 5
    with Listener(settings, clock=clock) as app:
        save_days_of_posts(app.store, clock, 50, "Lumora cobró dos veces #{day}-{n}")
        size = database.stat().st_size

        report = app.housekeeping()

        assert report.mentions_deleted == 9000 and app.store.stats()["mentions"] == 1000
        assert database.stat().st_size < 0.25 * size
        assert report.bytes_reclaimed > 0.75 * size
        assert Path(f"{database}-wal").stat().st_size == 0
        assert app.store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_housekeeping_beside_another_process_s_long_read_does_not_hold_the_daemon_up_for_the_busy_timeout(tmp_path):
    """A backup reading the database while housekeeping emptied the -wal file made it wait the busy timeout (30 s),
    and every job of the daemon with it; the room is given back at the next housekeeping instead."""
    clock = FakeClock(datetime(2027, 1, 1, tzinfo=timezone.utc))
    store = Store.open(tmp_path / "l.db", clock)
    save_days_of_posts(store, clock, 20, "Lumora")
    backup = sqlite3.connect(tmp_path / "l.db", isolation_level=None)
    backup.execute("BEGIN")
    backup.execute("SELECT COUNT(*) FROM mentions").fetchone()
    started = time.monotonic()
    assert store.delete_older_than(days=2) == 18 * 200
    store.reclaim_space()
    assert time.monotonic() - started < 10
    backup.execute("COMMIT")
    assert store.reclaim_space() > 0 and Path(f"{tmp_path / 'l.db'}-wal").stat().st_size == 0


def test_housekeeping_does_not_delete_or_give_back_room_without_a_word_in_the_log(write_config, tmp_path, caplog):
    """It deleted 3,000 mentions and gave 4.2 MB back without a log line: an operator could not tell it ran, nor what
    retention took. One line says it when it did anything; a round with nothing to do says nothing."""
    clock = FakeClock(datetime(2027, 1, 1, tzinfo=timezone.utc))
    (tmp_path / "posts.jsonl").touch()
    settings = load_settings(write_config())
    settings.storage.retention_days = 5
    with Listener(settings, clock=clock) as app:
        save_days_of_posts(app.store, clock, 20)
        with caplog.at_level(logging.INFO, logger="listener.app"):
            report = app.housekeeping()
            [line] = [record for record in caplog.records if record.name == "listener.app"]
            caplog.clear()
            app.housekeeping()
            assert [record for record in caplog.records if record.name == "listener.app"] == []
    assert line.getMessage() == "housekeeping done" and line.levelno == logging.INFO
    assert (line.mentions, line.alerts, line.deliveries, line.incidents) == (3000, 0, 0, 0)
    assert line.reclaimed_mb == round(report.bytes_reclaimed / 2**20, 1) > 1
