"""`presswatch sites`: list and validate the site specs; `--show KEY` (what was discovered and why);
`sites discover URL` (a ready TOML block from a home page); `sites enable KEY` (turn on a block)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from config import DEFAULT_SITES, ConfigError, SiteSpec, home_domain, load_sites, parse_sites

_sites_opt = click.option("--sites", "sites_file", default=None, metavar="FILE", type=click.Path(dir_okay=False),
                          help="A sites TOML file to use instead of the bundled config/sites.toml.")
_db_opt = click.option("--db", "db_path", default=None, metavar="PATH",
                       help="SQLite file (default: $PRESSWATCH_DB or presswatch.db in the working directory).")


def _load(sites_file: str | None) -> dict[str, SiteSpec]:
    try:
        return load_sites(sites_file)
    except ConfigError as e:
        raise click.ClickException(str(e)) from None


@click.group("sites", invoke_without_command=True)
@_sites_opt
@click.option("--show", "show_key", default=None, metavar="KEY",
              help="One site: its fields, what discovery found for it and why (from --db).")
@_db_opt
@click.pass_context
def sites(ctx: click.Context, sites_file: str | None, show_key: str | None, db_path: str | None) -> None:
    """List and validate the site specs (subcommands: discover, enable)."""
    if ctx.invoked_subcommand is not None:
        return
    specs = _load(sites_file)
    if show_key:
        _show(specs, show_key, db_path)
        return
    for s in specs.values():
        if s.needs_discovery():
            srcs = f"discovers from {s.home}"
        else:
            srcs = f"{len(s.feeds)} feed(s), {len(s.sitemaps)} sitemap(s), {len(s.sections)} section(s)"
        state = "" if s.enabled else "  [disabled]"
        click.echo(f"{s.key:<14} {s.name:<28} every {int(s.every // 60):>3}m  {srcs}{state}")
    click.echo(f"{len(specs)} site(s), all valid")


def _show(specs: dict[str, SiteSpec], key: str, db_path: str | None) -> None:
    from db import default_db_path, open_db
    from db.discovery import latest_discovery
    from pipeline.discover import Discovery, effective

    if key not in specs:
        raise click.ClickException(f"unknown site key: {key} (known: {', '.join(specs)})")
    spec = specs[key]
    click.echo(f"{spec.key}: {spec.name}{'' if spec.enabled else '  [disabled]'}")
    click.echo(f"  given in the sites file: {', '.join(sorted(spec.given))}")
    from pipeline.cli.options import check_existing_db

    path = Path(db_path or default_db_path())
    last = good = None
    if path.exists():  # reading never creates: without a database nothing was discovered yet
        db = open_db(check_existing_db(path))
        try:
            last, good = latest_discovery(db, key), latest_discovery(db, key, ok_only=True)
        finally:
            db.close()
    if not spec.home:
        click.echo("  no home page: nothing is discovered, the block is used as it is")
    elif not spec.needs_discovery():
        click.echo("  the block gives sources and article_pattern: nothing is discovered")
    elif last is None:
        click.echo("  not discovered yet: the site's first pass will (or run `presswatch sites discover "
                   f"{spec.home}`)")
    for row, title in ((last, "latest discovery"), (good if good and last and good["id"] != last["id"] else None,
                                                    "discovery in use")):
        if row is None:
            continue
        click.echo(f"  {title}: {row['finished']} ({row['trigger']}), {row['status']}, {row['requests']} "
                   f"request(s) in {row['seconds']:.1f} s")
        if row["error"]:
            click.echo(f"    error: {row['error']}")
        for note in json.loads(row["notes"] or "[]"):
            click.echo(f"    {note}")
    eff = effective(spec, Discovery.from_row(good)) if good else spec
    click.echo("  effective spec:")
    for fld in ("domains", "feeds", "sitemaps", "sections", "article_pattern"):
        how = "given" if fld in spec.given else ("discovered" if good else "default")
        click.echo(f"    {fld:<16} {getattr(eff, fld)!r}  ({how})")


def _key_for(url: str) -> str:
    host = home_domain(url)
    first = host.split(".")[0] if not re.fullmatch(r"[\d.]+", host) else "site-" + host.replace(".", "-")
    return re.sub(r"[^a-z0-9_-]+", "-", first.lower()).strip("-") or "site"


@sites.command()
@click.argument("url")
@click.option("--name", default=None, help="The outlet's display name (default: the key).")
@click.option("--key", default=None, help="The site key (default: from the host, e.g. baoquangninh).")
@click.option("--write", is_flag=True, help="Append the block to the sites file (after validation).")
@click.option("--budget", default=None, type=int, metavar="N", help="Requests at most (default 40).")
@_sites_opt
def discover(url: str, name: str | None, key: str | None, write: bool, budget: int | None,
             sites_file: str | None) -> None:
    """Discover an outlet from its home page URL and print a ready [sites.KEY] block."""
    from pipeline.discover import toml_block
    from pipeline.run.discover import BUDGET, discover_site

    key = key or _key_for(url)
    found = discover_site(url, budget=budget or BUDGET)
    if not found.ok:
        for note in found.notes:
            click.echo(f"# {note}", err=True)
        raise click.ClickException(f"{found.error} ({found.requests} request(s), {found.seconds:.1f} s)")
    block = toml_block(key, name or key, found)
    click.echo(block, nl=False)
    if not write:
        return
    path = Path(sites_file) if sites_file else DEFAULT_SITES
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    new = text.rstrip("\n") + ("\n\n" if text.strip() else "") + block
    try:
        parse_sites(new, str(path))
    except ConfigError as e:
        raise click.ClickException(f"not written: {e}") from None
    path.write_text(new, encoding="utf-8")
    click.echo(f"written to {path} as [sites.{key}]", err=True)


_HEADER = re.compile(r"^\s*\[\s*sites\.([^\]\s]+)\s*\]", re.M)
_ENABLED = re.compile(r"^(\s*enabled\s*=\s*)false\b", re.M)


@sites.command()
@click.argument("key")
@_sites_opt
def enable(key: str, sites_file: str | None) -> None:
    """Turn on a site block (e.g. a bundled provincial paper): its `enabled = false` becomes true."""
    path = Path(sites_file) if sites_file else DEFAULT_SITES
    specs = _load(sites_file)
    if key not in specs:
        raise click.ClickException(f"unknown site key: {key} (known: {', '.join(specs)})")
    if specs[key].enabled:
        click.echo(f"{key} is enabled already")
        return
    text = path.read_text(encoding="utf-8")
    heads = [m for m in _HEADER.finditer(text)]
    start = next(m.end() for m in heads if m.group(1).strip("\"'") == key)
    end = next((m.start() for m in heads if m.start() > start), len(text))
    block, n = _ENABLED.subn(r"\1true", text[start:end], count=1)
    if not n:
        raise click.ClickException(f"{path}: [sites.{key}] has no 'enabled = false' line to change; edit it by hand")
    new = text[:start] + block + text[end:]
    try:
        parse_sites(new, str(path))
    except ConfigError as e:
        raise click.ClickException(f"not written: {e}") from None
    path.write_text(new, encoding="utf-8")
    click.echo(f"{key} enabled in {path}")
