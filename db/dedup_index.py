"""The SQL of deduplication (pipeline/dedup/index.py decides; this module reads): exact copies by
content hash, LSH band candidates and their stored MinHash signatures, group roots and their dates,
stories sharing name keys within a window of days. Plain values in and out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlite_utils


def _in(ids: Sequence[Any]) -> str:
    return ",".join("?" * len(ids))


def same_hash(db: sqlite_utils.Database, content_hash: str, exclude: int | None, limit: int = 5) -> list[int]:
    """Ids of stored articles with this content hash (oldest first), not ``exclude``."""
    return [int(r[0]) for r in db.execute(
        "SELECT id FROM articles WHERE content_hash = ? AND id IS NOT ? ORDER BY id LIMIT ?",
        [content_hash, exclude, limit])]


def band_candidates(db: sqlite_utils.Database, bands: list[int], n_bands: int, exclude: int | None) -> set[int]:
    """Ids of articles sharing at least one LSH band hash (in the same band position) with ``bands``."""
    if not bands:
        return set()
    return {aid for h, band, aid in db.execute(
        f"SELECT hash, band, article_id FROM minhash_bands WHERE hash IN ({_in(bands)})", bands)
        if 0 <= band < n_bands and bands[band] == h and aid != exclude}


def signatures(db: sqlite_utils.Database, ids: list[int]) -> list[tuple[int, bytes]]:
    """(article_id, MinHash signature bytes) of these ids."""
    if not ids:
        return []
    return [(int(i), m) for i, m in db.execute(
        f"SELECT article_id, minhash FROM article_minhash WHERE article_id IN ({_in(ids)})", ids)]


def docs(db: sqlite_utils.Database, ids: list[int]) -> list[tuple[int, str | None, str, str, str | None]]:
    """(id, site, title, text, published) of these ids."""
    if not ids:
        return []
    return [(int(r[0]), r[1], r[2], r[3], r[4]) for r in db.execute(
        f"SELECT id, site, title, text, published FROM articles WHERE id IN ({_in(ids)})", ids)]


def roots(db: sqlite_utils.Database, ids: list[int]) -> dict[int, int]:
    """id -> the root of its group (its ``duplicate_of``, or itself)."""
    return {int(i): int(dup or i) for i, dup in db.execute(
        f"SELECT id, duplicate_of FROM articles WHERE id IN ({_in(ids)})", ids)} if ids else {}


def dates(db: sqlite_utils.Database, ids: list[int]) -> list[tuple[int, str | None, str | None]]:
    """(id, published, fetched_at) of these ids."""
    if not ids:
        return []
    return [(int(i), p, f) for i, p, f in db.execute(
        f"SELECT id, published, fetched_at FROM articles WHERE id IN ({_in(ids)})", ids)]


def sharing_keys(db: sqlite_utils.Database, keys: list[str], lo: str, hi: str, min_shared: int) -> dict[int, int]:
    """article_id -> number of distinct ``keys`` it shares, for articles whose story day is within
    [lo, hi] (YYYY-MM-DD) and that share at least ``min_shared``."""
    if not keys:
        return {}
    return {int(aid): int(n) for aid, n in db.execute(
        f"SELECT article_id, count(DISTINCT key) FROM story_keys WHERE key IN ({_in(keys)}) "
        "AND day BETWEEN ? AND ? GROUP BY article_id HAVING count(DISTINCT key) >= ?",
        [*keys, lo, hi, min_shared])}


def key_counts(db: sqlite_utils.Database, ids: list[int]) -> dict[int, int]:
    """article_id -> its number of distinct story keys."""
    if not ids:
        return {}
    return {int(a): int(n) for a, n in db.execute(
        f"SELECT article_id, count(DISTINCT key) FROM story_keys WHERE article_id IN ({_in(ids)}) "
        "GROUP BY article_id", ids)}


def titles_and_stories(db: sqlite_utils.Database, ids: list[int]) -> list[tuple[int, str, int]]:
    """(id, title, story id or own id) of these ids."""
    if not ids:
        return []
    return [(int(i), t, int(s)) for i, t, s in db.execute(
        f"SELECT id, title, coalesce(story_id, id) FROM articles WHERE id IN ({_in(ids)})", ids)]


def story_of(db: sqlite_utils.Database, article_id: int) -> int | None:
    """The story id of an article (its own id when it has none yet), None if unknown."""
    row = db.execute("SELECT coalesce(story_id, id) FROM articles WHERE id = ?", [article_id]).fetchone()
    return int(row[0]) if row else None


# -- weighted story evidence (pipeline/dedup/evidence.py) -----------------------------------------
def key_df(db: sqlite_utils.Database, keys: list[str]) -> dict[str, int]:
    """key -> number of stored articles with this story key (``story_key_df``, kept by triggers)."""
    if not keys:
        return {}
    return {k: int(n) for k, n in db.execute(
        f"SELECT key, n FROM story_key_df WHERE key IN ({_in(keys)})", keys)}


def corpus_size(db: sqlite_utils.Database) -> int:
    """About how many articles are stored (the largest id: one index look-up), at least 1."""
    row = db.execute("SELECT max(id) FROM articles").fetchone()
    return max(1, int(row[0] or 0))


def window_hits(db: sqlite_utils.Database, keys: list[str], lo: str, hi: str,
                exclude: int | None) -> list[tuple[int, str, str]]:
    """(article_id, key, day) of the stored story keys among ``keys`` whose day is in [lo, hi]."""
    if not keys:
        return []
    return [(int(a), k, d) for a, k, d in db.execute(
        f"SELECT article_id, key, day FROM story_keys WHERE key IN ({_in(keys)}) AND day BETWEEN ? AND ? "
        "AND article_id IS NOT ?", [*keys, lo, hi, exclude])]


def keys_of(db: sqlite_utils.Database, ids: list[int]) -> dict[int, list[str]]:
    """article_id -> its story keys."""
    out: dict[int, list[str]] = {}
    if ids:
        for a, k in db.execute(f"SELECT article_id, key FROM story_keys WHERE article_id IN ({_in(ids)})", ids):
            out.setdefault(int(a), []).append(k)
    return out
