"""The SQLite store: mentions, classifications, the alert outbox, cursors and acknowledgements.

One file, WAL mode, through sqlite-utils. Every method is one transaction, so a crash leaves either
all of a step or none of it: a poll's mentions are committed together with the cursor that covers
them, and the alerts a mention raises are committed together with the mark that it was evaluated.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from listener.clock import Clock, system_clock
from listener.domain import Alert, Classification, Engagement, Mention, StoredMention, utc


class StoreError(Exception):
    """The database cannot be used; the message says which file and what to do."""


@dataclass(frozen=True)
class SaveResult:
    """What a batch of mentions did to the store."""

    new: int = 0
    updated: int = 0


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


# Forward migrations, in order: MIGRATIONS[n] takes a database at version n to version n + 1.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_create_v1]
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

    @classmethod
    def open(cls, path: str | Path, clock: Clock = system_clock) -> "Store":
        """Open (creating and migrating as needed) the database at ``path``."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"cannot open the database {path}: {error}. Check the storage.path setting.") from None
        store = cls(conn, path, clock)
        store._migrate()
        return store

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _migrate(self) -> None:
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

    @property
    def schema_version(self) -> int:
        """The schema version of the open database."""
        return self._conn.execute("SELECT version FROM schema_version").fetchone()[0]

    # -- mentions and cursors ------------------------------------------------------------------

    def save_batch(
        self, source: str, mentions: Sequence[Mention], cursor: Mapping[str, str] | None = None
    ) -> SaveResult:
        """Store ``mentions`` and advance ``source``'s cursor, in one transaction.

        A mention already stored (same source and external id) has its engagement and author reach
        updated; it is never duplicated.
        """
        now = _iso(self._clock())
        new = updated = 0
        with self._transaction() as conn:
            for mention in mentions:
                row = conn.execute(
                    "SELECT id FROM mentions WHERE source = ? AND external_id = ?",
                    (mention.source, mention.external_id),
                ).fetchone()
                if row is None:
                    conn.execute(
                        """INSERT INTO mentions (source, external_id, brand, text, created_at, url,
                               author_handle, author_name, author_reach, lang, likes, reposts, replies,
                               quotes, conversation_id, parent_id, raw, first_seen_at, updated_at)
                           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                        (
                            mention.source, mention.external_id, mention.brand, mention.text,
                            _iso(mention.created_at), mention.url, mention.author_handle, mention.author_name,
                            mention.author_reach, mention.lang, mention.engagement.likes,
                            mention.engagement.reposts, mention.engagement.replies, mention.engagement.quotes,
                            mention.conversation_id, mention.parent_id,
                            json.dumps(mention.raw, ensure_ascii=False, default=str), now, now,
                        ),
                    )
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
            for key, value in (cursor or {}).items():
                conn.execute(
                    """INSERT INTO cursors (source, key, value, updated_at) VALUES (?, ?, ?, ?)
                       ON CONFLICT (source, key) DO UPDATE SET value = excluded.value,
                       updated_at = excluded.updated_at""",
                    (source, key, str(value), now),
                )
        return SaveResult(new=new, updated=updated)

    def cursor(self, source: str) -> dict[str, str]:
        """The cursor values saved for ``source`` (empty when it has never been polled)."""
        with self._lock:
            rows = self._conn.execute("SELECT key, value FROM cursors WHERE source = ?", (source,)).fetchall()
        return dict(rows)

    def mention(self, mention_id: int) -> StoredMention | None:
        """The mention with row id ``mention_id`` and its classification, if any."""
        found = self._mentions("WHERE m.id = ?", (mention_id,))
        return found[0] if found else None

    def mention_by_key(self, source: str, external_id: str) -> StoredMention | None:
        """The mention that ``source`` calls ``external_id``, if stored."""
        found = self._mentions("WHERE m.source = ? AND m.external_id = ?", (source, external_id))
        return found[0] if found else None

    def unclassified(self, limit: int) -> list[StoredMention]:
        """Up to ``limit`` mentions that have no classification yet, oldest first."""
        return self._mentions("WHERE c.mention_id IS NULL ORDER BY m.id LIMIT ?", (limit,))

    def unevaluated(self, limit: int) -> list[StoredMention]:
        """Up to ``limit`` classified mentions that the rules have not seen yet, oldest first."""
        return self._mentions(
            "WHERE m.evaluated_at IS NULL AND c.mention_id IS NOT NULL ORDER BY m.id LIMIT ?", (limit,)
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
        added = 0
        with self._transaction() as conn:
            for alert in alerts:
                cursor = conn.execute(
                    """INSERT OR IGNORE INTO alerts (key, channel, brand, rule, severity, title, reasons,
                           mention_id, created_at, status, next_attempt_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)""",
                    (
                        alert.key, alert.channel, alert.brand, alert.rule, alert.severity, alert.title,
                        json.dumps(list(alert.reasons), ensure_ascii=False), alert.mention_id,
                        _iso(alert.created_at or now), _iso(now),
                    ),
                )
                added += cursor.rowcount
            conn.executemany(
                "UPDATE mentions SET evaluated_at = ? WHERE id = ?", [(_iso(now), i) for i in evaluated_ids]
            )
        return added

    def due_alerts(self, limit: int = 100) -> list[StoredAlert]:
        """Pending alerts whose next attempt is due now, oldest first."""
        return self._alerts(
            "WHERE a.status = 'pending' AND a.next_attempt_at <= ? ORDER BY a.id LIMIT ?",
            (_iso(self._clock()), limit),
        )

    def alerts(self, *, pending_only: bool = False, since: datetime | None = None) -> list[StoredAlert]:
        """Alerts in the outbox, newest first; ``pending_only`` keeps undelivered ones."""
        conditions, params = [], []
        if pending_only:
            conditions.append("a.status = 'pending'")
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
        query = f"""SELECT a.*, k.acknowledged_at, k.acknowledged_by FROM alerts a
                    LEFT JOIN acknowledgements k ON k.alert_id = a.id {where}"""
        with self._lock:
            cursor = self._conn.execute(query, params)
            columns = [column[0] for column in cursor.description]
            rows = [dict(zip(columns, row)) for row in cursor.fetchall()]
        return [_stored_alert(row) for row in rows]

    def mark_sent(self, alert_id: int, delivery_ref: str | None = None) -> None:
        """Record that the alert was delivered."""
        with self._transaction() as conn:
            conn.execute(
                """UPDATE alerts SET status = 'sent', sent_at = ?, attempts = attempts + 1,
                       delivery_ref = ?, last_error = NULL WHERE id = ?""",
                (_iso(self._clock()), delivery_ref, alert_id),
            )

    def mark_failed(self, alert_id: int, error: str, retry_at: datetime | None) -> None:
        """Record a failed attempt; ``retry_at`` is the next try, or ``None`` to give up for good."""
        status = "pending" if retry_at is not None else "failed"
        with self._transaction() as conn:
            conn.execute(
                """UPDATE alerts SET status = ?, attempts = attempts + 1, last_error = ?,
                       next_attempt_at = ? WHERE id = ?""",
                (status, error, _iso(retry_at), alert_id),
            )

    def acknowledge(self, alert_id: int, by: str | None = None) -> StoredAlert:
        """Mark the alert acknowledged (the first acknowledgement counts); returns it."""
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM alerts WHERE id = ?", (alert_id,)).fetchone() is None:
                raise KeyError(f"no alert with id {alert_id}; list them with 'listener alerts'")
            conn.execute(
                "INSERT OR IGNORE INTO acknowledgements (alert_id, acknowledged_by, acknowledged_at) VALUES (?, ?, ?)",
                (alert_id, by, _iso(self._clock())),
            )
        stored = self.alert(alert_id)
        assert stored is not None
        return stored

    # -- housekeeping and figures ---------------------------------------------------------------

    def delete_older_than(self, days: int) -> int:
        """Delete mentions created more than ``days`` ago (with their classifications); returns how many."""
        cutoff = _iso(self._clock() - timedelta(days=days))
        with self._transaction() as conn:
            return conn.execute("DELETE FROM mentions WHERE created_at < ?", (cutoff,)).rowcount

    def stats(self) -> dict[str, int]:
        """Counts for ``listener stats``: mentions, classified, complaints, alerts sent and pending."""
        queries = {
            "mentions": "SELECT COUNT(*) FROM mentions",
            "classified": "SELECT COUNT(*) FROM classifications",
            "complaints": "SELECT COUNT(*) FROM classifications WHERE complaint_prob >= 0.5",
            "alerts_sent": "SELECT COUNT(*) FROM alerts WHERE status = 'sent'",
            "alerts_pending": "SELECT COUNT(*) FROM alerts WHERE status = 'pending'",
            "alerts_failed": "SELECT COUNT(*) FROM alerts WHERE status = 'failed'",
            "acknowledged": "SELECT COUNT(*) FROM acknowledgements",
        }
        with self._lock:
            return {name: self._conn.execute(sql).fetchone()[0] for name, sql in queries.items()}


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
    )
