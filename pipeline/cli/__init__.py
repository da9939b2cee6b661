"""presswatch command line (click). `presswatch --help` lists the commands."""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import click

from config import ConfigError, SiteSpec, load_sites
from db import default_db_path
from pipeline.cli.alerts import alerts, alerts_option, load_alerts_or_fail
from pipeline.cli.options import db_option, existing_db_option, run_foreground, serve_foreground, stop_on_sigterm

log = logging.getLogger("presswatch")


def _specs(sites_file: str | None, keys: tuple[str, ...] = ()) -> dict[str, SiteSpec]:
    try:
        specs = load_sites(sites_file)
    except ConfigError as e:
        raise click.ClickException(str(e)) from None
    if keys:
        unknown = [k for k in keys if k not in specs]
        if unknown:
            raise click.ClickException(f"unknown site key(s): {', '.join(unknown)} (known: {', '.join(specs)})")
        specs = {k: specs[k] for k in keys}
    return specs


sites_option = click.option(
    "--sites", "sites_file", default=None, metavar="FILE", type=click.Path(dir_okay=False),
    help="A sites TOML file to use instead of the bundled config/sites.toml.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="presswatch")
def main() -> None:
    """presswatch: Vietnamese press monitoring of local foreign affairs (đối ngoại địa phương)."""


@main.command()
@click.option("--site", "site_keys", multiple=True, metavar="KEY", help="Crawl only this site (repeatable).")
@sites_option
@db_option
@alerts_option
@click.option("-v", "--verbose", is_flag=True, help="Log every request and skip (INFO).")
def crawl(site_keys: tuple[str, ...], sites_file: str | None, db_path: str | None, alerts_file: str | None,
          verbose: bool) -> None:
    """Run one crawl pass now and print a per-site summary.

    Ctrl-C or SIGTERM ends the pass gracefully (again: at once); its runs are closed as shutdown/killed
    with what was stored, and the exit code is 130 (SIGINT) or 143 (SIGTERM)."""
    from pipeline.run.crawl import crawl_once

    specs = _specs(sites_file, site_keys)
    alerts_cfg = load_alerts_or_fail(alerts_file)
    db_path = db_path or default_db_path()
    overrides = {"LOG_LEVEL": "INFO" if verbose else "ERROR"}
    started = time.monotonic()
    summaries = crawl_once(specs, db_path, overrides, alerts=alerts_cfg)
    for s in summaries:
        click.echo(s.line())
    total = sum(s.new for s in summaries)
    click.echo(f"{len(summaries)} site(s), {total} new article(s) in {time.monotonic() - started:.1f}s -> {db_path}")
    if summaries.alerts is not None:
        click.echo(summaries.alerts.line())
    if any(s.status == "disk full" for s in summaries):  # robustness: say it loudly, exit non-zero
        raise click.ClickException(f"stopped writing: the database or disk is full ({db_path}). What was stored "
                                   "is intact and nothing is half-written; free space and run again.")
    if summaries.interrupted:  # a script can tell an interrupted pass: 130 (SIGINT), 143 (SIGTERM)
        import signal

        name = signal.Signals(summaries.interrupted).name
        click.echo(f"interrupted ({name}): the rest is left for the next pass", err=True)
        sys.exit(128 + summaries.interrupted)


@main.command()
@click.argument("source", metavar="FILE_OR_URL")
@click.option("--url", "page_url", default=None, help="The page's URL, when SOURCE is a file.")
@sites_option
def extract(source: str, page_url: str | None, sites_file: str | None) -> None:
    """Print the cleaned article of a saved page or a URL as JSON (the crawl's own page path)."""
    from pipeline.process import process_page

    headers: dict[str, str] = {}
    if source.startswith(("http://", "https://")):
        import urllib.request

        req = urllib.request.Request(source, headers={"User-Agent": "presswatch/0.1"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 (http(s) only)
                body = resp.read(10 * 1024 * 1024)
                headers = dict(resp.headers.items())
        except OSError as e:
            raise click.ClickException(f"cannot download {source}: {e}") from None
        url = source
    else:
        try:
            body = Path(source).read_bytes()
        except OSError as e:
            raise click.ClickException(f"cannot read {source}: {e.strerror}") from None
        url = page_url or Path(source).resolve().as_uri()
    site = _site_for_url(url, sites_file)
    article, reason = process_page(body, headers, url, site)
    if article is None:
        raise click.ClickException(f"not an article: {reason}")
    click.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))


def _site_for_url(url: str, sites_file: str | None) -> SiteSpec | None:
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname
    try:
        specs = load_sites(sites_file)
    except ConfigError:
        return None
    for s in specs.values():
        if host and s.allows_host(host):
            return s
    return None


@main.command()
@existing_db_option
@click.option("--port", default=8001, show_default=True, help="Port on 127.0.0.1.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--cache-seconds", default=60, show_default=True, metavar="N",
              help="Answer a page viewed again from memory while the database is unchanged, for at most N "
                   "seconds (bounds how late 'today'/'last 7 days' pages can be; any new row shows at once). "
                   "0 = off.")
@alerts_option
def serve(db_path: str, port: int, host: str, cache_seconds: int, alerts_file: str | None) -> None:
    """Publish an existing database with Datasette (read-only). SIGTERM/Ctrl-C stop Datasette too."""
    from config import settings
    from db import open_db
    from pipeline.publish import write_metadata
    from pipeline.publish.auth import is_loopback

    try:
        users = settings.auth_users()
    except ConfigError as e:
        raise click.ClickException(str(e)) from None
    if not users and not is_loopback(host):
        raise click.ClickException(
            f"refusing to serve on {host} without logins: set $PRESSWATCH_AUTH_FILE or $PRESSWATCH_AUTH_USERS "
            "(user:hash pairs, hashes from `datasette hash-password`), or serve on 127.0.0.1")
    if users:
        click.echo(f"logins required ({len(users)} account(s)); alert feeds take ?token= (presswatch alerts list)")
    os.environ["PRESSWATCH_CACHE_SECONDS"] = str(cache_seconds)  # read by config/datasette_plugins
    open_db(db_path).close()  # migrate an older file (it exists: --db checked it)
    with stop_on_sigterm(), tempfile.TemporaryDirectory(prefix="presswatch-serve-") as tmp:
        meta = write_metadata(db_path, Path(tmp) / "metadata.json", alerts_file, users)
        serve_foreground(db_path, meta, host, port, f"http://{host}:{port}/")


@main.command()
@click.option("--db", "db_path", default="presswatch-demo.db", show_default=True, metavar="PATH")
@click.option("--port", default=8001, show_default=True)
@click.option("--no-serve", is_flag=True, help="Crawl the sample sites, print the summary, do not start Datasette.")
def demo(db_path: str, port: int, no_serve: bool) -> None:
    """Offline demo: serve bundled sample sites on 127.0.0.1, crawl them, open Datasette."""
    from config.samples.site import SampleSite
    from pipeline.run.children import port_in_use, start_child

    if not no_serve and port_in_use("127.0.0.1", port):
        raise click.ClickException(f"port {port} on 127.0.0.1 is already in use: choose another --port")
    for suffix in ("", "-wal", "-shm"):  # the sample sites get a new port each time: start afresh
        Path(db_path + suffix).unlink(missing_ok=True)
    with stop_on_sigterm():
        try:
            from datetime import datetime

            from config import VN_TZ

            # dated relative to today, so that "today" and "7 days" pages have content
            with SampleSite(today=datetime.now(VN_TZ).date()) as site, \
                    tempfile.TemporaryDirectory(prefix="presswatch-demo-") as tmp:
                sites_file = Path(tmp) / "sites.toml"
                sites_file.write_text(site.sites_toml(), encoding="utf-8")
                click.echo(f"sample sites on {site.base}/")
                cmd = [sys.executable, "-m", "pipeline.cli", "crawl", "--sites", str(sites_file), "--db", db_path]
                if run_foreground(start_child(cmd)) != 0:
                    raise click.ClickException("demo crawl failed")
                traps = site.expected().get("traps", {}).get("reasons", {})
            click.echo(f"the errors above are deliberate: the sample sites hold {len(traps)} traps "
                       "(and a broken feed) that a crawl must survive:")
            for path, why in traps.items():
                click.echo(f"  {path.rsplit('/', 1)[-1][:60]}: {why}")
            if no_serve:
                return
            from pipeline.publish import write_metadata

            with tempfile.TemporaryDirectory(prefix="presswatch-demo-") as tmp:
                meta = write_metadata(db_path, Path(tmp) / "metadata.json")
                serve_foreground(db_path, meta, "127.0.0.1", port, f"http://127.0.0.1:{port}/")
        except KeyboardInterrupt:
            click.echo("stopped")


@main.command()
@existing_db_option
@sites_option
def reextract(db_path: str, sites_file: str | None) -> None:
    """Re-run extraction, scoring and story clustering on the stored raw pages, without re-crawling."""
    from db import open_db
    from db.articles import decompress, stored_pages
    from pipeline.process import reprocess

    specs = _specs(sites_file)
    db = open_db(db_path or default_db_path())
    changed = failed = 0
    rows = stored_pages(db)
    for art_id, url, site, blob, content_type in rows:
        done, reason = reprocess(db, art_id, url, decompress(blob), {"Content-Type": content_type or ""},
                                 specs.get(site or ""))
        if done is None:
            failed += 1
            click.echo(f"{url}: no longer extracts ({reason}); row kept", err=True)
        elif done.changed:
            changed += 1
    click.echo(f"{len(rows)} page(s) re-extracted, {changed} article(s) changed, {failed} kept as they were")


@main.command()
@click.argument("infile", type=click.File("r", encoding="utf-8"), default="-", required=False)
def classify(infile: Any) -> None:
    """Score JSON lines {"title", "text"} (stdin by default) for local foreign affairs."""
    from pipeline.relevance import classify_jsonl

    classify_jsonl(infile, sys.stdout)


@main.command()
@click.option("--since", default="2d", show_default=True, metavar="DURATION",
              help="Re-download the articles first stored within this period (s, m, h, d).")
@click.option("--delay", default=1.0, show_default=True, help="Seconds between two downloads.")
@existing_db_option
@sites_option
def recheck(since: str, delay: float, db_path: str, sites_file: str | None) -> None:
    """Download recent articles again; an edited text is stored with its revision history."""
    from datetime import UTC, datetime, timedelta

    from config import parse_duration
    from db import open_db
    from db.articles import recent_articles
    from pipeline.process import reprocess
    from spiders.guards import refusal

    try:
        seconds = parse_duration(since)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--since") from None
    specs = _specs(sites_file)
    db = open_db(db_path or default_db_path())
    changed = failed = 0
    since = (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat(timespec="seconds")
    candidates = recent_articles(db, since)
    for n, (art_id, url, site) in enumerate(candidates):
        spec = specs.get(site or "")
        why = "site not in the sites file" if spec is None else refusal(url, spec.domains)
        if why or spec is None:
            click.echo(f"{url}: skipped ({why})", err=True)
            continue
        if n:
            time.sleep(delay)
        try:
            body, headers = _download(url, spec.domains)
        except OSError as e:
            failed += 1
            click.echo(f"{url}: {e}", err=True)
            continue
        done, reason = reprocess(db, art_id, url, body, headers, spec, fresh=True)
        if done is None:
            failed += 1
            click.echo(f"{url}: no longer extracts ({reason}); row kept", err=True)
            continue
        if done.text_changed:
            changed += 1
            click.echo(f"{url}: changed, revision recorded")
    click.echo(f"{len(candidates)} article(s) checked, {changed} changed, {failed} failed")


def _download(url: str, domains: tuple[str, ...]) -> tuple[bytes, dict[str, str]]:
    """One page, with presswatch's User-Agent and size limit; a redirect off the site's domains (or to
    a private address) is refused before it is followed."""
    import urllib.request

    from spiders.guards import refusal
    from spiders.settings import DOWNLOAD_MAXSIZE, USER_AGENT

    class Guarded(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
            why = refusal(newurl, domains)
            if why:
                raise OSError(f"redirect refused ({why}): {newurl}")
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    opener = urllib.request.build_opener(Guarded)
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with opener.open(req, timeout=30) as resp:
        body: bytes = resp.read(DOWNLOAD_MAXSIZE + 1)
        headers = dict(resp.headers.items())
    if len(body) > DOWNLOAD_MAXSIZE:
        raise OSError("page larger than the download limit")
    return body, headers


@main.command()
@existing_db_option
def rescore(db_path: str) -> None:
    """Re-score every stored article (after the lexicons in config/ change)."""
    from db import open_db
    from db.articles import article_texts, set_relevance
    from pipeline.process import refresh_activities, relevance_columns
    from pipeline.relevance import score

    db = open_db(db_path or default_db_path())
    n = relevant = acts = 0
    rows = article_texts(db)
    with db.atomic():
        for art_id, title, description, text in rows:
            rel = score({"title": title, "description": description, "text": text}).to_dict()
            set_relevance(db, art_id, relevance_columns(rel))
            acts += refresh_activities(db, art_id, rel)  # activities and acting localities again
            n += 1
            relevant += bool(rel["relevant"])
    click.echo(f"{n} article(s) re-scored, {relevant} relevant, {acts} activities")


@main.command()
@existing_db_option
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
def status(db_path: str, as_json: bool) -> None:
    """Health of each site (times in Vietnam time): last run, last success, last new article, failures."""
    from db import open_db
    from pipeline.run.health import format_status, site_health

    db = open_db(db_path)
    rows = site_health(db)
    db.close()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        click.echo(format_status(rows))


main.add_command(alerts)


def _add_recluster() -> None:
    from pipeline.cli.recluster import recluster

    main.add_command(recluster)


_add_recluster()


def _activities_command() -> Any:
    from pipeline.cli.activities import activities

    return activities


main.add_command(_activities_command())


def _run_commands() -> list[Any]:
    from pipeline.cli.run import run, snapshot, worker

    return [run, worker, snapshot]


for _cmd in _run_commands():
    main.add_command(_cmd)


def _report_command() -> Any:
    from pipeline.cli.report import report

    return report


main.add_command(_report_command())


def _sites_command() -> Any:
    from pipeline.cli.sites import sites

    return sites


main.add_command(_sites_command())

from pipeline.cli.search import reindex as _reindex  # noqa: E402  (presswatch reindex)
from pipeline.cli.search import search as _search  # noqa: E402  (presswatch search)

main.add_command(_search)
main.add_command(_reindex)
