"""Datasette read connections: the ``vn_fold`` SQL function and the page-cache pragmas.

Called from the plugin's ``prepare_connection`` hook (config/datasette_plugins/presswatch_datasette.py)
for every connection Datasette opens.
"""

from __future__ import annotations

import functools
import sqlite3
from typing import Any

from db.publish import CACHE_KIB, MMAP_BYTES, tune_read_connection
from pipeline.normalize import search_fold

__all__ = ["CACHE_KIB", "MMAP_BYTES", "SHORT", "prepare_connection", "vn_fold"]

SHORT = 200  # strings up to this many characters are folded through the memo


def vn_fold(s: Any) -> str | None:
    """SQL ``vn_fold(x)``: ``pipeline.normalize.search_fold`` of ``str(x)`` ('Đà  Nẵng' -> 'da nang');
    NULL stays NULL. Never raises."""
    if s is None:
        return None
    s = str(s)
    return _short_fold(s) if len(s) <= SHORT else search_fold(s)


@functools.lru_cache(maxsize=16384)
def _short_fold(s: str) -> str | None:
    """Memoised for short strings: canned queries fold the same few hundred province and country
    names on every row (a Python call each, holding the GIL)."""
    return search_fold(s)


def prepare_connection(conn: sqlite3.Connection) -> None:
    """Register ``vn_fold`` (deterministic) on a Datasette connection and set mmap_size and cache_size
    (``db.publish.tune_read_connection``)."""
    conn.create_function("vn_fold", 1, vn_fold, deterministic=True)
    tune_read_connection(conn)
