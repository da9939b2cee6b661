"""A time limit on every SQL statement of the workspace pages (pipeline/publish/workspace.py).

Datasette cuts its own queries off after ``sql_time_limit_ms``, but a plugin's ``execute_fn`` runs
with no limit: one slow filter would hold a read thread for as long as it takes, and under many
clients every page behind it waits. ``TimedConnection`` wraps the read connection given to
``execute_fn``: each ``execute`` runs and fetches its rows under a fresh deadline of ``ms``
milliseconds (SQLite's progress handler, as Datasette's own ``sqlite_timelimit``), so a statement
over the limit raises ``QueryTooSlow`` (a ``sqlite3.OperationalError``) instead of running on.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["QueryTooSlow", "Rows", "TimedConnection"]


class QueryTooSlow(sqlite3.OperationalError):
    """A statement ran past its time limit; ``ms``: the limit, ``sql``: the statement's start."""

    def __init__(self, ms: int, sql: str) -> None:
        super().__init__(f"query over {ms} ms: {' '.join(sql.split())[:80]}")
        self.ms, self.sql = ms, sql


class Rows:
    """The fetched rows of one statement, read like a cursor: ``description``, ``fetchone``,
    ``fetchall``, iteration."""

    def __init__(self, description: Any, rows: list[Any]) -> None:
        self.description = description
        self._rows = rows
        self._at = 0

    def fetchone(self) -> Any:
        if self._at >= len(self._rows):
            return None
        self._at += 1
        return self._rows[self._at - 1]

    def fetchall(self) -> list[Any]:
        rest, self._at = self._rows[self._at:], len(self._rows)
        return rest

    def __iter__(self) -> Iterator[Any]:
        while (row := self.fetchone()) is not None:
            yield row


class TimedConnection:
    """``conn`` with each ``execute`` limited to ``ms`` milliseconds (rows fetched inside the limit)."""

    def __init__(self, conn: sqlite3.Connection, ms: int) -> None:
        self.conn, self.ms = conn, int(ms)

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Rows:
        """Run ``sql`` with ``params``; raises ``QueryTooSlow`` past the limit, other
        ``sqlite3.Error`` as SQLite raises them."""
        deadline = time.perf_counter() + self.ms / 1000

        def handler() -> int:
            return 1 if time.perf_counter() >= deadline else 0

        self.conn.set_progress_handler(handler, 1000)
        try:
            cur = self.conn.execute(sql, params)
            return Rows(cur.description, cur.fetchall())
        except sqlite3.OperationalError as e:
            if "interrupted" in str(e):
                raise QueryTooSlow(self.ms, sql) from None
            raise
        finally:
            self.conn.set_progress_handler(None, 1000)
