"""Alert messages: one article (``Item``) as text, a message (title, body) for one or more items.

Times are shown in Vietnam time (config.VN_TZ); text is plain (apprise sends it as TEXT).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from config import VN_TZ, vn_datetime

if TYPE_CHECKING:
    from pipeline.alerts.subscriptions import Subscription

_SKIP_KINDS = ("province", "country", "cooccurrence")  # listed apart, or whole sentences


def evidence_terms(evidence: Any) -> list[str]:
    """The terms of the relevance evidence (pipeline.relevance: dicts with term and kind; strings are
    taken as terms too), without the provinces and countries shown apart: at most 6 terms of at most
    60 characters, in order. Anything else (None, a number) gives []; never raises."""
    out: list[str] = []
    if isinstance(evidence, dict):
        evidence = [evidence.get(k) for k in ("terms", "matches", "keywords") if evidence.get(k)] or []
        evidence = [x for sub in evidence for x in (sub if isinstance(sub, list) else [sub])]
    if not isinstance(evidence, list):
        return out
    for e in evidence:
        term = None
        if isinstance(e, str):
            term = e
        elif isinstance(e, dict):
            if e.get("kind") in _SKIP_KINDS:
                continue
            keys = ("term", "match", "text", "phrase")
            term = next((e[k] for k in keys if isinstance(e.get(k), str)), None)
        elif isinstance(e, list | tuple) and e and isinstance(e[0], str):
            term = e[0]
        if term and term not in out and len(term) <= 60:
            out.append(term)
    return out[:6]


@dataclass
class Item:
    """One article as a message shows it."""

    article_id: int
    title: str
    url: str
    site: str | None
    outlet: str | None
    published: str | None
    fetched_at: str | None
    snippet: str
    reasons: dict[str, Any]
    also: list[tuple[str, str]] = field(default_factory=list)  # (outlet, url) of copies


def vn_time(iso: str | None) -> str:
    """'2026-11-22T06:30:00+00:00' -> '13:30 22/11/2026 (giờ Việt Nam)' (config.VN_TZ, UTC+7).

    A naive time is taken as Vietnam time; None/'' gives 'không rõ / unknown'; text that is not ISO 8601
    is returned as it is (never raises)."""
    if not iso:
        return "không rõ / unknown"
    dt = vn_datetime(iso)  # a naive time on a Vietnamese page is Vietnam time
    return dt.strftime("%H:%M %d/%m/%Y (giờ Việt Nam)") if dt else iso


def snippet(description: str | None, text: str | None, limit: int = 280) -> str:
    """The lead (else the text) on one line, cut at a word boundary to at most ``limit`` characters
    plus " …"; "" when both are empty."""
    s = " ".join((description or text or "").split())
    if len(s) <= limit:
        return s
    cut = s[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def why(reasons: dict[str, Any]) -> str:
    """One line saying why an article was sent, from a ``Match.to_dict()`` (provinces, countries,
    terms, score)."""
    parts = []
    if reasons.get("provinces"):
        parts.append("địa phương / provinces: " + ", ".join(reasons["provinces"]))
    if reasons.get("countries"):
        parts.append("quốc gia / countries: " + ", ".join(reasons["countries"]))
    if reasons.get("terms"):
        parts.append("từ khoá / terms: " + ", ".join(reasons["terms"]))
    if reasons.get("score") is not None:
        parts.append(f"điểm / score {float(reasons['score']):.2f}")
    return "; ".join(parts) or "mọi tin mới / every new story"


def render_item(it: Item) -> str:
    """Plain-text lines of one article: title, outlet and Vietnam time, URL, snippet, why, copies."""
    lines = [
        it.title,
        f"{it.outlet or it.site or '?'} · {vn_time(it.published or it.fetched_at)}",
        it.url,
    ]
    if it.snippet:
        lines += ["", it.snippet]
    lines += ["", "Vì sao / why: " + why(it.reasons)]
    if it.also:
        lines.append("Cũng đưa tin / also reported by: " + "; ".join(f"{o} {u}" for o, u in it.also))
    return "\n".join(lines)


def render(sub: Subscription, items: list[Item]) -> tuple[str, str]:
    """(title, body) of the message for ``items`` (one for instant, several for a digest)."""
    if len(items) == 1:
        it = items[0]
        return f"[presswatch] {it.title}", render_item(it) + f"\n\n— presswatch, subscription {sub.name}"
    title = f"[presswatch] {sub.name}: {len(items)} bài mới / new article(s)"
    parts: list[str] = []
    n = 0
    for province, group in by_province(items):
        parts.append(f"== {province} ({len(group)}) ==")
        for it in group:
            n += 1
            parts.append(f"{n}. " + render_item(it))
    body = "\n\n----\n\n".join(parts)
    return title, body + f"\n\n— presswatch digest, subscription {sub.name}"


NO_PROVINCE = "Khác / Other"


def by_province(items: list[Item]) -> list[tuple[str, list[Item]]]:
    """``items`` grouped by their first province (the match's, else none: "Khác / Other", last),
    provinces in alphabetical order (accents ignored), each group by date, oldest first."""
    from pipeline.normalize import fold

    groups: dict[str, list[Item]] = {}
    for it in items:
        provs = it.reasons.get("provinces") or []
        groups.setdefault(str(provs[0]) if provs else NO_PROVINCE, []).append(it)
    out = []
    for name in sorted(groups, key=lambda g: (g == NO_PROVINCE, fold(g))):
        out.append((name, sorted(groups[name], key=lambda it: _when(it.published or it.fetched_at))))
    return out


def _when(iso: str | None) -> datetime:
    try:
        dt = datetime.fromisoformat(iso or "")
    except ValueError:
        return datetime.max.replace(tzinfo=VN_TZ)
    return dt if dt.tzinfo else dt.replace(tzinfo=VN_TZ)
