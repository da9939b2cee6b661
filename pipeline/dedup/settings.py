"""Deduplication thresholds (config/dedup.toml) as a frozen ``DedupConfig``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from datasketch.lsh import _optimal_param

from config import CONFIG_DIR

CONFIG_FILE = CONFIG_DIR / "dedup.toml"


@dataclass(frozen=True)
class DedupConfig:
    num_perm: int = 128
    shingle: int = 3
    threshold: float = 0.5
    lsh_threshold: float = 0.4
    copy_threshold: float = 0.85
    max_days: int = 7
    min_numbers_jaccard: float = 0.5
    min_title_same_site: float = 0.5
    window_days: int = 3
    min_shared: int = 3
    min_score: float = 0.35
    max_keys: int = 60
    common: frozenset[str] = field(default_factory=frozenset)

    @property
    def bands(self) -> tuple[int, int]:
        """(b, r): LSH bands and rows per band for ``lsh_threshold`` (datasketch's optimum)."""
        return _bands(self.lsh_threshold, self.num_perm)


@lru_cache(maxsize=8)
def _bands(threshold: float, num_perm: int) -> tuple[int, int]:
    b, r = _optimal_param(threshold, num_perm, 0.5, 0.5)
    return int(b), int(r)


def load_config(path: str | Path | None = None) -> DedupConfig:
    return _load_config(str(path or CONFIG_FILE))


@lru_cache(maxsize=4)
def _load_config(path: str) -> DedupConfig:
    with open(path, "rb") as f:
        data = tomllib.load(f)
    kw: dict[str, Any] = {}
    for section in ("minhash", "story"):
        for k, v in (data.get(section) or {}).items():
            if k not in DedupConfig.__dataclass_fields__:
                raise ValueError(f"{path}: [{section}] unknown key {k!r}")
            kw[k] = frozenset(v) if k == "common" else v
    cfg = DedupConfig(**kw)
    if not 0 < cfg.lsh_threshold <= cfg.threshold < 1 or cfg.num_perm < 16:
        raise ValueError(f"{path}: need 0 < lsh_threshold <= threshold < 1 and num_perm >= 16")
    return cfg
