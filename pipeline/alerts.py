"""New-article alerts: subscriptions (config/alerts.toml), matching, messages, sending via apprise.

A subscription is one ``[alerts.NAME]`` block; every filter is optional and an empty block gets
every new story. Channels are apprise URLs whose ``${VAR}`` parts come from the environment and
are expanded only when a message is sent: the database never holds a channel URL, only the
subscription's name. The outbox (pipeline/outbox.py) decides what is sent and when.

    [alerts.hanoi-desk]
    channels = ["mailtos://user@example.org?pass=${PRESSWATCH_SMTP_PASS}"]
    relevant = true            # or min_relevance = 0.6
    provinces = ["Hà Nội"]     # any of these
    countries = []
    sites = []
    keywords = ["kết nghĩa"]   # accent-insensitive
    mode = "instant"           # or "digest", with digest = "1h"

An optional ``[delivery]`` table tunes retries: ``retry_after`` (first back-off, doubled on each
failure, default "1m"), ``max_retry_after`` (cap, default "6h"), ``max_attempts`` (default 12), and
``max_instant`` (default 20: more stories than that due at once for an instant subscription, as on a
first crawl, are sent as one grouped message rather than a flood).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tomllib
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from config import CONFIG_DIR, ConfigError, config_place, parse_duration
from pipeline.normalize import fold

log = logging.getLogger(__name__)

DEFAULT_ALERTS = CONFIG_DIR / "alerts.toml"
ENV_ALERTS = "PRESSWATCH_ALERTS"
VN_TZ = timezone(timedelta(hours=7), "ICT")

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_LIST_FIELDS = ("channels", "provinces", "countries", "sites", "keywords")
_KNOWN = set(_LIST_FIELDS) | {"relevant", "min_relevance", "mode", "digest", "title", "notes"}
_DELIVERY_KNOWN = {"retry_after", "max_retry_after", "max_attempts", "max_instant"}


class AlertsError(ConfigError):
    """An alerts file that cannot be used; the message names the file, subscription and field."""


@dataclass(frozen=True)
class Delivery:
    retry_after: float = 60.0
    max_retry_after: float = 6 * 3600.0
    max_attempts: int = 12
    # more stories than this due at once for an instant subscription (a first crawl, a long outage)
    # go out as one grouped message instead of a flood
    max_instant: int = 20

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt (1, 2, …): doubled each time, capped."""
        return float(min(self.max_retry_after, self.retry_after * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class Match:
    """Why an article matched a subscription (shown in the message, stored with the outbox row)."""

    provinces: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"provinces": list(self.provinces), "countries": list(self.countries),
                "terms": list(self.terms), "score": self.score}


@dataclass(frozen=True)
class Subscription:
    name: str
    channels: tuple[str, ...] = ()  # apprise URLs, ${VAR} unexpanded
    relevant: bool | None = None
    min_relevance: float | None = None
    provinces: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    mode: str = "instant"  # instant | digest
    digest: float | None = None  # seconds, when mode == "digest"
    title: str | None = None  # the feed's title
    _folded_keywords: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @property
    def is_digest(self) -> bool:
        return self.mode == "digest"

    def match(self, article: dict[str, Any]) -> Match | None:
        """The reasons ``article`` (title, description, text, site, relevance dict) matches, or None."""
        rel = article.get("relevance") or {}
        if self.sites and article.get("site") not in self.sites:
            return None
        score = rel.get("score")
        if self.relevant is True and not rel.get("relevant"):
            return None
        if self.relevant is False and rel.get("relevant"):
            return None
        if self.min_relevance is not None and (score is None or float(score) < self.min_relevance):
            return None
        art_prov = [str(p) for p in rel.get("provinces") or []]
        art_ctry = [str(c) for c in rel.get("countries") or []]
        provinces = _overlap(self.provinces, art_prov)
        if self.provinces and not provinces:
            return None
        countries = _overlap(self.countries, art_ctry)
        if self.countries and not countries:
            return None
        terms: list[str] = []
        if self._folded_keywords:
            hay = " " + " ".join(fold(" ".join(
                str(article.get(k) or "") for k in ("title", "description", "text"))).split()) + " "
            terms = [kw for kw, f in zip(self.keywords, self._folded_keywords, strict=True)
                     if _contains_words(hay, f)]
            if not terms:
                return None
        return Match(
            provinces=tuple(provinces or art_prov),
            countries=tuple(countries or art_ctry),
            terms=tuple(terms) + tuple(t for t in evidence_terms(rel.get("evidence")) if t not in terms),
            score=float(score) if score is not None else None,
        )

    def expanded_channels(self, env: dict[str, str] | None = None) -> list[tuple[str, str]]:
        """(channel id, URL with ${VAR} expanded) for each channel.

        Raises KeyError naming a missing variable."""
        env = dict(os.environ) if env is None else env
        out = []
        for raw in self.channels:
            out.append((channel_id(raw), _VAR.sub(lambda m: _env(env, m.group(1)), raw)))
        return out

    def secrets(self, env: dict[str, str] | None = None) -> list[str]:
        """The values substituted into this subscription's channels (scrubbed from error texts)."""
        env = dict(os.environ) if env is None else env
        return [env[v] for raw in self.channels for v in _VAR.findall(raw) if env.get(v)]

    def describe(self) -> str:
        parts = []
        if self.relevant is not None:
            parts.append(f"relevant={'yes' if self.relevant else 'no'}")
        if self.min_relevance is not None:
            parts.append(f"min_relevance={self.min_relevance:g}")
        for fld in ("provinces", "countries", "sites", "keywords"):
            vals = getattr(self, fld)
            if vals:
                parts.append(f"{fld}={'|'.join(vals)}")
        return ", ".join(parts) or "every new story"


def _env(env: dict[str, str], var: str) -> str:
    if var not in env:
        raise KeyError(f"environment variable {var} is not set")
    return env[var]


def channel_id(raw: str) -> str:
    """A short stable id of a channel (hash of its unexpanded URL): stored, never the URL itself."""
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


def redact(url: str) -> str:
    """'mailtos://user:secret@host/…' -> 'mailtos://…' (for listings)."""
    return url.split("://", 1)[0] + "://…" if "://" in url else "…"


def _overlap(wanted: tuple[str, ...], have: list[str]) -> list[str]:
    have_f = {fold(h): h for h in have}
    return [have_f[fold(w)] for w in wanted if fold(w) in have_f]


def _contains_words(hay: str, needle: str) -> bool:
    """Whole-word containment in folded, space-collapsed text (``hay`` padded with spaces)."""
    return re.search(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", hay) is not None


_SKIP_KINDS = ("province", "country", "cooccurrence")  # listed apart, or whole sentences


def evidence_terms(evidence: Any) -> list[str]:
    """The terms of the relevance evidence (pipeline.relevance: dicts with term and kind; strings are
    taken as terms too), without the provinces and countries shown apart."""
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


# -- config ------------------------------------------------------------------------------------
def _fail(origin: str, name: str | None, fld: str | None, msg: str) -> AlertsError:
    return AlertsError(f"{config_place(origin, 'subscription', name, fld)}: {msg}")


def _str_list(origin: str, name: str, fld: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
        raise _fail(origin, name, fld, "must be a list of non-empty strings")
    return tuple(x.strip() for x in value)


def _check_channel(origin: str, name: str, url: str) -> None:
    import apprise

    if "://" not in url:
        raise _fail(origin, name, "channels", f"not an apprise URL (scheme://…): {redact(url)!r}")
    # ${VAR} parts are not expanded now (secrets stay in the environment until send time):
    # check the URL's form with a placeholder in their place.
    probe = _VAR.sub("x", url)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="'imghdr' is deprecated", category=DeprecationWarning)
        instance = apprise.Apprise.instantiate(probe)
    if instance is None:
        scheme = url.split("://", 1)[0]
        raise _fail(origin, name, "channels", f"apprise does not accept this {scheme}:// URL")


def _subscription(origin: str, name: str, block: Any) -> Subscription:
    if not _NAME.match(name):
        raise _fail(origin, name, None, "names are lower-case letters, digits, '-' and '_'")
    if not isinstance(block, dict):
        raise _fail(origin, name, None, "must be a table ([alerts.NAME])")
    unknown = sorted(set(block) - _KNOWN)
    if unknown:
        raise _fail(origin, name, unknown[0], f"unknown key (known: {', '.join(sorted(_KNOWN))})")
    kw: dict[str, Any] = {"name": name}
    for fld in _LIST_FIELDS:
        if fld in block:
            kw[fld] = _str_list(origin, name, fld, block[fld])
    for url in kw.get("channels", ()):
        _check_channel(origin, name, url)
    if "relevant" in block:
        if not isinstance(block["relevant"], bool):
            raise _fail(origin, name, "relevant", "must be true or false")
        kw["relevant"] = block["relevant"]
    if "min_relevance" in block:
        v = block["min_relevance"]
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1:
            raise _fail(origin, name, "min_relevance", "must be a number between 0 and 1")
        kw["min_relevance"] = float(v)
    if "title" in block:
        if not isinstance(block["title"], str):
            raise _fail(origin, name, "title", "must be a string")
        kw["title"] = block["title"]
    mode = block.get("mode", "digest" if "digest" in block else "instant")
    if mode not in ("instant", "digest"):
        raise _fail(origin, name, "mode", f"must be 'instant' or 'digest', not {mode!r}")
    kw["mode"] = mode
    if mode == "digest":
        if "digest" not in block:
            raise _fail(origin, name, "digest", "mode 'digest' needs an interval, e.g. digest = \"1h\"")
        try:
            kw["digest"] = parse_duration(block["digest"])
        except ValueError as e:
            raise _fail(origin, name, "digest", str(e)) from None
    elif "digest" in block:
        raise _fail(origin, name, "digest", "only used with mode = \"digest\"")
    kw["_folded_keywords"] = tuple(" ".join(fold(k).split()) for k in kw.get("keywords", ()))
    return Subscription(**kw)


def _delivery(origin: str, block: Any) -> Delivery:
    if not isinstance(block, dict):
        raise AlertsError(f"{origin}: [delivery] must be a table")
    unknown = sorted(set(block) - _DELIVERY_KNOWN)
    if unknown:
        raise AlertsError(f"{origin}: [delivery], field '{unknown[0]}': unknown key "
                          f"(known: {', '.join(sorted(_DELIVERY_KNOWN))})")
    kw: dict[str, Any] = {}
    for fld in ("retry_after", "max_retry_after"):
        if fld in block:
            try:
                kw[fld] = parse_duration(block[fld])
            except ValueError as e:
                raise AlertsError(f"{origin}: [delivery], field '{fld}': {e}") from None
    for fld in ("max_attempts", "max_instant"):
        if fld in block:
            v = block[fld]
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise AlertsError(f"{origin}: [delivery], field '{fld}': must be a positive integer")
            kw[fld] = v
    return Delivery(**kw)


@dataclass(frozen=True)
class AlertsConfig:
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    delivery: Delivery = field(default_factory=Delivery)
    origin: str = "<alerts>"


def parse_alerts(text: str, origin: str = "<alerts>") -> AlertsConfig:
    seen: set[str] = set()
    for m in re.finditer(r"^\s*\[\s*alerts\.([^\]\s]+)\s*\]\s*(?:#.*)?$", text, re.M):
        k = m.group(1).strip("\"'")
        if k in seen:
            raise _fail(origin, k, None, "duplicate subscription (defined twice)")
        seen.add(k)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise AlertsError(f"{origin}: not valid TOML: {e}") from None
    unknown_top = sorted(set(data) - {"alerts", "delivery"})
    if unknown_top:
        raise AlertsError(f"{origin}: unknown top-level key '{unknown_top[0]}' "
                          "(expected [alerts.NAME] tables and an optional [delivery] table)")
    alerts = data.get("alerts", {})
    if not isinstance(alerts, dict):
        raise AlertsError(f"{origin}: 'alerts' must hold [alerts.NAME] tables")
    subs = {name: _subscription(origin, name, block) for name, block in alerts.items()}
    return AlertsConfig(subs, _delivery(origin, data.get("delivery", {})), origin)


def alerts_path(path: str | Path | None = None) -> Path:
    """The file to use: ``path``, else $PRESSWATCH_ALERTS, else the bundled config/alerts.toml."""
    return Path(path or os.environ.get(ENV_ALERTS) or DEFAULT_ALERTS)


def load_alerts(path: str | Path | None = None) -> AlertsConfig:
    """Read and validate an alerts file; a missing bundled file means no subscriptions."""
    p = alerts_path(path)
    if not p.exists() and p == DEFAULT_ALERTS:
        return AlertsConfig(origin=str(p))
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise AlertsError(f"{p}: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise AlertsError(f"{p}: not UTF-8 text: {e}") from None
    return parse_alerts(text, str(p))


# -- messages ----------------------------------------------------------------------------------
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
    """'2026-11-22T06:30:00+00:00' -> '13:30 22/11/2026 (giờ Việt Nam)'."""
    if not iso:
        return "không rõ / unknown"
    try:
        dt = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=VN_TZ)  # a naive time on a Vietnamese page is Vietnam time
    return dt.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y (giờ Việt Nam)")


def snippet(description: str | None, text: str | None, limit: int = 280) -> str:
    s = " ".join((description or text or "").split())
    if len(s) <= limit:
        return s
    cut = s[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def why(reasons: dict[str, Any]) -> str:
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
    body = "\n\n----\n\n".join(f"{i}. " + render_item(it) for i, it in enumerate(items, 1))
    return title, body + f"\n\n— presswatch digest, subscription {sub.name}"


# -- sending -----------------------------------------------------------------------------------
class SendError(RuntimeError):
    pass


def send(url: str, title: str, body: str, secrets: list[str] | None = None) -> None:
    """Send one message to one apprise URL; raises SendError with apprise's reason (secrets scrubbed)."""
    import apprise

    ap = apprise.Apprise()
    with apprise.LogCapture(level=logging.WARNING, fmt="%(levelname)s %(message)s") as logs, \
            warnings.catch_warnings():
        # apprise's e-mail plugin imports the deprecated imghdr module when it is first loaded
        warnings.filterwarnings("ignore", message="'imghdr' is deprecated", category=DeprecationWarning)
        ok = ap.add(url) and ap.notify(body=body, title=title, body_format=apprise.NotifyFormat.TEXT)
        captured = logs.getvalue()
    if not ok:
        msg = " | ".join(line.strip() for line in captured.splitlines() if line.strip())[-600:]
        raise SendError(scrub(msg or "apprise could not send (no reason logged)", secrets or []))


def scrub(text: str, secrets: list[str]) -> str:
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return text


def reasons_json(m: Match) -> str:
    return json.dumps(m.to_dict(), ensure_ascii=False)
