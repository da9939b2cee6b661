"""Storage: one SQLite file, sqlite-utils, versioned migrations (db/schema.py)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from config import settings

DEFAULT_DB = "presswatch.db"

__all__ = ["open_db", "default_db_path", "utcnow", "DEFAULT_DB", "rows", "one_row"]


def default_db_path() -> str:
    """$PRESSWATCH_DB, else presswatch.db in the working directory."""
    return settings.db_path() or DEFAULT_DB


def rows(cur: sqlite3.Cursor) -> list[dict[str, Any]]:
    """The remaining rows of an executed cursor as dicts keyed by column name."""
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def one_row(cur: sqlite3.Cursor) -> dict[str, Any] | None:
    """The next row of an executed cursor as a dict keyed by column name, or None."""
    r = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], r, strict=True)) if r is not None else None


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def open_db(path: str | Path | None = None, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating) the database in WAL mode with a busy timeout, migrated to the latest schema."""
    p = Path(path or default_db_path())
    if p.parent and not p.parent.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(p), timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA foreign_keys = ON")
    # an INSERT OR REPLACE that deletes a row fires its delete triggers (the search index's, db/search.py)
    conn.execute("PRAGMA recursive_triggers = ON")
    db = sqlite_utils.Database(conn)
    if db.journal_mode != "wal":
        db.enable_wal()
    conn.execute("PRAGMA synchronous = NORMAL")
    if migrate:
        from db.schema import migrate as _migrate

        _migrate(db)
    # Test hook (tests/test_robustness.py, bench/faults.py): cap this connection's file size in
    # pages to simulate a full disk; SQLite then raises "database or disk is full".
    max_pages = settings.max_page_count()
    if max_pages:
        conn.execute(f"PRAGMA max_page_count = {int(max_pages)}")  # int(): no string reaches the SQL
    return db
