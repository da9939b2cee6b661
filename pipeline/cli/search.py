"""`presswatch search QUERY`: the search of Datasette's pages from the terminal (pipeline.search).

One line per hit, best first (the phrase itself, then the syllables near each other; bm25 with the
title weighted): the date in Vietnam time, the outlet, the title, the URL. ``--json``: one JSON
object per line instead.
"""

from __future__ import annotations

import json
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
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="--since") from None
    if province:
        try:
            province = canonical("provinces", province)
        except UnknownPlace as e:
            raise click.BadParameter(str(e), param_hint="--province") from None
    db = open_db(path)
    try:
        hits = run_search(db, q.table, q.fts, q.fts_phrase, since=since_iso, province=province, limit=limit)
    finally:
        db.close()
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
