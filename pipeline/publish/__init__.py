"""Publishing with Datasette: metadata from config/datasette.yml, a read-only server on the DB.

Read-only: Datasette opens the file for its queries with ``?mode=ro`` (a file passed to ``serve``
is "mutable" only in the sense that it may change under it, which the crawler does), the metadata
has no writable canned query, no plugin here writes, downloads of the file are off, and every query
is cut off after ``SQL_TIME_LIMIT_MS``. Plugins (``config/datasette_plugins``) and templates
(``config/datasette_templates``) ship inside the package.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
from pathlib import Path
from typing import Any

import yaml

from config import CONFIG_DIR
from db.publish import alert_feed_sql, schema_names

log = logging.getLogger(__name__)

METADATA = CONFIG_DIR / "datasette.yml"
PLUGINS_DIR = CONFIG_DIR / "datasette_plugins"
TEMPLATES_DIR = CONFIG_DIR / "datasette_templates"
SQL_TIME_LIMIT_MS = 3000
PRIVATE_KEY = "_presswatch"  # section of datasette.yml read here, never shown to Datasette

# Settings shared by `presswatch serve` and the tests' in-process Datasette.
SETTINGS: dict[str, Any] = {
    "sql_time_limit_ms": SQL_TIME_LIMIT_MS,
    "default_page_size": 20,
    "facet_time_limit_ms": 500,
    "allow_download": False,
    # suggested facets run a query per column on every table page: too slow at 200,000 articles
    "suggest_facets": False,
}


def _replace_db(value: Any, name: str) -> Any:
    if isinstance(value, str):
        return value.replace("__DB__", name)
    if isinstance(value, list):
        return [_replace_db(v, name) for v in value]
    if isinstance(value, dict):
        return {_replace_db(k, name): _replace_db(v, name) for k, v in value.items()}
    return value


def _schema(db_path: str | Path) -> tuple[set[str], set[str]]:
    """(tables and views, columns of articles) of the database; empty when it does not exist yet."""
    p = Path(db_path)
    if not p.exists():
        return set(), set()
    conn = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return schema_names(conn)
    except sqlite3.Error:
        return set(), set()
    finally:
        conn.close()


def article_columns(db_path: str | Path) -> set[str]:
    """The columns of the articles table (empty when the file or table does not exist yet)."""
    return _schema(db_path)[1]

def alert_queries(db_name: str, alerts_file: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """Canned queries for the alert feeds: one generic (``:subscription``), one per subscription.
    A broken alerts file leaves only the generic one (the crawl reports the error)."""
    from pipeline.alerts import AlertsError, load_alerts

    queries: dict[str, dict[str, Any]] = {
        "alert_feed": {
            "title": "Tin cảnh báo / Alert feed (?subscription=NAME)",
            "description": "Nguồn Atom của một đăng ký cảnh báo (config/alerts.toml): thêm .atom vào địa chỉ. "
                           "The Atom feed of one alert subscription: add .atom to the URL.",
            "sql": alert_feed_sql(db_name),
        }
    }
    try:
        cfg = load_alerts(alerts_file)
    except AlertsError as e:
        log.warning("alert feeds: %s", e)
        return queries
    for sub in cfg.subscriptions.values():
        # names are [a-z0-9_-] (validated), so the literal is safe (alert_feed_sql checks it)
        queries[f"alert_{sub.name}"] = {
            "title": sub.title or f"presswatch — {sub.name}",
            "description": sub.describe(),
            "sql": alert_feed_sql(db_name, sub.name),
        }
    return queries


def metadata(db_path: str | Path, alerts_file: str | Path | None = None,
             users: dict[str, str] | None = None) -> dict[str, Any]:
    """The Datasette metadata for this database: `__DB__` replaced by its name, the story queries
    switched to story clusters when the database has ``articles.story_id``, canned queries that
    a view of the same name replaces (``site_health``) dropped, the alert feeds added, and the
    accounts (``users``: name -> PBKDF2 hash; default ``config.settings.auth_users()``) given to
    datasette-auth-passwords, which turns logins on (pipeline/publish/auth.py). Raises
    ``config.ConfigError`` for unusable account settings."""
    data = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    private = data.pop(PRIVATE_KEY, None) or {}
    name = Path(db_path).stem
    data = _replace_db(data, name)
    names, cols = _schema(db_path)
    for queries in (d.get("queries", {}) for d in data.get("databases", {}).values()):
        for qname in private.get("replaced_by_view") or []:
            if qname in names:
                queries.pop(qname, None)
        if "story_id" in cols:
            for qname, sql in (private.get("when_story_id") or {}).items():
                if qname in queries:
                    queries[qname]["sql"] = sql
    dbs = data.get("databases", {})
    if name in dbs:
        dbs[name].setdefault("queries", {}).update(alert_queries(name, alerts_file))
    from config import settings
    from pipeline.publish.auth import PLUGIN, plugin_config

    users = settings.auth_users() if users is None else users
    if users:
        data.setdefault("plugins", {})[PLUGIN] = plugin_config(users)
    return dict(data)


def write_metadata(db_path: str | Path, out: str | Path, alerts_file: str | Path | None = None,
                   users: dict[str, str] | None = None) -> Path:
    """``metadata(...)`` as JSON in ``out`` (readable by its owner only: it may hold password hashes)."""
    out = Path(out)
    out.touch(mode=0o600)
    out.chmod(0o600)
    out.write_text(json.dumps(metadata(db_path, alerts_file, users), ensure_ascii=False, indent=2),
                   encoding="utf-8")
    return out


def _setting_value(v: Any) -> str:
    if isinstance(v, bool):
        return "on" if v else "off"
    return str(v)


def datasette_command(db_path: str | Path, metadata_path: str | Path, host: str = "127.0.0.1",
                      port: int = 8001) -> list[str]:
    cmd = [
        sys.executable, "-m", "datasette", "serve", str(db_path),
        "-m", str(metadata_path), "-h", host, "-p", str(port),
        "--plugins-dir", str(PLUGINS_DIR),
        "--template-dir", str(TEMPLATES_DIR),
    ]
    for k, v in SETTINGS.items():
        cmd += ["--setting", k, _setting_value(v)]
    return cmd
