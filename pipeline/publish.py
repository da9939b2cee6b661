"""Publishing with Datasette: metadata from config/datasette.yml, a read-only server on the DB.

Read-only: Datasette opens the file for its queries with ``?mode=ro`` (a file passed to ``serve``
is "mutable" only in the sense that it may change under it, which the crawler does), the metadata
has no writable canned query, no plugin here writes, downloads of the file are off, and every query
is cut off after ``SQL_TIME_LIMIT_MS``. Plugins (``config/datasette_plugins``) and templates
(``config/datasette_templates``) ship inside the package.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import yaml

from config import CONFIG_DIR

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
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        cols = {r[1] for r in conn.execute("SELECT * FROM pragma_table_xinfo('articles')")}
        return names, cols
    except sqlite3.Error:
        return set(), set()
    finally:
        conn.close()


def article_columns(db_path: str | Path) -> set[str]:
    """The columns of the articles table (empty when the file or table does not exist yet)."""
    return _schema(db_path)[1]


def metadata(db_path: str | Path) -> dict[str, Any]:
    """The Datasette metadata for this database: `__DB__` replaced by its name, the story queries
    switched to story clusters when the database has ``articles.story_id``, and canned queries that
    a view of the same name replaces (``site_health``) dropped."""
    data = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    private = data.pop(PRIVATE_KEY, None) or {}
    data = _replace_db(data, Path(db_path).stem)
    names, cols = _schema(db_path)
    for queries in (d.get("queries", {}) for d in data.get("databases", {}).values()):
        for qname in private.get("replaced_by_view") or []:
            if qname in names:
                queries.pop(qname, None)
        if "story_id" in cols:
            for qname, sql in (private.get("when_story_id") or {}).items():
                if qname in queries:
                    queries[qname]["sql"] = sql
    return dict(data)


def write_metadata(db_path: str | Path, out: str | Path) -> Path:
    out = Path(out)
    out.write_text(json.dumps(metadata(db_path), ensure_ascii=False, indent=2), encoding="utf-8")
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
