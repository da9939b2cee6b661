"""Deduplication against the stored index: exact copies (content hash), near copies (MinHash LSH bands in
SQLite), stories (shared name keys within a window), and re-indexing. The SQL is in db/dedup_index.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import sqlite_utils

from config import VN_TZ
from db import dedup_index as q
from db.articles import IndexRows
from pipeline.article import Article, DedupResult
from pipeline.dedup.guards import Doc, article_day, text_event_match, title_similarity
from pipeline.dedup.minhash import (
    _words,
    band_hashes,
    estimated_jaccard,
    fast_content_hash,
    signature,
    signature_bytes,
    signature_from_bytes,
)
from pipeline.dedup.settings import DedupConfig, load_config
from pipeline.dedup.stories import entity_keys


# -- index queries ----------------------------------------------------------------------------
@dataclass
class Match:
    duplicate_of: int | None = None  # the earliest article of the group
    supersedes: int | None = None  # the new article is earlier than this group root: it takes its place
    jaccard: float = 0.0
    exact: bool = False


_FAR = datetime(9999, 1, 1, tzinfo=UTC)


def _instant(s: str | None) -> datetime | None:
    """An ISO date or date-time as an aware datetime (no offset: Vietnam time)."""
    if not s:
        return None
    try:
        d = datetime.fromisoformat(s.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=VN_TZ)


def _order_key(published: str | None, fetched_at: str | None, id_: int) -> tuple[datetime, int]:
    return (_instant(published) or _instant(fetched_at) or _FAR, id_)


def find_duplicate(db: sqlite_utils.Database, a: Article, sig: np.ndarray, bands: list[int],
                   chash: str, cfg: DedupConfig, exclude: int | None = None) -> Match | None:
    """The stored group this article copies (exactly or nearly), or None. ``exclude``: the
    article's own id when it is stored already (re-indexing)."""
    new_doc = Doc(a.site, a.title, a.text, a.published)
    hits: dict[int, tuple[float, bool]] = {i: (1.0, True) for i in q.same_hash(db, chash, exclude)}
    if not hits and bands:
        cand = q.band_candidates(db, bands, cfg.bands[0], exclude)
        if cand:
            close = {i: estimated_jaccard(sig, signature_from_bytes(m))
                     for i, m in q.signatures(db, sorted(cand)[:200])}
            close = {i: j for i, j in close.items() if j >= cfg.threshold}
            for i, site, title, text, published in q.docs(db, sorted(close)):
                if text_event_match(new_doc, Doc(site, title, text, published), close[i], cfg):
                    hits[i] = (close[i], False)
    if not hits:
        return None
    ids = sorted(hits)
    roots = q.roots(db, ids)
    root_ids = sorted(set(roots.values()))
    order = {i: _order_key(p, f, i) for i, p, f in q.dates(db, root_ids)}
    root = min(root_ids, key=lambda i: order.get(i, (_FAR, i)))
    best = max(hits[i][0] for i in ids if roots[i] == root)
    exact = any(hits[i][1] for i in ids if roots[i] == root)
    new_when = _instant(a.published)
    if new_when is not None and root in order and new_when < order[root][0]:
        return Match(supersedes=root, jaccard=best, exact=exact)
    return Match(duplicate_of=root, jaccard=best, exact=exact)


def find_story(db: sqlite_utils.Database, a: Article, keys: list[str], day: str,
               cfg: DedupConfig) -> int | None:
    """The story_id of the stored article that best reports the same event, or None."""
    if len(keys) < cfg.min_shared:
        return None
    d = date.fromisoformat(day)
    w = timedelta(days=cfg.window_days)
    shared = q.sharing_keys(db, keys, (d - w).isoformat(), (d + w).isoformat(), cfg.min_shared)
    if not shared:
        return None
    ids = sorted(shared, key=lambda i: -shared[i])[:100]
    sizes = q.key_counts(db, ids)
    best: tuple[float, int] | None = None
    for i, title, story in q.titles_and_stories(db, ids):
        overlap = shared[i] / max(1, min(len(keys), sizes.get(i, len(keys))))
        score = 0.7 * overlap + 0.3 * title_similarity(a.title, title)
        if score >= cfg.min_score and (best is None or score > best[0]):
            best = (score, story)
    return best[1] if best else None


def analyse(db: sqlite_utils.Database, a: Article, cfg: DedupConfig | None = None,
            fetched_at: str | None = None, exclude: int | None = None) -> DedupResult:
    """Everything the store writes with an article: signature, bands, duplicate, story.
    ``exclude``: the article's own id when it is stored already (re-indexing, re-clustering).
    Reads the stored index (minhash_bands, article_minhash, story_keys); writes nothing."""
    from db import utcnow

    cfg = cfg or load_config()
    body = a.title + "\n" + a.text if len(a.text.split()) < 50 else a.text
    sig = signature(body, cfg)
    b, r = cfg.bands
    bands = band_hashes(sig, b, r) if _words(body) else []  # no words: nothing to compare
    chash = fast_content_hash(a.text)
    m = find_duplicate(db, a, sig, bands, chash, cfg, exclude)
    day = article_day(a.published, fetched_at or utcnow())
    out = DedupResult(minhash=signature_bytes(sig), bands=bands, story_day=day)
    if m is not None and m.duplicate_of is not None:
        out.duplicate_of = m.duplicate_of
        out.duplicate_jaccard = round(m.jaccard, 3)
        out.story_id = q.story_of(db, m.duplicate_of)
        return out
    out.story_keys = entity_keys(a.title, a.text, cfg.max_keys, cfg.common)
    if m is not None and m.supersedes is not None:
        out.supersedes = m.supersedes
        out.story_id = q.story_of(db, m.supersedes)
        return out
    out.story_id = find_story(db, a, out.story_keys, day, cfg)
    return out


def index_rows(d: DedupResult) -> IndexRows:
    """The db-side rows of a dedup result (db.articles.write_index)."""
    return IndexRows(minhash=d.minhash, bands=list(d.bands), story_keys=list(d.story_keys), story_day=d.story_day,
                     supersedes=d.supersedes)


def is_duplicate(x: Any) -> bool:
    """True for a copy of an earlier article (not news for alerts): an Article (or a stage item
    holding one) whose dedup result has ``duplicate_of``, or a database row (dict) with ``duplicate_of`` set.
    In SQL: ``duplicate_of IS NOT NULL``."""
    art = getattr(x, "article", None) or x
    if isinstance(art, Article):
        return art.duplicate_of is not None
    if isinstance(x, dict):
        return x.get("duplicate_of") is not None
    return False


def reindex(db: sqlite_utils.Database, *, rebuild: bool = False, batch: int = 500,
            ids: list[int] | None = None) -> int:
    """Index the articles that have no MinHash yet (stored before deduplication existed, or all of
    them with ``rebuild`` - after num_perm or lsh_threshold changed; or exactly ``ids``, whose index
    is dropped first: ``presswatch recluster``): oldest first, each is checked against those indexed
    before it, so copies in the backlog get ``duplicate_of`` and stories form.
    Returns the number of articles indexed."""
    from db.articles import articles_by_id, clear_index, set_links, unindexed_ids, write_index

    cfg = load_config()
    if rebuild or ids is not None:
        clear_index(db, ids)
    todo = unindexed_ids(db)
    done = 0
    for i in range(0, len(todo), batch):
        chunk = todo[i : i + batch]
        by_id = articles_by_id(db, chunk)
        for aid in chunk:
            _, url, site, title, text, published, fetched_at = by_id[aid]
            a = Article(url=url, title=title, text=text, site=site, published=published)
            out = analyse(db, a, cfg, fetched_at=fetched_at, exclude=aid)
            with db.atomic():
                set_links(db, aid, out.duplicate_of, out.story_id)
                write_index(db, aid, index_rows(out))
            done += 1
    return done
