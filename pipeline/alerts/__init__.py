"""New-article alerts: subscriptions (config/alerts.toml), matching, messages, sending via apprise.

A subscription is one ``[alerts.NAME]`` block; every filter is optional and an empty block gets
every new story. Channels are apprise URLs whose ``${VAR}`` parts come from the environment and
are expanded only when a message is sent: the database never holds a channel URL, only the
subscription's name. The outbox (pipeline/alerts/outbox.py) decides what is sent and when.

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

from config import VN_TZ
from pipeline.alerts.render import Item, evidence_terms, render, render_item, snippet, vn_time, why
from pipeline.alerts.send import SendError, channel_id, redact, scrub, send
from pipeline.alerts.subscriptions import (
    DEFAULT_ALERTS,
    ENV_ALERTS,
    AlertsConfig,
    AlertsError,
    Delivery,
    Match,
    Subscription,
    alerts_path,
    load_alerts,
    parse_alerts,
    reasons_json,
)

__all__ = [
    "VN_TZ", "DEFAULT_ALERTS", "ENV_ALERTS",
    "AlertsConfig", "AlertsError", "Delivery", "Match", "Subscription", "alerts_path", "load_alerts",
    "parse_alerts", "reasons_json",
    "Item", "evidence_terms", "render", "render_item", "snippet", "vn_time", "why",
    "SendError", "channel_id", "redact", "scrub", "send",
]
