"""Storage: one SQLite file, sqlite-utils, versioned migrations (db/schema.py)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from config import settings

DEFAULT_DB = "presswatch.db"

__all__ = ["open_db", "default_db_path", "utcnow", "DEFAULT_DB"]


def default_db_path() -> str:
    """$PRESSWATCH_DB, else presswatch.db in the working directory."""
    return settings.db_path() or DEFAULT_DB


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
