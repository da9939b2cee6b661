"""``presswatch activities``: the stored foreign-affairs activities of a period (and a locality) as the
table a Sở Ngoại vụ's report needs: CSV, JSON or Markdown."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timedelta
from typing import Any

import click

from config import VN_TZ
from db import default_db_path
from pipeline.cli.options import existing_db_option

KIND_LABELS = {
    "doan_vao": "Đoàn vào", "doan_ra": "Đoàn ra", "ky_ket": "Ký kết", "su_kien_quoc_te": "Sự kiện quốc tế",
    "xuc_tien": "Xúc tiến", "vien_tro": "Viện trợ", "nguoi_viet_nn": "Người Việt ở nước ngoài", "khac": "Khác",
}
COLUMNS = ("date", "kind", "locality", "partner_countries", "partners", "leaders", "venue", "evidence", "reports")


def _day(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=what) from None


def _since(value: str | None) -> str | None:
    if value is None:
        return None
    m = re.fullmatch(r"(\d+)\s*([dwm])", value.strip())
    if not m:
        raise click.BadParameter(f"{value!r}: write a number of days, weeks or months (90d, 4w, 3m)",
                                 param_hint="--since")
    n = int(m.group(1)) * {"d": 1, "w": 7, "m": 30}[m.group(2)]
    return (datetime.now(VN_TZ).date() - timedelta(days=n)).isoformat()


def _flat(a: dict[str, Any]) -> dict[str, str]:
    leaders = "; ".join(" ".join(x for x in (p.get("title"), p.get("name")) if x) + f" ({p.get('side')})"
                        for p in a["leaders"])
    return {
        "date": a.get("date") or "", "kind": a["kind"], "locality": a.get("locality") or "",
        "partner_countries": ", ".join(a["partner_countries"]), "partners": ", ".join(a["partners"]),
        "leaders": leaders, "venue": a.get("venue") or "", "evidence": a.get("evidence") or "",
        "reports": " ".join(r["url"] for r in a["reports"]),
    }


def _md(rows: list[dict[str, Any]]) -> str:
    head = ["Ngày", "Loại", "Địa phương", "Đối tác", "Lãnh đạo", "Địa điểm", "Nội dung", "Nguồn"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for a in rows:
        f = _flat(a)
        partner = ", ".join(x for x in (f["partner_countries"], f["partners"]) if x)
        links = " ".join(f"[{i + 1}]({r['url']})" for i, r in enumerate(a["reports"]))
        cells = [f["date"] or "—", KIND_LABELS.get(a["kind"], a["kind"]), f["locality"], partner, f["leaders"],
                 f["venue"], f["evidence"], links]
        out.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    return "\n".join(out)


@click.command()
@existing_db_option
@click.option("--province", default=None, metavar="P",
              help="Only this locality (as the text names it, or its unit since 1 July 2025).")
@click.option("--since", default=None, metavar="90d", help="The last N days/weeks/months (90d, 4w, 3m).")
@click.option("--from", "date_from", default=None, metavar="D", help="First day (YYYY-MM-DD), inclusive.")
@click.option("--to", "date_to", default=None, metavar="D", help="Last day (YYYY-MM-DD), inclusive.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "md"]), default="md", show_default=True)
def activities(db_path: str | None, province: str | None, since: str | None, date_from: str | None,
               date_to: str | None, fmt: str) -> None:
    """Foreign-affairs activities (đoàn vào, đoàn ra, ký kết, ...) of a period: one row per event with
    its date, locality, partners, leaders, venue, evidence sentence and the reports' URLs."""
    from db import open_db
    from db.activities import list_activities

    if since is not None and (date_from or date_to):
        raise click.UsageError("give --since or --from/--to, not both")
    start = _since(since) if since is not None else _day(date_from, "--from")
    end = _day(date_to, "--to")
    db = open_db(db_path or default_db_path())
    try:
        rows = list_activities(db, locality=province, date_from=start, date_to=end)
    finally:
        db.close()
    if fmt == "json":
        for a in rows:
            a.pop("day", None)
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
        w.writeheader()
        for a in rows:
            w.writerow(_flat(a))
        click.echo(buf.getvalue(), nl=False)
    else:
        click.echo(_md(rows))
