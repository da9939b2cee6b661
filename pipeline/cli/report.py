"""``presswatch report``: the press summary (điểm báo) of a period as HTML, DOCX, PDF or Markdown."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pipeline.cli.options import existing_db_option


@click.command()
@click.option("--since", default=None, metavar="DURATION",
              help="The last N days ending today, Vietnam time: 7d (default), 1w, 30d, 24h.")
@click.option("--from", "day_from", default=None, metavar="YYYY-MM-DD", help="First day (with --to).")
@click.option("--to", "day_to", default=None, metavar="YYYY-MM-DD", help="Last day, included (default: today).")
@click.option("--province", "provinces", multiple=True, metavar="P",
              help="Only stories about this province or city (repeatable; accents optional).")
@click.option("--country", "countries", multiple=True, metavar="C",
              help="Only stories with this partner country (repeatable; accents optional).")
@click.option("--by", type=click.Choice(["province", "country"]), default="province", show_default=True,
              help="Group the stories by province or by partner country.")
@click.option("--all", "all_articles", is_flag=True, help="Every article, not only the relevant ones.")
@click.option("--format", "fmt", type=click.Choice(["html", "docx", "pdf", "md"]), default=None,
              help="Output format (default: from the file name's extension, else html).")
@click.option("-o", "--output", "output", required=True, metavar="FILE", help="The file to write ('-' = stdout).")
@existing_db_option
def report(since: str | None, day_from: str | None, day_to: str | None, provinces: tuple[str, ...],
           countries: tuple[str, ...], by: str, all_articles: bool, fmt: str | None, output: str,
           db_path: str | None) -> None:
    """Write the press summary (điểm báo) of a period: stories by province, with leads and outlets."""
    from datetime import datetime

    from config import VN_TZ
    from db import open_db
    from pipeline.report import FORMATS, Period, build_report, render

    if since and (day_from or day_to):
        raise click.UsageError("give --since or --from/--to, not both")
    try:
        if day_from or day_to:
            if not day_from:
                raise click.BadParameter("--to needs --from", param_hint="--from")
            period = Period.between(day_from, day_to or datetime.now(VN_TZ).date())
        else:
            period = Period.since(since or "7d")
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--since/--from/--to") from None
    ext = Path(output).suffix.lstrip(".").lower()
    fmt = fmt or (ext if ext in FORMATS else "html")
    path = db_path
    db = open_db(path)
    try:
        rep = build_report(db.conn, period, provinces=provinces, countries=countries, by=by,
                           relevant_only=not all_articles)
        data = render(rep, fmt)
    except RuntimeError as e:  # pipeline.report.pdf.ReportError: a missing system library
        raise click.ClickException(str(e)) from None
    finally:
        db.close()
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        Path(output).write_bytes(data)
        click.echo(f"{len(rep.stories)} stories, {rep.n_articles} articles, {period.label()} -> {output} ({fmt})",
                   err=True)
