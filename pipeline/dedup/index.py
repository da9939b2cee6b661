"""Deduplication against the stored index: exact copies (content hash), near copies (MinHash LSH bands in
SQLite), stories (shared name keys within a window), and re-indexing. The SQL is in db/dedup_index.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import sqlite_utils

from config import vn_datetime
from db import dedup_index as q
from db.articles import IndexRows
from pipeline.article import Article, DedupResult
from pipeline.dedup.evidence import Features, features, idf, judge, kind
from pipeline.dedup.guards import Doc, article_day, text_event_match
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


# -- index queries ----------------------------------------------------------------------------
@dataclass
class Match:
    duplicate_of: int | None = None  # the earliest article of the group
    supersedes: int | None = None  # the new article is earlier than this group root: it takes its place
    jaccard: float = 0.0
    exact: bool = False


_FAR = datetime(9999, 1, 1, tzinfo=UTC)


def _order_key(published: str | None, fetched_at: str | None, id_: int) -> tuple[datetime, int]:
    return (vn_datetime(published) or vn_datetime(fetched_at) or _FAR, id_)


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
    roots = q.roots(db, sorted(hits))
    # re-indexing a stored original: its own copies point back at it, they are not its originals
    ids = sorted(i for i in hits if exclude is None or roots[i] != exclude)
    if not ids:
        return None
    root_ids = sorted({roots[i] for i in ids})
    order = {i: _order_key(p, f, i) for i, p, f in q.dates(db, root_ids)}
    root = min(root_ids, key=lambda i: order.get(i, (_FAR, i)))
    best = max(hits[i][0] for i in ids if roots[i] == root)
    exact = any(hits[i][1] for i in ids if roots[i] == root)
    new_when = vn_datetime(a.published)
    if new_when is not None and root in order and new_when < order[root][0]:
        return Match(supersedes=root, jaccard=best, exact=exact)
    return Match(duplicate_of=root, jaccard=best, exact=exact)


StoryLink = tuple[int, int, float, str]  # (story_id, linked_to, score, explanation)


def find_story(db: sqlite_utils.Database, a: Article, feats: Features, day: str, cfg: DedupConfig,
               exclude: int | None = None) -> tuple[StoryLink, list[int]] | None:
    """The story a new (or re-analysed, ``exclude``) article joins, from weighted evidence
    (pipeline/dedup/evidence.py): ``((story_id, linked_to, score, explanation), other stories)`` -
    the best stored report of the same event, and the other stories the article also reports
    (matched at ``merge_score`` or more, their first reports not speaking against each other: one
    event stored as two stories, to be joined), or None. Candidates share a rare name within
    +/- ``window_days`` of ``day`` (YYYY-MM-DD), or the same event date within +/- ``event_window_days``.
    Reads story_keys, story_key_df and articles."""
    names = [k for k in feats.keys if kind(k) != "activity"]
    if not names:
        return None
    n = q.corpus_size(db)
    df = q.key_df(db, names)
    rare = [k for k in names if df.get(k, 0) <= max(2.0, cfg.max_df_share * n) and k not in cfg.common]
    d = date.fromisoformat(day)
    wide, near = timedelta(days=cfg.event_window_days), timedelta(days=cfg.window_days)
    firsts = [k for k in feats.keys if k[:1] in "=?"]
    hits = q.window_hits(db, rare, (d - near).isoformat(), (d + near).isoformat(), exclude)
    # further away only a report naming the same event date (previews, follow-ups)
    far_ids = {aid for aid, _, _ in q.window_hits(db, firsts, (d - wide).isoformat(), (d + wide).isoformat(), exclude)}
    if not hits and not far_ids:
        return None
    gain: dict[int, float] = {}
    for aid, k, _ in hits:
        gain[aid] = gain.get(aid, 0.0) + idf(df.get(k, 0), n)
    for aid in far_ids:
        gain[aid] = gain.get(aid, 0.0) + cfg.min_evidence
    ids = sorted(gain, key=lambda i: -gain[i])[:30]
    ids = [i for i in ids if gain[i] >= cfg.min_evidence * 0.5]
    if not ids:
        return None
    their = q.keys_of(db, ids)
    df.update(q.key_df(db, sorted({k for ks in their.values() for k in ks} - set(df))))
    weights = {k: idf(v, n) for k, v in df.items()}
    found: list[tuple[float, int, int, str]] = []
    for i, title, story in q.titles_and_stories(db, ids):
        v = judge(feats, their.get(i, []), title, weights, cfg)
        if v.same:
            found.append((v.score, story, i, v.explanation))
    best: dict[int, tuple[float, int, str]] = {}  # story -> its best agreeing report, best story first
    for score, story, i, why in sorted(found, reverse=True):
        if story not in best and (story in (i, exclude) or _agrees_with_root(db, feats, story, weights, n, cfg)):
            best[story] = (score, i, why)
    if not best:
        return None
    first = next(iter(best))
    score, i, why = best[first]
    merge: list[int] = []
    for story, (sc, _, _) in list(best.items())[1:]:
        if sc >= cfg.merge_score and story != exclude and first != exclude and all(
                _roots_agree(db, story, s, weights, n, cfg) for s in [first, *merge]):
            merge.append(story)
    return (first, i, score, why), merge


def _root_features(db: sqlite_utils.Database, story: int) -> Features | None:
    keys = q.keys_of(db, [story]).get(story)
    rows = q.titles_and_stories(db, [story])
    if not keys or not rows:
        return None
    return Features(keys={k: k for k in keys}, title=rows[0][1])


def _weights_for(db: sqlite_utils.Database, keys: list[str], weights: dict[str, float], n: int) -> dict[str, float]:
    missing = sorted(set(keys) - set(weights))
    w = dict(weights)
    w.update({k: idf(v, n) for k, v in q.key_df(db, missing).items()})
    return w


def _agrees_with_root(db: sqlite_utils.Database, feats: Features, story: int, weights: dict[str, float], n: int,
                      cfg: DedupConfig) -> bool:
    """A story is joined only when its first report does not speak against it (net evidence >= 0: no
    other event date or venue outweighing what they share). Against chaining: a report of two events
    must not pull the second event's reports into the first one's story."""
    root = _root_features(db, story)
    if root is None:
        return True  # the root has no keys (stored before stories, or a copy): nothing to check
    return judge(feats, root.keys, root.title, _weights_for(db, list(root.keys), weights, n), cfg).score >= 0.0


def _roots_agree(db: sqlite_utils.Database, a: int, b: int, weights: dict[str, float], n: int,
                 cfg: DedupConfig) -> bool:
    """Two stories may be joined only when their first reports do not speak against each other
    (net evidence >= 0): a report of two events on one day (a launch and an anniversary) must not
    join their stories."""
    ra, rb = _root_features(db, a), _root_features(db, b)
    if ra is None or rb is None:
        return False  # nothing to compare: leave them apart
    w = _weights_for(db, [*ra.keys, *rb.keys], weights, n)
    return judge(ra, rb.keys, rb.title, w, cfg).score >= 0.0


def _features(a: Article, day: str, cfg: DedupConfig) -> Features:
    return features(a.title, a.text, date.fromisoformat(day), cfg)


def analyse(db: sqlite_utils.Database, a: Article, cfg: DedupConfig | None = None,
            fetched_at: str | None = None, exclude: int | None = None) -> DedupResult:
    """Everything the store writes with an article: signature, bands, duplicate, story and the
    story link's explanation, and the stories it joins into its own (``story_merges``; the kept id is
    an alerted one if any, else the smallest). ``exclude``: the article's own id when it is stored
    already (re-indexing, re-clustering, recheck): an article whose story was alerted keeps its story id
    (alert_outbox keys on it). Reads the stored index (minhash_bands, article_minhash, story_keys,
    story_key_df, alert_outbox); writes nothing."""
    from db import utcnow
    from db.stories import alerted_among, alerted_story

    cfg = cfg or load_config()
    body = a.title + "\n" + a.text if len(a.text.split()) < 50 else a.text
    sig = signature(body, cfg)
    b, r = cfg.bands
    bands = band_hashes(sig, b, r) if _words(body) else []  # no words: nothing to compare
    chash = fast_content_hash(a.text)
    m = find_duplicate(db, a, sig, bands, chash, cfg, exclude)
    day = article_day(a.published, fetched_at or utcnow())
    out = DedupResult(minhash=signature_bytes(sig), bands=bands, story_day=day)
    kept = alerted_story(db, exclude) if exclude is not None else None
    if m is not None and m.duplicate_of is not None:
        out.duplicate_of = m.duplicate_of
        out.duplicate_jaccard = round(m.jaccard, 3)
        out.story_id = kept if kept is not None else q.story_of(db, m.duplicate_of)
        return out
    feats = _features(a, day, cfg)
    out.story_keys = list(feats.keys)
    if m is not None and m.supersedes is not None:
        out.supersedes = m.supersedes
        out.story_id = kept if kept is not None else q.story_of(db, m.supersedes)
        return out
    found = find_story(db, a, feats, day, cfg, exclude)
    if kept is not None:
        out.story_id = kept
    elif found is not None:
        (story, linked_to, score, why), merge = found
        if merge:  # one event stored as several stories: they become one, an alerted one keeps its id
            stories = [story, *merge]
            target = min(alerted_among(db, stories) or stories)
            out.story_merges = [s for s in stories if s != target]
            why += "; joins stories " + ", ".join(str(s) for s in sorted(stories))
            story = target
        out.story_id, out.story_link = story, (story, linked_to, score, why)
    return out


def index_rows(d: DedupResult) -> IndexRows:
    """The db-side rows of a dedup result (db.articles.write_index)."""
    return IndexRows(minhash=d.minhash, bands=list(d.bands), story_keys=list(d.story_keys), story_day=d.story_day,
                     supersedes=d.supersedes, story_link=d.story_link, story_merges=list(d.story_merges))


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
