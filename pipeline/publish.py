"""Publishing with Datasette: metadata from config/datasette.yml, a read-only server on the DB."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

from config import CONFIG_DIR

METADATA = CONFIG_DIR / "datasette.yml"
SQL_TIME_LIMIT_MS = 3000


def metadata(db_path: str | Path) -> dict[str, Any]:
    data = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    name = Path(db_path).stem
    dbs = data.get("databases", {})
    if "__DB__" in dbs:
        dbs[name] = dbs.pop("__DB__")
    return data


def write_metadata(db_path: str | Path, out: str | Path) -> Path:
    out = Path(out)
    out.write_text(json.dumps(metadata(db_path), ensure_ascii=False, indent=2), encoding="utf-8")
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
