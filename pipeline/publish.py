"""Publishing with Datasette: metadata from config/datasette.yml, a read-only server on the DB."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import yaml

from config import CONFIG_DIR

log = logging.getLogger(__name__)

METADATA = CONFIG_DIR / "datasette.yml"
SQL_TIME_LIMIT_MS = 3000

# The articles an alert subscription was owed (pipeline/outbox.py), newest first, in the columns
# datasette-atom turns into an Atom feed: /<db>/alert_NAME.atom, /<db>/alert_feed.atom?subscription=NAME
ALERT_FEED_SQL = """select * from (select a.url as atom_id, a.title as atom_title,
  case when a.published glob '????-??-??T*[+-]??:??' or a.published glob '????-??-??T*Z'
    then a.published else o.created_at end as atom_updated,
  a.url as atom_link, coalesce(s.name, a.site) as atom_author_name,
  coalesce(nullif(a.description, ''), substr(a.text, 1, 400) || ' …') || char(10) || char(10)
    || 'Vì sao / why: ' || coalesce((select group_concat(value, ', ') from (
      select value from json_each(o.reasons, '$.provinces') union all
      select value from json_each(o.reasons, '$.countries') union all
      select value from json_each(o.reasons, '$.terms'))), 'mọi tin mới / every new story') as atom_content,
  o.subscription, a.site, a.published, o.created_at as found_at, o.status as delivery
from alert_outbox o join articles a on a.id = o.article_id left join sites s on s.key = a.site
where o.subscription = {sub}
order by o.id desc limit 50)
union all
-- datasette-atom 0.9 fails (HTTP 500) on an empty result: a subscription with no story yet gets one
-- placeholder entry instead
select 'tag:presswatch.invalid,2026:' || {sub} || ':empty',
  'Chưa có tin / No stories yet', '2026-01-01T00:00:00+00:00',
  '/{db}/alert_outbox?subscription=' || {sub}, 'presswatch',
  'Chưa có bài nào cho đăng ký này. / No article for this subscription yet.', {sub}, null, null, null, null
where not exists (select 1 from alert_outbox where subscription = {sub})"""


def alert_queries(db_name: str, alerts_file: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """Canned queries for the alert feeds: one generic (``:subscription``), one per subscription.
    A broken alerts file leaves only the generic one (the crawl reports the error)."""
    from pipeline.alerts import AlertsError, load_alerts

    queries: dict[str, dict[str, Any]] = {
        "alert_feed": {
            "title": "Tin cảnh báo / Alert feed (?subscription=NAME)",
            "sql": ALERT_FEED_SQL.format(sub=":subscription", db=db_name),
        }
    }
    try:
        cfg = load_alerts(alerts_file)
    except AlertsError as e:
        log.warning("alert feeds: %s", e)
        return queries
    for sub in cfg.subscriptions.values():
        # names are [a-z0-9_-] (validated), so the literal is safe
        queries[f"alert_{sub.name}"] = {
            "title": sub.title or f"presswatch — {sub.name}",
            "description": sub.describe(),
            "sql": ALERT_FEED_SQL.format(sub=f"'{sub.name}'", db=db_name),
        }
    return queries


def metadata(db_path: str | Path, alerts_file: str | Path | None = None) -> dict[str, Any]:
    data = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    name = Path(db_path).stem
    dbs = data.get("databases", {})
    if "__DB__" in dbs:
        dbs[name] = dbs.pop("__DB__")
    if name in dbs:
        dbs[name].setdefault("queries", {}).update(alert_queries(name, alerts_file))
    return data


def write_metadata(db_path: str | Path, out: str | Path, alerts_file: str | Path | None = None) -> Path:
    out = Path(out)
    out.write_text(json.dumps(metadata(db_path, alerts_file), ensure_ascii=False, indent=2), encoding="utf-8")
    return out


def datasette_command(db_path: str | Path, metadata_path: str | Path, host: str = "127.0.0.1",
                      port: int = 8001) -> list[str]:
    return [
        sys.executable, "-m", "datasette", "serve", str(db_path),
        "-m", str(metadata_path), "-h", host, "-p", str(port),
        "--setting", "sql_time_limit_ms", str(SQL_TIME_LIMIT_MS),
        "--setting", "default_page_size", "20",
        "--setting", "facet_time_limit_ms", "500",
        "--setting", "allow_download", "off",
    ]
