"""``presswatch recluster [--since 30d]``: recompute the dedup index, copies and story clusters of the
articles stored within a period (after config/dedup.toml, config/variants.toml or the lexicons
changed), oldest first, each against those indexed before it. A story that was alerted keeps its id
(the alert outbox keys on it: one message per story)."""

from __future__ import annotations

import click

from pipeline.cli.options import existing_db_option


@click.command()
@click.option("--since", default="30d", show_default=True, metavar="DURATION",
              help="Re-cluster the articles published (else stored) within this period (s, m, h, d); "
                   "'all' for every one.")
@existing_db_option
def recluster(since: str, db_path: str | None) -> None:
    """Recompute story clusters (and copies) of recent articles after the rules changed."""
    from datetime import UTC, datetime, timedelta

    from config import parse_duration
    from db import default_db_path, open_db
    from pipeline.dedup.recluster import recluster_since

    cutoff = None
    if since != "all":
        try:
            seconds = parse_duration(since)
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="--since") from None
        cutoff = (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat(timespec="seconds")
    db = open_db(db_path or default_db_path())
    try:
        n, stories, kept = recluster_since(db, cutoff)
    finally:
        db.close()
    click.echo(f"{n} article(s) re-clustered into {stories} story(ies); {kept} alerted story id(s) kept")
