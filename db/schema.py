"""Versioned migrations (sqlite-utils ``Migrations``): append new ones at the end, never edit old ones."""

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


def migrate(db: sqlite_utils.Database) -> None:
    migrations.apply(db)
