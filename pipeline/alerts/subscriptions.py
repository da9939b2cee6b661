"""Alert subscriptions: config/alerts.toml (or $PRESSWATCH_ALERTS) read and validated, and matching.

``load_alerts``/``parse_alerts`` give an ``AlertsConfig`` (subscriptions by name, the ``[delivery]``
tuning) or raise ``AlertsError`` naming the file, subscription and field. ``Subscription.match``
tells whether a stored article is owed to a subscription, and why (a ``Match``).
"""

from __future__ import annotations

import json
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config import CONFIG_DIR, ConfigError, check_block, config_place, parse_duration, read_tables, settings
from pipeline.alerts.places import UnknownPlace, canonical
from pipeline.alerts.render import evidence_terms
from pipeline.alerts.send import channel_id, redact
from pipeline.normalize import fold, normalize_text
from pipeline.search import Query
from pipeline.search import parse as parse_query

DEFAULT_ALERTS = CONFIG_DIR / "alerts.toml"
ENV_ALERTS = "PRESSWATCH_ALERTS"  # read through config.settings.alerts_file()

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_LIST_FIELDS = ("channels", "provinces", "countries", "sites", "keywords")
_KNOWN = set(_LIST_FIELDS) | {"relevant", "min_relevance", "mode", "digest", "title", "notes"}
_REPORT_KNOWN = {"report", "report_time", "report_format", "report_link"}  # scheduled press summaries
_KNOWN |= _REPORT_KNOWN
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
    report: str | None = None  # "daily" | "weekly": a press summary instead of each story
    report_time: str = "08:00"  # Vietnam time of day the report is due (weekly: on Mondays)
    report_format: str = "docx"  # the attachment: docx | pdf | html | md
    report_link: str | None = None  # base URL of the served Datasette: non-e-mail channels get a link
    _queries: tuple[Query, ...] = field(default=(), compare=False, repr=False)  # keywords, parsed

    @property
    def is_digest(self) -> bool:
        return self.mode == "digest"

    def match(self, article: dict[str, Any]) -> Match | None:
        """The reasons ``article`` (title, description, text, site, relevance dict, optional
        acting_provinces list) matches, or None."""
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
        # the localities acting in the article (its activities) when known, else every one it mentions
        art_prov = [str(p) for p in article.get("acting_provinces") or rel.get("provinces") or []]
        art_ctry = [str(c) for c in rel.get("countries") or []]
        provinces = _overlap(self.provinces, art_prov)
        if self.provinces and not provinces:
            return None
        countries = _overlap(self.countries, art_ctry)
        if self.countries and not countries:
            return None
        terms: list[str] = []
        if self._queries:  # pipeline.search: marks match marks, accent-free any; phrases, side by side
            fields = [normalize_text(str(article.get(k) or "")) for k in ("title", "description", "text")]
            terms = [kw for kw, q in zip(self.keywords, self._queries, strict=True)
                     if q.matches_fields(fields, strict=True)]
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
        """The filters on one line ("relevant=yes, provinces=Hà Nội"), for listings and feed pages."""
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


def _overlap(wanted: tuple[str, ...], have: list[str]) -> list[str]:
    have_f = {fold(h): h for h in have}
    return [have_f[fold(w)] for w in wanted if fold(w) in have_f]





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
    check_block(origin, "subscription", "alerts", name, block, _KNOWN, AlertsError)
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
    kw.update(_report_fields(origin, name, block))
    for fld in ("provinces", "countries"):  # checked against the gazetteer / country lexicon
        try:
            kw[fld] = tuple(dict.fromkeys(canonical(fld, v) for v in kw.get(fld, ())))
        except UnknownPlace as e:
            raise _fail(origin, name, fld, str(e)) from None
    kw["_queries"] = tuple(parse_query(k) for k in kw.get("keywords", ()))
    if not all(kw["_queries"]):
        raise _fail(origin, name, "keywords", "a keyword without letters or digits matches nothing")
    return Subscription(**kw)


def _report_fields(origin: str, name: str, block: dict[str, Any]) -> dict[str, Any]:
    """``report``, ``report_time`` (HH:MM), ``report_format``, ``report_link`` of a block, checked."""
    kw: dict[str, Any] = {}
    if "report" not in block:
        extra = sorted(set(block) & (_REPORT_KNOWN - {"report"}))
        if extra:
            raise _fail(origin, name, extra[0], 'only used with report = "daily" or "weekly"')
        return kw
    if block["report"] not in ("daily", "weekly"):
        raise _fail(origin, name, "report", f"must be 'daily' or 'weekly', not {block['report']!r}")
    kw["report"] = block["report"]
    t = block.get("report_time", "08:00")
    if not isinstance(t, str) or not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", t.strip()):
        raise _fail(origin, name, "report_time", f"must be HH:MM in Vietnam time, not {t!r}")
    kw["report_time"] = t.strip()
    fmt = block.get("report_format", "docx")
    if fmt not in ("docx", "pdf", "html", "md"):
        raise _fail(origin, name, "report_format", f"must be docx, pdf, html or md, not {fmt!r}")
    kw["report_format"] = fmt
    link = block.get("report_link")
    if link is not None:
        if not isinstance(link, str) or not link.startswith(("http://", "https://")):
            raise _fail(origin, name, "report_link", "must be the http(s) address of the served Datasette")
        kw["report_link"] = link.rstrip("/")
    return kw


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
    """Validate the TOML text of an alerts file (``origin`` names it in errors). Raises ``AlertsError``
    (file, subscription, field) for bad TOML, unknown keys, bad values or a channel apprise rejects."""
    data = read_tables(text, origin, kind="subscription", table="alerts", top_level=("alerts", "delivery"),
                       duplicate="duplicate subscription (defined twice)",
                       expected="expected [alerts.NAME] tables and an optional [delivery] table", error=AlertsError)
    alerts = data.get("alerts", {})
    if not isinstance(alerts, dict):
        raise AlertsError(f"{origin}: 'alerts' must hold [alerts.NAME] tables")
    subs = {name: _subscription(origin, name, block) for name, block in alerts.items()}
    return AlertsConfig(subs, _delivery(origin, data.get("delivery", {})), origin)


def alerts_path(path: str | Path | None = None) -> Path:
    """The file to use: ``path``, else $PRESSWATCH_ALERTS, else the bundled config/alerts.toml."""
    return Path(path or settings.alerts_file() or DEFAULT_ALERTS)


def load_alerts(path: str | Path | None = None) -> AlertsConfig:
    """Read and validate an alerts file (``alerts_path(path)``); a missing bundled file means no
    subscriptions. Raises ``AlertsError`` for a file that cannot be read or used."""
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


def reasons_json(m: Match) -> str:
    """The match as the JSON text stored in ``alert_outbox.reasons`` ({provinces, countries, terms, score})."""
    return json.dumps(m.to_dict(), ensure_ascii=False)
