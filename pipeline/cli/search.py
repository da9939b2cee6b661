"""`presswatch search QUERY`: the search of Datasette's pages from the terminal (pipeline.search);
`presswatch reindex`: FTS5's own check of the search index, and its rebuild in place.

One line per hit, best first (the phrase itself, then the syllables near each other; bm25 with the
title weighted): the date in Vietnam time, the outlet, the title, the URL. ``--json``: one JSON
object per line instead. A damaged database or index is one line naming the file and the way out.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from config import VN_TZ, parse_duration, vn_datetime
from pipeline.cli.options import existing_db_option


def _vn_day(published: str | None, fetched_at: str | None) -> str:
    for value in (published, fetched_at):
        dt = vn_datetime(value, naive=UTC)
        if dt is not None:
            return dt.strftime("%Y-%m-%d %H:%M")
    return "????-??-?? ??:??"


@click.command()
@click.argument("query")
@existing_db_option
@click.option("--since", default=None, metavar="DURATION",
              help="Only articles published (else fetched) in this last period: 7d, 12h, 2w.")
@click.option("--province", default="", metavar="NAME", help="Only articles about this province (accents optional).")
@click.option("--limit", default=50, show_default=True, help="At most this many hits.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit (id, date, site, title, url, exact).")
def search(query: str, db_path: str, since: str | None, province: str, limit: int, as_json: bool) -> None:
    """Search the stored articles: accent-free ("doi ngoai") or with marks ("Hải Nam", marks kept);
    "quoted phrase", prefix*."""
    from db import open_db
    from db.search import search as run_search
    from pipeline.alerts.places import UnknownPlace, canonical
    from pipeline.search import parse

    path = Path(db_path)
    q = parse(query)
    if not q:
        raise click.ClickException(f"nothing to search for in {query!r} (no letters or digits)")
    since_iso = ""
    if since:
        try:
            since_iso = (datetime.now(UTC) - timedelta(seconds=parse_duration(since))).astimezone(VN_TZ).isoformat(
                timespec="seconds")
        except (ValueError, OverflowError) as e:
            raise click.BadParameter(f"{since!r}: {e}", param_hint="--since") from None
    if province:
        try:
            province = canonical("provinces", province)
        except UnknownPlace as e:
            raise click.BadParameter(str(e), param_hint="--province") from None
    try:
        db = open_db(path)
        try:
            hits = run_search(db, q.table, q.fts, q.fts_phrase, since=since_iso, province=province, limit=limit)
        finally:
            db.close()
    except sqlite3.DatabaseError as e:
        raise click.ClickException(f"cannot search {path}: {e} (a damaged search index is rebuilt by "
                                   f"`presswatch reindex --db {path}`)") from None
    for h in hits:
        day = _vn_day(h["published"], h["fetched_at"])
        if as_json:
            click.echo(json.dumps({"id": h["id"], "date": day, "site": h["site"], "title": h["title"],
                                   "url": h["url"], "exact": bool(h["exact"])}, ensure_ascii=False))
        else:
            click.echo(f"{day}  {h['site'] or '-'}  {h['title']}  {h['url']}")
    if not as_json:
        click.echo(f"{len(hits)} hit(s) for {query!r} ({'with marks' if q.mode == 'marks' else 'accent-free'})",
                   err=True)


@click.command()
@existing_db_option
@click.option("--check", "check_only", is_flag=True, help="Only check; exit 1 when the index disagrees.")
@click.option("--force", is_flag=True, help="Rebuild even when the check passes.")
def reindex(db_path: str, check_only: bool, force: bool) -> None:
    """Check the search index against the stored articles (FTS5's own check) and rebuild it in
    place when they disagree: after a tool wrote articles with INSERT OR REPLACE without
    PRAGMA recursive_triggers, or a damaged file. Progress on stderr."""
    from db import open_db
    from db.search import check_index, rebuild_index

    path = Path(db_path)
    try:
        db = open_db(path)
    except sqlite3.DatabaseError as e:
        raise click.ClickException(f"cannot open {path}: {e}") from None
    try:
        problem = None
        try:
            check_index(db)
        except sqlite3.DatabaseError as e:
            problem = str(e)
        if problem is None:
            click.echo(f"search index of {path}: consistent with its articles", err=True)
        else:
            click.echo(f"search index of {path}: does not match its articles ({problem})", err=True)
        if check_only:
            if problem is not None:
                raise SystemExit(1)
            return
        if problem is None and not force:
            return
        try:
            with db.atomic():
                rebuild_index(db)
            check_index(db)
        except sqlite3.DatabaseError as e:
            raise click.ClickException(f"cannot rebuild the search index of {path}: {e} (the articles "
                                       "themselves may be damaged: PRAGMA integrity_check)") from None
        click.echo(f"search index of {path}: rebuilt and consistent", err=True)
    finally:
        db.close()
