"""The response cache of the Datasette server (on by default; PRESSWATCH_CACHE_SECONDS=0 turns it off).

An anonymous GET is answered again from memory while no commit changed the database since
(``PRAGMA data_version``) and for at most ``cache_seconds()`` seconds; identical requests that
arrive together wait for the first one instead of all running the same queries. A new article
shows on the next request. ``asgi_wrapper`` is what the plugin's ``asgi_wrapper`` hook returns.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from config import settings
from db.publish import data_version
from pipeline.publish.facets import without_duplicate_facets

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]

DEFAULT_CACHE_SECONDS = 60.0
CACHE_HEADER = b"x-presswatch-cache"


class DataVersion:
    """What the served database files hold, as a value that changes with every commit.

    ``PRAGMA data_version`` on a connection of our own changes whenever another connection (the
    crawler, in another process) commits: a cached page is only replayed while nothing was
    written since it was made. One read-only connection per file, used only from the event loop;
    the pragma reads the WAL index in shared memory (~3 µs). A file that cannot be read gives a
    value that never repeats, so nothing is replayed from it.
    """

    def __init__(self, paths: list[str]) -> None:
        self.paths = paths
        self.conns: dict[str, sqlite3.Connection] = {}
        self.misses = 0

    def __call__(self) -> tuple[Any, ...]:
        out: list[Any] = []
        for path in self.paths:
            try:
                conn = self.conns.get(path)
                if conn is None:
                    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True,
                                           check_same_thread=False)
                    self.conns[path] = conn
                out.append(data_version(conn))
            except sqlite3.Error:
                self.conns.pop(path, None)
                self.misses += 1
                out.append(("unreadable", self.misses))
        return tuple(out)


class ResponseCache:
    """Whole answers of anonymous GET requests, replayed while the database is unchanged.

    An entry is replayed only while (1) no commit happened in the served files since it was made
    (``version``: `DataVersion`), and (2) it is younger than ``ttl`` seconds, which bounds how late
    a page that depends on the clock ("new today", "last 7 days") can be. Identical requests that
    arrive together wait for the first one instead of all running the same queries. LRU within
    ``max_entries`` and ``max_bytes``; a page on which a facet timed out, an error, or a streamed
    answer larger than ``max_body`` is not kept. Answers carry ``x-presswatch-cache: hit|miss``.
    """

    def __init__(self, ttl: float, version: Callable[[], Any] | None = None, max_entries: int = 5000,
                 max_body: int = 4 << 20, max_bytes: int = 256 << 20) -> None:
        self.ttl, self.max_entries, self.max_body, self.max_bytes = ttl, max_entries, max_body, max_bytes
        self.version = version or (lambda: None)
        self.entries: OrderedDict[tuple[Any, ...], tuple[float, int, list[dict[str, Any]]]] = OrderedDict()
        self.bytes = 0
        self.seen: Any = None  # the version the entries were made at
        self.pending: dict[tuple[Any, ...], asyncio.Future[list[dict[str, Any]] | None]] = {}

    @staticmethod
    def key(scope: dict[str, Any]) -> tuple[Any, ...] | None:
        if scope.get("type") != "http" or scope.get("method") != "GET":
            return None
        headers = dict(scope.get("headers") or [])
        if b"cookie" in headers or b"authorization" in headers or b"_trace" in scope.get("query_string", b""):
            return None
        return (scope.get("path"), scope.get("query_string"), headers.get(b"host"),
                headers.get(b"accept-encoding"))

    def _drop(self, key: tuple[Any, ...]) -> None:
        entry = self.entries.pop(key, None)
        if entry is not None:
            self.bytes -= entry[1]

    async def __call__(self, app: Any, scope: dict[str, Any], receive: Any, send: Any) -> None:
        key = self.key(scope)
        if key is None:
            await app(scope, receive, send)
            return
        version = self.version()
        if version != self.seen:  # a commit since: every entry is stale
            self.entries.clear()
            self.bytes, self.seen = 0, version
        hit = self.entries.get(key)
        if hit is not None:
            if hit[0] > time.monotonic():
                self.entries.move_to_end(key)
                return await self._replay(hit[2], send, b"hit")
            self._drop(key)
        if key in self.pending:  # the same request is being answered: wait for it
            messages = await asyncio.shield(self.pending[key])
            if messages is not None:
                return await self._replay(messages, send, b"hit")
            await app(scope, receive, send)
            return
        fut: asyncio.Future[list[dict[str, Any]] | None] = asyncio.get_running_loop().create_future()
        self.pending[key] = fut
        recorded: list[dict[str, Any]] = []
        size = 0

        async def record(message: dict[str, Any]) -> None:
            nonlocal size
            if size <= self.max_body:  # a big (streamed) answer is passed on, not kept
                size += len(message.get("body", b""))
                recorded.append(message)
            if message.get("type") == "http.response.start":
                message = _with_header(message, b"miss")
            await send(message)

        ok = False
        try:
            await app(scope, receive, record)
            ok = bool(recorded) and recorded[0].get("status") == 200 and size <= self.max_body
        finally:
            fut.set_result(recorded if ok else None)
            del self.pending[key]
        # kept only when nothing was committed while it was being made
        if ok and not _facets_timed_out(recorded) and self.version() == version == self.seen \
                and size <= self.max_bytes:
            self._drop(key)
            self.entries[key] = (time.monotonic() + self.ttl, size, recorded)
            self.bytes += size
            while self.entries and (len(self.entries) > self.max_entries or self.bytes > self.max_bytes):
                self._drop(next(iter(self.entries)))

    @staticmethod
    async def _replay(messages: list[dict[str, Any]], send: Any, how: bytes) -> None:
        for m in messages:
            await send(_with_header(m, how) if m.get("type") == "http.response.start" else m)


def _with_header(message: dict[str, Any], value: bytes) -> dict[str, Any]:
    headers = [h for h in message.get("headers") or [] if h[0].lower() != CACHE_HEADER]
    return {**message, "headers": [*headers, (CACHE_HEADER, value)]}


def _facets_timed_out(messages: list[dict[str, Any]]) -> bool:
    """A page on which Datasette gave up some facet (busy server) is not kept."""
    body = b"".join(m.get("body", b"") for m in messages)
    if b"These facets timed out" in body:
        return True
    return b'"facets_timed_out": [' in body and b'"facets_timed_out": []' not in body


def cache_seconds() -> float:
    """Seconds a cached answer is replayed at most: $PRESSWATCH_CACHE_SECONDS (``presswatch serve
    --cache-seconds``, config/settings.py), default 60; 0 turns the cache off. A bad value raises
    ``ConfigError`` naming the variable."""
    return settings.cache_seconds(DEFAULT_CACHE_SECONDS)  # a bad value: ConfigError naming it


def _database_files(datasette: Any) -> list[str]:
    return sorted(str(db.path) for db in datasette.databases.values() if getattr(db, "path", None))


def asgi_wrapper(datasette: Any) -> Callable[[ASGIApp], ASGIApp]:
    """Wraps Datasette's ASGI app: drops repeated facet parameters (``without_duplicate_facets``), then
    answers through a ``ResponseCache`` of ``cache_seconds()`` (none when 0) keyed on the served files'
    ``DataVersion``."""
    ttl = cache_seconds()
    versions = DataVersion([])
    cache = ResponseCache(ttl, versions) if ttl else None

    def wrap(app: ASGIApp) -> ASGIApp:
        async def presswatch_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
            scope = without_duplicate_facets(datasette, scope)
            if cache is not None:
                versions.paths = _database_files(datasette)  # databases are attached after start-up
                await cache(app, scope, receive, send)
            else:
                await app(scope, receive, send)

        return presswatch_app

    return wrap
