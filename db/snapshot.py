"""A consistent copy of the database while crawls write to it (``presswatch snapshot``): SQLite's online
backup API reads one snapshot of the file (WAL readers never block the writer), into a temporary file
beside the target that replaces the target only when complete, so a read replica (``datasette -i``)
never sees half a copy."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def snapshot(src: str | Path, out: str | Path) -> int:
    """Copy the database at ``src`` (an existing SQLite file, opened read-only) to ``out`` as a single
    self-contained file (rollback journal, no -wal/-shm). Returns the size of ``out`` in bytes. Raises
    sqlite3.Error (unreadable source) or OSError (target folder missing or not writable); a failed copy
    leaves no temporary file and the previous ``out`` untouched."""
    out = Path(out)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    source = sqlite3.connect(f"file:{Path(src).resolve()}?mode=ro", uri=True, timeout=30)
    try:
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)  # all pages in one step: one consistent read transaction
            target.execute("PRAGMA journal_mode = DELETE")
            target.commit()
        finally:
            target.close()
        os.replace(tmp, out)
    finally:
        source.close()
        for leftover in (tmp, Path(f"{tmp}-journal")):
            leftover.unlink(missing_ok=True)
    return out.stat().st_size
