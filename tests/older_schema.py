"""Turning a database made by this version back into one an older version of the listener left, to test upgrades."""

from __future__ import annotations

import sqlite_utils

# What each schema version added, undone: UNDO[n] takes a database at version n back to version n - 1.
UNDO: dict[int, tuple[str, ...]] = {
    4: ("DROP TABLE complaint_series", "DROP TABLE complaint_series_pending"),
    5: ("ALTER TABLE incidents DROP COLUMN terms",),
    6: ("ALTER TABLE mentions DROP COLUMN edit_version",),
    7: ("ALTER TABLE alerts DROP COLUMN held_at",),
    8: ("DROP TABLE digests_made", "DROP INDEX mentions_first_seen_at"),
}


def as_schema_version(db: sqlite_utils.Database, version: int) -> None:
    """Make ``db`` (at the current schema version) the database schema ``version`` stored, its rows kept."""
    current = db.execute("SELECT version FROM schema_version").fetchone()[0]
    for undone in range(current, version, -1):
        for statement in UNDO[undone]:
            db.execute(statement)
    db.execute("UPDATE schema_version SET version = ?", (version,))
