"""The SQLite store: mentions, classifications, the alert outbox, cursors and acknowledgements.

One file, WAL mode, through sqlite-utils. Every method is one transaction, so a crash leaves either
all of a step or none of it: a poll's mentions are committed together with the cursor that covers
them, and the alerts a mention raises are committed together with the mark that it was evaluated.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from listener.clock import Clock, system_clock
from listener.domain import (
    INCIDENT_GROUP_MARK, Alert, Classification, Engagement, Mention, StoredMention, utc, without_lone_surrogates,
)


class StoreError(Exception):
    """The database cannot be used; the message says which file and what to do."""


class StoreUnusable(StoreError):
    """The database cannot be used as it is, and no retry helps until someone acts (it is damaged, or cannot be
    written): a command exits with code 2 and a daemon stops; the message says what to do."""


class StoreDamaged(StoreUnusable):
    """The database file is damaged (not a database, or malformed): no retry helps; the message says how to
    recover what it holds."""


def damage(path: str | Path, error: BaseException) -> StoreDamaged | None:
    """A :class:`StoreDamaged` saying how to recover ``path`` when ``error`` is SQLite finding the file damaged;
    ``None`` for any other error."""
    if _sqlite_code(error) not in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return None
    return StoreDamaged(
        f"the database {path} is damaged ({error}); no restart mends it. With the listener stopped, keep a copy of "
        f"the file (and its -wal file, if any), then recover what it holds with the sqlite3 tool: sqlite3 {path} "
        ".recover | sqlite3 recovered.db, and set storage.path to recovered.db (or restore a backup)")


def unusable(path: str | Path, error: BaseException) -> StoreUnusable | None:
    """``error`` as a :class:`StoreUnusable` saying what to do when no retry gets past it (the database damaged, or
    read-only: its file, its folder or its file system); ``None`` for any other error."""
    if isinstance(error, StoreUnusable):
        return error
    if _sqlite_code(error) == sqlite3.SQLITE_READONLY:
        return StoreUnusable(
            f"the database {path} cannot be written ({error}): the file, or its folder (where SQLite keeps the -wal "
            "and -shm files), is read-only to the user the listener runs as, or its file system is mounted "
            "read-only (as after disk errors). Make both writable by that user, then start the listener again")
    return damage(path, error)


def _sqlite_code(error: BaseException) -> int | None:
    """SQLite's primary result code of ``error``, if it is one of SQLite's errors."""
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(error, sqlite3.DatabaseError) and code is not None else None


class StoreUnavailable(Exception):
    """A write could not be made now (the database is locked or its disk is full); it was rolled back.

    Not a :class:`StoreError`: it passes, so a service manager should restart a listener it stopped.
    """


# SQLite's words for the conditions that pass: another process's lock, a full disk or size limit.
_PASSING_FAULTS = {
    "locked": "another process holds a lock on it (an open sqlite3 shell or a backup?); stop that process",
    "full": "its file system is full (or the database reached its size limit); free some space",
}


@dataclass(frozen=True)
class SaveResult:
    """What a batch of mentions did to the store."""

    new: int = 0
    updated: int = 0
    too_old: int = 0
    moved_to_own_brand: int = 0
    edited: int = 0


@dataclass(frozen=True)
class StoredAlert:
    """An alert in the outbox with its delivery state."""

    id: int
    alert: Alert
    status: str
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None
    delivery_ref: str | None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    lead_id: int | None = None
    delivery_id: int | None = None
    ack_due_at: datetime | None = None
    seconds_to_ack: float | None = None


@dataclass(frozen=True)
class Delivery:
    """One message to one channel, recorded before it is sent (the notification log).

    ``status`` is ``attempting`` from just before the send until the outcome is committed; one found
    in that state after a restart had an unknown outcome and is reconciled before anything else.
    """

    id: int
    key: str
    channel: str
    status: str
    started_at: datetime
    lead_id: int | None = None
    ref: str | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True)
class IncidentRecord:
    """An incident as stored: what the early-warning job last knew of it."""

    id: int | None
    brand: str
    title: str
    first_seen: datetime
    last_seen: datetime
    size: int
    sources: dict[str, int]
    alerted_step: int = 0
    # What grouping matches on: term counts and the surface words of each term (None: saved before v5).
    terms: dict[str, int] | None = None
    surfaces: dict[str, dict[str, int]] | None = None
    # The ids of the members it shows, the one its alerts point at first (None: saved before they were stored).
    samples: list[int] | None = None


@dataclass(frozen=True)
class OpenIncident:
    """An open incident as grouping needs it once its terms are stored: the record, its samples ``(id, text)``
    (those stored, or its first members) and its members posted since a moment (what a spike's window can
    hold), not all."""

    record: IncidentRecord
    samples: list[tuple[int, str]]
    recent_ids: list[int]


@dataclass(frozen=True)
class IncidentChange:
    """An incident to save with its new members, and the alerts it raises once its id is known (none: ``()``)."""

    record: IncidentRecord
    member_ids: Sequence[int]
    alerts: Callable[[int], Sequence[Alert]]


@dataclass(frozen=True)
class SpreadObservation:
    """A complaint's engagement now (``stored``, re-polled at ``updated_at``) and when last looked at."""

    stored: StoredMention
    updated_at: datetime
    before: Engagement | None
    before_at: datetime | None


def _create_v1(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE mentions (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            external_id TEXT NOT NULL,
            brand TEXT NOT NULL,
            text TEXT NOT NULL,
            created_at TEXT NOT NULL,
            url TEXT,
            author_handle TEXT,
            author_name TEXT,
            author_reach INTEGER,
            lang TEXT,
            likes INTEGER NOT NULL DEFAULT 0,
            reposts INTEGER NOT NULL DEFAULT 0,
            replies INTEGER NOT NULL DEFAULT 0,
            quotes INTEGER NOT NULL DEFAULT 0,
            conversation_id TEXT,
            parent_id TEXT,
            raw TEXT NOT NULL DEFAULT '{}',
            first_seen_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            evaluated_at TEXT,
            UNIQUE (source, external_id)
        )"""
    )
    db.execute("CREATE INDEX mentions_created_at ON mentions (created_at)")
    db.execute("CREATE INDEX mentions_unevaluated ON mentions (evaluated_at) WHERE evaluated_at IS NULL")
    db.execute(
        """CREATE TABLE classifications (
            mention_id INTEGER PRIMARY KEY REFERENCES mentions (id) ON DELETE CASCADE,
            model TEXT NOT NULL,
            lang TEXT NOT NULL,
            sentiment TEXT NOT NULL,
            p_negative REAL NOT NULL,
            p_neutral REAL NOT NULL,
            p_positive REAL NOT NULL,
            complaint_prob REAL NOT NULL,
            cues TEXT NOT NULL DEFAULT '[]',
            classified_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            channel TEXT NOT NULL,
            brand TEXT NOT NULL,
            rule TEXT NOT NULL,
            severity TEXT NOT NULL,
            title TEXT NOT NULL,
            reasons TEXT NOT NULL DEFAULT '[]',
            mention_id INTEGER REFERENCES mentions (id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            sent_at TEXT,
            last_error TEXT,
            delivery_ref TEXT
        )"""
    )
    db.execute("CREATE INDEX alerts_due ON alerts (status, next_attempt_at)")
    db.execute(
        """CREATE TABLE acknowledgements (
            alert_id INTEGER PRIMARY KEY REFERENCES alerts (id) ON DELETE CASCADE,
            acknowledged_by TEXT,
            acknowledged_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE cursors (
            source TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (source, key)
        )"""
    )


def _alerting_v2(db: sqlite_utils.Database) -> None:
    """Grouping, the delivery log that prevents duplicates across crashes, SLA and time to acknowledge."""
    for column in ("group_key TEXT", "lead_id INTEGER REFERENCES alerts (id)", "delivery_id INTEGER",
                   "ack_due_at TEXT"):
        db.execute(f"ALTER TABLE alerts ADD COLUMN {column}")
    db.execute("ALTER TABLE acknowledgements ADD COLUMN seconds_to_ack REAL")
    db.execute(
        """CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            channel TEXT NOT NULL,
            lead_id INTEGER REFERENCES alerts (id),
            status TEXT NOT NULL,
            ref TEXT,
            started_at TEXT NOT NULL,
            sent_at TEXT
        )"""
    )
    db.execute("CREATE INDEX deliveries_channel_started ON deliveries (channel, started_at)")
    db.execute("CREATE INDEX alerts_group ON alerts (channel, group_key, sent_at)")


def _early_warning_v3(db: sqlite_utils.Database) -> None:
    """Incidents and their members, spike series' last alerts, and the engagement last seen per complaint."""
    db.execute(
        """CREATE TABLE incidents (
            id INTEGER PRIMARY KEY,
            brand TEXT NOT NULL,
            title TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            size INTEGER NOT NULL,
            sources TEXT NOT NULL DEFAULT '{}',
            alerted_step INTEGER NOT NULL DEFAULT 0
        )"""
    )
    db.execute("CREATE INDEX incidents_last_seen ON incidents (last_seen)")
    db.execute(
        """CREATE TABLE incident_members (
            mention_id INTEGER PRIMARY KEY REFERENCES mentions (id) ON DELETE CASCADE,
            incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE
        )"""
    )
    db.execute("CREATE INDEX incident_members_incident ON incident_members (incident_id)")
    db.execute("CREATE TABLE spike_marks (series TEXT PRIMARY KEY, last_alert_at TEXT NOT NULL)")
    db.execute(
        """CREATE TABLE spread_watch (
            mention_id INTEGER PRIMARY KEY REFERENCES mentions (id) ON DELETE CASCADE,
            likes INTEGER NOT NULL,
            reposts INTEGER NOT NULL,
            replies INTEGER NOT NULL,
            seen_at TEXT NOT NULL,
            escalated_at TEXT
        )"""
    )


def _complaint_series_v4(db: sqlite_utils.Database) -> None:
    """Each grouped complaint's spike series, written once when it is grouped.

    The early-warning job read every complaint of its history (14 days) back on each run and derived
    its topics from the text again, so its memory grew with the history. Complaints grouped before
    this version are listed in ``complaint_series_pending``; the job names their series (it knows the
    brands' names, which the topics depend on) on its next run.
    """
    db.execute(
        """CREATE TABLE complaint_series (
            mention_id INTEGER NOT NULL REFERENCES mentions (id) ON DELETE CASCADE,
            series TEXT NOT NULL,
            brand TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (mention_id, series)
        )"""
    )
    db.execute("CREATE INDEX complaint_series_brand_created ON complaint_series (brand, created_at)")
    db.execute(
        """CREATE TABLE complaint_series_pending (
            mention_id INTEGER PRIMARY KEY REFERENCES mentions (id) ON DELETE CASCADE
        )"""
    )
    db.execute("INSERT INTO complaint_series_pending (mention_id) SELECT mention_id FROM incident_members")


def _incident_terms_v5(db: sqlite_utils.Database) -> None:
    """An incident's terms, stored, so a run does not load and re-read every member of a long incident."""
    db.execute("ALTER TABLE incidents ADD COLUMN terms TEXT")


def _edit_version_v6(db: sqlite_utils.Database) -> None:
    """How far a mention's stored text was edited (``Mention.edit_version``), so an older version read
    later does not put the older text back; filled in from the raw records already stored, as the X and
    Reddit mappings read them: the tweet's place in its edit history, Reddit's ``edited`` time."""
    db.execute("ALTER TABLE mentions ADD COLUMN edit_version REAL")
    db.execute(
        """UPDATE mentions SET edit_version = (
               SELECT version.key + 1 FROM json_each(raw, '$.edit_history_tweet_ids') AS version
               WHERE version.value = json_extract(raw, '$.id'))
           WHERE source = 'x' AND json_valid(raw) AND json_type(raw, '$.edit_history_tweet_ids') = 'array'""")
    db.execute(
        """UPDATE mentions SET edit_version = json_extract(raw, '$.edited')
           WHERE source = 'reddit' AND json_valid(raw) AND json_type(raw, '$.edited') IN ('real', 'integer')
             AND COALESCE(json_extract(raw, '$.body'), json_extract(raw, '$.selftext'), '')
                 NOT IN ('[deleted]', '[removed]')""")
    db.execute("UPDATE mentions SET edit_version = NULL WHERE edit_version <= 1")  # as posted


def _held_at_v7(db: sqlite_utils.Database) -> None:
    """When quiet hours held an alert: the digest lists it by that time, not by when it was raised (one raised
    just before ``digest.time`` and held just after it was in no digest). Alerts held before are taken as held
    when they were raised, as the digest counted them until now."""
    db.execute("ALTER TABLE alerts ADD COLUMN held_at TEXT")
    db.execute("UPDATE alerts SET held_at = created_at WHERE status = 'held'")


def _digests_made_v8(db: sqlite_utils.Database) -> None:
    """When each day's digest was made, so the next digests count a post of that day first seen later (a late
    poll, a catch-up, an import) as a late post, and one that digest counted not again."""
    db.execute(
        """CREATE TABLE digests_made (
            brand TEXT NOT NULL,
            day TEXT NOT NULL,
            made_at TEXT NOT NULL,
            PRIMARY KEY (brand, day)
        )"""
    )
    db.execute("CREATE INDEX mentions_first_seen_at ON mentions (first_seen_at)")  # the late posts of a day


# Forward migrations, in order: MIGRATIONS[n] takes a database at version n to version n + 1.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _create_v1, _alerting_v2, _early_warning_v3, _complaint_series_v4, _incident_terms_v5, _edit_version_v6,
    _held_at_v7, _digests_made_v8,
]
SCHEMA_VERSION = len(MIGRATIONS)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else utc(moment).isoformat()


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


class Store:
    """The project's SQLite database.

    Example::

        >>> store = Store.open("listener.db")
        >>> store.save_batch("x", [mention], cursor={"Lumora": "1850000000000000000"})
        SaveResult(new=1, updated=0)
        >>> store.cursor("x")
        {'Lumora': '1850000000000000000'}
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, clock: Clock = system_clock) -> None:
        self._conn = conn
        self.db = sqlite_utils.Database(conn)
        self.path = path
        self._clock = clock
        self._lock = threading.RLock()
        self._file = _file_identity(path)
        self._gone: StoreUnusable | None = None  # the file was found gone: said, and its copy saved

    @classmethod
    def open(cls, path: str | Path, clock: Clock = system_clock, *, busy_timeout: float = 30) -> "Store":
        """Open (creating and migrating as needed) the database at ``path``.

        A write waits up to ``busy_timeout`` seconds for another process's lock, then raises
        :class:`StoreUnavailable`.
        """
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=busy_timeout)
            if conn.execute("PRAGMA page_count").fetchone()[0] == 0:  # a new file (reclaim_space converts an old one)
                conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
        except (OSError, sqlite3.Error) as error:
            advice = "Check the storage.path setting." if os.access(path.parent, os.W_OK) else (
                f"Its folder {path.parent} cannot be written, and SQLite keeps the -wal and -shm files there (to read "
                "the database too): make it writable by the user the listener runs as.")
            raise damage(path, error) or StoreError(f"cannot open the database {path}: {error}. {advice}") from None
        store = cls(conn, path, clock)
        try:
            store._migrate()
        except sqlite3.DatabaseError as error:
            conn.close()
            raise unusable(path, error) or error from None
        return store

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._check_same_file()
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                    self._conn.execute("COMMIT")
                except BaseException:
                    if self._conn.in_transaction:  # SQLite has already rolled back after a full disk
                        self._conn.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as error:
                raise self._unavailable(error) from None

    def _check_same_file(self) -> None:
        """Raise :class:`StoreUnusable` when the file at ``path`` is no longer the one open (deleted, moved away or
        replaced while the listener ran), having saved what the open one holds beside it (once).

        SQLite went on writing to the open file, the -wal file at the old name: a deleted database took every
        mention and alert of those days with it when the listener stopped, and the next start made a new, empty
        one, which read and alerted every post again.
        """
        if self._gone is None and (self._file is None or _file_identity(self.path) == self._file):
            return
        if self._gone is None:
            saved = self.path.with_name(f"{self.path.name}.saved-{utc(self._clock()):%Y%m%dT%H%M%S}")
            try:
                with closing(sqlite3.connect(saved)) as copy:
                    self._conn.backup(copy)
                kept = f"what it held is saved in {saved}"
            except (OSError, sqlite3.Error) as error:
                kept = f"what it held could not be saved in {saved} ({error})"
            self._gone = StoreUnusable(
                f"the database file {self.path} was deleted, moved or replaced while the listener ran, and nothing "
                f"more is written to it; {kept}. To go on from there, stop the listener, delete {self.path}-wal and "
                f"{self.path}-shm (the old file's), move the saved file to {self.path} (in the place of any other) and "
                "start it again; a new, empty database would read and alert every post again")
        raise self._gone

    def _unavailable(self, error: sqlite3.OperationalError) -> Exception:
        """A :class:`StoreUnavailable` saying what to do when ``error`` is one that passes; else ``error``."""
        advice = next((advice for word, advice in _PASSING_FAULTS.items() if word in str(error)), None)
        if advice is None:
            return error
        return StoreUnavailable(f"cannot write to the database {self.path} ({error}): {advice}. The write was "
                                "rolled back; nothing committed is lost, and the listener tries again on its next run.")

    def _migrate(self) -> None:
        if self._current_version() == SCHEMA_VERSION:
            return  # nothing to write: no write lock wanted (a reader must not wait for the daemon's)
        with self._transaction():
            self._conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = self._conn.execute("SELECT version FROM schema_version").fetchone()
            version = row[0] if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} has schema version {version}, newer than this listener understands "
                    f"({SCHEMA_VERSION}). Upgrade complaint-listener."
                )
            for migration in MIGRATIONS[version:]:
                migration(self.db)
            if row is None:
                self._conn.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
            else:
                self._conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))

    def _current_version(self) -> int | None:
        try:
            row = self._conn.execute("SELECT version FROM schema_version").fetchone()
        except sqlite3.OperationalError:  # a new database: no table yet
            return None
        return row[0] if row else None

    @property
    def schema_version(self) -> int:
        """The schema version of the open database."""
        return self._conn.execute("SELECT version FROM schema_version").fetchone()[0]

    # -- mentions and cursors ------------------------------------------------------------------

    def save_batch(
        self, source: str, mentions: Sequence[Mention], cursor: Mapping[str, str] | None = None, *,
        retention_days: int | None = None, own_brands: Collection[str] = (),
    ) -> SaveResult:
        """Store ``mentions`` and advance ``source``'s cursor, in one transaction.

        A mention already stored (same source and external id) has its engagement and author reach
        updated; it is never duplicated. With ``retention_days``, a mention posted longer ago than that
        is not stored, only counted as too old: retention would delete it, and a later import of the same
        post would then store and alert it again.

        A mention stored under a brand not in ``own_brands`` (a competitor's) and seen again under one of
        them moves to that brand and goes through the rules again: a post naming both is the own brand's,
        whichever brand's search found it first. An own brand's mention never moves to another brand.

        A mention seen again in a newer edit (``Mention.edit_version``) takes its text, link and raw
        record, and is classified again; the rules see it again only if it has raised no alert yet, so an
        edit can make a post alert but never makes it alert twice. An older version read later (a saved
        file imported) changes no text.

        Example::

            >>> store.save_batch("x", [mention_as_lumora], own_brands={"Lumora"})
            SaveResult(new=0, updated=1, too_old=0, moved_to_own_brand=1, edited=0)
        """
        now = _iso(self._clock())
        oldest_kept = self._retention_cutoff(retention_days) if retention_days is not None else None
        new = updated = too_old = moved = edited = 0
        with self._transaction() as conn:
            next_id = _id_after_deleted_mentions(conn)
            for mention in mentions:
                if oldest_kept is not None and mention.created_at < oldest_kept:
                    too_old += 1
                    continue
                row = conn.execute(
                    "SELECT id, brand, text, edit_version FROM mentions WHERE source = ? AND external_id = ?",
                    (mention.source, mention.external_id),
                ).fetchone()
                if row is None:
                    conn.execute(
                        """INSERT INTO mentions (id, source, external_id, brand, text, created_at, url,
                               author_handle, author_name, author_reach, lang, likes, reposts, replies,
                               quotes, conversation_id, parent_id, raw, first_seen_at, updated_at, edit_version)
                           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                        (
                            next_id, mention.source, mention.external_id, mention.brand, mention.text,
                            _iso(mention.created_at), mention.url, mention.author_handle, mention.author_name,
                            mention.author_reach, mention.lang, mention.engagement.likes,
                            mention.engagement.reposts, mention.engagement.replies, mention.engagement.quotes,
                            mention.conversation_id, mention.parent_id,
                            _raw_json(mention), now, now, mention.edit_version,
                        ),
                    )
                    next_id = None  # the next ones follow it
                    new += 1
                else:
                    conn.execute(
                        """UPDATE mentions SET likes = ?, reposts = ?, replies = ?, quotes = ?,
                               author_reach = COALESCE(?, author_reach), updated_at = ? WHERE id = ?""",
                        (
                            mention.engagement.likes, mention.engagement.reposts, mention.engagement.replies,
                            mention.engagement.quotes, mention.author_reach, now, row[0],
                        ),
                    )
                    updated += 1
                    if mention.brand in own_brands and row[1] not in own_brands:
                        conn.execute("UPDATE mentions SET brand = ? WHERE id = ?", (mention.brand, row[0]))
                        self._evaluate_again(conn, row[0])
                        moved += 1
                    if mention.edit_version is not None and (row[3] is None or mention.edit_version > row[3]) \
                            and mention.text != row[2]:
                        conn.execute("""UPDATE mentions SET text = ?, url = COALESCE(?, url), raw = ?, edit_version = ?
                                        WHERE id = ?""",
                                     (mention.text, mention.url, _raw_json(mention), mention.edit_version, row[0]))
                        conn.execute("DELETE FROM classifications WHERE mention_id = ?", (row[0],))
                        self._evaluate_again(conn, row[0])
                        edited += 1
            for key, value in (cursor or {}).items():
                _set_cursor(conn, source, key, str(value), now)
        return SaveResult(new=new, updated=updated, too_old=too_old, moved_to_own_brand=moved, edited=edited)

    @staticmethod
    def _evaluate_again(conn: sqlite3.Connection, mention_id: int) -> None:
        """Let the rules see the mention again, within the caller's transaction, unless it has alerted:
        an alert is raised once per post, whatever changed since."""
        conn.execute(
            """UPDATE mentions SET evaluated_at = NULL
               WHERE id = ? AND NOT EXISTS (SELECT 1 FROM alerts WHERE mention_id = ?)""",
            (mention_id, mention_id),
        )

    def cursor(self, source: str) -> dict[str, str]:
        """The cursor values saved for ``source`` (empty when it has never been polled)."""
        with self._lock:
            rows = self._conn.execute("SELECT key, value FROM cursors WHERE source = ?", (source,)).fetchall()
        return dict(rows)

    def digest_sent_through(self, brand: str) -> date | None:
        """The last day through which the daemon has sent ``brand``'s daily digests, if it ever has."""
        value = self.cursor(_DIGESTS_SENT).get(brand)
        return date.fromisoformat(value) if value else None

    def record_digest_sent(self, brand: str, day: date) -> None:
        """Record that ``brand``'s daily digests are sent through ``day``, and that none is being sent."""
        with self._transaction() as conn:
            _set_cursor(conn, _DIGESTS_SENT, brand, day.isoformat(), _iso(self._clock()))
            conn.execute("DELETE FROM cursors WHERE source = ? AND key = ?", (_DIGEST_SENDING, brand))

    def record_digest_sending(self, brand: str, day: date, made_at: datetime) -> None:
        """Record that ``brand``'s digest of ``day``, made from the store as it was at ``made_at``, is being sent
        (and counts as sent), until :meth:`record_digest_sent` says how it went: one still being sent at the next
        start was cut off."""
        now = _iso(self._clock())
        with self._transaction() as conn:
            _set_cursor(conn, _DIGESTS_SENT, brand, day.isoformat(), now)
            _set_cursor(conn, _DIGEST_SENDING, brand, day.isoformat(), now)
            conn.execute("""INSERT INTO digests_made (brand, day, made_at) VALUES (?, ?, ?)
                            ON CONFLICT (brand, day) DO UPDATE SET made_at = excluded.made_at""",
                         (brand, day.isoformat(), _iso(made_at)))

    def digests_made(self, brand: str, days: Iterable[date]) -> dict[date, datetime]:
        """When each of ``days`` that has had a digest of ``brand`` sent had it made."""
        wanted = [day.isoformat() for day in days]
        with self._lock:
            rows = self._conn.execute(
                f"SELECT day, made_at FROM digests_made WHERE brand = ? AND day IN ({', '.join('?' * len(wanted))})",
                (brand, *wanted)).fetchall()
        return {date.fromisoformat(day): datetime.fromisoformat(made_at) for day, made_at in rows}

    def digest_being_sent(self, brand: str) -> date | None:
        """The day of ``brand``'s digest recorded as being sent and not recorded as sent since, if any."""
        value = self.cursor(_DIGEST_SENDING).get(brand)
        return date.fromisoformat(value) if value else None

    def mention(self, mention_id: int) -> StoredMention | None:
        """The mention with row id ``mention_id`` and its classification, if any."""
        found = self._mentions("WHERE m.id = ?", (mention_id,))
        return found[0] if found else None

    def mention_by_key(self, source: str, external_id: str) -> StoredMention | None:
        """The mention that ``source`` calls ``external_id``, if stored."""
        found = self._mentions("WHERE m.source = ? AND m.external_id = ?", (source, external_id))
        return found[0] if found else None

    def unclassified(self, limit: int, after: int = 0) -> list[StoredMention]:
        """Up to ``limit`` mentions that have no classification yet, oldest first, of those whose id is over
        ``after``."""
        return self._mentions("WHERE c.mention_id IS NULL AND m.id > ? ORDER BY m.id LIMIT ?", (after, limit))

    def unevaluated(self, limit: int) -> list[StoredMention]:
        """Up to ``limit`` classified mentions that the rules have not seen yet, oldest first."""
        return self._mentions(
            "WHERE m.evaluated_at IS NULL AND c.mention_id IS NOT NULL ORDER BY m.id LIMIT ?", (limit,)
        )

    def recent_complaints(
        self, source: str, since: datetime, min_complaint_prob: float, limit: int = 100
    ) -> list[StoredMention]:
        """Up to ``limit`` of ``source``'s mentions since ``since`` classified as complaints, newest first.

        Their engagement is re-polled to see complaints that spread.
        """
        return self._mentions(
            "WHERE m.source = ? AND m.created_at >= ? AND c.complaint_prob >= ? ORDER BY m.created_at DESC LIMIT ?",
            (source, _iso(since), min_complaint_prob, limit),
        )

    def _mentions(self, where: str, params: Sequence[Any]) -> list[StoredMention]:
        query = f"""SELECT m.*, c.model AS c_model, c.lang AS c_lang, c.sentiment AS c_sentiment,
                        c.p_negative, c.p_neutral, c.p_positive, c.complaint_prob, c.cues
                    FROM mentions m LEFT JOIN classifications c ON c.mention_id = m.id {where}"""
        with self._lock:
            cursor = self._conn.execute(query, params)
            columns = [column[0] for column in cursor.description]
            rows = [dict(zip(columns, row)) for row in cursor.fetchall()]
        return [_stored_mention(row) for row in rows]

    def save_classifications(self, results: Iterable[tuple[int, Classification]]) -> int:
        """Store the classification of each mention id; returns how many were written."""
        now = _iso(self._clock())
        count = 0
        with self._transaction() as conn:
            for mention_id, result in results:
                conn.execute(
                    """INSERT OR REPLACE INTO classifications (mention_id, model, lang, sentiment, p_negative,
                           p_neutral, p_positive, complaint_prob, cues, classified_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    (
                        mention_id, result.model, result.lang, result.sentiment, *result.sentiment_probs,
                        result.complaint_prob, json.dumps(list(result.cues), ensure_ascii=False), now,
                    ),
                )
                count += 1
        return count

    # -- the outbox -----------------------------------------------------------------------------

    def enqueue_alerts(self, evaluated_ids: Iterable[int], alerts: Iterable[Alert]) -> int:
        """Write ``alerts`` to the outbox and mark the mentions evaluated, in one transaction.

        An alert whose key is already in the outbox is skipped, so evaluating twice never alerts twice.
        Returns how many alerts were new.
        """
        now = self._clock()
        with self._transaction() as conn:
            added = self._insert_alerts(conn, alerts)
            conn.executemany(
                "UPDATE mentions SET evaluated_at = ? WHERE id = ?", [(_iso(now), i) for i in evaluated_ids]
            )
        return added

    def _insert_alerts(self, conn: sqlite3.Connection, alerts: Iterable[Alert]) -> int:
        """Insert ``alerts`` into the outbox within the caller's transaction, skipping known keys; how many were new."""
        now = self._clock()
        added = 0
        for alert in alerts:
            created = alert.created_at or now
            ack_due = None if alert.ack_within is None else created + alert.ack_within
            cursor = conn.execute(
                """INSERT OR IGNORE INTO alerts (key, channel, brand, rule, severity, title, reasons,
                       mention_id, created_at, status, next_attempt_at, group_key, ack_due_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)""",
                (
                    alert.key, alert.channel, alert.brand, alert.rule, alert.severity, alert.title,
                    json.dumps(list(alert.reasons), ensure_ascii=False), alert.mention_id,
                    _iso(created), _iso(now), alert.group, _iso(ack_due),
                ),
            )
            added += cursor.rowcount
        return added

    def due_alerts(self, longest_wait: timedelta, limit: int = 100, after_id: int = 0) -> list[StoredAlert]:
        """Pending alerts whose next attempt is due now, oldest first, from id ``after_id`` on (for paging).

        An alert waits while an older one on its channel waits for a retry, so a channel that comes back
        after an outage gets its alerts in the order they were raised (not in the order of their jitter).
        An attempt due further off than ``longest_wait`` (the longest any wait is) was timed on a clock
        since set back: it is due now, and holds back nothing.
        """
        now = self._clock()
        return self._alerts(
            """WHERE a.status = 'pending' AND (a.next_attempt_at <= :now OR a.next_attempt_at > :latest)
               AND a.id > :after AND NOT EXISTS (
                   SELECT 1 FROM alerts o WHERE o.channel = a.channel AND o.status = 'pending' AND o.id < a.id
                   AND o.next_attempt_at > :now AND o.next_attempt_at <= :latest)
               ORDER BY a.id LIMIT :limit""",
            {"now": _iso(now), "latest": _iso(now + longest_wait), "after": after_id, "limit": limit},
        )

    def alerts(
        self, *, pending_only: bool = False, since: datetime | None = None, status: str | None = None
    ) -> list[StoredAlert]:
        """Alerts in the outbox, newest first; ``pending_only`` keeps undelivered ones.

        ``status`` keeps one state, e.g. ``'held'`` for what quiet hours kept for the digest.
        """
        conditions: list[str] = []
        params: list[Any] = []
        if pending_only:
            conditions.append("a.status IN ('pending', 'sending')")
        if status is not None:
            conditions.append("a.status = ?")
            params.append(status)
        if since is not None:
            conditions.append("a.created_at >= ?")
            params.append(_iso(since))
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        return self._alerts(f"{where} ORDER BY a.id DESC", params)

    def alert(self, alert_id: int) -> StoredAlert | None:
        """The alert with id ``alert_id``, if any."""
        found = self._alerts("WHERE a.id = ?", (alert_id,))
        return found[0] if found else None

    def _alerts(self, where: str, params: Sequence[Any]) -> list[StoredAlert]:
        query = f"""SELECT a.*, k.acknowledged_at, k.acknowledged_by, k.seconds_to_ack FROM alerts a
                    LEFT JOIN acknowledgements k ON k.alert_id = a.id {where}"""
        with self._lock:
            cursor = self._conn.execute(query, params)
            columns = [column[0] for column in cursor.description]
            rows = [dict(zip(columns, row)) for row in cursor.fetchall()]
        return [_stored_alert(row) for row in rows]

    def hold(self, alert_ids: Iterable[int]) -> None:
        """Keep these alerts for the digest instead of delivering them (quiet hours), recording when."""
        now = _iso(self._clock())
        with self._transaction() as conn:
            conn.executemany("UPDATE alerts SET status = 'held', held_at = ? WHERE id = ?",
                             [(now, i) for i in alert_ids])

    def attach_to_lead(self, alert_id: int, lead_id: int) -> None:
        """Make the alert a follow-up of ``lead_id``: it is delivered in that alert's thread."""
        with self._transaction() as conn:
            conn.execute("UPDATE alerts SET lead_id = ? WHERE id = ?", (lead_id, alert_id))

    def group_lead(self, channel: str, group: str, since: datetime) -> StoredAlert | None:
        """The latest alert of ``group`` on ``channel`` delivered on its own since ``since``, if any."""
        found = self._alerts(
            """WHERE a.channel = ? AND a.group_key = ? AND a.status = 'sent' AND a.lead_id IS NULL
               AND a.sent_at >= ? ORDER BY a.sent_at DESC LIMIT 1""",
            (channel, group, _iso(since)),
        )
        return found[0] if found else None

    def last_message_about(self, lead_id: int) -> datetime | None:
        """When the last message about ``lead_id`` (the alert itself or a follow-up) was sent."""
        with self._lock:
            row = self._conn.execute(
                """SELECT MAX(moment) FROM (SELECT sent_at AS moment FROM alerts WHERE id = ?
                   UNION ALL SELECT started_at FROM deliveries WHERE lead_id = ?)""",
                (lead_id, lead_id),
            ).fetchone()
        return _moment(row[0])

    def messages_since(self, channel: str, since: datetime) -> int:
        """How many messages were started on ``channel`` from ``since`` to now (for its rate limit); those
        started later were timed on a clock since set back, and do not hold the channel until it catches up."""
        with self._lock:
            return self._conn.execute(
                "SELECT COUNT(*) FROM deliveries WHERE channel = ? AND started_at >= ? AND started_at <= ?",
                (channel, _iso(since), _iso(self._clock())),
            ).fetchone()[0]

    def begin_delivery(self, key: str, channel: str, alert_ids: Sequence[int], lead_id: int | None = None) -> Delivery:
        """Record, before sending, that one message carrying ``alert_ids`` is being sent under ``key``."""
        now = _iso(self._clock())
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO deliveries (key, channel, lead_id, status, started_at) VALUES (?, ?, ?, 'attempting', ?)",
                (key, channel, lead_id, now),
            )
            delivery_id = cursor.lastrowid
            conn.executemany(
                "UPDATE alerts SET status = 'sending', delivery_id = ? WHERE id = ?",
                [(delivery_id, alert_id) for alert_id in alert_ids],
            )
        return self._deliveries("WHERE id = ?", (delivery_id,))[0]

    def finish_delivery(self, delivery_id: int, ref: str | None) -> None:
        """Record that the message was delivered: it and every alert it carried are sent."""
        now = _iso(self._clock())
        with self._transaction() as conn:
            conn.execute("UPDATE deliveries SET status = 'sent', ref = ?, sent_at = ? WHERE id = ?",
                         (ref, now, delivery_id))
            conn.execute(
                """UPDATE alerts SET status = 'sent', sent_at = ?, attempts = attempts + 1, delivery_ref = ?,
                       last_error = NULL WHERE delivery_id = ?""",
                (now, ref, delivery_id),
            )

    def fail_delivery(self, delivery_id: int, error: str, retry_at: datetime | None) -> None:
        """Record a failed send: the alerts wait for ``retry_at``, or fail for good when it is ``None``."""
        status = "pending" if retry_at is not None else "failed"
        with self._transaction() as conn:
            conn.execute(
                """UPDATE alerts SET status = ?, attempts = attempts + 1, last_error = ?, next_attempt_at = ?,
                       delivery_id = NULL WHERE delivery_id = ?""",
                (status, error, _iso(retry_at), delivery_id),
            )
            conn.execute("DELETE FROM deliveries WHERE id = ?", (delivery_id,))

    def unconfirm_delivery(self, delivery_id: int, note: str) -> None:
        """Record that the message may or may not have arrived and will not be sent again."""
        with self._transaction() as conn:
            conn.execute("UPDATE deliveries SET status = 'unconfirmed' WHERE id = ?", (delivery_id,))
            conn.execute("UPDATE alerts SET status = 'unconfirmed', last_error = ? WHERE delivery_id = ?",
                         (note, delivery_id))

    def unfinished_deliveries(self) -> list[Delivery]:
        """Messages whose outcome was never recorded (the process stopped while sending them)."""
        return self._deliveries("WHERE status = 'attempting' ORDER BY id", ())

    def delivery_alerts(self, delivery_id: int) -> list[StoredAlert]:
        """The alerts one message carries, lead first."""
        return self._alerts("WHERE a.delivery_id = ? ORDER BY a.id", (delivery_id,))

    def _deliveries(self, where: str, params: Sequence[Any]) -> list[Delivery]:
        with self._lock:
            rows = self._conn.execute(
                f"SELECT id, key, channel, status, started_at, lead_id, ref, sent_at FROM deliveries {where}", params
            ).fetchall()
        return [Delivery(r[0], r[1], r[2], r[3], datetime.fromisoformat(r[4]), r[5], r[6], _moment(r[7]))
                for r in rows]

    def acknowledge(self, alert_id: int, by: str | None = None) -> StoredAlert:
        """Mark the alert acknowledged, with what the person who acknowledges it has seen or is on:
        its follow-ups, the other alerts its message carried (a batch) and theirs (a batched lead's
        follow-ups are in the batch's thread), and the same post's alerts (on other channels, by other
        rules) or, for an incident's alert, the incident's other alerts.

        The first acknowledgement counts; the time from delivery (or creation) to it is stored.
        """
        now = self._clock()
        with self._transaction() as conn:
            row = conn.execute("SELECT mention_id, delivery_id, group_key FROM alerts WHERE id = ?",
                               (alert_id,)).fetchone()
            if row is None:
                raise KeyError(f"no alert with id {alert_id}; list them with 'listener alerts'")
            mention_id, delivery_id, group = row
            incident = group if group is not None and INCIDENT_GROUP_MARK in group else None
            related = conn.execute(
                """SELECT id, COALESCE(sent_at, created_at) FROM alerts
                   WHERE id = :id OR lead_id = :id OR (:delivery IS NOT NULL AND delivery_id = :delivery)
                      OR (:delivery IS NOT NULL AND lead_id IN (SELECT id FROM alerts WHERE delivery_id = :delivery))
                      OR (:incident IS NOT NULL AND group_key = :incident)
                      OR (:incident IS NULL AND :mention IS NOT NULL AND mention_id = :mention
                          AND (group_key IS NULL OR instr(group_key, :mark) = 0))""",
                {"id": alert_id, "delivery": delivery_id, "incident": incident, "mention": mention_id,
                 "mark": INCIDENT_GROUP_MARK},
            ).fetchall()
            conn.executemany(
                """INSERT OR IGNORE INTO acknowledgements (alert_id, acknowledged_by, acknowledged_at, seconds_to_ack)
                   VALUES (?, ?, ?, ?)""",
                [(related_id, by, _iso(now), max((now - datetime.fromisoformat(since)).total_seconds(), 0.0))
                 for related_id, since in related],
            )
        stored = self.alert(alert_id)
        assert stored is not None
        return stored

    def unacknowledged_messages(self, channels: Sequence[str], since: datetime) -> list[StoredAlert]:
        """Alerts delivered on ``channels`` since ``since`` with a reference to their message (one of their
        own, a follow-up in a thread or a batch), not yet acknowledged; the newest first."""
        if not channels:
            return []
        marks = ", ".join("?" for _ in channels)
        return self._alerts(
            f"""WHERE a.channel IN ({marks}) AND a.status = 'sent'
                AND a.delivery_ref IS NOT NULL AND a.sent_at >= ? AND k.alert_id IS NULL ORDER BY a.id DESC""",
            (*channels, _iso(since)),
        )

    def overdue_unacknowledged(self) -> list[StoredAlert]:
        """Delivered alerts past their acknowledgement SLA whose mention nobody acknowledged, one per mention."""
        return self._alerts(
            """WHERE a.status = 'sent' AND a.ack_due_at <= ? AND a.mention_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM acknowledgements x JOIN alerts b ON b.id = x.alert_id
                               WHERE b.mention_id = a.mention_id)
               AND a.id = (SELECT MIN(c.id) FROM alerts c WHERE c.mention_id = a.mention_id
                           AND c.status = 'sent' AND c.ack_due_at IS NOT NULL)
               ORDER BY a.id""",
            (_iso(self._clock()),),
        )

    # -- early warning ------------------------------------------------------------------------------

    def ungrouped_complaints(self, since: datetime, min_complaint_prob: float, limit: int) -> list[StoredMention]:
        """Up to ``limit`` complaints posted since ``since`` that are in no incident yet, oldest first."""
        return self._mentions(
            """WHERE m.created_at >= ? AND c.complaint_prob >= ?
               AND NOT EXISTS (SELECT 1 FROM incident_members i WHERE i.mention_id = m.id)
               ORDER BY m.created_at, m.id LIMIT ?""",
            (_iso(since), min_complaint_prob, limit),
        )

    def complaint_series(self, brand: str, since: datetime, until: datetime, min_complaint_prob: float,
                         series: Iterable[str]) -> list[tuple[str, datetime, int]]:
        """The grouped complaints of ``brand`` posted from ``since`` to ``until`` in any of ``series``.

        One ``(series, posted at, mention id)`` per complaint and series, oldest first (then by id):
        the spike windows' complaints, without loading the mentions themselves.

        Example::

            >>> store.complaint_series("Lumora", since, until, 0.5, ["Lumora", "Lumora/topic:login"])
            [('Lumora', datetime(2026, 11, 18, 10, 0, tzinfo=timezone.utc), 17), ...]
        """
        rows = self._complaint_series_rows("s.series, s.created_at, s.mention_id", "ORDER BY s.created_at, s.mention_id",
                                           brand, since, until, min_complaint_prob, series)
        interned: dict[str, str] = {}
        return [(interned.setdefault(name, name), datetime.fromisoformat(at), mention_id)
                for name, at, mention_id in rows]

    def complaint_series_hourly(self, brand: str, since: datetime, until: datetime, min_complaint_prob: float,
                                series: Iterable[str]) -> list[tuple[str, datetime, int]]:
        """How many grouped complaints of ``brand`` posted from ``since`` to ``until`` each of ``series`` has
        per clock hour (UTC): the spike baseline, summed here so that a run does not hold the history.

        One ``(series, hour start, complaints)`` per series and hour with complaints, in no set order.

        Example::

            >>> store.complaint_series_hourly("Lumora", since, until, 0.5, ["Lumora"])
            [('Lumora', datetime(2026, 11, 18, 10, 0, tzinfo=timezone.utc), 4), ...]
        """
        rows = self._complaint_series_rows("s.series, substr(s.created_at, 1, 13) AS hour, COUNT(*)",
                                           "GROUP BY s.series, hour", brand, since, until, min_complaint_prob, series)
        return [(name, datetime.fromisoformat(f"{hour}:00:00+00:00"), count) for name, hour, count in rows]

    def _complaint_series_rows(self, columns: str, grouping: str, brand: str, since: datetime, until: datetime,
                               min_complaint_prob: float, series: Iterable[str]) -> list[tuple[Any, ...]]:
        """``SELECT columns`` over the grouped complaints of ``brand`` posted from ``since`` to ``until`` in any
        of ``series``, then ``grouping`` (an ORDER BY or GROUP BY clause)."""
        names = sorted(set(series))
        if not names:
            return []
        marks = ", ".join("?" * len(names))
        with self._lock:
            return self._conn.execute(
                f"""SELECT {columns} FROM complaint_series s JOIN classifications c ON c.mention_id = s.mention_id
                    WHERE s.brand = ? AND s.created_at >= ? AND s.created_at <= ? AND c.complaint_prob >= ?
                    AND s.series IN ({marks}) {grouping}""",
                (brand, _iso(since), _iso(until), min_complaint_prob, *names)).fetchall()

    def complaints_without_series(self, limit: int) -> list[StoredMention]:
        """Up to ``limit`` complaints grouped before their series were stored (schema version 3), by id."""
        return self._light_mentions(
            "JOIN complaint_series_pending p ON p.mention_id = m.id ORDER BY m.id LIMIT ?", (limit,))

    def save_complaint_series(self, series: Mapping[int, Sequence[str]]) -> None:
        """Store the series of complaints listed by :meth:`complaints_without_series`, and unlist them."""
        with self._transaction() as conn:
            self._insert_series(conn, series)
            conn.executemany("DELETE FROM complaint_series_pending WHERE mention_id = ?",
                             [(mention_id,) for mention_id in series])

    @staticmethod
    def _insert_series(conn: sqlite3.Connection, series: Mapping[int, Sequence[str]]) -> None:
        conn.executemany(
            """INSERT OR IGNORE INTO complaint_series (mention_id, series, brand, created_at)
               SELECT id, ?, brand, created_at FROM mentions WHERE id = ?""",
            [(name, mention_id) for mention_id, names in series.items() for name in names])

    def _light_mentions(self, clauses: str, params: Sequence[Any]) -> list[StoredMention]:
        """Mentions with only what grouping needs: id, source, external id, brand, text, posting time.

        No raw JSON, engagement, author or classification: the early-warning job holds many of these.
        """
        with self._lock:
            rows = self._conn.execute(
                f"SELECT m.id, m.source, m.external_id, m.text, m.created_at, m.brand FROM mentions m {clauses}",
                params).fetchall()
        return [StoredMention(row[0], Mention(row[1], row[2], row[3], datetime.fromisoformat(row[4]), row[5]))
                for row in rows]

    def first_posted(self, brand: str, source: str | None = None) -> datetime | None:
        """When the oldest stored mention of ``brand`` (from ``source``, if given) was posted: when listening
        to it (on that source) began."""
        with self._lock:
            if source is None:
                row = self._conn.execute("SELECT MIN(created_at) FROM mentions WHERE brand = ?", (brand,)).fetchone()
            else:
                row = self._conn.execute("SELECT MIN(created_at) FROM mentions WHERE brand = ? AND source = ?",
                                         (brand, source)).fetchone()
        return _moment(row[0])

    def open_incidents(self, since: datetime, members_since: datetime, samples: int) -> list[OpenIncident]:
        """Incidents last seen since ``since``, each with its samples (its first ``samples`` members if none were
        stored) and the ids of its members posted since ``members_since``, oldest first: what a run needs,
        however large the incidents have grown."""
        with self._lock:
            rows = self._conn.execute(
                """SELECT id, brand, title, first_seen, last_seen, size, sources, alerted_step, terms FROM incidents
                   WHERE last_seen >= ? ORDER BY id""", (_iso(since),)).fetchall()
            found = []
            for row in rows:
                grouping = json.loads(row[8]) if row[8] else {}
                record = IncidentRecord(row[0], row[1], row[2], datetime.fromisoformat(row[3]),
                                        datetime.fromisoformat(row[4]), row[5], json.loads(row[6]), row[7],
                                        grouping.get("terms"), grouping.get("surfaces"), grouping.get("samples"))
                if record.samples is None:
                    shown = self._conn.execute(
                        """SELECT m.id, m.text FROM incident_members i JOIN mentions m ON m.id = i.mention_id
                           WHERE i.incident_id = ? ORDER BY m.created_at, m.id LIMIT ?""", (record.id, samples)).fetchall()
                else:
                    texts = dict(self._conn.execute(
                        f"SELECT id, text FROM mentions WHERE id IN ({', '.join('?' for _ in record.samples)})",
                        record.samples).fetchall())
                    shown = [(member, texts[member]) for member in record.samples if member in texts]
                recent = self._conn.execute(
                    """SELECT m.id FROM incident_members i JOIN mentions m ON m.id = i.mention_id
                       WHERE i.incident_id = ? AND m.created_at >= ? ORDER BY m.created_at, m.id""",
                    (record.id, _iso(members_since))).fetchall()
                found.append(OpenIncident(record, [(member, text) for member, text in shown],
                                          [member for (member,) in recent]))
        return found

    def incident_posts(self, incident_ids: Iterable[int], post_keys: Iterable[tuple[str, str]]
                       ) -> list[tuple[int, str, str]]:
        """Which of the posts ``(source, external id)`` are members of which of the incidents: the posts new
        complaints reply to, looked up rather than every member's key loaded.

        Example::

            >>> store.incident_posts([7], [("x", "1890")])
            [(7, 'x', '1890')]
        """
        keys, wanted = sorted(set(post_keys)), set(incident_ids)
        if not keys or not wanted:
            return []
        pairs = ", ".join("(?, ?)" for _ in keys)
        with self._lock:
            rows = self._conn.execute(
                f"""SELECT i.incident_id, m.source, m.external_id FROM mentions m
                    JOIN incident_members i ON i.mention_id = m.id WHERE (m.source, m.external_id) IN (VALUES {pairs})""",
                [part for key in keys for part in key]).fetchall()
        return [(incident_id, source, external_id) for incident_id, source, external_id in rows if incident_id in wanted]

    def incident_members(self, incident_id: int) -> list[StoredMention]:
        """An incident's members, oldest first, with only what grouping needs (see :meth:`_light_mentions`)."""
        return self._light_mentions(
            "JOIN incident_members i ON i.mention_id = m.id WHERE i.incident_id = ? ORDER BY m.created_at, m.id",
            (incident_id,))

    def save_incidents(self, changes: Sequence[IncidentChange], spike_marks: Mapping[str, datetime],
                       series: Mapping[int, Sequence[str]] | None = None) -> tuple[list[int], int]:
        """Save incidents with their members, the members' spike ``series`` (mention id -> names) and the
        spike marks, and queue their alerts, in one transaction.

        A crash leaves all of it or none: never an incident or mark saved without its alert (the
        complaints would not be checked again and the alert would be lost), nor an alert without its
        incident's alerted step (the next run would alert again). Returns the incidents' ids, in the
        order given, and how many alerts were new.

        Example::

            >>> store.save_incidents([IncidentChange(record, [12, 13], alerts_for)], {"Lumora": now})
            ([7], 2)
        """
        ids: list[int] = []
        added = 0
        with self._transaction() as conn:
            conn.executemany("""INSERT INTO spike_marks (series, last_alert_at) VALUES (?, ?)
                                ON CONFLICT (series) DO UPDATE SET last_alert_at = excluded.last_alert_at""",
                             [(name, _iso(at)) for name, at in spike_marks.items()])
            self._insert_series(conn, series or {})
            for change in changes:
                incident_id = self._upsert_incident(conn, change.record, change.member_ids)
                added += self._insert_alerts(conn, change.alerts(incident_id))
                ids.append(incident_id)
        return ids, added

    @staticmethod
    def _upsert_incident(conn: sqlite3.Connection, record: IncidentRecord, member_ids: Iterable[int]) -> int:
        """Insert (``record.id`` is ``None``) or update an incident and add members; returns its id."""
        grouping = None if record.terms is None else json.dumps(
            {"terms": record.terms, "surfaces": record.surfaces or {}, "samples": record.samples or []},
            ensure_ascii=False)
        values = (record.brand, record.title, _iso(record.first_seen), _iso(record.last_seen), record.size,
                  json.dumps(record.sources, ensure_ascii=False), record.alerted_step, grouping)
        if record.id is None:
            incident_id = conn.execute(
                """INSERT INTO incidents (brand, title, first_seen, last_seen, size, sources, alerted_step, terms)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""", values).lastrowid
        else:
            incident_id = record.id
            conn.execute(
                """UPDATE incidents SET brand = ?, title = ?, first_seen = ?, last_seen = ?, size = ?,
                       sources = ?, alerted_step = ?, terms = ? WHERE id = ?""", (*values, incident_id))
        conn.executemany("INSERT OR IGNORE INTO incident_members (mention_id, incident_id) VALUES (?, ?)",
                         [(mention_id, incident_id) for mention_id in member_ids])
        assert incident_id is not None
        return incident_id

    def spike_marks(self) -> dict[str, datetime]:
        """When each spike series last alerted (for its cooldown)."""
        with self._lock:
            rows = self._conn.execute("SELECT series, last_alert_at FROM spike_marks").fetchall()
        return {series: datetime.fromisoformat(moment) for series, moment in rows}

    def spread_candidates(self, since: datetime, min_complaint_prob: float) -> list[SpreadObservation]:
        """Complaints posted since ``since``, not yet escalated, whose engagement changed since last looked at."""
        with self._lock:
            rows = self._conn.execute(
                """SELECT m.id, m.updated_at, w.likes, w.reposts, w.replies, w.seen_at FROM mentions m
                   JOIN classifications c ON c.mention_id = m.id
                   LEFT JOIN spread_watch w ON w.mention_id = m.id
                   WHERE m.created_at >= ? AND c.complaint_prob >= ? AND w.escalated_at IS NULL
                   AND (w.seen_at IS NULL OR m.updated_at > w.seen_at) ORDER BY m.id""",
                (_iso(since), min_complaint_prob)).fetchall()
        observations = []
        for mention_id, updated_at, likes, reposts, replies, seen_at in rows:
            stored = self.mention(mention_id)
            assert stored is not None
            before = None if seen_at is None else Engagement(likes, reposts, replies)
            observations.append(SpreadObservation(stored, datetime.fromisoformat(updated_at), before,
                                                  _moment(seen_at)))
        return observations

    def watch_spread(self, observation: SpreadObservation, escalated: bool) -> None:
        """Remember the highest engagement looked at so far (and whether the complaint was escalated, which
        is once): counts that dip (likes withdrawn, Reddit's downvotes) and come back are no growth."""
        engagement = observation.stored.mention.engagement
        with self._transaction() as conn:
            conn.execute(
                """INSERT INTO spread_watch (mention_id, likes, reposts, replies, seen_at, escalated_at)
                   VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (mention_id) DO UPDATE
                   SET likes = MAX(likes, excluded.likes), reposts = MAX(reposts, excluded.reposts),
                   replies = MAX(replies, excluded.replies), seen_at = excluded.seen_at,
                   escalated_at = excluded.escalated_at""",
                (observation.stored.id, engagement.likes, engagement.reposts, engagement.replies,
                 _iso(observation.updated_at), _iso(self._clock()) if escalated else None),
            )

    # -- housekeeping and figures ---------------------------------------------------------------

    def _retention_cutoff(self, days: int) -> datetime | None:
        """The oldest ``created_at`` that ``days`` of retention keeps; ``None`` when that is before year 1
        (everything is kept)."""
        try:
            return utc(self._clock()) - timedelta(days=days)
        except OverflowError:
            return None

    def delete_older_than(self, days: int, should_stop: Callable[[], bool] = lambda: False) -> int:
        """Delete mentions created more than ``days`` ago (with their classifications); returns how many.

        They go ``PURGE_BATCH`` at a time, each batch one transaction followed by a checkpoint, until
        ``should_stop``: the write-ahead log needs room for one batch, not for the whole purge. In one
        transaction, the first purge of months wrote a -wal file nearly the database's size, and on a disk
        short of that room it failed for good, freeing nothing (and the -wal file took the last free bytes).
        """
        cutoff = self._retention_cutoff(days)
        if cutoff is None:
            return 0
        deleted = 0
        while not should_stop():
            with self._transaction() as conn:
                top = conn.execute("SELECT MAX(id) FROM mentions").fetchone()[0]
                batch = conn.execute("DELETE FROM mentions WHERE id IN (SELECT id FROM mentions WHERE created_at < ? "
                                     "LIMIT ?)", (_iso(cutoff), PURGE_BATCH)).rowcount
                if batch and top is not None:
                    conn.execute(
                        """INSERT INTO cursors (source, key, value, updated_at) VALUES (?, ?, ?, ?)
                           ON CONFLICT (source, key) DO UPDATE SET value = MAX(CAST(value AS INTEGER), excluded.value),
                           updated_at = excluded.updated_at""",
                        (*_LAST_MENTION_ID, top, _iso(self._clock())),
                    )
            deleted += batch
            if batch < PURGE_BATCH:
                break
            self._checkpoint("PASSIVE")
        return deleted

    def delete_history_older_than(self, days: int) -> dict[str, int]:
        """Delete what the outbox and the early warning keep of the time before ``days`` ago; returns how many
        rows of each table.

        Alerts made then whose mention retention has deleted (incident, operator and escalation alerts too),
        unless still to be delivered, go with their acknowledgements; so do the messages started then, the
        incidents last seen then and the spike marks of then. Without this they grew by every alert for as
        long as the listener ran. The newest row of each table stays, so SQLite never gives its id out again:
        ids name keys ("incident:7:step:1:slack", "followup:12:14") that must not meet an older one's. When each
        digest was made goes for the days before then (a day earlier, as a digest's day is local), whose posts
        retention no longer keeps: a row a day per brand stayed for ever.
        """
        cutoff = self._retention_cutoff(days)
        if cutoff is None:
            return {}
        kept = "({row}.created_at >= :cutoff OR {row}.status IN ('pending', 'sending') OR {row}.mention_id IS NOT NULL" \
               " OR {row}.id = (SELECT MAX(id) FROM alerts))"
        statements = {
            "deliveries": f"""DELETE FROM deliveries WHERE started_at < :cutoff AND status != 'attempting'
                              AND id < (SELECT MAX(id) FROM deliveries) AND NOT EXISTS (
                                  SELECT 1 FROM alerts a WHERE a.delivery_id = deliveries.id AND {kept.format(row='a')})""",
            "alerts": f"""DELETE FROM alerts WHERE NOT {kept.format(row='alerts')}
                          AND NOT EXISTS (SELECT 1 FROM alerts f WHERE f.lead_id = alerts.id AND {kept.format(row='f')})
                          AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.lead_id = alerts.id)""",
            "incidents": "DELETE FROM incidents WHERE last_seen < :cutoff AND id < (SELECT MAX(id) FROM incidents)",
            "spike_marks": "DELETE FROM spike_marks WHERE last_alert_at < :cutoff",
            "digests_made": "DELETE FROM digests_made WHERE day < date(:cutoff, '-1 day')",
        }
        with self._transaction() as conn:
            return {table: conn.execute(sql, {"cutoff": _iso(cutoff)}).rowcount for table, sql in statements.items()}

    def reclaim_space(self, should_stop: Callable[[], bool] = lambda: False) -> int:
        """Give the room deleted rows left back to the file system, and empty the write-ahead log; returns how
        many bytes the database file shrank by.

        Without this the first purge of a database of months (most of its rows) left the file its size, most
        of it free, and the ``-wal`` file as big as all the pages the purge wrote, for as long as the listener
        ran. Once a tenth of the file is free it is released, ``RECLAIM_PAGES`` pages a transaction (each a
        fraction of a second, so another process's write waits no longer), until ``should_stop``; a database
        made before this could release pages (``auto_vacuum`` none) is rewritten once by ``VACUUM`` when half
        of it is free and the disk has room for two copies of what is kept (a temporary one, and the log), which
        lets it release pages from then on; without that room its free pages are only reused. A full disk or
        another process's lock raises :class:`StoreUnavailable`; nothing is lost, and the next housekeeping
        tries again.
        """
        with self._lock:
            try:
                size_before = self._pages() * self._page_size()
                free = self._conn.execute("PRAGMA freelist_count").fetchone()[0]
                if self._conn.execute("PRAGMA auto_vacuum").fetchone()[0] == _INCREMENTAL:
                    if free >= RECLAIM_FRACTION * self._pages():
                        self._release_free_pages(should_stop)
                elif free >= VACUUM_FRACTION * self._pages() and not should_stop() and self._room_to_vacuum(free):
                    self._conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
                    self._conn.execute("VACUUM")
                self._empty_log()
                return size_before - self._pages() * self._page_size()
            except sqlite3.OperationalError as error:
                raise self._unavailable(error) from None

    def _release_free_pages(self, should_stop: Callable[[], bool]) -> None:
        """Shrink the file by its free pages, ``RECLAIM_PAGES`` a transaction, each checkpointed at once: the file
        shrinks there, and the log it needed is room for the next (on a nearly full disk, that is all there is).
        Pages another process's long reading keeps in the log (a backup) end it once they are a few transactions'
        worth: the rest waits for the next housekeeping, rather than the log growing by all of it."""
        while not should_stop() and self._conn.execute("PRAGMA freelist_count").fetchone()[0]:
            self._conn.executescript(f"PRAGMA incremental_vacuum({RECLAIM_PAGES});")
            if self._checkpoint("PASSIVE") > 8 * RECLAIM_PAGES:
                return

    def _room_to_vacuum(self, free_pages: int) -> bool:
        """Whether the disk holds two more copies of what the file keeps (VACUUM's temporary one, and its log)."""
        kept = (self._pages() - free_pages) * self._page_size()
        return shutil.disk_usage(self.path.parent).free >= 2 * kept

    def _empty_log(self) -> None:
        """Empty the write-ahead log if no other process is reading or writing now; else leave it for the next time
        (waiting for them, up to the busy timeout, held up every job of the daemon for that long)."""
        waits = self._conn.execute("PRAGMA busy_timeout").fetchone()[0]
        self._conn.execute("PRAGMA busy_timeout = 0")
        try:
            self._checkpoint("TRUNCATE")
        finally:
            self._conn.execute(f"PRAGMA busy_timeout = {int(waits)}")

    def _checkpoint(self, mode: str) -> int:
        """Copy the write-ahead log into the database (``TRUNCATE``: and empty it), so its room is used again; returns
        how many of its pages could not be copied yet (a reader of an older state holds them)."""
        with self._lock:
            try:
                _, logged, copied = self._conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
                return max(logged - copied, 0)
            except sqlite3.OperationalError as error:
                raise self._unavailable(error) from None

    def _pages(self) -> int:
        return self._conn.execute("PRAGMA page_count").fetchone()[0]

    def _page_size(self) -> int:
        return self._conn.execute("PRAGMA page_size").fetchone()[0]

    def latest_moment(self) -> datetime | None:
        """The latest time this store has recorded on its clock: a mention seen or updated, an alert
        made or sent (``None`` when it holds neither)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT MAX(t) FROM (SELECT MAX(updated_at) AS t FROM mentions"
                " UNION ALL SELECT MAX(created_at) FROM alerts UNION ALL SELECT MAX(sent_at) FROM alerts)"
            ).fetchone()
        return _moment(row[0])

    def stats(self) -> dict[str, int]:
        """Counts for ``listener stats``: mentions, classified, complaints, alerts sent and pending."""
        queries = {
            "mentions": "SELECT COUNT(*) FROM mentions",
            "classified": "SELECT COUNT(*) FROM classifications",
            "complaints": "SELECT COUNT(*) FROM classifications WHERE complaint_prob >= 0.5",
            "alerts_sent": "SELECT COUNT(*) FROM alerts WHERE status = 'sent'",
            "alerts_pending": "SELECT COUNT(*) FROM alerts WHERE status IN ('pending', 'sending')",
            "alerts_held": "SELECT COUNT(*) FROM alerts WHERE status = 'held'",
            "alerts_failed": "SELECT COUNT(*) FROM alerts WHERE status = 'failed'",
            "acknowledged": "SELECT COUNT(*) FROM acknowledgements",
        }
        with self._lock:
            return {name: self._conn.execute(sql).fetchone()[0] for name, sql in queries.items()}


# How many mentions delete_older_than deletes a transaction.
PURGE_BATCH = 500
# reclaim_space: the free fraction of the file worth releasing (with auto_vacuum incremental) or rewriting for
# (without), and how many pages one transaction releases (512 KB of 4 KB pages: its log needs about as much room).
RECLAIM_FRACTION = 0.1
VACUUM_FRACTION = 0.5
RECLAIM_PAGES = 128
_INCREMENTAL = 2  # PRAGMA auto_vacuum's value for incremental

# The highest mention id retention has deleted, kept where the store keeps its own values.
_LAST_MENTION_ID = ("_store", "last_deleted_mention_id")
# The last day of each brand whose daily digest was sent, kept there too (key: the brand).
_DIGESTS_SENT = "_digests_sent"
# The day of each brand's digest being sent: one left there was cut off (the listener killed while sending it).
_DIGEST_SENDING = "_digest_sending"


def _file_identity(path: Path) -> tuple[int, int] | None:
    """The device and inode of the file at ``path`` (``None``: there is none)."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _set_cursor(conn: sqlite3.Connection, source: str, key: str, value: str, now: str | None) -> None:
    """Save one cursor value (or one of the store's own values) at ``now``."""
    conn.execute(
        """INSERT INTO cursors (source, key, value, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (source, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at""",
        (source, key, value, now),
    )


def _id_after_deleted_mentions(conn: sqlite3.Connection) -> int | None:
    """The id the next new mention must take, or ``None`` for SQLite's own (the highest id + 1).

    When retention deleted the newest mentions, SQLite would give their ids out again, and a new
    complaint would meet the alert keys of the deleted one ("mention:34:slack") and go unalerted.
    """
    row = conn.execute("SELECT value FROM cursors WHERE source = ? AND key = ?", _LAST_MENTION_ID).fetchone()
    if row is None:
        return None
    top = conn.execute("SELECT COALESCE(MAX(id), 0) FROM mentions").fetchone()[0]
    return int(row[0]) + 1 if top < int(row[0]) else None


def _raw_json(mention: Mention) -> str:
    """The mention's raw record as stored: JSON, its lone surrogates replaced (SQLite refuses them)."""
    return without_lone_surrogates(json.dumps(mention.raw, ensure_ascii=False, default=str))


def _stored_mention(row: dict[str, Any]) -> StoredMention:
    mention = Mention(
        source=row["source"],
        external_id=row["external_id"],
        text=row["text"],
        created_at=datetime.fromisoformat(row["created_at"]),
        brand=row["brand"],
        url=row["url"],
        author_handle=row["author_handle"],
        author_name=row["author_name"],
        author_reach=row["author_reach"],
        lang=row["lang"],
        engagement=Engagement(row["likes"], row["reposts"], row["replies"], row["quotes"]),
        conversation_id=row["conversation_id"],
        parent_id=row["parent_id"],
        raw=json.loads(row["raw"]),
    )
    classification = None
    if row["c_model"] is not None:
        classification = Classification(
            lang=row["c_lang"],
            sentiment=row["c_sentiment"],
            sentiment_probs=(row["p_negative"], row["p_neutral"], row["p_positive"]),
            complaint_prob=row["complaint_prob"],
            cues=tuple(json.loads(row["cues"])),
            model=row["c_model"],
        )
    return StoredMention(id=row["id"], mention=mention, classification=classification)


def _stored_alert(row: dict[str, Any]) -> StoredAlert:
    alert = Alert(
        key=row["key"],
        channel=row["channel"],
        brand=row["brand"],
        rule=row["rule"],
        severity=row["severity"],
        title=row["title"],
        reasons=tuple(json.loads(row["reasons"])),
        mention_id=row["mention_id"],
        created_at=_moment(row["created_at"]),
        group=row["group_key"],
    )
    return StoredAlert(
        id=row["id"],
        alert=alert,
        status=row["status"],
        attempts=row["attempts"],
        next_attempt_at=_moment(row["next_attempt_at"]),
        sent_at=_moment(row["sent_at"]),
        last_error=row["last_error"],
        delivery_ref=row["delivery_ref"],
        acknowledged_at=_moment(row["acknowledged_at"]),
        acknowledged_by=row["acknowledged_by"],
        lead_id=row["lead_id"],
        delivery_id=row["delivery_id"],
        ack_due_at=_moment(row["ack_due_at"]),
        seconds_to_ack=row["seconds_to_ack"],
    )
