"""How often a site is polled: ``next_interval`` adapts a site's interval to its recent passes."""

from __future__ import annotations

from collections.abc import Sequence

from config import SiteSpec

HISTORY = 6  # passes looked at by next_interval


def next_interval(history: Sequence[int], spec: SiteSpec) -> float:
    """Seconds until the next pass of a site, from ``history``: the ``new`` counts of its last passes,
    newest first. Within [spec.min_every, spec.max_every]; ``spec.every`` with no history.

    - The last pass found something: poll faster than ``every``, more so the more often recent
      passes found something and the more they found (down to every / 5).
    - The last passes found nothing: slow down by 1.5x per empty pass in a row.
    """
    lo, hi = spec.min_every, spec.max_every
    base = min(max(spec.every, lo), hi)
    recent = [max(0, int(n)) for n in history[:HISTORY]]
    if not recent:
        return base
    if recent[0] > 0:
        busy = sum(1 for n in recent if n > 0) / len(recent)  # share of productive passes
        mean_new = sum(recent) / len(recent)
        factor = 1.0 + busy * min(mean_new, 8.0) / 2.0  # 1 .. 5
        return max(lo, min(hi, base / factor))
    empty = 0
    for n in history:
        if n:
            break
        empty += 1
    return max(lo, min(hi, base * 1.5 ** min(empty, 40)))


def jitter_for(seconds: float) -> float:
    """Random spread (seconds) added to an interval of ``seconds``: a tenth of it, at most a minute."""
    return min(60.0, seconds / 10.0)
