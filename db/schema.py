"""Versioned migrations (sqlite-utils ``Migrations``): append new ones at the end, never edit old ones.

sqlite-utils applies the migrations in the order they are registered in this file and records the
name of each one applied in the database's ``_sqlite_migrations`` table; on the next start it runs
every registered name that table does not list. The names are therefore frozen: renaming a
migration would make every existing database run it again (its CREATE TABLE would then fail). The
names of the first six are kept as they are, irregular as they look. In order:

1. ``0001_spine``
2. ``0002_dedup``
3. ``0003_alert_outbox``
4. ``0002_scheduler``: runs after 0003 although numbered 0002 — it was written beside 0002_dedup on
   another branch and merged later; the order of registration, not the number, decides.
5. ``datasette_browse_indexes``
6. ``datasette_facet_indexes`` (both named before migrations were numbered)

From now on a new migration is appended at the end and named ``NNNN_name`` with the next number
(the next one is ``0007_…``), so that the names sort in the order they run. tests/test_schema.py
checks the order, the names, and that a new database and one migrated one step at a time end with
the same schema.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

migrations = Migrations("presswatch")

# FTS5 over the article title and text. `dwords` holds the article's words that contain đ/Đ with
# đ folded to d (pipeline.normalize.d_words): unicode61 with remove_diacritics 2 folds every
# other Vietnamese mark but not đ, so "doi ngoai" finds "đối ngoại" through this column.
FTS_TABLE = "articles_fts"


@migrations(name="0001_spine")
def m0001_spine(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE sites (
            key TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            domains TEXT,             -- JSON array
            every_seconds REAL,
            enabled INTEGER NOT NULL DEFAULT 1,
            updated_at TEXT
        );
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,         -- canonical URL
            site TEXT REFERENCES sites(key),
            title TEXT NOT NULL,
            published TEXT,                    -- ISO 8601 with offset (+07:00)
            published_source TEXT,             -- jsonld | meta | url | htmldate
            author TEXT,
            description TEXT,
            text TEXT NOT NULL,
            image TEXT,
            language TEXT,
            content_hash TEXT,
            fetched_at TEXT NOT NULL,
            relevance REAL,
            relevant INTEGER,
            provinces TEXT,                    -- JSON array
            countries TEXT,                    -- JSON array
            relevance_evidence TEXT            -- JSON
        );
        CREATE INDEX articles_site_published ON articles(site, published);
        CREATE INDEX articles_published ON articles(published);
        CREATE INDEX articles_fetched_at ON articles(fetched_at);
        CREATE INDEX articles_relevant_published ON articles(relevant, published);
        CREATE TABLE pages (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id),
            url TEXT NOT NULL,                 -- the URL that was downloaded
            http_status INTEGER,
            content_type TEXT,
            html BLOB NOT NULL,                -- zlib-compressed raw bytes
            encoding TEXT,
            fetched_at TEXT NOT NULL
        );
        -- every URL the crawler decided about: what it was and why (articles, rejects, blocks)
        CREATE TABLE urls (
            url TEXT PRIMARY KEY,
            site TEXT,
            status TEXT NOT NULL,              -- article | not_article | blocked | error
            reason TEXT,
            http_status INTEGER,
            article_id INTEGER REFERENCES articles(id),
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX urls_article ON urls(article_id);
        CREATE TABLE crawl_runs (
            id INTEGER PRIMARY KEY,
            site TEXT NOT NULL,
            started TEXT NOT NULL,
            finished TEXT,
            requests INTEGER NOT NULL DEFAULT 0,
            new INTEGER NOT NULL DEFAULT 0,
            skipped INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'running', -- running | ok | failed | blocked | killed
            error TEXT
        );
        CREATE INDEX crawl_runs_site_started ON crawl_runs(site, started);
        """
    )
    db.execute(
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
        "title, text, dwords, tokenize = 'unicode61 remove_diacritics 2')"
    )


@migrations(name="0002_dedup")
def m0002_dedup(db: sqlite_utils.Database) -> None:
    """Deduplication and story clusters (pipeline/dedup.py): an exact or near copy points at the
    earliest article of its group (duplicate_of); articles about one event share story_id; the
    MinHash LSH index persists as band hashes; an article edited after it was stored keeps its
    earlier versions in article_revisions."""
    db.executescript(
        """
        ALTER TABLE articles ADD COLUMN duplicate_of INTEGER REFERENCES articles(id);
        ALTER TABLE articles ADD COLUMN story_id INTEGER;
        -- the MinHash signature of each indexed article, num_perm x uint32 little-endian (apart from
        -- articles, so that no binary column reaches the articles table's readers and exports)
        CREATE TABLE article_minhash (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id),
            minhash BLOB NOT NULL
        );
        CREATE INDEX articles_content_hash ON articles(content_hash);
        CREATE INDEX articles_duplicate_of ON articles(duplicate_of);
        CREATE INDEX articles_story_id ON articles(story_id);
        -- LSH: one row per (band, hash of the band's MinHash rows); candidates share a row
        CREATE TABLE minhash_bands (
            hash INTEGER NOT NULL,
            band INTEGER NOT NULL,
            article_id INTEGER NOT NULL,
            PRIMARY KEY (hash, band, article_id)
        ) WITHOUT ROWID;
        CREATE INDEX minhash_bands_article ON minhash_bands(article_id);
        -- named-entity keys (accent-folded capitalised word pairs) for story clustering
        CREATE TABLE story_keys (
            key TEXT NOT NULL,
            day TEXT NOT NULL,                 -- YYYY-MM-DD: published, else fetched
            article_id INTEGER NOT NULL,
            PRIMARY KEY (key, day, article_id)
        ) WITHOUT ROWID;
        CREATE INDEX story_keys_article ON story_keys(article_id);
        CREATE TABLE article_revisions (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            fetched_at TEXT NOT NULL,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            content_hash TEXT NOT NULL
        );
        CREATE INDEX article_revisions_article ON article_revisions(article_id, fetched_at);
        -- one row per story (articles stored before deduplication join after pipeline.dedup.reindex)
        CREATE VIEW stories AS
        SELECT a.story_id AS story_id,
               min(coalesce(a.published, a.fetched_at)) AS first_seen,
               (SELECT b.title FROM articles b WHERE b.story_id = a.story_id
                ORDER BY coalesce(b.published, b.fetched_at), b.id LIMIT 1) AS title,
               json_group_array(DISTINCT a.site) AS outlets,
               count(*) AS n_articles,
               sum(a.duplicate_of IS NOT NULL) AS n_copies
        FROM articles a
        WHERE a.story_id IS NOT NULL
        GROUP BY a.story_id;
        """
    )


# New-article alerts (pipeline/alerts/outbox.py): one row per (subscription, story), written in the
# article's own transaction; delivery is at-least-once with exponential back-off. Only the
# subscription's name is stored, never a channel URL (channels may carry secrets).
# Numbered 0003: the dedup branch adds 0002_dedup (story_id, duplicate_of); the two are independent.
@migrations(name="0003_alert_outbox")
def m0003_alert_outbox(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE alert_outbox (
            id INTEGER PRIMARY KEY,
            subscription TEXT NOT NULL,        -- [alerts.NAME] in the alerts file
            story_key TEXT NOT NULL,           -- the story id (dedup) or else the article id
            article_id INTEGER NOT NULL REFERENCES articles(id),
            reasons TEXT,                      -- JSON: provinces, countries, terms, score
            created_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending', -- pending | sent | failed (gave up) | feed_only
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,     -- UTC ISO; also the lease while a sender holds the row
            last_attempt_at TEXT,
            sent_at TEXT,
            delivered TEXT,                    -- JSON array of channel ids already sent to
            error TEXT,                        -- the last failure, secrets scrubbed
            UNIQUE (subscription, story_key)
        );
        CREATE INDEX alert_outbox_due ON alert_outbox(status, next_attempt_at);
        CREATE INDEX alert_outbox_sub_article ON alert_outbox(subscription, article_id);
        """
    )


@migrations(name="0002_scheduler")
def m0002_scheduler(db: sqlite_utils.Database) -> None:
    """Incremental polling state: conditional-GET bookkeeping per source URL, per-site back-off and
    adaptive interval, more detail per crawl run, and a `site_health` view."""
    db.executescript(
        """
        -- one row per feed / sitemap (index or shard) / section URL the spider has fetched
        CREATE TABLE sources (
            url TEXT PRIMARY KEY,
            site TEXT NOT NULL,
            kind TEXT,                         -- feed | sitemap | section
            etag TEXT,
            last_modified TEXT,
            body_hash TEXT,                    -- sha1 of the last body that was parsed
            lastmod TEXT,                      -- lastmod the parent sitemap index gave this shard
            last_status INTEGER,
            last_fetched TEXT,
            last_changed TEXT,                 -- when the body last differed from the one before
            retired INTEGER NOT NULL DEFAULT 0 -- 1 = an old sitemap shard, not fetched every pass
        );
        CREATE INDEX sources_site ON sources(site);
        -- scheduler state per site (survives restarts)
        CREATE TABLE site_state (
            site TEXT PRIMARY KEY,
            backoff_until TEXT,                -- no pass before this time (429/503, Retry-After)
            backoff_count INTEGER NOT NULL DEFAULT 0,
            backoff_reason TEXT,
            interval_seconds REAL,             -- current adaptive polling interval
            updated_at TEXT
        );
        ALTER TABLE crawl_runs ADD COLUMN http_status INTEGER;     -- HTTP status of the first error
        ALTER TABLE crawl_runs ADD COLUMN unchanged INTEGER NOT NULL DEFAULT 0; -- sources 304/same hash
        ALTER TABLE crawl_runs ADD COLUMN backoff_until TEXT;      -- set when the site said 429/503
        ALTER TABLE crawl_runs ADD COLUMN pid INTEGER;             -- the crawling process
        CREATE INDEX crawl_runs_site_id ON crawl_runs(site, id);
        CREATE INDEX articles_site_fetched_at ON articles(site, fetched_at);
        """
    )
    db.execute(SITE_HEALTH_VIEW)


# Frozen with migration 0002: a later change to the view needs a new migration (DROP VIEW, CREATE VIEW).
# Health per site. "failure" statuses: failed, blocked, killed, throttled. "stale": no new article
# for more than 10 polling intervals and more than 24 h (since the first run when there never was one).
# Every subquery is an index range (crawl_runs(site, id), crawl_runs(site, started), articles(site,
# fetched_at)): a few ms with 300,000 crawl_runs rows.
SITE_HEALTH_VIEW = """
CREATE VIEW site_health AS
WITH h AS (
    SELECT s.key AS site, s.name, s.enabled,
           coalesce(st.interval_seconds, s.every_seconds) AS interval_seconds,
           st.backoff_until,
           (SELECT max(id) FROM crawl_runs r WHERE r.site = s.key) AS last_id,
           (SELECT id FROM crawl_runs r WHERE r.site = s.key AND r.status = 'ok'
              ORDER BY id DESC LIMIT 1) AS last_ok_id,
           (SELECT started FROM crawl_runs r WHERE r.site = s.key ORDER BY id LIMIT 1) AS first_run,
           (SELECT max(fetched_at) FROM articles a WHERE a.site = s.key) AS last_new_article,
           -- last error / HTTP status of the last 7 days (bounded: crawl_runs grows for months)
           (SELECT error FROM crawl_runs r WHERE r.site = s.key AND r.error IS NOT NULL
              AND r.started > strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-7 days')
              ORDER BY started DESC LIMIT 1) AS last_error,
           (SELECT http_status FROM crawl_runs r WHERE r.site = s.key AND r.http_status IS NOT NULL
              AND r.started > strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-7 days')
              ORDER BY started DESC LIMIT 1) AS last_http_status
    FROM sites s LEFT JOIN site_state st ON st.site = s.key
), h2 AS (
    SELECT h.*, last.started AS last_run, last.status AS last_status,
           last.http_status AS last_run_http_status, ok.finished AS last_success,
           (SELECT count(*) FROM crawl_runs f WHERE f.site = h.site AND f.id > coalesce(h.last_ok_id, 0)
              AND f.status IN ('failed', 'blocked', 'killed', 'throttled')) AS consecutive_failures
    FROM h
    LEFT JOIN crawl_runs last ON last.id = h.last_id
    LEFT JOIN crawl_runs ok ON ok.id = h.last_ok_id
)
SELECT site, name, enabled, interval_seconds, last_run, last_status, last_success, last_new_article,
       consecutive_failures, last_error, last_http_status, backoff_until,
       CASE WHEN last_status = 'blocked' OR last_run_http_status = 403 THEN 1 ELSE 0 END AS blocked,
       CASE WHEN last_run IS NOT NULL
             AND (julianday('now') - julianday(coalesce(last_new_article, first_run))) * 86400
                 > max(10 * coalesce(interval_seconds, 900), 86400)
            THEN 1 ELSE 0 END AS stale
FROM h2
"""


# Datasette browsing (config/datasette.yml): the day of publication in Vietnam time as a generated
# column (a facet and the charts group by it; SQLite's date() reads the stored offset), and the
# indexes the facet, story and "new today" pages need at 200,000 articles (bench/datasette_load.py).
@migrations(name="datasette_browse_indexes")
def m_datasette_browse_indexes(db: sqlite_utils.Database) -> None:
    db.execute(
        "ALTER TABLE articles ADD COLUMN published_day TEXT "
        "GENERATED ALWAYS AS (date(published, '+7 hours')) VIRTUAL"
    )
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS articles_published_day_site ON articles(published_day, site);
        CREATE INDEX IF NOT EXISTS articles_relevant_day ON articles(relevant, published_day);
        CREATE INDEX IF NOT EXISTS articles_content_hash ON articles(content_hash);
        -- the province and country facets (json_each over every row) and the other facets of a
        -- page filtered by province read these small indexes instead of the rows with their texts
        CREATE INDEX IF NOT EXISTS articles_facets
            ON articles(provinces, countries, site, relevant, published_day);
        CREATE INDEX IF NOT EXISTS articles_countries ON articles(countries);
        """
    )


@migrations(name="datasette_facet_indexes")
def m_datasette_facet_indexes(db: sqlite_utils.Database) -> None:
    """Indexes that answer a filtered articles page's facets without reading the rows.

    A page filtered by outlet, relevance or day runs its count and five facets over the matching
    rows; SQLite walks the index ordered by the facet column and, without these, reads every row
    (with its text) to test the filter: 250-300 ms a facet at 200,000 articles on a province page.
    Each index leads with a facet column and carries the JSON lists (and ``published``, from which
    the virtual ``published_day`` is computed), so the same walk reads the index alone: ~15-20 ms.
    """
    db.executescript(
        """
        DROP INDEX IF EXISTS articles_relevant_day;
        CREATE INDEX IF NOT EXISTS articles_relevant_facets
            ON articles(relevant, published_day, published, provinces, countries, site);
        -- replaces (site, fetched_at): same order, and covers the facets of an outlet's page
        DROP INDEX IF EXISTS articles_site_fetched_at;
        CREATE INDEX IF NOT EXISTS articles_site_places
            ON articles(site, fetched_at, provinces, countries, relevant, published);
        CREATE INDEX IF NOT EXISTS articles_day_facets
            ON articles(published_day, published, provinces, countries, relevant);
        """
    )


@migrations(name="0007_search_accents")
def m0007_search_accents(db: sqlite_utils.Database) -> None:
    """Search that respects tone marks: both FTS tables rebuilt in place (db/search.py, progress on
    stderr; the layout of today's ``rebuild_index``, so 0013 then has nothing to do)."""
    from db.search import rebuild_index

    rebuild_index(db)


# Story clusters an analyst can trust: explained links and key document frequencies (db/stories.py).
@migrations(name="0008_story_links")
def m0008_story_links(db: sqlite_utils.Database) -> None:
    from db.stories import MIGRATION_0008

    db.executescript(MIGRATION_0008)


# Foreign-affairs activities (pipeline/activities, db/activities.py): one row per real event, linked to
# every article that reports it; the acting localities of an article beside the provinces it mentions.
@migrations(name="0009_activities")
def m0009_activities(db: sqlite_utils.Database) -> None:
    from db.activities import MIGRATION_0009

    db.executescript(MIGRATION_0009)


# Discovery of feeds, sitemaps, sections and article URLs for one-line site blocks (db/discovery.py).
@migrations(name="0010_discovery")
def m0010_discovery(db: sqlite_utils.Database) -> None:
    """Discoveries (what was found for a site, why, when) and the ``site_discovery`` view: the SQL
    is ``db.discovery.SCHEMA_0010`` (frozen with this migration)."""
    from db.discovery import SCHEMA_0010

    db.executescript(SCHEMA_0010)


# The site_health view: the last error shown with its own run's HTTP status (db/runs.py).
@migrations(name="0011_site_health_pairs")
def m0011_site_health_pairs(db: sqlite_utils.Database) -> None:
    from db.runs import SITE_HEALTH_VIEW_0011

    db.execute("DROP VIEW IF EXISTS site_health")
    db.executescript(SITE_HEALTH_VIEW_0011)


# The analysts' story list at 200,000 articles: covering indexes on the window of days (db/report.py).
@migrations(name="0012_story_days")
def m0012_story_days(db: sqlite_utils.Database) -> None:
    from db.report import MIGRATION_0012

    db.executescript(MIGRATION_0012)


# The search index on external content kept by triggers (db/search.py): no second copy of the text.
@migrations(name="0013_search_triggers")
def m0013_search_triggers(db: sqlite_utils.Database) -> None:
    from db.search import index_is_current, rebuild_index

    if not index_is_current(db):
        rebuild_index(db)


def migration_names() -> list[str]:
    """The names of the registered migrations, in the order they are applied."""
    empty = sqlite_utils.Database(memory=True)
    try:
        return [m.name for m in migrations.pending(empty)]  # all of them, on an empty database
    finally:
        empty.close()


def migrate(db: sqlite_utils.Database, *, stop_before: str | None = None) -> None:
    """Apply the pending migrations, in order (``stop_before``: not that one nor any after it)."""
    migrations.apply(db, stop_before=stop_before)
