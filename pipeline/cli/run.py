"""``presswatch run`` (the scheduler, its workers or the Redis writer, Datasette), ``presswatch worker``
(a crawl worker reading jobs from Redis, on any machine) and ``presswatch snapshot`` (a consistent copy
of the database for read-only Datasette hosts)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from pipeline.cli.alerts import alerts_option, load_alerts_or_fail
from pipeline.cli.options import check_existing_db

queue_help = "A Redis URL (redis://HOST:PORT/DB): the queue between the scheduler/writer and the workers."


def _check_queue(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
        raise click.BadParameter("must be a Redis URL, e.g. redis://10.0.0.5:6379/0", param_hint="--queue")
    return value


@click.command()
@click.option("--sites", "sites_file", default=None, metavar="FILE", type=click.Path(dir_okay=False),
              help="A sites TOML file to use instead of the bundled config/sites.toml.")
@click.option("--db", "db_path", default=None, metavar="PATH",
              help="SQLite file (default: $PRESSWATCH_DB or presswatch.db in the working directory).")
@click.option("--no-serve", is_flag=True, help="Do not start Datasette beside the scheduler.")
@click.option("--port", default=8001, show_default=True, help="Datasette port on 127.0.0.1.")
@alerts_option
@click.option("--once", is_flag=True,
              help="Poll each enabled site once (skipping those in back-off), then exit.")
@click.option("--log-dir", default="logs", show_default=True, metavar="DIR",
              help="Directory of the rotating log file ('' for stdout only).")
@click.option("--queue", default=None, metavar="URL", callback=_check_queue,
              help=queue_help + " Without it, passes run in local worker processes (one per core).")
def run(sites_file: str | None, db_path: str | None, no_serve: bool, port: int, alerts_file: str | None,
        once: bool, log_dir: str, queue: str | None) -> None:
    """The main job: poll every enabled site on its interval, forever, with Datasette beside it.

    Passes run in long-lived local worker processes, or with --queue in `presswatch worker`s on any
    machine (this process is then the one writer). SIGINT/SIGTERM stop it cleanly: running passes close,
    workers get SIGKILL after a grace period; Datasette stops with it. A Datasette port already in use is
    an error (exit code 1)."""
    from db import default_db_path
    from pipeline.cli import _specs
    from pipeline.run.service import run_forever

    specs = _specs(sites_file)
    alerts_cfg = load_alerts_or_fail(alerts_file)  # fail now, not in every pass
    if alerts_file:  # the local workers read it from the environment
        os.environ["PRESSWATCH_ALERTS"] = str(Path(alerts_file).resolve())
    code = run_forever(specs, db_path or default_db_path(), sites_file=sites_file, serve=not no_serve,
                       port=port, log_dir=log_dir or None, once=once, queue=queue, alerts=alerts_cfg)
    sys.exit(code)


@click.command()
@click.option("--queue", required=True, metavar="URL", callback=_check_queue, help=queue_help)
@click.option("--concurrency", default=8, show_default=True, metavar="N",
              help="Site passes this worker runs at once.")
@click.option("--max-passes", default=1000, show_default=True, metavar="N",
              help="Replace the worker process after this many passes (memory stays flat).")
@click.option("--max-rss-mb", default=600, show_default=True, metavar="MB",
              help="Replace the worker process once it uses this much memory (after its running passes).")
@click.option("-v", "--verbose", is_flag=True, help="Log every request (INFO).")
def worker(queue: str, concurrency: int, max_passes: int, max_rss_mb: int, verbose: bool) -> None:
    """A crawl worker: take site passes from the Redis queue, fetch, extract, score, hand the articles
    to the writer. Needs no database and no sites file (the site spec travels with each job).

    SIGTERM/SIGINT: running passes close, unfinished jobs go back to the queue."""
    from pipeline.run.children import setup_logging
    from pipeline.run.queue import supervise_worker

    setup_logging(None)
    sys.exit(supervise_worker(queue, concurrency=concurrency, max_passes=max_passes, max_rss_mb=max_rss_mb,
                              verbose=verbose))


@click.command()
@click.argument("out", metavar="OUT.db", type=click.Path(dir_okay=False))
@click.option("--db", "db_path", default=None, metavar="PATH",
              help="The database to copy (default: $PRESSWATCH_DB or presswatch.db).")
def snapshot(out: str, db_path: str | None) -> None:
    """Write a consistent copy of the database to OUT.db while crawls run (for `datasette -i` replicas).

    The copy replaces OUT.db only once complete, so a replica never reads half a file."""
    import sqlite3
    import time

    from db import default_db_path
    from db.snapshot import snapshot as copy_db

    src = check_existing_db(db_path or default_db_path())
    if Path(out).resolve() == Path(src).resolve():
        raise click.ClickException("OUT.db is the database itself: choose another file")
    started = time.monotonic()
    try:
        size = copy_db(src, out)
    except (sqlite3.Error, OSError) as e:
        raise click.ClickException(f"snapshot of {src} to {out} failed: {e}") from None
    click.echo(f"{out}: {size / 1048576:.1f} MiB, consistent copy of {src} in {time.monotonic() - started:.1f}s")
