"""`presswatch alerts …`: list subscriptions and their deliveries, send a test message, flush the outbox."""

from __future__ import annotations

from typing import Any

import click

from db import default_db_path
from pipeline.cli.options import existing_db_option

alerts_option = click.option(
    "--alerts", "alerts_file", default=None, metavar="FILE", type=click.Path(dir_okay=False),
    envvar="PRESSWATCH_ALERTS",
    help="An alerts TOML file instead of the bundled config/alerts.toml ($PRESSWATCH_ALERTS).",
)


def load_alerts_or_fail(path: str | None) -> Any:
    from pipeline.alerts import AlertsError, load_alerts

    try:
        return load_alerts(path)
    except AlertsError as e:
        raise click.ClickException(str(e)) from None


@click.group()
def alerts() -> None:
    """New-article alerts: subscriptions in config/alerts.toml (or --alerts FILE)."""


@alerts.command("list")
@alerts_option
@existing_db_option
def list_(alerts_file: str | None, db_path: str) -> None:
    """Show the subscriptions, what they are owed and their last delivery."""
    from config import ConfigError, settings
    from db import open_db
    from pipeline.alerts import redact
    from pipeline.alerts.outbox import status
    from pipeline.publish.auth import feed_token

    try:
        users = settings.auth_users()
    except ConfigError as e:
        raise click.ClickException(str(e)) from None
    cfg = load_alerts_or_fail(alerts_file)
    db = open_db(db_path)
    st = status(db)
    db.close()
    for sub in cfg.subscriptions.values():
        s = st.get(sub.name, {})
        mode = "instant" if not sub.is_digest else f"digest every {_human(sub.digest or 0)}"
        chans = ", ".join(redact(c) for c in sub.channels) or "no channel (feed only)"
        click.echo(f"{sub.name}: {mode}; {sub.describe()}; channels: {chans}")
        click.echo(f"    sent {s.get('sent', 0)}, pending {s.get('pending', 0)}, "
                   f"failed {s.get('failed', 0)}, feed only {s.get('feed_only', 0)}; "
                   f"last delivery {s.get('last_sent') or 'never'}")
        if s.get("last_error"):
            click.echo(f"    last error ({s.get('last_error_at')}): {s['last_error']}")
        if users:  # logins on: feed readers need the subscription's token
            click.echo(f"    feed: /<db>/alert_{sub.name}.atom?token={feed_token(sub.name, users)}")
    orphans = sorted(set(st) - set(cfg.subscriptions))
    if orphans:
        click.echo(f"in the outbox but not configured: {', '.join(orphans)}")
    click.echo(f"{len(cfg.subscriptions)} subscription(s) in {cfg.origin}")


@alerts.command()
@click.argument("name")
@alerts_option
def test(name: str, alerts_file: str | None) -> None:
    """Send a test message to every channel of subscription NAME."""
    from pipeline.alerts import SendError, send

    cfg = load_alerts_or_fail(alerts_file)
    sub = cfg.subscriptions.get(name)
    if sub is None:
        known = ", ".join(cfg.subscriptions) or "none"
        raise click.ClickException(f"no subscription '{name}' in {cfg.origin} (known: {known})")
    if not sub.channels:
        raise click.ClickException(f"subscription '{name}' has no channels (it is a feed only)")
    try:
        channels = sub.expanded_channels()
    except KeyError as e:
        raise click.ClickException(f"subscription '{name}': {e.args[0]}") from None
    failed = 0
    for i, (_, url) in enumerate(channels, 1):
        scheme = url.split("://", 1)[0]
        try:
            send(url, f"[presswatch] test: {name}",
                 f"Tin thử của presswatch cho đăng ký '{name}'. / A presswatch test message for "
                 f"subscription '{name}' ({sub.describe()}).", sub.secrets())
            click.echo(f"channel {i} ({scheme}://): sent")
        except SendError as e:
            failed += 1
            click.echo(f"channel {i} ({scheme}://): FAILED: {e}", err=True)
    if failed:
        raise click.ClickException(f"{failed} of {len(channels)} channel(s) failed")


@alerts.command()
@alerts_option
@existing_db_option
@click.option("--flush-digests", is_flag=True,
              help="Send waiting digests now, not when their interval is up.")
@click.option("--retry-failed", is_flag=True, help="Try again the rows that reached max_attempts.")
@click.option("--only", metavar="NAME", default=None, help="Only this subscription.")
def send(alerts_file: str | None, db_path: str | None, flush_digests: bool, retry_failed: bool,
         only: str | None) -> None:
    """Send what the outbox owes now (retries whose back-off is over, digests that are due)."""
    from db import open_db
    from pipeline.alerts.outbox import deliver
    from pipeline.alerts.outbox import retry_failed as _retry_failed

    cfg = load_alerts_or_fail(alerts_file)
    if only and only not in cfg.subscriptions:
        raise click.ClickException(f"no subscription '{only}' in {cfg.origin}")
    db = open_db(db_path or default_db_path())
    try:
        if retry_failed:
            click.echo(f"{_retry_failed(db, only)} failed row(s) set to be tried again")
        report = deliver(db, cfg, flush_digests=flush_digests, only=only)
    finally:
        db.close()
    click.echo(report.line())
    if report.failed:
        raise SystemExit(1)


def _human(seconds: float) -> str:
    for unit, n in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= n and seconds % n == 0:
            return f"{int(seconds // n)}{unit}"
    return f"{seconds:g}s"
