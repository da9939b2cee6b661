"""Deduplication thresholds and story evidence weights (config/dedup.toml) as a frozen ``DedupConfig``;
``activities``: (kind, accent-folded trigger words) from the ``[activities]`` table; ``date_triggers``:
further accent-folded words that bind a date to the reported event ("dien ra", "hop bao")."""

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
    event_window_days: int = 21
    min_evidence: float = 6.0
    link_score: float = 0.5
    date_bonus: float = 0.25
    date_conflict: float = 0.45
    activity_bonus: float = 0.05
    activity_conflict: float = 0.15
    max_df_share: float = 0.05
    weak_date_conflict: float = 0.1
    occasion_conflict: float = 0.3
    merge_score: float = 0.5
    date_triggers: tuple[str, ...] = ()
    same_occasion: tuple[tuple[str, ...], ...] = ()
    activities: tuple[tuple[str, tuple[str, ...]], ...] = ()

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
            kw[k] = (frozenset(v) if k == "common" else tuple(v) if k == "date_triggers"
                     else tuple(tuple(g) for g in v) if k == "same_occasion" else v)
    acts = data.get("activities") or {}
    if not all(isinstance(v, list) and all(isinstance(t, str) for t in v) for v in acts.values()):
        raise ValueError(f"{path}: [activities] maps a kind to a list of trigger words")
    kw["activities"] = tuple((k, tuple(v)) for k, v in acts.items())
    cfg = DedupConfig(**kw)
    if not 0 < cfg.lsh_threshold <= cfg.threshold < 1 or cfg.num_perm < 16:
        raise ValueError(f"{path}: need 0 < lsh_threshold <= threshold < 1 and num_perm >= 16")
    return cfg
