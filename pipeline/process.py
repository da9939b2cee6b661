"""The page path: the one road from downloaded bytes to a stored, scored, deduplicated article.

Every command that turns bytes into an article goes through here, so a fix lands once:

- ``process_page(body, headers, url, spec)``: decode (pipeline.decode) → extract (pipeline.extract)
  → language check (pipeline.normalize.looks_vietnamese) → ``(Article, None)`` or ``(None, reason)``.
  Used by the crawl's extract stage and by ``presswatch extract``, ``reextract`` and ``recheck``.
- ``score_article`` → ``dedup_article`` → ``store_article``: the rest of the chain for a new page
  (the crawl's stages 300/500/900 call them one by one; ``ingest`` runs all three).
- ``refresh_article``: the same chain for a stored article whose text was extracted again
  (``reextract``, ``recheck``): re-scored, its dedup index and story re-computed, its row (the
  search index follows by trigger) and (for a fresh download) page and revisions rewritten in one
  transaction.

Pure apart from the database handle it is given: no Scrapy here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from config import SiteSpec
from db import articles as dbart
from db import utcnow
from pipeline.article import Article
from pipeline.decode import decode_page
from pipeline.normalize import looks_vietnamese, normalize_inline, normalize_text

__all__ = ["process_page", "score_article", "dedup_article", "store_article", "ingest", "refresh_article",
           "article_row", "content_hash", "Refreshed", "reprocess", "store_activities", "refresh_activities"]

NewArticleHook = Callable[[sqlite_utils.Database, int, Article], None]


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    for k, v in (headers or {}).items():
        if k.lower() == name:
            return v
    return None


def process_page(body: bytes | str | None, headers: Mapping[str, str] | None, url: str,
                 spec: SiteSpec | None) -> tuple[Article | None, str | None]:
    """Downloaded (or stored) page bytes -> ``(Article, None)``, or ``(None, reason)`` when it is no
    Vietnamese article (empty body, challenge/anti-bot page, not HTML, listing page, too short, not
    Vietnamese or wrongly decoded text, ...). ``headers``: the HTTP response headers (Content-Type
    decides the charset when the bytes do not); ``url``: the canonical URL the article is stored
    under; ``spec``: the site (quirks, site names), None for an unknown site. Never raises."""
    from pipeline.extract import explain_extraction

    if body is None or not (body.strip() if isinstance(body, bytes | str) else body):
        return None, "empty body"
    decoded = decode_page(body, _header(headers, "content-type"))
    try:
        article, reason = explain_extraction(
            body if isinstance(body, bytes) else decoded.text, url, spec, headers=dict(headers or {}))
    except Exception as e:  # extraction must never stop a crawl or a maintenance command
        return None, f"extraction failed: {type(e).__name__}: {e}"
    if article is None:
        return None, reason or "not an article"
    # the monitor reads Vietnamese press only. Judged on the text, not on <html lang>: CMS
    # templates often say lang="en" on Vietnamese pages; mojibake is rejected here too.
    if not looks_vietnamese(f"{article.title}\n{article.text}"):
        return None, f"not Vietnamese text (page says language {article.language or 'nothing'})"
    from pipeline.dedup import find_canonical_link

    article.url = url
    if spec is not None:
        article.site = spec.key
    article.encoding = decoded.encoding
    article.canonical_link = article.canonical_link or find_canonical_link(decoded.text)
    return article, None


def score_article(article: Article) -> Article:
    """Set ``article.relevance`` (pipeline.relevance.score, lexicons from config/) and, for a relevant
    article, ``article.activities`` (pipeline.activities.activity_records). Returns the article."""
    from pipeline.activities import activity_records
    from pipeline.relevance import score

    article.relevance = score(article)
    article.activities = activity_records(article)
    return article


def refresh_activities(db: sqlite_utils.Database, article_id: int, relevance: Mapping[str, Any]) -> int:
    """Re-extract and store the activities of a stored article whose relevance (``Relevance.to_dict()``
    shape) was just recomputed (``presswatch rescore``); inside the caller's transaction. Returns the
    number of activities stored. Raises KeyError for an unknown id."""
    from pipeline.article import Relevance

    old = dbart.get_article(db, article_id)
    if old is None:
        raise KeyError(f"no article {article_id}")
    art = Article(url=old["url"], title=old["title"], text=old["text"], site=old["site"],
                  published=old["published"], description=old["description"])
    art.relevance = Relevance(score=relevance["score"], relevant=bool(relevance["relevant"]))
    from pipeline.activities import activity_records

    art.activities = activity_records(art)
    store_activities(db, article_id, art, old["story_id"])
    return len(art.activities)


def store_activities(db: sqlite_utils.Database, article_id: int, article: Article, story_id: int | None) -> None:
    """The article's activities and acting localities (db.activities; inside the article's transaction):
    reports of one story share an activity row."""
    from db.activities import store_article_activities
    from pipeline.activities import acting_localities, activity_records

    if article.activities is None:  # scored elsewhere (not by score_article): read them now
        article.activities = activity_records(article)
    store_article_activities(db, article_id, story_id if story_id is not None else article_id, article.published,
                             article.activities, acting_localities(article.activities))


def dedup_article(db: sqlite_utils.Database, article: Article, spec: SiteSpec | None = None,
                  *, exclude: int | None = None) -> bool:
    """Canonical URL from the page's own canonical link, then exact/near copy and story
    (pipeline.dedup.analyse) into ``article.dedup``. False when the article's canonical URL is
    stored already (nothing to analyse: the store records the fetched URL as a variant)."""
    from pipeline.dedup import analyse, canonical_from_page, load_config

    canon = canonical_from_page(article.url, article.canonical_link, spec)
    if canon != article.url:
        article.fetched_url = article.fetched_url or article.url
        article.url = canon
    if exclude is None and dbart.article_id_of(db, article.url) is not None:
        return False
    article.dedup = analyse(db, article, load_config(), exclude=exclude)
    return True


def content_hash(text: str) -> str:
    """Hash of the accent-folded, space-collapsed text: equal for exact copies."""
    from pipeline.dedup import fast_content_hash

    return fast_content_hash(text)


def article_row(a: Article, fetched_at: str | None = None) -> dict[str, Any]:
    """The ``articles`` columns of an Article (JSON lists for provinces, countries and evidence). Title
    and text are stored normalised (``pipeline.normalize``: NFC, tone placement, Ð→Đ), whoever made
    the Article: extraction already does it (then nothing changes); the search index and the
    queries rely on it."""
    rel = a.relevance
    text = normalize_text(a.text)
    row: dict[str, Any] = {
        "url": a.url, "site": a.site, "title": normalize_inline(a.title), "published": a.published,
        "published_source": a.published_source, "author": a.author, "description": a.description,
        "text": text, "image": a.image, "language": a.language, "content_hash": content_hash(text),
        "fetched_at": fetched_at or utcnow(),
        "relevance": None, "relevant": None, "provinces": None, "countries": None, "relevance_evidence": None,
    }
    if rel is not None:
        row.update(relevance_columns(rel.to_dict()))
    if a.dedup is not None:
        row["duplicate_of"] = a.dedup.duplicate_of
        row["story_id"] = a.dedup.story_id
    return row


def relevance_columns(rel: Mapping[str, Any]) -> dict[str, Any]:
    """``Relevance.to_dict()`` as the five articles columns."""
    return {"relevance": rel["score"], "relevant": int(bool(rel["relevant"])),
            "provinces": json.dumps(rel["provinces"], ensure_ascii=False),
            "countries": json.dumps(rel["countries"], ensure_ascii=False),
            "relevance_evidence": json.dumps(rel["evidence"], ensure_ascii=False)}


def store_article(db: sqlite_utils.Database, article: Article, html: bytes | str, *, http_status: int | None = 200,
                  content_type: str | None = None, encoding: str | None = None,
                  on_new: NewArticleHook | None = None) -> int | None:
    """Store one article with its raw page, dedup index rows and URL records in one
    transaction (db.articles.insert_article). ``on_new(db, id, article)`` runs inside it for a new
    article (the alert outbox). Returns the new id (also set on ``article.id``), or None when the
    canonical URL was stored already. Raises sqlite3.OperationalError (e.g. disk full: nothing of the
    article is written)."""
    from pipeline.dedup import index_rows

    def hook(i: int) -> None:
        store_activities(db, i, article, article.dedup.story_id if article.dedup is not None else None)
        if on_new is not None:
            on_new(db, i, article)

    new_id = dbart.insert_article(
        db, article_row(article), html,
        index=index_rows(article.dedup) if article.dedup is not None else None,
        fetched_url=article.fetched_url, http_status=http_status, content_type=content_type,
        encoding=encoding or article.encoding, on_new=hook)
    article.id = new_id
    return new_id


def ingest(db: sqlite_utils.Database, article: Article, html: bytes | str, spec: SiteSpec | None = None, *,
           http_status: int | None = 200, content_type: str | None = None,
           on_new: NewArticleHook | None = None) -> int | None:
    """score → dedup → store for one extracted article; the new id, or None when already stored."""
    score_article(article)
    dedup_article(db, article, spec)
    return store_article(db, article, html, http_status=http_status, content_type=content_type, on_new=on_new)


@dataclass(frozen=True)
class Refreshed:
    changed: bool  # anything of the stored row changed (text, metadata, relevance, story)
    text_changed: bool  # the title or text changed (a revision was recorded when asked for)


def refresh_article(db: sqlite_utils.Database, article_id: int, article: Article, html: bytes | str | None = None,
                    *, revision: bool = False) -> Refreshed:
    """Rewrite a stored article from a new extraction of its page: re-score, re-compute its dedup
    index and story (its own id excluded), update the row (the search index follows); with ``html``
    (a fresh download) replace the stored page; with ``revision`` record the stored and the new version in
    ``article_revisions`` when the title or text changed. One transaction. Raises KeyError for an
    unknown id."""
    from pipeline.dedup import index_rows

    old = dbart.get_article(db, article_id)
    if old is None:
        raise KeyError(f"no article {article_id}")
    article.url = old["url"]
    article.site = article.site or old["site"]
    score_article(article)
    from pipeline.dedup import analyse, load_config

    article.dedup = analyse(db, article, load_config(), fetched_at=old["fetched_at"], exclude=article_id)
    row = article_row(article, old["fetched_at"])
    text_changed = row["content_hash"] != old["content_hash"] or row["title"] != old["title"]
    now = utcnow()
    with db.atomic():
        if revision and text_changed:
            if not dbart.has_revisions(db, article_id):
                dbart.record_revision(db, article_id, old["fetched_at"], old["title"], old["text"],
                                      old["content_hash"] or content_hash(old["text"]))
            dbart.record_revision(db, article_id, now, article.title, article.text, row["content_hash"])
        changed = dbart.update_article(db, article_id, row)
        story = article.dedup.story_id if article.dedup.story_id is not None else article_id
        if article.dedup.duplicate_of != old["duplicate_of"] or story != old["story_id"]:
            changed = True
        dbart.set_links(db, article_id, article.dedup.duplicate_of, story)
        dbart.write_index(db, article_id, index_rows(article.dedup), replace=True)
        store_activities(db, article_id, article, story)
        if html is not None:
            dbart.replace_page(db, article_id, html, now)
    article.id = article_id
    return Refreshed(changed=changed, text_changed=text_changed)


def reprocess(db: sqlite_utils.Database, article_id: int, url: str, body: bytes | str,
              headers: Mapping[str, str] | None, spec: SiteSpec | None, *,
              fresh: bool = False) -> tuple[Refreshed | None, str | None]:
    """A stored article's page again through the whole path: ``process_page`` then ``refresh_article``.
    ``fresh``: the bytes are a new download (``recheck``: the page is replaced and a changed text
    recorded as a revision); otherwise they are the stored page (``reextract``).
    Returns ``(Refreshed, None)``, or ``(None, reason)`` when the page no longer extracts (row kept)."""
    article, reason = process_page(body, headers, url, spec)
    if article is None:
        return None, reason
    return refresh_article(db, article_id, article, body if fresh else None, revision=fresh), None
