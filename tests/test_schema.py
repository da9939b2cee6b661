"""Migrations (db/schema.py): the names are frozen (each database records the names it has applied), the
order is the order of registration, and a database brought up one migration at a time ends with the
same schema as a new one."""

from __future__ import annotations

import re
import sqlite3
import tomllib
from pathlib import Path

from db import open_db
from db.schema import migrate, migration_names

ROOT = Path(__file__).resolve().parent.parent

# Frozen: renaming one would re-run it on every existing database (its CREATE TABLE would fail).
# 0002_scheduler runs after 0003_alert_outbox: it was merged later.
FROZEN = ["0001_spine", "0002_dedup", "0003_alert_outbox", "0002_scheduler", "datasette_browse_indexes",
          "datasette_facet_indexes"]


def schema_of(path: Path) -> list[tuple[str, str, str, str | None]]:
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
    finally:
        conn.close()


def test_the_first_six_migrations_keep_their_names_and_order():
    assert migration_names()[: len(FROZEN)] == FROZEN


def numbering_problems(names: list[str]) -> list[str]:
    """What is wrong with the names after the frozen six: each must be NNNN_name, numbered 0007, 0008, …"""
    out = []
    for i, name in enumerate(names[len(FROZEN):]):
        m = re.fullmatch(r"(\d{4})_[a-z0-9_]+", name)
        if not m:
            out.append(f"migration {name!r}: name it NNNN_name (db/schema.py)")
        elif int(m.group(1)) != 7 + i:
            out.append(f"migration {name!r}: expected number {7 + i:04d}")
    return out


def test_later_migrations_are_numbered_from_0007():
    assert not numbering_problems(migration_names())


def test_the_numbering_rule_catches_bad_names():
    assert not numbering_problems([*FROZEN, "0007_a", "0008_b"])
    for extra in (["datasette_more"], ["0008_x"], ["0007_a", "0007_b"], ["007_a"], ["0007-a"]):
        assert numbering_problems([*FROZEN, *extra]), extra


def test_step_by_step_migration_gives_the_same_schema(tmp_path):
    open_db(tmp_path / "fresh.db").close()
    db = open_db(tmp_path / "steps.db", migrate=False)
    names = migration_names()
    applied: list[str] = []
    for i, name in enumerate(names):
        migrate(db, stop_before=name)
        applied = [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
        assert applied == names[:i], f"before {name}"
        if i == 1:  # an existing database has rows: the later migrations alter a table that is not empty
            db.execute("INSERT INTO sites (key, name) VALUES ('s', 'S')")
            db.execute("INSERT INTO articles (url, site, title, text, fetched_at) "
                       "VALUES ('https://s.vn/a.html', 's', 'T', 'x', '2026-01-01T00:00:00+00:00')")
    migrate(db)
    applied = [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert applied == names
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    db.close()
    assert schema_of(tmp_path / "steps.db") == schema_of(tmp_path / "fresh.db")


def test_migrating_again_changes_nothing(tmp_path):
    open_db(tmp_path / "m.db").close()
    before = schema_of(tmp_path / "m.db")
    open_db(tmp_path / "m.db").close()
    assert schema_of(tmp_path / "m.db") == before


def test_sqlite_utils_4_is_required():
    """Migrations.apply(stop_before=...) and the migrations module come with sqlite-utils 4."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert "sqlite-utils>=4" in deps


def test_site_health_shows_the_last_error_with_its_own_http_status(tmp_db):
    """An article's 403 in one pass and a feed that is no feed in a later pass: the health view shows the
    later error with that pass's status (none), not the earlier pass's 403 beside it."""
    from db.runs import finish_run, start_run

    tmp_db.execute("INSERT INTO sites (key, name, domains, every_seconds, enabled) VALUES ('s', 'S', '[]', 900, 1)")
    first = start_run(tmp_db, "s")
    finish_run(tmp_db, first, requests=3, new=0, skipped=0, errors=1, status="failed",
               error="HTTP 403 at https://s.vn/a/1.html", http_status=403)
    tmp_db.execute("UPDATE crawl_runs SET started = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-1 hour') "
                   "WHERE id = ?", [first])
    second = start_run(tmp_db, "s")
    finish_run(tmp_db, second, requests=1, new=0, skipped=0, errors=1, status="failed",
               error="feed https://s.vn/rss: not a feed")
    row = tmp_db.execute("SELECT last_error, last_http_status FROM site_health WHERE site = 's'").fetchone()
    assert tuple(row) == ("feed https://s.vn/rss: not a feed", None)
